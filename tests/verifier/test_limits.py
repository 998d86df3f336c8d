"""Limits on untrusted JSON, enforced as it streams (verifier.limits): any JSON within the
limits comes back as it was, whatever the blocks it arrives in; each limit passed is
refused, naming where."""

from __future__ import annotations

import io
import json
import re
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from verifier.errors import MalformedError
from verifier.ijson import MAX_DEPTH
from verifier.limits import MAX_STRING, MAX_WORD, read_json

PROOFS = {("entries", "*", "inclusion"): 3, ("latest", "consistency"): 2}
TEXT = st.text(st.sampled_from('ab"\\/:,[]{} \n\u00e9\U0001f600'), max_size=6)
VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**9), 10**9) | st.floats(-1e6, 1e6) | TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
    max_leaves=30,
)


class Trickle(io.RawIOBase):
    """A stream that gives at most ``size`` bytes a read: every token crosses a block."""

    def __init__(self, data: bytes, size: int) -> None:
        self.data, self.size, self.at = data, size, 0

    def read(self, n: int = -1) -> bytes:
        chunk = self.data[self.at : self.at + min(self.size, n if n >= 0 else self.size)]
        self.at += len(chunk)
        return chunk


def read(data: bytes, size: int = 5) -> bytes:
    return read_json(Trickle(data, size), PROOFS, unguarded=0)  # type: ignore[arg-type]


@settings(max_examples=300, deadline=None)
@given(VALUES, st.integers(1, 9), st.booleans())
def test_json_within_the_limits_comes_back_unchanged(value: Any, size: int, spaced: bool) -> None:
    separators = (", ", ": ") if spaced else (",", ":")
    data = json.dumps({"entries": [{"inclusion": [1, 2], "x": value}]}, separators=separators)
    assert read(data.encode(), size) == data.encode()


@pytest.mark.parametrize(
    ("doc", "where"),
    [
        ({"entries": [{"inclusion": [1, 2, 3, 4]}]}, "entries/*/inclusion has more than 3"),
        ({"entries": [{}, {"inclusion": ["a"] * 9}]}, "entries/*/inclusion has more than 3"),
        ({"latest": {"consistency": [[], [], []]}}, "latest/consistency has more than 2"),
    ],
)
def test_an_array_longer_than_its_path_allows_is_refused(doc: Any, where: str) -> None:
    with pytest.raises(MalformedError, match=re.escape(where)):
        read(json.dumps(doc).encode())


def test_the_same_arrays_elsewhere_are_not_limited() -> None:
    data = json.dumps({"inclusion": [1] * 10, "entries": [{"event": {"inclusion": [1] * 10}}]})
    assert read(data.encode()) == data.encode()


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b'{"a":"' + b"x" * (MAX_STRING + 1) + b'"}', "a string longer than"),
        (b'{"a":' + b"1" * (MAX_WORD + 1) + b"}", "a value longer than"),
        (b"[" * (MAX_DEPTH + 1) + b"]" * (MAX_DEPTH + 1), "nesting deeper than 64"),
        (b'{"a":"never ends', "a string that never ends"),
    ],
)
def test_what_no_legitimate_document_holds_is_refused(data: bytes, reason: str) -> None:
    with pytest.raises(MalformedError, match=reason):
        read_json(io.BytesIO(data), unguarded=0)


def test_a_long_string_is_refused_once_the_limit_is_read_not_at_its_end() -> None:
    stream = io.BytesIO(b'["' + b"x" * (3 * MAX_STRING))
    with pytest.raises(MalformedError, match="byte 1:"):
        read_json(stream, unguarded=0)
    assert stream.tell() < 2 * MAX_STRING


def test_small_documents_skip_the_guard() -> None:
    data = b"[" * 100 + b"]" * 100  # too deep, but small: the strict parser refuses it
    assert read_json(io.BytesIO(data)) == data


def test_the_auditor_guide_states_the_limits_the_code_enforces() -> None:
    from pathlib import Path

    from verifier.audit import MAX_LINE
    from verifier.bundle import ARRAY_LIMITS
    from verifier.limits import UNGUARDED

    guide = (Path(__file__).resolve().parents[2] / "docs" / "auditor-guide.md").read_text()
    text = " ".join(guide.split())
    assert f"a line of a log export is at most {MAX_LINE >> 20} MiB" in text
    assert (
        f"a bundle or a receipt larger than {UNGUARDED >> 20} MiB is checked as it streams" in text
    )
    inclusion = ARRAY_LIMITS[("entries", "*", "inclusion")]
    consistency = ARRAY_LIMITS[("latest", "consistency")]
    documents = ARRAY_LIMITS[("entries", "*", "event", "documents")]
    assert (
        f"an inclusion proof has at most {inclusion} hashes and a consistency proof {consistency}"
        in text
    )
    assert (
        f"an event at most {documents:,} documents, a string at most {MAX_STRING >> 20} MiB" in text
    )
