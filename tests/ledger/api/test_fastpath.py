"""``POST /v1/events`` is answered in front of Flask when all goes well
(``ledger.api.fastpath``); whatever it answers, or leaves to Flask, must be what the
Flask view alone answers: the same statuses, headers, error bodies and metrics.

Each request goes twice: through the app as served (fast path first) and through the
Flask app alone (``SingleAppend.flask_wsgi``), on the same database.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.http import parse_options_header
from werkzeug.test import Client, TestResponse

from ledger import appender
from ledger.api.fastpath import SingleAppend, media_type
from tests.conftest import Keys, event
from tests.ledger.helpers import check_receipt, vkeys


def flask_only(app: Flask) -> Client:
    fast = app.wsgi_app
    assert isinstance(fast, SingleAppend)
    return Client(fast.flask_wsgi, TestResponse)


def answer(response: TestResponse) -> tuple[int, str, Any]:
    return response.status_code, response.headers.get("Content-Type", ""), response.get_json()


def metrics(client: FlaskClient) -> dict[str, float]:
    text = client.get("/metrics").get_data(as_text=True)
    return {
        line.rsplit(" ", 1)[0]: float(line.rsplit(" ", 1)[1])
        for line in text.splitlines()
        if line and not line.startswith("#")
    }


BIG = "x" * (1024 * 1024)

# (name, body bytes, headers by key role or raw): each a refusal before the append.
REFUSALS: list[tuple[str, bytes | None, str | None, str]] = [
    ("no key", json.dumps(event(1)).encode(), None, "application/json"),
    ("bad key", json.dumps(event(1)).encode(), "Bearer nope", "application/json"),
    ("read key", json.dumps(event(1)).encode(), "read", "application/json"),
    ("audit key", json.dumps(event(1)).encode(), "audit", "application/json"),
    ("admin key: no tenant", json.dumps(event(1)).encode(), "admin", "application/json"),
    ("text/plain", json.dumps(event(1)).encode(), "ingest", "text/plain"),
    ("no content type", json.dumps(event(1)).encode(), "ingest", ""),
    ("not JSON", b'{"event_id": ', "ingest", "application/json"),
    ("duplicate key", b'{"event_id":"a","event_id":"b"}', "ingest", "application/json"),
    ("not an event", b"[1, 2]", "ingest", "application/json"),
    ("unknown field", json.dumps(event(1, colour="red")).encode(), "ingest", "application/json"),
    ("bad type", json.dumps(event(1, type="x")).encode(), "ingest", "application/json"),
    ("too large", json.dumps(event(1, data={"pad": BIG})).encode(), "ingest", "application/json"),
    # Platform times no platform can have recorded (verifier.plausibility): 400 occurred_at.
    (
        "year 2099",
        json.dumps(event(1, occurred_at="2099-01-01T00:00:00Z")).encode(),
        "ingest",
        "application/json",
    ),
    (
        "year 1",
        json.dumps(event(1, occurred_at="0001-01-01T00:00:00+08:00")).encode(),
        "ingest",
        "application/json",
    ),
    (
        "before 1990",
        json.dumps(event(1, occurred_at="1989-12-31T23:59:59Z")).encode(),
        "ingest",
        "application/json",
    ),
    ("empty body", b"", "ingest", "application/json"),
]
# Content types werkzeug does not read as application/json (request.mimetype), though
# str.strip() would: the fast path must leave them to Flask (415), not append.
NOT_JSON = [
    "application/json\xa0",  # NO-BREAK SPACE, as latin-1 sends it
    "\xa0application/json",
    "application/json\x1c",  # str.strip() takes \x1c-\x1f, \x0b, \x0c, \x85 too
    "\x0capplication/json",
    "application/json\x0b; charset=utf-8",
    "application/json\x85",
    "application/json\x1f",
    "application/json ,",
    "application/json-seq",
    "application/jsonx",
]
REFUSALS += [
    (f"content type {ct!r}", json.dumps(event(1)).encode(), "ingest", ct) for ct in NOT_JSON
]
# Refused by Flask before any view (a control character in a query parameter): the fast
# path must not append them either.
QUERIES = ["x=%00", "tenant=acme%01", "%7f=1"]


def headers(keys: Keys, auth: str | None, content_type: str) -> dict[str, str]:
    out = {"Content-Type": content_type} if content_type else {}
    if auth is None:
        return out
    if auth.startswith("Bearer "):
        return out | {"Authorization": auth}
    return out | keys.header(auth)


@pytest.mark.parametrize(("name", "body", "auth", "content_type"), REFUSALS)
def test_refusals_are_flasks_own(
    app: Flask,
    client: FlaskClient,
    keys: Keys,
    name: str,
    body: bytes,
    auth: str | None,
    content_type: str,
) -> None:
    sent = headers(keys, auth, content_type)
    served = client.post("/v1/events", data=body, headers=sent)
    alone = flask_only(app).post("/v1/events", data=body, headers=sent)
    assert 400 <= served.status_code < 500, name
    assert answer(served) == answer(alone), name
    assert served.headers.get("WWW-Authenticate") == alone.headers.get("WWW-Authenticate")
    assert client.get("/healthz").get_json()["size"] == 0


def test_the_media_type_is_werkzeug_s() -> None:
    """``media_type`` gives request.mimetype's value for every character around, inside
    and after the media type (what a header can carry: latin-1)."""
    for code in range(0x100):
        c = chr(code)
        for sent in (
            f"{c}application/json",
            f"application/json{c}",
            f"application/{c}json",
            f"application/json{c}; charset=utf-8",
            f"application/json;{c}charset=utf-8",
            f"{c}",
            f"{c};",
            f"APPLICATION/JSON{c}",
        ):
            assert media_type(sent) == parse_options_header(sent)[0].lower(), repr(sent)


@pytest.mark.parametrize("query", QUERIES)
def test_query_refusals_are_flasks_own(
    app: Flask, client: FlaskClient, keys: Keys, query: str
) -> None:
    sent = keys.header("ingest")
    served = client.post(f"/v1/events?{query}", json=event(1), headers=sent)
    alone = flask_only(app).post(f"/v1/events?{query}", json=event(1), headers=sent)
    assert served.status_code == 400
    assert answer(served) == answer(alone)
    assert served.get_json()["error"]["code"] == "control_character"
    assert client.get("/healthz").get_json()["size"] == 0


def test_appends_and_repeats_answer_as_the_view_does(
    app: Flask, client: FlaskClient, keys: Keys
) -> None:
    trusted = vkeys(client)
    ingest = keys.header("ingest") | {"Content-Type": "application/json; charset=utf-8"}
    first = client.post("/v1/events", data=json.dumps(event(1)), headers=ingest)
    second = flask_only(app).post("/v1/events", data=json.dumps(event(2)), headers=ingest)
    for response, sent in ((first, event(1)), (second, event(2))):
        assert response.status_code == 201
        assert response.headers["Content-Type"] == "application/json"
        assert int(response.headers["Content-Length"]) == len(response.get_data())
        check_receipt(response.get_json(), sent, trusted)
    assert list(first.get_json()) == list(second.get_json())  # same fields, same order
    # A repeat through either path is the original receipt, byte for byte.
    again = client.post("/v1/events", data=json.dumps(event(2)), headers=ingest)
    again_alone = flask_only(app).post("/v1/events", data=json.dumps(event(1)), headers=ingest)
    assert (again.status_code, again.get_data()) == (200, second.get_data())
    assert (again_alone.status_code, again_alone.get_data()) == (200, first.get_data())


def test_a_conflict_found_by_the_append_is_rendered_as_flask_does(
    app: Flask, client: FlaskClient, keys: Keys
) -> None:
    ingest = keys.header("ingest")
    assert client.post("/v1/events", json=event(1), headers=ingest).status_code == 201
    other = event(1, type="recipient.declined")
    served = client.post("/v1/events", json=other, headers=ingest)
    alone = flask_only(app).post("/v1/events", json=other, headers=ingest)
    assert served.status_code == 409
    assert answer(served) == answer(alone)
    assert client.get("/healthz").get_json()["size"] == 1


def test_the_fast_path_counts_its_requests(client: FlaskClient, keys: Keys) -> None:
    names = (
        'ledger_http_requests_total{method="POST",route="/v1/events",status="201"}',
        'ledger_http_requests_total{method="POST",route="/v1/events",status="200"}',
        "ledger_entries_appended_total",
        "ledger_http_request_seconds_count",
    )
    before = metrics(client)
    for _ in range(2):
        client.post("/v1/events", json=event(7), headers=keys.header("ingest"))
    after = metrics(client)
    # one created, one repeat, one entry; the latency histogram saw both posts and the
    # first GET /metrics (counted once it had answered)
    assert [after.get(n, 0) - before.get(n, 0) for n in names] == [1, 1, 1, 3]


def test_a_fault_in_the_append_is_a_json_500_as_flask_gives(
    app: Flask, client: FlaskClient, keys: Keys, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Outside tests (no exception propagation), a fault is Flask's JSON 500, logged."""
    app.testing = False

    def broken(*_: Any) -> None:
        raise RuntimeError("the disk caught fire")

    monkeypatch.setattr(appender, "enqueue_appended", broken)
    served = client.post("/v1/events", json=event(1), headers=keys.header("ingest"))
    alone = flask_only(app).post("/v1/events", json=event(1), headers=keys.header("ingest"))
    assert served.status_code == 500
    assert answer(served) == answer(alone)
    assert served.get_json()["error"]["code"] == "internal_server_error"
    assert client.get("/healthz").get_json()["size"] == 0
