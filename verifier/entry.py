"""The checks of one entry of evidence: its leaf, commitment, chain step and inclusion
proof (docs/design/EVIDENCE-FORMAT.md §2-3), as a bundle's entries and a receipt carry them.

Each check is a function for ``verifier.checks.run``: it returns why it passed and
records on the ``Entry`` what later checks need (the parsed leaf, its hash), so that a
damaged leaf skips the checks that depend on it instead of failing them twice.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from verifier import merkle
from verifier.checkpoint import Checkpoint
from verifier.checks import Fail, Outcome, base64_bytes, hash_list, hex_bytes
from verifier.event import validate_event
from verifier.hashing import HashAlgorithm
from verifier.leaf import Leaf, check_commitment, parse_leaf

_MISSING = object()


@dataclass
class Entry:
    """One entry's record (``data``) and what its checks learn of it."""

    seq: int
    data: Mapping[str, Any]
    leaf: Leaf | None = None
    leaf_hash: bytes | None = None


def check_leaf(e: Entry, alg: HashAlgorithm, expected: Mapping[str, object], whose: str) -> str:
    """``leaf``: the leaf is canonical base64 of a leaf that parses strictly, states the
    ``expected`` facts (``seq``, ``log``, ``envelope_id``, ``tenant``, ``received_at``),
    and hashes to the stated ``leaf_hash``."""
    raw = base64_bytes(e.data.get("leaf"), "leaf")
    e.leaf_hash = alg.leaf_hash(raw)
    e.leaf = leaf = parse_leaf(raw, alg)
    stated = {
        "seq": leaf.seq,
        "log": leaf.log,
        "envelope_id": leaf.event.envelope_id,
        "tenant": leaf.tenant,
        "received_at": leaf.received_at,
    }
    for what, want in expected.items():
        if stated[what] != want:
            raise Fail(f"the leaf's {what} is not {whose}", expected=want, actual=stated[what])
    claimed = hex_bytes(e.data.get("leaf_hash"), alg.size, "leaf_hash")
    if claimed != e.leaf_hash:
        raise Fail("leaf_hash is not the hash of the leaf", expected=e.leaf_hash, actual=claimed)
    return f"leaf of {leaf.event.type} {leaf.event.event_id}, leaf hash {e.leaf_hash.hex()}"


def check_event(e: Entry, alg: HashAlgorithm) -> str:
    """``commitment``: the event and salt are the ones the leaf commits to, and the event
    is a valid §1 event; ``erased`` when both are null (GDPR Art 17, PIPL Art 47)."""
    event, salt = e.data.get("event", _MISSING), e.data.get("salt", _MISSING)
    if event is _MISSING or salt is _MISSING:
        raise Fail("the entry has no event or no salt (null both when erased)")
    if event is None and salt is None:
        raise Outcome("erased", "content erased")
    if e.leaf is None:
        raise Outcome("skipped", "the leaf could not be read")
    if event is None or salt is None:
        raise Fail("event and salt must both be present, or both null when erased")
    raw_salt = hex_bytes(salt, 32, "salt")
    validate_event(event)
    check_commitment(e.leaf, event, raw_salt, alg)
    return f"the event is the one the leaf commits to ({e.leaf.commitment})"


def check_chain(e: Entry, alg: HashAlgorithm, before: Entry | None) -> str:
    """``chain``: the §2 chain step from ``prev_chain``, which for seq 0 is zeros and must
    be the chain of ``before`` when that is the previous seq."""
    if e.leaf_hash is None:
        raise Outcome("skipped", "the leaf could not be read")
    chain = hex_bytes(e.data.get("chain"), alg.size, "chain")
    prev = hex_bytes(e.data.get("prev_chain"), alg.size, "prev_chain")
    if e.seq == 0 and prev != alg.chain_start:
        raise Fail("prev_chain of seq 0 must be zeros", expected=alg.chain_start, actual=prev)
    if before is not None and before.seq == e.seq - 1:
        earlier = before.data.get("chain")
        if earlier != prev.hex():
            raise Fail(
                f"prev_chain is not the chain of seq {before.seq} in this bundle",
                expected=earlier,
                actual=prev,
            )
    computed = alg.chain_next(prev, e.leaf_hash)
    if computed != chain:
        raise Fail("chain is not HASH(0x02 || prev_chain || leaf hash)", computed, chain)
    return f"chain {chain.hex()}"


def check_inclusion(
    e: Entry, alg: HashAlgorithm, checkpoint: Checkpoint | None, trusted: bool
) -> str:
    """``inclusion``: the RFC 9162 proof (§2.1.3.2) leads from the leaf hash to the
    checkpoint's root at its size."""
    proof = hash_list(e.data.get("inclusion"), alg.size, "inclusion")
    if checkpoint is None:
        raise Outcome("skipped", "the checkpoint could not be read")
    if e.leaf_hash is None:
        raise Outcome("skipped", "the leaf could not be read")
    merkle.verify_inclusion(e.leaf_hash, e.seq, checkpoint.size, proof, checkpoint.root, alg)
    trust = "" if trusted else " (the checkpoint is not trusted)"
    return f"in the tree of size {checkpoint.size}{trust}"
