"""``ledger bench``: how fast this machine and database append, on a scratch log.

It never touches the configured log: it builds a throwaway data directory and, unless
given a database URL, a SQLite file inside it.
"""

from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from config.settings import Settings
from ledger import access
from ledger.appender import Source, Submission
from ledger.service import Ledger
from ledger.storage.migrate import upgrade
from ledger.storage.models import Log
from ledger.storage.nodes import NodeReader
from verifier import merkle
from verifier.jcs import canonicalize


@dataclass(frozen=True)
class BenchResult:
    events: int
    batch: int
    seconds: float
    proof_ms: float

    @property
    def per_second(self) -> float:
        return self.events / self.seconds


def _submission(n: int) -> Submission:
    event = {
        "event_id": f"bench-{n}",
        "type": "recipient.signed",
        "occurred_at": "2026-11-22T17:03:04.123+08:00",
        "envelope_id": f"env-{n // 10}",
        "actor": {"name": "Bench Signer", "email": "signer@example.com", "ip": "192.0.2.1"},
    }
    return Submission(event, canonicalize(event), Source("api", "0" * 64, "api-key"))


def run(base: Settings, events: int, batch: int, database_url: str | None) -> BenchResult:
    with tempfile.TemporaryDirectory(prefix="ledger-bench-") as scratch:
        data_dir = Path(scratch)
        url = database_url or f"sqlite:///{data_dir / 'bench.db'}"
        service = Ledger(base.replace(data_dir=data_dir, database_url=url))
        try:
            upgrade(service.db.writer)
            with service.db.writing() as conn:
                service.create_log(conn)
                tenant = access.create_tenant(conn, "bench")
            subs = [_submission(n) for n in range(events)]
            start = time.perf_counter()
            for i in range(0, events, batch):
                service.appender.append(tenant, "bench", subs[i : i + batch])
            seconds = time.perf_counter() - start
            return BenchResult(events, batch, seconds, _proof_ms(service, events))
        finally:
            service.close()


def _proof_ms(service: Ledger, size: int) -> float:
    start, count = time.perf_counter(), 200
    with service.db.reading() as conn:
        assert conn.execute(select(Log.size)).scalar_one() == size  # noqa: S101
        reader = NodeReader(conn, service.log.id)
        for i in range(count):
            merkle.inclusion_proof(i * size // count, size, reader)
    return (time.perf_counter() - start) / count * 1000
