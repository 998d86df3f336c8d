"""Helpers of the anchoring tests: an app anchoring to given TSAs, appends, a closed port."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from config.settings import Settings
from ledger.app import create_app
from tests.conftest import Keys, event


def closed_port_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/"


OPEN: list[Flask] = []


def anchored_app(settings: Settings, urls: list[str], root: Path, **changes: Any) -> Flask:
    configured = settings.replace(
        tsa_urls=tuple(urls), tsa_trust_roots=(root,), tsa_timeout=2, tsa_retries=0, **changes
    )
    app = create_app(configured)
    app.config["TESTING"] = True
    OPEN.append(app)
    return app


def append(client: FlaskClient, keys: Keys, n: int, start: int = 0) -> None:
    batch = {"events": [event(i) for i in range(start, start + n)]}
    assert (
        client.post("/v1/events/batch", json=batch, headers=keys.header("ingest")).status_code
        == 201
    )
