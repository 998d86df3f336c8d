"""The one place where errors become JSON: ``{"error": {"code", "message", "field"}}``."""

from __future__ import annotations

from flask import Flask, Response, jsonify
from werkzeug.exceptions import HTTPException
from werkzeug.http import HTTP_STATUS_CODES

from ledger.errors import LedgerError


def error_document(code: str, message: str, field: str | None = None) -> dict[str, object]:
    """The body of every refusal, the app's and the HTTP server's (``ledger/serving.py``)."""
    body: dict[str, object] = {"code": code, "message": message}
    if field is not None:
        body["field"] = field
    return {"error": body}


def status_code_name(status: int) -> str:
    """The ``code`` of a refusal that has no code of its own: its reason phrase, in snake case."""
    return HTTP_STATUS_CODES.get(status, "error").lower().replace(" ", "_")


def error_response(status: int, code: str, message: str, field: str | None = None) -> Response:
    response = jsonify(error_document(code, message, field))
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
