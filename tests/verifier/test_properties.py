"""Hypothesis properties of the tree: every produced proof verifies, any change fails.

Proofs come from ``verifier.compact.MemoryTree`` (the storage shape) and are compared
with the recursive RFC 9162 definitions in ``tests/reference.py``.
"""

from __future__ import annotations

import hashlib

from hypothesis import given, settings
from hypothesis import strategies as st

from tests import reference
from verifier import merkle
from verifier.compact import CompactRange, MemoryTree
from verifier.errors import ProofError

MAX = 2000
# Big enough that flipping any of the low 11 bits of a size stays inside the tree.
LEAVES = [reference.leaf_hash(i.to_bytes(4, "big")) for i in range(4096)]
TREE = MemoryTree(LEAVES)


def flip(value: bytes, bit: int) -> bytes:
    data = bytearray(value)
    data[bit // 8] ^= 1 << (bit % 8)
    return bytes(data)


@st.composite
def leaf_in_tree(draw: st.DrawFn) -> tuple[int, int]:
    size = draw(st.integers(1, MAX))
    return draw(st.integers(0, size - 1)), size


@st.composite
def two_sizes(draw: st.DrawFn) -> tuple[int, int]:
    size2 = draw(st.integers(1, MAX))
    return draw(st.integers(1, size2)), size2


@settings(max_examples=200, deadline=None)
@given(leaf_in_tree())
def test_inclusion_proof_matches_reference_and_verifies(case: tuple[int, int]) -> None:
    index, size = case
    proof = merkle.inclusion_proof(index, size, TREE.nodes)
    assert proof == reference.path(index, LEAVES[:size])
    root = TREE.root(size)
    assert root == reference.mth(LEAVES[:size])
    merkle.verify_inclusion(LEAVES[index], index, size, proof, root)


@settings(max_examples=200, deadline=None)
@given(leaf_in_tree(), st.data())
def test_any_flipped_bit_fails_inclusion(case: tuple[int, int], data: st.DataObject) -> None:
    index, size = case
    proof = merkle.inclusion_proof(index, size, TREE.nodes)
    root = TREE.root(size)
    bit = data.draw(st.integers(0, 255), label="bit")
    attempts = [(LEAVES[index], index, size, proof, flip(root, bit))]
    attempts.append((flip(LEAVES[index], bit), index, size, proof, root))
    if proof:
        node = data.draw(st.integers(0, len(proof) - 1), label="node")
        attempts.append(
            (
                LEAVES[index],
                index,
                size,
                [*proof[:node], flip(proof[node], bit), *proof[node + 1 :]],
                root,
            )
        )
        attempts.append((LEAVES[index], index, size, proof[:-1], root))
        attempts.append(
            (LEAVES[index], index, size, proof[::-1], root) if len(proof) > 1 else attempts[0]
        )
    attempts.append((LEAVES[index], index, size, [*proof, proof[0] if proof else root], root))
    index_bit = data.draw(st.integers(0, 11), label="index bit")
    attempts.append((LEAVES[index], index ^ (1 << index_bit), size, proof, root))
    size_bit = data.draw(st.integers(0, 11), label="size bit")
    other = size ^ (1 << size_bit)
    if index < other:
        attempts.append((LEAVES[index], index, other, proof, TREE.root(other)))
    else:
        attempts.append((LEAVES[index], index, other, proof, root))
    for leaf_hash, i, n, p, r in attempts:
        try:
            merkle.verify_inclusion(leaf_hash, i, n, p, r)
        except ProofError:
            continue
        raise AssertionError(f"changed inclusion proof verified: index {i} size {n}")


@settings(max_examples=200, deadline=None)
@given(two_sizes())
def test_consistency_proof_matches_reference_and_verifies(sizes: tuple[int, int]) -> None:
    size1, size2 = sizes
    proof = merkle.consistency_proof(size1, size2, TREE.nodes)
    assert proof == reference.proof(size1, LEAVES[:size2])
    merkle.verify_consistency(size1, size2, proof, TREE.root(size1), TREE.root(size2))


@settings(max_examples=200, deadline=None)
@given(two_sizes(), st.data())
def test_any_flipped_bit_fails_consistency(sizes: tuple[int, int], data: st.DataObject) -> None:
    size1, size2 = sizes
    proof = merkle.consistency_proof(size1, size2, TREE.nodes)
    root1, root2 = TREE.root(size1), TREE.root(size2)
    bit = data.draw(st.integers(0, 255), label="bit")
    attempts = [
        (size1, size2, proof, flip(root1, bit), root2),
        (size1, size2, proof, root1, flip(root2, bit)),
        (size1, size2, [*proof, root1], root1, root2),
    ]
    if proof:
        node = data.draw(st.integers(0, len(proof) - 1), label="node")
        changed = [*proof[:node], flip(proof[node], bit), *proof[node + 1 :]]
        attempts.append((size1, size2, changed, root1, root2))
        attempts.append((size1, size2, proof[:-1], root1, root2))
    for size_bit in range(12):
        other1, other2 = size1 ^ (1 << size_bit), size2 ^ (1 << size_bit)
        if 0 < other1 <= size2:
            attempts.append((other1, size2, proof, TREE.root(other1), root2))
        if other2 >= size1:
            attempts.append((size1, other2, proof, root1, TREE.root(other2)))
    for s1, s2, p, r1, r2 in attempts:
        try:
            merkle.verify_consistency(s1, s2, p, r1, r2)
        except ProofError:
            continue
        raise AssertionError(f"changed consistency proof verified: {s1} -> {s2}")


@settings(max_examples=100, deadline=None)
@given(st.lists(st.binary(max_size=40), max_size=300))
def test_compact_range_equals_reference_root(entries: list[bytes]) -> None:
    hashes = [reference.leaf_hash(e) for e in entries]
    state = CompactRange()
    visited: dict[merkle.NodeID, bytes] = {}
    for h in hashes:
        state.append(h, visited.__setitem__)
    assert state.root() == reference.mth(hashes) == merkle.root(hashes)
    # Every perfect node was handed to storage exactly as the reference computes it.
    for node, value in visited.items():
        assert value == reference.mth(hashes[node.begin : node.end])
    assert len(visited) == sum(len(hashes) >> level for level in range(len(hashes).bit_length()))


@settings(max_examples=100, deadline=None)
@given(st.integers(0, MAX))
def test_compact_range_rebuilt_from_stored_nodes(size: int) -> None:
    state = CompactRange.from_source(size, TREE.nodes)
    assert state.root() == reference.mth(LEAVES[:size])
    state.append(LEAVES[size])
    assert state.root() == TREE.root(size + 1)


def test_proof_fetches_only_log_n_nodes() -> None:
    size = 2**40 + 12345
    for index in (0, 1, size // 3, size - 2, size - 1):
        plan = merkle.inclusion_plan(index, size)
        assert len(plan.nodes) <= 2 * size.bit_length()
    plan = merkle.consistency_plan(2**39 + 7, size)
    assert len(plan.nodes) <= 2 * size.bit_length()


def test_leaf_hashes_are_domain_separated() -> None:
    assert reference.leaf_hash(b"x") == hashlib.sha256(b"\x00x").digest()
    assert merkle.root([reference.leaf_hash(b"x")]) != hashlib.sha256(b"x").digest()
