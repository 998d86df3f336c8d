"""Receipts (docs/design/EVIDENCE-FORMAT.md §7): what each appended event's caller gets back: its
seq,
leaf, leaf hash, chain value, ledger time, the first signed checkpoint that covers it and
the inclusion proof to that checkpoint.

``receipts_json`` writes them as JSON text directly (the hot path); ``original_receipt``
reads an entry's receipt back for an idempotent repeat.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from dataclasses import dataclass
from json.encoder import encode_basestring_ascii as _quote
from typing import Any

from sqlalchemy import Connection

from ledger.storage import queries as q
from ledger.storage.nodes import NodeReader
from verifier import merkle
from verifier.hashing import HashAlgorithm


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


def receipts_json(receipts: Sequence[Receipt]) -> list[str]:
    """Each receipt's ``to_json()`` as the compact JSON text ``json.dumps`` makes of it
    (ASCII, separators ``,`` and ``:``), written directly: the receipts of a batch share
    their checkpoint note and received_at, which are quoted once."""
    quoted: dict[str, str] = {}
    texts = []
    for r in receipts:
        when = quoted.get(r.received_at) or quoted.setdefault(r.received_at, _quote(r.received_at))
        note = quoted.get(r.checkpoint) or quoted.setdefault(r.checkpoint, _quote(r.checkpoint))
        proof = '"' + '","'.join(map(bytes.hex, r.inclusion)) + '"' if r.inclusion else ""
        texts.append(
            f'{{"seq":{int(r.seq)},"leaf":"{_b64(r.leaf)}","leaf_hash":"{r.leaf_hash.hex()}",'
            f'"chain":"{r.chain.hex()}","received_at":{when},"checkpoint":{note},'
            f'"inclusion":[{proof}]}}'
        )
    return texts


def _b64(data: bytes) -> str:
    return binascii.b2a_base64(data, newline=False).decode("ascii")


def original_receipt(conn: Connection, log_id: int, alg: HashAlgorithm, seq: int) -> Receipt:
    """The original receipt of an entry: its checkpoint is the first one covering it."""
    params = {"log_id": log_id, "seq": seq}
    entry = conn.execute(q.ENTRY, params).one()
    cp = conn.execute(q.COVERING_CHECKPOINT, params).one()
    proof = merkle.inclusion_proof(seq, cp.size, NodeReader(conn, log_id), alg)
    return Receipt(
        seq, entry.leaf, entry.leaf_hash, entry.chain, entry.received_at, cp.note, proof, False
    )
