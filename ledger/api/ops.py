"""Operations: ``/healthz``, ``/metrics`` (Prometheus text) and ``/openapi.json``."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify
from sqlalchemy import Connection, select
from sqlalchemy.exc import SQLAlchemyError

from ledger.api.context import ledger
from ledger.api.openapi import spec
from ledger.api.schemas import json_response
from ledger.clock import aware
from ledger.errors import LedgerError
from ledger.metrics import exposition
from ledger.storage.models import Anchor, AnchorAttempt, Log

bp = Blueprint("ops", __name__)


def _state() -> dict[str, Any]:
    service = ledger()
    with service.db.reading() as conn:
        size = conn.execute(select(Log.size).where(Log.id == service.log.id)).scalar_one()
        signers = service.keys.signers(conn)
        anchoring = _anchoring(conn, service.log.id)
    state = {"log": service.log.origin, "size": int(size), "signing_keys": len(signers)}
    # Development only: webhooks may reach loopback and internal addresses (docs/security.md).
    private = "allowed" if service.settings.outbound_allow_private else "refused"
    return state | {
        "anchoring": anchoring | {"development_tsa": service.settings.tsa_dev},
        "outbound": {"private_addresses": private},
    }


def _anchoring(conn: Connection, log_id: int) -> dict[str, Any]:
    """The newest anchor and the newest failed TSA attempt, with its reason."""
    anchored = conn.execute(
        select(Anchor.size, Anchor.tsa, Anchor.gen_time)
        .where(Anchor.log_id == log_id)
        .order_by(Anchor.id.desc())
        .limit(1)
    ).first()
    failed = conn.execute(
        select(
            AnchorAttempt.tsa, AnchorAttempt.reason, AnchorAttempt.created_at, AnchorAttempt.size
        )
        .where(AnchorAttempt.log_id == log_id, AnchorAttempt.ok.is_(False))
        .order_by(AnchorAttempt.id.desc())
        .limit(1)
    ).first()
    return {
        "last_anchor": anchored
        and {
            "size": anchored.size,
            "tsa": anchored.tsa,
            "gen_time": aware(anchored.gen_time).isoformat(),
        },
        "last_failure": failed
        and {
            "tsa": failed.tsa,
            "reason": failed.reason,
            "size": failed.size,
            "at": aware(failed.created_at).isoformat(),
        },
    }


@bp.get("/healthz")
def healthz() -> tuple[Response, int]:
    try:
        state = _state()
    except (LedgerError, SQLAlchemyError) as e:
        message = getattr(e, "message", None) or type(e).__name__
        return jsonify({"status": "unavailable", "reason": message}), 503
    return jsonify({"status": "ok", **state}), 200


@bp.get("/metrics")
def metrics() -> Response:
    try:
        size = float(_state()["size"])
    except (LedgerError, SQLAlchemyError):
        size = float("nan")
    gauges = {"ledger_tree_size": ("Entries in the log", size)}
    return Response(exposition(gauges), mimetype="text/plain; version=0.0.4")


@bp.get("/openapi.json")
def openapi() -> Response:
    return jsonify(spec())


def openapi_paths() -> dict[str, Any]:
    """This blueprint's path items of /openapi.json (ledger.api.openapi)."""
    return {
        "/healthz": {
            "get": {
                "summary": "Health",
                "responses": {
                    "200": json_response({"type": "object"}, "ok"),
                    "503": json_response({"type": "object"}, "unavailable"),
                },
            }
        },
        "/metrics": {
            "get": {
                "summary": "Prometheus metrics",
                "responses": {
                    "200": {
                        "description": "Prometheus text",
                        "content": {"text/plain": {"schema": {"type": "string"}}},
                    }
                },
            }
        },
        "/openapi.json": {
            "get": {
                "summary": "This document",
                "responses": {"200": json_response({"type": "object"}, "OpenAPI 3.1")},
            }
        },
    }
