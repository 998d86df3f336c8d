"""A receipt, checked in one step (docs/api.md; docs/design/EVIDENCE-FORMAT.md §2-4):
``ledger-verify receipt``.

A receipt is the ledger's answer to an append: ``seq``, ``leaf`` (base64), ``leaf_hash``,
``chain``, ``received_at``, the signed ``checkpoint`` that covers the entry, and the
``inclusion`` proof to it. ``verify_receipt(receipt, log_keys)`` checks, with nothing but
the log's verifier keys:

- ``format``: the documented fields and no others;
- ``checkpoint signature``: the note verifies with a trusted key (C2SP signed note);
- ``leaf``: the leaf is canonical base64 of a leaf that parses strictly, whose seq and
  ``received_at`` are the receipt's and whose log is the checkpoint's origin, and it hashes
  to ``leaf_hash`` (RFC 9162 §2.1.1);
- ``inclusion``: the RFC 9162 proof (§2.1.3.2) leads from that leaf hash at ``seq`` to the
  checkpoint's root at its size.

The ``chain`` value is not checked: its step needs the entry before, which a bundle or
the whole log carries. Only a receipt that cannot be evaluated at all (not JSON, not an
object, no integer ``seq``, no checkpoint text) and unusable keys raise ``MalformedError``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any, BinaryIO

from verifier import checkpoint, merkle
from verifier.checkpoint import Checkpoint
from verifier.checks import Fail, known_fields, run
from verifier.entry import Entry, check_inclusion, check_leaf
from verifier.errors import MalformedError
from verifier.hashing import SHA256, HashAlgorithm
from verifier.ijson import parse_json
from verifier.limits import ArrayLimits, read_json
from verifier.report import VerificationReport, show
from verifier.trust import trusted_keys

RECEIPT_KEYS = frozenset(
    {"seq", "leaf", "leaf_hash", "chain", "received_at", "checkpoint", "inclusion"}
)
ARRAY_LIMITS: ArrayLimits = {("inclusion",): merkle.MAX_INCLUSION}


@dataclass
class _Receipt:
    doc: Mapping[str, Any]
    entry: Entry
    note: str
    keys: list[str]
    alg: HashAlgorithm
    checkpoint: Checkpoint | None = None


def _read(receipt: bytes | str | Mapping[str, Any], log_keys: list[str]) -> _Receipt:
    doc = parse_json(receipt) if isinstance(receipt, bytes | str) else receipt
    if not isinstance(doc, Mapping):
        raise MalformedError(f"a receipt is a JSON object, not {type(doc).__name__}")
    seq, note = doc.get("seq"), doc.get("checkpoint")
    if not isinstance(seq, int) or isinstance(seq, bool) or not 0 <= seq <= merkle.MAX_SIZE:
        raise MalformedError(f"the receipt has no valid seq: {show(seq)}")
    if not isinstance(note, str):
        raise MalformedError(f"the receipt has no checkpoint text: {show(note)}")
    return _Receipt(doc, Entry(seq, doc), note, trusted_keys(log_keys), SHA256)


def _format(r: _Receipt) -> str:
    known_fields(r.doc, RECEIPT_KEYS, "the receipt")
    missing = sorted(RECEIPT_KEYS - r.doc.keys())
    if missing:
        raise Fail(f"the receipt has no {', '.join(missing)}")
    return "the receipt's fields are the documented ones"


def _checkpoint_signature(r: _Receipt) -> str:
    cp = checkpoint.verify(r.note, r.keys)
    r.checkpoint = cp
    if r.entry.seq >= cp.size:
        raise Fail(f"the checkpoint (size {cp.size}) does not cover seq {r.entry.seq}")
    return f"checkpoint of {cp.origin} at size {cp.size} signed by a trusted key"


def _leaf(r: _Receipt) -> str:
    facts: dict[str, object] = {"seq": r.entry.seq, "received_at": r.doc.get("received_at")}
    if r.checkpoint is not None:
        facts["log"] = r.checkpoint.origin
    return check_leaf(r.entry, r.alg, facts, "the receipt's")


def _inclusion(r: _Receipt) -> str:
    # only a checkpoint that verified is set: an untrusted one leaves nothing to prove
    return check_inclusion(r.entry, r.alg, r.checkpoint, trusted=True)


def read_receipt(stream: BinaryIO) -> bytes:
    """A receipt's bytes from a stream, refused as it streams when an inclusion proof or a
    string is longer than any can be (``verifier.limits``)."""
    return read_json(stream, ARRAY_LIMITS)


def verify_receipt(
    receipt: bytes | str | Mapping[str, Any], log_keys: list[str]
) -> VerificationReport:
    """Check a receipt with the log's trusted verifier keys; see the module docstring."""
    r = _read(receipt, log_keys)
    checks = [
        run("format", None, partial(_format, r)),
        run("checkpoint signature", None, partial(_checkpoint_signature, r)),
        run("leaf", r.entry.seq, partial(_leaf, r)),
        run("inclusion", r.entry.seq, partial(_inclusion, r)),
    ]
    return VerificationReport(tuple(checks), f"receipt of seq {r.entry.seq}", _claim(r))


def _claim(r: _Receipt) -> str:
    cp, leaf = r.checkpoint, r.entry.leaf
    what = f"entry {r.entry.seq}"
    if leaf is not None:
        what += f" ({leaf.event.type} {leaf.event.event_id} of envelope {leaf.event.envelope_id})"
    if cp is None:
        return what
    return f"{what} is in log {cp.origin} at size {cp.size}, signed by a trusted key"
