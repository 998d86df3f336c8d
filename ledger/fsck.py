"""``ledger fsck``: recompute the chain and the tree from the database and compare them
with every stored leaf hash, chain value, tree node, checkpoint and the log head.

It reports the first bad seq (and each other kind of damage it finds once).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from sqlalchemy import Connection, select

from ledger.storage.models import Checkpoint, Entry, Log, Node, Tenant
from ledger.storage.nodes import split_hashes
from verifier import checkpoint as notes
from verifier.compact import CompactRange
from verifier.errors import VerificationError
from verifier.hashing import HashAlgorithm
from verifier.leaf import parse_leaf

CHUNK = 10_000


@dataclass
class Finding:
    seq: int | None
    check: str
    message: str

    def __str__(self) -> str:
        where = f"seq {self.seq}" if self.seq is not None else "log"
        return f"{where}: {self.check}: {self.message}"


@dataclass
class FsckReport:
    size: int = 0
    checkpoints: int = 0
    nodes: int = 0
    findings: list[Finding] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not self.findings

    @property
    def first_bad_seq(self) -> int | None:
        seqs = [f.seq for f in self.findings if f.seq is not None]
        return min(seqs) if seqs else None


def _entries(conn: Connection, log_id: int) -> Iterator[tuple[int, bytes, bytes, bytes]]:
    after = -1
    while True:
        rows = conn.execute(
            select(Entry.seq, Entry.leaf, Entry.leaf_hash, Entry.chain)
            .where(Entry.log_id == log_id, Entry.seq > after)
            .order_by(Entry.seq)
            .limit(CHUNK)
        ).all()
        if not rows:
            return
        yield from ((r.seq, r.leaf, r.leaf_hash, r.chain) for r in rows)
        after = rows[-1].seq


class Fsck:
    def __init__(
        self, conn: Connection, log_id: int, origin: str, alg: HashAlgorithm, vkeys: list[str]
    ):
        self.conn, self.log_id, self.origin, self.alg, self.vkeys = conn, log_id, origin, alg, vkeys
        self.report = FsckReport()
        self._kinds: set[str] = set()

    def _find(self, seq: int | None, check: str, message: str) -> None:
        # The first finding of each kind is what an operator needs; the rest would be noise.
        if check not in self._kinds:
            self._kinds.add(check)
            self.report.findings.append(Finding(seq, check, message))

    def run(self) -> FsckReport:
        cps = self.conn.execute(
            select(Checkpoint.size, Checkpoint.root, Checkpoint.note)
            .where(Checkpoint.log_id == self.log_id)
            .order_by(Checkpoint.size)
        ).all()
        roots = {cp.size: cp.root for cp in cps}
        state, chain, stored_hashes = self._scan(roots)
        self._check_checkpoints(cps, roots)
        self._check_nodes(stored_hashes)
        self._check_head(state, chain)
        self._check_tenants()
        return self.report

    def _scan(self, roots: dict[int, bytes]) -> tuple[CompactRange, bytes, list[bytes]]:
        """Entries in seq order: leaf, leaf hash, chain, and the root at every checkpoint."""
        alg, state, chain = self.alg, CompactRange(alg=self.alg), self.alg.chain_start
        stored_hashes: list[bytes] = []
        for seq, leaf, leaf_hash, stored_chain in _entries(self.conn, self.log_id):
            if seq != state.size:
                self._find(state.size, "missing entry", f"expected seq {state.size}, found {seq}")
            self._check_leaf(seq, leaf)
            computed = alg.leaf_hash(leaf)
            if computed != leaf_hash:
                self._find(
                    seq, "leaf hash", f"stored {leaf_hash.hex()}, leaf hashes to {computed.hex()}"
                )
            chain = alg.chain_next(chain, computed)
            if chain != stored_chain:
                self._find(seq, "chain", f"stored {stored_chain.hex()}, recomputed {chain.hex()}")
            state.append(computed)
            stored_hashes.append(leaf_hash)
            root = roots.get(state.size)
            if root is not None and root != state.root():
                self._find(
                    seq,
                    "checkpoint root",
                    f"checkpoint of size {state.size} has root {root.hex()}, "
                    f"entries give {state.root().hex()}",
                )
        self.report.size = state.size
        return state, chain, stored_hashes

    def _check_leaf(self, seq: int, leaf: bytes) -> None:
        try:
            parsed = parse_leaf(leaf)
        except VerificationError as e:
            self._find(seq, "leaf format", str(e))
            return
        if parsed.seq != seq or parsed.log != self.origin:
            self._find(seq, "leaf position", f"leaf says log {parsed.log!r} seq {parsed.seq}")

    def _check_checkpoints(self, cps: list[object], roots: dict[int, bytes]) -> None:
        for cp in cps:
            self.report.checkpoints += 1
            size, root, note = cp.size, cp.root, cp.note  # type: ignore[attr-defined]
            if size > self.report.size:
                self._find(
                    self.report.size,
                    "truncated",
                    f"checkpoint of size {size} but only {self.report.size} entries",
                )
            try:
                parsed = notes.verify(note, self.vkeys)
            except VerificationError as e:
                self._find(size - 1, "checkpoint signature", f"size {size}: {e}")
                continue
            if (parsed.origin, parsed.size, parsed.root) != (self.origin, size, root):
                self._find(
                    size - 1, "checkpoint note", f"note of size {size} does not match its row"
                )

    def _check_nodes(self, below: list[bytes]) -> None:
        """Each stored node against its stored children, level by level.

        Node damage is reported by node, not by seq: a node covers many entries.
        """
        level = 1
        while len(below) > 1:
            rows = self.conn.execute(
                select(Node.idx, Node.hash)
                .where(Node.log_id == self.log_id, Node.level == level)
                .order_by(Node.idx)
            ).all()
            self.report.nodes += len(rows)
            if [r.idx for r in rows] != list(range(len(below) // 2)):
                self._find(
                    None,
                    "tree node",
                    f"level {level} has {len(rows)} nodes, expected {len(below) // 2}",
                )
                return
            for r in rows:
                if r.hash != self.alg.node_hash(below[2 * r.idx], below[2 * r.idx + 1]):
                    first, last = r.idx << level, ((r.idx + 1) << level) - 1
                    self._find(
                        None,
                        "tree node",
                        f"node ({level}, {r.idx}) over seq {first}-{last} "
                        "does not hash its children",
                    )
            below = [r.hash for r in rows]
            level += 1

    def _check_tenants(self) -> None:
        """Every entry's tenant exists (entries carry no foreign key: migration 0004)."""
        orphan = self.conn.execute(
            select(Entry.seq, Entry.tenant_id)
            .outerjoin(Tenant, Tenant.id == Entry.tenant_id)
            .where(Entry.log_id == self.log_id, Tenant.id.is_(None))
            .order_by(Entry.seq)
            .limit(1)
        ).first()
        if orphan is not None:
            self._find(
                orphan.seq, "tenant", f"entry of tenant id {orphan.tenant_id}, which does not exist"
            )

    def _check_head(self, state: CompactRange, chain: bytes) -> None:
        head = self.conn.execute(
            select(Log.size, Log.chain, Log.compact).where(Log.id == self.log_id)
        ).one()
        if head.size != state.size:
            self._find(
                min(head.size, state.size),
                "log head",
                f"head says size {head.size}, entries give {state.size}",
            )
        elif head.chain != chain or split_hashes(head.compact, self.alg.size) != list(state.hashes):
            self._find(None, "log head", "head chain or compact range differs from the entries")
