"""The TSA client never follows a redirect (ledger.anchoring.stamper): a 3xx is a failed
attempt with its reason, and the TSA's credentials go nowhere but the configured URL."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from flask import Flask

from config.settings import Settings
from ledger.anchoring.devtsa import DevTSA
from tests.conftest import Keys
from tests.ledger.anchoring.helpers import anchored_app, append


class Server:
    """An HTTP server on loopback that records each request's method, path and headers
    and answers ``status`` (with ``Location`` for a 3xx)."""

    def __init__(self, status: int, location: str | None = None) -> None:
        self.requests: list[tuple[str, str, dict[str, str]]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                self.rfile.read(length)
                server.requests.append((self.command, self.path, dict(self.headers.items())))
                self.send_response(status)
                if location:
                    self.send_header("Location", location)
                self.send_header("Content-Length", "4")
                self.end_headers()
                self.wfile.write(b"junk")

            do_GET = do_POST = _answer

            def log_message(self, *args: object) -> None:
                pass

        self.http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.http.server_address[1]
        threading.Thread(target=self.http.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.http.shutdown()
        self.http.server_close()


@pytest.fixture
def target() -> Iterator[Server]:
    server = Server(200)
    yield server
    server.close()


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_a_redirect_is_a_failed_attempt_and_the_credentials_stay_home(
    settings: Settings,
    keys: Keys,
    app: Flask,
    good_tsa: DevTSA,
    target: Server,
    status: int,
) -> None:
    tsa = Server(status, f"http://127.0.0.1:{target.port}/steal")
    try:
        url = f"http://operator:s3cret@127.0.0.1:{tsa.port}/tsa"
        configured = anchored_app(
            settings, [url], good_tsa.root_pem, tsa_headers={url: {"X-Tsa-Key": "k3y"}}
        )
        client = configured.test_client()
        append(client, keys, 2)
        failed = client.post("/v1/log/anchors", headers=keys.header("admin"))
        assert failed.status_code == 502
        message = failed.get_json()["error"]["message"]
        assert f"HTTP {status} from the TSA: a redirect, not followed" in message
        health = client.get("/healthz").get_json()["anchoring"]
        assert "a redirect, not followed" in health["last_failure"]["reason"]
    finally:
        tsa.close()
    # The configured TSA got the credentials, once; the redirect's target got nothing.
    [(method, path, headers)] = tsa.requests
    assert (method, path) == ("POST", "/tsa")
    assert headers["Authorization"].startswith("Basic ")
    assert headers["X-Tsa-Key"] == "k3y"
    assert target.requests == []
