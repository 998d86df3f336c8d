"""``GET /v1/deliveries/<sha256>``: a request body exactly as the ledger received it
(``ledger.deliveries``; docs/api.md, "Request bodies as received").

Read keys get their own tenant's, admin keys name the tenant (``?tenant=``); audit keys
never see bodies. The answer is the bytes with the content type their sender declared
(else ``application/octet-stream``), as an attachment that browsers do not sniff.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response

from ledger.api.context import caller, ledger, only_args
from ledger.api.envelopes import _tenant
from ledger.api.schemas import API_KEY, AUTH_ERRORS, ERROR, HEX32, TENANT
from ledger.deliveries import read_body

bp = Blueprint("deliveries", __name__)


@bp.get("/v1/deliveries/<sha256>")
def delivery_body(sha256: str) -> Response:
    principal = caller("read", "admin")
    only_args("tenant")
    tenant_id, _ = _tenant(principal)
    service = ledger()
    with service.db.reading() as conn:
        stored = read_body(conn, service.data_keys, tenant_id, sha256)
    response = Response(stored.body, content_type=stored.content_type)
    response.headers["Content-Disposition"] = f"attachment; filename=delivery-{sha256[:16]}"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Delivery-Channel"] = stored.channel
    response.headers["X-Delivery-Received-At"] = stored.received_at
    return response


def openapi_paths() -> dict[str, Any]:
    """This blueprint's path items of /openapi.json (ledger.api.openapi)."""
    return {
        "/v1/deliveries/{sha256}": {
            "get": {
                **API_KEY,
                "summary": "A request body as received (read: own tenant; admin: ?tenant=)",
                "description": (
                    "The body of a platform's webhook delivery or of an API request that "
                    "appended events, byte for byte, named by the SHA-256 its leaves record "
                    "in source.delivery_sha256. Holds personal data."
                ),
                "parameters": [
                    {"name": "sha256", "in": "path", "required": True, "schema": HEX32},
                    TENANT,
                ],
                "responses": {
                    "200": {
                        "description": "the bytes, with the content type their sender declared",
                        "headers": {
                            "X-Delivery-Channel": {"schema": {"type": "string"}},
                            "X-Delivery-Received-At": {"schema": {"type": "string"}},
                        },
                        "content": {"*/*": {"schema": {"type": "string", "format": "binary"}}},
                    },
                    "400": ERROR,
                    "404": ERROR,
                    **AUTH_ERRORS,
                },
            }
        }
    }
