"""The appender (EVIDENCE-FORMAT §2-4): events in, leaves, chain, tree and a signed
checkpoint out, in one transaction under the log-head lock.

Receipts for new entries need no node reads: every node their inclusion proofs use is
either new in this append or one of the compact-range nodes of the tree before it.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection

from ledger.errors import Conflict, InvalidInput
from ledger.logkeys import LogKeys
from ledger.storage import queries as q
from ledger.storage.db import Database
from verifier import merkle
from verifier.canonical import leaf_bytes, new_salt
from verifier.checkpoint import format_checkpoint, sign_note
from verifier.compact import CompactRange
from verifier.hashing import HashAlgorithm
from verifier.merkle import NodeID


@dataclass(frozen=True)
class Source:
    """How a delivery reached us (the leaf's ``source``)."""

    channel: str
    delivery_sha256: str
    authenticated: str

    def as_leaf(self) -> dict[str, str]:
        return {
            "channel": self.channel,
            "delivery_sha256": self.delivery_sha256,
            "authenticated": self.authenticated,
        }


@dataclass(frozen=True)
class Submission:
    """A validated event, its canonical bytes (RFC 8785) and where it came from."""

    event: dict[str, Any]
    canonical: bytes
    source: Source

    @property
    def event_id(self) -> str:
        return str(self.event["event_id"])

    @property
    def content_sha256(self) -> bytes:
        return hashlib.sha256(self.canonical).digest()


@dataclass(frozen=True)
class Receipt:
    seq: int
    leaf: bytes
    leaf_hash: bytes
    chain: bytes
    received_at: str
    checkpoint: str
    inclusion: list[bytes]
    created: bool

    def to_json(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "leaf": base64.b64encode(self.leaf).decode(),
            "leaf_hash": self.leaf_hash.hex(),
            "chain": self.chain.hex(),
            "received_at": self.received_at,
            "checkpoint": self.checkpoint,
            "inclusion": [h.hex() for h in self.inclusion],
        }


def received_now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def split_hashes(blob: bytes, size: int) -> list[bytes]:
    return [blob[i : i + size] for i in range(0, len(blob), size)]


class NodeReader:
    """A ``NodeSource`` over the database: level 0 from entries, the rest from nodes."""

    def __init__(self, conn: Connection, log_id: int, known: dict[NodeID, bytes] | None = None):
        self.conn, self.log_id, self.known = conn, log_id, known or {}

    def __call__(self, ids: Sequence[NodeID]) -> list[bytes]:
        missing = [n for n in ids if n not in self.known]
        found = dict(self.known)
        leaves = [n.index for n in missing if n.level == 0]
        inner = [(n.level, n.index) for n in missing if n.level > 0]
        if leaves:
            rows = self.conn.execute(q.LEAF_HASHES, {"log_id": self.log_id, "seqs": leaves})
            found.update((NodeID(0, r.seq), r.leaf_hash) for r in rows)
        if inner:
            rows = self.conn.execute(q.NODE_HASHES, {"log_id": self.log_id, "ids": inner})
            found.update((NodeID(r.level, r.idx), r.hash) for r in rows)
        try:
            return [found[n] for n in ids]
        except KeyError as e:
            raise LookupError(f"tree node {e.args[0]} is missing from the database") from e


class Appender:
    def __init__(self, db: Database, log_id: int, origin: str, alg: HashAlgorithm, keys: LogKeys):
        self.db, self.log_id, self.origin, self.alg, self.keys = db, log_id, origin, alg, keys

    def append(self, tenant_id: int, tenant: str, subs: Sequence[Submission]) -> list[Receipt]:
        """Append what is new, return a receipt per submission (originals for repeats)."""
        ids = [s.event_id for s in subs]
        if len(set(ids)) != len(ids):
            raise InvalidInput("an event_id appears twice in the batch", field="events")
        with self.db.writing() as conn:
            head = self.db.lock_head(conn, self.log_id)
            seen = self._seen(conn, tenant_id, subs)
            fresh = [s for s in subs if s.event_id not in seen]
            made = self._append(conn, head, tenant_id, tenant, fresh) if fresh else {}
            old = {eid: self.receipt(conn, seq) for eid, seq in seen.items()}
        return [made.get(s.event_id) or old[s.event_id] for s in subs]

    def _seen(self, conn: Connection, tenant_id: int, subs: Sequence[Submission]) -> dict[str, int]:
        """Event ids already in the log for this tenant → seq; 409 if the content differs."""
        params = {
            "log_id": self.log_id,
            "tenant_id": tenant_id,
            "event_ids": [s.event_id for s in subs],
        }
        rows = conn.execute(q.SEEN, params).all()
        by_id = {s.event_id: s for s in subs}
        for row in rows:
            # An erased body cannot be compared; the event_id alone then identifies it.
            if (
                row.content_sha256 is not None
                and row.content_sha256 != by_id[row.event_id].content_sha256
            ):
                raise Conflict(
                    f"event_id {row.event_id!r} was already appended (seq {row.seq}) "
                    "with different content",
                    field="event_id",
                )
        return {row.event_id: row.seq for row in rows}

    def _append(
        self, conn: Connection, head: Any, tenant_id: int, tenant: str, subs: Sequence[Submission]
    ) -> dict[str, Receipt]:
        alg = self.alg
        state = CompactRange(head.size, split_hashes(head.compact, alg.size), alg)
        known: dict[NodeID, bytes] = dict(zip(state.nodes, state.hashes, strict=True))
        chain, received_at = head.chain, received_now()
        entries, bodies, leaves = [], [], []
        for sub in subs:
            seq, salt = state.size, new_salt()
            leaf = leaf_bytes(
                log=self.origin,
                seq=seq,
                received_at=received_at,
                tenant=tenant,
                source=sub.source.as_leaf(),
                event=sub.event,
                commitment=alg.digest(salt + sub.canonical).hex(),
            )
            leaf_hash = alg.leaf_hash(leaf)
            chain = alg.chain_next(chain, leaf_hash)
            state.append(leaf_hash, known.__setitem__)
            leaves.append((seq, leaf, leaf_hash, chain, sub))
            entries.append(
                {
                    "log_id": self.log_id,
                    "seq": seq,
                    "tenant_id": tenant_id,
                    "event_id": sub.event_id,
                    "envelope_id": sub.event["envelope_id"],
                    "type": sub.event["type"],
                    "received_at": received_at,
                    "leaf": leaf,
                    "leaf_hash": leaf_hash,
                    "chain": chain,
                }
            )
            bodies.append(
                {
                    "log_id": self.log_id,
                    "seq": seq,
                    "event": sub.canonical.decode(),
                    "salt": salt,
                    "content_sha256": sub.content_sha256,
                }
            )
        size, root = state.size, state.root()
        note = sign_note(format_checkpoint(self.origin, size, root), self.keys.signers(conn))
        self._store(conn, entries, bodies, known, head.size, size, root, note, state, chain)
        source = NodeReader(conn, self.log_id, known)
        return {
            sub.event_id: Receipt(
                seq,
                leaf,
                leaf_hash,
                chain_value,
                received_at,
                note,
                merkle.inclusion_proof(seq, size, source, alg),
                created=True,
            )
            for seq, leaf, leaf_hash, chain_value, sub in leaves
        }

    def _store(
        self,
        conn: Connection,
        entries: list[dict[str, Any]],
        bodies: list[dict[str, Any]],
        known: dict[NodeID, bytes],
        old_size: int,
        size: int,
        root: bytes,
        note: str,
        state: CompactRange,
        chain: bytes,
    ) -> None:
        conn.execute(q.INSERT_ENTRIES, entries)
        conn.execute(q.INSERT_BODIES, bodies)
        nodes = [
            {"log_id": self.log_id, "level": n.level, "idx": n.index, "hash": h}
            for n, h in known.items()
            if n.level > 0 and n.end > old_size
        ]
        if nodes:
            conn.execute(q.INSERT_NODES, nodes)
        checkpoint = {"log_id": self.log_id, "size": size, "root": root, "note": note}
        conn.execute(q.INSERT_CHECKPOINT, checkpoint | {"created_at": datetime.now(UTC)})
        head = {"size": size, "chain": chain, "compact": b"".join(state.hashes), "checkpoint": note}
        conn.execute(q.UPDATE_HEAD, head | {"head_id": self.log_id})

    def receipt(self, conn: Connection, seq: int) -> Receipt:
        """The original receipt of an entry: its checkpoint is the first one covering it."""
        params = {"log_id": self.log_id, "seq": seq}
        entry = conn.execute(q.ENTRY, params).one()
        cp = conn.execute(q.COVERING_CHECKPOINT, params).one()
        proof = merkle.inclusion_proof(seq, cp.size, NodeReader(conn, self.log_id), self.alg)
        return Receipt(
            seq, entry.leaf, entry.leaf_hash, entry.chain, entry.received_at, cp.note, proof, False
        )
