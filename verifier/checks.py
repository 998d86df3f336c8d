"""Named checks over an untrusted document: a bundle (``verifier.bundle``), a receipt
(``verifier.receipt``).

A check is a function that returns why it passed, raises ``Fail`` (the reason, and what
was expected against what was found) or ``Outcome`` (erased, pending, skipped). ``run``
turns it into a ``Check``; any damage a hostile value can cause (a ``VerificationError``,
a ``KeyError`` from a missing member, a ``TypeError`` from a wrong type ...) becomes a
failed check, never an exception. The decoders below read a document's values strictly:
one spelling per value, so that no byte of it goes unchecked.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from verifier.errors import VerificationError
from verifier.report import Check, Status, show

_HEX = re.compile(r"[0-9a-f]*")
# What a damaged value can make any of the checks raise; each becomes a failed check.
DAMAGE = (
    VerificationError,
    KeyError,
    TypeError,
    ValueError,
    IndexError,
    AttributeError,
    OverflowError,
    RecursionError,
)


class Fail(Exception):
    """A check failed: the reason, and what was expected against what was found."""

    def __init__(self, reason: str, expected: object = None, actual: object = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.expected = None if expected is None else _text(expected)
        self.actual = None if actual is None else _text(actual)


class Outcome(Exception):
    """A check ends with a status other than pass or fail (skipped, erased, pending)."""

    def __init__(self, status: Status, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def _text(value: object) -> str:
    if isinstance(value, bytes):
        return value.hex()
    return value if isinstance(value, str) else str(value)


def run(name: str, seq: int | None, check: Callable[[], str]) -> Check:
    """Run one check: its return value is the reason it passed; damage is a failure."""
    try:
        return Check(name, "pass", seq, check())
    except Fail as f:
        return Check(name, "fail", seq, f.reason, f.expected, f.actual)
    except Outcome as o:
        return Check(name, o.status, seq, o.reason)
    except VerificationError as e:
        expected = None if e.expected is None else _text(e.expected)
        actual = None if e.actual is None else _text(e.actual)
        return Check(name, "fail", seq, damage(e), expected, actual)
    except DAMAGE as e:
        return Check(name, "fail", seq, damage(e))


def damage(e: BaseException) -> str:
    """What went wrong, for a reason: the verifier's message, or the foreign exception's."""
    message = e.message if isinstance(e, VerificationError) else f"{type(e).__name__}: {e}"
    field = getattr(e, "field", None)
    return f"{message} (at {field})" if isinstance(field, str) else message


# --- strict decoding of a document's values ------------------------------------------------


def hex_bytes(value: object, size: int, what: str) -> bytes:
    """Lowercase hex of exactly ``size`` bytes (docs/design/EVIDENCE-FORMAT.md: hashes are
    lowercase hex)."""
    if not isinstance(value, str) or len(value) != 2 * size or not _HEX.fullmatch(value):
        raise Fail(f"{what} is not {2 * size} lowercase hex digits", actual=show(value))
    return bytes.fromhex(value)


def hash_list(value: object, size: int, what: str) -> list[bytes]:
    """A proof: a list of hashes, each lowercase hex."""
    if not isinstance(value, list):
        raise Fail(f"{what} is not a list of hashes", actual=show(value))
    return [hex_bytes(h, size, f"{what}[{i}]") for i, h in enumerate(value)]


def base64_bytes(value: object, what: str) -> bytes:
    """Canonical padded base64 (one spelling per value, so no byte of it goes unchecked)."""
    if not isinstance(value, str):
        raise Fail(f"{what} is not a base64 string", actual=show(value))
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise Fail(f"{what} is not valid base64") from None
    if base64.b64encode(raw).decode("ascii") != value:
        raise Fail(f"{what} is not canonical base64 (unused bits set)")
    return raw


def aware_time(value: object, what: str) -> datetime:
    """An RFC 3339 time with its UTC offset, in UTC."""
    if not isinstance(value, str):
        raise Fail(f"{what} is not a string", actual=show(value))
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        raise Fail(f"{what} is not an RFC 3339 time", actual=show(value)) from None
    if when.tzinfo is None:
        raise Fail(f"{what} has no UTC offset", actual=show(value))
    return when.astimezone(UTC)


def known_fields(obj: Mapping[str, Any], known: frozenset[str], what: str) -> None:
    """``Fail`` naming the members of ``obj`` the format does not define."""
    extra = sorted(str(k) for k in obj if k not in known)
    if extra:
        raise Fail(f"{what} has unknown fields {extra}")
