"""verifier.jcs: RFC 8785 serialization.

RFC 8785 vectors: the §3.2.2 sample and §3.2.3 sorting example of the RFC, its
Appendix B number table, and the "weird" property-sorting vector of the reference
implementation (cyberphone/json-canonicalization testdata). ``rfc8785.dumps`` is the
oracle for everything generated; the fast path is compared with it over every code point.
"""

from __future__ import annotations

import collections
import enum
import json
import struct
import types
from typing import Any

import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.verifier.values import DEEP, DEEP_FIELD, EVENT
from verifier import jcs
from verifier.errors import (
    CanonicalJSONError,
)
from verifier.ijson import MAX_SAFE_INTEGER, parse_json
from verifier.jcs import canonicalize

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
    assert jcs._simple(EVERY_CHARACTER, 0)  # the fast path is what is compared
    assert canonicalize(EVERY_CHARACTER) == rfc8785.dumps(EVERY_CHARACTER)
    keys = {chr(c): c for c in range(0x800)} | {c: 0 for c in "\u2028\u2029\ue000\uffff"}
    assert jcs._simple(keys, 0)
    assert canonicalize(keys) == rfc8785.dumps(keys)


def test_supplementary_keys_leave_the_fast_path() -> None:
    # Code points put \U0001f600 after \ue000; UTF-16 (0xD83D) puts it before.
    value = {"\ue000": 1, "\U0001f600": 2}
    assert not jcs._simple(value, 0)
    assert canonicalize(value) == '{"\U0001f600":2,"\ue000":1}'.encode()


def test_typical_event_takes_the_fast_path() -> None:
    assert jcs._simple(EVENT, 0)
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
