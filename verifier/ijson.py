"""Strict JSON parsing: I-JSON (RFC 7493) and nothing looser (docs/design/EVIDENCE-FORMAT.md §1).

``parse_json`` reads incoming JSON as I-JSON: no duplicate keys at any depth, no NaN or
Infinity, no lone surrogates, no invalid UTF-8, no byte order mark, integers within
±(2**53-1), no number that overflows binary64 or underflows from a non-zero literal to
zero, and at most ``MAX_DEPTH`` nested arrays and objects. Every error is a
``CanonicalJSONError`` whose ``field`` is the JSON path of the problem ("$" is the root,
then ``actor.name``, ``documents[2].sha256``, ``$[0]``, ``["key with spaces"]``).

Decisions where the contract is silent:

- ``-0`` and ``-0.0`` are accepted: RFC 8785 §3.2.2.3 serializes them as ``0``, so
  they commit as ``0`` does.
- A float literal that rounds to infinity (``1e400``) or to zero from a non-zero
  value (``1e-400``) is refused rather than silently changed; ordinary rounding to
  the nearest binary64 (``0.1``) is what I-JSON expects and is accepted.
- A number of magnitude above 2**53-1 and below 1e21 is refused even when spelled as a
  float (``1e20``, ``9007199254740992.0``): RFC 8785 writes it as plain digits, an integer
  literal outside the I-JSON range that ``parse_json`` refuses, so accepting it would
  commit to bytes the verifier cannot read back. From 1e21 JCS uses an exponent
  (``1e+21``) and floats are accepted up to binary64's limit (``verifier.jcs`` refuses
  the same values).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import accumulate
from typing import Any

from verifier.errors import CanonicalJSONError

MAX_DEPTH = 64
"""Most arrays and objects nested inside each other; the root container is level 1."""

MAX_SAFE_INTEGER = 2**53 - 1
"""RFC 7493 §2.2: integers beyond this lose precision as binary64."""

# Encodes a parsed value to find a lone surrogate quickly (the UTF-8 encode step refuses it).
_UTF8_CHECK = json.JSONEncoder(ensure_ascii=False, check_circular=False)


class _Problem(Exception):
    """Raised by a parse hook; the second, locating pass stores it as a value instead."""

    def __init__(self, message: str, key: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.key = key


def _object_hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        key = _duplicate(pairs)
        raise _Problem(f"duplicate key {key!r} (RFC 7493 §2.3)", key)
    return obj


def _duplicate(pairs: list[tuple[str, Any]]) -> str:
    seen: set[str] = set()
    for key, _ in pairs:
        if key in seen:
            return key
        seen.add(key)
    raise AssertionError("no duplicate")  # pragma: no cover - called only when there is one


def _int_hook(text: str) -> int:
    # JSON has no leading zeros, so 17 characters ("-" and 16 digits) is the longest
    # in-range literal; checking the length first keeps int() off huge digit strings.
    if len(text) > 17 or abs(value := int(text)) > MAX_SAFE_INTEGER:
        raise _Problem(f"integer {text[:40]} is outside ±(2**53-1) (RFC 7493 §2.2)")
    return value


def _float_hook(text: str) -> float:
    value = float(text)
    if value == 0 and text.lower().partition("e")[0].strip("-0."):
        raise _Problem(f"number {text[:40]} underflows binary64 to zero (RFC 7493 §2.2)")
    problem = float_problem(value)
    if problem is not None:
        raise _Problem(f"number {text[:40]}: {problem}")
    return value


def float_problem(value: float) -> str | None:
    """Why a binary64 number is not an I-JSON number RFC 8785 can write back, or None."""
    if not math.isfinite(value):
        return "not a finite binary64 number (RFC 7493 §2.2)"
    # JCS writes these as plain digits (ECMAScript switches to exponents at 1e21), which
    # would read back as an integer outside ±(2**53-1): refuse them however spelled.
    if MAX_SAFE_INTEGER < abs(value) < 1e21:
        return "an integer outside ±(2**53-1) (RFC 7493 §2.2)"
    return None


def _constant_hook(text: str) -> Any:
    raise _Problem(f"{text} is not JSON (RFC 8259 §6)")


def _keep_problem(hook: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def keep(arg: Any) -> Any:
        try:
            return hook(arg)
        except _Problem as problem:
            return problem

    return keep


_HOOKS: dict[str, Any] = {
    "object_pairs_hook": _object_hook,
    "parse_int": _int_hook,
    "parse_float": _float_hook,
    "parse_constant": _constant_hook,
}
_LOCATING_HOOKS = {name: _keep_problem(hook) for name, hook in _HOOKS.items()}

# After decoding, a lone surrogate can only come from a \uD800-\uDFFF escape. This
# finds every such escape (and the pairs too), so text without a match needs no walk.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{},]', re.DOTALL)
_NAME = re.compile(r"[^\W\d][\w-]*")
# The depth of valid JSON text (_nests_deeper): escapes, strings once escapes are gone,
# the bytes to delete to keep brackets and quotes, and the depth step of each byte.
_ESCAPE = re.compile(r"\\.", re.DOTALL)
_PLAIN_STRING = re.compile(r'"[^"]*"')
_NOT_SKELETON = bytes(b for b in range(256) if b not in b'[]{}"')
_NESTING = [1 if b in b"[{" else -1 if b in b"]}" else 0 for b in range(256)]


def parse_json(data: bytes | str) -> Any:
    """Parse I-JSON strictly; any JSON value may be the root. Raises ``CanonicalJSONError``."""
    text = _decode(data)
    try:
        value = _loads(text, _HOOKS)
    except _Problem:
        # Hooks do not know where they are: parse again keeping problems as values,
        # then walk the tree to name the path of the first one.
        located = _loads(text, _LOCATING_HOOKS)
        raise value_problem(located) or CanonicalJSONError("invalid JSON", field="$") from None
    # Hooks cannot see depth or escaped surrogates; walk only if the text could hide them.
    # Fewer brackets than the cap bound the depth, else the depth is measured on the text;
    # encoding to UTF-8 (in C) is a quicker test for lone surrogates than the walk, which
    # is left to name the path.
    deep = text.count("[") + text.count("{") > MAX_DEPTH and _nests_deeper(text, MAX_DEPTH)
    if deep or (_SURROGATE_ESCAPE.search(text) and not _utf8_encodable(value)):
        problem = value_problem(value)
        if problem is not None:
            raise problem
    return value


def _nests_deeper(text: str, limit: int) -> bool:
    """Whether valid JSON ``text`` nests arrays and objects more than ``limit`` deep.

    Measured on the skeleton of the text, its brackets outside strings, in C-speed steps:
    escapes go first (``\\"`` is no quote), then every byte but brackets and quotes (both
    ASCII, so never part of a longer UTF-8 sequence). A string without brackets is then an
    adjacent pair of quotes; if removing those pairs (left to right) leaves a quote, some
    string holds a bracket and the strings are cut out of the text exactly instead.
    """
    if "\\" in text:
        text = _ESCAPE.sub("", text)
    skeleton = _skeleton(text).replace(b'""', b"")
    if b'"' in skeleton:
        skeleton = _skeleton(_PLAIN_STRING.sub("", text))
    return bool(skeleton) and max(accumulate(map(_NESTING.__getitem__, skeleton))) > limit


def _skeleton(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass").translate(None, _NOT_SKELETON)


def _utf8_encodable(value: Any) -> bool:
    try:
        _UTF8_CHECK.encode(value).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _decode(data: bytes | str) -> str:
    if isinstance(data, str):
        text = data
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as error:
            raise CanonicalJSONError(
                "lone surrogate (RFC 7493 §2.1)", field=_path_at(text, error.start)
            ) from None
    elif isinstance(data, bytes | bytearray | memoryview):
        raw = bytes(data)
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            # Decode again keeping bad bytes as lone surrogates, to find their path.
            bad = raw.decode("utf-8", "surrogateescape")
            where = len(raw[: error.start].decode("utf-8"))
            raise CanonicalJSONError(
                f"invalid UTF-8 at byte {error.start} (RFC 8259 §8.1)", field=_path_at(bad, where)
            ) from None
    else:
        raise CanonicalJSONError(f"expected bytes or str, got {type(data).__name__}", field="$")
    if text.startswith("\ufeff"):
        raise CanonicalJSONError("byte order mark before JSON (RFC 8259 §8.1)", field="$")
    return text


def _loads(text: str, hooks: dict[str, Any]) -> Any:
    try:
        return json.loads(text, **hooks)
    except json.JSONDecodeError as error:
        where = f"line {error.lineno}, column {error.colno}"
        raise CanonicalJSONError(
            f"invalid JSON: {error.msg} ({where})", field=_path_at(text, error.pos)
        ) from None
    except RecursionError:
        # The C scanner gave up hundreds of levels down; name where our cap was passed.
        raise CanonicalJSONError(
            f"nested deeper than {MAX_DEPTH} levels", field=_path_at(text, depth=MAX_DEPTH)
        ) from None


@dataclass(slots=True)
class _Frame:
    is_object: bool
    member: str | int | None


def _path_at(text: str, end: int | None = None, depth: int | None = None) -> str:
    """The path at offset ``end`` of ``text``, or of the first container nested ``depth`` deep.

    Only used to report an error: it tokenizes strings and punctuation, which is all a
    path needs, and trusts that the text before the error is well formed.
    """
    frames: list[_Frame] = []
    for match in _TOKEN.finditer(text):
        if end is not None and match.start() >= end:
            break
        lexeme = match.group()
        top = frames[-1] if frames else _Frame(False, None)
        if lexeme in ("[", "{"):
            if len(frames) == depth:
                break
            frames.append(_Frame(lexeme == "{", None if lexeme == "{" else 0))
        elif lexeme in ("]", "}"):
            if frames:
                frames.pop()
        elif lexeme == ",":
            top.member = None if top.is_object else int(top.member or 0) + 1
        elif top.is_object and top.member is None:  # a string where a key is expected
            top.member = _key_text(lexeme)
    return render_path([f.member for f in frames if f.member is not None])


def _key_text(lexeme: str) -> str:
    try:
        return str(json.loads(lexeme))
    except ValueError:
        return lexeme[1:-1]


def render_path(path: list[str | int]) -> str:
    """A JSON path as errors name it: ``$`` for the root, ``actor.name``, ``$[0]``."""
    parts: list[str] = []
    for part in path:
        if isinstance(part, int):
            parts.append(f"[{part}]")
        elif _NAME.fullmatch(part):
            parts.append(f".{part}" if parts else part)
        else:
            parts.append(f"[{json.dumps(part)}]")
    rendered = "".join(parts)
    return "$" + rendered if not rendered or rendered[0] == "[" else rendered


def value_problem(
    value: Any, path: tuple[str | int, ...] = (), depth: int = 0
) -> CanonicalJSONError | None:
    """The first reason ``value`` is not acceptable JSON, with its path, or None."""
    if isinstance(value, _Problem):
        key = () if value.key is None else (value.key,)
        return CanonicalJSONError(value.message, field=render_path([*path, *key]))
    if isinstance(value, dict | list):
        if depth >= MAX_DEPTH:
            return CanonicalJSONError(
                f"nested deeper than {MAX_DEPTH} levels", field=render_path([*path])
            )
        if isinstance(value, list):
            return _first(value_problem(v, (*path, i), depth + 1) for i, v in enumerate(value))
        return _first(_member_problem(k, v, path, depth + 1) for k, v in value.items())
    message = scalar_problem(value)
    return None if message is None else CanonicalJSONError(message, field=render_path([*path]))


def _member_problem(
    key: Any, value: Any, path: tuple[str | int, ...], depth: int
) -> CanonicalJSONError | None:
    if not isinstance(key, str):
        return CanonicalJSONError(f"object key {key!r} is not a string", field=render_path([*path]))
    if _SURROGATE.search(key):
        return CanonicalJSONError("lone surrogate in a key", field=render_path([*path, key]))
    return value_problem(value, (*path, key), depth)


def scalar_problem(value: Any) -> str | None:
    """Why a value that is not a container is not acceptable JSON, or None."""
    if isinstance(value, str):
        return "lone surrogate in a string (RFC 7493 §2.1)" if _SURROGATE.search(value) else None
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return (
            "integer outside ±(2**53-1) (RFC 7493 §2.2)" if abs(value) > MAX_SAFE_INTEGER else None
        )
    if isinstance(value, float):
        problem = float_problem(value)
        return None if problem is None else f"number {value}: {problem}"
    return f"{type(value).__name__} is not a JSON value"


def _first(problems: Iterable[CanonicalJSONError | None]) -> CanonicalJSONError | None:
    return next((p for p in problems if p is not None), None)
