"""verifier.ijson: strict I-JSON parsing (RFC 7493), the JSON path of every error, and
the depth measured on the text (checked against the real depth of generated values)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.verifier.values import DEEP, DEEP_FIELD
from verifier import ijson
from verifier.errors import (
    CanonicalJSONError,
    MalformedError,
)
from verifier.ijson import MAX_DEPTH, MAX_SAFE_INTEGER, parse_json

# -- strict parsing ---------------------------------------------------------------------


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


# Strings full of what could confuse a scan of the text: brackets, quotes, backslashes.
TRICKY = st.text(st.sampled_from('[]{}"\\/:,ab \n\u00e9\u2028\U0001f600'), max_size=8)
SCALARS = st.none() | st.booleans() | st.integers(-(2**53) + 1, 2**53 - 1) | TRICKY


def json_values(max_leaves: int = 40) -> st.SearchStrategy[Any]:
    return st.recursive(
        SCALARS,
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TRICKY, inner, max_size=4),
        max_leaves=max_leaves,
    )


def depth(value: Any) -> int:
    if isinstance(value, list):
        return 1 + max((depth(v) for v in value), default=0)
    if isinstance(value, dict):
        return 1 + max((depth(v) for v in value.values()), default=0)
    return 0


def nest(value: Any, levels: int, key: str) -> Any:
    for i in range(levels):
        value = {key: value} if i % 2 else [key, value]
    return value


@settings(max_examples=400, deadline=None)
@given(json_values(), st.integers(0, 12), st.sampled_from([None, 1]), st.booleans())
def test_measured_depth_is_the_real_depth(
    value: Any, limit: int, indent: int | None, ascii_only: bool
) -> None:
    text = json.dumps(value, indent=indent, ensure_ascii=ascii_only)
    assert ijson._nests_deeper(text, limit) == (depth(value) > limit)


@settings(max_examples=150, deadline=None)
@given(json_values(10), st.integers(MAX_DEPTH - 3, MAX_DEPTH + 3), TRICKY)
def test_parse_json_refuses_deep_values_however_strings_look(
    value: Any, levels: int, key: str
) -> None:
    nested = nest(value, levels, key)
    text = json.dumps(nested, ensure_ascii=False)
    if depth(nested) > MAX_DEPTH:
        with pytest.raises(CanonicalJSONError, match="nested deeper"):
            parse_json(text)
    else:
        assert parse_json(text) == nested


def test_brackets_in_strings_do_not_count() -> None:
    text = json.dumps({"a": "[" * 500, "b": ["{" * 70, "\\" * 3 + '"[[', {"c": "]]]"}]})
    assert parse_json(text) == json.loads(text)
    assert parse_json(text.encode()) == json.loads(text)
