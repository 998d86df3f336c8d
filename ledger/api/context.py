"""What views share: the service object, the caller, and strict request bodies."""

from __future__ import annotations

import hashlib
import re
from typing import Any

from flask import current_app, g, request

from ledger.access import Principal, authenticate_cached
from ledger.errors import InvalidInput, UnsupportedMediaType
from ledger.service import Ledger
from verifier.errors import CanonicalJSONError
from verifier.ijson import parse_json


def ledger() -> Ledger:
    service: Ledger = current_app.extensions["ledger"]
    return service


def caller(*roles: str) -> Principal:
    """The authenticated caller (401 without a valid key), with one of ``roles`` (else 403)."""
    if "principal" not in g:
        g.principal = authenticate_cached(ledger().db, request.headers.get("Authorization"))
    principal: Principal = g.principal
    if roles:
        principal.require(*roles)
    return principal


def raw_body() -> bytes:
    """The body as received (size-limited by MAX_CONTENT_LENGTH → 413)."""
    if request.mimetype != "application/json":
        raise UnsupportedMediaType("send Content-Type: application/json")
    return request.get_data(cache=True)


def json_body() -> tuple[Any, str]:
    """The strictly parsed JSON body and the SHA-256 hex of its raw bytes."""
    data = raw_body()
    try:
        value = parse_json(data)
    except CanonicalJSONError as e:
        raise InvalidInput(e.message, field=e.field, code="invalid_json") from e
    return value, hashlib.sha256(data).hexdigest()


# C0 and C1 controls and DEL: never part of an id, a name or a number we take.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def refuse_control_characters() -> None:
    """400 for a path or query parameter holding a control character (NUL included).

    Run before every view (``create_app``), so before any database query: PostgreSQL
    refuses a NUL in a string with an error, SQLite would store or compare it.
    """
    if _CONTROL.search(request.path):
        raise InvalidInput(
            "the path contains a control character", field="path", code="control_character"
        )
    for name, value in request.args.items(multi=True):
        if _CONTROL.search(name) or _CONTROL.search(value):
            raise InvalidInput(
                f"query parameter {_CONTROL.sub('?', name)!r} contains a control character",
                field=_CONTROL.sub("?", name),
                code="control_character",
            )


# ASCII digits only: str.isdigit() also takes "²" and "١", which int() refuses or reads.
_DECIMAL = re.compile(r"(0|[1-9][0-9]{0,18})\Z")
INDEX_MAX = 2**63 - 1  # the largest value a BIGINT column (and SQLite INTEGER) holds


def decimal(raw: str, name: str, low: int = 0) -> int:
    """``raw`` as a decimal integer in [low, 2**63-1]: no sign, no leading zero; else 400."""
    if not _DECIMAL.match(raw):
        raise InvalidInput(f"{name} must be a non-negative decimal integer", field=name)
    value = int(raw)
    if value < low:
        raise InvalidInput(f"{name} must be at least {low}", field=name)
    if value > INDEX_MAX:
        raise InvalidInput(f"{name} must be at most {INDEX_MAX}", field=name)
    return value


def only_args(*names: str) -> None:
    """Refuse query parameters other than ``names``, as bodies refuse unknown fields."""
    for name in request.args:
        if name not in names:
            raise InvalidInput(
                f"unknown query parameter {name!r}; this takes {', '.join(names)}",
                field=name,
                code="unknown_field",
            )


def int_arg(name: str, low: int = 0) -> int:
    values = request.args.getlist(name)
    if not values:
        raise InvalidInput(f"query parameter {name} is required", field=name, code="missing_field")
    if len(values) > 1:
        raise InvalidInput(f"query parameter {name} is given more than once", field=name)
    return decimal(values[0], name, low)
