"""``POST /v1/events`` answered without Flask's request machinery, when all goes well.

A signing platform's single-event append is the service's hottest request, and Flask's
request context, routing and response objects cost about as much CPU as the append's own
validation and signing (see docs/architecture.md, "Single appends"). This WSGI layer in
front of the Flask app answers that one request itself when it is well-formed: a JSON
body of a declared length within the limit, a valid ingest key of a tenant, a valid event.
Everything else goes to Flask unchanged, with the body given back: any refusal before the
append (401, 403, 413, 415, 400 ...) is Flask's answer, word for word, since Flask runs
the same checks again on the same bytes. The append and the receipt are the view's own
functions (``ledger.api.ingest``); what the append refuses (409, 503) is rendered by the
one error handler of ``ledger.api.errors``. Both paths count the same metrics.
"""

from __future__ import annotations

import io
import time
from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask
from werkzeug.exceptions import InternalServerError

from ledger.access import authenticate_cached
from ledger.api import errors, ingest
from ledger.errors import LedgerError
from ledger.metrics import answered
from ledger.receipts import receipts_json
from ledger.service import Ledger
from ledger.storage.faults import unavailable
from verifier.ijson import parse_json

PATH = "/v1/events"
WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
_STATUS = {201: "201 CREATED", 200: "200 OK"}


def media_type(content_type: str) -> str:
    """The media type exactly as werkzeug reads it (``request.mimetype``, from
    ``werkzeug.http.parse_options_header``): before the first ``;``, only spaces and tabs
    stripped, lowercased. ``str.strip()`` would also take "application/json\xa0" or
    "\x1capplication/json", which Flask refuses (415). About a tenth of the cost of calling
    werkzeug's parser, which also parses the parameters; tests compare the two."""
    return content_type.partition(";")[0].strip(" \t").lower()


class SingleAppend:
    def __init__(self, app: Flask, flask_wsgi: WSGIApp) -> None:
        self.app, self.flask_wsgi = app, flask_wsgi
        self.service: Ledger = app.extensions["ledger"]
        self.limit = self.service.settings.max_body_bytes

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        if (
            environ.get("PATH_INFO") != PATH
            or environ.get("REQUEST_METHOD") != "POST"
            or environ.get("QUERY_STRING")  # Flask checks query parameters
        ):
            return self.flask_wsgi(environ, start_response)
        started = time.perf_counter()
        body = self._body(environ)
        if body is None:
            return self.flask_wsgi(environ, start_response)
        try:
            principal = authenticate_cached(self.service.db, environ.get("HTTP_AUTHORIZATION"))
            principal.require("ingest")
            principal.own_tenant()
            sub = ingest.single(parse_json(body), body, environ.get("CONTENT_TYPE"))
        except Exception:  # a refusal (or a fault): Flask's to answer, in its own words
            environ["wsgi.input"] = io.BytesIO(body)
            return self.flask_wsgi(environ, start_response)
        try:
            receipts = ingest.append(self.service, principal, [sub])
        except Exception as e:  # after the lock was asked for: never run twice
            return self._error(e, environ, start_response, started)
        status = ingest.status(receipts)
        out = (receipts_json(receipts)[0] + "\n").encode("ascii")
        start_response(
            _STATUS[status],
            [("Content-Type", "application/json"), ("Content-Length", str(len(out)))],
        )
        answered("POST", status, started, PATH)
        return [out]

    def _body(self, environ: dict[str, Any]) -> bytes | None:
        """The body, if it is JSON of a declared length within the limit; else None (and
        the body is left unread for Flask)."""
        mimetype = media_type(environ.get("CONTENT_TYPE", ""))
        length = environ.get("CONTENT_LENGTH", "")
        if mimetype != "application/json" or not length.isascii() or not length.isdigit():
            return None
        size = int(length)
        if size > self.limit:
            return None
        body: bytes = environ["wsgi.input"].read(size)
        if len(body) != size:  # the client went away: Flask says so
            environ["wsgi.input"] = io.BytesIO(body)
            return None
        return body

    def _error(
        self, e: Exception, environ: dict[str, Any], start_response: Callable[..., Any], at: float
    ) -> Any:
        fault = unavailable(e)
        if fault is not None:  # as errors._fault: a 503 to retry, one line in the log
            self.app.logger.warning("%s: %s", fault.code, str(e).splitlines()[0][:300])
            e = fault
        if not isinstance(e, LedgerError):
            # As Flask.handle_exception: raised for the test client or debugger, else 500.
            propagate = self.app.config["PROPAGATE_EXCEPTIONS"]
            if propagate or (propagate is None and (self.app.testing or self.app.debug)):
                raise e
        with self.app.app_context():
            if isinstance(e, LedgerError):
                response = errors.ledger_error_response(e)
            else:
                self.app.logger.error("Exception on POST %s", PATH, exc_info=e)
                response = errors.http_error(InternalServerError(original_exception=e))
        answered("POST", response.status_code, at, PATH)
        return response(environ, start_response)
