"""Checking a certificate of evidence back: ``ledger-verify pdf FILE``.

``verify_pdf(data, log_keys, tsa_roots, issuer_roots)`` checks, with pyHanko:

- ``pdf signature``: the PDF holds the issuer's PAdES signature (``ETSI.CAdES.detached``)
  and it is cryptographically intact and valid; and for the newest signature of the file
  (which no other signature covers), its unsigned parts are sound: zeros after the CMS
  object, every embedded certificate signed by its issuer, the digest algorithm list
  the signer's (see ``_unsigned_parts``);
- ``pdf signer``: its certificate chains to one of ``issuer_roots`` (a development issuer
  is named as such: not for evidence);
- ``pdf unmodified``: the signature covers its whole revision, and every later revision
  only adds PAdES validation data and document time-stamps (pyHanko's difference
  analysis, DocMDP respected);
- ``signature time-stamp``, ``document time-stamp``: each RFC 3161 token is valid and
  its TSA chains to one of ``tsa_roots``; the newest document time-stamp covers the
  whole file, so that no byte of it is unsigned (skipped at B-B);
- ``validation data``: the document security store (DSS) holds revocation data (CRLs or
  OCSP responses; skipped at B-B and B-T, and when a DSS holds certificates only);
- ``embedded bundle``: ``evidence-bundle.json`` is attached, and its SHA-256 is the one
  the signed document states (so the certificate id matches it);
- ``pades level``: the level the document states (its metadata keywords, "PAdES B-LTA",
  as its text) is no higher than the level its signature reaches (skipped for a
  certificate that does not state it);

then verifies the extracted bundle with ``verifier.bundle.verify_bundle`` (``log_keys``,
``tsa_roots``, ``at_time``) and returns both as one ``VerificationReport``: the PDF's
checks first, then the bundle's. The PAdES level reached (B-B, B-T, B-LT, B-LTA) is in
the claim. Certificates are validated at the present time, with the DSS's revocation
data and without fetching any: a verification that is offline and repeatable. (After
the certificates expire, the B-LTA document time-stamps are what keeps the signature
provable; checking that needs a full AdES validator, e.g. pyHanko's ``ades`` module.)

Only a file that is not a readable PDF, and unusable trust material, raise
``MalformedError`` (exit 2); everything else is a failed check (exit 1).

This module lives in ``reports`` (not ``verifier``) because it needs pyHanko, which
``verifier`` may not import; ``ledger-verify`` loads it only for ``pdf``.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any

from asn1crypto import x509 as asn1_x509
from pyhanko.keys import load_certs_from_pemder_data
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.validation import (
    DocumentSecurityStore,
    validate_pdf_signature,
    validate_pdf_timestamp,
)
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from reports import unsigned
from reports.identity import certificate_id, legacy_certificate_id
from reports.model import ATTACHMENT_NAME
from reports.signing import B_B, B_LTA
from verifier import timestamp
from verifier.bundle import verify_bundle
from verifier.checkpoint import parse_vkey
from verifier.errors import MalformedError
from verifier.report import Check, Status, VerificationReport

CADES = "/ETSI.CAdES.detached"
DEV_LABEL = "NOT FOR EVIDENCE"
_SUBJECT_SHA = re.compile(r"SHA-256 ([0-9a-f]{64})")
# What a damaged file makes pyHanko raise. It parses lazily, deep inside validation,
# and a changed byte has surfaced as PdfReadError, ValueError, KeyError, zlib.error and
# decimal.InvalidOperation: any exception from it is a failed check, never a crash.
_BROKEN = (Exception,)


@dataclass(frozen=True)
class PdfVerification:
    """The PDF's checks and the embedded bundle's report, as one report."""

    report: VerificationReport
    level: str | None  # the PAdES level reached
    bundle: bytes | None  # the embedded evidence-bundle.json

    @property
    def valid(self) -> bool:
        return self.report.valid


def _roots(data: Sequence[bytes], what: str) -> list[asn1_x509.Certificate]:
    if data:
        timestamp.load_trust_roots(list(data))  # MalformedError names the unusable one
    try:
        return [c for item in data for c in load_certs_from_pemder_data(item)]
    except ValueError as e:
        raise MalformedError(f"{what}: not PEM or DER certificates: {e}") from None


def _context(
    roots: list[asn1_x509.Certificate], dss: DocumentSecurityStore | None
) -> ValidationContext:
    options: dict[str, Any] = {
        "trust_roots": roots,
        "allow_fetching": False,
        "revocation_mode": "soft-fail",
    }
    if dss is not None:
        return dss.as_validation_context(options)
    return ValidationContext(**options)


def _subject(cert: asn1_x509.Certificate) -> str:
    """The certificate's common name (its whole subject if it has none)."""
    name = cert.subject.native.get("common_name")
    return str(name) if name else str(cert.subject.human_friendly)


def _attachment(reader: PdfFileReader) -> bytes | None:
    """The ``evidence-bundle.json`` of the document's embedded files, if any."""
    try:
        names = reader.root["/Names"]["/EmbeddedFiles"]["/Names"]
    except (KeyError, TypeError):
        return None
    for i in range(0, len(names) - 1, 2):
        if str(names[i]) != ATTACHMENT_NAME:
            continue
        spec = names[i + 1].get_object()
        stream = spec["/EF"]["/F"].get_object()
        data: bytes = stream.data
        return data
    return None


class _Checks:
    """The PDF's checks, in order."""

    def __init__(self) -> None:
        self.checks: list[Check] = []

    def add(self, name: str, status: Status, reason: str) -> None:
        self.checks.append(Check(name, status, None, reason))

    def run(self, name: str, check: Callable[[], tuple[Status, str]]) -> None:
        try:
            status, reason = check()
        except _BROKEN as e:
            status, reason = "fail", f"{type(e).__name__}: {e}"
        self.add(name, status, reason)


def verify_pdf(
    data: bytes,
    log_keys: list[str],
    tsa_roots: Sequence[bytes],
    issuer_roots: Sequence[bytes],
    at_time: datetime | None = None,
) -> PdfVerification:
    """Check a certificate PDF and the bundle it carries; see the module doc."""
    for key in log_keys:
        parse_vkey(key)  # MalformedError: unusable trust material
    tsa = _roots(tsa_roots, "--tsa-root")
    issuers = _roots(issuer_roots, "--issuer-root")
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        signatures: list[EmbeddedPdfSignature] = list(reader.embedded_signatures)
        regular = [s for s in signatures if s.sig_object_type == "/Sig"]
        stamps = [s for s in signatures if s.sig_object_type == "/DocTimeStamp"]
        cades = [s for s in regular if str(s.sig_object.get("/SubFilter")) == CADES]
    except _BROKEN as e:
        raise MalformedError(f"not a readable PDF: {e}") from None
    try:
        dss = DocumentSecurityStore.read_dss(reader)
    except _BROKEN:
        dss = None
    out = _Checks()
    facts: dict[str, Any] = {}
    if len(cades) != 1 or len(regular) != 1:
        out.add(
            "pdf signature",
            "fail",
            f"a certificate carries exactly one PAdES signature (ETSI.CAdES.detached); "
            f"this PDF has {len(regular)} signature(s), {len(cades)} of them PAdES",
        )
    else:
        try:
            _signature_checks(out, cades[0], issuers, tsa, dss, facts, last=not stamps)
        except _BROKEN as e:
            facts.pop("signed", None)
            out.add("pdf signature", "fail", f"the signature cannot be checked: {e}")
    for n, stamp in enumerate(stamps, start=1):
        last = n == len(stamps)
        out.run("document time-stamp", partial(_doc_timestamp, stamp, tsa, dss, n, last))
    if not stamps:
        out.add("document time-stamp", "skipped", "no document time-stamp (not B-LTA)")
    revocation = 0
    if dss is not None:
        revocation = len(dss.crls) + len(dss.ocsps)
        held = (
            f"the document security store holds {len(dss.certs)} certificate(s), "
            f"{len(dss.crls)} CRL(s) and {len(dss.ocsps)} OCSP response(s)"
        )
        if revocation:
            out.add("validation data", "pass", held)
        else:
            out.add("validation data", "skipped", f"{held}: no revocation data (not B-LT)")
    else:
        out.add("validation data", "skipped", "no document security store (not B-LT)")
    try:
        bundle = _attachment(reader)
    except _BROKEN as e:
        bundle = None
        out.add("embedded bundle", "fail", f"{ATTACHMENT_NAME} cannot be read: {e}")
    else:
        out.run("embedded bundle", lambda: _bundle_check(bundle, reader))
    level: str | None = None
    if facts.get("signed", False):
        level = _level(facts.get("signature_timestamp", False), revocation > 0, bool(stamps))
    out.run("pades level", lambda: _stated_level(reader, level))
    return _combine(out.checks, bundle, level, facts, log_keys, tsa_roots, at_time)


def _signature_checks(
    out: _Checks,
    sig: EmbeddedPdfSignature,
    issuers: list[asn1_x509.Certificate],
    tsa: list[asn1_x509.Certificate],
    dss: DocumentSecurityStore | None,
    facts: dict[str, Any],
    last: bool,
) -> None:
    try:
        status = validate_pdf_signature(
            sig,
            signer_validation_context=_context(issuers, dss),
            ts_validation_context=_context(tsa, dss),
        )
    except _BROKEN as e:
        out.add("pdf signature", "fail", f"the signature cannot be validated: {e}")
        return
    signer = _subject(status.signing_cert)
    facts["signer"] = signer
    why = unsigned.unsound(sig, issuers + tsa, ours=True) if last else unsigned.padding(sig)
    if why is not None:
        out.add("pdf signature", "fail", why)
    elif status.intact and status.valid:
        facts["signed"] = True
        out.add(
            "pdf signature",
            "pass",
            f"PAdES signature by {signer} ({status.pkcs7_signature_mechanism}, "
            f"{status.md_algorithm}) is intact and valid",
        )
    else:
        what = "does not match the document" if not status.intact else "does not verify"
        out.add("pdf signature", "fail", f"the signature by {signer} {what}")
    development = DEV_LABEL in signer
    if status.trusted:
        dev = "; development issuer, not for evidence" if development else ""
        out.add("pdf signer", "pass", f"{signer} chains to a given issuer root{dev}")
    elif not issuers:
        out.add("pdf signer", "fail", "no issuer root was given (--issuer-root)")
    else:
        out.add("pdf signer", "fail", f"{signer} does not chain to a given issuer root")
    coverage = status.coverage
    level = status.modification_level
    whole = coverage in (SignatureCoverageLevel.ENTIRE_REVISION, SignatureCoverageLevel.ENTIRE_FILE)
    allowed = level is not None and level <= ModificationLevel.LTA_UPDATES
    if whole and allowed and status.docmdp_ok:
        later = (
            "nothing was added after it"
            if level == ModificationLevel.NONE
            else "later revisions only add validation data and document time-stamps"
        )
        out.add("pdf unmodified", "pass", f"the signature covers its revision; {later}")
    else:
        out.add(
            "pdf unmodified",
            "fail",
            f"the document was changed after it was signed (coverage {coverage}, "
            f"modifications {level}, DocMDP respected: {status.docmdp_ok})",
        )
    ts = status.timestamp_validity
    if ts is None:
        out.add("signature time-stamp", "skipped", "no signature time-stamp (B-B)")
        return
    facts["signature_timestamp"] = True
    tsa_name = _subject(ts.signing_cert)
    when = ts.timestamp.isoformat()
    if ts.intact and ts.valid and ts.trust_problem_indic is None:
        dev = "; development TSA, not for evidence" if DEV_LABEL in tsa_name else ""
        out.add("signature time-stamp", "pass", f"by {tsa_name} at {when}{dev}")
        facts["timestamp"] = (tsa_name, when)
    elif ts.intact and ts.valid:
        out.add("signature time-stamp", "fail", f"by {tsa_name}, not chaining to a --tsa-root")
    else:
        out.add("signature time-stamp", "fail", f"the token by {tsa_name} does not verify")


def _doc_timestamp(
    stamp: EmbeddedPdfSignature,
    tsa: list[asn1_x509.Certificate],
    dss: DocumentSecurityStore | None,
    n: int,
    last: bool,
) -> tuple[Status, str]:
    why = unsigned.unsound(stamp, tsa, ours=False) if last else unsigned.padding(stamp)
    if why is not None:
        return "fail", f"document time-stamp {n}: {why}"
    status = validate_pdf_timestamp(stamp, validation_context=_context(tsa, dss))
    name = _subject(status.signing_cert)
    if not (status.intact and status.valid):
        return "fail", f"document time-stamp {n} by {name} does not verify"
    if not status.trusted:
        return "fail", f"document time-stamp {n} by {name} does not chain to a --tsa-root"
    if last and status.coverage != SignatureCoverageLevel.ENTIRE_FILE:
        # reports.signing puts the validation data before the time-stamp: nothing may
        # follow the newest one, so every byte of the file is covered by a signature
        return "fail", f"the file was changed after its newest document time-stamp ({n})"
    level = status.modification_level
    if level is None or level > ModificationLevel.LTA_UPDATES:
        return "fail", f"the document was changed after document time-stamp {n} ({level})"
    dev = "; development TSA, not for evidence" if DEV_LABEL in name else ""
    return "pass", f"document time-stamp {n} by {name} at {status.timestamp.isoformat()}{dev}"


def _bundle_check(bundle: bytes | None, reader: PdfFileReader) -> tuple[Status, str]:
    if bundle is None:
        return "fail", f"the PDF has no attachment {ATTACHMENT_NAME}"
    digest = hashlib.sha256(bundle).hexdigest()
    info = reader.trailer_view.get("/Info")
    subject = str(info.get_object().get("/Subject", "")) if info is not None else ""
    title = str(info.get_object().get("/Title", "")) if info is not None else ""
    stated = _SUBJECT_SHA.search(subject)
    if stated is None:
        return "fail", "the document does not state the SHA-256 of its bundle"
    if stated.group(1) != digest:
        return "fail", f"{ATTACHMENT_NAME} is not the bundle the document states"
    ident = bundle_certificate_id(bundle)
    legacy = legacy_certificate_id(bundle)
    if ident is not None and ident in title:
        return (
            "pass",
            f"{ATTACHMENT_NAME}: {len(bundle)} bytes, SHA-256 {digest}, certificate {ident}",
        )
    if legacy in title:
        return "pass", (
            f"{ATTACHMENT_NAME}: {len(bundle)} bytes, SHA-256 {digest}, certificate {legacy} "
            "(an id named after the file, as before the certificate registry)"
        )
    return "fail", f"the certificate id is not {ident or legacy}, the id of its bundle"


def bundle_certificate_id(bundle: bytes) -> str | None:
    """The certificate id of an attached bundle (``reports.identity``); None if it is not
    a JSON object."""
    try:
        value = json.loads(bundle)
        return certificate_id(value) if isinstance(value, dict) else None
    except (ValueError, RecursionError, MalformedError):
        return None


LEVELS = (B_B, "B-T", "B-LT", B_LTA)
_STATED = re.compile(r"PAdES (B-B|B-T|B-LT|B-LTA)\b")


def _stated_level(reader: PdfFileReader, found: str | None) -> tuple[Status, str]:
    """The level the certificate states (its metadata keywords repeat its text) is no
    higher than the level its signature reaches: a claim of B-LTA needs B-LTA."""
    info = reader.trailer_view.get("/Info")
    keywords = str(info.get_object().get("/Keywords", "")) if info is not None else ""
    stated = _STATED.search(keywords)
    if stated is None:
        return "skipped", "the document does not state its PAdES level in its metadata"
    if found is None:
        return "fail", f"the document states PAdES {stated.group(1)}; its signature is not valid"
    if LEVELS.index(stated.group(1)) > LEVELS.index(found):
        return "fail", f"the document states PAdES {stated.group(1)}, but reaches {found}"
    return "pass", f"the document states PAdES {stated.group(1)} and reaches {found}"


def _level(signature_timestamp: bool, revocation: bool, document_timestamps: bool) -> str:
    """The PAdES baseline level: B-LT needs revocation data in the DSS, not just a DSS."""
    if revocation and document_timestamps:
        return B_LTA
    if revocation and signature_timestamp:
        return "B-LT"
    if signature_timestamp or document_timestamps:
        return "B-T"
    return B_B


def _combine(
    checks: list[Check],
    bundle: bytes | None,
    level: str | None,
    facts: dict[str, Any],
    log_keys: list[str],
    tsa_roots: Sequence[bytes],
    at_time: datetime | None,
) -> PdfVerification:
    claim = "certificate"
    if bundle is not None:
        claim += f" {bundle_certificate_id(bundle) or legacy_certificate_id(bundle)}"
    if "signer" in facts:
        claim += f" signed by {facts['signer']}"
    if level is not None:
        claim += f" (PAdES {level}"
        if "timestamp" in facts:
            claim += f", time-stamped {facts['timestamp'][1]}"
        claim += ")"
    if bundle is not None:
        try:
            inner = verify_bundle(bundle, log_keys, list(tsa_roots), at_time)
        except MalformedError as e:  # the trust material was checked: the bundle is bad
            checks.append(Check("embedded bundle", "fail", None, f"cannot be evaluated: {e}"))
        else:
            checks += inner.checks
            claim += f"; {inner.claim}" if inner.claim else ""
    report = VerificationReport(tuple(checks), "certificate PDF", claim)
    return PdfVerification(report, level, bundle)
