"""Offline verification of an ``evidence-bundle/1`` (EVIDENCE-FORMAT §2-6, docs/evidence-format.md).

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

import base64
import binascii
import hashlib
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

from asn1crypto import cms, tsp

from verifier import checkpoint as notes
from verifier import merkle, timestamp
from verifier.canonical import Leaf, check_commitment, parse_json, parse_leaf
from verifier.checkpoint import Checkpoint, VerifierKey, parse_checkpoint, parse_vkey
from verifier.errors import MalformedError, VerificationError
from verifier.event import validate_event
from verifier.hashing import HashAlgorithm, algorithm
from verifier.plausibility import DEFAULT_SKEW, Timed, flags, parse_time
from verifier.report import Check, Status, VerificationReport

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
DEV_POLICY_ARC = "2.999."  # ITU-T example arc: never a real TSA policy
DEV_LABEL = "NOT FOR EVIDENCE"
DEV_REASON = "development TSA, not for evidence"
PENDING_REASON = "not yet anchored by a time-stamping authority"

_HEX = re.compile(r"[0-9a-f]*")
# What a damaged value can make any of the checks raise; each becomes a failed check.
_DAMAGE = (
    VerificationError,
    KeyError,
    TypeError,
    ValueError,
    IndexError,
    AttributeError,
    OverflowError,
    RecursionError,
)
_MISSING = object()


class _Fail(Exception):
    """A check failed: the reason, and what was expected against what was found."""

    def __init__(self, reason: str, expected: object = None, actual: object = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.expected = None if expected is None else _text(expected)
        self.actual = None if actual is None else _text(actual)


class _Outcome(Exception):
    """A check ends with a status other than pass or fail (skipped, erased, pending)."""

    def __init__(self, status: Status, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def _text(value: object) -> str:
    if isinstance(value, bytes):
        return value.hex()
    return value if isinstance(value, str) else str(value)


def _run(name: str, seq: int | None, check: Callable[[], str]) -> Check:
    """Run one check: its return value is the reason it passed; damage is a failure."""
    try:
        return Check(name, "pass", seq, check())
    except _Fail as f:
        return Check(name, "fail", seq, f.reason, f.expected, f.actual)
    except _Outcome as o:
        return Check(name, o.status, seq, o.reason)
    except VerificationError as e:
        expected = None if e.expected is None else _text(e.expected)
        actual = None if e.actual is None else _text(e.actual)
        return Check(name, "fail", seq, _damage(e), expected, actual)
    except _DAMAGE as e:
        return Check(name, "fail", seq, _damage(e))


def _damage(e: BaseException) -> str:
    message = e.message if isinstance(e, VerificationError) else f"{type(e).__name__}: {e}"
    field = getattr(e, "field", None)
    return f"{message} (at {field})" if isinstance(field, str) else message


# --- strict decoding of the bundle's values ---------------------------------------------


def _hex(value: object, size: int, what: str) -> bytes:
    """Lowercase hex of exactly ``size`` bytes (EVIDENCE-FORMAT: hashes are lowercase hex)."""
    if not isinstance(value, str) or len(value) != 2 * size or not _HEX.fullmatch(value):
        raise _Fail(f"{what} is not {2 * size} lowercase hex digits", actual=_show(value))
    return bytes.fromhex(value)


def _b64(value: object, what: str) -> bytes:
    """Canonical padded base64 (one spelling per value, so no byte of it goes unchecked)."""
    if not isinstance(value, str):
        raise _Fail(f"{what} is not a base64 string", actual=_show(value))
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise _Fail(f"{what} is not valid base64") from None
    if base64.b64encode(raw).decode("ascii") != value:
        raise _Fail(f"{what} is not canonical base64 (unused bits set)")
    return raw


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else many or one + 's'}"


def _show(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:80] + "..."


def _time(value: object, what: str) -> datetime:
    if not isinstance(value, str):
        raise _Fail(f"{what} is not a string", actual=_show(value))
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        raise _Fail(f"{what} is not an RFC 3339 time", actual=_show(value)) from None
    if when.tzinfo is None:
        raise _Fail(f"{what} has no UTC offset", actual=_show(value))
    return when.astimezone(UTC)


def _iso(when: datetime) -> str:
    return when.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _unknown(obj: Mapping[str, Any], known: frozenset[str], what: str) -> None:
    extra = sorted(str(k) for k in obj if k not in known)
    if extra:
        raise _Fail(f"{what} has unknown fields {extra}")


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
    roots: list[bytes]
    at_time: datetime | None
    checkpoint: Checkpoint | None = None  # parsed, trusted or not
    trusted: bool = False  # the checkpoint verified with the trusted keys
    signed_text: str | None = None
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
        raise MalformedError(f"{where}'s {key!r} is not a {kind.__name__}: {_show(value)}")
    return value


def _read(
    bundle: bytes | str | Mapping[str, Any],
    log_keys: list[str],
    tsa_roots: list[bytes],
    at_time: datetime | None,
) -> _Bundle:
    doc = _load(bundle)
    if doc.get("format") != FORMAT:
        raise MalformedError(f"not an {FORMAT}: format is {_show(doc.get('format'))}")
    status = _required(doc, "status", str)
    if status not in STATUSES:
        raise MalformedError(f"status {_show(status)} is not one of {list(STATUSES)}")
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
        keys=_trusted_keys(log_keys),
        roots=_trust_roots(tsa_roots),
        at_time=_at_time(at_time),
    )


def _trusted_keys(log_keys: object) -> list[str]:
    if isinstance(log_keys, str) or not isinstance(log_keys, list | tuple) or not log_keys:
        raise MalformedError("log_keys must be a non-empty list of verifier keys")
    for key in log_keys:
        parse_vkey(key)  # MalformedError names the bad one
    return list(log_keys)


def _trust_roots(tsa_roots: object) -> list[bytes]:
    if isinstance(tsa_roots, bytes | str) or not isinstance(tsa_roots, list | tuple):
        raise MalformedError("tsa_roots must be a list of PEM or DER certificates")
    if tsa_roots:
        timestamp.load_trust_roots(list(tsa_roots))  # MalformedError if unusable
    return list(tsa_roots)


def _at_time(at_time: datetime | None) -> datetime | None:
    if at_time is not None and (not isinstance(at_time, datetime) or at_time.tzinfo is None):
        raise MalformedError("at_time must be an aware datetime")
    return at_time


# --- bundle-wide checks ------------------------------------------------------------------


def _format(b: _Bundle) -> str:
    _unknown(b.doc, TOP_KEYS, "the bundle")
    log = b.doc["log"]
    _unknown(log, LOG_KEYS, "the bundle's log")
    _time(b.doc.get("generated_at"), "generated_at")
    if b.latest is not None:
        _unknown(b.latest, LATEST_KEYS, "latest")
    if not b.entries:
        raise _Fail("the bundle has no entries: it is evidence of nothing")
    entries, anchors = (
        _plural(len(b.entries), "entry", "entries"),
        _plural(len(b.anchors), "anchor"),
    )
    return f"{FORMAT} of {entries}, {anchors}"


def _bundle_keys(log: Mapping[str, Any]) -> tuple[VerifierKey, list[VerifierKey]]:
    vkey, vkeys = log.get("vkey", _MISSING), log.get("vkeys", _MISSING)
    if not isinstance(vkey, str):
        raise _Fail("log.vkey is not a verifier key string", actual=_show(vkey))
    if not isinstance(vkeys, list) or not all(isinstance(k, str) for k in vkeys):
        raise _Fail("log.vkeys is not a list of verifier key strings", actual=_show(vkeys))
    try:
        newest = parse_vkey(vkey)
        every = [parse_vkey(k) for k in vkeys]
    except MalformedError as e:
        raise _Fail(f"the bundle lists a key that is not a verifier key: {e.message}") from None
    if newest not in every:
        raise _Fail("log.vkey is not among log.vkeys", expected=vkeys, actual=vkey)
    return newest, every


def _key_known(b: _Bundle) -> str:
    _, listed = _bundle_keys(b.doc["log"])
    trusted = [k for k in (parse_vkey(v) for v in b.keys) if k in listed]
    if not trusted:
        raise _Fail(
            "none of the trusted log keys is among the bundle's keys",
            expected=b.keys,
            actual=[k.vkey for k in listed],
        )
    for key in trusted:
        try:
            notes.open_note(b.note, [key.vkey])
        except VerificationError:
            continue
        name = f"{key.name}+{key.key_id.hex()}"
        return f"trusted key {name} is among the bundle's and signed the checkpoint"
    raise _Fail(
        "no trusted key among the bundle's keys signed the checkpoint",
        expected=[k.vkey for k in trusted],
        actual=[str(s) for s in _signatures(b.note)],
    )


def _signatures(note: str) -> list[notes.NoteSignature]:
    try:
        return notes.note_signatures(note)
    except VerificationError:
        return []


def _signed_text(note: str) -> str | None:
    """§5: the note up to and including the newline before its last blank line."""
    split = note.rfind("\n\n")
    return note[: split + 1] if split >= 0 else None


def _checkpoint_signature(b: _Bundle) -> str:
    b.signed_text = _signed_text(b.note)
    try:
        b.checkpoint = parse_checkpoint(b.signed_text or b.note)
    except VerificationError:
        b.checkpoint = None  # verify() below says why
    cp = notes.verify(b.note, b.keys)
    if cp.origin != b.origin:
        raise _Fail("the checkpoint is of another log", expected=b.origin, actual=cp.origin)
    b.checkpoint, b.trusted = cp, True
    return f"checkpoint of {cp.origin} at size {cp.size} signed by a trusted key"


# --- per-entry checks --------------------------------------------------------------------


@dataclass
class _Entry:
    index: int
    seq: int
    data: Mapping[str, Any]
    leaf: Leaf | None = None
    leaf_hash: bytes | None = None


def _entry_seq(index: int, entry: object) -> int:
    """The entry's seq; without one the entry cannot be evaluated at all."""
    if not isinstance(entry, Mapping):
        raise _Fail(f"entries[{index}] is not an object", actual=_show(entry))
    seq = entry.get("seq")
    if not isinstance(seq, int) or isinstance(seq, bool) or not 0 <= seq <= merkle.MAX_SIZE:
        raise _Fail(f"entries[{index}] has no valid seq", actual=_show(seq))
    return seq


def _entry_format(entry: Mapping[str, Any], seq: int, previous: int | None) -> str:
    _unknown(entry, ENTRY_KEYS, f"the entry of seq {seq}")
    if previous is not None and seq <= previous:
        raise _Fail(f"entries are not in strictly increasing seq order: {seq} follows {previous}")
    return "entry fields known, seq in order"


def _leaf(b: _Bundle, e: _Entry) -> str:
    raw = _b64(e.data.get("leaf"), "leaf")
    e.leaf_hash = b.alg.leaf_hash(raw)
    e.leaf = leaf = parse_leaf(raw, b.alg)
    b.leaves.append(leaf)
    facts = (
        ("seq", e.seq, leaf.seq),
        ("log", b.origin, leaf.log),
        ("envelope_id", b.envelope_id, leaf.event.envelope_id),
        ("tenant", b.tenant, leaf.tenant),
    )
    for what, want, have in facts:
        if want != have:
            raise _Fail(f"the leaf's {what} is not the bundle's", expected=want, actual=have)
    stated = _hex(e.data.get("leaf_hash"), b.alg.size, "leaf_hash")
    if stated != e.leaf_hash:
        raise _Fail("leaf_hash is not the hash of the leaf", expected=e.leaf_hash, actual=stated)
    return f"leaf of {leaf.event.type} {leaf.event.event_id}, leaf hash {e.leaf_hash.hex()}"


def _commitment(b: _Bundle, e: _Entry) -> str:
    event, salt = e.data.get("event", _MISSING), e.data.get("salt", _MISSING)
    if event is _MISSING or salt is _MISSING:
        raise _Fail("the entry has no event or no salt (null both when erased)")
    if event is None and salt is None:
        raise _Outcome("erased", "content erased")
    if e.leaf is None:
        raise _Outcome("skipped", "the leaf could not be read")
    if event is None or salt is None:
        raise _Fail("event and salt must both be present, or both null when erased")
    raw_salt = _hex(salt, 32, "salt")
    validate_event(event)
    check_commitment(e.leaf, event, raw_salt, b.alg)
    return f"the event is the one the leaf commits to ({e.leaf.commitment})"


def _chain(b: _Bundle, e: _Entry, before: _Entry | None) -> str:
    if e.leaf_hash is None:
        raise _Outcome("skipped", "the leaf could not be read")
    chain = _hex(e.data.get("chain"), b.alg.size, "chain")
    prev = _hex(e.data.get("prev_chain"), b.alg.size, "prev_chain")
    if e.seq == 0 and prev != b.alg.chain_start:
        raise _Fail("prev_chain of seq 0 must be zeros", expected=b.alg.chain_start, actual=prev)
    if before is not None and before.seq == e.seq - 1:
        earlier = before.data.get("chain")
        if earlier != prev.hex():
            raise _Fail(
                f"prev_chain is not the chain of seq {before.seq} in this bundle",
                expected=earlier,
                actual=prev,
            )
    computed = b.alg.chain_next(prev, e.leaf_hash)
    if computed != chain:
        raise _Fail("chain is not HASH(0x02 || prev_chain || leaf hash)", computed, chain)
    return f"chain {chain.hex()}"


def _proof(value: object, size: int, what: str) -> list[bytes]:
    if not isinstance(value, list):
        raise _Fail(f"{what} is not a list of hashes", actual=_show(value))
    return [_hex(h, size, f"{what}[{i}]") for i, h in enumerate(value)]


def _inclusion(b: _Bundle, e: _Entry) -> str:
    proof = _proof(e.data.get("inclusion"), b.alg.size, "inclusion")
    cp = b.checkpoint
    if cp is None:
        raise _Outcome("skipped", "the checkpoint could not be read")
    if e.leaf_hash is None:
        raise _Outcome("skipped", "the leaf could not be read")
    merkle.verify_inclusion(e.leaf_hash, e.seq, cp.size, proof, cp.root, b.alg)
    trust = "" if b.trusted else " (the checkpoint is not trusted)"
    return f"in the tree of size {cp.size}{trust}"


def _entry_checks(b: _Bundle) -> Iterator[Check]:
    before: _Entry | None = None
    for index, data in enumerate(b.entries):
        try:
            seq = _entry_seq(index, data)
        except _Fail as f:
            yield Check("format", "fail", None, f.reason, f.expected, f.actual)
            continue
        e = _Entry(index, seq, data)
        previous = before.seq if before is not None else None
        shape = _run("format", seq, partial(_entry_format, data, seq, previous))
        if shape.status == "fail":
            yield shape  # a pass is not repeated for every entry
        yield _run("leaf", seq, partial(_leaf, b, e))
        yield _run("commitment", seq, partial(_commitment, b, e))
        yield _run("chain", seq, partial(_chain, b, e, before))
        yield _run("inclusion", seq, partial(_inclusion, b, e))
        before = e


# --- anchors ---------------------------------------------------------------------------


def token_imprint(token: bytes) -> tuple[str, bytes] | None:
    """The message imprint (hash name, hash) of a token, unverified; None if unreadable."""
    try:
        info = cms.ContentInfo.load(timestamp.token_of(token), strict=True)
        tst = info["content"]["encap_content_info"]["content"].parsed
        if not isinstance(tst, tsp.TSTInfo):
            return None
        imprint = tst["message_imprint"]
        return str(imprint["hash_algorithm"]["algorithm"].native), bytes(
            imprint["hashed_message"].native
        )
    except _DAMAGE:
        return None


def is_development(facts: timestamp.TimestampFacts) -> bool:
    """A development TSA's token: policy under the example arc, or a self-declared label."""
    return facts.policy.startswith(DEV_POLICY_ARC) or DEV_LABEL in facts.tsa_name


def _anchor_token(b: _Bundle, n: int, anchor: object) -> str:
    if not isinstance(anchor, Mapping):
        raise _Fail(f"anchor {n} is not an object")
    _unknown(anchor, ANCHOR_KEYS, f"anchor {n}")
    token = _b64(anchor.get("token"), f"anchor {n} token")
    if not b.roots:
        raise _Fail(f"anchor {n}: no TSA trust roots were given, so no token can be trusted")
    imprint = token_imprint(token)
    digest = imprint[1] if imprint is not None else b"\x00" * 32
    try:
        facts = timestamp.verify(token, digest, b.roots, b.at_time)
    except VerificationError as e:
        raise _Fail(f"anchor {n}: {e.message}", e.expected, e.actual) from None
    stated = _time(anchor.get("gen_time"), f"anchor {n} gen_time")
    if stated != facts.gen_time:
        raise _Fail(
            f"anchor {n}: gen_time is not the token's genTime",
            expected=_iso(facts.gen_time),
            actual=anchor.get("gen_time"),
        )
    development = anchor.get("development_tsa") is True or is_development(facts)
    b.development |= development
    b.anchor_times.append(facts.gen_time)
    reason = f"anchor {n}: token by {facts.tsa_name} at {_iso(facts.gen_time)}"
    return reason + (f"; {DEV_REASON}" if development else "")


def _anchor_covers(b: _Bundle, n: int, anchor: object) -> str:
    if not isinstance(anchor, Mapping):
        raise _Outcome("skipped", f"anchor {n} is not an object")
    token = _b64(anchor.get("token"), f"anchor {n} token")
    imprint = token_imprint(token)
    if imprint is None:
        raise _Outcome("skipped", f"anchor {n}: the token cannot be read")
    if b.signed_text is None:
        raise _Outcome("skipped", "the checkpoint has no signed text")
    digest = hashlib.sha256(b.signed_text.encode("utf-8")).digest()
    name, hashed = imprint
    if (name, hashed) != ("sha256", digest):
        raise _Fail(
            f"anchor {n}: the token time-stamps another text, not this checkpoint",
            expected=f"sha256 {digest.hex()}",
            actual=f"{name} {hashed.hex()}",
        )
    return f"anchor {n}: imprint is SHA-256 of the checkpoint's signed text"


def _anchor_checks(b: _Bundle) -> Iterator[Check]:
    if not b.anchors:
        if b.status == "pending":
            yield Check("anchor token", "pending", None, PENDING_REASON)
            yield Check("anchor covers checkpoint", "pending", None, PENDING_REASON)
        else:
            yield Check("anchor token", "fail", None, "the bundle says anchored but has no anchors")
        return
    for n, anchor in enumerate(b.anchors, start=1):
        yield _run("anchor token", None, partial(_anchor_token, b, n, anchor))
        yield _run("anchor covers checkpoint", None, partial(_anchor_covers, b, n, anchor))


# --- consistency to the latest checkpoint ----------------------------------------------


def _consistency(b: _Bundle) -> str:
    if b.latest is None:
        raise _Outcome("skipped", "the bundle has no newer checkpoint")
    note = b.latest.get("checkpoint")
    if not isinstance(note, str):
        raise _Fail("latest.checkpoint is not a signed note", actual=_show(note))
    proof = _proof(b.latest.get("consistency"), b.alg.size, "latest.consistency")
    latest = notes.verify(note, b.keys)
    if latest.origin != b.origin:
        raise _Fail("the latest checkpoint is of another log", b.origin, latest.origin)
    cp = b.checkpoint
    if cp is None:
        raise _Outcome("skipped", "the checkpoint could not be read")
    if latest.size < cp.size:
        raise _Fail("the latest checkpoint is smaller than the anchored one", cp.size, latest.size)
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
        dev = f" ({DEV_REASON})" if b.development else ""
        claim += f", anchored by {k} TSA{'s' if k != 1 else ''}{dev} at {_iso(min(b.anchor_times))}"
    if b.latest_size is not None:
        claim += f"; the log at size {b.latest_size} extends it"
    return claim


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
    tsa_roots: list[bytes],
    at_time: datetime | None = None,
    clock_skew: timedelta = DEFAULT_SKEW,
) -> VerificationReport:
    """Verify an ``evidence-bundle/1`` offline (EVIDENCE-FORMAT §6); see the module doc.

    ``log_keys`` are the trusted verifier keys of the log, ``tsa_roots`` PEM or DER
    certificates of the trusted TSAs, ``at_time`` (aware) when the TSA chains must be
    valid (default: each token's genTime), ``clock_skew`` how far a platform time may
    be after the ledger's receipt before it is a warning. Raises ``MalformedError`` only
    when the bundle cannot be evaluated at all or the trust material is unusable.
    """
    b = _read(bundle, log_keys, tsa_roots, at_time)
    checks = [
        _run("format", None, lambda: _format(b)),
        _run("key known", None, lambda: _key_known(b)),
        _run("checkpoint signature", None, lambda: _checkpoint_signature(b)),
    ]
    checks += _entry_checks(b)
    checks += _anchor_checks(b)
    checks.append(_run("consistency to latest", None, lambda: _consistency(b)))
    checks += time_warnings(b.leaves, clock_skew)
    return VerificationReport(tuple(checks), f"envelope {b.envelope_id}", _claim(b, checks))
