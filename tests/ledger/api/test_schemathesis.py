"""The API does what its own ``/openapi.json`` says: schemathesis against the real app.

Cases are generated from the description the service publishes, in positive mode (data
the description allows) and negative mode (data it forbids: wrong types, missing or
malformed keys, unknown parameters...). For every case:

- no 5xx, and the response is documented: status code, content type, body schema;
- negative data is refused with a 4xx and appends nothing;
- positive data gets exactly the answer the log's state calls for (an event is appended
  or already there, an entry exists or is 404, a proof is in range or is 400);
- the tree grows by exactly the receipts a 201 hands out, and by nothing otherwise.

SQLite runs at least 500 cases, PostgreSQL at least 150 (about 650 and 220, in some 25 s
together on a developer machine; run with ``-s`` to see the counts).
"""

from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
import schemathesis
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from schemathesis import Case, GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.parameters import ParameterLocation
from schemathesis.core.result import Ok
from schemathesis.core.transport import Response
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from config.settings import Settings
from ledger.anchoring.devtsa import DevTSA
from ledger.app import create_app
from tests.conftest import Keys, event
from verifier.event import ID_MAX
from verifier.plausibility import implausible, parse_time

AnyCase = Case[Any]
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
SEEDED = 12  # events in the log before fuzzing: entries and proofs have something to show

# Examples per operation on SQLite (PostgreSQL runs a third): positive; negative bodies and
# parameters sent with a good key; negative keys (missing or malformed Authorization).
EXAMPLES: dict[tuple[str, str], tuple[int, int, int]] = {
    ("POST", "/v1/events"): (100, 90, 15),
    ("POST", "/v1/events/batch"): (50, 60, 10),
    ("GET", "/v1/log/checkpoint"): (10, 0, 20),
    ("GET", "/v1/log/entries/{seq}"): (45, 45, 10),
    ("GET", "/v1/log/proofs/inclusion"): (45, 45, 10),
    ("GET", "/v1/log/proofs/consistency"): (45, 45, 10),
    ("GET", "/v1/log/anchors"): (10, 0, 10),
    ("GET", "/v1/log/leaves"): (30, 30, 10),
    ("GET", "/v1/envelopes/{envelope_id}"): (20, 20, 10),
    ("GET", "/v1/envelopes/{envelope_id}/evidence"): (10, 10, 5),
    ("GET", "/v1/envelopes/{envelope_id}/certificate.pdf"): (10, 10, 5),
    ("GET", "/v1/deliveries/{sha256}"): (10, 10, 5),
    # Exports: positive choices name envelopes the seeded log lacks (404) or ranges
    # where none began (400), or create an export built in the background (202).
    ("POST", "/v1/exports"): (10, 10, 5),
    # Only optional query parameters: schemathesis' negative cases may be an empty list
    # under an empty name, which sends nothing (a valid request); the bad values are
    # tested in test_exports_api.py and test_analytics_api.py.
    ("GET", "/v1/exports"): (10, 0, 5),
    ("GET", "/v1/exports/{export_id}"): (5, 5, 5),
    ("GET", "/v1/exports/{export_id}/download"): (5, 5, 5),
    ("GET", "/v1/analytics"): (20, 0, 5),
    ("POST", "/v1/log/anchors"): (5, 0, 10),
    # Erasure (admin): generated tenants and subjects name no data (404), a subject that
    # is no address (400); an erasure that happens appends its x-ledger.erasure event.
    ("POST", "/v1/erasures"): (10, 10, 5),
    # Platforms' webhooks: no API key to negate (each platform's own scheme).
    ("POST", "/v1/hooks/{platform}/{hook_id}"): (15, 15, 0),
    ("GET", "/v1/hooks/{platform}/{hook_id}"): (5, 5, 0),
    # The public verification page and its JSON twin: no key; rate limited (429).
    ("GET", "/verify/{certificate_id}"): (10, 5, 0),
    ("POST", "/verify"): (5, 0, 0),
    ("POST", "/v1/verify"): (5, 0, 0),
}
# Operations without parameters or keys: a handful of identical calls.
CONSTANT = dict.fromkeys(
    [
        ("GET", "/v1/log/key"),
        ("GET", "/healthz"),
        ("GET", "/metrics"),
        ("GET", "/v1/log/tsa-roots"),
        ("GET", "/verify"),
    ],
    (5, 0, 0),
)
MINIMUM = {"sqlite": 500, "postgresql": 150}
SCALE = {"sqlite": 1.0, "postgresql": 0.34}


@dataclass
class Tally:
    cases: Counter[str] = field(default_factory=Counter)  # by mode
    statuses: Counter[int] = field(default_factory=Counter)
    appended: int = 0


CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def tree_size(client: FlaskClient) -> int:
    value: int = client.get("/healthz").get_json()["size"]
    return value


def is_negative(case: AnyCase, location: ParameterLocation | None = None) -> bool:
    meta = case.meta
    if meta is None:
        return False
    if location is None:
        return meta.generation.mode.is_negative
    component = meta.components.get(location)
    return component is not None and component.mode.is_negative


def unique_event_ids(case: AnyCase) -> None:
    """Positive batches with unique event_ids (JSON Schema cannot say "unique by field")."""
    body: Any = case.body
    events: list[dict[str, str]] = body["events"]
    seen: set[str] = set()
    for i, item in enumerate(events):
        event_id, n = item["event_id"], i
        while event_id in seen:
            suffix = f"~{n}"
            event_id = item["event_id"][: ID_MAX - len(suffix)] + suffix
            n += len(events)
        item["event_id"] = event_id
        seen.add(event_id)


def implausible_event(case: AnyCase) -> bool:
    """A posted event whose occurred_at the description allows by its form but the
    ledger refuses by its time (more than 24 h after now, or before 1990 in UTC)."""
    body: Any = case.body
    events = body.get("events", [body]) if isinstance(body, dict) else []
    now = datetime.now(UTC)
    return any(implausible(parse_time(e["occurred_at"]), now) for e in events)


def expected_positive(case: AnyCase, size: int) -> set[int]:
    """What data the description allows must get, given a log of ``size`` entries."""
    query, label = case.query or {}, f"{case.method} {case.path}"
    if case.path == "/v1/log/leaves":
        return {200 if query["start"] < query["end"] <= size else 400}
    if case.path.startswith("/v1/envelopes/"):
        # Most generated ids name no envelope (404); anchor=now needs an admin key (403).
        return {200, 403, 404}
    if label == "POST /v1/exports":
        return {202, 400, 404}  # recorded; no envelope began in the range; unknown envelope
    if label == "GET /v1/analytics":
        # Figures; a range the pattern allows but the calendar does not, or from >= to
        # (400); another tenant named with a read key (403).
        return {200, 400, 403}
    if case.path.startswith("/v1/exports/"):
        return {404}  # generated ids name no export
    if case.path == "/verify/{certificate_id}":
        return {404}  # generated ids name no certificate of this log
    if case.path in ("/verify", "/v1/verify") and case.method == "POST":
        # checked (a report, valid or not), no file, or the address's burst spent
        return {200, 400, 429}
    if case.path.startswith("/v1/hooks/"):
        return {404}  # this log has no hooks: every generated hook id is unknown
    if case.path == "/v1/deliveries/{sha256}":
        return {404}  # generated hashes name no body the seeded requests sent
    if label == "POST /v1/erasures":
        # erased; not an e-mail address or phone number, or both a subject and an
        # envelope (400); no such tenant or nothing to erase (404); held or too early (409)
        return {201, 400, 404, 409}
    if label == "POST /v1/log/anchors":
        return {200, 201}  # anchored now, or already anchored at this size
    if case.method == "POST" and implausible_event(case):
        return {400}  # a platform time the ledger refuses (verifier.plausibility)
    if case.method == "POST":
        return {200, 201, 409}  # new, already there, or the same event_id with other content
    if case.path == "/v1/log/entries/{seq}":
        return {200 if case.path_parameters["seq"] < size else 404}
    if case.path == "/v1/log/proofs/inclusion":
        ok = query["size"] <= size and query["seq"] < query["size"]
        return {200 if ok else 400}
    if case.path == "/v1/log/proofs/consistency":
        ok = query["second"] <= size and query["first"] <= query["second"]
        return {200 if ok else 400}
    known = (
        "/v1/log/checkpoint",
        "/v1/log/key",
        "/v1/log/anchors",
        "/v1/log/tsa-roots",
        "/v1/exports",
    )
    assert case.path in (*known, "/healthz", "/metrics", "/verify"), label
    return {200}


def has_control_character(case: AnyCase) -> bool:
    """A control character in a path or query parameter (a name or a value)."""
    # Path parameters come percent-encoded (as they will be sent), query ones as they are.
    texts = [unquote(str(v)) for v in (case.path_parameters or {}).values()]
    for name, value in (case.query or {}).items():
        values = value if isinstance(value, list) else [value]
        if values:  # an empty list sends nothing
            texts += [str(name), *(str(v) for v in values)]
    return any(CONTROL.search(text) for text in texts)


def check_case(case: AnyCase, response: Response, before: int, after: int) -> None:
    status = response.status_code
    if has_control_character(case) and status == 400:
        # Refused before anything else, the key included (ledger.api.context).
        assert response.json()["error"]["code"] == "control_character"
        assert after == before, "a refused request appended"
        return
    if is_negative(case):
        assert 400 <= status < 500, f"negative case answered {status}"
        # Platforms' webhooks take no API key: a negated header is just another bad input.
        # A path the router cannot match (an envelope id with a newline) is 404 before any
        # key is looked at.
        keyed = not case.path.startswith("/v1/hooks/")
        routed = not (is_negative(case, ParameterLocation.PATH) and status == 404)
        if is_negative(case, ParameterLocation.HEADER) and keyed and routed:
            assert status == 401, "a missing or malformed key is 401"
        assert after == before, "a refused request appended"
        return
    assert status in expected_positive(case, before), f"positive case answered {status}"
    if status == 201 and case.path == "/v1/log/anchors":
        assert response.json()["size"] == before
        assert after == before, "anchoring appended"
    elif status == 201:
        body = response.json()
        receipts = body.get("receipts", [body])
        fresh = [r for r in receipts if r["seq"] >= before]
        assert [r["seq"] for r in fresh] == list(range(before, after))
    else:
        assert after == before, f"{status} appended"


def fuzz(app: Flask, keys: Keys, scale: float) -> Tally:
    client = app.test_client()
    for i in range(SEEDED):
        seeded = client.post("/v1/events", json=event(i), headers=keys.header("ingest"))
        assert seeded.status_code == 201
    assert tree_size(client) == SEEDED
    schema = schemathesis.openapi.from_wsgi("/openapi.json", app)
    tally = Tally()
    for result in schema.get_all_operations():
        assert isinstance(result, Ok), result
        operation = result.ok()
        label = (operation.method.upper(), operation.path)
        if label not in EXAMPLES | CONSTANT:
            pytest.fail(f"{label} is new: add it to EXAMPLES and to expected_positive()")
        positive, negative, unauthorized = (EXAMPLES | CONSTANT)[label]
        key = {
            ("POST", "/v1/log/anchors"): keys.admin,
            ("POST", "/v1/erasures"): keys.admin,
            ("POST", "/v1/exports"): keys.read,
        }.get(label) or (keys.ingest if label[0] == "POST" else keys.read)
        auth = {"Authorization": f"Bearer {key}"}
        runs = [
            (operation.as_strategy(GenerationMode.POSITIVE, headers=auth), positive),
            # Bad bodies and parameters with a good key, so that they reach validation...
            (operation.as_strategy(GenerationMode.NEGATIVE, headers=auth), negative),
            # ...and missing or malformed keys (schemathesis negates the security scheme).
            (operation.as_strategy(GenerationMode.NEGATIVE), unauthorized),
        ]
        for strategy, count in runs:
            if count:
                run_operation(client, strategy, key, max(3, round(count * scale)), tally)
    return tally


def run_operation(
    client: FlaskClient, strategy: Any, key: str, examples: int, tally: Tally
) -> None:
    @hypothesis_settings(
        max_examples=examples,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate, Phase.shrink],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def run(case: AnyCase) -> None:
        if not is_negative(case, ParameterLocation.HEADER):
            case.headers["Authorization"] = f"Bearer {key}"
        if not is_negative(case) and case.path == "/v1/events/batch":
            unique_event_ids(case)
        before = tree_size(client)
        response = case.call()
        after = tree_size(client)
        mode = "negative" if is_negative(case) else "positive"
        tally.cases[mode] += 1
        tally.statuses[response.status_code] += 1
        tally.appended += after - before
        checks: list[Callable[..., Any]] = [*CHECKS]
        if mode == "negative":
            checks.append(negative_data_rejection)
        try:
            case.validate_response(response, checks=checks)
        except BaseExceptionGroup as failures:  # schemathesis' FailureGroup
            raise AssertionError(str(failures)) from None
        check_case(case, response, before, after)

    run()


@pytest.fixture
def app(settings: Settings, tmp_path: Path) -> Iterator[Flask]:
    """The app with a real (development) TSA, so that "anchor now" really anchors."""
    with DevTSA.create(tmp_path / "tsa") as tsa:
        configured = settings.replace(
            tsa_urls=(tsa.url,), tsa_trust_roots=(tsa.root_pem,), tsa_dev=True
        )
        app = create_app(configured)
        app.config["TESTING"] = True
        yield app
        app.extensions["ledger"].close()


@pytest.fixture
def backend(db_url: str) -> str:
    return "sqlite" if db_url.startswith("sqlite") else "postgresql"


def test_the_api_does_what_its_description_says(app: Flask, keys: Keys, backend: str) -> None:
    started = time.monotonic()
    tally = fuzz(app, keys, SCALE[backend])
    elapsed = time.monotonic() - started
    total = sum(tally.cases.values())
    print(
        f"\n{backend}: {total} cases in {elapsed:.1f}s: {dict(tally.cases)} {dict(tally.statuses)}"
    )
    assert total >= MINIMUM[backend]
    # Both modes ran and reached the service's logic, not only its front door.
    assert tally.cases["positive"] >= total // 3
    assert tally.cases["negative"] >= total // 3
    assert tally.statuses[201] > 0
    assert tally.statuses[400] > 0
    assert tally.statuses[401] > 0
    client = app.test_client()
    assert tree_size(client) == SEEDED + tally.appended
