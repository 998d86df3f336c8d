"""Leaves and commitments (docs/design/EVIDENCE-FORMAT.md §2): what the log holds for each event.

A leaf is the RFC 8785 (JCS) bytes of a fixed schema: the log, seq, ``received_at``,
tenant, how the event arrived (``source``), the event's clear fields (``event_id``,
``type``, ``occurred_at``, ``envelope_id``) and the commitment ``HASH(salt || JCS(event))``
to the whole event, so that an event's body can be erased while its leaf still holds.
``leaf_bytes`` builds one, ``leaf_bytes_many`` the leaves of one append, ``parse_leaf``
reads one back strictly (exact schema, canonical bytes), ``check_commitment`` checks an
event against its leaf.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from verifier.errors import CanonicalJSONError, CommitmentError, MalformedError
from verifier.hashing import SHA256, HashAlgorithm
from verifier.ijson import MAX_SAFE_INTEGER, parse_json, render_path
from verifier.jcs import canonicalize, encode_string

SALT_SIZE = 32
LEAF_VERSION = 1
AUTHENTICATION_METHODS = frozenset({"api-key", "hmac", "shared-secret", "client-id-echo"})
LEAF_KEYS = ("v", "log", "seq", "received_at", "tenant", "source", "event", "commitment")
SOURCE_KEYS = ("channel", "delivery_sha256", "authenticated")
CLEAR_EVENT_KEYS = ("event_id", "type", "occurred_at", "envelope_id")
"""The event fields a leaf shows in clear; the rest of the event is only committed."""
_JCS_EVENT_KEYS = tuple(sorted(CLEAR_EVENT_KEYS))  # their order in a leaf's JCS
_JCS_SOURCE_KEYS = tuple(sorted(SOURCE_KEYS))
_HEX = re.compile(r"[0-9a-f]+")
_RECEIVED_AT = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}Z")


def new_salt() -> bytes:
    """A fresh random salt for one event's commitment."""
    return secrets.token_bytes(SALT_SIZE)


def commitment(salt: bytes, event: Mapping[str, Any], alg: HashAlgorithm = SHA256) -> str:
    """Lowercase hex of ``HASH(salt || JCS(event))``; ``salt`` is exactly 32 bytes."""
    if not isinstance(salt, bytes) or len(salt) != SALT_SIZE:
        size = len(salt) if isinstance(salt, bytes) else type(salt).__name__
        raise MalformedError(f"salt must be {SALT_SIZE} bytes, got {size}")
    if not isinstance(event, Mapping):
        raise CanonicalJSONError("an event must be a JSON object", field="$")
    body = canonicalize(event if isinstance(event, dict) else dict(event))
    return alg.digest(salt + body).hex()


@dataclass(frozen=True, slots=True)
class LeafSource:
    """How the event reached the ledger."""

    channel: str
    delivery_sha256: str
    authenticated: str


@dataclass(frozen=True, slots=True)
class LeafEvent:
    """The event fields a leaf shows in clear."""

    event_id: str
    type: str
    occurred_at: str
    envelope_id: str


@dataclass(frozen=True, slots=True)
class Leaf:
    """A parsed, checked leaf; ``dataclasses.asdict(leaf)`` is its JSON object again."""

    v: int
    log: str
    seq: int
    received_at: str
    tenant: str
    source: LeafSource
    event: LeafEvent
    commitment: str


def leaf_bytes(
    *,
    log: str,
    seq: int,
    received_at: str,
    tenant: str,
    source: Mapping[str, str],
    event: Mapping[str, Any],
    commitment: str,
    alg: HashAlgorithm = SHA256,
) -> bytes:
    """The canonical bytes of a leaf; ``event`` is the full event, of which four fields show."""
    if not isinstance(event, Mapping):
        raise CanonicalJSONError("an event must be a JSON object", field="event")
    for key in CLEAR_EVENT_KEYS:
        if key not in event:
            raise CanonicalJSONError("the event has no such field", field=f"event.{key}")
    leaf = {
        "v": LEAF_VERSION,
        "log": log,
        "seq": seq,
        "received_at": received_at,
        "tenant": tenant,
        "source": dict(source) if isinstance(source, Mapping) else source,
        "event": {key: event[key] for key in CLEAR_EVENT_KEYS},
        "commitment": commitment,
    }
    top, source_, event_ = _check_leaf(leaf, alg)
    fast = _leaf_jcs(top, source_, event_)
    return canonicalize(leaf) if fast is None else fast


def leaf_bytes_many(
    *,
    log: str,
    first_seq: int,
    received_at: str,
    tenant: str,
    source: Mapping[str, str],
    events: Sequence[tuple[Mapping[str, Any], str]],
    alg: HashAlgorithm = SHA256,
) -> list[bytes]:
    """The leaves of consecutive entries that share log, received_at, tenant and source.

    Equal to ``leaf_bytes`` of each ``(event, commitment)`` of ``events`` at seq
    ``first_seq + i``, errors included: the first leaf is made by ``leaf_bytes``, which
    checks the shared members; each further one checks only its own (the four event
    fields, the commitment, the seq) and is assembled around the shared JCS text.
    Anything those checks do not pass is left to ``leaf_bytes``.
    """
    if not events:
        return []

    def checked(seq: int, event: Mapping[str, Any], commitment_: str) -> bytes:
        return leaf_bytes(
            log=log,
            seq=seq,
            received_at=received_at,
            tenant=tenant,
            source=source,
            event=event,
            commitment=commitment_,
            alg=alg,
        )

    leaves = [checked(first_seq, *events[0])]
    shared = _shared_text(log, received_at, tenant, source)
    hex_size = 2 * alg.size
    for seq, (event, commitment_) in enumerate(events[1:], first_seq + 1):
        leaf = None
        if shared is not None and seq <= MAX_SAFE_INTEGER and type(event) is dict:
            fields = [event.get(key) for key in _JCS_EVENT_KEYS]
            if (
                all(type(text) is str and text for text in fields)
                and type(commitment_) is str
                and len(commitment_) == hex_size
                and _HEX.fullmatch(commitment_)
            ):
                leaf = _assemble(_own_text(commitment_, fields), shared, seq)
        leaves.append(leaf if leaf is not None else checked(seq, event, commitment_))
    return leaves


# -- the leaf template: JCS of a leaf, written directly -------------------------------------
#
# After ``_check_leaf`` every member of a leaf is a ``str`` but ``seq`` (an int in the
# I-JSON range) and ``v`` (1), and the keys are fixed and ASCII, so their JCS order is
# known: commitment, event (envelope_id, event_id, occurred_at, type), log, received_at,
# seq, source (authenticated, channel, delivery_sha256), tenant, v. Strings are escaped by
# the encoder ``canonicalize`` uses on its fast path; a subclass of str or a lone
# surrogate makes these return None, and the general way (which raises its error) is taken.


def _own_text(commitment: object, event_fields: Sequence[object]) -> str | None:
    """The text before ``log``: the commitment and the event's clear fields (JCS order)."""
    strings = (commitment, *event_fields)
    if not all(type(text) is str for text in strings):
        return None
    q = [encode_string(text) for text in strings]  # type: ignore[arg-type]
    return (
        f'{{"commitment":{q[0]},"event":{{"envelope_id":{q[1]},"event_id":{q[2]},'
        f'"occurred_at":{q[3]},"type":{q[4]}}}'
    )


def _shared_text(
    log: object, received_at: object, tenant: object, source: Mapping[str, object]
) -> tuple[str, str] | None:
    """The text around the seq that the entries of one append share."""
    strings = (log, received_at, *(source[k] for k in _JCS_SOURCE_KEYS), tenant)
    if not all(type(text) is str for text in strings):
        return None
    q = [encode_string(text) for text in strings]  # type: ignore[arg-type]
    before = f',"log":{q[0]},"received_at":{q[1]},"seq":'
    after = (
        f',"source":{{"authenticated":{q[2]},"channel":{q[3]},"delivery_sha256":{q[4]}}},'
        f'"tenant":{q[5]},"v":{LEAF_VERSION}}}'
    )
    return before, after


def _assemble(own: str | None, shared: tuple[str, str] | None, seq: int) -> bytes | None:
    if own is None or shared is None:
        return None
    try:
        return f"{own}{shared[0]}{seq}{shared[1]}".encode()
    except UnicodeEncodeError:
        return None


def _leaf_jcs(top: dict[str, Any], source: dict[str, Any], event: dict[str, Any]) -> bytes | None:
    """JCS of a checked leaf, by the template, or None to leave it to ``canonicalize``."""
    own = _own_text(top["commitment"], [event[key] for key in _JCS_EVENT_KEYS])
    shared = _shared_text(top["log"], top["received_at"], top["tenant"], source)
    return _assemble(own, shared, int(top["seq"]))


def parse_leaf(data: bytes, alg: HashAlgorithm = SHA256) -> Leaf:
    """Parse leaf bytes, checking the exact schema and that the bytes are canonical."""
    if not isinstance(data, bytes):
        raise CanonicalJSONError(f"a leaf is bytes, got {type(data).__name__}", field="$")
    value = parse_json(data)
    canonical = canonicalize(value)
    if canonical != data:
        shorter = min(len(canonical), len(data))
        at = next(
            (i for i, (a, b) in enumerate(zip(canonical, data, strict=False)) if a != b), shorter
        )
        raise CanonicalJSONError(f"leaf is not RFC 8785 canonical (from byte {at})", field="$")
    return _leaf_from_object(value, alg)


def check_commitment(
    leaf: Leaf, event: Mapping[str, Any], salt: bytes, alg: HashAlgorithm = SHA256
) -> None:
    """Check that ``event`` is the one ``leaf`` commits to; raises ``CommitmentError``."""
    if not isinstance(event, Mapping):
        raise CanonicalJSONError("an event must be a JSON object", field="$")
    for key in CLEAR_EVENT_KEYS:
        shown, actual = getattr(leaf.event, key), event.get(key)
        if actual != shown:
            raise CommitmentError(
                f"event {key} differs from the leaf's", expected=shown, actual=actual
            )
    actual_commitment = commitment(salt, event, alg)
    if actual_commitment != leaf.commitment:
        raise CommitmentError(
            "HASH(salt || JCS(event)) differs from the leaf's commitment",
            expected=leaf.commitment,
            actual=actual_commitment,
        )


# -- leaf schema ------------------------------------------------------------------------


def _leaf_from_object(value: Any, alg: HashAlgorithm) -> Leaf:
    top, source, event = _check_leaf(value, alg)
    return Leaf(
        v=LEAF_VERSION,
        log=top["log"],
        seq=top["seq"],
        received_at=top["received_at"],
        tenant=top["tenant"],
        source=LeafSource(**source),
        event=LeafEvent(**event),
        commitment=top["commitment"],
    )


def _check_leaf(
    value: Any, alg: HashAlgorithm
) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """The leaf object, its source and its event, checked against the exact schema."""
    top = _exact_object(value, LEAF_KEYS, ())
    if type(top["v"]) is not int or top["v"] != LEAF_VERSION:
        raise CanonicalJSONError(f"unsupported leaf version {top['v']!r}", field="v")
    seq = top["seq"]
    if type(seq) is not int or not 0 <= seq <= MAX_SAFE_INTEGER:
        raise CanonicalJSONError("seq must be an integer in [0, 2**53-1]", field="seq")
    _check_received_at(top["received_at"])
    source = _exact_object(top["source"], SOURCE_KEYS, ("source",))
    event = _exact_object(top["event"], CLEAR_EVENT_KEYS, ("event",))
    names = ["log", "tenant"]
    strings = [(n, top[n]) for n in names] + [("source.channel", source["channel"])]
    strings += [(f"event.{k}", event[k]) for k in CLEAR_EVENT_KEYS]
    for field, text in strings:
        if type(text) is not str or not text:
            raise CanonicalJSONError("must be a non-empty string", field=field)
    _check_hex(source["delivery_sha256"], 32, "source.delivery_sha256")
    if source["authenticated"] not in AUTHENTICATION_METHODS:
        known = ", ".join(sorted(AUTHENTICATION_METHODS))
        raise CanonicalJSONError(f"must be one of {known}", field="source.authenticated")
    _check_hex(top["commitment"], alg.size, "commitment")
    return top, source, event


def _exact_object(value: Any, keys: tuple[str, ...], path: tuple[str, ...]) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise CanonicalJSONError("must be a JSON object", field=render_path([*path]))
    for key in keys:
        if key not in value:
            raise CanonicalJSONError("missing field", field=render_path([*path, key]))
    for key in value:
        if key not in keys:
            raise CanonicalJSONError("unexpected field", field=render_path([*path, str(key)]))
    return value


def _check_hex(value: Any, size: int, field: str) -> None:
    if type(value) is not str or len(value) != 2 * size or not _HEX.fullmatch(value):
        raise CanonicalJSONError(f"must be {2 * size} lowercase hex digits", field=field)


def _check_received_at(value: Any) -> None:
    message = "must be RFC 3339 UTC with microseconds, like 2026-11-22T17:03:04.123456Z"
    if type(value) is not str or not _RECEIVED_AT.fullmatch(value) or not _real_time(value):
        raise CanonicalJSONError(message, field="received_at")


def _real_time(value: str) -> bool:
    """Whether a ``_RECEIVED_AT`` string is a real date and time.

    For text of that shape ``fromisoformat`` (in C) accepts exactly what
    ``strptime(value, "%Y-%m-%dT%H:%M:%S.%fZ")`` does, at a fraction of the cost.
    """
    try:
        datetime.fromisoformat(value[:-1])
    except ValueError:
        return False
    return True
