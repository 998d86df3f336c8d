"""Operations: ``/healthz``, ``/metrics`` (Prometheus text) and ``/openapi.json``."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from ledger.api.context import ledger
from ledger.api.openapi import spec
from ledger.errors import LedgerError
from ledger.metrics import exposition
from ledger.storage.models import Log

bp = Blueprint("ops", __name__)


def _state() -> dict[str, Any]:
    service = ledger()
    with service.db.reading() as conn:
        size = conn.execute(select(Log.size).where(Log.id == service.log.id)).scalar_one()
        signers = service.keys.signers(conn)
    return {"log": service.log.origin, "size": int(size), "signing_keys": len(signers)}


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
