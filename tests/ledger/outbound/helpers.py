"""Helpers of the outbound tests: a webhook receiver that checks signatures, appends, deliveries."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import select

from ledger.storage.db import Database
from ledger.storage.models import Delivery
from tests.conftest import Keys


def standard_webhooks_valid(secret: str, headers: dict[str, str], body: bytes) -> bool:
    """The receiver's own check, written from the spec (not ledger code): whsec_ secret,
    HMAC-SHA256 over ``id.timestamp.body``, a ``v1,`` entry, a 5-minute window."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    msg_id, stamp = headers["webhook-id"], headers["webhook-timestamp"]
    if abs(time.time() - int(stamp)) > 300:
        return False
    mac = hmac.new(key, f"{msg_id}.{stamp}.".encode() + body, hashlib.sha256).digest()
    expected = base64.b64encode(mac).decode()
    return any(
        version == "v1" and hmac.compare_digest(sig, expected)
        for version, _, sig in (s.partition(",") for s in headers["webhook-signature"].split())
    )


@dataclass(frozen=True)
class Received:
    headers: dict[str, str]
    body: bytes
    valid: bool
    status: int
    at: float

    @property
    def json(self) -> Any:
        return json.loads(self.body)


class Receiver:
    """An HTTP server in a thread: answers ``fail_status`` to the first ``fails`` requests
    (or to every one while ``always_fail``), 401 to a bad signature, 200 otherwise."""

    def __init__(self, fails: int = 0, fail_status: int = 500, delay: float = 0.0) -> None:
        self.fails, self.fail_status, self.delay = fails, fail_status, delay
        self.always_fail = False
        self.secrets: list[str] = []
        self.received: list[Received] = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.handle(self, body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks/ledger?src=test"

    def handle(self, request: BaseHTTPRequestHandler, body: bytes) -> None:
        time.sleep(self.delay)
        headers = {k.lower(): v for k, v in request.headers.items()}
        valid = any(standard_webhooks_valid(s, headers, body) for s in self.secrets)
        with self.lock:
            failing = self.always_fail or len(self.received) < self.fails
            status = 401 if not valid else self.fail_status if failing else 200
            self.received.append(Received(headers, body, valid, status, time.monotonic()))
        request.send_response(status)
        request.send_header("Content-Length", "2")
        request.end_headers()
        request.wfile.write(b"no" if status != 200 else b"ok")

    def wait_for(self, count: int, timeout: float = 60.0) -> list[Received]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.received) >= count:
                    return list(self.received)
            time.sleep(0.05)
        raise AssertionError(f"{len(self.received)} of {count} requests within {timeout} s")

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def append(
    client: FlaskClient, keys: Keys, *events: dict[str, object], role: str = "ingest"
) -> None:
    response = client.post(
        "/v1/events/batch", json={"events": list(events)}, headers=keys.header(role)
    )
    assert response.status_code == 201, response.get_json()


def deliveries(db: Database) -> list[Any]:
    with db.reading() as conn:
        return list(conn.execute(select(Delivery.__table__).order_by(Delivery.created_at)))
