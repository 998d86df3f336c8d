"""Envelopes (docs/design/EVIDENCE-FORMAT.md §6, §7): the timeline and the evidence bundle.

Read keys see their own tenant's envelopes; admin keys name the tenant
(``?tenant=``). Audit keys read leaves and proofs, never bodies, so not these.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Blueprint, Response, jsonify, request

from ledger import access, evidence
from ledger.access import Principal
from ledger.api.context import caller, ledger, only_args
from ledger.api.schemas import API_KEY, AUTH_ERRORS, ENVELOPE_ID, ERROR, TENANT, json_response
from ledger.errors import InvalidInput
from verifier import plausibility

bp = Blueprint("envelopes", __name__)


def _tenant(principal: Principal) -> tuple[int, str]:
    """The tenant whose envelope is asked for: the key's own, or ``?tenant=`` for admins."""
    if principal.role == "read":
        return principal.own_tenant()
    name = request.args.get("tenant")
    if not name:
        raise InvalidInput(
            "an admin key names the tenant: ?tenant=NAME", field="tenant", code="missing_field"
        )
    with ledger().db.reading() as conn:
        return access.tenant_id(conn, name), name


def _envelope_id(envelope_id: str) -> str:
    if not 1 <= len(envelope_id) <= 200:
        raise InvalidInput("envelope_id has 1 to 200 characters", field="envelope_id")
    return envelope_id


@bp.get("/v1/envelopes/<path:envelope_id>/evidence")
def evidence_bundle(envelope_id: str) -> Response:
    principal = caller("read", "admin")
    only_args("tenant", "anchor")
    anchor = request.args.get("anchor")
    if anchor not in (None, "now"):
        raise InvalidInput("anchor takes the value now", field="anchor")
    if anchor == "now":
        caller("admin")
    tenant, service = _tenant(principal), ledger()
    envelope_id = _envelope_id(envelope_id)
    if anchor == "now":
        service.anchorer.run(force=True)
    with service.db.reading() as conn:
        body = service.bundle(conn, tenant, envelope_id)
    response = jsonify(body)
    response.headers["Content-Disposition"] = "attachment; filename=evidence-bundle.json"
    return response


@bp.get("/v1/envelopes/<path:envelope_id>")
def envelope_timeline(envelope_id: str) -> Response:
    principal = caller("read", "admin")
    only_args("tenant")
    tenant, service = _tenant(principal), ledger()
    envelope_id = _envelope_id(envelope_id)
    skew = timedelta(seconds=service.settings.clock_skew)
    with service.db.reading() as conn:
        events = evidence.timeline(
            conn, service.data_keys, service.log.id, tenant[0], envelope_id, skew
        )
    return jsonify({"envelope_id": envelope_id, "tenant": tenant[1], "events": events})


FLAGS = {
    "type": "array",
    "items": {"enum": [plausibility.AFTER_RECEIPT, plausibility.OUT_OF_ORDER]},
    "description": (
        "time plausibility findings (docs/evidence-format.md): platform_time_after_receipt "
        "when occurred_at is more than LEDGER_CLOCK_SKEW after received_at; out_of_order "
        "when the envelope's platform times contradict each other. Shown, never refused."
    ),
}
TIMELINE = {
    "type": "object",
    "required": ["envelope_id", "tenant", "events"],
    "properties": {
        "envelope_id": {"type": "string"},
        "tenant": {"type": "string"},
        "events": {
            "type": "array",
            "items": {
                "type": "object",
                "required": [
                    "seq",
                    "event_id",
                    "type",
                    "occurred_at",
                    "occurred_at_utc",
                    "reported_offset",
                    "received_at",
                    "erased",
                    "flags",
                ],
                "properties": {
                    "seq": {"type": "integer", "minimum": 0},
                    "event_id": {"type": "string"},
                    "type": {"type": "string"},
                    "occurred_at": {"type": "string", "description": "as the platform sent it"},
                    "occurred_at_utc": {"type": "string"},
                    "reported_offset": {"type": "string"},
                    "received_at": {"type": "string", "description": "the ledger's clock"},
                    "actor": {"type": ["object", "null"]},
                    "documents": {"type": ["array", "null"]},
                    "erased": {"type": "boolean"},
                    "flags": FLAGS,
                },
            },
        },
    },
}


def openapi_paths() -> dict[str, Any]:
    """This blueprint's path items of /openapi.json (ledger.api.openapi)."""
    return {
        "/v1/envelopes/{envelope_id}": {
            "get": {
                **API_KEY,
                "summary": "An envelope's timeline (read key: own tenant; admin: ?tenant=)",
                "parameters": [ENVELOPE_ID, TENANT],
                "responses": {
                    "200": json_response(
                        TIMELINE,
                        "events in log order, times in UTC beside the reported offset, and "
                        "each entry's time plausibility flags",
                    ),
                    "400": ERROR,
                    "404": ERROR,
                    **AUTH_ERRORS,
                },
            }
        },
        "/v1/envelopes/{envelope_id}/evidence": {
            "get": {
                **API_KEY,
                "summary": "An envelope's evidence-bundle/1 (read: own tenant; admin: ?tenant=)",
                "parameters": [
                    ENVELOPE_ID,
                    TENANT,
                    {
                        "name": "anchor",
                        "in": "query",
                        "required": False,
                        "schema": {"enum": ["now"]},
                    },
                ],
                "responses": {
                    "200": json_response(
                        {
                            "type": "object",
                            "required": [
                                "format",
                                "status",
                                "log",
                                "checkpoint",
                                "anchors",
                                "entries",
                            ],
                        },
                        "the bundle, verifiable offline with ledger-verify bundle",
                    ),
                    "400": ERROR,
                    "404": ERROR,
                    "502": ERROR,
                    "503": ERROR,
                    **AUTH_ERRORS,
                },
            }
        },
    }
