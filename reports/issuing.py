"""Issuing a certificate: render one edition and sign it, at the best PAdES level.

``issue(bundle, report, issuer, signer, ...)`` renders an ``evidence-bundle/1`` and its
``VerificationReport`` (``reports.certificate``), embeds the bundle and signs the PDF
(``reports.signing``): B-LTA with the first TSA that works when the revocation data of
the issuer's and the TSA's chains can be had, B-T when it cannot, B-B without a TSA that
works; the PDF says which and why.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from pyhanko.sign.general import SigningError
from pyhanko_certvalidator.errors import PathError, ValidationError

from reports import model
from reports.certificate import render
from reports.issuer import IssuerInfo, Signing
from reports.signing import (
    B_B,
    B_LTA,
    B_T,
    IssuerSigner,
    Revocation,
    RevocationUnavailable,
    TimedTimeStamper,
    check_revocation,
    sign,
)
from reports.texts import Lang
from verifier.report import VerificationReport

# What a TSA that fails makes pyHanko raise while it time-stamps and collects the
# validation data; then the next TSA is tried, and at last B-B.
TSA_FAILURES = (OSError, SigningError, PathError, ValidationError)


@dataclass(frozen=True)
class Issued:
    """A signed certificate, the level it reached, why not higher, and what it cost."""

    pdf: bytes
    certificate_id: str
    level: str  # "B-LTA", "B-T" or "B-B": what the PDF states and the signature is
    tsa: str | None
    level_reason: str | None  # why not B-LTA (None at B-LTA)
    render_seconds: float
    sign_seconds: float  # without the TSA round trips
    tsa_seconds: float
    tsa_requests: int

    @property
    def pades_level(self) -> str:
        return self.level

    @property
    def failure(self) -> str | None:
        """Why not B-LTA (the name of ``level_reason`` before B-T existed)."""
        return self.level_reason


def issue(
    bundle: Mapping[str, Any],
    report: VerificationReport,
    issuer: IssuerInfo,
    signer: IssuerSigner,
    *,
    lang: Lang = "en",
    tz: ZoneInfo | None = None,
    timestampers: Sequence[TimedTimeStamper] = (),
    tsa_roots: Sequence[bytes] = (),
    tsa_development: bool = False,
    revocation: Revocation | None = None,
    issued_at: datetime | None = None,
) -> Issued:
    """Render and sign one edition at the best level that is true.

    With the first TSA that works: B-LTA when the revocation data of the issuer's and
    the TSA's chains can be had (``revocation``), else B-T, saying why. Without a TSA
    that works, B-B, saying why. The PDF states its level, so a level that cannot be
    reached after rendering (a TSA that fails mid-signature, revocation data that
    vanished) makes the certificate be rendered again at the level reached.
    """
    when = issued_at or datetime.now(UTC)
    evidence = model.read(bundle, report, tsa_roots)
    revocation = revocation or Revocation()
    failures: list[str] = []
    cost = _Cost()

    def attempt(level: str, reason: str | None, stamper: TimedTimeStamper | None) -> bytes:
        started = time.perf_counter()
        signing = Signing(
            level,
            tsa=stamper.name if stamper else None,
            tsa_development=tsa_development,
            failure=reason,
        )
        pdf = render(evidence, issuer, signing, lang=lang, tz=tz, issued_at=when)
        rendered = time.perf_counter()
        cost.render += rendered - started
        waited = stamper.seconds if stamper else 0.0
        try:
            return sign(
                pdf,
                evidence.attachment,
                signer,
                issued_at=when,
                level=level,
                timestamper=stamper,
                tsa_roots=tsa_roots,
                revocation=revocation,
                name=issuer.name or None,
                location=issuer.address or None,
                contact=issuer.contact or None,
            )
        finally:
            spent = (stamper.seconds - waited) if stamper else 0.0
            cost.sign += time.perf_counter() - rendered - spent

    for stamper in timestampers:
        with stamper.lock:
            stamper.reset()
            try:
                try:
                    reason = check_revocation(signer, stamper, tsa_roots, revocation)
                    level = B_LTA if reason is None else B_T
                    try:
                        signed = attempt(level, reason, stamper)
                    except RevocationUnavailable as e:
                        level, reason = B_T, str(e)
                        signed = attempt(level, reason, stamper)
                except TSA_FAILURES as e:
                    failures.append(f"{stamper.name}: {type(e).__name__}: {e}".strip())
                    continue
            finally:
                cost.tsa += stamper.seconds
                cost.requests += stamper.requests
            return Issued(
                signed,
                evidence.certificate_id,
                level,
                stamper.name,
                reason,
                cost.render,
                cost.sign,
                cost.tsa,
                cost.requests,
            )
    reason = "; ".join(failures) if failures else "no time-stamping authority is configured"
    signed = attempt(B_B, "; ".join(failures) or None, None)
    return Issued(
        signed,
        evidence.certificate_id,
        B_B,
        None,
        reason,
        cost.render,
        cost.sign,
        cost.tsa,
        cost.requests,
    )


@dataclass
class _Cost:
    render: float = 0.0
    sign: float = 0.0
    tsa: float = 0.0
    requests: int = 0
