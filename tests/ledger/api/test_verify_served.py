"""The issue's must-show flow against a served instance (``ledger serve``: gunicorn, the
development TSA, no LEDGER_PUBLIC_URL): one envelope's certificate; the URL its QR code
and "Verify online" carry opens the verification page; uploading the PDF says valid and
registered; one changed byte names the failed check."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

from tests.conftest import event
from tests.ledger.api.served import call
from tests.ledger.api.verification import Page, changed
from tests.server import LedgerServer

BOUNDARY = "evidence-ledger-test-boundary"


def multipart(data: bytes, name: str) -> tuple[bytes, dict[str, str]]:
    head = (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    ).encode()
    body = head + data + f"\r\n--{BOUNDARY}--\r\n".encode()
    return body, {"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}


def test_qr_url_page_upload_and_changed_byte(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'var' / 'ledger.db'}"
    with LedgerServer(url, tmp_path / "var", workers=1) as server:
        port = server.port
        sent = json.dumps(event(1)).encode()
        status, _, _ = call(
            port,
            "POST",
            "/v1/events",
            sent,
            {"Authorization": f"Bearer {server.ingest_key}", "Content-Type": "application/json"},
        )
        assert status == 201
        status, headers, pdf = call(
            port,
            "GET",
            "/v1/envelopes/env-1/certificate.pdf",
            headers={"Authorization": f"Bearer {server.read_key}"},
        )
        assert status == 200, pdf[:300]
        ident = headers["X-Certificate-Id"]
        path = tmp_path / "c.pdf"
        path.write_bytes(pdf)
        text = subprocess.run(  # noqa: S603
            ["pdftotext", "-enc", "UTF-8", str(path), "-"],  # noqa: S607
            capture_output=True,
            check=True,
        ).stdout.decode()
        found = re.search(r"http://127\.0\.0\.1:\d+/verify/ELC-[0-9A-F-]{19}", text)
        assert found is not None, text[:2000]
        qr = urlsplit(found.group(0))
        assert qr.port == port  # the served address: this instance has no public URL
        assert qr.path == f"/verify/{ident}"
        assert "not publicly reachable" in " ".join(text.split())
        status, _, html = call(port, "GET", qr.path, headers={"Accept-Language": "en"})
        assert status == 200
        page = Page(html.decode())
        assert ident in page.text
        assert "not publicly reachable" in page.by_id["not-public"]
        body, form = multipart(pdf, "certificate.pdf")
        status, _, html = call(port, "POST", "/verify?lang=en", body, form)
        assert status == 200
        good = Page(html.decode())
        assert good.by_id["verdict"] == "VALID"
        assert ident in good.by_id["registered"]
        body, form = multipart(changed(pdf), "certificate.pdf")
        status, _, html = call(port, "POST", "/verify?lang=en", body, form)
        assert status == 200
        bad = Page(html.decode())
        assert bad.by_id["verdict"] == "INVALID"
        failed = [r["data-name"] for r in bad.rows if r["data-status"] == "fail"]
        assert failed
        assert bad.by_id["failed"] == f"Failed check: {failed[0]}"
