"""Evidence from the log: an envelope's timeline and its ``evidence-bundle/1``
(docs/design/EVIDENCE-FORMAT.md §6, docs/evidence-format.md), and the log export (``log-export/1``).

Everything here reads; nothing here decides validity: ``verifier.bundle`` and
``verifier.audit`` do, offline.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from sqlalchemy import Connection, func, select

from ledger.access import Principal
from ledger.anchoring.anchor import list_anchors
from ledger.clock import now
from ledger.errors import NotFound
from ledger.privacy.at_rest import open_body
from ledger.privacy.keys import DataKeys
from ledger.storage.models import Anchor, Body, Checkpoint, Entry, Log
from ledger.storage.nodes import NodeReader
from verifier import merkle, plausibility
from verifier.hashing import HashAlgorithm

BUNDLE_FORMAT = "evidence-bundle/1"
EXPORT_FORMAT = "log-export/1"
PAGE = 10_000


def stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class _Row(NamedTuple):
    seq: int
    leaf: bytes
    leaf_hash: bytes
    chain: bytes
    received_at: str
    event: str | None  # None once erased
    salt: bytes | None


def _envelope_rows(
    conn: Connection, data_keys: DataKeys, log_id: int, tenant_id: int, envelope_id: str
) -> list[_Row]:
    rows = conn.execute(
        select(
            Entry.seq,
            Entry.leaf,
            Entry.leaf_hash,
            Entry.chain,
            Entry.received_at,
            Body.key_id,
            Body.sealed,
        )
        .outerjoin(Body, (Body.log_id == Entry.log_id) & (Body.seq == Entry.seq))
        .where(
            Entry.log_id == log_id, Entry.tenant_id == tenant_id, Entry.envelope_id == envelope_id
        )
        .order_by(Entry.seq)
    ).all()
    if not rows:
        raise NotFound(f"no envelope {envelope_id!r} for this tenant")
    opened = []
    for row in rows:
        body = open_body(data_keys, conn, tenant_id, log_id, row.seq, row.key_id, row.sealed)
        event, salt = body if body is not None else (None, None)
        opened.append(_Row(*row[:5], event, salt))
    return opened


def _offset(occurred_at: str) -> str:
    """The UTC offset the platform reported, as ±hh:mm."""
    return "+00:00" if occurred_at.endswith("Z") else occurred_at[-6:]


def timeline(
    conn: Connection,
    data_keys: DataKeys,
    log_id: int,
    tenant_id: int,
    envelope_id: str,
    skew: timedelta = plausibility.DEFAULT_SKEW,
) -> list[dict[str, Any]]:
    """The envelope's events in log order, times in UTC beside the platform's offset, and
    each entry's ``flags`` (``verifier.plausibility``, with the clock skew allowed): from
    the leaves' clear fields, so erased entries keep theirs."""
    rows = _envelope_rows(conn, data_keys, log_id, tenant_id, envelope_id)
    clears = [json.loads(row.leaf)["event"] for row in rows]  # the four clear event fields
    timed = [
        plausibility.Timed(
            row.seq,
            clear["type"],
            plausibility.parse_time(clear["occurred_at"]),
            plausibility.parse_time(row.received_at),
        )
        for row, clear in zip(rows, clears, strict=True)
    ]
    found = plausibility.flags(timed, skew)
    events = []
    for row, clear, times in zip(rows, clears, timed, strict=True):
        event = json.loads(row.event) if row.event is not None else None
        events.append(
            {
                "seq": row.seq,
                "event_id": clear["event_id"],
                "type": clear["type"],
                "occurred_at": clear["occurred_at"],
                "occurred_at_utc": stamp(times.occurred_at),
                "reported_offset": _offset(clear["occurred_at"]),
                "received_at": row.received_at,
                "actor": event.get("actor") if event else None,
                "documents": event.get("documents") if event else None,
                "erased": event is None,
                "flags": plausibility.codes(found, row.seq),
            }
        )
    return events


def _anchored_size(conn: Connection, log_id: int) -> int | None:
    return conn.execute(select(func.max(Anchor.size)).where(Anchor.log_id == log_id)).scalar()


def _prev_chains(
    conn: Connection, log_id: int, seqs: list[int], alg: HashAlgorithm
) -> dict[int, bytes]:
    wanted = [s - 1 for s in seqs if s > 0]
    rows = conn.execute(
        select(Entry.seq, Entry.chain).where(Entry.log_id == log_id, Entry.seq.in_(wanted))
    )
    chains = {row.seq + 1: row.chain for row in rows}
    chains[0] = alg.chain_start
    return chains


def bundle(
    conn: Connection,
    data_keys: DataKeys,
    log_id: int,
    origin: str,
    alg: HashAlgorithm,
    vkeys: list[str],
    tenant: tuple[int, str],
    envelope_id: str,
    development_tsa: bool,
) -> dict[str, Any]:
    """The ``evidence-bundle/1`` of an envelope: proofs to the newest anchored checkpoint
    that covers all its entries, or ``pending`` proofs to the newest checkpoint."""
    rows = _envelope_rows(conn, data_keys, log_id, tenant[0], envelope_id)
    head = conn.execute(select(Log.size, Log.checkpoint).where(Log.id == log_id)).one()
    anchored = _anchored_size(conn, log_id)
    newest_seq = rows[-1].seq
    if anchored is not None and anchored > newest_seq:
        status, size = "anchored", anchored
        note = conn.execute(
            select(Checkpoint.note).where(Checkpoint.log_id == log_id, Checkpoint.size == size)
        ).scalar_one()
        anchors = [a.to_json(development_tsa) for a in list_anchors(conn, log_id, size)]
    else:
        status, size, note, anchors = "pending", head.size, head.checkpoint, []
    for anchor in anchors:
        del anchor["checkpoint"], anchor["size"]  # the bundle's checkpoint is the one they cover
    reader = NodeReader(conn, log_id)
    prev = _prev_chains(conn, log_id, [r.seq for r in rows], alg)
    result: dict[str, Any] = {
        "format": BUNDLE_FORMAT,
        "generated_at": stamp(now()),
        "envelope_id": envelope_id,
        "tenant": tenant[1],
        "status": status,
        "log": {"origin": origin, "hash": alg.name, "vkey": vkeys[0], "vkeys": vkeys},
        "checkpoint": note,
        "anchors": anchors,
        "entries": [
            {
                "seq": row.seq,
                "leaf": base64.b64encode(row.leaf).decode(),
                "leaf_hash": row.leaf_hash.hex(),
                "chain": row.chain.hex(),
                "prev_chain": prev[row.seq].hex(),
                "inclusion": [h.hex() for h in merkle.inclusion_proof(row.seq, size, reader, alg)],
                "event": json.loads(row.event) if row.event is not None else None,
                "salt": row.salt.hex() if row.salt is not None else None,
            }
            for row in rows
        ],
    }
    if status == "anchored" and head.size > size:
        proof = merkle.consistency_proof(size, head.size, reader, alg)
        result["latest"] = {"checkpoint": head.checkpoint, "consistency": [h.hex() for h in proof]}
    return result


def leaf_record(row: Any) -> dict[str, Any]:
    return {
        "type": "leaf",
        "seq": row.seq,
        "leaf": base64.b64encode(row.leaf).decode(),
        "leaf_hash": row.leaf_hash.hex(),
        "chain": row.chain.hex(),
    }


def leaves(
    conn: Connection, log_id: int, start: int, end: int, principal: Principal | None = None
) -> list[dict[str, Any]]:
    """Leaves ``[start, end)`` as ``log-export/1`` leaf records (at most ``PAGE``).

    For a ``principal`` that may not read a leaf (``Principal.sees_leaves_of``), its
    record has no ``leaf``: only seq, leaf hash and chain value, so that the tree and
    the chain still check.
    """
    rows = conn.execute(
        select(Entry.seq, Entry.tenant_id, Entry.leaf, Entry.leaf_hash, Entry.chain)
        .where(Entry.log_id == log_id, Entry.seq >= start, Entry.seq < min(end, start + PAGE))
        .order_by(Entry.seq)
    )
    records = []
    for row in rows:
        record = leaf_record(row)
        if principal is not None and not principal.sees_leaves_of(row.tenant_id):
            del record["leaf"]
        records.append(record)
    return records


def export(
    conn: Connection,
    log_id: int,
    origin: str,
    alg: HashAlgorithm,
    vkeys: list[str],
    start: int,
    dev: bool,
) -> Iterator[dict[str, Any]]:
    """``log-export/1`` records from seq ``start``: header, leaves, checkpoints, anchors."""
    size = conn.execute(select(Log.size).where(Log.id == log_id)).scalar_one()
    yield {
        "type": "log",
        "format": EXPORT_FORMAT,
        "origin": origin,
        "hash": alg.name,
        "vkeys": vkeys,
        "from": start,
        "size": size,
    }
    for first in range(start, size, PAGE):
        yield from leaves(conn, log_id, first, min(size, first + PAGE))
    cps = conn.execute(
        select(Checkpoint.size, Checkpoint.note)
        .where(Checkpoint.log_id == log_id, Checkpoint.size > start, Checkpoint.size <= size)
        .order_by(Checkpoint.size)
    )
    for cp in cps:
        yield {"type": "checkpoint", "size": cp.size, "note": cp.note}
    for anchor in reversed(list_anchors(conn, log_id)):
        if start < anchor.size <= size:
            record = anchor.to_json(dev)
            del record["checkpoint"]
            yield {"type": "anchor", **record}
