"""An entry of an ``evidence-bundle/1`` read for people: its leaf's clear fields, its
event (unless erased), and what the certificate reads from them: the actor, the times,
``data``, the documents.

A damaged entry still reads: what cannot be read is None (the report says why).
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from typing import Any

from verifier.errors import VerificationError
from verifier.hashing import HashAlgorithm
from verifier.leaf import Leaf, parse_leaf

READ_ERRORS = (VerificationError, KeyError, TypeError, ValueError, IndexError, AttributeError)


def text_or(value: object, default: str = "") -> str:
    return value if isinstance(value, str) else default


def parse_time(text: str) -> datetime | None:
    """An RFC 3339 time as an aware UTC datetime, or None."""
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except (ValueError, AttributeError, TypeError):
        return None
    return when.astimezone(UTC) if when.tzinfo is not None else None


@dataclass(frozen=True)
class Actor:
    name: str | None = None
    email: str | None = None
    phone: str | None = None
    role: str | None = None
    auth_method: str | None = None
    ip: str | None = None
    user_agent: str | None = None

    @classmethod
    def of(cls, value: object) -> Actor | None:
        if not isinstance(value, Mapping):
            return None

        def text(key: str) -> str | None:
            item = value.get(key)
            return item if isinstance(item, str) and item else None

        return cls(
            text("name"),
            text("email"),
            text("phone"),
            text("role"),
            text("auth_method"),
            text("ip"),
            text("user_agent"),
        )

    @property
    def key(self) -> tuple[str | None, str | None, str | None]:
        return (self.name, self.email, self.phone)

    @property
    def contact(self) -> str:
        return " / ".join(x for x in (self.email, self.phone) if x)

    @property
    def label(self) -> str:
        """Who, in one line: the name, else the email, else the phone."""
        return self.name or self.email or self.phone or "?"


@dataclass(frozen=True)
class Entry:
    """One entry of the bundle, with the leaf's clear fields and the event, if any
    (what is read from them is kept: a certificate reads each entry many times)."""

    seq: int
    leaf_hash: str
    chain: str
    inclusion: tuple[str, ...]
    leaf: Leaf | None  # None: unreadable (the report says why)
    event: Mapping[str, Any] | None  # None: erased or unreadable
    erased: bool

    @property
    def type(self) -> str:
        if self.leaf is not None:
            return self.leaf.event.type
        return str(self.event.get("type", "?")) if self.event else "?"

    @property
    def event_id(self) -> str:
        return self.leaf.event.event_id if self.leaf is not None else "?"

    @property
    def occurred_at(self) -> str | None:
        return self.leaf.event.occurred_at if self.leaf is not None else None

    @cached_property
    def platform_time(self) -> datetime | None:
        return parse_time(self.occurred_at) if self.occurred_at else None

    @cached_property
    def ledger_time(self) -> datetime | None:
        return parse_time(self.leaf.received_at) if self.leaf is not None else None

    @cached_property
    def actor(self) -> Actor | None:
        return Actor.of(self.event.get("actor")) if self.event else None

    @cached_property
    def data(self) -> Mapping[str, Any]:
        data = self.event.get("data") if self.event else None
        return data if isinstance(data, Mapping) else {}

    @cached_property
    def documents(self) -> list[Mapping[str, Any]]:
        docs = self.event.get("documents") if self.event else None
        return [d for d in docs if isinstance(d, Mapping)] if isinstance(docs, list) else []

    @property
    def reason(self) -> str | None:
        """A decline, void or expiry reason: any ``data`` field named ``...reason``."""
        for key, value in self.data.items():
            if key.endswith("reason") and isinstance(value, str) and value:
                return value
        return None


def read_entry(data: object, alg: HashAlgorithm) -> Entry | None:
    """One entry of a bundle's ``entries``; None if it has no integer seq."""
    if not isinstance(data, Mapping) or not isinstance(data.get("seq"), int):
        return None
    leaf: Leaf | None
    try:
        raw = base64.b64decode(text_or(data.get("leaf")), validate=True)
        leaf = parse_leaf(raw, alg)
        leaf_hash = alg.leaf_hash(raw).hex()
    except (binascii.Error, *READ_ERRORS):
        leaf, leaf_hash = None, text_or(data.get("leaf_hash"), "?")
    event = data.get("event")
    inclusion = data.get("inclusion")
    return Entry(
        seq=data["seq"],
        leaf_hash=leaf_hash,
        chain=text_or(data.get("chain"), "?"),
        inclusion=tuple(h for h in inclusion if isinstance(h, str))
        if isinstance(inclusion, list)
        else (),
        leaf=leaf,
        event=event if isinstance(event, Mapping) else None,
        erased=event is None and data.get("salt") is None,
    )
