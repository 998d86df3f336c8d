"""verifier.canonical: strict parsing, RFC 8785 serialization, leaves and commitments.

RFC 8785 vectors: the §3.2.2 sample and §3.2.3 sorting example of the RFC, its
Appendix B number table, and the "weird" property-sorting vector of the reference
implementation (cyberphone/json-canonicalization testdata). ``rfc8785.dumps`` is the
oracle for everything generated.
"""

from __future__ import annotations

import collections
import dataclasses
import enum
import hashlib
import json
import struct
import types
from typing import Any

import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from verifier import canonical
from verifier.canonical import (
    MAX_DEPTH,
    MAX_SAFE_INTEGER,
    Leaf,
    LeafEvent,
    LeafSource,
    canonicalize,
    check_commitment,
    commitment,
    leaf_bytes,
    new_salt,
    parse_json,
    parse_leaf,
)
from verifier.errors import (
    CanonicalJSONError,
    CommitmentError,
    MalformedError,
    VerificationError,
)
from verifier.hashing import HashAlgorithm

# -- strict parsing ---------------------------------------------------------------------

DEEP = "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1)
DEEP_FIELD = "$" + "[0]" * MAX_DEPTH

BAD_JSON: list[tuple[str, bytes | str, str]] = [
    ("duplicate key", b'{"a":1,"a":2}', "a"),
    ("nested duplicate", b'{"actor":{"name":"x","name":"y"}}', "actor.name"),
    (
        "duplicate in array",
        b'{"documents":[{},{},{"sha256":"a","sha256":"b"}]}',
        "documents[2].sha256",
    ),
    ("duplicate deep", b'[1,{"b":[true,{"c":null,"c":0}]}]', "$[1].b[1].c"),
    ("duplicate after escape", b'{"a":1,"\\u0061":2}', "a"),
    ("NaN", b"[NaN]", "$[0]"),
    ("Infinity", b'{"n":Infinity}', "n"),
    ("-Infinity", b'{"n":-Infinity}', "n"),
    ("overflow", b'{"n":1e400}', "n"),
    ("negative overflow", b'{"n":-1e400}', "n"),
    ("underflow to zero", b'{"n":1e-400}', "n"),
    ("integer 2**53", b'{"id":9007199254740992}', "id"),
    ("integer -2**53", b'{"id":-9007199254740992}', "id"),
    ("huge integer", b'{"id":' + b"9" * 5000 + b"}", "id"),
    ("float that JCS writes as a big integer", b'{"n":1e20}', "n"),
    ("2**53 spelled as a float", b'{"n":9007199254740992.0}', "n"),
    ("escaped lone high surrogate", b'{"actor":{"name":"\\ud800"}}', "actor.name"),
    ("escaped lone low surrogate", b'{"s":"\\udc00x"}', "s"),
    ("reversed surrogate pair", b'{"s":"\\ude00\\ud83d"}', "s"),
    ("lone surrogate in a key", b'{"\\ud800":1}', '$["\\ud800"]'),
    ("raw lone surrogate in str", '{"s":"\ud800"}', "s"),
    ("UTF-8 encoded surrogate", b'{"s":"\xed\xa0\x80"}', "s"),
    ("invalid UTF-8", b'{"actor":{"name":"Zh\xff"}}', "actor.name"),
    ("overlong UTF-8", b'{"s":"\xc0\xaf"}', "s"),
    ("UTF-8 BOM", b"\xef\xbb\xbf{}", "$"),
    ("BOM in str", "\ufeff{}", "$"),
    ("UTF-16", '{"a":1}'.encode("utf-16-le"), "$"),
    ("trailing comma", b'{"a":[1,2,]}', "a[2]"),
    ("trailing comma in object", b'{"a":1,}', "$"),
    ("single quotes", b"{'a':1}", "$"),
    ("missing colon", b'{"a" 1}', "a"),
    ("leading zero", b'{"a":01}', "a"),
    ("bad literal", b'{"a":tru}', "a"),
    ("raw control character", b'{"a":"\x01"}', "a"),
    ("bad escape", b'{"a":"\\u00"}', "a"),
    ("empty", b"", "$"),
    ("extra data", b'{"a":1} x', "$"),
    ("spaces and dots in keys", b'{"a b":{"c.d":NaN}}', '$["a b"]["c.d"]'),
    ("Chinese key", '{"名前":{"x":NaN}}'.encode(), "名前.x"),
    ("too deep", DEEP, DEEP_FIELD),
    ("far too deep", "[" * 5000 + "]" * 5000, DEEP_FIELD),
    ("too deep objects", '{"a":' * 70 + "1" + "}" * 70, ".".join(["a"] * MAX_DEPTH)),
    ("not bytes or str", 42, "$"),  # type: ignore[list-item]
]


@pytest.mark.parametrize(
    ("data", "field"), [case[1:] for case in BAD_JSON], ids=[case[0] for case in BAD_JSON]
)
def test_strict_parsing_refuses_with_the_json_path(data: bytes | str, field: str) -> None:
    with pytest.raises(CanonicalJSONError) as info:
        parse_json(data)
    assert info.value.field == field
    assert info.value.code == "invalid_json"
    assert isinstance(info.value, MalformedError)


GOOD_JSON: list[tuple[bytes | str, Any]] = [
    ('{"actor":{"name":"张伟"},"note":"签名完成 ✅ 😀"}'.encode(), None),
    (
        b'{"actor":{"name":"\\u5f20\\u4f1f"},"e":"\\ud83d\\ude00"}',
        {"actor": {"name": "张伟"}, "e": "😀"},
    ),
    ('{"e":"😀"}', {"e": "😀"}),
    (b" [1, 2.5, -3, true, false, null] \n", [1, 2.5, -3, True, False, None]),
    (b'"x"', "x"),
    (b"0", 0),
    (b"-0", 0),
    (b"-0.0", -0.0),
    (b"0e-999", 0.0),
    (b"9007199254740991", MAX_SAFE_INTEGER),
    (b"-9007199254740991", -MAX_SAFE_INTEGER),
    (b"9007199254740991.0", float(MAX_SAFE_INTEGER)),
    (b"1e21", 1e21),
    (b"1.7976931348623157e308", 1.7976931348623157e308),
    (b"5e-324", 5e-324),
    (b'"\\u2028/\\/\\u007f"', "\u2028//\x7f"),
    (bytearray(b'{"a":[]}'), {"a": []}),
    ("[" * MAX_DEPTH + "]" * MAX_DEPTH, json.loads("[" * MAX_DEPTH + "]" * MAX_DEPTH)),
]


@pytest.mark.parametrize(("data", "expected"), GOOD_JSON)
def test_strict_parsing_accepts_i_json(data: bytes | str, expected: Any) -> None:
    value = parse_json(data)
    assert value == (json.loads(data) if expected is None else expected)


def test_both_depth_checks_agree() -> None:
    """The tree walk (just too deep) and the RecursionError path (far too deep) agree."""
    for pairs in (MAX_DEPTH // 2 + 1, MAX_DEPTH, 900, 5000):
        with pytest.raises(CanonicalJSONError) as info:
            parse_json('{"x":[' * pairs + "]}" * pairs)
        assert info.value.field == "x[0]" + ".x[0]" * (MAX_DEPTH // 2 - 1)


# -- canonical serialization: RFC 8785 vectors ------------------------------------------

RFC_SAMPLE = r"""{
  "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
  "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
  "literals": [null, true, false]
}"""
RFC_SAMPLE_CANONICAL = (
    r"""{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"""
    r""""string":"€$\u000f\nA'B\"\\\\\"/"}"""
)


def test_rfc8785_sample() -> None:
    """RFC 8785 §3.2.2-3.2.4."""
    canonical = canonicalize(parse_json(RFC_SAMPLE))
    assert canonical == RFC_SAMPLE_CANONICAL.encode()
    assert canonical.hex().startswith("7b226c69")
    assert canonical.hex().endswith("2f227d")


def test_rfc8785_property_sorting() -> None:
    """RFC 8785 §3.2.3: keys sort by UTF-16 code units, so 😀 (0xD83D...) sorts before דּ."""
    text = r"""{
      "\u20ac": "Euro Sign",
      "\r": "Carriage Return",
      "\ufb33": "Hebrew Letter Dalet With Dagesh",
      "1": "One",
      "\ud83d\ude00": "Emoji: Grinning Face",
      "\u0080": "Control",
      "\u00f6": "Latin Small Letter O With Diaeresis"
    }"""
    canonical = canonicalize(parse_json(text))
    assert list(json.loads(canonical).values()) == [
        "Carriage Return",
        "One",
        "Control",
        "Latin Small Letter O With Diaeresis",
        "Euro Sign",
        "Emoji: Grinning Face",
        "Hebrew Letter Dalet With Dagesh",
    ]


def test_reference_weird_vector() -> None:
    """cyberphone/json-canonicalization testdata "weird": sorting and escaping together."""
    text = r"""{
      "\u20ac": "Euro Sign", "\r": "Carriage Return", "\u000a": "Newline", "1": "One",
      "\u0080": "Control\u007f", "\ud83d\ude02": "Smiley",
      "\u00f6": "Latin Small Letter O With Diaeresis",
      "\ufb33": "Hebrew Letter Dalet With Dagesh", "</script>": "Browser Challenge"
    }"""
    expected = (
        '{"\\n":"Newline","\\r":"Carriage Return","1":"One","</script>":"Browser Challenge",'
        '"\u0080":"Control\u007f","\u00f6":"Latin Small Letter O With Diaeresis",'
        '"\u20ac":"Euro Sign","\U0001f602":"Smiley","\ufb33":"Hebrew Letter Dalet With Dagesh"}'
    )
    assert canonicalize(parse_json(text)) == expected.encode()


# RFC 8785 Appendix B: IEEE 754 bit patterns and their JCS text.
APPENDIX_B = [
    ("0000000000000000", "0"),
    ("8000000000000000", "0"),
    ("0000000000000001", "5e-324"),
    ("8000000000000001", "-5e-324"),
    ("7fefffffffffffff", "1.7976931348623157e+308"),
    ("ffefffffffffffff", "-1.7976931348623157e+308"),
    ("4340000000000000", "9007199254740992"),
    ("c340000000000000", "-9007199254740992"),
    ("4430000000000000", "295147905179352830000"),
    ("44b52d02c7e14af5", "9.999999999999997e+22"),
    ("44b52d02c7e14af6", "1e+23"),
    ("44b52d02c7e14af7", "1.0000000000000001e+23"),
    ("444b1ae4d6e2ef4e", "999999999999999700000"),
    ("444b1ae4d6e2ef4f", "999999999999999900000"),
    ("444b1ae4d6e2ef50", "1e+21"),
    ("3eb0c6f7a0b5ed8c", "9.999999999999997e-7"),
    ("3eb0c6f7a0b5ed8d", "0.000001"),
    ("41b3de4355555553", "333333333.3333332"),
    ("41b3de4355555554", "333333333.33333325"),
    ("41b3de4355555555", "333333333.3333333"),
    ("41b3de4355555556", "333333333.3333334"),
    ("41b3de4355555557", "333333333.33333343"),
    ("becbf647612f3696", "-0.0000033333333333333333"),
    ("43143ff3c1cb0959", "1424953923781206.2"),
]


@pytest.mark.parametrize(("bits", "expected"), APPENDIX_B)
def test_rfc8785_appendix_b_numbers(bits: str, expected: str) -> None:
    value = struct.unpack(">d", bytes.fromhex(bits))[0]
    assert rfc8785.dumps(value) == expected.encode()
    if MAX_SAFE_INTEGER < abs(value) < 1e21:
        # Plain digits outside ±(2**53-1): refused both ways (see the module doc).
        for refused in (lambda: canonicalize(value), lambda: parse_json(expected)):
            with pytest.raises(CanonicalJSONError):
                refused()
    else:
        assert canonicalize(value) == expected.encode()
        assert parse_json(expected) == value


# -- canonical serialization: the fast path ---------------------------------------------

EVERY_CHARACTER = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF)


def test_fast_path_escapes_every_code_point_as_rfc8785() -> None:
    assert canonical._simple(EVERY_CHARACTER, 0)  # the fast path is what is compared
    assert canonicalize(EVERY_CHARACTER) == rfc8785.dumps(EVERY_CHARACTER)
    keys = {chr(c): c for c in range(0x800)} | {c: 0 for c in "\u2028\u2029\ue000\uffff"}
    assert canonical._simple(keys, 0)
    assert canonicalize(keys) == rfc8785.dumps(keys)


def test_supplementary_keys_leave_the_fast_path() -> None:
    # Code points put \U0001f600 after \ue000; UTF-16 (0xD83D) puts it before.
    value = {"\ue000": 1, "\U0001f600": 2}
    assert not canonical._simple(value, 0)
    assert canonicalize(value) == '{"\U0001f600":2,"\ue000":1}'.encode()


def test_typical_event_takes_the_fast_path() -> None:
    assert canonical._simple(EVENT, 0)
    assert canonicalize(EVENT) == rfc8785.dumps(EVENT)


class Colour(enum.IntEnum):
    RED = 1


class Shape(enum.StrEnum):
    ROUND = "round"


@pytest.mark.parametrize(
    "value",
    [
        {"c": Colour.RED, "s": Shape.ROUND},
        collections.OrderedDict([("b", 1), ("a", [1.5, "x"])]),
        {"x": -0.0, "y": 1.0, "z": [1e21, 5e-324, 0.1]},
        [],
        {},
        "",
    ],
)
def test_subclasses_and_floats_match_rfc8785(value: Any) -> None:
    assert canonicalize(value) == rfc8785.dumps(value)


CYCLE: list[Any] = []
CYCLE.append(CYCLE)

NOT_CANONICALIZABLE: list[tuple[str, Any, str]] = [
    ("tuple", {"a": (1, 2)}, "a"),
    ("set", {"a": [0, {1, 2}]}, "a[1]"),
    ("bytes", b"x", "$"),
    ("int key", {"a": {1: "x"}}, "a"),
    ("other mapping", {"m": types.MappingProxyType({})}, "m"),
    ("object", {"o": object()}, "o"),
    ("NaN", {"n": float("nan")}, "n"),
    ("infinity", [float("-inf")], "$[0]"),
    ("integer 2**53", {"n": 2**53}, "n"),
    ("integer -2**53", {"n": -(2**53)}, "n"),
    ("float 1e20", {"n": 1e20}, "n"),
    ("lone surrogate", {"s": "a\ud800"}, "s"),
    ("lone surrogate in a float-holding value", {"s": "\udfff", "f": 1.5}, "s"),
    ("lone surrogate key", {"k\udfff": 1}, '$["k\\udfff"]'),
    ("too deep", json.loads(DEEP), DEEP_FIELD),
    ("cycle", CYCLE, DEEP_FIELD),
]


@pytest.mark.parametrize(
    ("value", "field"),
    [case[1:] for case in NOT_CANONICALIZABLE],
    ids=[case[0] for case in NOT_CANONICALIZABLE],
)
def test_canonicalize_refuses_what_jcs_cannot_encode(value: Any, field: str) -> None:
    with pytest.raises(CanonicalJSONError) as info:
        canonicalize(value)
    assert info.value.field == field


# -- properties against rfc8785 ---------------------------------------------------------

# Characters where UTF-16 and code-point order part, plus escapes and edge cases.
TRICKY = '\ue000\uffff\ufb33\U0001f600\U00010000\U0010ffff\ud7ff\x00\x1f\x7f\u2028/"\\a'
characters = st.characters(codec="utf-8")  # every code point but the surrogates
keys = st.text(st.sampled_from(TRICKY) | characters, max_size=4)
integers = st.integers(-MAX_SAFE_INTEGER, MAX_SAFE_INTEGER)
floats = st.floats(allow_nan=False, allow_infinity=False).filter(
    lambda f: not MAX_SAFE_INTEGER < abs(f) < 1e21
)


def json_values(numbers: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    scalars = st.none() | st.booleans() | numbers | st.text(characters)
    return st.recursive(
        scalars,
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=5),
        max_leaves=20,
    )


@settings(max_examples=300, deadline=None)
@given(json_values(integers | floats))
def test_canonicalize_is_rfc8785_and_parses_back(value: Any) -> None:
    canonical_bytes = canonicalize(value)
    assert canonical_bytes == rfc8785.dumps(value)
    assert parse_json(canonical_bytes) == value


@settings(max_examples=300, deadline=None)
@given(json_values(integers))
def test_fast_path_is_rfc8785(value: Any) -> None:
    """Without floats most values take the fast path; it must agree all the same."""
    assert canonicalize(value) == rfc8785.dumps(value)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(keys, st.integers(0, 9), min_size=2, max_size=8))
def test_key_order_is_utf16(value: dict[str, int]) -> None:
    order = list(json.loads(canonicalize(value)))
    assert order == sorted(value, key=lambda k: k.encode("utf-16-be"))


# -- commitments and leaves -------------------------------------------------------------

EVENT: dict[str, Any] = {
    "event_id": "evt_01JD8Z3K4M5N6P7Q8R9S0T1V2W",
    "type": "envelope.completed",
    "occurred_at": "2026-11-22T17:03:01.120+08:00",
    "envelope_id": "env-7f3a9c2e",
    "actor": {"name": "张伟", "email": "zhang.wei@example.com", "ip": "203.0.113.42"},
    "documents": [
        {"name": "合同.pdf", "sha256": "9f86d081884c7d659a2feaa0c55ad015" * 2, "size": 12034},
        {"name": "Annexe 1 ✍️.pdf", "sha256": "60303ae22b998861bce3b28f33eec1be" * 2, "size": 2},
    ],
    "data": {"recipient_count": 2, "reminders": [False, True], "note": None},
}
SALT = bytes(range(32))
SOURCE = {"channel": "webhook", "delivery_sha256": "ab" * 32, "authenticated": "hmac"}


def leaf_kwargs(**changes: Any) -> dict[str, Any]:
    kwargs: dict[str, Any] = {
        "log": "ledger.example.com/log/1",
        "seq": 41,
        "received_at": "2026-11-22T17:03:04.123456Z",
        "tenant": "acme",
        "source": SOURCE,
        "event": EVENT,
        "commitment": commitment(SALT, EVENT),
    }
    return kwargs | changes


def test_commitment_is_hash_of_salt_and_jcs() -> None:
    expected = hashlib.sha256(SALT + rfc8785.dumps(EVENT)).hexdigest()
    assert commitment(SALT, EVENT) == expected
    assert commitment(SALT, types.MappingProxyType(EVENT)) == expected
    sha512 = HashAlgorithm("sha-512", 64, hashlib.sha512)
    assert (
        commitment(SALT, EVENT, sha512) == hashlib.sha512(SALT + rfc8785.dumps(EVENT)).hexdigest()
    )


@pytest.mark.parametrize("salt", [bytes(31), bytes(33), b"", "0" * 32])
def test_commitment_needs_a_32_byte_salt(salt: Any) -> None:
    with pytest.raises(MalformedError, match="salt must be 32 bytes"):
        commitment(salt, EVENT)


def test_new_salt() -> None:
    salts = {new_salt() for _ in range(8)}
    assert len(salts) == 8
    assert all(isinstance(s, bytes) and len(s) == 32 for s in salts)


def test_leaf_round_trip() -> None:
    data = leaf_bytes(**leaf_kwargs())
    leaf = parse_leaf(data)
    assert leaf == Leaf(
        v=1,
        log="ledger.example.com/log/1",
        seq=41,
        received_at="2026-11-22T17:03:04.123456Z",
        tenant="acme",
        source=LeafSource(**SOURCE),
        event=LeafEvent(
            event_id=EVENT["event_id"],
            type=EVENT["type"],
            occurred_at=EVENT["occurred_at"],
            envelope_id=EVENT["envelope_id"],
        ),
        commitment=commitment(SALT, EVENT),
    )
    assert canonicalize(dataclasses.asdict(leaf)) == data
    assert data.startswith(b'{"commitment":"')
    assert b'"v":1}' in data
    # Only the four clear fields show; the rest of the event is only committed.
    assert "张伟".encode() not in data
    assert b"documents" not in data
    with pytest.raises(dataclasses.FrozenInstanceError):
        leaf.seq = 42  # type: ignore[misc]


def test_leaf_with_another_hash_algorithm() -> None:
    sha512 = HashAlgorithm("sha-512", 64, hashlib.sha512)
    data = leaf_bytes(**leaf_kwargs(commitment=commitment(SALT, EVENT, sha512)), alg=sha512)
    assert parse_leaf(data, sha512).commitment == commitment(SALT, EVENT, sha512)
    with pytest.raises(CanonicalJSONError) as info:
        parse_leaf(data)
    assert info.value.field == "commitment"


def reencode(data: bytes, **options: Any) -> bytes:
    return json.dumps(json.loads(data), **options).encode()


@pytest.mark.parametrize(
    "change",
    [
        lambda d: d.replace(b'":', b'": ', 1),  # a space
        lambda d: d + b"\n",
        lambda d: b" " + d,
        lambda d: json.dumps(dict(reversed(json.loads(d).items()))).encode(),
        lambda d: reencode(d, sort_keys=True, separators=(",", ":")),  # \u escapes
        lambda d: d.replace(b'"seq":41', b'"seq":41.0'),
        lambda d: d.replace(b'"seq":41', b'"seq":4.1e1'),
        lambda d: d.replace(b'"log":"l', b'"log":"\\u006c'),
    ],
    ids=["space", "newline", "leading space", "key order", "ascii escapes", "41.0", "4.1e1", "esc"],
)
def test_non_canonical_leaf_bytes_are_refused(change: Any) -> None:
    data = leaf_bytes(**leaf_kwargs(tenant="租户"))
    changed = change(data)
    assert changed != data
    assert json.loads(changed) == json.loads(data)
    with pytest.raises(CanonicalJSONError, match="canonical") as info:
        parse_leaf(changed)
    assert info.value.field == "$"


def leaf_object() -> dict[str, Any]:
    value: dict[str, Any] = json.loads(leaf_bytes(**leaf_kwargs()))
    return value


def with_change(path: str, new: Any) -> bytes:
    """Canonical leaf bytes with ``path`` (dotted) set to ``new``, or removed if it is ``...``."""
    value = leaf_object()
    *parents, last = path.split(".")
    target = value
    for key in parents:
        target = target[key]
    if new is Ellipsis:
        del target[last]
    else:
        target[last] = new
    return canonicalize(value)


BAD_LEAVES: list[tuple[str, Any, str]] = [
    ("v", 2, "v"),
    ("v", True, "v"),
    ("v", "1", "v"),
    ("seq", -1, "seq"),
    ("seq", "41", "seq"),
    ("seq", 41.5, "seq"),
    ("seq", True, "seq"),
    ("received_at", "2026-11-22T17:03:04Z", "received_at"),
    ("received_at", "2026-11-22T17:03:04.123456+00:00", "received_at"),
    ("received_at", "2026-13-22T17:03:04.123456Z", "received_at"),
    ("received_at", "2026-02-30T17:03:04.123456Z", "received_at"),
    ("received_at", "2026-11-22 17:03:04.123456Z", "received_at"),
    ("received_at", "２０２６-11-22T17:03:04.123456Z", "received_at"),
    ("received_at", None, "received_at"),
    ("log", "", "log"),
    ("log", 5, "log"),
    ("tenant", ["acme"], "tenant"),
    ("tenant", ..., "tenant"),
    ("extra", 1, "extra"),
    ("source", [], "source"),
    ("source.extra", "x", "source.extra"),
    ("source.delivery_sha256", ..., "source.delivery_sha256"),
    ("source.delivery_sha256", "AB" * 32, "source.delivery_sha256"),
    ("source.delivery_sha256", "ab" * 31, "source.delivery_sha256"),
    ("source.authenticated", "password", "source.authenticated"),
    ("source.channel", "", "source.channel"),
    ("event.actor", {"name": "张伟"}, "event.actor"),
    ("event.type", 5, "event.type"),
    ("event.envelope_id", None, "event.envelope_id"),
    ("event.event_id", ..., "event.event_id"),
    ("commitment", "ab" * 31, "commitment"),
    ("commitment", "AB" * 32, "commitment"),
    ("commitment", "xy" * 32, "commitment"),
]


@pytest.mark.parametrize(
    ("path", "new", "field"), BAD_LEAVES, ids=[f"{p}={n!r}" for p, n, _ in BAD_LEAVES]
)
def test_leaf_schema_is_exact(path: str, new: Any, field: str) -> None:
    with pytest.raises(CanonicalJSONError) as info:
        parse_leaf(with_change(path, new))
    assert info.value.field == field


@pytest.mark.parametrize(
    ("data", "field"),
    [(b"[]", "$"), (b'{"v":1}', "log"), (b'{"a":1,"a":2}', "a"), (b"\xff", "$")],
)
def test_leaf_must_be_a_json_object(data: bytes, field: str) -> None:
    with pytest.raises(CanonicalJSONError) as info:
        parse_leaf(data)
    assert info.value.field == field


def test_parse_leaf_takes_bytes() -> None:
    with pytest.raises(CanonicalJSONError):
        parse_leaf(leaf_bytes(**leaf_kwargs()).decode())  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"seq": True}, "seq"),
        ({"seq": 2**53}, "seq"),
        ({"source": SOURCE | {"extra": "x"}}, "source.extra"),
        ({"source": {"channel": "webhook"}}, "source.delivery_sha256"),
        ({"event": {k: v for k, v in EVENT.items() if k != "envelope_id"}}, "event.envelope_id"),
        ({"event": EVENT | {"type": 7}}, "event.type"),
        ({"event": ["not", "an", "object"]}, "event"),
        ({"received_at": "2026-11-22T17:03:04.123Z"}, "received_at"),
        ({"commitment": "0" * 63}, "commitment"),
    ],
)
def test_leaf_bytes_checks_its_inputs(changes: dict[str, Any], field: str) -> None:
    with pytest.raises(CanonicalJSONError) as info:
        leaf_bytes(**leaf_kwargs(**changes))
    assert info.value.field == field


def test_check_commitment_accepts_the_committed_event() -> None:
    leaf = parse_leaf(leaf_bytes(**leaf_kwargs()))
    check_commitment(leaf, EVENT, SALT)
    check_commitment(leaf, dict(reversed(list(EVENT.items()))), SALT)  # key order is free
    check_commitment(leaf, parse_json(canonicalize(EVENT)), SALT)


def flip_bit(data: bytes, bit: int) -> bytes:
    out = bytearray(data)
    out[bit // 8] ^= 1 << (bit % 8)
    return bytes(out)


@pytest.mark.parametrize("bit", [0, 7, 100, 255])
def test_check_commitment_detects_a_changed_salt(bit: int) -> None:
    leaf = parse_leaf(leaf_bytes(**leaf_kwargs()))
    with pytest.raises(CommitmentError) as info:
        check_commitment(leaf, EVENT, flip_bit(SALT, bit))
    assert info.value.code == "commitment_mismatch"
    assert info.value.expected == leaf.commitment


@pytest.mark.parametrize(
    "changed",
    [
        EVENT | {"actor": EVENT["actor"] | {"name": "张伟 "}},
        EVENT | {"documents": EVENT["documents"][:1]},
        EVENT | {"data": EVENT["data"] | {"recipient_count": 3}},
        EVENT | {"data": EVENT["data"] | {"recipient_count": 2.5}},
        EVENT | {"extra": None},
        {k: v for k, v in EVENT.items() if k != "data"},
    ],
)
def test_check_commitment_detects_a_changed_committed_field(changed: dict[str, Any]) -> None:
    leaf = parse_leaf(leaf_bytes(**leaf_kwargs()))
    with pytest.raises(CommitmentError, match="commitment"):
        check_commitment(leaf, changed, SALT)


@pytest.mark.parametrize("key", ["event_id", "type", "occurred_at", "envelope_id"])
def test_check_commitment_detects_a_changed_clear_field(key: str) -> None:
    leaf = parse_leaf(leaf_bytes(**leaf_kwargs()))
    changed = EVENT | {key: EVENT[key] + "x"}
    with pytest.raises(CommitmentError) as info:
        check_commitment(leaf, changed, SALT)
    assert (info.value.expected, info.value.actual) == (EVENT[key], EVENT[key] + "x")
    assert isinstance(info.value, VerificationError)
    # A leaf whose clear fields were altered no longer matches its event either.
    forged = dataclasses.replace(leaf, event=dataclasses.replace(leaf.event, **{key: "x"}))
    with pytest.raises(CommitmentError):
        check_commitment(forged, EVENT, SALT)
