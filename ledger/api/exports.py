"""Evidence exports over HTTP (``ledger.exports``): many envelopes' certificates,
bundles and a manifest in one ZIP, built in the background.

``POST /v1/exports`` with ``{"envelopes": [ids]}`` or ``{"from": D, "to": D}`` → 202,
the export (status ``queued``) and its ``Location``; ``GET /v1/exports`` (newest
first), ``GET /v1/exports/<id>`` (status and progress, ``done``/``total``) and
``GET /v1/exports/<id>/download`` (the ZIP once ``done``; 409 before).

Read keys export and see their own tenant's; admin keys name the tenant (``?tenant=``)
to create, and see every tenant's (or one, with ``?tenant=``). Audit and ingest keys
cannot: bundles and certificates hold event bodies.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request, send_file

from ledger import access, exports, periods
from ledger.access import Principal
from ledger.api.context import caller, decimal, json_body, ledger, only_args
from ledger.api.envelopes import _tenant
from ledger.api.schemas import API_KEY, AUTH_ERRORS, ERROR, TENANT, json_response
from ledger.errors import InvalidInput

bp = Blueprint("exports", __name__)

LIST_LIMIT = 100


def _created_by(principal: Principal) -> str:
    return f"api key #{principal.key_id} ({principal.role})"


def _seen_tenant(principal: Principal) -> int | None:
    """The tenant whose exports the caller reads: its own, or for admins ``?tenant=``
    (every tenant without it)."""
    if principal.role == "read":
        return principal.own_tenant()[0]
    name = request.args.get("tenant")
    if name is None:
        return None
    with ledger().db.reading() as conn:
        return access.tenant_id(conn, name)


@bp.post("/v1/exports")
def create_export() -> tuple[Response, int, dict[str, str]]:
    principal = caller("read", "admin")
    only_args("tenant")
    body, _ = json_body()
    if not isinstance(body, dict):
        raise InvalidInput(
            'an export is {"envelopes": [...]} or {"from": ..., "to": ...}', field="$"
        )
    for name in body:
        if name not in ("envelopes", "from", "to"):
            raise InvalidInput(f"unknown field {name!r}", field=name, code="unknown_field")
    if "envelopes" in body and ("from" in body or "to" in body):
        raise InvalidInput("give envelopes, or from and to, not both", field="envelopes")
    tenant, service = _tenant(principal), ledger()
    if "envelopes" in body:
        info = exports.create(
            service, tenant, envelopes=body["envelopes"], created_by=_created_by(principal)
        )
    else:
        if "from" not in body or "to" not in body:
            missing = "from" if "from" not in body else "to"
            raise InvalidInput(
                f"{missing} is required (or give envelopes)", field=missing, code="missing_field"
            )
        period = periods.parse(body["from"], body["to"])
        info = exports.create(service, tenant, period=period, created_by=_created_by(principal))
    exports.start(service, info.id)
    location = f"/v1/exports/{info.id}"
    return jsonify(info.to_json()), 202, {"Location": location}


@bp.get("/v1/exports")
def list_exports() -> Response:
    principal = caller("read", "admin")
    only_args("tenant", "limit")
    raw = request.args.get("limit")
    limit = LIST_LIMIT if raw is None else min(decimal(raw, "limit", 1), LIST_LIMIT)
    found = exports.listing(ledger(), _seen_tenant(principal), limit)
    return jsonify({"exports": [info.to_json() for info in found]})


@bp.get("/v1/exports/<export_id>")
def show_export(export_id: str) -> Response:
    principal = caller("read", "admin")
    only_args()
    tenant_id = principal.own_tenant()[0] if principal.role == "read" else None
    return jsonify(exports.get(ledger(), export_id, tenant_id).to_json())


@bp.get("/v1/exports/<export_id>/download")
def download_export(export_id: str) -> Response:
    principal = caller("read", "admin")
    only_args()
    tenant_id = principal.own_tenant()[0] if principal.role == "read" else None
    path = exports.download_path(ledger(), export_id, tenant_id)
    response = send_file(
        path,
        mimetype="application/zip",
        as_attachment=True,
        download_name=f"evidence-export-{export_id}.zip",
        conditional=False,
        etag=False,
    )
    response.headers["Cache-Control"] = "no-store"  # personal data
    return response


# --- OpenAPI --------------------------------------------------------------------------

DAY_OR_TIME = {
    "type": "string",
    "description": "a UTC day YYYY-MM-DD (to: the whole day) or an RFC 3339 time with offset",
    "anyOf": [
        {"pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"},
        {
            "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}"
            "(\\.[0-9]{1,9})?(Z|[+-][0-9]{2}:[0-9]{2})$"
        },
    ],
}
EXPORT = {
    "type": "object",
    "required": ["id", "tenant", "status", "done", "total", "created_at", "selection"],
    "properties": {
        "id": {"type": "string"},
        "tenant": {"type": "string"},
        "status": {"enum": list(exports.STATUSES)},
        "done": {"type": "integer", "minimum": 0, "description": "envelopes written"},
        "total": {"type": "integer", "minimum": 0, "description": "envelopes chosen"},
        "size": {"type": ["integer", "null"], "description": "bytes of the ZIP"},
        "sha256": {"type": ["string", "null"], "description": "of the ZIP"},
        "error": {"type": ["string", "null"]},
        "created_by": {"type": "string"},
        "created_at": {"type": "string"},
        "updated_at": {"type": "string"},
        "finished_at": {"type": ["string", "null"]},
        "selection": {"type": "object"},
        "download": {"type": ["string", "null"]},
    },
}
EXPORT_ID = {
    "name": "export_id",
    "in": "path",
    "required": True,
    "schema": {"type": "string", "pattern": "^exp_[0-9a-f]{20}$"},
}
ENVELOPE_ID_ITEM = {
    "type": "string",
    "minLength": 1,
    "maxLength": 200,
    "pattern": "^[^\\u0000-\\u001f\\u007f]*$",
}


def openapi_paths() -> dict[str, Any]:
    """This blueprint's path items of /openapi.json (ledger.api.openapi)."""
    choice = {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "oneOf": [
                        {
                            "type": "object",
                            "additionalProperties": False,
                            "required": ["envelopes"],
                            "properties": {
                                "envelopes": {
                                    "type": "array",
                                    "minItems": 1,
                                    "maxItems": exports.MAX_ENVELOPES,
                                    "items": ENVELOPE_ID_ITEM,
                                }
                            },
                        },
                        {
                            "type": "object",
                            "additionalProperties": False,
                            "required": ["from", "to"],
                            "properties": {"from": DAY_OR_TIME, "to": DAY_OR_TIME},
                        },
                    ]
                }
            }
        },
    }
    return {
        "/v1/exports": {
            "post": {
                **API_KEY,
                "summary": "Export the evidence of many envelopes as one ZIP, in the background "
                "(read: own tenant; admin: ?tenant=)",
                "description": (
                    "Envelopes by id, or those whose first event's platform time lies in "
                    "[from, to]. The ZIP holds each envelope's certificate (en, zh) and "
                    "evidence bundle, and manifest.csv / manifest.json with every file's "
                    "SHA-256. Poll the Location until status is done, then download."
                ),
                "parameters": [TENANT],
                "requestBody": choice,
                "responses": {
                    "202": {
                        **json_response(EXPORT, "recorded; being built"),
                        "headers": {"Location": {"schema": {"type": "string"}}},
                    },
                    "400": ERROR,
                    "404": ERROR,
                    "413": ERROR,
                    "415": ERROR,
                    **AUTH_ERRORS,
                },
            },
            "get": {
                **API_KEY,
                "summary": "Exports, newest first (read: own tenant; admin: all, or ?tenant=)",
                "parameters": [
                    TENANT,
                    {
                        "name": "limit",
                        "in": "query",
                        "required": False,
                        "schema": {"type": "integer", "minimum": 1, "maximum": 2**63 - 1},
                        "description": f"at most {LIST_LIMIT}",
                    },
                ],
                "responses": {
                    "200": json_response(
                        {
                            "type": "object",
                            "required": ["exports"],
                            "properties": {"exports": {"type": "array", "items": EXPORT}},
                        },
                        "the exports",
                    ),
                    "400": ERROR,
                    "404": ERROR,
                    **AUTH_ERRORS,
                },
            },
        },
        "/v1/exports/{export_id}": {
            "get": {
                **API_KEY,
                "summary": "An export's status and progress (done/total envelopes)",
                "parameters": [EXPORT_ID],
                "responses": {
                    "200": json_response(EXPORT, "the export"),
                    "400": ERROR,
                    "404": ERROR,
                    **AUTH_ERRORS,
                },
            }
        },
        "/v1/exports/{export_id}/download": {
            "get": {
                **API_KEY,
                "summary": "The export's ZIP, once its status is done",
                "parameters": [EXPORT_ID],
                "responses": {
                    "200": {
                        "description": "the ZIP",
                        "content": {
                            "application/zip": {"schema": {"type": "string", "format": "binary"}}
                        },
                    },
                    "400": ERROR,
                    "404": ERROR,
                    "409": ERROR,
                    **AUTH_ERRORS,
                },
            }
        },
    }
