"""Exactly one anchoring run per interval under load: gunicorn workers on two "hosts"
sharing one PostgreSQL, each worker running the scheduler, one development TSA each."""

from __future__ import annotations

import itertools
import threading
import time
from datetime import datetime
from pathlib import Path

import psycopg

from tests.conftest import event
from tests.server import LedgerServer

INTERVAL = 2
LOAD_SECONDS = 40


def _attempts(pg_url: str) -> list[tuple[int, str, bool, datetime]]:
    url = pg_url.replace("postgresql+psycopg://", "postgresql://", 1)
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT size, tsa, ok, created_at FROM anchor_attempts ORDER BY id"
        ).fetchall()
    return [(int(r[0]), str(r[1]), bool(r[2]), r[3]) for r in rows]


def test_one_tsa_request_per_interval_under_load(pg_url: str, tmp_path: Path) -> None:
    env = {"LEDGER_ANCHOR_INTERVAL": str(INTERVAL)}
    with (
        LedgerServer(pg_url, tmp_path / "var", workers=4, env=env) as one,
        one.sibling(workers=2) as two,
    ):
        stop = time.monotonic() + LOAD_SECONDS
        sent = [0]

        def load(server: LedgerServer, offset: int) -> None:
            with server.client(server.ingest_key) as client:
                n = offset
                while time.monotonic() < stop:
                    status, _ = client.post("/v1/events", event(n))
                    assert status == 201
                    n += 1
                    sent[0] += 1

        threads = [
            threading.Thread(target=load, args=(server, i * 10_000_000))
            for i, server in enumerate([one, two, one, two])
        ]
        started = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.monotonic() - started
        with one.client(one.read_key) as client:
            status, body = client.get("/v1/log/anchors")
        assert status == 200
    attempts = _attempts(pg_url)
    anchors = body["anchors"]
    sizes = [a["size"] for a in anchors]
    print(
        f"\n{sent[0]} events in {elapsed:.0f} s; {len(attempts)} TSA requests, "
        f"{len(anchors)} anchors; {len(attempts) / elapsed * 3600:.0f} requests/hour at a "
        f"{INTERVAL} s interval = {len(attempts) / elapsed * INTERVAL * 60:.0f}/hour at 60 s"
    )
    assert all(ok for _, _, ok, _ in attempts), attempts
    assert len(sizes) == len(set(sizes)), "two anchors for one checkpoint size"
    # At most one request per interval (the lease), and one in (nearly) every interval.
    assert len(attempts) <= elapsed / INTERVAL + 2
    assert len(anchors) >= 0.6 * LOAD_SECONDS / INTERVAL
    starts = sorted(created for _, _, _, created in attempts)
    gaps = [(b - a).total_seconds() for a, b in itertools.pairwise(starts)]
    assert min(gaps) >= 0.9 * INTERVAL - 0.05, gaps
