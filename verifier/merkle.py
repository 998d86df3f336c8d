"""The RFC 9162 Merkle tree: roots, which nodes a proof needs, proofs, verification.

The pure core decides *which* node hashes a proof needs (``inclusion_plan``,
``consistency_plan``); a ``NodeSource`` (memory, a database) only fetches them, so a
proof costs O(log n) reads whatever the tree size. Verification follows RFC 9162
§2.1.3.2 and §2.1.4.2 with the edge rules of transparency-dev/merkle: leaf and root
hashes have the algorithm's exact size, a proof has exactly the expected length, a
consistency proof from size 0 is rejected, and equal sizes need an empty proof and
equal roots.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from verifier.errors import ProofError
from verifier.hashing import NODE_PREFIX, SHA256, HashAlgorithm

MAX_SIZE = 2**64 - 1
"""Tree sizes and indexes are unsigned 64-bit numbers, as in every RFC 9162 log."""
MAX_INCLUSION = 64
"""The most hashes an inclusion proof has, in a tree of at most ``MAX_SIZE`` leaves."""
MAX_CONSISTENCY = MAX_INCLUSION + 1
"""The most hashes a consistency proof has (its seed, then at most 64)."""


@dataclass(frozen=True, order=True, slots=True)
class NodeID:
    """The root of the perfect subtree of leaves ``[index * 2**level, (index + 1) * 2**level)``."""

    level: int
    index: int

    @property
    def begin(self) -> int:
        return self.index << self.level

    @property
    def end(self) -> int:
        return (self.index + 1) << self.level


NodeSource = Callable[[Sequence[NodeID]], Sequence[bytes]]
"""Returns the hashes of the given perfect-subtree nodes, in the order asked."""


def range_nodes(begin: int, end: int) -> list[NodeID]:
    """The perfect subtrees that cover leaves ``[begin, end)``, left to right.

    This is the compact range of transparency-dev/merkle: at most 2·log2(end-begin) nodes.
    """
    nodes: list[NodeID] = []
    while begin < end:
        level = (end - begin).bit_length() - 1
        if begin:
            level = min(level, (begin & -begin).bit_length() - 1)
        nodes.append(NodeID(level, begin >> level))
        begin += 1 << level
    return nodes


def fold_right(hashes: Sequence[bytes], alg: HashAlgorithm = SHA256) -> bytes:
    """The root of a right-border range from its compact-range hashes (right to left)."""
    result = hashes[-1]
    for left in reversed(hashes[:-1]):
        result = alg.node_hash(left, result)
    return result


@dataclass(frozen=True)
class ProofPlan:
    """Which nodes a proof needs: one slot per proof hash.

    A slot of one node is that node's hash. A slot of several nodes is an ephemeral
    node on the tree's right border: the root of an incomplete subtree, computed from
    the perfect subtrees that cover it (``fold_right``).
    """

    slots: tuple[tuple[NodeID, ...], ...]

    @property
    def nodes(self) -> tuple[NodeID, ...]:
        """Every node to fetch, each once, in slot order."""
        return tuple(dict.fromkeys(node for slot in self.slots for node in slot))

    def assemble(self, source: NodeSource, alg: HashAlgorithm = SHA256) -> list[bytes]:
        """Fetch the nodes from ``source`` and build the proof hashes."""
        wanted = self.nodes
        hashes = source(wanted)
        if len(hashes) != len(wanted):
            raise ValueError(f"node source returned {len(hashes)} hashes for {len(wanted)} nodes")
        known = dict(zip(wanted, hashes, strict=True))
        return [fold_right([known[n] for n in slot], alg) for slot in self.slots]


def _subtree(begin: int, end: int) -> tuple[NodeID, ...]:
    return tuple(range_nodes(begin, end))


def _split(n: int) -> int:
    """RFC 9162 §2.1.1: the largest power of two smaller than ``n`` (n > 1)."""
    return 1 << ((n - 1).bit_length() - 1)


def _check_range(name: str, value: object, low: int = 0) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise ProofError(f"{name} must be an integer, got {type(value).__name__}")
    if not low <= value <= MAX_SIZE:
        raise ProofError(f"{name} {value} is out of range [{low}, 2^64-1]")
    return value


def inclusion_plan(index: int, size: int) -> ProofPlan:
    """The nodes of RFC 9162 §2.1.3.1 ``PATH(index, D[0:size])``, bottom-up."""
    _check_range("index", index)
    _check_range("size", size, 1)
    if index >= size:
        raise ProofError(f"index {index} is not in a tree of size {size}")
    slots: list[tuple[NodeID, ...]] = []
    begin, end = 0, size
    while end - begin > 1:
        mid = begin + _split(end - begin)
        if index < mid:
            slots.append(_subtree(mid, end))
            end = mid
        else:
            slots.append(_subtree(begin, mid))
            begin = mid
    return ProofPlan(tuple(reversed(slots)))


def consistency_plan(size1: int, size2: int) -> ProofPlan:
    """The nodes of RFC 9162 §2.1.4.1 ``PROOF(size1, D[0:size2])``, for 0 < size1 <= size2."""
    _check_range("size1", size1, 1)
    _check_range("size2", size2, 1)
    if size1 > size2:
        raise ProofError(f"size1 {size1} is larger than size2 {size2}")
    slots: list[tuple[NodeID, ...]] = []
    begin, end, whole = 0, size2, True
    while size1 - begin != end - begin:
        mid = begin + _split(end - begin)
        if size1 <= mid:
            slots.append(_subtree(mid, end))
            end = mid
        else:
            slots.append(_subtree(begin, mid))
            begin, whole = mid, False
    if not whole:
        slots.append(_subtree(begin, end))
    return ProofPlan(tuple(reversed(slots)))


def inclusion_proof(
    index: int, size: int, source: NodeSource, alg: HashAlgorithm = SHA256
) -> list[bytes]:
    """RFC 9162 §2.1.3.1 inclusion proof, fetching only the nodes it needs."""
    return inclusion_plan(index, size).assemble(source, alg)


def inclusion_proofs(
    begin: int, end: int, size: int, source: NodeSource, alg: HashAlgorithm = SHA256
) -> list[list[bytes]]:
    """The inclusion proofs of leaves ``[begin, end)`` in the tree of ``size`` leaves.

    Equal to ``[inclusion_proof(i, size, source, alg) for i in range(begin, end)]``, but
    ``source`` is asked once, for each node it must give exactly once, and each ephemeral
    right-border node is folded once: for consecutive leaves (an append's batch) the work
    is O(end - begin + log size) lookups and hashes, plus the proof lists themselves.
    """
    _check_range("begin", begin)
    _check_range("end", end)
    _check_range("size", size, 1)
    if not begin <= end <= size:
        raise ProofError(f"leaves [{begin}, {end}) are not in a tree of size {size}")
    if begin == end:
        return []
    # The subtrees [b, e) whose hashes the proofs use: the siblings along every path
    # from the root down to a leaf of [begin, end), each path shared as far as it goes.
    ranges: dict[tuple[int, int], None] = {}
    stack = [(0, size, begin, end)]
    while stack:
        b, e, lo, hi = stack.pop()
        if e - b > 1:
            mid = b + _split(e - b)
            if lo < mid:
                ranges[(mid, e)] = None
                stack.append((b, mid, lo, min(hi, mid)))
            if hi > mid:
                ranges[(b, mid)] = None
                stack.append((mid, e, max(lo, mid), hi))
    # Most are perfect subtrees, one node each and distinct; the few on the right border
    # are folded from the perfect subtrees that cover them, which may repeat.
    perfect: list[tuple[int, int]] = []
    border: list[tuple[int, int]] = []
    for b, e in ranges:
        (perfect if (e - b) & (e - b - 1) == 0 else border).append((b, e))
    nodes = [NodeID((e - b).bit_length() - 1, b // (e - b)) for b, e in perfect]
    slots = [_subtree(b, e) for b, e in border]
    seen = set(nodes)
    extra = [n for n in dict.fromkeys(n for slot in slots for n in slot) if n not in seen]
    wanted = nodes + extra
    hashes = source(wanted)
    if len(hashes) != len(wanted):
        raise ValueError(f"node source returned {len(hashes)} hashes for {len(wanted)} nodes")
    value = dict(zip(perfect, hashes, strict=False))
    if border:
        known = dict(zip(wanted, hashes, strict=True))
        for r, slot in zip(border, slots, strict=True):
            value[r] = fold_right([known[n] for n in slot], alg)
    # Every proof gets its siblings top-down (a leaf's path is walked root first), then
    # is reversed to RFC 9162's bottom-up order.
    proofs: list[list[bytes]] = [[] for _ in range(begin, end)]
    stack = [(0, size, begin, end)]
    while stack:
        b, e, lo, hi = stack.pop()
        if e - b > 1:
            mid = b + _split(e - b)
            if lo < mid:
                sibling, top = value[(mid, e)], min(hi, mid)
                for proof in proofs[lo - begin : top - begin]:
                    proof.append(sibling)
                stack.append((b, mid, lo, top))
            if hi > mid:
                sibling, bottom = value[(b, mid)], max(lo, mid)
                for proof in proofs[bottom - begin : hi - begin]:
                    proof.append(sibling)
                stack.append((mid, e, bottom, hi))
    for proof in proofs:
        proof.reverse()
    return proofs


def consistency_proof(
    size1: int, size2: int, source: NodeSource, alg: HashAlgorithm = SHA256
) -> list[bytes]:
    """RFC 9162 §2.1.4.1 consistency proof, fetching only the nodes it needs."""
    return consistency_plan(size1, size2).assemble(source, alg)


def root(leaf_hashes: Sequence[bytes], alg: HashAlgorithm = SHA256) -> bytes:
    """RFC 9162 §2.1.1 MTH, level by level (an odd last node is carried up unchanged)."""
    level = list(leaf_hashes)
    if not level:
        return alg.empty_root
    new, prefix = alg.new, NODE_PREFIX
    while len(level) > 1:
        upper = [
            new(prefix + level[i] + level[i + 1]).digest() for i in range(0, len(level) - 1, 2)
        ]
        if len(level) % 2:
            upper.append(level[-1])
        level = upper
    return level[0]


def root_from_source(size: int, source: NodeSource, alg: HashAlgorithm = SHA256) -> bytes:
    """The root of the tree of ``size`` leaves from its stored perfect subtrees."""
    if size == 0:
        return alg.empty_root
    return fold_right(list(source(range_nodes(0, size))), alg)


# --- verification (RFC 9162 §2.1.3.2, §2.1.4.2) ---------------------------------------


def _check_hash(name: str, value: object, alg: HashAlgorithm) -> bytes:
    if not isinstance(value, bytes | bytearray):
        raise ProofError(f"{name} must be bytes, got {type(value).__name__}")
    if len(value) != alg.size:
        raise ProofError(f"{name} has {len(value)} bytes, expected {alg.size}")
    return bytes(value)


def _check_proof(proof: object, alg: HashAlgorithm) -> list[bytes]:
    if not isinstance(proof, list | tuple):
        raise ProofError(f"proof must be a list of hashes, got {type(proof).__name__}")
    return [_check_hash(f"proof[{i}]", h, alg) for i, h in enumerate(proof)]


def _decompose(index: int, size: int) -> tuple[int, int]:
    """Lengths of the inner and border parts of an inclusion proof (transparency-dev)."""
    inner = (index ^ (size - 1)).bit_length()
    border = (index >> inner).bit_count()
    return inner, border


def _chain_inner(seed: bytes, proof: Sequence[bytes], index: int, alg: HashAlgorithm) -> bytes:
    for i, h in enumerate(proof):
        seed = alg.node_hash(h, seed) if (index >> i) & 1 else alg.node_hash(seed, h)
    return seed


def _chain_inner_right(
    seed: bytes, proof: Sequence[bytes], index: int, alg: HashAlgorithm
) -> bytes:
    for i, h in enumerate(proof):
        if (index >> i) & 1:
            seed = alg.node_hash(h, seed)
    return seed


def _chain_border(seed: bytes, proof: Sequence[bytes], alg: HashAlgorithm) -> bytes:
    for h in proof:
        seed = alg.node_hash(h, seed)
    return seed


def _match(calculated: bytes, expected: bytes, what: str) -> None:
    if calculated != expected:
        raise ProofError(
            f"calculated {what} {calculated.hex()} does not match expected {what} {expected.hex()}",
            expected=expected.hex(),
            actual=calculated.hex(),
        )


def root_from_inclusion(
    leaf_hash: bytes, index: int, size: int, proof: Sequence[bytes], alg: HashAlgorithm = SHA256
) -> bytes:
    """The root that an inclusion proof implies; ``ProofError`` if it cannot be computed."""
    leaf_hash = _check_hash("leaf hash", leaf_hash, alg)
    index = _check_range("index", index)
    size = _check_range("size", size, 1)
    hashes = _check_proof(proof, alg)
    if index >= size:
        raise ProofError(f"index {index} is not in a tree of size {size}")
    inner, border = _decompose(index, size)
    if len(hashes) != inner + border:
        raise ProofError(
            f"inclusion proof for index {index} in a tree of size {size} has "
            f"{len(hashes)} hashes, expected {inner + border}",
            expected=inner + border,
            actual=len(hashes),
        )
    result = _chain_inner(leaf_hash, hashes[:inner], index, alg)
    return _chain_border(result, hashes[inner:], alg)


def verify_inclusion(
    leaf_hash: bytes,
    index: int,
    size: int,
    proof: Sequence[bytes],
    root: bytes,
    alg: HashAlgorithm = SHA256,
) -> None:
    """RFC 9162 §2.1.3.2: raise ``ProofError`` unless the leaf is at ``index`` under ``root``."""
    root = _check_hash("root", root, alg)
    _match(root_from_inclusion(leaf_hash, index, size, proof, alg), root, "root")


def verify_consistency(
    size1: int,
    size2: int,
    proof: Sequence[bytes],
    root1: bytes,
    root2: bytes,
    alg: HashAlgorithm = SHA256,
) -> None:
    """RFC 9162 §2.1.4.2: raise ``ProofError`` unless tree ``size2`` extends tree ``size1``."""
    size1 = _check_range("size1", size1)
    size2 = _check_range("size2", size2)
    hashes = _check_proof(proof, alg)
    root1 = _check_hash("root1", root1, alg)
    root2 = _check_hash("root2", root2, alg)
    if size2 < size1:
        raise ProofError(f"size2 {size2} is smaller than size1 {size1}")
    if size1 == size2:
        if hashes:
            raise ProofError(f"sizes are equal ({size1}) but the proof has {len(hashes)} hashes")
        _match(root1, root2, "root2")
        return
    if size1 == 0:
        raise ProofError("a consistency proof from the empty tree (size 0) is meaningless")
    inner, border = _decompose(size1 - 1, size2)
    shift = (size1 & -size1).bit_length() - 1
    inner -= shift
    seeded = size1 == 1 << shift  # root1 itself is the seed; otherwise proof[0] is
    want = inner + border + (0 if seeded else 1)
    if len(hashes) != want:
        raise ProofError(
            f"consistency proof from size {size1} to {size2} has {len(hashes)} hashes, "
            f"expected {want}",
            expected=want,
            actual=len(hashes),
        )
    seed, rest = (root1, hashes) if seeded else (hashes[0], hashes[1:])
    mask = (size1 - 1) >> shift
    hash1 = _chain_border(_chain_inner_right(seed, rest[:inner], mask, alg), rest[inner:], alg)
    _match(hash1, root1, "root1")
    hash2 = _chain_border(_chain_inner(seed, rest[:inner], mask, alg), rest[inner:], alg)
    _match(hash2, root2, "root2")
