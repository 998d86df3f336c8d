"""What a certificate shows, read out of an ``evidence-bundle/1`` and its report.

Nothing here decides validity (``verifier.bundle`` did, and its ``VerificationReport``
is shown as it is); this only reads the bundle into plain values for the layout. A
damaged bundle still reads: what cannot be read shows as unreadable, and the report
says why it is invalid. Each entry is read by ``reports.entries``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from reports.entries import READ_ERRORS, Actor, Entry, read_entry, text_or
from reports.identity import certificate_id, legacy_certificate_id
from verifier import checkpoint as notes
from verifier import timestamp
from verifier.anchors import is_development
from verifier.checkpoint import Checkpoint, VerifierKey
from verifier.errors import MalformedError, VerificationError
from verifier.hashing import SHA256, HashAlgorithm, algorithm
from verifier.report import VerificationReport

ATTACHMENT_NAME = "evidence-bundle.json"
TITLE_KEYS = (
    "title",
    "envelope_title",
    "subject",
    "email_subject",
    "sign_flow_title",
    "resource_name",
)
REASON_EVENTS = ("recipient.declined", "envelope.declined", "envelope.voided", "envelope.expired")
_CURVES = {"secp256r1": "P-256", "secp384r1": "P-384", "secp521r1": "P-521"}


def key_algorithm(cert: x509.Certificate) -> str:
    """The certificate's signature algorithm for people: "ECDSA P-256", "RSA-2048"..."""
    key = cert.public_key()
    if isinstance(key, rsa.RSAPublicKey):
        return f"RSA-{key.key_size}"
    if isinstance(key, ec.EllipticCurvePublicKey):
        return f"ECDSA {_CURVES.get(key.curve.name, key.curve.name)}"
    if isinstance(key, ed25519.Ed25519PublicKey):
        return "Ed25519"
    return type(key).__name__


def bundle_bytes(bundle: Mapping[str, Any]) -> bytes:
    """The attachment's bytes: the bundle as indented UTF-8 JSON (keys in their order),
    what ``json.dumps(bundle, ensure_ascii=False, indent=2)`` writes, and a newline.

    Written piece by piece: ``json.dumps`` with an indent joins a list of millions of
    small strings, which for 10,000 entries (26 MB) costs 120 MB at its peak."""
    out = io.BytesIO()
    for chunk in json.JSONEncoder(ensure_ascii=False, indent=2).iterencode(bundle):
        out.write(chunk.encode("utf-8"))
    out.write(b"\n")
    return out.getvalue()


@dataclass(frozen=True)
class Document:
    name: str
    original_sha256: str
    original_size: int | None
    final_sha256: str
    final_size: int | None


@dataclass(frozen=True)
class Party:
    actor: Actor
    roles: tuple[str, ...]


@dataclass(frozen=True)
class Signer:
    actor: Actor
    auth_methods: tuple[str, ...]
    signed: Entry | None


@dataclass(frozen=True)
class Anchor:
    tsa: str
    facts: timestamp.TimestampFacts | None
    error: str | None
    development: bool
    tsa_not_after: datetime | None
    signer_algorithm: str | None


@dataclass(frozen=True)
class LogKey:
    vkey: str
    name: str
    key_id: str


@dataclass
class Evidence:
    """The bundle, read for people."""

    bundle: Mapping[str, Any]
    report: VerificationReport
    attachment: bytes
    certificate_id: str
    envelope_id: str
    tenant: str
    status: str
    origin: str
    hash_name: str
    alg: HashAlgorithm
    note: str
    checkpoint: Checkpoint | None
    signing_key: LogKey | None
    entries: list[Entry]
    anchors: list[Anchor]
    latest_note: str | None = None
    latest: Checkpoint | None = None
    consistency: tuple[str, ...] = ()
    parties: list[Party] = field(default_factory=list)
    signers: list[Signer] = field(default_factory=list)
    documents: list[Document] = field(default_factory=list)
    title: str | None = None

    @property
    def development_tsa(self) -> bool:
        return any(a.development for a in self.anchors)

    @property
    def first_time(self) -> datetime | None:
        times = [t for t in (e.ledger_time for e in self.entries) if t is not None]
        return min(times) if times else None

    @property
    def last_time(self) -> datetime | None:
        times = [t for t in (e.ledger_time for e in self.entries) if t is not None]
        return max(times) if times else None

    @property
    def anchor_time(self) -> datetime | None:
        times = [a.facts.gen_time for a in self.anchors if a.facts is not None]
        return min(times) if times else None

    def channels(self) -> list[tuple[str, str, int]]:
        """(channel, authenticated, number of events), in order of first use."""
        counts: dict[tuple[str, str], int] = {}
        for e in self.entries:
            if e.leaf is not None:
                key = (e.leaf.source.channel, e.leaf.source.authenticated)
                counts[key] = counts.get(key, 0) + 1
        return [(c, a, n) for (c, a), n in counts.items()]


def _signing_key(note: str, vkeys: Sequence[str]) -> LogKey | None:
    """The verifier key (of the bundle's list) whose signature on the note verifies."""
    for vkey in vkeys:
        try:
            notes.open_note(note, [vkey])
            key: VerifierKey = notes.parse_vkey(vkey)
        except READ_ERRORS:
            continue
        return LogKey(vkey, key.name, key.key_id.hex())
    return None


def _signed_text(note: str) -> str | None:
    try:
        return notes.signed_text(note)
    except VerificationError:
        return None


def _anchor(data: object, note: str, roots: Sequence[bytes]) -> Anchor:
    if not isinstance(data, Mapping):
        return Anchor("?", None, "not an object", False, None, None)
    tsa = text_or(data.get("tsa"), "?")
    flagged = data.get("development_tsa") is True
    signed = _signed_text(note)
    try:
        if signed is None:
            raise VerificationError("the checkpoint has no signed text")
        if not roots:
            raise VerificationError("no TSA trust roots were given")
        token = base64.b64decode(text_or(data.get("token")), validate=True)
        digest = hashlib.sha256(signed.encode("utf-8")).digest()
        facts = timestamp.verify(token, digest, list(roots))
    except (binascii.Error, *READ_ERRORS) as e:
        reason = e.message if isinstance(e, VerificationError) else str(e)
        return Anchor(tsa, None, reason, flagged, None, None)
    cert = x509.load_der_x509_certificate(facts.signer_certificate)
    development = flagged or is_development(facts)
    return Anchor(
        tsa,
        facts,
        None,
        development,
        cert.not_valid_after_utc,
        key_algorithm(cert),
    )


def _documents(entries: Sequence[Entry]) -> list[Document]:
    first: dict[str, Mapping[str, Any]] = {}
    last: dict[str, Mapping[str, Any]] = {}
    for e in entries:
        for doc in e.documents:
            name = text_or(doc.get("name"), "?")
            first.setdefault(name, doc)
            last[name] = doc

    def size(doc: Mapping[str, Any]) -> int | None:
        value = doc.get("size")
        return value if isinstance(value, int) else None

    return [
        Document(
            name,
            text_or(first[name].get("sha256"), "?"),
            size(first[name]),
            text_or(last[name].get("sha256"), "?"),
            size(last[name]),
        )
        for name in first
    ]


def _parties(entries: Sequence[Entry]) -> list[Party]:
    roles: dict[tuple[str | None, str | None, str | None], list[str]] = {}
    actors: dict[tuple[str | None, str | None, str | None], Actor] = {}
    for e in entries:
        actor = e.actor
        if actor is None or actor.key == (None, None, None):
            continue
        actors.setdefault(actor.key, actor)
        found = roles.setdefault(actor.key, [])
        if actor.role and actor.role not in found:
            found.append(actor.role)
    return [Party(actors[k], tuple(roles[k])) for k in actors]


def _signers(entries: Sequence[Entry]) -> list[Signer]:
    """Actors of recipient.signed events, or whose role names them a signer."""
    methods: dict[tuple[str | None, str | None, str | None], list[str]] = {}
    signed: dict[tuple[str | None, str | None, str | None], Entry] = {}
    actors: dict[tuple[str | None, str | None, str | None], Actor] = {}
    for e in entries:
        actor = e.actor
        if actor is None or actor.key == (None, None, None):
            continue
        is_signer = e.type == "recipient.signed" or "signer" in (actor.role or "").lower()
        if is_signer:
            actors.setdefault(actor.key, actor)
        if e.type == "recipient.signed":
            signed.setdefault(actor.key, e)
        found = methods.setdefault(actor.key, [])
        if actor.auth_method and actor.auth_method not in found:
            found.append(actor.auth_method)
    return [Signer(actors[k], tuple(methods.get(k, [])), signed.get(k)) for k in actors]


def _title(entries: Sequence[Entry]) -> str | None:
    for key in TITLE_KEYS:
        for e in entries:
            value = e.data.get(key)
            if isinstance(value, str) and value.strip():
                return value.strip()
    return None


def _checkpoint(note: object) -> Checkpoint | None:
    if not isinstance(note, str):
        return None
    signed = _signed_text(note)
    try:
        return notes.parse_checkpoint(signed) if signed else None
    except READ_ERRORS:
        return None


def read(
    bundle: Mapping[str, Any], report: VerificationReport, tsa_roots: Sequence[bytes]
) -> Evidence:
    """The bundle and its report, read for the certificate; ``tsa_roots`` verify the anchors
    again to show each token's facts (TSA, serial, genTime, policy, chain)."""
    log = bundle.get("log")
    log = log if isinstance(log, Mapping) else {}
    try:
        alg = algorithm(text_or(log.get("hash"), SHA256.name))
    except VerificationError:
        alg = SHA256
    note = text_or(bundle.get("checkpoint"))
    vkeys = log.get("vkeys")
    keys = [k for k in vkeys if isinstance(k, str)] if isinstance(vkeys, list) else []
    raw_entries = bundle.get("entries")
    entries = [
        e
        for e in (
            read_entry(d, alg) for d in (raw_entries if isinstance(raw_entries, list) else [])
        )
        if e is not None
    ]
    raw_anchors = bundle.get("anchors")
    anchors = [
        _anchor(a, note, tsa_roots) for a in (raw_anchors if isinstance(raw_anchors, list) else [])
    ]
    attachment = bundle_bytes(bundle)
    try:
        ident = certificate_id(bundle)
    except MalformedError:  # not JSON data: named after the file, as before the registry
        ident = legacy_certificate_id(attachment)
    evidence = Evidence(
        bundle=bundle,
        report=report,
        attachment=attachment,
        certificate_id=ident,
        envelope_id=text_or(bundle.get("envelope_id"), "?"),
        tenant=text_or(bundle.get("tenant"), "?"),
        status=text_or(bundle.get("status"), "?"),
        origin=text_or(log.get("origin"), "?"),
        hash_name=alg.name.upper(),
        alg=alg,
        note=note,
        checkpoint=_checkpoint(note),
        signing_key=_signing_key(note, keys),
        entries=entries,
        anchors=anchors,
    )
    latest = bundle.get("latest")
    if isinstance(latest, Mapping):
        evidence.latest_note = text_or(latest.get("checkpoint")) or None
        evidence.latest = _checkpoint(evidence.latest_note)
        proof = latest.get("consistency")
        if isinstance(proof, list):
            evidence.consistency = tuple(h for h in proof if isinstance(h, str))
    evidence.parties = _parties(entries)
    evidence.signers = _signers(entries)
    evidence.documents = _documents(entries)
    evidence.title = _title(entries)
    return evidence
