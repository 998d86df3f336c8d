"""``POST /v1/events`` and ``POST /v1/events/batch`` (docs/design/EVIDENCE-FORMAT.md §1, §7)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint, Response, current_app, request

from ledger import clock
from ledger.access import Principal
from ledger.api.context import caller, json_body, ledger
from ledger.api.schemas import API_KEY, AUTH_ERRORS, BATCH_RECEIPTS, ERROR, json_response
from ledger.appender import Source, Submission
from ledger.errors import InvalidInput
from ledger.metrics import APPENDED
from ledger.receipts import Receipt, receipts_json
from ledger.service import Ledger
from verifier.event import EventError, validate_event
from verifier.jcs import canonicalize
from verifier.plausibility import implausible, parse_time

bp = Blueprint("ingest", __name__)


def _submission(value: Any, source: Source, received: datetime, at: str = "") -> Submission:
    try:
        event = validate_event(value)
    except EventError as e:
        if not at:
            raise InvalidInput(e.message, field=e.field, code=e.code) from e
        field = at.rstrip(".") if e.field == "$" else at + e.field
        raise InvalidInput(f"{at.rstrip('.')}: {e.message}", field=field, code=e.code) from e
    refuse_implausible(event, received, at)
    return Submission(event, canonicalize(event), source)


def refuse_implausible(event: dict[str, Any], received: datetime, at: str = "") -> None:
    """400 for an ``occurred_at`` no platform can have recorded (verifier.plausibility:
    before 1990, or over 24 h after ``received``), on every channel; the field named is
    ``occurred_at`` (``events[i].occurred_at`` in a batch)."""
    try:
        reason = implausible(parse_time(event["occurred_at"]), received)
    except OverflowError:  # year 1 or 9999 with an offset: far outside any plausible time
        reason = "occurred_at is outside the range of plausible times"
    if reason is not None:
        raise InvalidInput(at + reason, field=at + "occurred_at", code="implausible_time")


def _append(subs: list[Submission]) -> list[Receipt]:
    return append(ledger(), caller("ingest"), subs)


def append(service: Ledger, principal: Principal, subs: list[Submission]) -> list[Receipt]:
    tenant_id, tenant = principal.own_tenant()
    receipts = service.appender.append(tenant_id, tenant, subs)
    APPENDED.inc(sum(r.created for r in receipts))
    return receipts


def single(value: Any, body: bytes, content_type: str | None) -> Submission:
    """The submission of ``POST /v1/events``: its body's value, the body as received
    (kept, docs/api.md "Request bodies") and its declared content type."""
    source = Source.received("api", "api-key", body, content_type)
    return _submission(value, source, clock.now())


def status(receipts: list[Receipt]) -> int:
    return 201 if any(r.created for r in receipts) else 200


def _json(text: str, status: int) -> tuple[Response, int]:
    """What ``jsonify`` sends for the same value (receipts are written directly)."""
    return current_app.response_class(text + "\n", mimetype="application/json"), status


@bp.post("/v1/events")
def append_event() -> tuple[Response, int]:
    caller("ingest")
    value, _ = json_body()
    receipts = _append([single(value, request.get_data(cache=True), request.content_type)])
    return _json(receipts_json(receipts)[0], status(receipts))


@bp.post("/v1/events/batch")
def append_batch() -> tuple[Response, int]:
    caller("ingest")
    value, _ = json_body()
    received = clock.now()
    if not isinstance(value, dict) or set(value) != {"events"}:
        raise InvalidInput('a batch is {"events": [...]} and nothing else', field="$")
    events = value["events"]
    limit = ledger().settings.batch_max
    if not isinstance(events, list) or not 1 <= len(events) <= limit:
        raise InvalidInput(f"events must be a list of 1 to {limit} events", field="events")
    source = Source.received("api", "api-key", request.get_data(cache=True), request.content_type)
    subs = [_submission(e, source, received, f"events[{i}].") for i, e in enumerate(events)]
    first: dict[str, int] = {}
    for i, sub in enumerate(subs):
        j = first.setdefault(sub.event_id, i)
        if j != i:
            raise InvalidInput(
                f"events[{i}].event_id repeats events[{j}].event_id: a batch is all or nothing",
                field=f"events[{i}].event_id",
                code="duplicate_event_id",
            )
    receipts = _append(subs)
    return _json('{"receipts":[' + ",".join(receipts_json(receipts)) + "]}", status(receipts))


def openapi_paths() -> dict[str, Any]:
    """This blueprint's path items of /openapi.json (ledger.api.openapi)."""
    body = {
        "required": True,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Event"}}},
    }
    batch = {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["events"],
                    "properties": {
                        "events": {
                            "type": "array",
                            "minItems": 1,
                            "maxItems": 1000,
                            "items": {"$ref": "#/components/schemas/Event"},
                        }
                    },
                }
            }
        },
    }
    append_errors = {**AUTH_ERRORS, "400": ERROR, "409": ERROR, "413": ERROR, "415": ERROR}
    return {
        "/v1/events": {
            "post": {
                **API_KEY,
                "summary": "Append one event (ingest key)",
                "requestBody": body,
                "responses": {
                    "201": json_response({"$ref": "#/components/schemas/Receipt"}, "appended"),
                    "200": json_response(
                        {"$ref": "#/components/schemas/Receipt"},
                        "already appended: the original receipt",
                    ),
                    **append_errors,
                },
            }
        },
        "/v1/events/batch": {
            "post": {
                **API_KEY,
                "summary": "Append up to 1,000 events, all or nothing (ingest key)",
                "requestBody": batch,
                "responses": {
                    "201": json_response(BATCH_RECEIPTS, "appended; a receipt per event, in order"),
                    "200": json_response(BATCH_RECEIPTS, "every event was already appended"),
                    **append_errors,
                },
            }
        },
    }
