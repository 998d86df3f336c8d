"""Incremental tree state: a compact range over ``[0, size)`` and an in-memory node store.

``CompactRange`` keeps one hash per set bit of the tree size (the roots of the perfect
subtrees that cover the leaves, left to right), so appending leaf ``n`` costs at most
log2(n) node hashes and the root is at most log2(n) more. Every perfect node an append
completes is passed to a ``visit`` callback: that is what storage keeps, and from those
nodes any past root and any proof is computed (``verifier.merkle``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from verifier.errors import MalformedError
from verifier.hashing import SHA256, HashAlgorithm
from verifier.merkle import NodeID, NodeSource, fold_right, range_nodes, root_from_source

NodeVisitor = Callable[[NodeID, bytes], None]
"""Receives each perfect node that an append completes (leaves included)."""


class CompactRange:
    """The compact range ``[0, size)``: enough to append and to compute the root."""

    __slots__ = ("_hashes", "_size", "alg")

    def __init__(
        self, size: int = 0, hashes: Sequence[bytes] = (), alg: HashAlgorithm = SHA256
    ) -> None:
        if size < 0 or len(hashes) != size.bit_count():
            raise MalformedError(
                f"a compact range of size {size} has {size.bit_count()} hashes, got {len(hashes)}"
            )
        self.alg = alg
        self._size = size
        self._hashes = list(hashes)

    @classmethod
    def from_source(
        cls, size: int, source: NodeSource, alg: HashAlgorithm = SHA256
    ) -> CompactRange:
        """Rebuild the state of tree ``size`` from stored nodes (O(log n) reads)."""
        return cls(size, list(source(range_nodes(0, size))), alg)

    @property
    def size(self) -> int:
        return self._size

    @property
    def hashes(self) -> tuple[bytes, ...]:
        return tuple(self._hashes)

    @property
    def nodes(self) -> list[NodeID]:
        """The ids of ``hashes``, left to right."""
        return range_nodes(0, self._size)

    def append(self, leaf_hash: bytes, visit: NodeVisitor | None = None) -> None:
        """Add leaf ``size``; merge equal-sized subtrees as a binary counter carries."""
        if visit is not None:
            self._append_visiting(leaf_hash, visit)
            return
        value, size, hashes, node_hash = leaf_hash, self._size, self._hashes, self.alg.node_hash
        while size & 1:
            value = node_hash(hashes.pop(), value)
            size >>= 1
        hashes.append(value)
        self._size += 1

    def _append_visiting(self, leaf_hash: bytes, visit: NodeVisitor) -> None:
        node, value, size = NodeID(0, self._size), leaf_hash, self._size
        visit(node, value)
        while size & 1:
            value = self.alg.node_hash(self._hashes.pop(), value)
            node = NodeID(node.level + 1, node.index >> 1)
            size >>= 1
            visit(node, value)
        self._hashes.append(value)
        self._size += 1

    def append_subtree(self, level: int, value: bytes) -> None:
        """Add the perfect subtree of ``2**level`` leaves that starts at ``size``, given its
        root: the step of merging an adjacent compact range, node by node
        (transparency-dev/merkle ``compact.Range.AppendRange``)."""
        if self._size & ((1 << level) - 1):
            raise MalformedError(f"a subtree of 2^{level} leaves cannot start at {self._size}")
        size, hashes, node_hash = self._size >> level, self._hashes, self.alg.node_hash
        while size & 1:
            value = node_hash(hashes.pop(), value)
            size >>= 1
        hashes.append(value)
        self._size += 1 << level

    def append_range(self, end: int, hashes: Sequence[bytes]) -> None:
        """Merge the compact range ``[size, end)``: the hashes of ``range_nodes(size, end)``."""
        nodes = range_nodes(self._size, end)
        if len(nodes) != len(hashes):
            raise MalformedError(
                f"the compact range [{self._size}, {end}) has {len(nodes)} hashes, "
                f"got {len(hashes)}"
            )
        for node, value in zip(nodes, hashes, strict=True):
            self.append_subtree(node.level, value)

    def extend(self, leaf_hashes: Iterable[bytes], visit: NodeVisitor | None = None) -> None:
        for leaf_hash in leaf_hashes:
            self.append(leaf_hash, visit)

    def root(self) -> bytes:
        """RFC 9162 MTH of the range."""
        if not self._hashes:
            return self.alg.empty_root
        return fold_right(self._hashes, self.alg)

    def copy(self) -> CompactRange:
        return CompactRange(self._size, self._hashes, self.alg)


class MemoryTree:
    """Every perfect node of a tree, in memory: a ``NodeSource`` for tests and tools.

    The same shape a database keeps: ``levels[level][index]``. Memory is about
    2 × 32 bytes per leaf plus Python object overhead.
    """

    def __init__(self, leaf_hashes: Iterable[bytes] = (), alg: HashAlgorithm = SHA256) -> None:
        self.alg = alg
        self.levels: list[list[bytes]] = [[]]
        self.range = CompactRange(alg=alg)
        self.extend(leaf_hashes)

    def _store(self, node: NodeID, value: bytes) -> None:
        if node.level == len(self.levels):
            self.levels.append([])
        self.levels[node.level].append(value)

    def append(self, leaf_hash: bytes) -> None:
        self.range.append(leaf_hash, self._store)

    def extend(self, leaf_hashes: Iterable[bytes]) -> None:
        self.range.extend(leaf_hashes, self._store)

    @property
    def size(self) -> int:
        return self.range.size

    def nodes(self, ids: Sequence[NodeID]) -> list[bytes]:
        """``NodeSource``: the stored hashes of perfect nodes."""
        try:
            return [self.levels[n.level][n.index] for n in ids]
        except IndexError:
            raise KeyError(f"node not in a tree of size {self.size}") from None

    def root(self, size: int | None = None) -> bytes:
        """The root of the tree at ``size`` leaves (default: now)."""
        if size is None or size == self.size:
            return self.range.root()
        if not 0 <= size <= self.size:
            raise KeyError(f"size {size} is beyond the tree size {self.size}")
        return root_from_source(size, self.nodes, self.alg)
