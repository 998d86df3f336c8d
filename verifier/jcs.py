"""RFC 8785 JSON Canonicalization Scheme (JCS) as UTF-8 bytes (docs/design/EVIDENCE-FORMAT.md §1-2).

``canonicalize`` is checked against the ``rfc8785`` package. That package is several
times slower than ``json.dumps``, so values whose JCS form ``json.dumps`` already
produces take a fast path; a scan of the value decides.
``json.dumps(sort_keys=True, separators=(",", ":"), ensure_ascii=False)`` gives the
JCS bytes exactly when the value holds:

- no float: JCS formats numbers as ECMAScript does (``1e+30``, ``0.002``, ``-0`` is
  ``0``) and Python's ``repr`` does not;
- integers within ±(2**53-1) only (outside it JCS has no answer);
- no object key with a character above U+FFFF: JCS sorts keys by UTF-16 code units,
  Python by code points. The two orders agree except when, at the first character
  where two keys differ, one has a supplementary character (a surrogate pair,
  0xD800-0xDBFF first) and the other a character in U+E000-U+FFFF;
- no lone surrogate (neither can encode it; the UTF-8 encode step refuses it).

Strings are escaped identically by both: ``"`` ``\\`` ``\\b`` ``\\f`` ``\\n`` ``\\r``
``\\t`` by their short forms, other characters below U+0020 as ``\\u00xx`` with lowercase
hex, everything else (U+007F, U+2028, "/", non-ASCII) as itself (checked over every
code point in the tests). Anything else goes to ``rfc8785.dumps``.

Decisions where the contract is silent:

- ``canonicalize`` takes the values ``verifier.ijson.parse_json`` returns (dict with str
  keys, list, str, int, float, bool, None) and their subclasses. Tuples, sets, bytes and
  other mappings are refused, although ``rfc8785`` encodes a tuple as an array: the
  evidence is what was parsed, and ``parse_json(canonicalize(x)) == x`` must hold.
- Numbers ``parse_json`` refuses (beyond ±(2**53-1) and below 1e21, not finite) are
  refused here too, and the same depth cap applies: what one accepts the other does.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import rfc8785

from verifier.errors import CanonicalJSONError
from verifier.ijson import (
    MAX_DEPTH,
    MAX_SAFE_INTEGER,
    float_problem,
    scalar_problem,
    value_problem,
)

# One encoder for every call: json.dumps() builds a new one for non-default options.
# Cycles need no check here: _simple() stops them at MAX_DEPTH first.
_ENCODER = json.JSONEncoder(
    sort_keys=True,
    separators=(",", ":"),
    ensure_ascii=False,
    allow_nan=False,
    check_circular=False,
)


encode_string: Callable[[str], str] = json.encoder.encode_basestring
"""A JSON string literal exactly as ``canonicalize`` writes it (its encoder's own)."""


class _Reject(Exception):
    """Raised by ``_simple`` for a value JCS cannot encode; ``value_problem`` says why."""


def canonicalize(value: Any) -> bytes:
    """RFC 8785 (JCS) of ``value`` as UTF-8 bytes. Raises ``CanonicalJSONError``."""
    try:
        if _simple(value, 0):
            return _ENCODER.encode(value).encode("utf-8")
        return bytes(rfc8785.dumps(value))
    except (_Reject, ValueError, TypeError, RecursionError) as error:
        # UnicodeEncodeError (a lone surrogate) and rfc8785's errors are ValueErrors.
        problem = value_problem(value) or CanonicalJSONError(f"cannot canonicalize: {error}")
        raise problem from None


def _simple(value: Any, depth: int) -> bool:
    """Whether ``json.dumps`` gives the JCS bytes of ``value`` (see the module doc).

    Scans the whole value even once the answer is False, so that a value JCS cannot
    encode (a tuple, a set, a non-string key) is refused on either path.
    """
    kind = type(value)
    if kind is str or kind is bool or value is None:
        return True
    if kind is int:
        if not -MAX_SAFE_INTEGER <= value <= MAX_SAFE_INTEGER:
            raise _Reject
        return True
    if kind is float:
        if float_problem(value) is not None:
            raise _Reject
        return False
    if isinstance(value, dict):
        return _simple_object(value, depth + 1) and kind is dict
    if isinstance(value, list):
        return _simple_array(value, depth + 1) and kind is list
    if isinstance(value, int | float | str) and not scalar_problem(value):
        return False  # a subclass (IntEnum, StrEnum...): rfc8785 converts it
    raise _Reject


def _simple_object(obj: dict[Any, Any], depth: int) -> bool:
    if depth > MAX_DEPTH:
        raise _Reject
    simple = True
    for key, item in obj.items():
        if type(key) is not str:
            if not isinstance(key, str):
                raise _Reject  # json.dumps would turn 1 into "1"; JCS has no such rule
            simple = False
        elif not key.isascii() and max(key) > "\uffff":
            simple = False  # UTF-16 order may differ from code-point order
        # The common members inline (as in _simple), the rest by _simple.
        kind = type(item)
        if kind is str or kind is bool or item is None:
            continue
        if kind is int and -MAX_SAFE_INTEGER <= item <= MAX_SAFE_INTEGER:
            continue
        if not _simple(item, depth):
            simple = False
    return simple


def _simple_array(array: list[Any], depth: int) -> bool:
    if depth > MAX_DEPTH:
        raise _Reject
    simple = True
    for item in array:
        kind = type(item)
        if kind is str or kind is bool or item is None:
            continue
        if kind is int and -MAX_SAFE_INTEGER <= item <= MAX_SAFE_INTEGER:
            continue
        if not _simple(item, depth):
            simple = False
    return simple
