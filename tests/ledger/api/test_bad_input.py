"""Bad input never reaches the log (docs/design/EVIDENCE-FORMAT.md §1, §7), on SQLite and
PostgreSQL.

One row per rule: the body or header that breaks it, the HTTP status, and the JSON path
the error names. Every case runs against a log that already holds one good event and
checks that it still holds exactly one afterwards.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from typing import Any

import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.conftest import Keys, event

MiB = 1024 * 1024
HEX = "ab" * 32
JSON = {"Content-Type": "application/json"}
BAD_ID = "evt-bad"  # never appended: a case that slips through shows as a new entry


def good(**extra: object) -> dict[str, object]:
    """A valid event that is not in the log yet; ``extra`` overrides or adds fields."""
    return event("bad", **extra)


def without(*names: str) -> dict[str, object]:
    return {k: v for k, v in good().items() if k not in names}


def dump(value: object) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode()


def members(extra: str = "", event_id: str = f'"{BAD_ID}"') -> bytes:
    """An event written by hand, for what ``json.dumps`` cannot write; ``extra`` is spliced in."""
    text = (
        f'{{"event_id": {event_id}, "type": "recipient.signed", '
        f'"occurred_at": "2026-11-22T17:03:04Z", "envelope_id": "env-1"{extra}}}'
    )
    return text.encode()


def padded(length: int) -> bytes:
    """A valid event, led by white space to exactly ``length`` bytes."""
    body = dump(good())
    return b" " * (length - len(body)) + body


def doc(**extra: object) -> dict[str, object]:
    return {"name": "contract.pdf", "sha256": HEX, "size": 1234} | extra


def batch(*events: object) -> bytes:
    return dump({"events": list(events)})


def batch_of(i: int) -> dict[str, object]:
    return event(f"batch-{i}")


@dataclass(frozen=True)
class Bad:
    """A request that must be refused."""

    name: str
    body: bytes
    status: int = 400
    field: str | None = None  # the JSON path named by the error; None: no field
    path: str = "/v1/events"
    role: str | None = "ingest"  # the key sent; None: the ``headers`` below decide
    content_type: str | None = "application/json"
    headers: dict[str, str] = dataclasses.field(default_factory=dict)
    code: str | None = None  # the exact error code, where the rule has its own

    def send(self, client: FlaskClient, keys: Keys) -> TestResponse:
        headers = dict(self.headers)
        if self.role is not None:
            headers |= keys.header(self.role)
        if self.content_type is not None:
            headers["Content-Type"] = self.content_type
        return client.post(self.path, data=self.body, headers=headers)


BATCH = "/v1/events/batch"
_DEEP = '{"a": ' * 64 + "1" + "}" * 64  # 65 levels with the event itself

CASES = [
    # -- not JSON, or not one JSON value ---------------------------------------------
    Bad("not json", b"hello", field="$", code="invalid_json"),
    Bad("empty body", b"", field="$", code="invalid_json"),
    Bad("truncated", b'{"event_id": "evt-bad"', field="event_id", code="invalid_json"),
    Bad("trailing garbage", dump(good()) + b" x", field="$", code="invalid_json"),
    Bad("two documents", dump(good()) + dump(good()), field="$", code="invalid_json"),
    Bad("single quotes", b"{'event_id': 'evt-bad'}", field="$", code="invalid_json"),
    Bad("trailing comma", members(", "), field="$", code="invalid_json"),
    Bad("comment", members() + b" // note", field="$", code="invalid_json"),
    Bad("root is an array", dump([good()]), field="$"),
    Bad("root is null", b"null", field="$"),
    Bad("root is a string", b'"evt-bad"', field="$"),
    # -- bytes and encodings -----------------------------------------------------------
    Bad("byte order mark", b"\xef\xbb\xbf" + dump(good()), field="$", code="invalid_json"),
    Bad(
        "invalid utf-8 byte",
        members().replace(b"evt-bad", b"evt-\xffbad"),
        field="event_id",
        code="invalid_json",
    ),
    Bad(
        "overlong utf-8",
        members().replace(b"evt-bad", b"evt-\xc0\xafbad"),
        field="event_id",
        code="invalid_json",
    ),
    Bad("utf-16 body", json.dumps(good()).encode("utf-16"), field="$", code="invalid_json"),
    Bad("lone surrogate", members(event_id=r'"evt-\ud800"'), field="event_id"),
    Bad(
        "lone low surrogate in actor",
        members(r', "actor": {"name": "\udc00x"}'),
        field="actor.name",
    ),
    Bad(
        "lone surrogate in a data key", members(r', "data": {"\ud83d": 1}'), field='data["\\ud83d"]'
    ),
    # -- numbers I-JSON refuses --------------------------------------------------------
    Bad("NaN", members(', "data": {"x": NaN}'), field="data.x", code="invalid_json"),
    Bad("Infinity", members(', "data": {"x": Infinity}'), field="data.x", code="invalid_json"),
    Bad("-Infinity", members(', "data": {"x": -Infinity}'), field="data.x", code="invalid_json"),
    Bad("float overflow", members(', "data": {"x": 1e400}'), field="data.x", code="invalid_json"),
    Bad(
        "integer beyond 2**53",
        members(', "data": {"n": 9007199254740992}'),
        field="data.n",
        code="invalid_json",
    ),
    Bad(
        "integer below -2**53",
        members(', "data": {"n": [-9007199254740993]}'),
        field="data.n[0]",
        code="invalid_json",
    ),
    Bad("NaN as event_id", members(event_id="NaN"), field="event_id", code="invalid_json"),
    # -- duplicate keys, nesting -------------------------------------------------------
    Bad(
        "duplicate top-level key",
        members(', "event_id": "evt-other"'),
        field="event_id",
        code="invalid_json",
    ),
    Bad(
        "duplicate key in actor",
        members(', "actor": {"name": "a", "name": "b"}'),
        field="actor.name",
        code="invalid_json",
    ),
    Bad(
        "duplicate key deep in data",
        members(', "data": {"a": [{"b": 1, "b": 1}]}'),
        field="data.a[0].b",
        code="invalid_json",
    ),
    Bad("nested too deep", members(f', "data": {_DEEP}'), field="data" + ".a" * 63),
    # -- top-level fields --------------------------------------------------------------
    Bad("unknown field", dump(good(extra=1)), field="extra", code="unknown_field"),
    Bad("field in other case", dump(good(Event_ID="x")), field="Event_ID", code="unknown_field"),
    Bad("missing event_id", dump(without("event_id")), field="event_id", code="missing_field"),
    Bad("missing type", dump(without("type")), field="type", code="missing_field"),
    Bad("missing occurred_at", dump(without("occurred_at")), field="occurred_at"),
    Bad("missing envelope_id", dump(without("envelope_id")), field="envelope_id"),
    Bad("empty object", b"{}", field="event_id", code="missing_field"),
    # -- event_id and envelope_id ------------------------------------------------------
    Bad("event_id number", dump(good(event_id=5)), field="event_id"),
    Bad("event_id null", dump(good(event_id=None)), field="event_id"),
    Bad("event_id list", dump(good(event_id=["a"])), field="event_id"),
    Bad("event_id empty", dump(good(event_id="")), field="event_id"),
    Bad("event_id 201 chars", dump(good(event_id="e" * 201)), field="event_id"),
    Bad("event_id 201 CJK chars", dump(good(event_id="签" * 201)), field="event_id"),
    Bad("event_id with NUL", dump(good(event_id="evt\x00bad")), field="event_id"),
    Bad("event_id with newline", dump(good(event_id="evt\nbad")), field="event_id"),
    Bad("envelope_id 201 chars", dump(good(envelope_id="v" * 201)), field="envelope_id"),
    Bad("envelope_id empty", dump(good(envelope_id="")), field="envelope_id"),
    Bad("envelope_id bool", dump(good(envelope_id=True)), field="envelope_id"),
    Bad("envelope_id object", dump(good(envelope_id={})), field="envelope_id"),
    Bad("envelope_id with NUL", dump(good(envelope_id="env\x00")), field="envelope_id"),
    # -- type --------------------------------------------------------------------------
    Bad("type number", dump(good(type=1)), field="type"),
    Bad("type empty", dump(good(type="")), field="type"),
    Bad("type not in vocabulary", dump(good(type="envelope.signed")), field="type"),
    Bad("type in upper case", dump(good(type="Recipient.Signed")), field="type"),
    Bad("x- type upper case", dump(good(type="x-Acme.thing")), field="type"),
    Bad("x- type without name", dump(good(type="x-acme")), field="type"),
    Bad("x- type without vendor", dump(good(type="x-.thing")), field="type"),
    Bad("x- type ends in dot", dump(good(type="x-acme.")), field="type"),
    Bad("x- type with space", dump(good(type="x-acme.a b")), field="type"),
    Bad("x- type 121 chars", dump(good(type="x-" + "a" * 40 + "." + "b" * 79)), field="type"),
    # -- occurred_at -------------------------------------------------------------------
    Bad("no offset", dump(good(occurred_at="2026-11-22T17:03:04")), field="occurred_at"),
    Bad("date only", dump(good(occurred_at="2026-11-22")), field="occurred_at"),
    Bad("not a date", dump(good(occurred_at="yesterday")), field="occurred_at"),
    Bad("epoch number", dump(good(occurred_at=1795000000)), field="occurred_at"),
    Bad("lower-case t and z", dump(good(occurred_at="2026-11-22t17:03:04z")), field="occurred_at"),
    Bad("space for T", dump(good(occurred_at="2026-11-22 17:03:04Z")), field="occurred_at"),
    Bad("February 30", dump(good(occurred_at="2026-02-30T17:03:04Z")), field="occurred_at"),
    Bad("hour 24", dump(good(occurred_at="2026-11-22T24:00:00Z")), field="occurred_at"),
    Bad("leap second", dump(good(occurred_at="2026-12-31T23:59:60Z")), field="occurred_at"),
    Bad("offset +19:00", dump(good(occurred_at="2026-11-22T17:03:04+19:00")), field="occurred_at"),
    Bad("offset +0800", dump(good(occurred_at="2026-11-22T17:03:04+0800")), field="occurred_at"),
    Bad(
        "ten fraction digits",
        dump(good(occurred_at="2026-11-22T17:03:04.1234567890Z")),
        field="occurred_at",
    ),
    # -- actor -------------------------------------------------------------------------
    Bad("actor string", dump(good(actor="张三")), field="actor"),
    Bad("actor list", dump(good(actor=[{"name": "a"}])), field="actor"),
    Bad("actor null", dump(good(actor=None)), field="actor"),
    Bad("actor unknown field", dump(good(actor={"age": "40"})), field="actor.age"),
    Bad("actor name number", dump(good(actor={"name": 5})), field="actor.name"),
    Bad("actor email null", dump(good(actor={"email": None})), field="actor.email"),
    Bad("actor ip object", dump(good(actor={"ip": {"v4": "1.2.3.4"}})), field="actor.ip"),
    Bad("actor name 2001 chars", dump(good(actor={"name": "n" * 2001})), field="actor.name"),
    Bad(
        "actor user_agent 2001 chars",
        dump(good(actor={"user_agent": "u" * 2001})),
        field="actor.user_agent",
    ),
    # -- documents ---------------------------------------------------------------------
    Bad("documents object", dump(good(documents=doc())), field="documents"),
    Bad("documents string", dump(good(documents="contract.pdf")), field="documents"),
    Bad("document not object", dump(good(documents=[HEX])), field="documents[0]"),
    Bad(
        "document without sha256",
        dump(good(documents=[{"name": "a.pdf", "size": 1}])),
        field="documents[0].sha256",
        code="missing_field",
    ),
    Bad(
        "document without size",
        dump(good(documents=[{"name": "a.pdf", "sha256": HEX}])),
        field="documents[0].size",
    ),
    Bad(
        "document unknown field",
        dump(good(documents=[doc(pages=3)])),
        field="documents[0].pages",
        code="unknown_field",
    ),
    Bad("document name empty", dump(good(documents=[doc(name="")])), field="documents[0].name"),
    Bad(
        "upper-case sha256",
        dump(good(documents=[doc(sha256=HEX.upper())])),
        field="documents[0].sha256",
    ),
    Bad("short sha256", dump(good(documents=[doc(sha256="ab" * 31)])), field="documents[0].sha256"),
    Bad("sha256 number", dump(good(documents=[doc(sha256=1)])), field="documents[0].sha256"),
    Bad(
        "second document bad",
        dump(good(documents=[doc(), doc(sha256="x" * 64)])),
        field="documents[1].sha256",
    ),
    Bad("negative size", dump(good(documents=[doc(size=-1)])), field="documents[0].size"),
    Bad("float size", dump(good(documents=[doc(size=1.5)])), field="documents[0].size"),
    Bad("float size 1e-7", dump(good(documents=[doc(size=1e-7)])), field="documents[0].size"),
    Bad("bool size", dump(good(documents=[doc(size=True)])), field="documents[0].size"),
    Bad("string size", dump(good(documents=[doc(size="1234")])), field="documents[0].size"),
    Bad(
        "size beyond 2**53",
        dump(good(documents=[doc(size=2**53)])),
        field="documents[0].size",
        code="invalid_json",
    ),
    Bad("1001 documents", dump(good(documents=[doc()] * 1001)), field="documents"),
    # -- data --------------------------------------------------------------------------
    Bad("data list", dump(good(data=[1, 2])), field="data"),
    Bad("data string", dump(good(data="x")), field="data"),
    Bad("data null", dump(good(data=None)), field="data"),
    # -- size, media type, keys --------------------------------------------------------
    Bad("body over 1 MiB", dump(good(data={"pad": "x" * MiB})), status=413),
    Bad("body of 1 MiB + 1 byte", padded(MiB + 1), status=413),
    Bad("text/plain", dump(good()), status=415, content_type="text/plain"),
    Bad("no content type", dump(good()), status=415, content_type=None),
    Bad(
        "form content type",
        b"event_id=x",
        status=415,
        content_type="application/x-www-form-urlencoded",
    ),
    Bad("json-like media type", dump(good()), status=415, content_type="application/jsonl"),
    Bad("no key", dump(good()), status=401, role=None),
    Bad("empty bearer", dump(good()), status=401, role=None, headers={"Authorization": "Bearer "}),
    Bad(
        "garbage key",
        dump(good()),
        status=401,
        role=None,
        headers={"Authorization": "Bearer elk_not-a-key"},
    ),
    Bad(
        "basic auth",
        dump(good()),
        status=401,
        role=None,
        headers={"Authorization": "Basic dXNlcjpwYXNz"},
    ),
    Bad("read key", dump(good()), status=403, role="read"),
    Bad("audit key", dump(good()), status=403, role="audit"),
    Bad("admin key", dump(good()), status=403, role="admin"),
    Bad("read key on batch", batch(good()), status=403, role="other_read", path=BATCH),
    Bad("no key on batch", batch(good()), status=401, role=None, path=BATCH),
    Bad("wrong content type on batch", batch(good()), status=415, path=BATCH, content_type=None),
    # -- the same event_id with other content ------------------------------------------
    Bad("event_id reused", dump(event(0, type="recipient.viewed")), status=409, field="event_id"),
    # -- batches -----------------------------------------------------------------------
    Bad("batch is a list", dump([good()]), field="$", path=BATCH),
    Bad("batch is one event", dump(good()), field="$", path=BATCH),
    Bad("batch extra key", dump({"events": [good()], "atomic": True}), field="$", path=BATCH),
    Bad("batch empty object", b"{}", field="$", path=BATCH),
    Bad("batch events object", dump({"events": good()}), field="events", path=BATCH),
    Bad("batch events null", dump({"events": None}), field="events", path=BATCH),
    Bad("batch events empty", batch(), field="events", path=BATCH),
    Bad("batch of 1001", batch(*(batch_of(i) for i in range(1001))), field="events", path=BATCH),
    Bad("batch trailing garbage", batch(good()) + b",", field="$", path=BATCH),
    Bad(
        "one bad event among good",
        batch(batch_of(0), without("type"), batch_of(2)),
        field="events[1].type",
        code="missing_field",
        path=BATCH,
    ),
    Bad(
        "event not an object in batch",
        batch(batch_of(0), batch_of(1), "evt-2"),
        field="events[2]",
        path=BATCH,
    ),
    Bad(
        "nested bad field in batch",
        batch(batch_of(0), good(actor={"name": 5})),
        field="events[1].actor.name",
        path=BATCH,
    ),
    Bad(
        "unknown field in batch",
        batch(good(extra=1), batch_of(1)),
        field="events[0].extra",
        code="unknown_field",
        path=BATCH,
    ),
    Bad(
        "bad document in batch",
        batch(batch_of(0), good(documents=[doc(size=-1)])),
        field="events[1].documents[0].size",
        path=BATCH,
    ),
    Bad(
        "duplicate event_id in batch",
        batch(batch_of(0), batch_of(1), batch_of(0)),
        field="events[2].event_id",
        code="duplicate_event_id",
        path=BATCH,
    ),
    Bad(
        "duplicate key in batch event",
        b'{"events": [' + dump(batch_of(0)) + b", " + members(', "type": "x"') + b"]}",
        field="events[1].type",
        code="invalid_json",
        path=BATCH,
    ),
    Bad(
        "NaN in batch event",
        b'{"events": [' + members(', "data": {"x": NaN}') + b"]}",
        field="events[0].data.x",
        code="invalid_json",
        path=BATCH,
    ),
    Bad(
        "lone surrogate in batch",
        b'{"events": [' + dump(batch_of(0)) + b", " + members(event_id=r'"\udfff"') + b"]}",
        field="events[1].event_id",
        path=BATCH,
    ),
    Bad(
        "batch reuses an event_id with other content",
        batch(batch_of(0), event(0, envelope_id="env-2")),
        status=409,
        field="event_id",
        path=BATCH,
    ),
    Bad(
        "batch over 1 MiB",
        batch(*(batch_of(i) | {"data": {"pad": "x" * 2000}} for i in range(600))),
        status=413,
        path=BATCH,
    ),
]


def size(client: FlaskClient) -> int:
    value: int = client.get("/healthz").get_json()["size"]
    return value


def check_error(response: TestResponse, status: int, field: str | None) -> dict[str, Any]:
    """The response is the JSON error of the contract, with this status and field."""
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) == {"error"}
    error: dict[str, Any] = body["error"]
    assert isinstance(error["code"], str)
    assert error["code"]
    assert isinstance(error["message"], str)
    assert error["message"]
    assert error.get("field") == field, error
    return error


@pytest.fixture
def seeded(client: FlaskClient, keys: Keys) -> FlaskClient:
    """A log holding one good event (``evt-0``)."""
    response = client.post("/v1/events", json=event(0), headers=keys.header("ingest"))
    assert response.status_code == 201
    assert size(client) == 1
    return client


def test_there_is_a_case_for_every_rule() -> None:
    names = [case.name for case in CASES]
    assert len(names) == len(set(names))
    assert len(CASES) >= 40


def test_bad_requests_are_refused_and_append_nothing(
    seeded: FlaskClient, keys: Keys, subtests: pytest.Subtests
) -> None:
    for case in CASES:
        with subtests.test(case.name):
            error = check_error(case.send(seeded, keys), case.status, case.field)
            if case.code is not None:
                assert error["code"] == case.code
            assert size(seeded) == 1
    # Nothing refused was kept aside either: sent properly now, every event is new.
    fresh = seeded.post(
        BATCH, json={"events": [good(), batch_of(0), batch_of(1)]}, headers=keys.header("ingest")
    )
    assert fresh.status_code == 201
    assert [r["seq"] for r in fresh.get_json()["receipts"]] == [1, 2, 3]


def test_unauthorized_says_how_to_authenticate(seeded: FlaskClient) -> None:
    response = seeded.post("/v1/events", json=good())
    check_error(response, 401, None)
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_media_type_parameters_are_accepted(seeded: FlaskClient, keys: Keys) -> None:
    """The refusals above are about the body, not about a charset parameter."""
    response = seeded.post(
        "/v1/events",
        data=dump(good()),
        headers=keys.header("ingest") | {"Content-Type": "application/json; charset=utf-8"},
    )
    assert response.status_code == 201
    assert size(seeded) == 2


QUERY_CASES = [
    # (url, status, field)
    ("/v1/log/proofs/inclusion", 400, "seq"),
    ("/v1/log/proofs/inclusion?size=1", 400, "seq"),
    ("/v1/log/proofs/inclusion?seq=0", 400, "size"),
    ("/v1/log/proofs/inclusion?seq=&size=1", 400, "seq"),
    ("/v1/log/proofs/inclusion?seq=-1&size=1", 400, "seq"),
    ("/v1/log/proofs/inclusion?seq=%2B0&size=1", 400, "seq"),
    ("/v1/log/proofs/inclusion?seq=abc&size=1", 400, "seq"),
    ("/v1/log/proofs/inclusion?seq=0.0&size=1", 400, "seq"),
    ("/v1/log/proofs/inclusion?seq=0x0&size=1", 400, "seq"),
    ("/v1/log/proofs/inclusion?seq=%200&size=1", 400, "seq"),
    ("/v1/log/proofs/inclusion?seq=0&size=01", 400, "size"),
    ("/v1/log/proofs/inclusion?seq=%C2%B2&size=1", 400, "seq"),  # "²" is a digit to isdigit()
    ("/v1/log/proofs/inclusion?seq=%D9%A0&size=1", 400, "seq"),  # Arabic-Indic zero
    ("/v1/log/proofs/inclusion?seq=0&size=0", 400, "size"),
    ("/v1/log/proofs/inclusion?seq=0&size=1&seq=0", 400, "seq"),
    ("/v1/log/proofs/inclusion?seq=0&size=1&index=0", 400, "index"),
    ("/v1/log/proofs/inclusion?seq=0&size=2", 400, "size"),
    ("/v1/log/proofs/inclusion?seq=1&size=1", 400, "seq"),
    ("/v1/log/proofs/inclusion?seq=0&size=9223372036854775808", 400, "size"),
    ("/v1/log/proofs/inclusion?seq=0&size=99999999999999999999999", 400, "size"),
    ("/v1/log/proofs/consistency", 400, "first"),
    ("/v1/log/proofs/consistency?first=1", 400, "second"),
    ("/v1/log/proofs/consistency?second=1", 400, "first"),
    ("/v1/log/proofs/consistency?first=0&second=1", 400, "first"),
    ("/v1/log/proofs/consistency?first=-1&second=1", 400, "first"),
    ("/v1/log/proofs/consistency?first=one&second=1", 400, "first"),
    ("/v1/log/proofs/consistency?first=01&second=1", 400, "first"),
    ("/v1/log/proofs/consistency?first=1&second=1.0", 400, "second"),
    ("/v1/log/proofs/consistency?first=1&second=2", 400, "second"),
    ("/v1/log/proofs/consistency?first=2&second=1", 400, "first"),
    ("/v1/log/proofs/consistency?first=1&second=%C2%B9", 400, "second"),
    ("/v1/log/proofs/consistency?first=1&second=1&second=1", 400, "second"),
    ("/v1/log/proofs/consistency?first=1&second=1&first=1", 400, "first"),
    ("/v1/log/proofs/consistency?first=1&second=1&Second=1", 400, "Second"),
    ("/v1/log/entries/abc", 400, "seq"),
    ("/v1/log/entries/-1", 400, "seq"),
    ("/v1/log/entries/01", 400, "seq"),
    ("/v1/log/entries/1.0", 400, "seq"),
    ("/v1/log/entries/0x0", 400, "seq"),
    ("/v1/log/entries/%C2%B2", 400, "seq"),
    ("/v1/log/entries/%D9%A1", 400, "seq"),
    ("/v1/log/entries/9223372036854775808", 400, "seq"),
    ("/v1/log/entries/99999999999999999999999", 400, "seq"),
    ("/v1/log/entries/", 404, None),
    ("/v1/log/entries", 404, None),
    ("/v1/log/entries/1", 404, None),
    ("/v1/log/entries/9223372036854775807", 404, None),
]


def test_bad_queries_are_refused(
    seeded: FlaskClient, keys: Keys, subtests: pytest.Subtests
) -> None:
    for url, status, field in QUERY_CASES:
        with subtests.test(url):
            check_error(seeded.get(url, headers=keys.header("read")), status, field)
            assert size(seeded) == 1


def test_the_edges_of_the_query_rules_are_accepted(seeded: FlaskClient, keys: Keys) -> None:
    """What the refusals above border on works, so they refuse for the stated reason."""
    read = keys.header("read")
    proof = seeded.get("/v1/log/proofs/inclusion?seq=0&size=1", headers=read)
    assert proof.get_json() == {"seq": 0, "size": 1, "proof": []}
    same = seeded.get("/v1/log/proofs/consistency?first=1&second=1", headers=read)
    assert same.get_json() == {"first": 1, "second": 1, "proof": []}
    assert seeded.get("/v1/log/entries/0", headers=read).get_json()["seq"] == 0


def test_a_whole_number_written_as_a_float_is_a_size(seeded: FlaskClient, keys: Keys) -> None:
    """I-JSON numbers are binary64 and JSON Schema's "integer" includes 1234.0; RFC 8785
    writes it as 1234, so it commits, and reads back, exactly as 1234 does."""
    sent = good(documents=[doc(size=1234.0)])
    response = seeded.post("/v1/events", data=dump(sent), headers=keys.header("ingest") | JSON)
    assert response.status_code == 201
    stored = seeded.get("/v1/log/entries/1", headers=keys.header("read")).get_json()["event"]
    assert stored["documents"][0]["size"] == 1234
    assert isinstance(stored["documents"][0]["size"], int)
    again = seeded.post("/v1/events", json=good(documents=[doc()]), headers=keys.header("ingest"))
    assert again.status_code == 200  # the same event: 1234.0 and 1234 are one number
    assert size(seeded) == 2


def test_a_body_of_exactly_the_limit_is_accepted(seeded: FlaskClient, keys: Keys) -> None:
    response = seeded.post(
        "/v1/events",
        data=padded(MiB),
        headers=keys.header("ingest") | {"Content-Type": "application/json"},
    )
    assert response.status_code == 201
    assert size(seeded) == 2
