"""The compliance console (docs/console.md): a server-rendered part of the app under
``/console/`` for people, signed in with a password; ``/`` leads to it."""

from __future__ import annotations

from flask import Flask, Response, redirect


def init_app(app: Flask) -> None:
    from ledger.console import analytics_pages, export_pages  # noqa: F401 (their routes)
    from ledger.console.views import bp

    app.register_blueprint(bp)

    @app.get("/")
    def root() -> Response:
        return redirect("/console/", 302)  # type: ignore[return-value]
