"""The Flask application factory."""

from __future__ import annotations

import os
import time

from flask import Flask, Response, g, request

from config.settings import Settings, load
from ledger import api, console, logs
from ledger.api import errors
from ledger.api.context import refuse_control_characters
from ledger.api.fastpath import SingleAppend
from ledger.metrics import answered
from ledger.service import Ledger


def create_app(settings: Settings | None = None) -> Flask:
    settings = settings or load(os.environ)
    logs.install()  # every log line of this process: control characters escaped
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body_bytes
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.extensions["ledger"] = Ledger(settings)
    errors.init_app(app)
    for module in api.modules():
        app.register_blueprint(module.bp)
    console.init_app(app)

    @app.before_request
    def _start() -> None:
        g.started = time.perf_counter()
        refuse_control_characters()  # before any view, so before any query

    @app.after_request
    def _measure(response: Response) -> Response:
        route = request.url_rule.rule if request.url_rule is not None else None
        started = g.get("started", time.perf_counter())
        answered(request.method, response.status_code, started, route)
        return response

    app.wsgi_app = SingleAppend(app, app.wsgi_app)  # type: ignore[method-assign]
    return app
