"""Request bodies kept as received (``ledger.deliveries``, docs/api.md): every body that
appended events can be produced byte for byte by the SHA-256 its leaves record, with
its declared content type, to the tenant's read key and the admin only; written in the
transaction of its events (a refused request keeps nothing) and never twice.
"""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from ledger.api.fastpath import SingleAppend
from ledger.storage.models import DeliveryBody
from tests.conftest import Keys, event
from tests.ledger.adapters.senders import service
from tests.ledger.helpers import run
from verifier.leaf import parse_leaf

# Not how the ledger would write it: spacing, escapes and key order are the client's.
ODD = '{ "type":"recipient.signed", "event_id" : "evt-odd", "envelope_id":"env-1",\n'
ODD += ' "occurred_at":"2026-11-22T17:03:04+08:00", "actor":{"name":"\\u5f20\\u4e09"} }'
BODY = ODD.encode("utf-8")
JSON_UTF8 = "application/json; charset=utf-8"


def delivery_sha256(response: Any) -> str:
    body = response.get_json()
    receipt = body["receipts"][0] if "receipts" in body else body
    sha: str = parse_leaf(base64.b64decode(receipt["leaf"])).source.delivery_sha256
    return sha


def stored(app: Flask) -> int:
    with service(app).db.reading() as conn:
        count: int = conn.execute(select(func.count()).select_from(DeliveryBody)).scalar_one()
    return count


def ingest(keys: Keys, content_type: str = JSON_UTF8) -> dict[str, str]:
    return keys.header("ingest") | {"Content-Type": content_type}


def test_an_api_request_body_is_produced_byte_for_byte(
    app: Flask, client: FlaskClient, keys: Keys
) -> None:
    response = client.post("/v1/events", data=BODY, headers=ingest(keys))
    assert response.status_code == 201
    sha = delivery_sha256(response)
    assert sha == hashlib.sha256(BODY).hexdigest()
    got = client.get(f"/v1/deliveries/{sha}", headers=keys.header("read"))
    assert got.status_code == 200
    assert got.get_data() == BODY
    assert got.headers["Content-Type"] == JSON_UTF8
    assert got.headers["X-Content-Type-Options"] == "nosniff"
    assert got.headers["Content-Disposition"].startswith("attachment")
    assert got.headers["X-Delivery-Channel"] == "api"
    admin = client.get(f"/v1/deliveries/{sha}?tenant=acme", headers=keys.header("admin"))
    assert admin.get_data() == BODY


def test_only_the_tenant_and_the_admin_read_it(client: FlaskClient, keys: Keys) -> None:
    sha = delivery_sha256(client.post("/v1/events", data=BODY, headers=ingest(keys)))
    url = f"/v1/deliveries/{sha}"
    assert client.get(url, headers=keys.header("other_read")).status_code == 404
    assert client.get(url, headers=keys.header("audit")).status_code == 403
    assert client.get(url, headers=keys.header("ingest")).status_code == 403
    assert client.get(url).status_code == 401
    assert client.get(url, headers=keys.header("admin")).status_code == 400  # name the tenant
    upper = f"/v1/deliveries/{sha.upper()}"  # a leaf writes lowercase hex
    assert client.get(upper, headers=keys.header("read")).status_code == 400


def test_both_entrances_keep_the_body(app: Flask, client: FlaskClient, keys: Keys) -> None:
    """The fast path (``SingleAppend``) and the Flask view store the same row."""
    fast = app.wsgi_app
    assert isinstance(fast, SingleAppend)
    flask_only = app.test_client()
    app.wsgi_app = fast.flask_wsgi  # type: ignore[method-assign]
    try:
        other = BODY.replace(b"evt-odd", b"evt-flask")
        assert flask_only.post("/v1/events", data=other, headers=ingest(keys)).status_code == 201
    finally:
        app.wsgi_app = fast  # type: ignore[method-assign]
    assert client.post("/v1/events", data=BODY, headers=ingest(keys)).status_code == 201
    for body in (BODY, other):
        sha = hashlib.sha256(body).hexdigest()
        got = client.get(f"/v1/deliveries/{sha}", headers=keys.header("read"))
        assert (got.get_data(), got.headers["Content-Type"]) == (body, JSON_UTF8)


def test_a_batch_keeps_one_body_and_a_redelivery_none(
    app: Flask, client: FlaskClient, keys: Keys
) -> None:
    batch = json.dumps({"events": [event(i) for i in range(5)]}).encode()
    first = client.post("/v1/events/batch", data=batch, headers=ingest(keys, "application/json"))
    assert first.status_code == 201
    assert {delivery_sha256(first)} == {
        parse_leaf(base64.b64decode(r["leaf"])).source.delivery_sha256
        for r in first.get_json()["receipts"]
    }
    assert stored(app) == 1
    again = client.post("/v1/events/batch", data=batch, headers=ingest(keys, "application/json"))
    assert again.status_code == 200  # the same bytes again: nothing appended, nothing stored
    assert stored(app) == 1
    sha = delivery_sha256(first)
    got = client.get(f"/v1/deliveries/{sha}", headers=keys.header("read"))
    assert (got.get_data(), got.headers["Content-Type"]) == (batch, "application/json")


def test_a_refused_request_keeps_nothing(app: Flask, client: FlaskClient, keys: Keys) -> None:
    """Written in the append's transaction: a conflict or a refusal stores no body."""
    assert client.post("/v1/events", data=BODY, headers=ingest(keys)).status_code == 201
    changed = BODY.replace(b"recipient.signed", b"recipient.declined")
    assert client.post("/v1/events", data=changed, headers=ingest(keys)).status_code == 409
    bad = BODY.replace(b"2026-11-22", b"2099-11-22")
    assert client.post("/v1/events", data=bad, headers=ingest(keys)).status_code == 400
    assert stored(app) == 1
    for body in (changed, bad):
        sha = hashlib.sha256(body).hexdigest()
        assert client.get(f"/v1/deliveries/{sha}", headers=keys.header("read")).status_code == 404


def test_ledger_delivery_show_writes_the_bytes(
    app: Flask, client: FlaskClient, keys: Keys, tmp_path: Path
) -> None:
    sha = delivery_sha256(client.post("/v1/events", data=BODY, headers=ingest(keys)))
    out = tmp_path / "original.json"
    code, printed = run(app, "delivery", "show", sha, "--tenant", "acme", "-o", str(out))
    assert code == 0, printed
    assert out.read_bytes() == BODY
    assert f"{len(BODY)} bytes, {JSON_UTF8}, by api" in printed
    code, printed = run(app, "delivery", "show", sha, "--tenant", "globex", "-o", str(out))
    assert code == 1
    assert "no delivery" in printed
