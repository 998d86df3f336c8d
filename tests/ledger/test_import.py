"""``ledger import`` audits an export against keys the operator names (--log-key), never
against the keys the export names itself, unless told so (--trust-export-keys)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from ledger import access
from ledger.app import create_app
from ledger.service import Ledger
from ledger.storage.models import Entry
from tests.conftest import event, initialise, make_settings
from tests.ledger.helpers import run, vkeys


def ledger_app(base: Path) -> Flask:
    settings = make_settings(f"sqlite:///{base / 'ledger.db'}", base)
    initialise(settings)
    return create_app(settings)


@pytest.fixture
def apps(tmp_path: Path) -> Iterator[dict[str, Flask]]:
    made = {name: ledger_app(tmp_path / name) for name in ("real", "forger", "mirror")}
    yield made
    for app in made.values():
        app.extensions["ledger"].close()


def entries(app: Flask) -> int:
    service: Ledger = app.extensions["ledger"]
    with service.db.reading() as conn:
        return int(conn.execute(select(func.count()).select_from(Entry)).scalar_one())


def test_import_trusts_only_the_keys_it_is_given(apps: dict[str, Flask], tmp_path: Path) -> None:
    """A forger's export (same origin, its own key, which the export names) is refused
    unless the operator explicitly trusts the export's keys."""
    forger = apps["forger"]
    service: Ledger = forger.extensions["ledger"]
    with service.db.writing() as conn:
        access.create_tenant(conn, "acme")
        ingest = access.create_key(conn, "ingest", "acme")
    client = forger.test_client()
    for n in range(3):
        sent = client.post(
            "/v1/events", json=event(n), headers={"Authorization": f"Bearer {ingest}"}
        )
        assert sent.status_code == 201
    forged = tmp_path / "forged.jsonl"
    assert run(forger, "export", "-o", str(forged))[0] == 0
    mirror = apps["mirror"]

    code, out = run(mirror, "import", str(forged))
    assert code != 0
    assert "--log-key" in out
    assert entries(mirror) == 0

    real_key = vkeys(apps["real"].test_client())[0]
    code, out = run(mirror, "import", str(forged), "--log-key", real_key)
    assert code != 0
    assert "refused" in out
    assert entries(mirror) == 0

    code, out = run(mirror, "import", str(forged), "--log-key", real_key, "--trust-export-keys")
    assert code != 0
    assert "exclude each other" in out

    code, out = run(mirror, "import", str(forged), "--trust-export-keys")
    assert code == 0, out
    assert entries(mirror) == 3
