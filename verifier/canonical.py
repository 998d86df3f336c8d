"""Canonical JSON, strict parsing, leaves and commitments (EVIDENCE-FORMAT §1-2).

``parse_json`` reads incoming JSON as I-JSON (RFC 7493) and nothing looser: no
duplicate keys at any depth, no NaN or Infinity, no lone surrogates, no invalid
UTF-8, no byte order mark, integers within ±(2**53-1), no number that overflows
binary64 or underflows from a non-zero literal to zero, and at most ``MAX_DEPTH``
nested arrays and objects. Every error is a ``CanonicalJSONError`` whose ``field``
is the JSON path of the problem ("$" is the root, then ``actor.name``,
``documents[2].sha256``, ``$[0]``, ``["key with spaces"]``).

``canonicalize`` is RFC 8785 (JCS) as UTF-8 bytes, checked against the ``rfc8785``
package. That package is several times slower than ``json.dumps``, so values whose
JCS form ``json.dumps`` already produces take a fast path; a scan of the value decides.
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

- ``-0`` and ``-0.0`` are accepted: RFC 8785 §3.2.2.3 serializes them as ``0``, so
  they commit as ``0`` does.
- A float literal that rounds to infinity (``1e400``) or to zero from a non-zero
  value (``1e-400``) is refused rather than silently changed; ordinary rounding to
  the nearest binary64 (``0.1``) is what I-JSON expects and is accepted.
- A number of magnitude above 2**53-1 and below 1e21 is refused by both functions
  even when spelled as a float (``1e20``, ``9007199254740992.0``): JCS writes it as
  plain digits, an integer literal outside the I-JSON range that ``parse_json``
  refuses, so accepting it would commit to bytes the verifier cannot read back. From
  1e21 JCS uses an exponent (``1e+21``) and floats are accepted up to binary64's limit.
- ``canonicalize`` takes the values ``parse_json`` returns (dict with str keys, list,
  str, int, float, bool, None) and their subclasses. Tuples, sets, bytes and other
  mappings are refused, although ``rfc8785`` encodes a tuple as an array: the
  evidence is what was parsed, and ``parse_json(canonicalize(x)) == x`` must hold.
- The same depth cap applies to both directions, so what one accepts the other does.
"""

from __future__ import annotations

import json
import math
import re
import secrets
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import accumulate
from typing import Any

import rfc8785

from verifier.errors import CanonicalJSONError, CommitmentError, MalformedError
from verifier.hashing import SHA256, HashAlgorithm

MAX_DEPTH = 64
"""Most arrays and objects nested inside each other; the root container is level 1."""

MAX_SAFE_INTEGER = 2**53 - 1
"""RFC 7493 §2.2: integers beyond this lose precision as binary64."""

SALT_SIZE = 32
LEAF_VERSION = 1
AUTHENTICATION_METHODS = frozenset({"api-key", "hmac", "shared-secret", "client-id-echo"})
LEAF_KEYS = ("v", "log", "seq", "received_at", "tenant", "source", "event", "commitment")
SOURCE_KEYS = ("channel", "delivery_sha256", "authenticated")
CLEAR_EVENT_KEYS = ("event_id", "type", "occurred_at", "envelope_id")
"""The event fields a leaf shows in clear; the rest of the event is only committed."""
_JCS_EVENT_KEYS = tuple(sorted(CLEAR_EVENT_KEYS))  # their order in a leaf's JCS

# -- strict parsing ------------------------------------------------------------------


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
    problem = _float_problem(value)
    if problem is not None:
        raise _Problem(f"number {text[:40]}: {problem}")
    return value


def _float_problem(value: float) -> str | None:
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
        raise _problem_in(located) or CanonicalJSONError("invalid JSON", field="$") from None
    # Hooks cannot see depth or escaped surrogates; walk only if the text could hide them.
    # Fewer brackets than the cap bound the depth, else the depth is measured on the text;
    # encoding to UTF-8 (in C) is a quicker test for lone surrogates than the walk, which
    # is left to name the path.
    deep = text.count("[") + text.count("{") > MAX_DEPTH and _nests_deeper(text, MAX_DEPTH)
    if deep or (_SURROGATE_ESCAPE.search(text) and not _utf8_encodable(value)):
        problem = _problem_in(value)
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
        _ENCODER.encode(value).encode("utf-8")
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
    return _render([f.member for f in frames if f.member is not None])


def _key_text(lexeme: str) -> str:
    try:
        return str(json.loads(lexeme))
    except ValueError:
        return lexeme[1:-1]


def _render(path: list[str | int]) -> str:
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


def _problem_in(
    value: Any, path: tuple[str | int, ...] = (), depth: int = 0
) -> CanonicalJSONError | None:
    """The first reason ``value`` is not acceptable JSON, with its path, or None."""
    if isinstance(value, _Problem):
        key = () if value.key is None else (value.key,)
        return CanonicalJSONError(value.message, field=_render([*path, *key]))
    if isinstance(value, dict | list):
        if depth >= MAX_DEPTH:
            return CanonicalJSONError(
                f"nested deeper than {MAX_DEPTH} levels", field=_render([*path])
            )
        if isinstance(value, list):
            return _first(_problem_in(v, (*path, i), depth + 1) for i, v in enumerate(value))
        return _first(_member_problem(k, v, path, depth + 1) for k, v in value.items())
    message = _scalar_problem(value)
    return None if message is None else CanonicalJSONError(message, field=_render([*path]))


def _member_problem(
    key: Any, value: Any, path: tuple[str | int, ...], depth: int
) -> CanonicalJSONError | None:
    if not isinstance(key, str):
        return CanonicalJSONError(f"object key {key!r} is not a string", field=_render([*path]))
    if _SURROGATE.search(key):
        return CanonicalJSONError("lone surrogate in a key", field=_render([*path, key]))
    return _problem_in(value, (*path, key), depth)


def _scalar_problem(value: Any) -> str | None:
    if isinstance(value, str):
        return "lone surrogate in a string (RFC 7493 §2.1)" if _SURROGATE.search(value) else None
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return (
            "integer outside ±(2**53-1) (RFC 7493 §2.2)" if abs(value) > MAX_SAFE_INTEGER else None
        )
    if isinstance(value, float):
        problem = _float_problem(value)
        return None if problem is None else f"number {value}: {problem}"
    return f"{type(value).__name__} is not a JSON value"


def _first(problems: Iterable[CanonicalJSONError | None]) -> CanonicalJSONError | None:
    return next((p for p in problems if p is not None), None)


# -- canonical serialization ----------------------------------------------------------

# One encoder for every call: json.dumps() builds a new one for non-default options.
# Cycles need no check here: _simple() stops them at MAX_DEPTH first.
_ENCODER = json.JSONEncoder(
    sort_keys=True,
    separators=(",", ":"),
    ensure_ascii=False,
    allow_nan=False,
    check_circular=False,
)


_encode_string: Callable[[str], str] = json.encoder.encode_basestring  # what _ENCODER uses


class _Reject(Exception):
    """Raised by ``_simple`` for a value JCS cannot encode; ``_problem_in`` says why."""


def canonicalize(value: Any) -> bytes:
    """RFC 8785 (JCS) of ``value`` as UTF-8 bytes. Raises ``CanonicalJSONError``."""
    try:
        if _simple(value, 0):
            return _ENCODER.encode(value).encode("utf-8")
        return bytes(rfc8785.dumps(value))
    except (_Reject, ValueError, TypeError, RecursionError) as error:
        # UnicodeEncodeError (a lone surrogate) and rfc8785's errors are ValueErrors.
        problem = _problem_in(value) or CanonicalJSONError(f"cannot canonicalize: {error}")
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
        if _float_problem(value) is not None:
            raise _Reject
        return False
    if isinstance(value, dict):
        return _simple_object(value, depth + 1) and kind is dict
    if isinstance(value, list):
        return _simple_array(value, depth + 1) and kind is list
    if isinstance(value, int | float | str) and not _scalar_problem(value):
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


# -- commitments and leaves (EVIDENCE-FORMAT §2) ----------------------------------------


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
    event, commitment_ = events[0]
    first = leaf_bytes(
        log=log,
        seq=first_seq,
        received_at=received_at,
        tenant=tenant,
        source=source,
        event=event,
        commitment=commitment_,
        alg=alg,
    )
    shared = (log, received_at, tenant, *(source[k] for k in SOURCE_KEYS))
    if not all(type(text) is str for text in shared):
        middle = tail = ""  # not the common case: every leaf by leaf_bytes
    else:
        q = _encode_string
        middle = f',"log":{q(log)},"received_at":{q(received_at)},"seq":'
        tail = (
            f',"source":{{"authenticated":{q(source["authenticated"])},'
            f'"channel":{q(source["channel"])},"delivery_sha256":{q(source["delivery_sha256"])}}},'
            f'"tenant":{q(tenant)},"v":{LEAF_VERSION}}}'
        )
    leaves = [first]
    hex_size = 2 * alg.size
    for seq, (event, commitment_) in enumerate(events[1:], first_seq + 1):
        leaf = None
        if middle and seq <= MAX_SAFE_INTEGER and type(event) is dict:
            fields = [event.get(key) for key in _JCS_EVENT_KEYS]
            if (
                all(type(text) is str and text for text in fields)
                and type(commitment_) is str
                and len(commitment_) == hex_size
                and _HEX.fullmatch(commitment_)
            ):
                e = [_encode_string(text) for text in fields]  # type: ignore[arg-type]
                text = (
                    f'{{"commitment":"{commitment_}","event":{{"envelope_id":{e[0]},'
                    f'"event_id":{e[1]},"occurred_at":{e[2]},"type":{e[3]}}}'
                    f"{middle}{seq}{tail}"
                )
                try:
                    leaf = text.encode("utf-8")
                except UnicodeEncodeError:
                    leaf = None
        if leaf is None:
            leaf = leaf_bytes(
                log=log,
                seq=seq,
                received_at=received_at,
                tenant=tenant,
                source=source,
                event=event,
                commitment=commitment_,
                alg=alg,
            )
        leaves.append(leaf)
    return leaves


def _leaf_jcs(top: dict[str, Any], source: dict[str, Any], event: dict[str, Any]) -> bytes | None:
    """JCS of a checked leaf, assembled directly, or None to leave it to ``canonicalize``.

    After ``_check_leaf`` every member is a ``str`` but ``seq`` (an int in the I-JSON
    range) and ``v`` (1), and the keys are fixed and ASCII, so their order is known.
    Strings are escaped by the encoder ``canonicalize`` uses on its fast path; a subclass
    of str or a lone surrogate goes the general way, which also raises its error.
    """
    strings = (
        top["commitment"],
        event["envelope_id"],
        event["event_id"],
        event["occurred_at"],
        event["type"],
        top["log"],
        top["received_at"],
        source["authenticated"],
        source["channel"],
        source["delivery_sha256"],
        top["tenant"],
    )
    if not all(type(text) is str for text in strings):
        return None
    q = [_encode_string(text) for text in strings]
    text = (
        f'{{"commitment":{q[0]},"event":{{"envelope_id":{q[1]},"event_id":{q[2]},'
        f'"occurred_at":{q[3]},"type":{q[4]}}},"log":{q[5]},"received_at":{q[6]},'
        f'"seq":{int(top["seq"])},"source":{{"authenticated":{q[7]},"channel":{q[8]},'
        f'"delivery_sha256":{q[9]}}},"tenant":{q[10]},"v":{LEAF_VERSION}}}'
    )
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        return None


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

_HEX = re.compile(r"[0-9a-f]+")
_RECEIVED_AT = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}Z")


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
        raise CanonicalJSONError("must be a JSON object", field=_render([*path]))
    for key in keys:
        if key not in value:
            raise CanonicalJSONError("missing field", field=_render([*path, key]))
    for key in value:
        if key not in keys:
            raise CanonicalJSONError("unexpected field", field=_render([*path, str(key)]))
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
