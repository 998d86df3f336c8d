"""RFC 9162 vectors of transparency-dev/merkle (tests/data/vectors, Apache-2.0)."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest

from tests.vectors import cases, hexes, load
from verifier import hashing, merkle
from verifier.compact import MemoryTree
from verifier.errors import ProofError

TREE = load("merkle-tree.json")
LEAVES = hexes(TREE["leaves_hex"])
LEAF_HASHES = [hashing.leaf_hash(leaf) for leaf in LEAVES]


@pytest.mark.parametrize("c", cases("rfc6962-hasher.json"), ids=lambda c: c["desc"])
def test_hasher(c: dict[str, Any]) -> None:
    if c["function"] == "empty_root":
        got = hashing.EMPTY_ROOT
    elif c["function"] == "leaf_hash":
        got = hashing.leaf_hash(bytes.fromhex(c["leaf_hex"]))
    else:
        got = hashing.node_hash(bytes.fromhex(c["left_hex"]), bytes.fromhex(c["right_hex"]))
    assert got.hex() == c["want_hex"]


def test_node_hashes_of_the_8_leaf_tree() -> None:
    tree = MemoryTree(LEAF_HASHES)
    for level, row in enumerate(TREE["node_hashes_hex"]):
        for index, want in enumerate(row):
            assert tree.nodes([merkle.NodeID(level, index)])[0].hex() == want


@pytest.mark.parametrize("size", range(9))
def test_roots_of_every_prefix(size: int) -> None:
    want = TREE["roots_hex"][size]
    assert merkle.root(LEAF_HASHES[:size]).hex() == want
    assert MemoryTree(LEAF_HASHES).root(size).hex() == want
    assert MemoryTree(LEAF_HASHES[:size]).range.root().hex() == want


def _incl_id(c: dict[str, Any]) -> str:
    return f"{c['leaf_index']}:{c['tree_size']}:{c['leaf_hex'][:8]}"


@pytest.mark.parametrize("c", cases("inclusion-proofs.json"), ids=_incl_id)
def test_inclusion_vectors_verify(c: dict[str, Any]) -> None:
    merkle.verify_inclusion(
        bytes.fromhex(c["leaf_hash_hex"]),
        c["leaf_index"],
        c["tree_size"],
        hexes(c["proof_hex"]),
        bytes.fromhex(c["root_hex"]),
    )


@pytest.mark.parametrize("c", cases("inclusion-proofs.json"), ids=_incl_id)
def test_inclusion_vectors_are_generated(c: dict[str, Any]) -> None:
    leaves = [hashing.leaf_hash(bytes.fromhex(c["leaf_hex"]))]
    if c["tree_size"] > 1 or c["leaf_hash_hex"] == LEAF_HASHES[0].hex():
        leaves = LEAF_HASHES
    tree = MemoryTree(leaves[: c["tree_size"]])
    got = merkle.inclusion_proof(c["leaf_index"], c["tree_size"], tree.nodes)
    assert [h.hex() for h in got] == c["proof_hex"]


def _inclusion_corruptions(c: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """Named corruptions in the style of transparency-dev's probe vectors."""
    base = {
        "leaf_hash": bytes.fromhex(c["leaf_hash_hex"]),
        "index": c["leaf_index"],
        "size": c["tree_size"],
        "proof": hexes(c["proof_hex"]),
        "root": bytes.fromhex(c["root_hex"]),
    }
    flipped_root = bytes([base["root"][0] ^ 1]) + base["root"][1:]
    out = [
        ("index+1", {**base, "index": base["index"] + 1}),
        ("flipped root bit", {**base, "root": flipped_root}),
        ("extra hash", {**base, "proof": [*base["proof"], bytes(32)]}),
        ("leaf hash as root", {**base, "root": hashing.EMPTY_ROOT}),
        ("short leaf hash", {**base, "leaf_hash": base["leaf_hash"][:31]}),
    ]
    if base["index"] > 0:
        out.append(("index-1", {**base, "index": base["index"] - 1}))
    if c["leaf_hash_hex"] in TREE["node_hashes_hex"][0]:
        # A proof for one size cannot pass for another size under that size's real root.
        for size in range(base["index"] + 1, 9):
            if size != base["size"]:
                root = bytes.fromhex(TREE["roots_hex"][size])
                out.append((f"size {size}", {**base, "size": size, "root": root}))
    for i in range(len(base["proof"])):
        proof = list(base["proof"])
        proof[i] = bytes([proof[i][0] ^ 0x80]) + proof[i][1:]
        out.append((f"flipped bit in proof[{i}]", {**base, "proof": proof}))
        out.append((f"missing proof[{i}]", {**base, "proof": proof[:i] + proof[i + 1 :]}))
    if len(base["proof"]) > 1:
        out.append(("reversed proof", {**base, "proof": base["proof"][::-1]}))
    return out


@pytest.mark.parametrize("c", cases("inclusion-proofs.json"), ids=_incl_id)
def test_inclusion_vector_corruptions_fail(c: dict[str, Any]) -> None:
    for _name, args in _inclusion_corruptions(c):
        with pytest.raises(ProofError):  # the corruption's name shows in the traceback
            merkle.verify_inclusion(**args)


def _cons_id(c: dict[str, Any]) -> str:
    return f"{c['size1']}:{c['size2']}"


@pytest.mark.parametrize("c", cases("consistency-proofs.json"), ids=_cons_id)
def test_consistency_vectors(c: dict[str, Any]) -> None:
    proof = hexes(c["proof_hex"])
    root1, root2 = bytes.fromhex(c["root1_hex"]), bytes.fromhex(c["root2_hex"])
    merkle.verify_consistency(c["size1"], c["size2"], proof, root1, root2)
    generated = merkle.consistency_proof(c["size1"], c["size2"], MemoryTree(LEAF_HASHES).nodes)
    assert [h.hex() for h in generated] == c["proof_hex"]


@pytest.mark.parametrize("c", cases("consistency-proofs.json"), ids=_cons_id)
def test_consistency_vector_corruptions_fail(c: dict[str, Any]) -> None:
    proof = hexes(c["proof_hex"])
    root1, root2 = bytes.fromhex(c["root1_hex"]), bytes.fromhex(c["root2_hex"])
    bad: list[tuple[int, int, list[bytes], bytes, bytes]] = [
        (c["size1"], c["size2"], [*proof, root1], root1, root2),
        (c["size1"], c["size2"], proof, root2 if root1 != root2 else bytes(32), root2),
        (c["size1"], c["size2"], proof, root1, bytes(32)),
        (0, c["size2"], proof, root1, root2),
    ]
    roots = hexes(TREE["roots_hex"])
    for size1 in range(1, c["size2"] + 1):
        if size1 != c["size1"]:
            bad.append((size1, c["size2"], proof, roots[size1], root2))
    for size2 in range(c["size1"], 9):
        if size2 != c["size2"]:
            bad.append((c["size1"], size2, proof, root1, roots[size2]))
    for i in range(len(proof)):
        flipped = list(proof)
        flipped[i] = bytes([flipped[i][-1] ^ 1]) + flipped[i][1:]
        bad.append((c["size1"], c["size2"], flipped, root1, root2))
        bad.append((c["size1"], c["size2"], proof[:i] + proof[i + 1 :], root1, root2))
    for args in bad:
        with pytest.raises(ProofError):
            merkle.verify_consistency(*args)


def _valid_subtree(start: int, end: int) -> bool:
    if start == 0 or start == end:
        return True
    return start % (1 << (end - start - 1).bit_length()) == 0


def _accumulated(name: str) -> str:
    (vector,) = [v for v in load("subtree-accumulated.json")["vectors"] if v["name"] == name]
    return str(vector["sha256_hex"])


def test_subtree_hashes_accumulated() -> None:
    d = [hashing.leaf_hash(bytes([i])) for i in range(130)]
    h = hashlib.sha256()
    for end in range(131):
        for start in range(end + 1):
            if _valid_subtree(start, end):
                h.update(f"[{start}, {end}) {merkle.root(d[start:end]).hex()}\n".encode())
    assert h.hexdigest() == _accumulated("subtree_hashes")


def test_subtree_inclusion_proofs_accumulated() -> None:
    d = [hashing.leaf_hash(bytes([i])) for i in range(130)]
    h = hashlib.sha256()
    for end in range(131):
        for start in range(end + 1):
            if not _valid_subtree(start, end):
                continue
            tree = MemoryTree(d[start:end])
            for index in range(start, end):
                proof = merkle.inclusion_proof(index - start, end - start, tree.nodes)
                line = f"{index} [{start}, {end})" + "".join(" " + p.hex() for p in proof)
                h.update(f"{line}\n".encode())
    assert h.hexdigest() == _accumulated("subtree_inclusion_proofs")
