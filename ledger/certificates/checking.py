"""Checking an uploaded certificate PDF or evidence bundle with this ledger's trust: the
same checks as ``ledger-verify pdf`` (``reports.validation.verify_pdf``) and ``ledger-verify
bundle`` (``verifier.bundle.verify_bundle``), with the log's verifier keys, the configured
TSA roots and the issuer's roots, and what the registry knows of it.

A PDF is registered when the registry holds an edition with its SHA-256 (the exact file
this ledger issued); a bundle when a certificate was issued for the evidence it carries
(its certificate id, ``reports.identity``). A file that is neither a readable PDF nor a
bundle is not valid, with one failed check that says so.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import timedelta

from ledger.certificates import registry
from ledger.certificates.issuer import issuer_roots
from ledger.certificates.tsa import tsa_roots
from ledger.service import Ledger
from reports.identity import certificate_id
from verifier.errors import MalformedError
from verifier.report import Check, VerificationReport

PDF, BUNDLE = "pdf", "bundle"


@dataclass(frozen=True)
class Checked:
    """What an upload is, the checks it went through, and the registry's edition of it."""

    kind: str  # "pdf" or "bundle"
    sha256: str
    report: VerificationReport
    certificate_id: str | None  # the id the file names (its bundle's evidence)
    level: str | None  # the PAdES level a PDF reached
    registered: registry.Edition | None  # the registry's edition (PDF) or certificate

    @property
    def valid(self) -> bool:
        return self.report.valid


def kind_of(data: bytes) -> str:
    """``pdf`` for a file that starts as a PDF does (within its first KiB), else ``bundle``."""
    return PDF if b"%PDF-" in data[:1024] else BUNDLE


def _unreadable(what: str, error: Exception) -> VerificationReport:
    check = Check("readable", "fail", None, f"not a readable {what}: {error}")
    return VerificationReport((check,), what)


def _bundle_id(data: bytes | None) -> str | None:
    if data is None:
        return None
    try:
        value = json.loads(data)
        return certificate_id(value) if isinstance(value, dict) else None
    except (ValueError, RecursionError, MalformedError):
        return None


def check_upload(service: Ledger, data: bytes, kind: str | None = None) -> Checked:
    """Check ``data`` as a certificate PDF or a bundle (``kind``, else guessed)."""
    settings = service.settings
    kind = kind or kind_of(data)
    with service.db.reading() as conn:
        vkeys = [k.vkey for k in service.keys.listing(conn)]
    roots = tsa_roots(settings)
    sha = hashlib.sha256(data).hexdigest()
    level = ident = None
    if kind == PDF:
        from reports.pdfcheck import quiet  # pyHanko: loaded for PDFs only
        from reports.validation import verify_pdf

        try:
            with quiet():
                result = verify_pdf(data, vkeys, roots, issuer_roots(settings))
        except MalformedError as e:
            report = _unreadable("PDF", e)
        else:
            report, level, ident = result.report, result.level, _bundle_id(result.bundle)
    else:
        from verifier.bundle import verify_bundle

        try:
            report = verify_bundle(
                data, vkeys, roots, clock_skew=timedelta(seconds=settings.clock_skew)
            )
        except MalformedError as e:
            report = _unreadable("evidence bundle", e)
        else:
            ident = _bundle_id(data)
    with service.db.reading() as conn:
        if kind == PDF:
            found = registry.by_pdf_sha256(conn, sha)
        else:
            editions = registry.editions(conn, ident) if ident else []
            found = editions[0] if editions else None
    return Checked(kind, sha, report, ident, level, found)
