"""Signing analytics (``ledger.analytics``) over 1,000,000 events (``--quick``: 100,000),
on SQLite and PostgreSQL (issue 16).

The events are written straight into ``entries`` of a migrated database (SQLite:
``executemany``; PostgreSQL: binary ``COPY``), with a leaf of a real leaf's size but no
valid content: analytics reads only the clear columns and their indexes, and appending
a million events through the appender would measure the appender. 125,000 envelopes of
8 events over 90 days, on four channels; 70 % completed, 10 % declined, 10 % expired,
10 % still open. Measured: folding them all into the rollup (``ledger.rollup``, once;
the workers fold as events arrive), then the figures of the whole 90 days and of the
last 30 (from the rollup, and the entries of the cut days), median of ``runs``.
"""

from __future__ import annotations

import os
import random
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg

from bench.timing import seconds
from ledger import access, analytics, clock, periods, rollup
from ledger.service import Ledger
from ledger.storage.db import ENTRIES
from tests.conftest import initialise, make_settings, pg_schema_url

PG_ADMIN = os.environ.get("LEDGER_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/test")
PER_ENVELOPE = 8
# The head's size, so that the rollup folds the rows (the tree itself is not made).
SIZE = "UPDATE logs SET size = %s WHERE id = 1"
DAYS = 90
START = "2026-09-01"
CHANNELS = ("api", "docusign", "adobesign", "esign")
LEAF = b"\x7b" * 380  # about a real leaf's size
FLOWS = {
    "completed": (
        "envelope.created",
        "envelope.sent",
        "recipient.viewed",
        "recipient.signed",
        "recipient.viewed",
        "recipient.signed",
        "reminder.sent",
        "envelope.completed",
    ),
    "declined": (
        "envelope.created",
        "envelope.sent",
        "recipient.viewed",
        "recipient.signed",
        "recipient.viewed",
        "reminder.sent",
        "recipient.declined",
        "envelope.declined",
    ),
    "expired": (
        "envelope.created",
        "envelope.sent",
        "reminder.sent",
        "recipient.viewed",
        "reminder.sent",
        "reminder.sent",
        "reminder.sent",
        "envelope.expired",
    ),
    "open": (
        "envelope.created",
        "envelope.sent",
        "recipient.viewed",
        "recipient.signed",
        "reminder.sent",
        "recipient.viewed",
        "reminder.sent",
        "reminder.sent",
    ),
}
OUTCOMES = ["completed"] * 7 + ["declined", "expired", "open"]


def rows(tenant_id: int, events: int) -> Iterator[dict[str, Any]]:
    """``events`` entries of envelopes of 8 events, in seq order, deterministic."""
    rng = random.Random(16)
    start = clock.micros(periods.parse_bound(START, "from", end=False))
    span = DAYS * analytics.DAY_US
    seq = 0
    for n in range(events // PER_ENVELOPE):
        flow = FLOWS[rng.choice(OUTCOMES)]
        channel = CHANNELS[n % len(CHANNELS)]
        at = start + rng.randrange(span - 5 * analytics.DAY_US)
        for i, kind in enumerate(flow):
            yield {
                "log_id": 1,
                "seq": seq,
                "tenant_id": tenant_id,
                "event_id": f"e{n}-{i}",
                "envelope_id": f"env-{n:07d}",
                "type": kind,
                "received_at": "2026-12-01T00:00:00.000000Z",
                "leaf": LEAF,
                "leaf_hash": seq.to_bytes(32, "big"),
                "chain": seq.to_bytes(32, "big"),
                "occurred_us": at,
                "channel": channel,
            }
            seq += 1
            at += rng.randrange(60_000_000, 36 * 3_600_000_000)  # a minute to 36 hours


def _seed_sqlite(service: Ledger, tenant_id: int, events: int) -> None:
    insert = ENTRIES.sqlite_insert
    raw = service.db.writer.raw_connection()
    try:
        driver: Any = raw.driver_connection
        driver.execute("BEGIN")
        batch: list[dict[str, Any]] = []
        for row in rows(tenant_id, events):
            batch.append(row)
            if len(batch) == 50_000:
                driver.executemany(insert, batch)
                batch = []
        if batch:
            driver.executemany(insert, batch)
        driver.execute(SIZE.replace("%s", "?"), (events // PER_ENVELOPE * PER_ENVELOPE,))
        driver.execute("COMMIT")
        driver.execute("ANALYZE")
    finally:
        raw.close()


def _seed_postgres(url: str, tenant_id: int, events: int) -> None:
    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://", 1)) as conn:
        with conn.cursor().copy(ENTRIES.pg_copy) as out:
            out.set_types(ENTRIES.pg_types)
            for row in rows(tenant_id, events):
                out.write_row([row[c] for c in ENTRIES.columns])
        conn.execute(SIZE, (events // PER_ENVELOPE * PER_ENVELOPE,))
        conn.commit()
        conn.execute("ANALYZE entries")
        conn.commit()


def _measure(url: str, base: Path, events: int, runs: int, postgres: bool) -> dict[str, Any]:
    settings = make_settings(url, base / "var")
    initialise(settings)
    service = Ledger(settings)
    try:
        with service.db.writing() as conn:
            tenant = (access.create_tenant(conn, "bench"), "bench")
        began = time.perf_counter()
        if postgres:
            _seed_postgres(url, tenant[0], events)
        else:
            _seed_sqlite(service, tenant[0], events)
        seeded = time.perf_counter() - began
        began = time.perf_counter()
        rollup.refresh(service)  # what the workers do as the events arrive
        folded = time.perf_counter() - began
        whole = periods.parse(START, "2026-11-29")
        month = periods.parse("2026-10-31", "2026-11-29")
        cut = periods.parse("2026-10-31T12:00:00Z", "2026-11-29T12:00:00Z")
        report = analytics.compute(service, tenant, whole)
        return {
            "events": events,
            "seed_seconds": round(seeded, 1),
            "rollup_all_seconds": round(folded, 1),
            "whole_90_days": seconds(lambda: analytics.compute(service, tenant, whole), runs),
            "last_30_days": seconds(lambda: analytics.compute(service, tenant, month), runs),
            "last_30_days_cut_at_noon": seconds(
                lambda: analytics.compute(service, tenant, cut), runs
            ),
            "check": {
                "events_counted": report.events,
                "envelopes_sent": report.envelopes["sent"],
                "completion_rate": report.rates["completion"],
                "median_sent_to_completed_s": report.times["sent_to_completed"].median_s,
            },
        }
    finally:
        service.close()


def run(
    quick: bool = False, databases: tuple[str, ...] = ("sqlite", "postgresql")
) -> dict[str, Any]:
    events = 100_000 if quick else 1_000_000
    runs = 3
    result: dict[str, Any] = {"target": "fast on 1,000,000 events"}
    with tempfile.TemporaryDirectory(prefix="analytics-bench-") as scratch:
        base = Path(scratch)
        if "sqlite" in databases:
            url = f"sqlite:///{base / 'var' / 'ledger.db'}"
            result["sqlite"] = _measure(url, base / "sqlite", events, runs, postgres=False)
        if "postgresql" in databases:
            schema = f"bench_{uuid.uuid4().hex[:12]}"
            with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
                conn.execute(f"CREATE SCHEMA {schema}")
            try:
                url = pg_schema_url(PG_ADMIN, schema)
                result["postgresql"] = _measure(url, base / "pg", events, runs, postgres=True)
            finally:
                with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
                    conn.execute(f"DROP SCHEMA {schema} CASCADE")
    return result


if __name__ == "__main__":
    import json
    import sys

    print(json.dumps(run(quick="--quick" in sys.argv), indent=2))
