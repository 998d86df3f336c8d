"""Bad input to the proof verifiers raises ProofError, never another exception."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from verifier import merkle
from verifier.compact import MemoryTree
from verifier.errors import ProofError, VerificationError
from verifier.hashing import EMPTY_ROOT, leaf_hash

LEAVES = [leaf_hash(bytes([i])) for i in range(7)]
TREE = MemoryTree(LEAVES)
GOOD_INCLUSION: dict[str, Any] = {
    "leaf_hash": LEAVES[3],
    "index": 3,
    "size": 7,
    "proof": merkle.inclusion_proof(3, 7, TREE.nodes),
    "root": TREE.root(),
}
GOOD_CONSISTENCY: dict[str, Any] = {
    "size1": 3,
    "size2": 7,
    "proof": merkle.consistency_proof(3, 7, TREE.nodes),
    "root1": TREE.root(3),
    "root2": TREE.root(7),
}

BAD_INCLUSION = [
    ("leaf hash None", {"leaf_hash": None}),
    ("leaf hash hex str", {"leaf_hash": LEAVES[3].hex()}),
    ("leaf hash 31 bytes", {"leaf_hash": LEAVES[3][:31]}),
    ("leaf hash 33 bytes", {"leaf_hash": LEAVES[3] + b"\0"}),
    ("leaf hash 64 bytes", {"leaf_hash": LEAVES[3] * 2}),
    ("index negative", {"index": -1}),
    ("index str", {"index": "3"}),
    ("index float", {"index": 3.0}),
    ("index bool", {"index": True}),
    ("index None", {"index": None}),
    ("index = size", {"index": 7}),
    ("index 2^64", {"index": 2**64}),
    ("size 0", {"size": 0}),
    ("size negative", {"size": -7}),
    ("size 2^64", {"size": 2**64}),
    ("size str", {"size": "7"}),
    ("proof None", {"proof": None}),
    ("proof bytes", {"proof": b"".join(GOOD_INCLUSION["proof"])}),
    ("proof of str", {"proof": [h.hex() for h in GOOD_INCLUSION["proof"]]}),
    ("proof with None", {"proof": [*GOOD_INCLUSION["proof"][:-1], None]}),
    ("proof with short hash", {"proof": [*GOOD_INCLUSION["proof"][:-1], b"\0" * 31]}),
    ("proof empty", {"proof": []}),
    ("proof dict", {"proof": {"a": 1}}),
    ("root None", {"root": None}),
    ("root empty", {"root": b""}),
    ("root of the empty tree", {"root": EMPTY_ROOT}),
    ("root 33 bytes", {"root": TREE.root() + b"\0"}),
]

BAD_CONSISTENCY = [
    ("size1 0", {"size1": 0}),
    ("size1 0 empty proof", {"size1": 0, "proof": [], "root1": EMPTY_ROOT}),
    ("size1 > size2", {"size1": 8}),
    ("size1 negative", {"size1": -3}),
    ("size2 2^64", {"size2": 2**64}),
    ("size1 str", {"size1": "3"}),
    ("size2 None", {"size2": None}),
    ("equal sizes, proof not empty", {"size2": 3, "root2": TREE.root(3)}),
    ("equal sizes, roots differ", {"size2": 3, "proof": [], "root2": TREE.root(4)}),
    ("empty proof", {"proof": []}),
    ("proof None", {"proof": None}),
    ("proof of hex", {"proof": [h.hex() for h in GOOD_CONSISTENCY["proof"]]}),
    ("proof with 0-byte hash", {"proof": [b"", *GOOD_CONSISTENCY["proof"][1:]]}),
    ("root1 None", {"root1": None}),
    ("root2 str", {"root2": "00" * 32}),
    ("root1 31 bytes", {"root1": TREE.root(3)[:31]}),
    ("roots swapped", {"root1": TREE.root(7), "root2": TREE.root(3)}),
]


def test_good_inputs_verify() -> None:
    merkle.verify_inclusion(**GOOD_INCLUSION)
    merkle.verify_consistency(**GOOD_CONSISTENCY)
    merkle.verify_consistency(5, 5, [], TREE.root(5), TREE.root(5))
    merkle.verify_consistency(0, 0, [], EMPTY_ROOT, EMPTY_ROOT)
    merkle.verify_inclusion(bytearray(LEAVES[3]), 3, 7, GOOD_INCLUSION["proof"], TREE.root())


@pytest.mark.parametrize(("name", "change"), BAD_INCLUSION, ids=[b[0] for b in BAD_INCLUSION])
def test_bad_inclusion_input(name: str, change: dict[str, Any]) -> None:
    with pytest.raises(ProofError) as err:
        merkle.verify_inclusion(**{**GOOD_INCLUSION, **change})
    assert str(err.value)


@pytest.mark.parametrize(("name", "change"), BAD_CONSISTENCY, ids=[b[0] for b in BAD_CONSISTENCY])
def test_bad_consistency_input(name: str, change: dict[str, Any]) -> None:
    with pytest.raises(ProofError) as err:
        merkle.verify_consistency(**{**GOOD_CONSISTENCY, **change})
    assert str(err.value)


def test_errors_say_what_did_not_match() -> None:
    with pytest.raises(
        ProofError, match=r"calculated root [0-9a-f]{64} does not match expected root"
    ):
        merkle.verify_inclusion(**{**GOOD_INCLUSION, "root": TREE.root(6)})
    with pytest.raises(ProofError, match="has 2 hashes, expected 3"):
        merkle.verify_inclusion(**{**GOOD_INCLUSION, "proof": GOOD_INCLUSION["proof"][:2]})


ANYTHING = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(),
    st.text(max_size=40),
    st.binary(max_size=40),
    st.lists(st.binary(min_size=30, max_size=34), max_size=12),
    st.lists(st.integers(), max_size=3),
)


@settings(max_examples=300, deadline=None)
@given(ANYTHING, ANYTHING, ANYTHING, ANYTHING, ANYTHING)
def test_arbitrary_inclusion_input_raises_only_verification_errors(
    a: Any, b: Any, c: Any, d: Any, e: Any
) -> None:
    try:
        merkle.verify_inclusion(a, b, c, d, e)
    except VerificationError:
        return
    raise AssertionError("arbitrary input verified")


@settings(max_examples=300, deadline=None)
@given(ANYTHING, ANYTHING, ANYTHING, ANYTHING, ANYTHING)
def test_arbitrary_consistency_input_raises_only_verification_errors(
    a: Any, b: Any, c: Any, d: Any, e: Any
) -> None:
    try:
        merkle.verify_consistency(a, b, c, d, e)
    except VerificationError:
        return
    if not (a == b and not c and d == e):
        raise AssertionError("arbitrary input verified")
