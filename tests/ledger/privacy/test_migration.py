"""Migration 0009_privacy on a database of revision 0005 with bodies in clear: the rows
are kept (``key_id`` NULL, ``sealed`` = salt || event) and ``seal_existing`` (run by
``ledger init``) seals them and their request bodies under their subjects' keys."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path

from alembic import command
from sqlalchemy import select, text

from ledger.privacy.at_rest import open_body, open_delivery, seal_existing
from ledger.service import Ledger
from ledger.storage.migrate import alembic_config, upgrade
from ledger.storage.models import Body, DeliveryBody
from tests.conftest import make_settings
from verifier.jcs import canonicalize

EVENT = {
    "event_id": "evt-1",
    "type": "recipient.signed",
    "occurred_at": "2026-11-22T17:03:04Z",
    "envelope_id": "env-1",
    "actor": {"name": "张三", "email": "zhang@example.com"},
}


def test_clear_rows_survive_the_upgrade_and_init_seals_them(db_url: str, tmp_path: Path) -> None:
    settings = make_settings(db_url, tmp_path / "var")
    service = Ledger(settings)
    try:
        with service.db.writer.begin() as conn:
            config = alembic_config()
            config.attributes["connection"] = conn
            command.upgrade(config, "0005")
        canonical = canonicalize(EVENT)
        salt, delivered = b"\x01" * 32, json.dumps(EVENT).encode()
        sha = hashlib.sha256(delivered).digest()
        leaf = json.dumps(  # what the migrations and seal_existing read of a leaf
            {
                "event": {"occurred_at": EVENT["occurred_at"]},
                "source": {"channel": "api", "delivery_sha256": sha.hex()},
            }
        ).encode()
        with service.db.writer.begin() as conn:
            conn.execute(
                text("INSERT INTO tenants (id, name, created_at) VALUES (1, 'acme', :t)"),
                {"t": datetime.now(UTC)},
            )
            conn.execute(
                text(
                    "INSERT INTO logs (id, origin, hash_alg, size, chain, compact, checkpoint) "
                    "VALUES (1, 'o', 'sha-256', 1, :z, :z, '')"
                ),
                {"z": b"\x00" * 32},
            )
            conn.execute(
                text(
                    "INSERT INTO entries (log_id, seq, tenant_id, event_id, envelope_id, type, "
                    "received_at, leaf, leaf_hash, chain) VALUES (1, 0, 1, 'evt-1', 'env-1', "
                    "'recipient.signed', '2026-11-22T09:03:05.000000Z', :leaf, :z, :z)"
                ),
                {"leaf": leaf, "z": b"\x00" * 32},
            )
            conn.execute(
                text(
                    "INSERT INTO bodies (log_id, seq, event, salt, content_sha256) "
                    "VALUES (1, 0, :event, :salt, :c)"
                ),
                {
                    "event": canonical.decode(),
                    "salt": salt,
                    "c": hashlib.sha256(canonical).digest(),
                },
            )
            conn.execute(
                text(
                    "INSERT INTO delivery_bodies (tenant_id, sha256, channel, content_type, "
                    "received_at, body) VALUES (1, :sha, 'api', NULL, 'x', :body)"
                ),
                {"sha": sha, "body": delivered},
            )
        upgrade(service.db.writer)
        with service.db.reading() as conn:
            row = conn.execute(select(Body.key_id, Body.sealed)).one()
        assert (row.key_id, bytes(row.sealed)) == (None, salt + canonical)
        service.close()
        service = Ledger(settings)
        from ledger.pseudonyms import ensure_key

        ensure_key(settings.keys_dir)
        assert seal_existing(service.db, service.data_keys, service.event_subject) == 1
        assert seal_existing(service.db, service.data_keys, service.event_subject) == 0
        with service.db.reading() as conn:
            row = conn.execute(select(Body.key_id, Body.sealed)).one()
            stored = conn.execute(select(DeliveryBody.key_id, DeliveryBody.body)).one()
            assert row.key_id is not None
            assert b"zhang@example.com" not in row.sealed
            assert b"zhang@example.com" not in stored.body
            opened = open_body(service.data_keys, conn, 1, 1, 0, row.key_id, row.sealed)
            assert opened == (canonical.decode(), salt)
            assert (
                open_delivery(service.data_keys, conn, 1, sha, stored.key_id, stored.body)
                == delivered
            )
    finally:
        service.close()
