"""Migration 0008_exports (SQLite and PostgreSQL): entries appended before it get their
platform time and channel from their leaves, so analytics count them."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import column, create_engine, insert, select, table

from ledger import clock
from ledger.storage.models import Entry
from tests.ledger.storage.migrations import upgrade
from verifier.leaf import leaf_bytes

EVENTS = [
    ("evt-1", "envelope.sent", "2026-11-22T17:03:04.123+08:00", "api"),
    ("evt-2", "envelope.completed", "2026-11-23T01:00:00Z", "docusign"),
]


def test_existing_entries_are_filled_from_their_leaves(db_url: str, tmp_path: Path) -> None:
    if db_url.startswith("sqlite"):
        (tmp_path / "var").mkdir(exist_ok=True)
    upgrade(db_url, "0005")
    engine = create_engine(db_url)
    names = [c.name for c in Entry.__table__.c if c.name not in ("occurred_us", "channel")]
    old_entries = table("entries", *(column(name) for name in names))  # as of 0005
    with engine.begin() as conn:
        for seq, (event_id, kind, at, channel) in enumerate(EVENTS):
            leaf = leaf_bytes(
                log="example.com/log",
                seq=seq,
                received_at="2026-11-23T02:00:00.000000Z",
                tenant="acme",
                source={
                    "channel": channel,
                    "delivery_sha256": "0" * 64,
                    "authenticated": "api-key",
                },
                event={"event_id": event_id, "type": kind, "occurred_at": at, "envelope_id": "e"},
                commitment="0" * 64,
            )
            conn.execute(
                insert(old_entries).values(
                    log_id=1,
                    seq=seq,
                    tenant_id=1,
                    event_id=event_id,
                    envelope_id="e",
                    type=kind,
                    received_at="2026-11-23T02:00:00.000000Z",
                    leaf=leaf,
                    leaf_hash=b"\0" * 32,
                    chain=b"\0" * 32,
                )
            )
    engine.dispose()
    upgrade(db_url, "head")
    engine = create_engine(db_url)
    with engine.connect() as conn:
        rows = conn.execute(
            select(Entry.seq, Entry.occurred_us, Entry.channel).order_by(Entry.seq)
        ).all()
    engine.dispose()
    assert [(r.occurred_us, r.channel) for r in rows] == [
        (clock.occurred_micros(at), channel) for _, _, at, channel in EVENTS
    ]
    assert clock.from_micros(rows[0].occurred_us).isoformat() == "2026-11-22T09:03:04.123000+00:00"
