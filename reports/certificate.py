"""The certificate of evidence: ``render(evidence, issuer, signing, lang=, tz=,
issued_at=)`` returns the unsigned PDF of one edition; ``reports.issuing`` embeds the
bundle and signs it (docs/certificate.md).

The layout follows the 28 points of docs/certificate.md: the first page summarises what,
who, when and the verdict (the QR code at a fixed place, top right); then issuer and
subject, process, the events, signers, the cryptographic proof, verification, the
statements; the long proofs and the list of checks are appendices. Every page has the
certificate id and "page x of y". The sections are in ``reports.sections``, the
primitives they use in ``reports.layout``, ``reports.blocks`` and ``reports.lines``.

Renders run side by side in a process (the service's threads): each has its own story
and document; only reportlab's font subsetting, which moves a shared file position, is
serialised (``reports.fonts``). A render that takes longer than ``timeout`` seconds
stops with ``RenderTimeout``.
"""

from __future__ import annotations

import hashlib
import io
import time
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, SimpleDocTemplate

from reports.composer import Composer
from reports.issuer import IssuerInfo, Signing
from reports.model import ATTACHMENT_NAME, Evidence
from reports.page import (
    MARGIN_BOTTOM,
    MARGIN_TOP,
    MARGIN_X,
    QR_SIZE,
    QR_X,
    QR_Y,
    draw_footer,
    draw_header,
    draw_qr,
    numbered_canvas,
)
from reports.printable import clipped
from reports.sections import compose
from reports.texts import Lang

RENDER_TIMEOUT = 60.0  # seconds; 10,000 events render in a few (docs/certificate.md)
HEADER_ID = 80  # characters of the envelope id in the running head


class RenderTimeout(TimeoutError):
    """A certificate took longer than its time to render."""


def verify_url(issuer: IssuerInfo, certificate_id: str) -> str:
    return f"{issuer.verify_url}/{certificate_id}"


class _Document(SimpleDocTemplate):  # type: ignore[misc]  # reportlab is untyped
    """A document that stops when its time is up (checked after every flowable)."""

    def __init__(self, out: io.BytesIO, deadline: float, **kwargs: Any) -> None:
        super().__init__(out, **kwargs)
        self.deadline = deadline

    def afterFlowable(self, flowable: Flowable) -> None:  # reportlab's name
        if time.monotonic() > self.deadline:
            raise RenderTimeout("the certificate took too long to render")


def render(
    evidence: Evidence,
    issuer: IssuerInfo,
    signing: Signing,
    *,
    lang: Lang = "en",
    tz: ZoneInfo | None = None,
    issued_at: datetime,
    timeout: float = RENDER_TIMEOUT,
) -> bytes:
    """The unsigned certificate PDF of one edition."""
    deadline = time.monotonic() + timeout
    url = verify_url(issuer, evidence.certificate_id)
    c = Composer(evidence, issuer, signing, lang, tz, issued_at, url)
    compose(c)
    t, sans, mono = c.t, c.s.sans, c.s.mono
    development = issuer.development or evidence.development_tsa or signing.tsa_development
    footer_text = t("footer", id=evidence.certificate_id)
    head_id = clipped(evidence.envelope_id, HEADER_ID)[0]

    def footer(canvas: Canvas, page: int, pages: int) -> None:  # point 27
        text = t("page", page=page, pages=pages)
        draw_footer(canvas, sans, footer_text, text, development, t("dev_footer"))

    def first_page(canvas: Canvas, _doc: Any) -> None:  # point 22: the QR code
        draw_qr(canvas, url, QR_X, QR_Y, QR_SIZE)

    def later_pages(canvas: Canvas, _doc: Any) -> None:
        draw_header(canvas, sans, mono, t("title"), head_id)

    out = io.BytesIO()
    sha = hashlib.sha256(evidence.attachment).hexdigest()
    doc = _Document(
        out,
        deadline,
        pagesize=A4,
        leftMargin=MARGIN_X,
        rightMargin=MARGIN_X,
        topMargin=MARGIN_TOP,
        bottomMargin=MARGIN_BOTTOM,
        title=f"{t('title')} {evidence.certificate_id}",
        author=issuer.name or "Evidence Ledger",
        # The hash first: ledger-verify pdf reads the first "SHA-256 <hex>" of the subject,
        # and an envelope id is the platform's text.
        subject=f"{ATTACHMENT_NAME} SHA-256 {sha}; envelope {head_id}",
        creator="Evidence Ledger (reports)",
        # "PAdES B-LTA": the level the text states, for ledger-verify pdf to hold it to.
        keywords=[evidence.certificate_id, head_id, lang, f"PAdES {signing.level}"],
        lang="zh-CN" if lang == "zh" else "en",
    )
    doc.build(
        c.story,
        onFirstPage=first_page,
        onLaterPages=later_pages,
        canvasmaker=numbered_canvas(footer, sans),
    )
    return out.getvalue()
