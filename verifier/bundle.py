"""Offline verification of an ``evidence-bundle/1`` (docs/design/EVIDENCE-FORMAT.md §2-6,
docs/evidence-format.md).

``verify_bundle(bundle, log_keys, tsa_roots)`` checks everything a bundle says with
nothing but the caller's trust material: the log's verifier keys and the TSA trust
roots. It returns a ``VerificationReport`` of named checks:

- ``format``: the bundle's structure (once for the bundle, and per entry when an entry
  is damaged: unknown fields, a seq that is not an integer, entries out of seq order);
- ``key known``: a trusted key is among the bundle's ``log.vkey``/``log.vkeys`` and
  signed the checkpoint;
- ``checkpoint signature``: the checkpoint verifies with the trusted keys only (§4) and
  its origin is ``log.origin``;
- per entry: ``leaf`` (strict parse, its seq, log, envelope and tenant are the bundle's,
  ``leaf_hash`` is the recomputed one), ``commitment`` (``HASH(salt || JCS(event))``
  and a valid §1 event; ``erased`` when event and salt are null), ``chain`` (the §2
  chain step from ``prev_chain``, which for seq 0 is zeros and otherwise must be the
  chain of the previous entry when the bundle holds it), ``inclusion`` (RFC 9162 proof
  against the checkpoint's root and size);
- per anchor: ``anchor token`` (the RFC 3161 token verifies with ``tsa_roots``, judged
  over its own imprint, and its genTime is the one the bundle states) and ``anchor covers
  checkpoint`` (its imprint is SHA-256 of the checkpoint's signed text, §5): a valid
  token about another checkpoint is told apart from an invalid token;
- ``consistency to latest``: ``latest.checkpoint`` verifies with the trusted keys, has
  the same origin, is not smaller, and the RFC 9162 consistency proof holds;
- ``time plausibility`` (``warning``, never a failure): a platform time the ledger flags
  (``verifier.plausibility``), one check per finding.

A development-TSA anchor (``development_tsa: true``, or a token whose policy is under
the ITU-T example arc 2.999 or whose TSA names itself "NOT FOR EVIDENCE") verifies only
against the development root and passes with the reason "development TSA, not for
evidence". A ``pending`` bundle without anchors gets ``pending`` anchor checks; an
``anchored`` bundle without anchors fails.

Only a bundle that cannot be evaluated at all raises ``MalformedError``: not (strict)
JSON, not an object, not ``evidence-bundle/1``, a required top-level field missing or of
the wrong type, an unknown hash algorithm; so do unusable trust material (a bad verifier
key or trust root). Any damage inside the bundle is a failed check, never an exception.
The report states only facts that were verified (the bundle's ``generated_at`` and TSA
URLs are not evidence and are not repeated).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import Any, BinaryIO

from verifier import anchors, checkpoint, merkle
from verifier.checkpoint import Checkpoint, VerifierKey, parse_checkpoint, parse_vkey
from verifier.checks import (
    Fail,
    Outcome,
    aware_time,
    base64_bytes,
    hash_list,
    known_fields,
    run,
)
from verifier.entry import Entry, check_chain, check_event, check_inclusion, check_leaf
from verifier.errors import MalformedError, VerificationError
from verifier.event import DOCUMENTS_MAX
from verifier.hashing import HashAlgorithm, algorithm
from verifier.ijson import parse_json
from verifier.leaf import Leaf
from verifier.limits import ArrayLimits, read_json
from verifier.plausibility import DEFAULT_SKEW, Timed, flags, parse_time
from verifier.report import Check, VerificationReport, plural, show, utc_text
from verifier.trust import TrustRoots, load_roots, trusted_keys

FORMAT = "evidence-bundle/1"
STATUSES = ("anchored", "pending")
TOP_KEYS = frozenset(
    {
        "format",
        "generated_at",
        "envelope_id",
        "tenant",
        "status",
        "log",
        "checkpoint",
        "anchors",
        "entries",
        "latest",
    }
)
LOG_KEYS = frozenset({"origin", "hash", "vkey", "vkeys"})
ENTRY_KEYS = frozenset(
    {"seq", "leaf", "leaf_hash", "chain", "prev_chain", "inclusion", "event", "salt"}
)
ANCHOR_KEYS = frozenset({"tsa", "token", "gen_time", "development_tsa"})
LATEST_KEYS = frozenset({"checkpoint", "consistency"})
ARRAY_LIMITS: ArrayLimits = {
    ("entries", "*", "inclusion"): merkle.MAX_INCLUSION,
    ("latest", "consistency"): merkle.MAX_CONSISTENCY,
    ("entries", "*", "event", "documents"): DOCUMENTS_MAX,
}
"""The arrays of a bundle whose length the tree or the event schema bounds, refused as
they stream when longer (``verifier.limits``)."""
_MISSING = object()


# --- the bundle, read ------------------------------------------------------------------


@dataclass
class _Bundle:
    """The top level, checked enough to evaluate; and what the checks learn on the way."""

    doc: Mapping[str, Any]
    envelope_id: str
    tenant: str
    status: str
    origin: str
    alg: HashAlgorithm
    note: str
    anchors: list[Any]
    entries: list[Any]
    latest: Mapping[str, Any] | None
    keys: list[str]
    roots: TrustRoots
    at_time: datetime | None
    checkpoint: Checkpoint | None = None  # parsed, trusted or not
    trusted: bool = False  # the checkpoint verified with the trusted keys
    digest: bytes | None = None  # SHA-256 of the checkpoint's signed text
    anchor_times: list[datetime] = field(default_factory=list)
    development: bool = False
    latest_size: int | None = None
    leaves: list[Leaf] = field(default_factory=list)  # every leaf that could be read


def _load(bundle: bytes | str | Mapping[str, Any]) -> Mapping[str, Any]:
    if isinstance(bundle, bytes | bytearray | memoryview | str):
        doc = parse_json(bytes(bundle) if not isinstance(bundle, str) else bundle)
    else:
        doc = bundle
    if not isinstance(doc, Mapping):
        raise MalformedError(f"an evidence bundle is a JSON object, not {type(doc).__name__}")
    return doc


def _required(doc: Mapping[str, Any], key: str, kind: type, where: str = "the bundle") -> Any:
    if key not in doc:
        raise MalformedError(f"{where} has no {key!r}")
    value = doc[key]
    if not isinstance(value, kind):
        raise MalformedError(f"{where}'s {key!r} is not a {kind.__name__}: {show(value)}")
    return value


def _read(
    bundle: bytes | str | Mapping[str, Any],
    log_keys: list[str],
    tsa_roots: list[bytes] | TrustRoots,
    at_time: datetime | None,
) -> _Bundle:
    doc = _load(bundle)
    if doc.get("format") != FORMAT:
        raise MalformedError(f"not an {FORMAT}: format is {show(doc.get('format'))}")
    status = _required(doc, "status", str)
    if status not in STATUSES:
        raise MalformedError(f"status {show(status)} is not one of {list(STATUSES)}")
    log = _required(doc, "log", Mapping)
    origin = _required(log, "origin", str, "the bundle's log")
    if not origin:
        raise MalformedError("the bundle's log has an empty origin")
    latest = doc.get("latest")
    if latest is not None and not isinstance(latest, Mapping):
        raise MalformedError(f"the bundle's 'latest' is not an object ({type(latest).__name__})")
    return _Bundle(
        doc=doc,
        envelope_id=_required(doc, "envelope_id", str),
        tenant=_required(doc, "tenant", str),
        status=status,
        origin=origin,
        alg=algorithm(_required(log, "hash", str, "the bundle's log")),
        note=_required(doc, "checkpoint", str),
        anchors=_required(doc, "anchors", list),
        entries=_required(doc, "entries", list),
        latest=latest,
        keys=trusted_keys(log_keys),
        roots=load_roots(tsa_roots),
        at_time=_at_time(at_time),
    )


def _at_time(at_time: datetime | None) -> datetime | None:
    if at_time is not None and (not isinstance(at_time, datetime) or at_time.tzinfo is None):
        raise MalformedError("at_time must be an aware datetime")
    return at_time


# --- bundle-wide checks ------------------------------------------------------------------


def _format(b: _Bundle) -> str:
    known_fields(b.doc, TOP_KEYS, "the bundle")
    log = b.doc["log"]
    known_fields(log, LOG_KEYS, "the bundle's log")
    aware_time(b.doc.get("generated_at"), "generated_at")
    if b.latest is not None:
        known_fields(b.latest, LATEST_KEYS, "latest")
    if not b.entries:
        raise Fail("the bundle has no entries: it is evidence of nothing")
    entries = plural(len(b.entries), "entry", "entries")
    return f"{FORMAT} of {entries}, {plural(len(b.anchors), 'anchor')}"


def _bundle_keys(log: Mapping[str, Any]) -> tuple[VerifierKey, list[VerifierKey]]:
    vkey, vkeys = log.get("vkey", _MISSING), log.get("vkeys", _MISSING)
    if not isinstance(vkey, str):
        raise Fail("log.vkey is not a verifier key string", actual=show(vkey))
    if not isinstance(vkeys, list) or not all(isinstance(k, str) for k in vkeys):
        raise Fail("log.vkeys is not a list of verifier key strings", actual=show(vkeys))
    try:
        newest = parse_vkey(vkey)
        every = [parse_vkey(k) for k in vkeys]
    except MalformedError as e:
        raise Fail(f"the bundle lists a key that is not a verifier key: {e.message}") from None
    if newest not in every:
        raise Fail("log.vkey is not among log.vkeys", expected=vkeys, actual=vkey)
    return newest, every


def _key_known(b: _Bundle) -> str:
    _, listed = _bundle_keys(b.doc["log"])
    trusted = [k for k in (parse_vkey(v) for v in b.keys) if k in listed]
    if not trusted:
        raise Fail(
            "none of the trusted log keys is among the bundle's keys",
            expected=b.keys,
            actual=[k.vkey for k in listed],
        )
    for key in trusted:
        try:
            checkpoint.open_note(b.note, [key.vkey])
        except VerificationError:
            continue
        name = f"{key.name}+{key.key_id.hex()}"
        return f"trusted key {name} is among the bundle's and signed the checkpoint"
    raise Fail(
        "no trusted key among the bundle's keys signed the checkpoint",
        expected=[k.vkey for k in trusted],
        actual=[str(s) for s in _signatures(b.note)],
    )


def _signatures(note: str) -> list[checkpoint.NoteSignature]:
    try:
        return checkpoint.note_signatures(note)
    except VerificationError:
        return []


def _checkpoint_signature(b: _Bundle) -> str:
    try:
        b.digest = anchors.text_digest(b.note)
        b.checkpoint = parse_checkpoint(checkpoint.signed_text(b.note))
    except VerificationError:
        b.checkpoint = None  # verify() below says why
    cp = checkpoint.verify(b.note, b.keys)
    if cp.origin != b.origin:
        raise Fail("the checkpoint is of another log", expected=b.origin, actual=cp.origin)
    b.checkpoint, b.trusted = cp, True
    return f"checkpoint of {cp.origin} at size {cp.size} signed by a trusted key"


# --- per-entry checks (verifier.entry) -----------------------------------------------------


def _entry_seq(index: int, entry: object) -> int:
    """The entry's seq; without one the entry cannot be evaluated at all."""
    if not isinstance(entry, Mapping):
        raise Fail(f"entries[{index}] is not an object", actual=show(entry))
    seq = entry.get("seq")
    if not isinstance(seq, int) or isinstance(seq, bool) or not 0 <= seq <= merkle.MAX_SIZE:
        raise Fail(f"entries[{index}] has no valid seq", actual=show(seq))
    return seq


def _entry_format(entry: Mapping[str, Any], seq: int, previous: int | None) -> str:
    known_fields(entry, ENTRY_KEYS, f"the entry of seq {seq}")
    if previous is not None and seq <= previous:
        raise Fail(f"entries are not in strictly increasing seq order: {seq} follows {previous}")
    return "entry fields known, seq in order"


def _entry_checks(b: _Bundle) -> Iterator[Check]:
    before: Entry | None = None
    for index, data in enumerate(b.entries):
        try:
            seq = _entry_seq(index, data)
        except Fail as f:
            yield Check("format", "fail", None, f.reason, f.expected, f.actual)
            continue
        e = Entry(seq, data)
        previous = before.seq if before is not None else None
        shape = run("format", seq, partial(_entry_format, data, seq, previous))
        if shape.status == "fail":
            yield shape  # a pass is not repeated for every entry
        facts = {"seq": seq, "log": b.origin, "envelope_id": b.envelope_id, "tenant": b.tenant}
        yield run("leaf", seq, partial(check_leaf, e, b.alg, facts, "the bundle's"))
        if e.leaf is not None:
            b.leaves.append(e.leaf)
        yield run("commitment", seq, partial(check_event, e, b.alg))
        yield run("chain", seq, partial(check_chain, e, b.alg, before))
        yield run("inclusion", seq, partial(check_inclusion, e, b.alg, b.checkpoint, b.trusted))
        before = e


# --- anchors (verifier.anchors) ----------------------------------------------------------


def _anchor_token(b: _Bundle, n: int, anchor: object) -> str:
    if not isinstance(anchor, Mapping):
        raise Fail(f"anchor {n} is not an object")
    known_fields(anchor, ANCHOR_KEYS, f"anchor {n}")
    token = base64_bytes(anchor.get("token"), f"anchor {n} token")
    try:
        verified = anchors.verify_anchor(
            token, anchor.get("gen_time"), anchor.get("development_tsa"), b.roots, b.at_time
        )
    except VerificationError as e:
        raise Fail(f"anchor {n}: {e.message}", e.expected, e.actual) from None
    b.development |= verified.development
    b.anchor_times.append(verified.gen_time)
    return f"anchor {n}: {verified.describe()}"


def _anchor_covers(b: _Bundle, n: int, anchor: object) -> str:
    if not isinstance(anchor, Mapping):
        raise Outcome("skipped", f"anchor {n} is not an object")
    token = base64_bytes(anchor.get("token"), f"anchor {n} token")
    imprint = anchors.token_imprint(token)
    if imprint is None:
        raise Outcome("skipped", f"anchor {n}: the token cannot be read")
    if b.digest is None:
        raise Outcome("skipped", "the checkpoint has no signed text")
    try:
        anchors.check_covers(imprint, [b.digest], "this checkpoint")
    except VerificationError as e:
        raise Fail(f"anchor {n}: {e.message}", e.expected, e.actual) from None
    return f"anchor {n}: imprint is SHA-256 of the checkpoint's signed text"


def _anchor_checks(b: _Bundle) -> Iterator[Check]:
    if not b.anchors:
        if b.status == "pending":
            yield Check("anchor token", "pending", None, anchors.PENDING_REASON)
            yield Check("anchor covers checkpoint", "pending", None, anchors.PENDING_REASON)
        else:
            yield Check("anchor token", "fail", None, "the bundle says anchored but has no anchors")
        return
    for n, anchor in enumerate(b.anchors, start=1):
        yield run("anchor token", None, partial(_anchor_token, b, n, anchor))
        yield run("anchor covers checkpoint", None, partial(_anchor_covers, b, n, anchor))


# --- consistency to the latest checkpoint ----------------------------------------------


def _consistency(b: _Bundle) -> str:
    if b.latest is None:
        raise Outcome("skipped", "the bundle has no newer checkpoint")
    note = b.latest.get("checkpoint")
    if not isinstance(note, str):
        raise Fail("latest.checkpoint is not a signed note", actual=show(note))
    proof = hash_list(b.latest.get("consistency"), b.alg.size, "latest.consistency")
    latest = checkpoint.verify(note, b.keys)
    if latest.origin != b.origin:
        raise Fail("the latest checkpoint is of another log", b.origin, latest.origin)
    cp = b.checkpoint
    if cp is None:
        raise Outcome("skipped", "the checkpoint could not be read")
    if latest.size < cp.size:
        raise Fail("the latest checkpoint is smaller than the anchored one", cp.size, latest.size)
    merkle.verify_consistency(cp.size, latest.size, proof, cp.root, latest.root, b.alg)
    b.latest_size = latest.size
    return f"the log at size {latest.size} extends the checkpoint at size {cp.size}"


# --- the report ---------------------------------------------------------------------------


def _claim(b: _Bundle, checks: list[Check]) -> str:
    seqs = [s for s in (c.seq for c in checks if c.name == "leaf") if s is not None]
    n = len(seqs)
    entries = f"{n} {'entry' if n == 1 else 'entries'}"
    span = f" (seq {seqs[0]})" if n == 1 else f" (seq {seqs[0]} to {seqs[-1]})" if n else ""
    size = b.checkpoint.size if b.checkpoint is not None else "?"
    claim = f"{entries}{span} of envelope {b.envelope_id} are in log {b.origin} at size {size}"
    if b.anchor_times:
        k = len(b.anchor_times)
        dev = f" ({anchors.DEV_REASON})" if b.development else ""
        claim += f", anchored by {k} TSA{'s' if k != 1 else ''}{dev} at "
        claim += utc_text(min(b.anchor_times))
    if b.latest_size is not None:
        claim += f"; the log at size {b.latest_size} extends it"
    return claim


def read_bundle(stream: BinaryIO) -> bytes:
    """A bundle's bytes from a stream, refused as it streams if an array is longer than
    its limit (``ARRAY_LIMITS``) or a string longer than any field may be
    (``verifier.limits``)."""
    return read_json(stream, ARRAY_LIMITS)


def time_warnings(leaves: list[Leaf], skew: timedelta) -> list[Check]:
    """The time plausibility flags of the envelope's leaves (``verifier.plausibility``,
    docs/evidence-format.md "Time plausibility") as ``warning`` checks: findings a
    reader must see, never failures."""
    timed = []
    for leaf in leaves:
        try:
            occurred, received = parse_time(leaf.event.occurred_at), parse_time(leaf.received_at)
        except (ValueError, OverflowError):  # beyond datetime's range: no flag can be computed
            continue
        timed.append(Timed(leaf.seq, leaf.event.type, occurred, received))
    return [Check("time plausibility", "warning", f.seq, f.describe()) for f in flags(timed, skew)]


def verify_bundle(
    bundle: bytes | str | Mapping[str, Any],
    log_keys: list[str],
    tsa_roots: list[bytes] | TrustRoots,
    at_time: datetime | None = None,
    clock_skew: timedelta = DEFAULT_SKEW,
) -> VerificationReport:
    """Verify an ``evidence-bundle/1`` offline (docs/design/EVIDENCE-FORMAT.md §6); see the module
    doc.

    ``log_keys`` are the trusted verifier keys of the log, ``tsa_roots`` PEM or DER
    certificates of the trusted TSAs (or ``TrustRoots``), ``at_time`` (aware) when the
    TSA chains must be valid (default: each token's genTime), ``clock_skew`` how far a
    platform time may be after the ledger's receipt before it is a warning. Raises
    ``MalformedError`` only when the bundle cannot be evaluated at all or the trust
    material is unusable.
    """
    b = _read(bundle, log_keys, tsa_roots, at_time)
    checks = [
        run("format", None, lambda: _format(b)),
        run("key known", None, lambda: _key_known(b)),
        run("checkpoint signature", None, lambda: _checkpoint_signature(b)),
    ]
    checks += _entry_checks(b)
    checks += _anchor_checks(b)
    checks.append(run("consistency to latest", None, lambda: _consistency(b)))
    checks += time_warnings(b.leaves, clock_skew)
    return VerificationReport(tuple(checks), f"envelope {b.envelope_id}", _claim(b, checks))
