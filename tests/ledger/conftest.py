"""Fixtures the service's tests share: a development TSA served over HTTP, and the service
anchored by it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from config.settings import Settings
from ledger.anchoring.devtsa import DevTSA
from ledger.app import create_app
from tests.conftest import Keys


@pytest.fixture
def tsa(tmp_path: Path) -> Iterator[DevTSA]:
    with DevTSA.create(tmp_path / "tsa") as running:
        yield running


@pytest.fixture
def anchored(settings: Settings, tsa: DevTSA, keys: Keys) -> Iterator[Flask]:
    """The service with a real (development) TSA; ``keys`` made on the same database."""
    app = create_app(
        settings.replace(tsa_urls=(tsa.url,), tsa_trust_roots=(tsa.root_pem,), tsa_dev=True)
    )
    app.config["TESTING"] = True
    yield app
    app.extensions["ledger"].close()
