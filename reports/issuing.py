"""Issuing a certificate: render one edition and sign it, at the best PAdES level.

``issue(bundle, report, issuer, signer, ...)`` renders an ``evidence-bundle/1`` and its
``VerificationReport`` (``reports.certificate``), embeds the bundle and signs the PDF
(``reports.signing``): B-LTA with the first TSA that works, else B-B, and the PDF says
which.
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
from reports.certificate import IssuerInfo, Signing, render
from reports.signing import B_B, B_LTA, IssuerSigner, TimedTimeStamper, sign
from reports.texts import Lang
from verifier.report import VerificationReport

# What a TSA that fails makes pyHanko raise while it time-stamps and collects the
# validation data; then the next TSA is tried, and at last B-B.
TSA_FAILURES = (OSError, SigningError, PathError, ValidationError)


@dataclass(frozen=True)
class Issued:
    """A signed certificate, the level it reached and what it cost."""

    pdf: bytes
    certificate_id: str
    level: str  # "B-LTA" or "B-B"
    tsa: str | None
    failure: str | None  # why not B-LTA although TSAs were given
    render_seconds: float
    sign_seconds: float  # without the TSA round trips
    tsa_seconds: float
    tsa_requests: int


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
    issued_at: datetime | None = None,
) -> Issued:
    """Render and sign one edition; B-LTA with the first TSA that works, else B-B.

    The PDF says which level it reached, so a TSA that fails mid-signature makes the
    certificate be rendered again for the next TSA (or for B-B, saying why).
    """
    when = issued_at or datetime.now(UTC)
    evidence = model.read(bundle, report, tsa_roots)
    failures: list[str] = []
    render_time = sign_time = tsa_time = 0.0
    tsa_requests = 0
    for stamper in timestampers:
        with stamper.lock:
            stamper.reset()
            started = time.perf_counter()
            signing = Signing(B_LTA, tsa=stamper.name, tsa_development=tsa_development)
            pdf = render(evidence, issuer, signing, lang=lang, tz=tz, issued_at=when)
            rendered = time.perf_counter()
            render_time += rendered - started
            try:
                signed = sign(
                    pdf,
                    evidence.attachment,
                    signer,
                    issued_at=when,
                    timestamper=stamper,
                    tsa_roots=tsa_roots,
                    name=issuer.name or None,
                    location=issuer.address or None,
                    contact=issuer.contact or None,
                )
            except TSA_FAILURES as e:
                failures.append(f"{stamper.name}: {type(e).__name__}: {e}".strip())
                signed = None
            finally:
                sign_time += time.perf_counter() - rendered - stamper.seconds
                tsa_time += stamper.seconds
                tsa_requests += stamper.requests
            if signed is not None:
                return Issued(
                    signed,
                    evidence.certificate_id,
                    B_LTA,
                    stamper.name,
                    None,
                    render_time,
                    sign_time,
                    tsa_time,
                    tsa_requests,
                )
    failure = "; ".join(failures) or None
    started = time.perf_counter()
    signing = Signing(B_B, failure=failure)
    pdf = render(evidence, issuer, signing, lang=lang, tz=tz, issued_at=when)
    rendered = time.perf_counter()
    signed = sign(
        pdf,
        evidence.attachment,
        signer,
        issued_at=when,
        name=issuer.name or None,
        location=issuer.address or None,
        contact=issuer.contact or None,
    )
    return Issued(
        signed,
        evidence.certificate_id,
        B_B,
        None,
        failure,
        render_time + rendered - started,
        sign_time + time.perf_counter() - rendered,
        tsa_time,
        tsa_requests,
    )
