"""Fixtures that build real things: a SQLite file, a PostgreSQL schema, a migrated and
initialised ledger, a Flask app, tenants and keys of every role.

Storage tests take ``db_url``, parametrized over SQLite and PostgreSQL. PostgreSQL must
run at 127.0.0.1:5432 (database ``test``); if it is down we start it, and if that fails
the tests fail: they never skip.
"""

from __future__ import annotations

import os
import subprocess
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import hypothesis
import psycopg
import pytest
from flask import Flask
from flask.testing import FlaskClient

from config.settings import Settings, load
from ledger import access
from ledger.app import create_app
from ledger.pseudonyms import ensure_key
from ledger.service import Ledger
from ledger.storage.migrate import upgrade

PG_ADMIN = os.environ.get("LEDGER_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")

# No property test has a time limit: speed is measured by `make bench`, not by tests, and
# on a shared machine one stalled example (hypothesis's default allows 200 ms) would fail
# a correct test. Loaded here, before any test module applies its own @settings.
hypothesis.settings.register_profile("evidence-ledger", deadline=None)
hypothesis.settings.load_profile("evidence-ledger")


def _pg_up() -> bool:
    try:
        with psycopg.connect(PG_ADMIN, connect_timeout=3):
            return True
    except psycopg.OperationalError:
        return False


@pytest.fixture(scope="session")
def postgres() -> str:
    """The PostgreSQL server, started if it is down (fails loudly if it cannot be)."""
    if not _pg_up():
        versions = os.listdir("/etc/postgresql") if os.path.isdir("/etc/postgresql") else []
        for version in versions:
            subprocess.run(  # noqa: S603
                ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "start"],  # noqa: S607
                check=False,
            )
        for _ in range(30):
            if _pg_up():
                break
            time.sleep(1)
        else:
            pytest.fail(f"PostgreSQL is not reachable at {PG_ADMIN} and could not be started")
    return PG_ADMIN


def pg_schema_url(admin_url: str, schema: str) -> str:
    """A SQLAlchemy URL whose connections use ``schema`` (libpq ``options``)."""
    base = admin_url.replace("postgresql://", "postgresql+psycopg://", 1)
    return f"{base}?options=-csearch_path%3D{schema}"


@pytest.fixture
def pg_url(postgres: str) -> Iterator[str]:
    """A fresh schema in the test database, dropped afterwards."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(postgres, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    yield pg_schema_url(postgres, schema)
    with psycopg.connect(postgres, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA {schema} CASCADE")


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'var' / 'ledger.db'}"
    url: str = request.getfixturevalue("pg_url")
    return url


def make_settings(db_url: str, data_dir: Path, **env: str) -> Settings:
    return load(
        {"LEDGER_DATA_DIR": str(data_dir), "LEDGER_DATABASE_URL": db_url}
        | {f"LEDGER_{k.upper()}": v for k, v in env.items()}
    )


def initialise(settings: Settings) -> None:
    """What `ledger init` does: migrate, create the log, its key and the pseudonym key."""
    service = Ledger(settings)
    try:
        upgrade(service.db.writer)
        with service.db.writing() as conn:
            service.create_log(conn)
        with service.db.writing() as conn:
            service.ensure_lease(conn)
        ensure_key(settings.keys_dir)
    finally:
        service.close()


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    settings = make_settings(db_url, tmp_path / "var")
    initialise(settings)
    return settings


@pytest.fixture
def app(settings: Settings) -> Iterator[Flask]:
    app = create_app(settings)
    app.config["TESTING"] = True
    yield app
    app.extensions["ledger"].close()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@dataclass(frozen=True)
class Keys:
    """API keys of every role: tenants acme and globex."""

    ingest: str
    read: str
    audit: str
    admin: str
    other_ingest: str
    other_read: str

    def header(self, role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {getattr(self, role)}"}


@pytest.fixture
def keys(app: Flask) -> Keys:
    service: Ledger = app.extensions["ledger"]
    with service.db.writing() as conn:
        access.create_tenant(conn, "acme")
        access.create_tenant(conn, "globex")
        return Keys(
            ingest=access.create_key(conn, "ingest", "acme"),
            read=access.create_key(conn, "read", "acme"),
            audit=access.create_key(conn, "audit", None),
            admin=access.create_key(conn, "admin", None),
            other_ingest=access.create_key(conn, "ingest", "globex"),
            other_read=access.create_key(conn, "read", "globex"),
        )


def event(n: int | str, **extra: object) -> dict[str, object]:
    """A valid event; ``extra`` overrides or adds fields."""
    base: dict[str, object] = {
        "event_id": f"evt-{n}",
        "type": "recipient.signed",
        "occurred_at": "2026-11-22T17:03:04.123+08:00",
        "envelope_id": "env-1",
        "actor": {"name": "张三", "email": "zhang@example.com", "role": "signer"},
    }
    return base | extra
