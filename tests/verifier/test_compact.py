"""Compact ranges (verifier.compact): merging an adjacent range node by node gives the
range its leaves give one by one (transparency-dev/merkle compact.Range.AppendRange)."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests import reference
from verifier import merkle
from verifier.compact import CompactRange
from verifier.errors import MalformedError


def leaves(n: int) -> list[bytes]:
    return [hashlib.sha256(b"%d" % i).digest() for i in range(n)]


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 200), st.integers(0, 200))
def test_appending_a_range_equals_appending_its_leaves(begin: int, more: int) -> None:
    hashes = leaves(begin + more)
    merged = CompactRange()
    merged.extend(hashes[:begin])
    nodes = merkle.range_nodes(begin, begin + more)
    merged.append_range(begin + more, [merkle.root(hashes[x.begin : x.end]) for x in nodes])
    one_by_one = CompactRange()
    one_by_one.extend(hashes)
    assert merged.hashes == one_by_one.hashes
    assert merged.size == begin + more
    if hashes:
        assert merged.root() == reference.mth(hashes)


def test_a_subtree_must_start_where_it_aligns() -> None:
    compact = CompactRange()
    compact.extend(leaves(3))
    with pytest.raises(MalformedError, match="cannot start at 3"):
        compact.append_subtree(1, bytes(32))
    with pytest.raises(MalformedError, match=r"\[3, 7\) has 3 hashes, got 1"):
        compact.append_range(7, [bytes(32)])
