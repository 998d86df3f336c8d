"""The one place where errors become JSON: ``{"error": {"code", "message", "field"}}``."""

from __future__ import annotations

from flask import Flask, Response, jsonify
from werkzeug.exceptions import HTTPException

from ledger.errors import LedgerError


def error_response(status: int, code: str, message: str, field: str | None = None) -> Response:
    body: dict[str, object] = {"code": code, "message": message}
    if field is not None:
        body["field"] = field
    response = jsonify({"error": body})
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="evidence-ledger"'
    return response


def _ledger_error(e: LedgerError) -> Response:
    return error_response(e.status, e.code, e.message, e.field)


def http_error(e: HTTPException) -> Response:
    code = (e.name or "error").lower().replace(" ", "_")
    response = error_response(e.code or 500, code, e.description or e.name)
    if e.code == 405 and e.response is None:
        allowed = getattr(e, "valid_methods", None)
        if allowed:
            response.headers["Allow"] = ", ".join(allowed)
    return response


def init_app(app: Flask) -> None:
    app.register_error_handler(LedgerError, _ledger_error)
    app.register_error_handler(HTTPException, http_error)
