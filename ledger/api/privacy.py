"""``POST /v1/erasures`` (admin): erase a data subject's or an envelope's personal data
(``ledger.privacy.erasure``; docs/privacy.md). The answer is what the ``x-ledger.erasure``
event records, and its seq. 409 ``held`` while a legal hold stands, 409
``retention_minimum`` before the tenant's minimum retention, 404 when there is nothing."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify

from ledger.api.context import caller, json_body, ledger
from ledger.api.schemas import API_KEY, AUTH_ERRORS, ERROR, json_response
from ledger.errors import InvalidInput
from ledger.privacy.erasure import erase
from ledger.privacy.holds import REASON_MAX, Target

bp = Blueprint("privacy", __name__)
FIELDS = ("tenant", "subject", "envelope", "reason")


def _string(body: dict[str, Any], name: str, *, required: bool = False) -> str | None:
    value = body.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, str):
        raise InvalidInput(f"{name} must be a string", field=name)
    return value


@bp.post("/v1/erasures")
def erasures() -> tuple[Response, int]:
    principal = caller("admin")
    body, _ = json_body()
    if not isinstance(body, dict):
        raise InvalidInput("the body must be a JSON object", field="$")
    for name in body:
        if name not in FIELDS:
            raise InvalidInput(f"unknown field {name}", field=name, code="unknown_field")
    tenant = _string(body, "tenant", required=True)
    service = ledger()
    target = Target.of(service, _string(body, "subject"), _string(body, "envelope"))
    by = f"admin key {principal.key_id}"
    result = erase(service, str(tenant), target, _string(body, "reason", required=True), by)
    return jsonify(result), 201


ERASURE_REQUEST = {
    "type": "object",
    "additionalProperties": False,
    "required": ["tenant", "reason"],
    "properties": {
        "tenant": {"type": "string"},
        "subject": {"type": "string", "description": "an e-mail address or a phone number"},
        "envelope": {"type": "string", "minLength": 1, "maxLength": 200},
        "reason": {"type": "string", "minLength": 1, "maxLength": REASON_MAX},
    },
    "description": "exactly one of subject and envelope",
}
ERASURE = {
    "type": "object",
    "required": ["erased", "reason", "by", "seq", "tenant", "data_keys_destroyed"],
    "properties": {
        "erased": {
            "type": "object",
            "properties": {
                "entries": {"type": "array", "items": {"type": "integer"}},
                "count": {"type": "integer"},
                "deliveries": {"type": "integer"},
            },
        },
        "subject": {"type": "string", "description": "the subject's keyed id (hex)"},
        "envelope_id": {"type": "string"},
        "data_keys_destroyed": {"type": "integer"},
        "tenant_key_version": {"type": "integer"},
        "reason": {"type": "string"},
        "by": {"type": "string"},
        "seq": {"type": "integer", "description": "the x-ledger.erasure event's seq"},
        "tenant": {"type": "string"},
    },
}


def openapi_paths() -> dict[str, Any]:
    """This blueprint's path items of /openapi.json (ledger.api.openapi)."""
    return {
        "/v1/erasures": {
            "post": {
                **API_KEY,
                "summary": "Erase a data subject's or an envelope's personal data (admin)",
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": ERASURE_REQUEST}},
                },
                "responses": {
                    "201": json_response(ERASURE, "erased; the x-ledger.erasure event appended"),
                    "400": ERROR,
                    "404": ERROR,
                    "409": ERROR,
                    "415": ERROR,
                    **AUTH_ERRORS,
                },
            }
        }
    }
