"""A ledger with the development TSA served over HTTP that counts its requests, tenants
acme and globex with keys, and an envelope to certify (``ENVELOPE``)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from config.settings import Settings
from ledger import access
from ledger.anchoring.devtsa import DevTSA
from ledger.app import create_app
from ledger.service import Ledger
from tests.conftest import event, initialise, make_settings

ENVELOPE = "env-1"
PUBLIC_URL = "https://evidence.example.org/ledger"


class CountingTSA(DevTSA):
    """The development TSA, counting the time-stamp requests it answers."""

    requests = 0

    def reply(self, query: bytes) -> bytes:
        self.requests += 1
        return super().reply(query)


@dataclass
class World:
    app: Flask
    client: FlaskClient
    settings: Settings
    tsa: CountingTSA
    ingest: str
    read: str
    admin: str
    events: int = 0

    @property
    def service(self) -> Ledger:
        service: Ledger = self.app.extensions["ledger"]
        return service

    def header(self, key: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {key}"}

    def append(self, n: int = 1, **extra: Any) -> None:
        for _ in range(n):
            self.events += 1
            sent = event(f"w{self.events}", envelope_id=ENVELOPE, **extra)
            response = self.client.post("/v1/events", json=sent, headers=self.header(self.ingest))
            assert response.status_code == 201, response.get_data(as_text=True)

    def anchor(self) -> None:
        response = self.client.post("/v1/log/anchors", headers=self.header(self.admin))
        assert response.status_code in (200, 201), response.get_data(as_text=True)

    def download(self, query: str = "", envelope: str = ENVELOPE) -> Any:
        response = self.client.get(
            f"/v1/envelopes/{envelope}/certificate.pdf{query}", headers=self.header(self.read)
        )
        assert response.status_code == 200, response.get_data(as_text=True)[:500]
        return response


@contextlib.contextmanager
def world(db_url: str, directory: Path, **env: str) -> Iterator[World]:
    with CountingTSA.create(directory / "tsa", "ec") as tsa:
        settings = make_settings(
            db_url,
            directory / "var",
            tsa_urls=tsa.url,
            tsa_trust_roots=str(tsa.root_pem),
            tsa_dev="1",
            anchor_interval="0",
            **env,
        )
        initialise(settings)
        app = create_app(settings)
        app.config["TESTING"] = True
        service: Ledger = app.extensions["ledger"]
        with service.db.writing() as conn:
            access.create_tenant(conn, "acme")
            access.create_tenant(conn, "globex")
            keys = (
                access.create_key(conn, "ingest", "acme"),
                access.create_key(conn, "read", "acme"),
                access.create_key(conn, "admin", None),
            )
        try:
            yield World(app, app.test_client(), settings, tsa, *keys)
        finally:
            service.close()
