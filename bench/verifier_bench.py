"""Verifier benchmarks: leaf hashing, roots, proof generation and verification."""

from __future__ import annotations

import hashlib
import os
import random
from typing import Any

from bench.timing import rate, seconds
from verifier import merkle
from verifier.compact import CompactRange, MemoryTree
from verifier.hashing import leaf_hash


def run(quick: bool = False) -> dict[str, Any]:
    n = 100_000 if quick else 1_000_000
    leaves = [os.urandom(500) for _ in range(10_000)]
    calls = 200_000 if quick else 1_000_000

    def hashlib_only() -> int:
        sha = hashlib.sha256
        for i in range(calls):
            sha(leaves[i % 10_000]).digest()
        return calls

    def leaf_hashes() -> int:
        for i in range(calls):
            leaf_hash(leaves[i % 10_000])
        return calls

    hashes = [hashlib.sha256(i.to_bytes(8, "big")).digest() for i in range(n)]
    tree = MemoryTree(hashes)
    rng = random.Random(1)
    probes = [(rng.randrange(n), n) for _ in range(20_000)]
    pairs = [tuple(sorted((rng.randrange(1, n), rng.randrange(1, n + 1)))) for _ in range(20_000)]
    proofs = [(i, s, merkle.inclusion_proof(i, s, tree.nodes)) for i, s in probes[:5_000]]
    root = tree.root()

    def incl_gen() -> int:
        for i, s in probes:
            merkle.inclusion_proof(i, s, tree.nodes)
        return len(probes)

    def cons_gen() -> int:
        for s1, s2 in pairs:
            merkle.consistency_proof(s1, s2, tree.nodes)
        return len(pairs)

    def incl_verify() -> int:
        for i, s, p in proofs:
            merkle.verify_inclusion(hashes[i], i, s, p, root)
        return len(proofs)

    def compact_append() -> int:
        state = CompactRange()
        for h in hashes:
            state.append(h)
        return n

    return {
        "leaf_size_bytes": 500,
        "hashlib_sha256_500B": rate(hashlib_only),
        "leaf_hash_500B": rate(leaf_hashes),
        f"root_of_{n}_leaves": seconds(lambda: merkle.root(hashes)),
        "compact_range_append": rate(compact_append, runs=3),
        f"inclusion_proof_generation_at_{n}": rate(incl_gen),
        f"consistency_proof_generation_at_{n}": rate(cons_gen),
        f"inclusion_proof_verification_at_{n}": rate(incl_verify),
    }
