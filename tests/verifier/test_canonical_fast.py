"""The quick paths of ``verifier.canonical`` give exactly what the slow ones give.

- ``parse_json`` measures the nesting depth on the text (brackets outside strings)
  instead of walking the parsed value: the measure equals the real depth;
- ``leaf_bytes`` assembles the leaf's JCS directly: the bytes equal ``rfc8785``'s.
"""

from __future__ import annotations

import itertools
import json
from datetime import datetime
from typing import Any

import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from verifier import canonical
from verifier.canonical import MAX_DEPTH, leaf_bytes, parse_json
from verifier.errors import CanonicalJSONError

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
    assert canonical._nests_deeper(text, limit) == (depth(value) > limit)


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


LEAF_STRINGS = st.text(
    st.characters(blacklist_categories=("Cs",)) | st.sampled_from('"\\\u007f\u2028\x00\x1f'),
    min_size=1,
    max_size=12,
)


@settings(max_examples=300, deadline=None)
@given(
    log=LEAF_STRINGS,
    tenant=LEAF_STRINGS,
    channel=LEAF_STRINGS,
    event=st.fixed_dictionaries({k: LEAF_STRINGS for k in canonical.CLEAR_EVENT_KEYS}),
    seq=st.integers(0, 2**53 - 1),
    received_at=st.sampled_from(["2026-11-22T17:03:04.123456Z", "2024-02-29T23:59:59.000000Z"]),
)
def test_leaf_bytes_are_rfc8785(
    log: str,
    tenant: str,
    channel: str,
    event: dict[str, str],
    seq: int,
    received_at: str,
) -> None:
    source = {"channel": channel, "delivery_sha256": "ab" * 32, "authenticated": "hmac"}
    commitment = "0f" * 32
    got = leaf_bytes(
        log=log,
        seq=seq,
        received_at=received_at,
        tenant=tenant,
        source=source,
        event=event | {"extra": 1.5},
        commitment=commitment,
    )
    leaf = {
        "v": 1,
        "log": log,
        "seq": seq,
        "received_at": received_at,
        "tenant": tenant,
        "source": source,
        "event": event,
        "commitment": commitment,
    }
    assert got == rfc8785.dumps(leaf)


def test_leaf_bytes_refuse_what_they_refused() -> None:
    base: dict[str, Any] = {
        "log": "log",
        "seq": 1,
        "received_at": "2026-11-22T17:03:04.123456Z",
        "tenant": "t",
        "source": {"channel": "api", "delivery_sha256": "ab" * 32, "authenticated": "hmac"},
        "event": dict.fromkeys(canonical.CLEAR_EVENT_KEYS, "x"),
        "commitment": "0f" * 32,
    }
    bad = [
        ({"received_at": "2026-02-30T17:03:04.123456Z"}, "received_at"),
        ({"received_at": "2026-02-28T17:03:04.123Z"}, "received_at"),
        ({"log": ""}, "log"),
        ({"seq": True}, "seq"),
        ({"event": dict.fromkeys(canonical.CLEAR_EVENT_KEYS, "\ud800")}, None),
    ]
    for change, field in bad:
        with pytest.raises(CanonicalJSONError) as info:
            leaf_bytes(**(base | change))
        if field is not None:
            assert info.value.field == field


def strptime_accepts(value: str) -> bool:
    try:
        datetime.strptime(value, "%Y-%m-%dT%H:%M:%S.%fZ")
    except ValueError:
        return False
    return True


def test_real_time_is_what_strptime_accepts() -> None:
    parts = itertools.product(
        ["0000", "0001", "1900", "2000", "2024", "2026", "9999"],
        ["00", "01", "02", "04", "12", "13"],
        ["00", "01", "28", "29", "30", "31", "32"],
        ["00", "23", "24"],
        ["00", "59", "60"],
        ["00", "59", "60", "61"],
    )
    for y, mo, d, h, mi, s in parts:
        value = f"{y}-{mo}-{d}T{h}:{mi}:{s}.000001Z"
        assert canonical._real_time(value) == strptime_accepts(value), value


LEAF_EVENT = st.fixed_dictionaries({k: LEAF_STRINGS for k in canonical.CLEAR_EVENT_KEYS})
BAD_LEAF_EVENT = st.fixed_dictionaries({"event_id": st.just("")})  # empty, and keys missing


@settings(max_examples=300, deadline=None)
@given(
    log=LEAF_STRINGS,
    tenant=LEAF_STRINGS,
    channel=LEAF_STRINGS,
    first_seq=st.integers(0, 2**53 - 1) | st.integers(2**53 - 3, 2**53 + 3),
    events=st.lists(
        st.tuples(
            st.integers(0, 9).flatmap(lambda i: LEAF_EVENT if i else BAD_LEAF_EVENT),
            st.sampled_from(["0f" * 32] * 20 + ["0F" * 32, "0f" * 31, "x"]),
        ),
        max_size=8,
    ),
)
def test_leaf_bytes_many_is_leaf_bytes_of_each(
    log: str, tenant: str, channel: str, first_seq: int, events: list[tuple[dict[str, str], str]]
) -> None:
    source = {"channel": channel, "delivery_sha256": "ab" * 32, "authenticated": "hmac"}
    shared: dict[str, Any] = {
        "log": log,
        "received_at": "2026-11-22T17:03:04.123456Z",
        "tenant": tenant,
        "source": source,
    }

    def one(seq: int, event: dict[str, str], commitment: str) -> bytes | str:
        try:
            return leaf_bytes(seq=seq, event=event, commitment=commitment, **shared)
        except CanonicalJSONError as e:
            return f"{e.message} at {e.field}"

    expected = [one(first_seq + i, e, c) for i, (e, c) in enumerate(events)]
    failure = next((x for x in expected if isinstance(x, str)), None)
    if failure is None:
        assert canonical.leaf_bytes_many(first_seq=first_seq, events=events, **shared) == expected
    else:  # the first failing leaf's error, as leaf_bytes raises it
        with pytest.raises(CanonicalJSONError) as info:
            canonical.leaf_bytes_many(first_seq=first_seq, events=events, **shared)
        assert f"{info.value.message} at {info.value.field}" == failure
