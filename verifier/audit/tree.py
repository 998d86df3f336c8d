"""The tree an audit recomputes from the leaves (RFC 9162 §2.1.1), and its roots at the
sizes checkpoints need.

The tree is a compact range (``verifier.compact``): O(log n) hashes however long the
log. A checkpoint's root is needed at its size, which the leaves pass before or after
the checkpoint record is read:

- ``watch``: the sizes whose roots are kept when the tree reaches them (a file audit
  knows every checkpoint size from its first pass; a stream waits for the checkpoints
  it is fed first);
- ``keep_all``: every perfect subtree is kept instead (64 bytes per leaf), so any root
  is known on demand; for a stream whose checkpoints come after its leaves.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from verifier.compact import CompactRange
from verifier.hashing import HashAlgorithm
from verifier.merkle import NodeID, fold_right, range_nodes

Reached = Callable[[int, bytes], None]
"""Told each watched size the tree reaches, with the root there."""


@dataclass(frozen=True, slots=True)
class AuditState:
    """Where an audit ended, to resume from the next seq (``ledger export --from``)."""

    size: int
    compact: tuple[bytes, ...]  # the compact range [0, size), left to right
    chain: bytes  # chain[size - 1]


class TreeState:
    """The recomputed tree: a compact range, the kept roots, and what waits for them."""

    def __init__(self, alg: HashAlgorithm, watch: Iterable[int], keep_all: bool) -> None:
        self.alg = alg
        self.range = CompactRange(alg=alg)
        self.watch = set(watch)
        self.roots: dict[int, bytes] = {}
        self.store: list[bytearray] | None = [] if keep_all else None
        self.known = True  # False: a partial export without a resume state
        self.reached: Reached | None = None
        self.added: set[int] = set()  # watched since: sizes no worker cut its leaves at

    @property
    def size(self) -> int:
        return self.range.size

    def resume(self, state: AuditState) -> None:
        """Start from an earlier audit's state; the subtrees before it are not kept."""
        self.range = CompactRange(state.size, state.compact, self.alg)
        self.store = None

    def wait_for(self, size: int) -> None:
        """Keep the root at ``size`` when the tree reaches it."""
        if size not in self.watch:
            self.watch.add(size)
            self.added.add(size)

    def cuts_ok(self, begin: int, end: int) -> bool:
        """Whether no size watched since the start falls strictly inside ``(begin, end)``."""
        return not any(begin < size < end for size in self.added)

    def append(self, leaf_hash: bytes) -> None:
        if self.store is None:
            self.range.append(leaf_hash)
        else:
            self.range.append(leaf_hash, self._keep)
        if self.range.size in self.watch:
            self._reach(self.range.size)

    def append_range(self, end: int, hashes: Sequence[bytes]) -> None:
        """Merge the compact range ``[size, end)`` of leaves hashed elsewhere."""
        self.range.append_range(end, hashes)
        if end in self.watch:
            self._reach(end)

    def _reach(self, size: int) -> None:
        root = self.roots[size] = self.range.root()
        if self.reached is not None:
            self.reached(size, root)

    def _keep(self, node: NodeID, value: bytes) -> None:
        store = self.store
        assert store is not None  # noqa: S101  only visited when keeping
        if node.level == len(store):
            store.append(bytearray())
        store[node.level] += value

    def root_at(self, size: int) -> bytes | None:
        """The root at ``size`` if it is known: now, kept, or from the kept subtrees."""
        if size == self.range.size:
            return self.range.root()
        if size in self.roots:
            return self.roots[size]
        if self.store is not None and size < self.range.size:
            return self._stored_root(size)
        return None

    def _stored_root(self, size: int) -> bytes:
        store = self.store
        assert store is not None  # noqa: S101
        if size == 0:
            return self.alg.empty_root
        n = self.alg.size
        nodes = range_nodes(0, size)
        hashes = [bytes(store[x.level][x.index * n : (x.index + 1) * n]) for x in nodes]
        return fold_right(hashes, self.alg)

    def state(self, chain: bytes) -> AuditState:
        return AuditState(self.range.size, self.range.hashes, chain)
