"""The recomputed tree (verifier.audit.tree): the roots kept at watched sizes, whether the
leaves come one by one or as compact ranges hashed elsewhere, equal RFC 9162's."""

from __future__ import annotations

import hashlib

from hypothesis import given, settings
from hypothesis import strategies as st

from tests import reference
from verifier import merkle
from verifier.audit.tree import TreeState
from verifier.hashing import SHA256


def leaves(n: int) -> list[bytes]:
    return [hashlib.sha256(b"%d" % i).digest() for i in range(n)]


@settings(max_examples=100, deadline=None)
@given(st.integers(1, 300), st.sets(st.integers(1, 300), max_size=12), st.booleans())
def test_roots_at_watched_sizes_however_the_leaves_come(
    n: int, watched: set[int], ranges: bool
) -> None:
    hashes = leaves(n)
    tree = TreeState(SHA256, watched, keep_all=False)
    reached: list[int] = []
    tree.reached = lambda size, root: reached.append(size)
    if ranges:  # cut at each watched size, as a worker does
        start = 0
        for cut in sorted({s for s in watched if s < n} | {n}):
            nodes = merkle.range_nodes(start, cut)
            tree.append_range(cut, [merkle.root(hashes[x.begin : x.end]) for x in nodes])
            start = cut
    else:
        for h in hashes:
            tree.append(h)
    assert tree.size == n
    assert reached == sorted(s for s in watched if s <= n)
    for size in reached:
        assert tree.roots[size] == reference.mth(hashes[:size])
    assert tree.root_at(n) == reference.mth(hashes)


def test_kept_subtrees_give_any_root_and_a_size_watched_late_is_known() -> None:
    hashes = leaves(100)
    tree = TreeState(SHA256, (), keep_all=True)
    for h in hashes:
        tree.append(h)
    assert all(tree.root_at(k) == reference.mth(hashes[:k]) for k in range(1, 101))
    late = TreeState(SHA256, (), keep_all=False)
    late.wait_for(60)
    assert not late.cuts_ok(50, 70)
    assert late.cuts_ok(60, 70)
    for h in hashes:
        late.append(h)
    assert late.roots[60] == reference.mth(hashes[:60])
    assert late.root_at(30) is None  # neither kept nor now
