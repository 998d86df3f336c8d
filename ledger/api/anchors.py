"""Anchors (docs/design/EVIDENCE-FORMAT.md §5, §7): list them, anchor now, publish the TSA trust
roots."""

from __future__ import annotations

from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from flask import Blueprint, Response, jsonify

from ledger.anchoring.anchor import list_anchors
from ledger.anchoring.setup import trust_roots
from ledger.api.context import caller, ledger
from ledger.api.schemas import API_KEY, AUTH_ERRORS, ERROR, json_response
from ledger.errors import Unavailable

bp = Blueprint("anchors", __name__)


@bp.get("/v1/log/anchors")
def anchors_listing() -> Response:
    caller("read", "audit", "admin")
    service = ledger()
    with service.db.reading() as conn:
        records = list_anchors(conn, service.log.id)
    dev = service.settings.tsa_dev
    return jsonify({"anchors": [r.to_json(dev) for r in records]})


@bp.post("/v1/log/anchors")
def anchor_now() -> tuple[Response, int]:
    caller("admin")
    service = ledger()
    run = service.anchorer.run(force=True)
    if not run.records:
        raise Unavailable("another process is anchoring right now; try again in a moment")
    return jsonify(run.records[0].to_json(service.settings.tsa_dev)), 201 if run.requested else 200


@bp.get("/v1/log/tsa-roots")
def tsa_roots() -> Response:
    pem = b"".join(_pem(root) for root in trust_roots(ledger().settings))
    return Response(pem, mimetype="application/x-pem-file")


def _pem(root: bytes) -> bytes:
    if b"-----BEGIN" in root:
        return root if root.endswith(b"\n") else root + b"\n"
    return x509.load_der_x509_certificate(root).public_bytes(serialization.Encoding.PEM)


def openapi_paths() -> dict[str, Any]:
    """This blueprint's path items of /openapi.json (ledger.api.openapi)."""
    return {
        "/v1/log/anchors": {
            "get": {
                **API_KEY,
                "summary": "RFC 3161 anchors, newest first (read, audit, admin)",
                "responses": {
                    "200": json_response(
                        {
                            "type": "object",
                            "required": ["anchors"],
                            "properties": {
                                "anchors": {
                                    "type": "array",
                                    "items": {"$ref": "#/components/schemas/Anchor"},
                                }
                            },
                        },
                        "anchors",
                    ),
                    **AUTH_ERRORS,
                },
            },
            "post": {
                **API_KEY,
                "summary": "Anchor the newest checkpoint now (admin key)",
                "responses": {
                    "201": json_response({"$ref": "#/components/schemas/Anchor"}, "anchored now"),
                    "200": json_response(
                        {"$ref": "#/components/schemas/Anchor"}, "already anchored"
                    ),
                    "409": ERROR,
                    "502": ERROR,
                    "503": ERROR,
                    **AUTH_ERRORS,
                },
            },
        },
        "/v1/log/tsa-roots": {
            "get": {
                "summary": "The configured TSA trust roots (public)",
                "responses": {
                    "200": {
                        "description": "PEM certificates",
                        "content": {"application/x-pem-file": {"schema": {"type": "string"}}},
                    },
                    "503": ERROR,
                },
            }
        },
    }
