"""Events as platforms send them (docs/design/EVIDENCE-FORMAT.md §1): the schema, checked strictly.

The ledger refuses what this module refuses, and an auditor can re-check a bundle's
events with the same code. Every error names the JSON field at fault.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from verifier.errors import MalformedError

VOCABULARY = frozenset(
    {
        "envelope.created",
        "envelope.sent",
        "recipient.delivered",
        "recipient.viewed",
        "recipient.authenticated",
        "recipient.consented",
        "recipient.signed",
        "recipient.declined",
        "recipient.delegated",
        "reminder.sent",
        "envelope.completed",
        "envelope.declined",
        "envelope.voided",
        "envelope.expired",
        "document.added",
    }
)
EXTENSION_TYPE = re.compile(r"x-[a-z0-9][a-z0-9-]{0,39}\.[a-z0-9][a-z0-9._-]{0,79}\Z")
RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})\Z")
SHA256_HEX = re.compile(r"[0-9a-f]{64}\Z")
CONTROL = re.compile(r"[\x00-\x1f\x7f]")

REQUIRED = ("event_id", "type", "occurred_at", "envelope_id")
OPTIONAL = ("actor", "documents", "data")
ACTOR_FIELDS = frozenset({"name", "email", "phone", "role", "ip", "user_agent", "auth_method"})
DOCUMENT_FIELDS = frozenset({"name", "sha256", "size"})
ID_MAX = 200
TYPE_MAX = 120
TEXT_MAX = 2000
DOCUMENTS_MAX = 1000
MAX_SAFE_INTEGER = 2**53 - 1
MAX_OFFSET = timedelta(hours=18)  # the widest real-world UTC offset is ±14:00


class EventError(MalformedError):
    """An event that does not follow docs/design/EVIDENCE-FORMAT.md §1; ``field`` is the JSON
    path."""

    code = "invalid_event"

    def __init__(self, message: str, *, field: str, code: str = "invalid_field") -> None:
        super().__init__(message)
        self.field = field
        self.code = code


def _string(value: object, field: str, low: int, high: int) -> str:
    if not isinstance(value, str):
        raise EventError(f"{field} must be a string", field=field)
    if not low <= len(value) <= high:
        raise EventError(f"{field} must have {low} to {high} characters", field=field)
    return value


def _identifier(value: object, field: str) -> str:
    """An id of 1..ID_MAX characters without control characters.

    U+0000 cannot be stored in a PostgreSQL text column, and a control character in an
    id that shows in the leaf, in URLs and in logs helps nobody: refused on every database.
    """
    text = _string(value, field, 1, ID_MAX)
    if CONTROL.search(text):
        raise EventError(f"{field} must not contain control characters", field=field)
    return text


def _fields(value: Mapping[str, Any], allowed: frozenset[str] | tuple[str, ...], at: str) -> None:
    for key in value:
        if key not in allowed:
            raise EventError(f"unknown field {at}{key}", field=f"{at}{key}", code="unknown_field")


def check_type(value: object) -> str:
    kind = _string(value, "type", 1, TYPE_MAX)
    if kind not in VOCABULARY and not EXTENSION_TYPE.match(kind):
        raise EventError(
            f"type {kind!r} is not in the vocabulary and not x-<vendor>.<name>", field="type"
        )
    return kind


def check_time(value: object, field: str) -> str:
    """RFC 3339 with an explicit offset ("Z" or ±hh:mm); a date that exists."""
    text = _string(value, field, 1, 40)
    if not RFC3339.match(text):
        raise EventError(f"{field} must be RFC 3339 with an offset, got {text!r}", field=field)
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise EventError(f"{field} is not a real date and time: {text!r}", field=field) from None
    if abs(parsed.utcoffset() or timedelta()) > MAX_OFFSET:
        raise EventError(f"{field} has an offset beyond ±18:00: {text!r}", field=field)
    return text


def _actor(value: object) -> None:
    if not isinstance(value, dict):
        raise EventError("actor must be an object", field="actor")
    _fields(value, ACTOR_FIELDS, "actor.")
    for key, item in value.items():
        _string(item, f"actor.{key}", 0, TEXT_MAX)


def _documents(value: object) -> None:
    if not isinstance(value, list):
        raise EventError("documents must be a list", field="documents")
    if len(value) > DOCUMENTS_MAX:
        raise EventError(f"documents has more than {DOCUMENTS_MAX} items", field="documents")
    for i, doc in enumerate(value):
        at = f"documents[{i}]"
        if not isinstance(doc, dict):
            raise EventError(f"{at} must be an object", field=at)
        _fields(doc, DOCUMENT_FIELDS, f"{at}.")
        for key in sorted(DOCUMENT_FIELDS - doc.keys()):
            raise EventError(f"{at}.{key} is required", field=f"{at}.{key}", code="missing_field")
        _string(doc["name"], f"{at}.name", 1, TEXT_MAX)
        if not isinstance(doc["sha256"], str) or not SHA256_HEX.match(doc["sha256"]):
            raise EventError(f"{at}.sha256 must be 64 lowercase hex", field=f"{at}.sha256")
        if not _whole(doc["size"]):
            raise EventError(f"{at}.size must be a non-negative integer", field=f"{at}.size")


def _whole(size: object) -> bool:
    """A byte count in [0, 2**53-1]. I-JSON numbers are binary64, so 1234.0 is 1234, as in
    JSON Schema's "integer" and in the commitment (RFC 8785 writes both as ``1234``)."""
    if isinstance(size, bool) or not isinstance(size, int | float):
        return False
    if isinstance(size, float) and not size.is_integer():
        return False
    return 0 <= size <= MAX_SAFE_INTEGER


def validate_event(value: object) -> dict[str, Any]:
    """The event, unchanged, if it follows §1; otherwise ``EventError`` naming the field."""
    if not isinstance(value, dict):
        raise EventError("an event must be a JSON object", field="$")
    _fields(value, REQUIRED + OPTIONAL, "")
    for key in REQUIRED:
        if key not in value:
            raise EventError(f"{key} is required", field=key, code="missing_field")
    _identifier(value["event_id"], "event_id")
    _identifier(value["envelope_id"], "envelope_id")
    check_type(value["type"])
    check_time(value["occurred_at"], "occurred_at")
    if "actor" in value:
        _actor(value["actor"])
    if "documents" in value:
        _documents(value["documents"])
    if "data" in value and not isinstance(value["data"], dict):
        raise EventError("data must be an object", field="data")
    return value
