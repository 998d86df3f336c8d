"""``/v1/exports`` (SQLite and PostgreSQL): an export of three envelopes built in the
background and downloaded; who may export and see which tenant's; bad input is a 4xx
JSON error and records nothing."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import Keys
from tests.ledger.exports_helpers import ENVELOPES, acme, check_zip, count_exports, seed


def wait_done(client: FlaskClient, location: str, headers: dict[str, str]) -> dict[str, Any]:
    deadline = time.monotonic() + 60
    while True:
        state: dict[str, Any] = client.get(location, headers=headers).get_json()
        if state["status"] in ("done", "failed") or time.monotonic() > deadline:
            return state
        time.sleep(0.05)


def test_export_three_envelopes_in_the_background(
    app: Flask, client: FlaskClient, keys: Keys, tmp_path: Path
) -> None:
    seed(client, keys)
    read = keys.header("read")
    answer = client.post("/v1/exports", json={"envelopes": list(ENVELOPES)}, headers=read)
    assert answer.status_code == 202, answer.get_data(as_text=True)
    body = answer.get_json()
    assert answer.headers["Location"] == f"/v1/exports/{body['id']}"
    assert (body["tenant"], body["total"]) == ("acme", 3)
    state = wait_done(client, answer.headers["Location"], read)
    assert state["status"] == "done", state
    assert state["done"] == state["total"] == 3
    assert state["download"] == f"/v1/exports/{body['id']}/download"
    with client.get(state["download"], headers=read) as zipped:
        assert zipped.status_code == 200
        assert zipped.mimetype == "application/zip"
        assert zipped.headers["Cache-Control"] == "no-store"
        path = tmp_path / "export.zip"
        path.write_bytes(zipped.data)
    check_zip(path, client, ENVELOPES)
    listed = client.get("/v1/exports", headers=read).get_json()["exports"]
    assert [e["id"] for e in listed] == [body["id"]]
    # the other tenant sees none of it; admins see all
    other = keys.header("other_read")
    assert client.get("/v1/exports", headers=other).get_json() == {"exports": []}
    assert client.get(answer.headers["Location"], headers=other).status_code == 404
    assert client.get(state["download"], headers=other).status_code == 404
    admin = keys.header("admin")
    assert len(client.get("/v1/exports", headers=admin).get_json()["exports"]) == 1
    assert client.get("/v1/exports?tenant=globex", headers=admin).get_json()["exports"] == []
    with client.get(state["download"], headers=admin) as zipped:
        assert zipped.status_code == 200


def test_a_date_range_with_an_admin_key(app: Flask, client: FlaskClient, keys: Keys) -> None:
    seed(client, keys)
    admin = keys.header("admin")
    body = {"from": "2026-11-01", "to": "2026-11-01T12:00:00+08:00"}
    answer = client.post("/v1/exports?tenant=acme", json=body, headers=admin)
    assert answer.status_code == 202, answer.get_data(as_text=True)
    assert answer.get_json()["total"] == 1
    assert wait_done(client, answer.headers["Location"], admin)["status"] == "done"


def test_refusals_record_nothing(app: Flask, client: FlaskClient, keys: Keys) -> None:
    seed(client, keys)
    service, _ = acme(app)
    read = keys.header("read")
    cases: list[tuple[dict[str, str], Any, int, str | None]] = [
        (read, {"envelopes": ["ENV-A", "GLOBEX-1"]}, 404, "envelopes"),  # another tenant's
        (keys.header("other_read"), {"envelopes": ["ENV-A"]}, 404, "envelopes"),
        (read, {"envelopes": []}, 400, "envelopes"),
        (read, {"envelopes": "ENV-A"}, 400, "envelopes"),
        (read, {"envelopes": ["ENV-A"], "from": "2026-11-01"}, 400, "envelopes"),
        (read, {"from": "2026-11-01"}, 400, "to"),
        (read, {"from": "2026-11-31", "to": "2026-12-01"}, 400, "from"),
        (read, {"from": "2026-11-05", "to": "2026-11-01"}, 400, "to"),
        (read, {"from": "2025-01-01", "to": "2025-01-02"}, 400, "from"),  # none began then
        (read, {"envelope": ["ENV-A"]}, 400, "envelope"),
        (read, ["ENV-A"], 400, "$"),
        (keys.header("admin"), {"envelopes": ["ENV-A"]}, 400, "tenant"),
        (keys.header("audit"), {"envelopes": ["ENV-A"]}, 403, None),
        (keys.header("ingest"), {"envelopes": ["ENV-A"]}, 403, None),
        ({}, {"envelopes": ["ENV-A"]}, 401, None),
    ]
    for headers, body, status, field in cases:
        answer = client.post("/v1/exports", json=body, headers=headers)
        assert answer.status_code == status, (body, answer.get_data(as_text=True))
        error = answer.get_json()["error"]
        assert error.get("field") == field, (body, error)
    text = client.post("/v1/exports", data="{}", headers=read | {"Content-Type": "text/plain"})
    assert text.status_code == 415
    assert count_exports(service) == 0
    assert client.get("/v1/exports/exp_00000000000000000000", headers=read).status_code == 404
    assert client.get("/v1/exports/nonsense/download", headers=read).status_code == 404
    assert client.get("/v1/exports?limit=0", headers=read).status_code == 400
