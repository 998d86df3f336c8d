"""``GET /v1/log/leaves?start=&end=``: leaves by range, so auditors can mirror the log."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify
from sqlalchemy import select

from ledger import evidence
from ledger.api.context import caller, int_arg, ledger, only_args
from ledger.api.schemas import API_KEY, AUTH_ERRORS, ERROR, json_response, query_param
from ledger.errors import InvalidInput
from ledger.storage.models import Log

bp = Blueprint("mirror", __name__)


@bp.get("/v1/log/leaves")
def leaves() -> Response:
    principal = caller("read", "audit", "admin")
    only_args("start", "end")
    start, end = int_arg("start"), int_arg("end", 1)
    if end <= start:
        raise InvalidInput(f"end {end} must be greater than start {start}", field="end")
    service = ledger()
    with service.db.reading() as conn:
        size = conn.execute(select(Log.size).where(Log.id == service.log.id)).scalar_one()
        if end > size:
            raise InvalidInput(f"end {end} is beyond the tree size {size}", field="end")
        records = evidence.leaves(conn, service.log.id, start, end, principal)
    for record in records:
        del record["type"]
    return jsonify({"start": start, "end": start + len(records), "size": size, "leaves": records})


def openapi_paths() -> dict[str, Any]:
    """This blueprint's path items of /openapi.json (ledger.api.openapi)."""
    return {
        "/v1/log/leaves": {
            "get": {
                **API_KEY,
                "summary": "Leaves by range, for mirrors and audits (audit, admin; read: "
                "its own tenant's leaves, the others' hashes)",
                "parameters": [query_param("start", 0), query_param("end", 1)],
                "responses": {
                    "200": json_response(
                        {
                            "type": "object",
                            "required": ["start", "end", "size", "leaves"],
                            "properties": {
                                "leaves": {
                                    "type": "array",
                                    "maxItems": 10000,
                                    "items": {
                                        "type": "object",
                                        "required": ["seq", "leaf_hash", "chain"],
                                        "description": "a read key gets leaf only for its "
                                        "own tenant's entries: of the others, the leaf hash "
                                        "and chain value",
                                    },
                                }
                            },
                        },
                        "leaves [start, end), at most 10,000",
                    ),
                    "400": ERROR,
                    **AUTH_ERRORS,
                },
            }
        },
    }
