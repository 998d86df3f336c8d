"""The anchoring run (docs/design/EVIDENCE-FORMAT.md §5): claim the lease, time-stamp the newest
checkpoint's signed text with the TSAs in order, validate every token, store the
valid ones and every attempt with its reason.

The lease row makes a run exclusive across workers and hosts and remembers when the
last run started, so the TSAs see at most one request per interval per log.
"""

from __future__ import annotations

import base64
import hashlib
import os
import secrets
import socket
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from ledger.anchoring.stamper import TimeStamper, TsaError
from ledger.clock import aware, now
from ledger.errors import Conflict, LedgerError
from ledger.metrics import ANCHOR_FAILURES, ANCHORS
from ledger.outbound.outbox import enqueue_anchored
from ledger.storage.db import Database
from ledger.storage.models import Anchor, AnchorAttempt, Checkpoint, Lease, Log
from verifier.checkpoint import signed_text
from verifier.errors import VerificationError
from verifier.timestamp import TimestampFacts, token_of, verify

HOLDER = f"{socket.gethostname()}:{os.getpid()}"


class AnchorFailed(LedgerError):
    status = 502
    code = "anchoring_failed"


@dataclass(frozen=True)
class AnchorRecord:
    size: int
    checkpoint: str
    tsa: str
    token: bytes
    gen_time: datetime

    def to_json(self, development: bool) -> dict[str, Any]:
        return {
            "tsa": self.tsa,
            "token": base64.b64encode(self.token).decode(),
            "gen_time": self.gen_time.isoformat().replace("+00:00", "Z"),
            "checkpoint": self.checkpoint,
            "size": self.size,
            "development_tsa": development,
        }


def lease_name(log_id: int) -> str:
    return f"anchor:{log_id}"


def validate_reply(
    reply: bytes, digest: bytes, nonce: int, roots: Sequence[bytes], max_skew: int
) -> tuple[bytes, TimestampFacts]:
    """The token of a TSA reply, if every check of §5 passes; ``VerificationError`` otherwise."""
    facts = verify(reply, digest, list(roots), nonce=nonce)
    skew = abs((facts.gen_time - now()).total_seconds())
    if skew > max_skew:
        raise VerificationError(
            f"genTime {facts.gen_time.isoformat()} is {skew:.0f} s from our clock"
        )
    return token_of(reply), facts


@dataclass(frozen=True)
class AnchorRun:
    """What a run did: ``requested`` is False when it reused anchors or had nothing to do."""

    records: list[AnchorRecord]
    requested: bool


class Anchorer:
    def __init__(
        self,
        db: Database,
        log_id: int,
        stampers: Sequence[TimeStamper],
        roots: Sequence[bytes],
        *,
        interval: int,
        min_tsas: int,
        max_skew: int,
        lease_seconds: int,
    ) -> None:
        self.db, self.log_id, self.stampers, self.roots = db, log_id, stampers, roots
        self.interval, self.min_tsas, self.max_skew = interval, min_tsas, max_skew
        self.lease_seconds = lease_seconds

    def run(self, force: bool = False) -> AnchorRun:
        """One run. Without ``force`` it does nothing when the tree did not grow, the last
        run is less than an interval old, or another process holds the lease; with
        ``force`` (an admin's "anchor now") it anchors the newest checkpoint unless it
        already is, and then returns its anchors."""
        with self.db.writing() as conn:
            claim = self._claim(conn, force)
        if claim is None:
            return AnchorRun([], requested=False)
        if isinstance(claim, list):
            return AnchorRun(claim, requested=False)
        size, note = claim
        records, attempts = self._request(size, note)
        with self.db.writing() as conn:
            self._store(conn, records, attempts)
        if len(records) < self.min_tsas:
            reasons = "; ".join(f"{a['tsa']}: {a['reason']}" for a in attempts if not a["ok"])
            raise AnchorFailed(
                f"{len(records)} of {self.min_tsas} TSAs anchored size {size}: {reasons}"
            )
        return AnchorRun(records, requested=True)

    def _claim(self, conn: Connection, force: bool) -> tuple[int, str] | list[AnchorRecord] | None:
        lease = self.db.lock_lease(conn, lease_name(self.log_id))
        moment = now()
        if aware(lease.expires_at) > moment and lease.holder != HOLDER:
            return None
        last_run = lease.last_run_at and aware(lease.last_run_at)
        if not force and last_run and moment - last_run < timedelta(seconds=self.interval * 0.9):
            return None
        head = conn.execute(select(Log.size, Log.checkpoint).where(Log.id == self.log_id)).one()
        anchored = conn.execute(
            select(func.max(Anchor.size)).where(Anchor.log_id == self.log_id)
        ).scalar()
        if head.size == 0:
            if force:
                raise Conflict(
                    "the log is empty: there is nothing to anchor", code="nothing_to_anchor"
                )
            return None
        if anchored == head.size:
            return list_anchors(conn, self.log_id, head.size) if force else None
        conn.execute(
            update(Lease)
            .where(Lease.name == lease_name(self.log_id))
            .values(
                holder=HOLDER,
                expires_at=moment + timedelta(seconds=self.lease_seconds),
                last_run_at=moment,
            )
        )
        return int(head.size), str(head.checkpoint)

    def _request(self, size: int, note: str) -> tuple[list[AnchorRecord], list[dict[str, Any]]]:
        digest = hashlib.sha256(signed_text(note).encode()).digest()
        records: list[AnchorRecord] = []
        attempts: list[dict[str, Any]] = []
        for stamper in self.stampers:
            if len(records) >= self.min_tsas:
                break
            nonce = secrets.randbits(63)
            try:
                token, facts = validate_reply(
                    stamper.timestamp(digest, nonce), digest, nonce, self.roots, self.max_skew
                )
            except (TsaError, VerificationError) as e:
                reason = e.reason if isinstance(e, TsaError) else str(e)
                attempts.append(self._attempt(size, stamper.name, False, reason))
                ANCHOR_FAILURES.labels(stamper.name).inc()
                continue
            records.append(AnchorRecord(size, note, stamper.name, token, facts.gen_time))
            attempts.append(self._attempt(size, stamper.name, True, "valid"))
            ANCHORS.labels(stamper.name).inc()
        return records, attempts

    def _attempt(self, size: int, tsa: str, ok: bool, reason: str) -> dict[str, Any]:
        return {
            "log_id": self.log_id,
            "size": size,
            "tsa": tsa,
            "ok": ok,
            "reason": reason,
            "created_at": now(),
        }

    def _store(
        self, conn: Connection, records: list[AnchorRecord], attempts: list[dict[str, Any]]
    ) -> None:
        if attempts:
            conn.execute(insert(AnchorAttempt), attempts)
        if records:
            conn.execute(
                insert(Anchor),
                [
                    {
                        "log_id": self.log_id,
                        "size": r.size,
                        "tsa": r.tsa,
                        "token": r.token,
                        "gen_time": r.gen_time,
                        "created_at": now(),
                    }
                    for r in records
                ],
            )
            enqueue_anchored(conn, self.log_id, records)  # webhooks, in the same transaction
        conn.execute(
            update(Lease)
            .where(Lease.name == lease_name(self.log_id), Lease.holder == HOLDER)
            .values(expires_at=now())
        )


def list_anchors(conn: Connection, log_id: int, size: int | None = None) -> list[AnchorRecord]:
    """Stored anchors, newest first (all, or those of one size), with their checkpoints."""
    query = (
        select(Anchor.size, Anchor.tsa, Anchor.token, Anchor.gen_time, Checkpoint.note)
        .join(Checkpoint, (Checkpoint.log_id == Anchor.log_id) & (Checkpoint.size == Anchor.size))
        .where(Anchor.log_id == log_id)
        .order_by(Anchor.size.desc(), Anchor.id.desc())
    )
    if size is not None:
        query = query.where(Anchor.size == size)
    return [
        AnchorRecord(r.size, r.note, r.tsa, r.token, aware(r.gen_time)) for r in conn.execute(query)
    ]
