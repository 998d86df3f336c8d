"""The nginx configuration of docs/operator-guide.md, exactly as written there, in front of a
served instance: appends pass through with their receipts, nginx's own refusals are the
ledger's JSON, and a ledger that is down is a JSON 503 with Retry-After.

nginx is Debian's ``nginx-light`` (or any nginx on the PATH); without it the test fails
saying how to install it: it is never skipped.
"""

from __future__ import annotations

import json
import re
import shutil
import socket
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import event
from tests.ledger.api.served import call
from tests.server import ROOT, LedgerServer, free_port

GUIDE = ROOT / "docs" / "operator-guide.md"


def guide_config() -> str:
    blocks = re.findall(r"```nginx\n(.*?)```", GUIDE.read_text(encoding="utf-8"), re.S)
    assert len(blocks) == 1, "docs/operator-guide.md should hold one nginx block"
    return blocks[0]


def nginx_binary() -> str:
    found = shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if Path(p).exists()), None
    )
    if found is None:
        pytest.fail("nginx is not installed: `apt-get install -y nginx-light` (Debian)")
    return found


class Nginx:
    """nginx in the foreground with the guide's block inside a minimal nginx.conf."""

    def __init__(self, tmp: Path, ledger_port: int) -> None:
        self.port = free_port()
        self.dir = tmp / "nginx"
        self.dir.mkdir()
        block = guide_config()
        assert "server 127.0.0.1:8000;" in block
        assert "listen 8080;" in block
        block = block.replace("server 127.0.0.1:8000;", f"server 127.0.0.1:{ledger_port};")
        block = block.replace("listen 8080;", f"listen 127.0.0.1:{self.port};")
        (self.dir / "nginx.conf").write_text(
            f"""user root;
worker_processes 1;
daemon off;
pid {self.dir}/nginx.pid;
error_log {self.dir}/error.log;
events {{ worker_connections 256; }}
http {{
    access_log {self.dir}/access.log;
    client_body_temp_path {self.dir}/body;
    proxy_temp_path {self.dir}/proxy;
    fastcgi_temp_path {self.dir}/fastcgi;
    uwsgi_temp_path {self.dir}/uwsgi;
    scgi_temp_path {self.dir}/scgi;
{block}
}}
""",
            encoding="utf-8",
        )
        self.proc: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Nginx:
        command = [nginx_binary(), "-p", str(self.dir), "-c", str(self.dir / "nginx.conf")]
        self.proc = subprocess.Popen(command, stderr=subprocess.DEVNULL)  # noqa: S603
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                log = (self.dir / "error.log").read_text(errors="replace")
                raise AssertionError(f"nginx exited {self.proc.returncode}: {log}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
            except OSError:
                time.sleep(0.05)
            else:
                return self
        raise AssertionError("nginx did not listen within 10 s")

    def __exit__(self, *exc: object) -> None:
        assert self.proc is not None
        self.proc.terminate()
        self.proc.wait(10)


def request(
    port: int,
    method: str,
    path: str,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, Any, dict[str, str]]:
    status, got, raw = call(port, method, path, body, headers, timeout=30)
    content_type = next((v for k, v in got.items() if k.lower() == "content-type"), "")
    assert content_type.startswith("application/json"), raw[:200]
    return status, json.loads(raw), got


def test_the_guides_nginx_configuration_in_front_of_ledger_serve(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'var' / 'ledger.db'}"
    server = LedgerServer(db_url, tmp_path / "var", workers=1)
    with server, Nginx(tmp_path, server.port) as nginx:
        auth = {"Authorization": f"Bearer {server.ingest_key}"}
        json_type = {"Content-Type": "application/json"}
        body = json.dumps(event(1)).encode()
        status, receipt, _ = request(nginx.port, "POST", "/v1/events", body, auth | json_type)
        assert status == 201
        assert receipt["seq"] == 0
        # The ledger's own refusals pass through as they are.
        status, error, _ = request(nginx.port, "POST", "/v1/events", b"{", auth | json_type)
        assert (status, error["error"]["code"]) == (400, "invalid_json")
        # nginx's refusals: the same JSON.
        big = b"x" * (1024 * 1024 + 1)
        status, error, _ = request(nginx.port, "POST", "/v1/events", big, auth | json_type)
        assert (status, error["error"]["code"]) == (413, "payload_too_large")
        # The verification page's uploads may be larger (20 MB): this 2 MB file reaches
        # the ledger, which finds it no bundle.
        status, report, _ = request(nginx.port, "POST", "/v1/verify", big * 2, json_type)
        assert status == 200
        assert (report["valid"], report["checks"][0]["name"]) == (False, "readable")
        status, error, _ = request(nginx.port, "GET", "/v1/" + "a" * 9000)
        assert (status, error["error"]["code"]) == (414, "request_uri_too_long")
        status, error, _ = request(nginx.port, "GET", "/healthz", headers={"X-Big": "b" * 9000})
        assert (status, error["error"]["code"]) == (431, "request_header_fields_too_large")
        with socket.create_connection(("127.0.0.1", nginx.port), timeout=10) as raw:
            raw.sendall(b"NOT HTTP AT ALL\r\n\r\n")
            answer = b""
            while chunk := raw.recv(65536):
                answer += chunk
        head, _, error = answer.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 400 ")
        assert json.loads(error)["error"]["code"] == "bad_request"
        server.stop()
        status, error, headers = request(nginx.port, "GET", "/healthz")
        assert (status, error["error"]["code"]) == (503, "unavailable")
        assert headers.get("Retry-After") == "5"
