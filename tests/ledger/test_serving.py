"""``ledger serve``'s workers (``ledger.serving.SyncThreads``) through real gunicorn:
requests of one worker run in threads and appends waiting for the log share a commit;
a graceful stop is quick even with idle threads (SQLite and PostgreSQL)."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

from config.settings import Settings
from ledger.service import Ledger
from tests.conftest import event, make_settings
from tests.ledger.helpers import check_receipt, log_held
from tests.server import Client, LedgerServer

THREADS = 8


def test_one_worker_answers_in_threads_and_groups_appends(db_url: str, tmp_path: Path) -> None:
    settings: Settings = make_settings(db_url, tmp_path / "var")
    with LedgerServer(db_url, tmp_path / "var", workers=1, env={"LEDGER_THREADS": "8"}) as server:
        results: list[Any] = [None] * THREADS

        def send(i: int) -> None:
            with Client(server.port, server.ingest_key) as http:
                results[i] = http.post("/v1/events", event(i, envelope_id="env-serve"))

        threads = [threading.Thread(target=send, args=(i,)) for i in range(THREADS)]
        with log_held(settings):
            for t in threads:
                t.start()
            # One worker, one request per thread: the first leads and waits for the log,
            # the seven others queue behind it (two seconds is ample to get there).
            time.sleep(2)
            assert all(r is None for r in results)  # nobody answered while the log was held
        for t in threads:
            t.join(60)
        assert [status for status, _ in results] == [201] * THREADS
        with Client(server.port) as http:
            vkeys = [k["vkey"] for k in http.get("/v1/log/key")[1]["keys"]]
        sizes = {check_receipt(body, event(i), vkeys).size for i, (_, body) in enumerate(results)}
        assert len(sizes) <= 2  # the leader's group, then everyone who queued behind it
        assert max(sizes) == THREADS
        # A graceful stop with eight idle threads per worker takes about a second.
        started = time.monotonic()
        server.stop()
        assert time.monotonic() - started < 5
        assert server.proc is not None
        assert server.proc.returncode == 0
    service = Ledger(settings)
    try:
        with service.db.reading() as conn:
            assert conn.exec_driver_sql("SELECT count(*) FROM entries").scalar_one() == THREADS
    finally:
        service.close()
