"""The one place where errors become JSON: ``{"error": {"code", "message", "field"}}``."""

from __future__ import annotations

import sqlite3

import psycopg
from flask import Flask, Response, current_app, jsonify
from sqlalchemy.exc import DBAPIError
from werkzeug.exceptions import HTTPException
from werkzeug.http import HTTP_STATUS_CODES

from ledger.errors import LedgerError
from ledger.storage.faults import unavailable


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


def ledger_error_response(e: LedgerError) -> Response:
    response = error_response(e.status, e.code, e.message, e.field)
    if e.retry_after is not None:
        response.headers["Retry-After"] = str(e.retry_after)
    return response


def _fault(e: Exception) -> Response:
    """A database fault the client should retry (``ledger.storage.faults``): 503 and
    Retry-After, logged in one line. Anything else is raised on: Flask's 500."""
    mapped = unavailable(e)
    if mapped is None:
        raise e
    current_app.logger.warning("%s: %s", mapped.code, str(e).splitlines()[0][:300])
    return ledger_error_response(mapped)


def http_error(e: HTTPException) -> Response:
    code = (e.name or "error").lower().replace(" ", "_")
    response = error_response(e.code or 500, code, e.description or e.name)
    if e.code == 405 and e.response is None:
        allowed = getattr(e, "valid_methods", None)
        if allowed:
            response.headers["Allow"] = ", ".join(allowed)
    return response


def init_app(app: Flask) -> None:
    app.register_error_handler(LedgerError, ledger_error_response)
    for fault in (DBAPIError, sqlite3.Error, psycopg.Error, OSError):
        app.register_error_handler(fault, _fault)
    app.register_error_handler(HTTPException, http_error)
