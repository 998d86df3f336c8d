"""verifier.leaf: commitments, leaves built and parsed back strictly, and the quick
paths (the leaf template, ``leaf_bytes_many``, ``_real_time``) equal to the slow ones."""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
import json
import types
from datetime import datetime
from typing import Any

import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.verifier.values import EVENT
from verifier import leaf
from verifier.errors import (
    CanonicalJSONError,
    CommitmentError,
    MalformedError,
    VerificationError,
)
from verifier.hashing import HashAlgorithm
from verifier.ijson import parse_json
from verifier.jcs import canonicalize
from verifier.leaf import (
    Leaf,
    LeafEvent,
    LeafSource,
    check_commitment,
    commitment,
    leaf_bytes,
    new_salt,
    parse_leaf,
)

# -- commitments and leaves -------------------------------------------------------------

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
    event=st.fixed_dictionaries({k: LEAF_STRINGS for k in leaf.CLEAR_EVENT_KEYS}),
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
        "event": dict.fromkeys(leaf.CLEAR_EVENT_KEYS, "x"),
        "commitment": "0f" * 32,
    }
    bad = [
        ({"received_at": "2026-02-30T17:03:04.123456Z"}, "received_at"),
        ({"received_at": "2026-02-28T17:03:04.123Z"}, "received_at"),
        ({"log": ""}, "log"),
        ({"seq": True}, "seq"),
        ({"event": dict.fromkeys(leaf.CLEAR_EVENT_KEYS, "\ud800")}, None),
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
        assert leaf._real_time(value) == strptime_accepts(value), value


LEAF_EVENT = st.fixed_dictionaries({k: LEAF_STRINGS for k in leaf.CLEAR_EVENT_KEYS})
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
        assert leaf.leaf_bytes_many(first_seq=first_seq, events=events, **shared) == expected
    else:  # the first failing leaf's error, as leaf_bytes raises it
        with pytest.raises(CanonicalJSONError) as info:
            leaf.leaf_bytes_many(first_seq=first_seq, events=events, **shared)
        assert f"{info.value.message} at {info.value.field}" == failure
