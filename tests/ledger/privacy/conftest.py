"""What the privacy tests share: a service with the development TSA, events of two data
subjects, and a search of the database's own files."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy.engine import make_url

from config.settings import Settings
from tests.conftest import Keys, event

ZHANG = {"name": "张三", "email": "zhang@example.com", "role": "signer", "ip": "203.0.113.7"}
LI = {"name": "李四", "email": "li@example.com", "role": "signer"}
ZHANG_DOC = [{"name": "zhang-employment-contract.pdf", "sha256": "b" * 64, "size": 1234}]
# What must not be found in the database files once Zhang is erased.
ZHANG_WORDS = ("zhang@example.com", "张三", "zhang-employment-contract.pdf", "203.0.113.7")


def two_subjects(client: FlaskClient, keys: Keys) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """env-a: Zhang (with a document), Li, Zhang; env-b: Li. Returns (event, receipt)s."""
    sent = [
        event(1, envelope_id="env-a", actor=ZHANG, documents=ZHANG_DOC),
        event(2, envelope_id="env-a", actor=LI),
        event(3, envelope_id="env-a", actor=ZHANG, type="envelope.completed"),
        event(4, envelope_id="env-b", actor=LI),
    ]
    receipts = []
    for body in sent:
        answer = client.post("/v1/events", json=body, headers=keys.header("ingest"))
        assert answer.status_code == 201, answer.get_json()
        receipts.append((body, answer.get_json()))
    return receipts


def database_bytes(settings: Settings) -> bytes:
    """Every byte the database keeps: the SQLite file with its WAL and shared memory, or a
    ``pg_dump`` of the PostgreSQL schema."""
    url = make_url(settings.database_url)
    if settings.is_sqlite:
        path = Path(str(url.database))
        return b"".join(
            p.read_bytes() for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")) if p.exists()
        )
    schema = str(url.query["options"]).split("search_path=")[1].split()[0]
    plain = url.set(drivername="postgresql", query={})
    dump = subprocess.run(  # noqa: S603
        ["pg_dump", "--no-owner", "-n", schema, plain.render_as_string(hide_password=False)],  # noqa: S607
        check=True,
        capture_output=True,
    )
    return dump.stdout


def admin(keys: Keys) -> dict[str, str]:
    return keys.header("admin")
