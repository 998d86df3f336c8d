"""The service's errors: one root, each with the HTTP status and code it becomes.

``ledger/api/errors.py`` is the one place that turns them into JSON responses.
"""

from __future__ import annotations


class LedgerError(Exception):
    status = 400
    code = "bad_request"

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        code: str | None = None,
        retry_after: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.retry_after = retry_after  # seconds: the answer's Retry-After header
        if code is not None:
            self.code = code


class InvalidInput(LedgerError):
    status = 400
    code = "invalid_input"


class PayloadTooLarge(LedgerError):
    status = 413
    code = "payload_too_large"


class UnsupportedMediaType(LedgerError):
    status = 415
    code = "unsupported_media_type"


class Unauthorized(LedgerError):
    status = 401
    code = "unauthorized"


class Forbidden(LedgerError):
    status = 403
    code = "forbidden"


class NotFound(LedgerError):
    status = 404
    code = "not_found"


class Conflict(LedgerError):
    status = 409
    code = "conflict"


class Unavailable(LedgerError):
    status = 503
    code = "unavailable"
