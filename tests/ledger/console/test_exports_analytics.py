"""The console's Exports and Analytics pages (ledger.exports, ledger.analytics) through
the Flask test client, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import time
import zipfile

from flask import Flask
from flask.testing import FlaskClient

from ledger import analytics, periods
from ledger.service import Ledger
from tests.ledger.console.seed import form_token, make_user, sign_in


def finished(client: FlaskClient, location: str) -> dict[str, object]:
    """The export's progress, polled until it is done (or failed)."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        info: dict[str, object] = client.get(f"{location}/progress.json").get_json()
        if info["status"] in ("done", "failed"):
            return info
        time.sleep(0.2)
    raise AssertionError("the export did not finish in 120 s")


def fetch(client: FlaskClient, path: str) -> tuple[int, str, bytes]:
    """Status, content type and body of a download (its file closed)."""
    with client.get(path) as response:
        return response.status_code, response.headers["Content-Type"], response.data


def check_zip(data: bytes, envelopes: set[str]) -> None:
    """Every file the manifests list is in the ZIP with the SHA-256 they give."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        manifest = json.loads(z.read("manifest.json"))
        rows = list(csv.DictReader(io.StringIO(z.read("manifest.csv").decode())))
        assert [r["sha256"] for r in rows] == [f["sha256"] for f in manifest["files"]]
        for row in manifest["files"]:
            assert hashlib.sha256(z.read(row["path"])).hexdigest() == row["sha256"]
        listed = {f["envelope_id"] for f in manifest["files"] if f["envelope_id"]}
        assert listed == envelopes
        kinds = sorted((f["kind"], f["lang"]) for f in manifest["files"] if f["envelope_id"])
        assert kinds.count(("certificate", "zh")) == len(envelopes)


def test_a_reader_exports_ticked_envelopes(seeded: FlaskClient) -> None:
    sign_in(seeded, "reader@acme.example")
    page = seeded.get("/console/envelopes")
    picks = re.findall(r'name="pick" value="([^"]+)"', page.text)
    assert sorted(picks) == ["acme/env-acme-1", "acme/env-acme-2", "acme/env-acme-3"]
    made = seeded.post("/console/exports", data={"csrf": form_token(page.text), "pick": picks[:2]})
    assert made.status_code == 303
    location = made.headers["Location"]
    info = finished(seeded, location)
    assert info["status"] == "done", info
    assert info["total"] == 2
    assert "Download the ZIP" in seeded.get(location).text
    status, kind, data = fetch(seeded, f"{location}/download")
    assert (status, kind) == (200, "application/zip")
    check_zip(data, {p.split("/", 1)[1] for p in picks[:2]})
    assert location.rsplit("/", 1)[1] in seeded.get("/console/exports").text


def test_every_result_of_a_search_and_a_date_range(seeded: FlaskClient) -> None:
    sign_in(seeded, "boss@example.com")
    page = seeded.get("/console/envelopes?status=completed")
    token = form_token(page.text)
    made = seeded.post("/console/exports", data={"csrf": token, "all": "1", "status": "completed"})
    assert made.status_code == 303
    info = finished(seeded, made.headers["Location"])
    assert info["total"] == 1
    assert info["tenant"] == "acme"
    check_zip(fetch(seeded, made.headers["Location"] + "/download")[2], {"env-acme-1"})
    mixed = seeded.post("/console/exports", data={"csrf": token, "all": "1"})
    assert mixed.status_code == 400
    assert "one tenant" in mixed.text
    dated = seeded.post(
        "/console/exports",
        data={
            "csrf": token,
            "by": "dates",
            "export_tenant": "acme",
            "from": "2026-11-04",
            "to": "2026-11-30",
        },
    )
    assert dated.status_code == 303
    assert finished(seeded, dated.headers["Location"])["total"] == 2
    empty = seeded.post(
        "/console/exports",
        data={
            "csrf": token,
            "by": "dates",
            "export_tenant": "acme",
            "from": "2025-01-01",
            "to": "2025-01-02",
        },
    )
    assert empty.status_code == 400
    assert "no envelope" in empty.text


def test_exports_are_refused_without_csrf_to_audit_and_across_tenants(
    app: Flask, seeded: FlaskClient
) -> None:
    sign_in(seeded, "reader@acme.example")
    refused = seeded.post("/console/exports", data={"pick": ["acme/env-acme-1"]})
    assert refused.status_code == 400
    assert "env-acme" not in seeded.get("/console/exports").text
    token = form_token(seeded.get("/console/exports").text)
    other = seeded.post("/console/exports", data={"csrf": token, "pick": ["globex/env-globex-1"]})
    assert other.status_code == 404
    smuggled = seeded.post("/console/exports", data={"csrf": token, "pick": ["acme/env-globex-1"]})
    assert smuggled.status_code == 404
    made = seeded.post("/console/exports", data={"csrf": token, "pick": ["acme/env-acme-1"]})
    location = made.headers["Location"]
    finished(seeded, location)
    make_user(app, "g@globex.example", "read", "globex")
    stranger = app.test_client()
    sign_in(stranger, "g@globex.example")
    assert stranger.get(location).status_code == 404
    assert fetch(stranger, f"{location}/download")[0] == 404
    auditor = app.test_client()
    sign_in(auditor, "auditor@example.com")
    assert auditor.get("/console/exports").status_code == 404
    assert fetch(auditor, f"{location}/download")[0] == 404
    assert 'name="pick"' not in auditor.get("/console/envelopes").text


def test_analytics_page_json_and_csv(app: Flask, seeded: FlaskClient) -> None:
    sign_in(seeded, "reader@acme.example")
    args = "from=2026-11-01&to=2026-11-30"
    page = seeded.get(f"/console/analytics?{args}")
    assert page.status_code == 200
    service: Ledger = app.extensions["ledger"]
    with service.db.reading() as conn:
        from ledger import access

        acme = (access.tenant_id(conn, "acme"), "acme")
    expected = analytics.compute(service, acme, periods.parse("2026-11-01", "2026-11-30"))
    assert seeded.get(f"/console/analytics.json?{args}").get_json() == expected.to_json()
    assert seeded.get(f"/console/analytics.csv?{args}").text == expected.to_csv()
    assert f"{expected.envelopes['sent']}</span> envelopes sent" in page.text
    assert "<svg" in page.text
    assert 'role="img"' in page.text
    assert seeded.get(f"/console/analytics?tenant=globex&{args}").status_code == 404
    assert seeded.get("/console/analytics?from=yesterday").status_code == 400
    auditor = app.test_client()
    sign_in(auditor, "auditor@example.com")
    shown = auditor.get(f"/console/analytics?tenant=globex&{args}")
    assert shown.status_code == 200
    assert "Hank" not in shown.text
