"""``merkle.inclusion_proofs`` (every proof of a range of leaves at once) equals
``merkle.inclusion_proof`` leaf by leaf, asks its source once for distinct nodes, and
needs nothing but what an append holds: the new nodes and the old compact range.
"""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests import reference
from verifier import merkle
from verifier.compact import CompactRange, MemoryTree
from verifier.errors import ProofError
from verifier.merkle import NodeID

MAX = 1100
LEAVES = [reference.leaf_hash(i.to_bytes(4, "big")) for i in range(MAX)]
TREE = MemoryTree(LEAVES)


class CountingSource:
    """A NodeSource over TREE that records what it was asked."""

    def __init__(self) -> None:
        self.calls: list[tuple[NodeID, ...]] = []

    def __call__(self, ids: Sequence[NodeID]) -> list[bytes]:
        self.calls.append(tuple(ids))
        return TREE.nodes(ids)


@st.composite
def leaf_range(draw: st.DrawFn) -> tuple[int, int, int]:
    size = draw(st.integers(1, MAX))
    begin = draw(st.integers(0, size))
    return begin, draw(st.integers(begin, size)), size


@settings(max_examples=300, deadline=None)
@given(leaf_range())
def test_batch_proofs_equal_single_proofs(case: tuple[int, int, int]) -> None:
    begin, end, size = case
    source = CountingSource()
    proofs = merkle.inclusion_proofs(begin, end, size, source)
    assert proofs == [merkle.inclusion_proof(i, size, TREE.nodes) for i in range(begin, end)]
    if begin < end:
        assert len(source.calls) == 1
        asked = source.calls[0]
        assert len(set(asked)) == len(asked)
    for i in range(begin, end, max(1, (end - begin) // 5)):
        assert proofs[i - begin] == reference.path(i, LEAVES[:size])


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 700), st.integers(1, 400))
def test_an_append_holds_every_node_its_proofs_need(old: int, added: int) -> None:
    """The appender's claim: proofs of new leaves need only new nodes and the old range."""
    state = CompactRange(old, TREE.nodes(merkle.range_nodes(0, old)))
    known = dict(zip(state.nodes, state.hashes, strict=True))
    state.extend(LEAVES[old : old + added], known.__setitem__)
    size = old + added
    proofs = merkle.inclusion_proofs(old, size, size, lambda ids: [known[n] for n in ids])
    assert proofs == [merkle.inclusion_proof(i, size, TREE.nodes) for i in range(old, size)]


@pytest.mark.parametrize(
    ("begin", "end", "size"),
    [(0, 2, 1), (3, 2, 5), (-1, 1, 2), (0, 1, 0), (True, 1, 2), (0, 1, 2**64)],
)
def test_batch_proofs_refuse_bad_ranges(begin: int, end: int, size: int) -> None:
    with pytest.raises(ProofError):
        merkle.inclusion_proofs(begin, end, size, TREE.nodes)


def test_batch_proofs_refuse_a_short_source() -> None:
    with pytest.raises(ValueError, match="hashes for"):
        merkle.inclusion_proofs(0, 4, 9, lambda ids: TREE.nodes(ids)[:-1])
