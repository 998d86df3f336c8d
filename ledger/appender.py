"""The appender (docs/design/EVIDENCE-FORMAT.md §2-4): events in, leaves, chain, tree and a signed
checkpoint out, in one transaction under the log-head lock.

Receipts for new entries need no node reads: every node their inclusion proofs use is
either new in this append or one of the compact-range nodes of the tree before it.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import threading
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from itertools import groupby
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import Connection

from ledger.clock import occurred_micros
from ledger.errors import Conflict, InvalidInput, Unavailable
from ledger.logkeys import LogKeys
from ledger.outbound.outbox import enqueue_appended
from ledger.privacy.crypto import NONCE, body_aad, delivery_aad, seal
from ledger.privacy.keys import DataKeys, NewKey
from ledger.receipts import Receipt, original_receipt
from ledger.storage.db import (
    BODIES,
    DATA_KEYS,
    DELIVERY_BODIES,
    ENTRIES,
    NODES,
    Database,
    Head,
    Seen,
)
from ledger.storage.nodes import split_hashes
from verifier import merkle
from verifier.checkpoint import format_checkpoint, sign_note
from verifier.compact import CompactRange
from verifier.hashing import HashAlgorithm
from verifier.leaf import SALT_SIZE, leaf_bytes_many
from verifier.merkle import NodeID


@dataclass(frozen=True)
class Source:
    """How a delivery reached us (the leaf's ``source``) and, when kept, its body as
    received with the content type its sender declared (table ``delivery_bodies``)."""

    channel: str
    delivery_sha256: str
    authenticated: str
    body: bytes | None = field(default=None, compare=False, repr=False)
    content_type: str | None = field(default=None, compare=False)

    @classmethod
    def received(
        cls, channel: str, authenticated: str, body: bytes, content_type: str | None
    ) -> Source:
        """The source of a request body that is kept (``delivery_sha256`` its SHA-256)."""
        digest = hashlib.sha256(body).hexdigest()
        return cls(channel, digest, authenticated, body, _content_type(content_type))

    def body_row(
        self, tenant_id: int, received_at: str, key: tuple[int, AESGCM] | None, nonce: bytes
    ) -> dict[str, Any]:
        """Its ``delivery_bodies`` row (only for a source with a body), sealed under
        ``key`` (``(key id, AESGCM)``; None: encryption off) with ``nonce``."""
        sha256 = bytes.fromhex(self.delivery_sha256)
        body = self.body or b""
        if key is not None:
            body = seal(key[1], nonce, body, delivery_aad(tenant_id, sha256))
        return {
            "tenant_id": tenant_id,
            "sha256": sha256,
            "channel": self.channel,
            "content_type": self.content_type,
            "received_at": received_at,
            "key_id": key[0] if key is not None else None,
            "body": body,
        }

    def as_leaf(self) -> dict[str, str]:
        return {
            "channel": self.channel,
            "delivery_sha256": self.delivery_sha256,
            "authenticated": self.authenticated,
        }


CONTENT_TYPE = re.compile(r"[\x20-\x7e]{1,200}\Z")


def _content_type(value: str | None) -> str | None:
    """The declared content type if it can be given back as a header (printable ASCII,
    at most 200 characters); else None, and the body is served as octet-stream."""
    return value if value is not None and CONTENT_TYPE.match(value) else None


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


def received_now() -> str:
    """RFC 3339 UTC with microseconds (``%Y-%m-%dT%H:%M:%S.%fZ``, by the quicker isoformat)."""
    return datetime.now(UTC).isoformat(timespec="microseconds").removesuffix("+00:00") + "Z"


GROUP_EVENTS = 1_000  # the most events one group commit appends (a full batch goes alone)


class Appender:
    """Appends under the log-head lock only what needs the head: the idempotency lookup,
    the leaves (their seq and received_at), the tree, the signature and the writes. Salts
    and commitments are made before the lock, proofs and receipts after the commit.

    Group commit: the callers of one process (the threads of a gunicorn worker) queue
    for their turn; whoever is at the front appends for everyone queued behind it, up to
    ``GROUP_EVENTS`` events, in one transaction with one signed checkpoint, then wakes
    them. Each caller still gets its answer only after the commit that holds its events,
    and each its own outcome: a conflict refuses its request alone, and should the group's
    transaction fail, the leader appends its requests again one by one.
    """

    def __init__(
        self,
        db: Database,
        log_id: int,
        origin: str,
        alg: HashAlgorithm,
        keys: LogKeys,
        data_keys: DataKeys,
        subject_of: Callable[[dict[str, Any]], bytes],
    ):
        self.db, self.log_id, self.origin, self.alg, self.keys = db, log_id, origin, alg, keys
        self.data_keys, self.subject_of = data_keys, subject_of
        self._mutex = threading.Lock()
        self._queue: deque[_Request] = deque()

    def append(self, tenant_id: int, tenant: str, subs: Sequence[Submission]) -> list[Receipt]:
        """Append what is new, return a receipt per submission (originals for repeats)."""
        ids = [s.event_id for s in subs]
        if len(set(ids)) != len(ids):
            raise InvalidInput("an event_id appears twice in the batch", field="events")
        # One read of the system's randomness per request: each event's salt and, with
        # encryption on, the nonces of its body and of its request body.
        encrypt = self.data_keys.enabled
        step = SALT_SIZE + 2 * NONCE if encrypt else SALT_SIZE
        digest, randomness = self.alg.digest, secrets.token_bytes(step * len(subs))
        subject_of = self.subject_of if encrypt else lambda _: b""
        prepared = []
        for i, sub in enumerate(subs):
            at = i * step
            salt = randomness[at : at + SALT_SIZE]  # as new_salt() makes them
            nonces = randomness[at + SALT_SIZE : at + step]
            content = hashlib.sha256(sub.canonical).digest()
            commitment = digest(salt + sub.canonical).hex()
            subject = subject_of(sub.event)
            prepared.append(_Prepared(sub, salt, commitment, content, subject, nonces))
        request = _Request(tenant_id, tenant, prepared)
        self._take_turn(request)
        if request.error is not None:
            raise request.error
        receipts = (
            request.made.receipts(self.alg, request.begin, request.end) if request.made else {}
        )
        if request.repeats:
            # Entries never change once committed, nor does the checkpoint that covers
            # them first: their original receipts can be read after the commit.
            with self.db.reading() as conn:
                receipts |= {
                    eid: original_receipt(conn, self.log_id, self.alg, seq)
                    for eid, seq in request.repeats.items()
                }
        return [receipts[event_id] for event_id in ids]

    def _take_turn(self, request: _Request) -> None:
        """Wait until ``request`` is appended by another caller, or lead a group with it.

        Whenever the queue is not empty its front request leads (or is being woken to):
        a caller finding the queue empty leads at once, the others sleep on their own
        lock until the leader of their group or the one before lets them go.
        """
        with self._mutex:
            self._queue.append(request)
            leads = len(self._queue) == 1
        if not leads:
            request.wake.acquire()  # released once: done, or now at the front
            if request.done:
                return
        with self._mutex:
            group, events = [], 0
            for queued in self._queue:
                if group and events + len(queued.prepared) > GROUP_EVENTS:
                    break
                group.append(queued)
                events += len(queued.prepared)
        try:
            self._append_group(group)
        finally:
            with self._mutex:
                for queued in group:
                    self._queue.popleft()  # the group is the front of the queue, in order
                    queued.done = True
                    if queued is not request:
                        queued.wake.release()
                if self._queue:
                    self._queue[0].wake.release()  # the next leader

    def _append_group(self, group: list[_Request]) -> None:
        for request in group:
            request.error = Unavailable("the append was interrupted before its commit")
        try:
            self._commit(group)
        except Exception as e:  # handed to the caller: its own thread raises it
            if len(group) == 1:
                group[0].error = e
                return
            for request in group:  # one at a time: each caller gets its own outcome
                request.reset()
                try:
                    self._commit([request])
                except Exception as alone:
                    request.error = alone

    def _commit(self, group: list[_Request]) -> None:
        """One transaction: sort each request's events into repeats and new ones, append
        the new ones of every request that has no conflict, sign, commit."""
        wanted: dict[int, list[str]] = {}
        for request in group:
            wanted.setdefault(request.tenant_id, []).extend(
                p.sub.event_id for p in request.prepared
            )
        runs: list[tuple[_Request, list[_Prepared]]] = []
        with self.db.writing() as conn:
            head, found = self.db.hot.head_and_seen(conn, self.log_id, wanted)
            existing = {(t, row.event_id): row for t, rows in found.items() for row in rows}
            taken: dict[tuple[int, str], tuple[int, bytes]] = {}  # new in this group
            size = head.size
            for request in group:
                try:
                    fresh = request.sort(existing, taken)
                except Conflict as e:
                    request.error = e
                    continue
                request.begin, request.end = size, size + len(fresh)
                for seq, p in enumerate(fresh, size):
                    taken[(request.tenant_id, p.sub.event_id)] = (seq, p.content_sha256)
                size = request.end
                request.error = None
                if fresh:
                    runs.append((request, fresh))
            made = self._append(conn, head, runs) if runs else None
        for request, _ in runs:
            request.made = made

    def _append(
        self, conn: Connection, head: Head, runs: list[tuple[_Request, list[_Prepared]]]
    ) -> _Appended:
        alg, log_id = self.alg, self.log_id
        state = CompactRange(head.size, split_hashes(head.compact, alg.size), alg)
        known: dict[NodeID, bytes] = dict(zip(state.nodes, state.hashes, strict=True))
        chain, received_at = head.chain, received_now()
        every: list[dict[str, Any]] = []
        bodies: list[dict[str, Any]] = []
        delivered: dict[tuple[int, str], dict[str, Any]] = {}  # one row per body
        made: list[NewKey] = []
        encrypt = self.data_keys.enabled
        for request, fresh in runs:
            tenant_id, tenant = request.tenant_id, request.tenant
            subject_keys: dict[bytes, tuple[int, AESGCM]] = {}
            if encrypt:
                subject_keys, new = self.data_keys.for_append(
                    conn, head.key_epoch, tenant_id, tenant, (p.subject for p in fresh)
                )
                made += new
            leaves: list[bytes] = []
            for source, grouped in groupby(fresh, key=lambda p: p.sub.source):
                run = list(grouped)
                if source.body is not None:
                    key = (tenant_id, source.delivery_sha256)
                    if key not in delivered:  # sealed under its first event's subject's key
                        first = run[0]
                        sealing = subject_keys.get(first.subject) if encrypt else None
                        nonce = first.nonces[NONCE:]
                        delivered[key] = source.body_row(tenant_id, received_at, sealing, nonce)
                events = [(p.sub.event, p.commitment) for p in run]
                leaves += leaf_bytes_many(
                    log=self.origin,
                    first_seq=state.size + len(leaves),
                    received_at=received_at,
                    tenant=tenant,
                    source=source.as_leaf(),
                    events=events,
                )
            entries = []
            for p, leaf in zip(fresh, leaves, strict=True):
                sub, seq = p.sub, state.size
                leaf_hash = alg.leaf_hash(leaf)
                chain = alg.chain_next(chain, leaf_hash)
                state.append(leaf_hash, known.__setitem__)
                entries.append(
                    {
                        "log_id": log_id,
                        "seq": seq,
                        "tenant_id": tenant_id,
                        "event_id": sub.event_id,
                        "envelope_id": sub.event["envelope_id"],
                        "type": sub.event["type"],
                        "received_at": received_at,
                        "leaf": leaf,
                        "leaf_hash": leaf_hash,
                        "chain": chain,
                        "occurred_us": occurred_micros(sub.event["occurred_at"]),
                        "channel": sub.source.channel,
                    }
                )
                if encrypt:
                    key_id, aead = subject_keys[p.subject]
                    aad = body_aad(tenant_id, log_id, seq)
                    sealed = seal(aead, p.nonces[:NONCE], p.salt + sub.canonical, aad)
                else:
                    key_id, sealed = None, p.salt + sub.canonical
                bodies.append(
                    {
                        "log_id": log_id,
                        "seq": seq,
                        "key_id": key_id,
                        "sealed": sealed,
                        "content_sha256": p.content_sha256,
                    }
                )
            enqueue_appended(conn, self.origin, tenant_id, tenant, entries)  # same txn
            every += entries
        size, root = state.size, state.root()
        note = sign_note(format_checkpoint(self.origin, size, root), self.keys.signers(conn))
        nodes = [
            {"log_id": log_id, "level": n.level, "idx": n.index, "hash": h}
            for n, h in known.items()
            if n.level > 0 and (n.index + 1) << n.level > head.size
        ]
        self.db.hot.store_and_commit(
            conn,
            [
                (DATA_KEYS, [new.row for new in made]),
                (ENTRIES, every),
                (BODIES, bodies),
                (DELIVERY_BODIES, list(delivered.values())),
                (NODES, nodes),
            ],
            {
                "log_id": log_id,
                "size": size,
                "root": root,
                "note": note,
                "created_at": datetime.now(UTC),
            },
            {
                "size": size,
                "chain": chain,
                "compact": b"".join(state.hashes),
                "checkpoint": note,
                "head_id": log_id,
            },
        )
        self.data_keys.publish(made)  # committed: the keys it made exist
        return _Appended(head.size, size, received_at, note, every, known)


@dataclass(frozen=True, slots=True)
class _Prepared:
    """A submission with what can be made before the lock: its salt and commitment."""

    sub: Submission
    salt: bytes
    commitment: str  # hex of HASH(salt || canonical event)
    content_sha256: bytes  # SHA-256 of the canonical event, for idempotency
    subject: bytes  # the keyed id of its data subject (ledger.privacy.subjects)
    nonces: bytes  # with encryption on: its body's nonce, then its request body's


def _held_lock() -> threading.Lock:
    lock = threading.Lock()
    lock.acquire()
    return lock


@dataclass(eq=False, slots=True)
class _Request:
    """One caller's submissions in the queue, and what its group made of them."""

    tenant_id: int
    tenant: str
    prepared: list[_Prepared]
    done: bool = False
    error: Exception | None = None
    made: _Appended | None = None
    begin: int = 0  # its new entries are seq [begin, end) of ``made``
    end: int = 0
    repeats: dict[str, int] = field(default_factory=dict)  # event_id -> seq already in the log
    wake: threading.Lock = field(default_factory=_held_lock)

    def reset(self) -> None:
        """Ready to be appended again, alone; with fresh nonces, as the failed attempt
        may have sealed (and a database may have kept, dead) bodies under the old ones."""
        self.error, self.made, self.begin, self.end, self.repeats = None, None, 0, 0, {}
        self.prepared = [
            replace(p, nonces=secrets.token_bytes(len(p.nonces))) if p.nonces else p
            for p in self.prepared
        ]

    def sort(
        self, existing: dict[tuple[int, str], Seen], taken: dict[tuple[int, str], tuple[int, bytes]]
    ) -> list[_Prepared]:
        """The new submissions; repeats (of the log, or of an earlier request of the
        group) go to ``repeats``. Conflict if a repeat's content differs."""
        fresh, repeats = [], {}
        for p in self.prepared:
            key = (self.tenant_id, p.sub.event_id)
            row = existing.get(key)
            if row is not None:
                seq, content = row.seq, row.content_sha256
            elif key in taken:
                seq, content = taken[key]
            else:
                fresh.append(p)
                continue
            # An erased body cannot be compared; the event_id alone then identifies it.
            if content is not None and content != p.content_sha256:
                raise Conflict(
                    f"event_id {p.sub.event_id!r} was already appended (seq {seq}) "
                    "with different content",
                    field="event_id",
                )
            repeats[p.sub.event_id] = seq
        self.repeats = repeats
        return fresh


@dataclass(frozen=True, slots=True)
class _Appended:
    """What one committed append made; its receipts need nothing more from the database."""

    old_size: int
    size: int
    received_at: str
    note: str
    entries: list[dict[str, Any]]
    known: dict[NodeID, bytes]  # every node the new leaves' proofs use (see module doc)

    def receipts(self, alg: HashAlgorithm, begin: int, end: int) -> dict[str, Receipt]:
        """The receipts of the new entries ``[begin, end)``."""
        known = self.known
        proofs = merkle.inclusion_proofs(
            begin, end, self.size, lambda ids: [known[n] for n in ids], alg
        )
        entries = self.entries[begin - self.old_size : end - self.old_size]
        return {
            e["event_id"]: Receipt(
                e["seq"],
                e["leaf"],
                e["leaf_hash"],
                e["chain"],
                self.received_at,
                self.note,
                proof,
                created=True,
            )
            for e, proof in zip(entries, proofs, strict=True)
        }
