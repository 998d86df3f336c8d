"""Database faults against a served instance (``ledger.storage.faults``, issue 14).

PostgreSQL restarted and stopped under load: appends during the outage get 503 with
``Retry-After``, the service recovers by itself once the database is back, no acknowledged
event is lost and the log audits clean. SQLite on a full disk (a real tmpfs, mounted as
root): 503 ``storage_full``, nothing half-written, appends resume once space is freed.
Neither test is skipped: without root (for the mount) or PostgreSQL's binaries it fails,
saying what is missing.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import psycopg
import pytest

from tests.conftest import event
from tests.pgcluster import PrivateCluster
from tests.server import LedgerServer

RECOVERY_SECONDS = 10.0


def post(port: int, key: str, body: dict[str, Any]) -> tuple[int, dict[str, Any], str | None]:
    """One append on its own connection: status, JSON body, Retry-After."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
        conn.request("POST", "/v1/events", json.dumps(body), headers)
        response = conn.getresponse()
        return response.status, json.loads(response.read()), response.getheader("Retry-After")
    finally:
        conn.close()


class Load:
    """``clients`` threads appending new events back to back; every answer is recorded
    with the time it came, and the time its request was sent."""

    def __init__(self, server: LedgerServer, clients: int = 4) -> None:
        self.server, self.stop = server, threading.Event()
        self.answers: list[tuple[float, str, int, dict[str, Any], str | None]] = []
        self.sent: dict[str, float] = {}
        self.failures: list[str] = []  # no answer at all
        self.threads = [threading.Thread(target=self._run, args=(i,)) for i in range(clients)]

    def _run(self, client: int) -> None:
        n = 0
        while not self.stop.is_set():
            event_id = f"load-{client}-{n}"
            self.sent[f"evt-{event_id}"] = time.monotonic()
            try:
                status, body, retry = post(
                    self.server.port, self.server.ingest_key, event(event_id)
                )
            except OSError as e:
                self.failures.append(f"{event_id}: {e!r}")
            else:
                self.answers.append((time.monotonic(), f"evt-{event_id}", status, body, retry))
            n += 1
            time.sleep(0.02)

    def acknowledged(self) -> set[str]:
        return {eid for _, eid, status, _, _ in self.answers if status in (200, 201)}

    def __enter__(self) -> Load:
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        for t in self.threads:
            t.join(60)


def audit_clean(server: LedgerServer, tmp_path: Path) -> None:
    """``ledger fsck``, and the verifier's whole-log audit of an export (``ledger-verify log``)."""
    assert server.cli("fsck").stdout.strip().endswith("clean")
    export = tmp_path / "export.jsonl"
    server.cli("export", "-o", str(export))
    with server.client() as http:
        status, body = http.get("/v1/log/key")
    assert status == 200
    keys = [a for k in body["keys"] for a in ("--log-key", k["vkey"])]
    root = server.data_dir / "devtsa" / "root.pem"  # the development TSA anchored the log
    if root.exists():
        keys += ["--tsa-root", str(root)]
    verify = Path(sys.executable).parent / "ledger-verify"
    done = subprocess.run(  # noqa: S603
        [str(verify), "log", "--export", str(export), *keys],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def check_refusals(
    answers: list[tuple[float, str, int, dict[str, Any], str | None]], code: str
) -> int:
    """Every answer is 201 or a 503 ``code`` with Retry-After; the number of 503s."""
    refused = 0
    for _, event_id, status, body, retry in answers:
        if status == 503:
            assert body["error"]["code"] == code, (event_id, body)
            assert retry is not None
            assert int(retry) > 0
            refused += 1
        else:
            assert status == 201, (event_id, status, body)
    return refused


def test_postgresql_restarted_and_stopped_under_load(tmp_path: Path) -> None:
    with PrivateCluster() as pg, LedgerServer(pg.url, tmp_path / "var", workers=2) as server:
        with Load(server) as load:
            time.sleep(1.5)
            pg.restart()  # pg_ctl restart -m fast: every connection is cut
            time.sleep(1.5)
            pg.stop()
            stopped = time.monotonic()
            time.sleep(3.0)  # the outage
            starting = time.monotonic()  # PostgreSQL may accept before pg_ctl returns
            pg.start_again()
            back = time.monotonic()
            deadline = back + RECOVERY_SECONDS + 3
            while time.monotonic() < deadline:
                if any(at > back and status == 201 for at, _, status, _, _ in load.answers[-8:]):
                    break
                time.sleep(0.1)
            time.sleep(1.0)
        assert not load.failures, load.failures[:5]
        refused = check_refusals(load.answers, "database_unavailable")
        during = [a for a in load.answers if load.sent[a[1]] > stopped and a[0] < starting]
        assert during
        assert all(a[2] == 503 for a in during)
        recovered = min(
            at for at, _, status, _, _ in load.answers if at > starting and status == 201
        )
        assert recovered - back < RECOVERY_SECONDS
        assert refused >= len(during)
        with psycopg.connect(pg.admin) as conn:
            stored = {r[0] for r in conn.execute("SELECT event_id FROM entries")}
        assert load.acknowledged() <= stored  # no acknowledged event lost
        audit_clean(server, tmp_path)


def _mount_tmpfs(path: Path, size: str) -> None:
    if os.geteuid() != 0:
        pytest.fail("this test mounts a tmpfs and must run as root (it is never skipped)")
    path.mkdir(parents=True)
    done = subprocess.run(  # noqa: S603
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],  # noqa: S607
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.fail(f"cannot mount a tmpfs at {path}: {done.stderr.strip()}")


def _fill(path: Path) -> Path:
    filler = path / "filler"
    with filler.open("wb") as out, contextlib.suppress(OSError):
        while True:
            out.write(b"\0" * 65536)
            out.flush()
    return filler


def test_sqlite_on_a_full_disk(tmp_path: Path) -> None:
    disk = tmp_path / "disk"
    _mount_tmpfs(disk, "16m")
    try:
        db_url = f"sqlite:///{disk / 'var' / 'ledger.db'}"
        with LedgerServer(db_url, disk / "var", workers=2) as server:
            port, key = server.port, server.ingest_key
            for i in range(5):
                assert post(port, key, event(f"before-{i}"))[0] == 201
            filler = _fill(disk)
            padded = {"data": {"pad": "y" * 4000}}
            refused = [post(port, key, event(f"full-{i}", **padded)) for i in range(10)]
            for status, body, retry in refused:
                assert (status, body["error"]["code"]) == (503, "storage_full"), body
                assert retry is not None
            assert post(port, key, {"event_id": "x"})[0] == 400  # refusals still answered
            with server.client() as http:
                assert http.get("/healthz")[0] == 200
            filler.unlink()
            # Nothing was half-written: the same events are new (201), not repeats (200).
            for i in range(10):
                status, body, _ = post(port, key, event(f"full-{i}", **padded))
                assert status == 201, body
            audit_clean(server, tmp_path)
            with server.client(server.read_key) as http:
                assert http.get("/healthz")[1]["size"] == 15
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)  # noqa: S603, S607
