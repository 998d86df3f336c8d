"""``ledger serve``'s workers (``ledger.serving.BufferedThreads``) through real gunicorn:
requests of one worker run in threads and appends waiting for the log share a commit;
a graceful stop is quick even with idle threads (SQLite and PostgreSQL); slow and idle
connections hold no thread; the HTTP server's own refusals are JSON (issue 14)."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import threading
import time
from pathlib import Path
from typing import Any

import pytest

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


# -- slow clients and the HTTP server's own refusals (issue 14) --------------------------------

SLOW_CONNECTIONS = 200
SLOW_SECONDS = 60.0
SLOW_BYTE_EVERY = 2.0


class Trickle:
    """``count`` connections, each sending a request line and then one header byte every
    ``every`` seconds, as a slow or hostile client does; a connection the server closes is
    opened again (an attacker reconnects). Records how long the server let each one live."""

    def __init__(self, port: int, count: int, every: float) -> None:
        self.port, self.count, self.every = port, count, every
        self.stop = threading.Event()
        self.lifetimes: list[float] = []  # seconds from connect to the server's close
        self.answers: list[bytes] = []  # the first bytes the server sent before closing
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _open(self) -> tuple[socket.socket, float]:
        sock = socket.create_connection(("127.0.0.1", self.port), timeout=5)
        sock.sendall(b"POST /v1/events HTTP/1.1\r\nHost: ledger\r\n")
        sock.setblocking(False)
        return sock, time.monotonic()

    def _run(self) -> None:
        conns = [self._open() for _ in range(self.count)]
        while not self.stop.wait(self.every):
            for i, (sock, opened) in enumerate(conns):
                try:
                    answer = sock.recv(4096)  # anything readable: the server gave up on us
                except BlockingIOError:
                    try:
                        sock.send(b"x")
                        continue
                    except OSError:
                        answer = b""
                except OSError:
                    answer = b""
                self.lifetimes.append(time.monotonic() - opened)
                self.answers.append(answer)
                sock.close()
                conns[i] = self._open()
        for sock, _ in conns:
            sock.close()

    def __enter__(self) -> Trickle:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join(30)


def test_slow_clients_hold_no_thread(tmp_path: Path) -> None:
    """200 connections trickling one header byte every 2 s for 60 s, while a client appends
    one event at a time: every append is answered within 1 s, /healthz too, no worker is
    killed, and each slow connection is cut at LEDGER_CLIENT_TIMEOUT (10 s by default)."""
    db_url = f"sqlite:///{tmp_path / 'var' / 'ledger.db'}"
    with LedgerServer(db_url, tmp_path / "var", workers=2) as server:
        slowest, answered, n = 0.0, 0, 0
        with Trickle(server.port, SLOW_CONNECTIONS, SLOW_BYTE_EVERY) as trickle:
            deadline = time.monotonic() + SLOW_SECONDS
            while time.monotonic() < deadline:
                for path, body in (("/v1/events", event(f"slow-{n}")), ("/healthz", None)):
                    started = time.monotonic()
                    with Client(server.port, server.ingest_key, timeout=5) as http:
                        status, _ = http.request("POST" if body else "GET", path, body)
                    slowest = max(slowest, time.monotonic() - started)
                    assert status == (201 if body else 200)
                    answered += 1
                n += 1
                time.sleep(0.2)
        log = server.log_path.read_text(errors="replace")
    assert slowest < 1.0, f"a normal request took {slowest:.2f} s"
    assert answered > 100
    assert "WORKER TIMEOUT" not in log
    assert log.count("Booting worker") == 2  # none was killed and replaced
    # The deadline: every slow connection was cut after about 10 s, with a JSON 408.
    assert len(trickle.lifetimes) >= SLOW_CONNECTIONS * 4
    assert max(trickle.lifetimes) < 10 + 2 * SLOW_BYTE_EVERY + 1
    assert min(trickle.lifetimes) > 9
    assert all(a.startswith(b"HTTP/1.1 408 ") for a in trickle.answers if a)
    assert any(a.startswith(b"HTTP/1.1 408 ") for a in trickle.answers)


def _raw(port: int, data: bytes, pause: float = 0.0, then: bytes = b"") -> tuple[int, Any, float]:
    """Send ``data`` (then ``then`` after ``pause`` s) on a raw connection; the status, the
    JSON body and how long the server took to close."""
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(data)
        if pause:
            time.sleep(pause)
            with contextlib.suppress(OSError):
                sock.sendall(then)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    assert b"content-type: application/json" in head.lower(), answer[:300]
    return int(head.split()[1]), json.loads(body), time.monotonic() - started


def test_the_http_servers_refusals_are_json_and_slow_bodies_get_408(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'var' / 'ledger.db'}"
    env = {"LEDGER_CLIENT_TIMEOUT": "2"}
    with LedgerServer(db_url, tmp_path / "var", workers=1, env=env) as server:
        port = server.port
        # A request line over 4,094 bytes (schemathesis found it answered in HTML).
        status, body, _ = _raw(port, b"GET /v1/" + b"a" * 5000 + b" HTTP/1.1\r\nHost: x\r\n\r\n")
        assert (status, body["error"]["code"]) == (414, "request_uri_too_long")
        # A header over 8,190 bytes; headers that never end past 64 KiB.
        big = b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"b" * 9000 + b"\r\n\r\n"
        status, body, _ = _raw(port, big)
        assert (status, body["error"]["code"]) == (431, "request_header_fields_too_large")
        endless = b"GET /healthz HTTP/1.1\r\n" + b"X-A: a\r\n" * 10_000
        status, body, _ = _raw(port, endless)
        assert (status, body["error"]["code"]) == (431, "request_header_fields_too_large")
        # The OpenAPI description lists these statuses for every operation (schemathesis
        # found the 414 undocumented).
        with Client(port) as http:
            paths = http.get("/openapi.json")[1]["paths"]
        for item in paths.values():
            for operation in item.values():
                assert {"400", "408", "414", "431", "503"} <= set(operation["responses"])
        # A malformed request line; a header without a colon.
        for bad in (b"NOT HTTP\r\n\r\n", b"GET /healthz HTTP/1.1\r\nno colon\r\n\r\n"):
            status, body, _ = _raw(port, bad)
            assert (status, body["error"]["code"]) == (400, "bad_request")
        # Slow bodies: 10 of the 100 bytes declared, then nothing: 408 after 2 s, and
        # while 20 of them wait, a normal append is answered at once (no thread is held).
        head = (
            f"POST /v1/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {server.ingest_key}"
            "\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n"
        ).encode()
        outcomes: list[tuple[int, Any, float]] = []
        threads = [
            threading.Thread(target=lambda: outcomes.append(_raw(port, head + b'{"event_')))
            for _ in range(20)
        ]
        for t in threads:
            t.start()
        time.sleep(0.5)
        started = time.monotonic()
        with Client(port, server.ingest_key) as http:
            assert http.post("/v1/events", event(1))[0] == 201
        # at once: well before the 2 s after which the slow bodies are answered
        assert time.monotonic() - started < 1.5
        for t in threads:
            t.join(30)
        assert len(outcomes) == 20
        for status, body, took in outcomes:
            assert (status, body["error"]["code"]) == (408, "request_timeout")
            assert 1.5 < took < 5
        # A body that arrives in pieces within the deadline is appended.
        whole = json.dumps(event(2)).encode()
        head = head.replace(b"Content-Length: 100", f"Content-Length: {len(whole)}".encode())
        status, body, _ = _raw(port, head + whole[:10], pause=1.0, then=whole[10:])
        assert status == 201, body
        # Expect: 100-continue is answered once, before the body is sent.
        whole = json.dumps(event(3)).encode()
        expecting = head.split(b"Content-Length")[0] + (
            b"Expect: 100-continue\r\nContent-Length: %d\r\n\r\n" % len(whole)
        )
        with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
            sock.sendall(expecting)
            assert sock.recv(100) == b"HTTP/1.1 100 Continue\r\n\r\n"
            sock.sendall(whole)
            answer = b""
            while chunk := sock.recv(65536):
                answer += chunk
        assert answer.startswith(b"HTTP/1.1 201 "), answer[:200]
        # A chunked body, read to its last chunk.
        whole = json.dumps(event(4)).encode()
        chunked = head.split(b"Content-Length")[0] + b"Transfer-Encoding: chunked\r\n\r\n"
        pieces = b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in (whole[:7], whole[7:]))
        status, body, _ = _raw(port, chunked + pieces, pause=0.5, then=b"0\r\n\r\n")
        assert status == 201, body


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_stop_answers_requests_in_flight_without_tracebacks(
    sig: signal.Signals, tmp_path: Path
) -> None:
    """SIGTERM to gunicorn's master (systemd, docker stop), or SIGINT to the whole process
    group (Ctrl-C in a terminal): the appends in flight are answered, connections still
    being read are closed, the server exits 0, and nothing but log lines reaches stderr."""
    db_url = f"sqlite:///{tmp_path / 'var' / 'ledger.db'}"
    settings = make_settings(db_url, tmp_path / "var")
    server = LedgerServer(db_url, tmp_path / "var", workers=2)
    server.start()
    try:
        results: list[Any] = [None] * 4
        idle = socket.create_connection(("127.0.0.1", server.port))  # a request never sent

        def send(i: int) -> None:
            with Client(server.port, server.ingest_key) as http:
                results[i] = http.post("/v1/events", event(f"stop-{i}"))

        threads = [threading.Thread(target=send, args=(i,)) for i in range(len(results))]
        with log_held(settings):
            for t in threads:
                t.start()
            time.sleep(1.5)  # every append is in a worker, waiting for the log
            assert server.proc is not None
            if sig == signal.SIGINT:
                os.killpg(server.proc.pid, sig)
            else:
                server.proc.send_signal(sig)
            time.sleep(1.0)
        for t in threads:
            t.join(30)
        assert [r[0] for r in results] == [201] * len(results)
        assert server.proc.wait(15) == 0
        assert idle.recv(100) == b""  # closed, unanswered
        idle.close()
    finally:
        server.stop()
    log = server.log_path.read_text(errors="replace")
    assert "Traceback" not in log, log
    assert "Error" not in log, log
    service = Ledger(settings)
    try:
        with service.db.reading() as conn:
            assert conn.exec_driver_sql("SELECT count(*) FROM entries").scalar_one() == 4
    finally:
        service.close()
