"""The console tests' seeded app: the seed's envelopes and a user of each role."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import Keys
from tests.ledger.console.seed import make_user, seed


@pytest.fixture
def seeded(app: Flask, client: FlaskClient, keys: Keys) -> FlaskClient:
    seed(client, keys)
    make_user(app, "reader@acme.example", "read", "acme")
    make_user(app, "auditor@example.com", "audit")
    make_user(app, "boss@example.com", "admin")
    return client
