"""Reading the tree's nodes from the database (level 0 from ``entries``, the rest from
``nodes``) for proofs; ``verifier.merkle`` plans which nodes a proof needs."""

from __future__ import annotations

import threading
import weakref
from collections.abc import Sequence
from typing import ClassVar

from sqlalchemy import Connection, Engine

from ledger.storage import queries as q
from verifier.merkle import NodeID


def split_hashes(blob: bytes, size: int) -> list[bytes]:
    return [blob[i : i + size] for i in range(0, len(blob), size)]


class NodeReader:
    """A ``NodeSource`` over the database: level 0 from entries, the rest from nodes.

    ``prefetch`` reads nodes ahead (and the tree size with them, in one statement), so
    a proof endpoint checks the size it was asked about against the tree and fetches
    the proof's nodes in one round trip and one snapshot.

    Nodes never change once written. Those of level ``UPPER_LEVEL`` and up (each covers
    256 leaves or more: about 8,000 in a log of a million) are kept in memory per
    database engine and log, up to ``UPPER_LIMIT`` of them, so most proofs read only
    their lower levels. A tree size smaller than one seen before (a database restored
    under a running process) empties that log's cache; restart the service after a
    restore all the same, since appends past the old size would go unnoticed.
    """

    UPPER_LEVEL = 8
    UPPER_LIMIT = 1 << 14

    class _Upper:
        __slots__ = ("nodes", "size")

        def __init__(self) -> None:
            self.nodes: dict[NodeID, bytes] = {}
            self.size = 0  # the largest tree size seen

    _uppers: ClassVar[weakref.WeakKeyDictionary[Engine, dict[int, NodeReader._Upper]]] = (
        weakref.WeakKeyDictionary()
    )
    _uppers_lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(self, conn: Connection, log_id: int, known: dict[NodeID, bytes] | None = None):
        self.conn, self.log_id = conn, log_id
        self.known: dict[NodeID, bytes] = dict(known) if known else {}
        with self._uppers_lock:
            logs = self._uppers.setdefault(conn.engine, {})
            self.upper = logs.setdefault(log_id, NodeReader._Upper())

    def prefetch(self, ids: Sequence[NodeID], *, tree_size: bool = False) -> int | None:
        """Read the hashes of ``ids`` not yet known (absent ones stay absent) and, with
        ``tree_size``, return the log's size read in the same statement."""
        known, upper = self.known, self.upper
        cached, missing = [], []
        for n in ids:
            if n in known:
                continue
            value = upper.nodes.get(n)
            if value is None:
                missing.append(n)
            else:
                known[n] = value
                cached.append(n)
        seqs = [n.index for n in missing if n.level == 0]
        inner = [(n.level, n.index) for n in missing if n.level > 0]
        size, fresh = None, []
        reads = q.tree_reads(self.conn.dialect.name, self.log_id, seqs, inner, tree_size)
        for statement, params in reads:
            for level, index, value in self.conn.execute(statement, params):
                if level == q.SIZE_LEVEL:
                    size = int(index)
                    continue
                node = NodeID(level, index)
                known[node] = value
                if level >= self.UPPER_LEVEL:
                    fresh.append((node, value))
        if size is not None:
            if size < upper.size:  # the log shrank: nothing cached can be trusted
                upper.nodes.clear()
                for n in cached:
                    del known[n]
                self.prefetch(cached)
            upper.size = size
        room = self.UPPER_LIMIT - len(upper.nodes)
        if fresh and room > 0:
            upper.nodes.update(fresh[:room])
        return size

    def __call__(self, ids: Sequence[NodeID]) -> list[bytes]:
        self.prefetch(ids)
        try:
            return [self.known[n] for n in ids]
        except KeyError as e:
            raise LookupError(f"tree node {e.args[0]} is missing from the database") from e
