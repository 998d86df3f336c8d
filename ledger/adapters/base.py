"""What every signing-platform adapter shares (docs/design/EVIDENCE-FORMAT.md §1, §7;
docs/platforms/).

An adapter authenticates one HTTP delivery the platform's own way, over the raw bytes
as received and before any parsing, then maps the body to §1 events. It never reads
the clock: ``Delivery.now`` is the time to judge it by (the view passes the wall
clock, tests pass the fixture's ``received_at``); nor the key files: ``Delivery.ids``
is the deployment's pseudonym key (``ledger.pseudonyms``), for ids that would otherwise
carry an e-mail address, a phone number or a person's platform id in clear.

Every fact a certificate has a place for goes where docs/evidence-format.md ("Facts the
platforms report") says; ``occurred_at`` is the platform's time of the act itself.

Failures are ledger errors, so the one error handler answers them: every
authentication failure is 401 (``Unauthorized``, ``code`` says why) and a body that
cannot be mapped is 400 (``InvalidInput``, code ``malformed_delivery``).
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from ledger.errors import InvalidInput, Unauthorized
from ledger.pseudonyms import PseudonymKey
from verifier.errors import CanonicalJSONError
from verifier.event import ID_MAX
from verifier.ijson import parse_json

Event = dict[str, Any]


@dataclass(frozen=True)
class Delivery:
    """One request from a platform: header names lower-cased, the body as received."""

    method: str
    headers: Mapping[str, str]
    body: bytes
    query: str
    now: datetime
    ids: PseudonymKey

    @classmethod
    def received(
        cls,
        method: str,
        headers: Iterable[tuple[str, str]],
        body: bytes,
        query: str,
        now: datetime,
        ids: PseudonymKey,
    ) -> Delivery:
        """Header names are case-insensitive; a repeated header counts once (its first)."""
        lowered: dict[str, str] = {}
        for name, value in headers:
            lowered.setdefault(name.lower(), value)
        return cls(method.upper(), lowered, body, query, now, ids)

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    @property
    def sha256(self) -> str:
        """The leaf's ``source.delivery_sha256``."""
        return hashlib.sha256(self.body).hexdigest()


@dataclass(frozen=True)
class Credentials:
    """What a hook is configured with: its live secrets, the expected client or app id,
    the timestamp window in seconds (for the schemes that sign a timestamp) and the
    query string it was registered with (for the schemes that sign the query)."""

    secrets: tuple[str, ...]
    client_id: str | None
    window: int
    query: str = ""


@dataclass(frozen=True)
class Answer:
    """Headers and JSON members an accepted delivery's answer must carry."""

    headers: dict[str, str]
    body: dict[str, str]


class Adapter(Protocol):
    """One platform. Subclass it explicitly to inherit ``answer``."""

    slug: str
    methods: frozenset[str]
    default_window: int

    def authenticate(self, delivery: Delivery, credentials: Credentials) -> str:
        """The leaf's ``source.authenticated`` ("hmac", "shared-secret", "client-id-echo")
        if the delivery is the platform's; ``Unauthorized`` otherwise."""
        ...

    def parse(self, delivery: Delivery) -> list[Event]:
        """The §1 events of an authenticated delivery; ``InvalidInput`` if malformed."""
        ...

    def answer(self, delivery: Delivery, credentials: Credentials) -> Answer:
        """What the 2xx answer must carry besides receipts (Adobe's client-id echo)."""
        return Answer({}, {})


# -- refusals --------------------------------------------------------------------------


def refuse(reason: str, message: str) -> Unauthorized:
    return Unauthorized(message, code=reason)


def malformed(message: str, field: str = "$") -> InvalidInput:
    return InvalidInput(message, field=field, code="malformed_delivery")


# -- authentication helpers ------------------------------------------------------------


def hmac_sha256(key: str, message: bytes) -> bytes:
    """HMAC-SHA256 keyed with the UTF-8 bytes of the key *text*, as every platform does."""
    return hmac.new(key.encode("utf-8"), message, hashlib.sha256).digest()


def header_bytes(value: str) -> bytes:
    """A header value as sent: WSGI hands headers over as latin-1 text."""
    return value.strip().encode("latin-1", errors="replace")


def same(expected: bytes, received: bytes) -> bool:
    """Constant-time comparison (``hmac.compare_digest``)."""
    return hmac.compare_digest(expected, received)


def check_age(stamp: datetime, now: datetime, window: int, ahead: int) -> None:
    """Refuse a signed timestamp older than ``window`` or more than ``ahead`` in the future."""
    age = (now - stamp).total_seconds()
    if age > window:
        raise refuse("stale_timestamp", f"signed timestamp is {age:.0f} s old; window {window} s")
    if -age > ahead:
        raise refuse("future_timestamp", f"signed timestamp is {-age:.0f} s ahead of our clock")


# -- bodies ----------------------------------------------------------------------------


def json_object(body: bytes) -> dict[str, Any]:
    """The body as strict I-JSON (verifier.ijson.parse_json); it must be an object."""
    try:
        value = parse_json(body)
    except CanonicalJSONError as e:
        raise malformed(f"body is not I-JSON: {e.message}", e.field or "$") from e
    if not isinstance(value, dict):
        raise malformed("body must be a JSON object")
    return value


def member(parent: Mapping[str, Any], key: str, at: str = "") -> dict[str, Any]:
    value = parent.get(key)
    if not isinstance(value, dict):
        raise malformed(f"{at}{key} must be an object", f"{at}{key}")
    return value


def text(parent: Mapping[str, Any], key: str, at: str = "") -> str:
    """A required identifier: a non-empty string (numbers are ids too: 501 → "501")."""
    value = optional_text(parent, key)
    if value is None:
        raise malformed(f"{at}{key} is required (a non-empty string or number)", f"{at}{key}")
    return value


def optional_text(parent: Mapping[str, Any], key: str) -> str | None:
    value = parent.get(key)
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str) and value:
        return value
    return None


def dicts(value: Any) -> list[dict[str, Any]]:
    """The objects of a list (anything else yields none)."""
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


# -- events ----------------------------------------------------------------------------

EXTENSION_NAME = re.compile(r"[^a-z0-9._-]")
NAME_MAX = 80


def extension_type(slug: str, name: str) -> str:
    """``x-<slug>.<name>`` for an event outside our vocabulary (README rule 2).

    The name is lower-cased with every character outside ``[a-z0-9._-]`` replaced by
    ``_``; leading ``._-`` are dropped (the §1 pattern starts the name with a letter or
    digit) and it is cut to 80 characters. The platform's own name stays in ``data``.
    """
    cleaned = EXTENSION_NAME.sub("_", name.lower()).lstrip("._-")[:NAME_MAX]
    return f"x-{slug}.{cleaned or 'unnamed'}"


def bounded_id(value: str) -> str:
    """An ``event_id`` within §1's 200 characters: longer derivations end in a hash."""
    if len(value) <= ID_MAX:
        return value
    digest = hashlib.sha256(value.encode("utf-8")).hexdigest()
    return f"{value[: ID_MAX - 65]}~{digest}"


def event(
    *,
    event_id: str,
    type: str,
    occurred_at: str,
    envelope_id: str,
    actor: Mapping[str, str | None] | None = None,
    documents: list[dict[str, Any]] | None = None,
    data: Mapping[str, Any] | None = None,
) -> Event:
    """A §1 event; empty actor fields, documents and data (None, {}, []) are left out."""
    built: Event = {
        "event_id": bounded_id(event_id),
        "type": type,
        "occurred_at": occurred_at,
        "envelope_id": envelope_id,
    }
    person = {k: v for k, v in (actor or {}).items() if v}
    if person:
        built["actor"] = person
    if documents:
        built["documents"] = documents
    kept = {k: v for k, v in (data or {}).items() if v is not None and v != {} and v != []}
    if kept:
        built["data"] = kept
    return built


def source_time(field: str, value: Any) -> dict[str, Any]:
    """The platform's own time value, kept in ``data`` beside the converted ``occurred_at``."""
    return {"field": field, "value": value}


def document_digest(name: str, content: bytes) -> dict[str, Any]:
    return {"name": name, "sha256": hashlib.sha256(content).hexdigest(), "size": len(content)}
