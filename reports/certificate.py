"""The certificate of evidence, laid out with reportlab Platypus.

``render(evidence, issuer, signing, lang=, tz=, issued_at=)`` returns the unsigned PDF;
``reports.issue`` embeds the bundle and signs it. The layout follows
``../shared/design/CERTIFICATE.md``: the comments ``point N`` mark where each of its 28
points is laid out (tests/reports/test_points.py checks each one in the text that
``pdftotext`` reads back).

Order: the first page summarises what, who, when and the verdict (with the QR code at a
fixed place, top right); then issuer and subject, process, the event table, signers,
the cryptographic proof, verification, the statements; the long proofs and the full
list of checks are appendices. Every page has the certificate id and "page x of y".
"""

from __future__ import annotations

import hashlib
import io
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from reports import fonts
from reports.model import ATTACHMENT_NAME, REASON_EVENTS, Entry, Evidence, key_algorithm
from reports.texts import Lang, Texts
from verifier.report import Check

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN_X = 16 * mm
MARGIN_TOP = 16 * mm
MARGIN_BOTTOM = 17 * mm
WIDTH = PAGE_WIDTH - 2 * MARGIN_X
QR_SIZE = 30 * mm  # the QR code, border included, at the first page's top right
QR_X = PAGE_WIDTH - MARGIN_X - QR_SIZE
QR_Y = PAGE_HEIGHT - MARGIN_TOP - QR_SIZE
QR_LEVEL = "M"
QR_BORDER = 4  # quiet zone, modules

INK = colors.HexColor("#1a1a1a")
MUTED = colors.HexColor("#555555")
RULE = colors.HexColor("#9a9a9a")
SHADE = colors.HexColor("#eeeeee")
ACCENT = colors.HexColor("#1f3a5f")
WARN = colors.HexColor("#a00000")
GOOD = colors.HexColor("#1b5e20")
STATUS_COLORS = {"pass": GOOD, "fail": WARN, "pending": ACCENT}
CELL, CELL_LEADING = 7.2, 9.2  # table text, points
MONO_SIZE = 6.5
PAD = 3  # cell padding left and right, points


@dataclass(frozen=True)
class IssuerInfo:
    """Who issues the certificate (settings ``LEDGER_ISSUER_*``) and with which certificate."""

    name: str
    address: str
    contact: str
    person: str
    person_title: str
    certificate: x509.Certificate  # the signing certificate
    development: bool  # the development issuer: NOT FOR EVIDENCE
    verify_url: str  # base URL; the certificate's URL is <base>/<certificate id>
    retention_years: int
    backend: str  # where the ledger keeps its data: "SQLite" or "PostgreSQL"
    max_skew: int  # seconds (LEDGER_TSA_MAX_SKEW)


@dataclass(frozen=True)
class Signing:
    """The PAdES level the signature will reach, and what it rests on."""

    level: str  # "B-LTA" or "B-B"
    tsa: str | None = None  # the TSA of the time-stamps (B-LTA)
    tsa_development: bool = False
    failure: str | None = None  # why B-B although a TSA is configured


def verify_url(issuer: IssuerInfo, certificate_id: str) -> str:
    return f"{issuer.verify_url}/{certificate_id}"


def hash_groups(value: str, per_line: int = 0) -> str:
    """A hex hash in groups of 8, escaped; ``per_line`` groups per line (0: one line)."""
    groups = [value[i : i + 8] for i in range(0, len(value), 8)]
    if not per_line:
        return escape(" ".join(groups))
    lines = [" ".join(groups[i : i + per_line]) for i in range(0, len(groups), per_line)]
    return "<br/>".join(escape(line) for line in lines)


class _Times:
    """Times with their zones: UTC always, the reader's zone when one was chosen."""

    def __init__(self, tz: ZoneInfo | None) -> None:
        self.tz = tz

    @staticmethod
    def _stamp(when: datetime, seconds_only: bool) -> str:
        text = when.strftime("%Y-%m-%d %H:%M:%S")
        return text if seconds_only else text + f".{when.microsecond // 1000:03d}"

    def utc(self, when: datetime | None, seconds_only: bool = False) -> str:
        if when is None:
            return "?"
        return self._stamp(when.astimezone(ZoneInfo("UTC")), seconds_only) + " UTC"

    def local(self, when: datetime | None, seconds_only: bool = False) -> str | None:
        if when is None or self.tz is None:
            return None
        return f"{self._stamp(when.astimezone(self.tz), seconds_only)} {self.tz.key}"

    def local_offset(self, when: datetime | None) -> str | None:
        """The reader's local time with its UTC offset (the zone is in the column head)."""
        if when is None or self.tz is None:
            return None
        local = when.astimezone(self.tz)
        offset = local.strftime("%z")
        return f"{self._stamp(local, False)} {offset[:3]}:{offset[3:]}"

    def inline(self, when: datetime | None, seconds_only: bool = True) -> str:
        """``2026-11-22 09:03:04 UTC (2026-11-22 17:03:04 Asia/Shanghai)``."""
        local = self.local(when, seconds_only)
        utc = self.utc(when, seconds_only)
        return f"{utc} ({local})" if local else utc

    def lines(self, when: datetime | None) -> list[str]:
        local = self.local(when)
        return [self.utc(when)] + ([local] if local else [])

    def offset(self, at: datetime) -> str:
        if self.tz is None:
            return "+00:00"
        text = at.astimezone(self.tz).strftime("%z")
        return f"{text[:3]}:{text[3:]}"


class _Styles:
    def __init__(self, lang: Lang) -> None:
        sans, mono = fonts.register()
        wrap = "CJK" if lang == "zh" else None
        base = ParagraphStyle(
            "base", fontName=sans, fontSize=8.6, leading=12, textColor=INK, wordWrap=wrap
        )
        self.sans, self.mono = sans, mono
        self.body = base
        self.small = ParagraphStyle("small", base, fontSize=7.4, leading=9.8)
        self.muted = ParagraphStyle("muted", self.small, textColor=MUTED)
        self.title = ParagraphStyle("title", base, fontSize=21, leading=26, textColor=ACCENT)
        self.subtitle = ParagraphStyle("subtitle", base, fontSize=9.5, leading=13, textColor=MUTED)
        self.h2 = ParagraphStyle(
            "h2",
            base,
            fontSize=12.5,
            leading=16,
            textColor=ACCENT,
            spaceBefore=10,
            spaceAfter=4,
        )
        self.h3 = ParagraphStyle(
            "h3", base, fontSize=9.6, leading=13, textColor=ACCENT, spaceBefore=6, spaceAfter=2
        )
        # Table cells wrap at spaces and split longer words (fast; CJK wrapping, which
        # may break between any two characters, costs 10x and is kept for prose).
        self.cell = ParagraphStyle("cell", base, fontSize=7.2, leading=9.2, wordWrap=None)
        self.cell_head = ParagraphStyle("cell_head", self.cell, textColor=ACCENT)
        self.code = ParagraphStyle(
            "code", base, fontName=mono, fontSize=6.9, leading=8.8, wordWrap="CJK"
        )  # notes and commands: break anywhere, like a terminal
        self.code_cell = ParagraphStyle("code_cell", self.code, fontSize=6.5, leading=8.4)
        self.warning = ParagraphStyle(
            "warning",
            base,
            fontSize=8.6,
            leading=11.5,
            textColor=WARN,
            borderColor=WARN,
            borderWidth=0.8,
            borderPadding=4,
            spaceBefore=4,
            spaceAfter=8,
        )
        self.verdict = ParagraphStyle("verdict", base, fontSize=10.5, leading=14)


def _numbered_canvas(footer: Callable[[Canvas, int, int], None], font: str) -> type[Canvas]:
    """A canvas that holds its pages back until the end, to write "page x of y"; its
    initial font (which reportlab selects on every page) is ours, not Helvetica, which
    would be a font the PDF does not embed."""

    class NumberedCanvas(Canvas):  # type: ignore[misc]  # reportlab is untyped
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            kwargs["initialFontName"] = font
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for number, state in enumerate(self._pages, start=1):
                self.__dict__.update(state)
                footer(self, number, total)
                super().showPage()
            super().save()

    return NumberedCanvas


class _Builder:
    """Builds the story (the flowables) of one edition."""

    def __init__(
        self,
        ev: Evidence,
        issuer: IssuerInfo,
        signing: Signing,
        lang: Lang,
        tz: ZoneInfo | None,
        issued_at: datetime,
    ) -> None:
        self.ev, self.issuer, self.signing = ev, issuer, signing
        self.t = Texts(lang)
        self.lang = lang
        self.s = _Styles(lang)
        self.times = _Times(tz)
        self.issued_at = issued_at
        self.url = verify_url(issuer, ev.certificate_id)
        self.story: list[Flowable] = []

    # --- small pieces -------------------------------------------------------------

    def p(self, text: str, style: ParagraphStyle | None = None) -> Paragraph:
        """A paragraph of plain text (escaped)."""
        return Paragraph(escape(text), style or self.s.body)

    def markup(self, markup: str, style: ParagraphStyle | None = None) -> Paragraph:
        return Paragraph(markup, style or self.s.body)

    def add(self, *flowables: Flowable) -> None:
        self.story.extend(flowables)

    def h2(self, text: str) -> None:
        self.add(CondPageBreak(40 * mm), self.p(text, self.s.h2))

    def h3(self, text: str) -> None:
        self.add(CondPageBreak(25 * mm), self.p(text, self.s.h3))

    def mono(self, text: str) -> str:
        return f'<font name="{self.s.mono}">{escape(text)}</font>'

    def or_missing(self, value: str, setting: str) -> str:
        return value or self.t("not_configured", setting=setting)

    def table(
        self,
        rows: Sequence[Sequence[Any]],
        widths: Sequence[float],
        header: bool = True,
        style: Iterable[tuple[Any, ...]] = (),
        mono: Sequence[int] = (),
    ) -> Table:
        """A table. Header cells are paragraphs. Body cells given as ``str`` are broken
        into lines here (``fit``) and drawn as plain text, in the monospaced face for the
        columns in ``mono``: an order of magnitude faster than a paragraph per cell.
        Flowables (``self.cell(text)``, markup) are laid out as themselves."""
        cells: list[list[Any]] = []
        for r, row in enumerate(rows):
            line: list[Any] = []
            for col, c in enumerate(row):
                if isinstance(c, str) and header and r == 0:
                    c = self.p(c, self.s.cell_head)
                elif isinstance(c, str):
                    font, size = (self.s.mono, MONO_SIZE) if col in mono else (self.s.sans, CELL)
                    c = fit(c, font, size, widths[col] - 2 * PAD)
                line.append(c)
            cells.append(line)
        table = Table(cells, colWidths=list(widths), repeatRows=1 if header else 0)
        first = 1 if header else 0
        commands: list[tuple[Any, ...]] = [
            ("FONTNAME", (0, 0), (-1, -1), self.s.sans),
            ("FONTSIZE", (0, 0), (-1, -1), CELL),
            ("LEADING", (0, 0), (-1, -1), CELL_LEADING),
            ("TEXTCOLOR", (0, 0), (-1, -1), INK),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LINEBELOW", (0, 0), (-1, -1), 0.25, RULE),
            ("LEFTPADDING", (0, 0), (-1, -1), PAD),
            ("RIGHTPADDING", (0, 0), (-1, -1), PAD),
            ("TOPPADDING", (0, 0), (-1, -1), 2),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
        ]
        for col in mono:
            commands += [
                ("FONTNAME", (col, first), (col, -1), self.s.mono),
                ("FONTSIZE", (col, first), (col, -1), MONO_SIZE),
                ("LEADING", (col, first), (col, -1), MONO_SIZE + 1.9),
            ]
        if header:
            commands += [
                ("BACKGROUND", (0, 0), (-1, 0), SHADE),
                ("LINEABOVE", (0, 0), (-1, 0), 0.6, ACCENT),
            ]
        table.setStyle(TableStyle([*commands, *style]))
        return table

    def status_colors(self, column: int, statuses: Sequence[str], first: int = 1) -> list[Any]:
        """Table commands colouring a column of status words (rows from ``first``)."""
        return [
            ("TEXTCOLOR", (column, row), (column, row), STATUS_COLORS.get(status, MUTED))
            for row, status in enumerate(statuses, start=first)
        ]

    def cell(self, text: str) -> Paragraph:
        """A table cell that wraps."""
        return Paragraph(escape(text), self.s.cell)

    def pairs(self, rows: Sequence[tuple[str, Any]], label_width: float = 38 * mm) -> Table:
        """A two-column table of labels and values (no header); values wrap."""
        return self.table(
            [[label, value] for label, value in rows],
            [label_width, WIDTH - label_width],
            header=False,
            style=[("TEXTCOLOR", (0, 0), (0, -1), ACCENT)],
        )

    def verdict_markup(self) -> str:
        report = self.ev.report
        word = self.t(f"verdict_{report.verdict}")
        color = {"valid": GOOD, "invalid": WARN, "pending": ACCENT}[report.verdict]
        return f'<font color="{color.hexval()}">{escape(word)}</font>'

    def rich(self, key: str, marked: dict[str, str], **plain: object) -> str:
        """The text of ``key``, escaped, with the ``marked`` values as markup."""
        tokens = {name: f"\x00{name}\x00" for name in marked}
        text = escape(self.t(key, **plain, **tokens))
        for name, markup in marked.items():
            text = text.replace(tokens[name], markup)
        return text

    def lines(self, *items: str | None) -> str:
        """Escaped lines of markup (empty items left out)."""
        return "<br/>".join(escape(i) for i in items if i)

    def count(self, key: str, n: int) -> str:
        return self.t(f"n_{key}", n=n) if n == 1 else self.t(f"n_{key}s", n=n)

    def who(self, e: Entry) -> str:
        if e.actor is not None:
            return e.actor.label
        return self.t("erased" if e.erased else "not_reported")

    # --- the story ----------------------------------------------------------------

    def build(self) -> list[Flowable]:
        self.first_page()
        self.issuer_section()
        self.subject_section()
        self.process_section()
        self.events_section()
        self.signers_section()
        self.proof_section()
        self.verification_section()
        self.statements_section()
        self.appendix_proofs()
        self.appendix_checks()
        return self.story

    def first_page(self) -> None:
        t, ev = self.t, self.ev
        title = [
            self.p(t("title"), self.s.title),
            self.p(t("subtitle"), self.s.subtitle),
            Spacer(1, 3 * mm),
            self.markup(f"{escape(t('s_id'))}: " + self.mono(ev.certificate_id), self.s.verdict),
        ]
        # The right column is kept free: the QR code is drawn there (first_page below).
        head = Table(
            [[title, ""]],
            colWidths=[WIDTH - QR_SIZE - 4 * mm, QR_SIZE + 4 * mm],
            rowHeights=[QR_SIZE],
        )
        head.setStyle(
            TableStyle(
                [
                    ("FONTNAME", (0, 0), (-1, -1), self.s.sans),  # never Helvetica
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LEFTPADDING", (0, 0), (-1, -1), 0),
                    ("TOPPADDING", (0, 0), (-1, -1), 0),
                ]
            )
        )
        self.add(head, Spacer(1, 3 * mm))
        if self.issuer.development:
            self.add(self.p(t("dev_issuer"), self.s.warning))
        if ev.development_tsa or self.signing.tsa_development:
            self.add(self.p(t("dev_tsa"), self.s.warning))
        self.summary()

    def summary(self) -> None:
        t, ev = self.t, self.ev
        who = [
            "{}{}{}".format(
                p.actor.label,
                f" <{p.actor.contact}>" if p.actor.contact and p.actor.name else "",
                f" ({', '.join(p.roles)})" if p.roles else "",
            )
            for p in ev.parties
        ]
        zone = (
            t("s_zone_tz", tz=self.times.tz.key) if self.times.tz is not None else t("s_zone_utc")
        )
        platform = [x for x in (e.platform_time for e in ev.entries) if x is not None]
        when = [
            t(
                "s_when_platform",
                first=self.times.inline(min(platform) if platform else None),
                last=self.times.inline(max(platform) if platform else None),
            ),
            t(
                "s_when_ledger",
                first=self.times.inline(ev.first_time),
                last=self.times.inline(ev.last_time),
            ),
        ]
        what = t(
            "s_what_text",
            envelope=ev.envelope_id,
            title=ev.title or t("not_reported"),
            tenant=ev.tenant,
            events=self.count("event", len(ev.entries)),
            documents=self.count("document", len(ev.documents)),
        )
        verdict = "<br/>".join(
            [
                self.verdict_markup(),
                escape(ev.report.bottom_line),
                escape(self.times.inline(self.issued_at)),
            ]
        )
        rows: list[tuple[str, Any]] = [
            (t("s_issued"), self.times.inline(self.issued_at)),
            (t("s_issuer"), self.or_missing(self.issuer.name, "LEDGER_ISSUER_NAME")),
            (t("s_what"), what),
            (t("s_who"), self.markup(self.lines(*who) or escape(t("none")), self.s.cell)),
            (t("s_when"), self.markup(self.lines(*when), self.s.cell)),
            (t("s_verdict"), self.markup(verdict, self.s.cell)),
            (t("s_pades"), t("st_pades_level", level=self.signing.level)),
            (t("s_verify"), self.markup(self.mono(self.url), self.s.cell)),  # point 22
            (t("s_zone"), zone),
            (t("s_edition"), t("s_edition_text")),  # point 27
        ]
        self.add(self.p(t("summary"), self.s.h3), self.pairs(rows, 30 * mm))

    # point 1
    def issuer_section(self) -> None:
        t, issuer = self.t, self.issuer
        self.h2(t("h_issuer"))
        self.add(
            self.pairs(
                [
                    (t("i_name"), self.or_missing(issuer.name, "LEDGER_ISSUER_NAME")),
                    (t("i_address"), self.or_missing(issuer.address, "LEDGER_ISSUER_ADDRESS")),
                    (t("i_contact"), self.or_missing(issuer.contact, "LEDGER_ISSUER_CONTACT")),
                    (t("i_role"), t("i_role_text")),
                ]
            )
        )

    # point 3
    def subject_section(self) -> None:
        t, ev = self.t, self.ev
        self.h2(t("h_subject"))
        self.add(
            self.pairs(
                [
                    (t("sub_envelope"), self.markup(self.mono(ev.envelope_id), self.s.cell)),
                    (t("sub_title"), ev.title or t("not_reported")),
                    (t("sub_tenant"), ev.tenant),
                    (t("sub_log"), f"{ev.origin} ({ev.hash_name})"),
                ]
            )
        )
        self.h3(t("sub_parties"))
        rows: list[list[Any]] = [[t("p_name"), t("p_contact"), t("p_role")]]
        for party in ev.parties:
            rows.append([party.actor.name or "", party.actor.contact, ", ".join(party.roles)])
        if len(rows) == 1:
            rows.append([t("not_reported"), "", ""])
        self.add(self.table(rows, [55 * mm, 80 * mm, WIDTH - 135 * mm]))
        self.h3(t("sub_documents"))
        if not ev.documents:
            self.add(self.p(t("d_none")))
            return
        rows = [[t("d_name"), t("d_size"), t("d_original"), t("d_final")]]
        for doc in ev.documents:
            sizes = f"{doc.original_size} → {doc.final_size}"
            rows.append(
                [doc.name, sizes, hash_text(doc.original_sha256), hash_text(doc.final_sha256)]
            )
        self.add(self.table(rows, [42 * mm, 26 * mm, 55 * mm, 55 * mm], mono=(2, 3)))
        self.add(self.p(t("d_note"), self.s.muted))

    # points 4, 5, 6
    def process_section(self) -> None:
        t, ev = self.t, self.ev
        self.h2(t("h_process"))
        self.h3(t("pr_channels"))  # point 4: how the events reached the ledger
        rows: list[list[Any]] = [[t("c_channel"), t("c_auth"), t("c_events")]]
        for channel, how, count in ev.channels():
            rows.append([channel, f"{how}: {t.authenticated(how)}", str(count)])
        self.add(self.table(rows, [45 * mm, 100 * mm, WIDTH - 145 * mm]))
        self.add(self.p(t("pr_channel_note"), self.s.muted))
        self.h3(t("pr_preserve"))  # point 4: how they are preserved
        self.add(self.p(t("pr_preserve_text")))
        self.h3(t("pr_clock"))  # point 5
        anchor_time = ev.anchor_time
        if anchor_time is not None:
            clock = t(
                "pr_clock_text",
                skew=self.issuer.max_skew,
                anchor_time=self.times.inline(anchor_time),
            )
        else:
            clock = t("pr_clock_pending")
        self.add(self.p(clock))
        self.h3(t("pr_zones"))  # point 6
        if self.times.tz is not None:
            zones = t("pr_zones_tz", tz=self.times.tz.key, offset=self.times.offset(self.issued_at))
        else:
            zones = t("pr_zones_utc")
        self.add(self.p(zones))

    # points 7, 8, 10, 13 (and 5: the two times apart)
    def events_section(self) -> None:
        t, ev = self.t, self.ev
        self.h2(t("h_events"))
        self.add(self.p(t("ev_intro", n=len(ev.entries)), self.s.small), Spacer(1, 2 * mm))
        time_head = t("e_time_tz", tz=self.times.tz.key) if self.times.tz else t("e_time")
        rows: list[list[Any]] = [
            [t("e_seq"), time_head, t("e_event"), t("e_actor"), t("e_net"), t("e_source")]
        ]
        for e in ev.entries:
            rows.append(self.event_row(e))
        widths = [10 * mm, 40 * mm, 29 * mm, 38 * mm, 38 * mm, WIDTH - 155 * mm]
        self.add(self.table(rows, widths))

    def event_row(self, e: Entry) -> list[Any]:
        t = self.t
        times = []
        for label, when in (("P", e.platform_time), ("L", e.ledger_time)):
            times.append(f"{label} {self.times.utc(when)}")
            local = self.times.local_offset(when)
            if local:
                times.append(f"   {local}")
        event = f"{t.event_type(e.type)}\n{e.type}"
        actor = e.actor
        if e.erased:
            who, net = t("erased"), ""
        else:
            details = [actor.name, actor.contact, actor.role] if actor else []
            if actor and actor.auth_method:
                details.append(t("e_auth_method", method=actor.auth_method))  # point 9
            who = "\n".join(x for x in details if x)
            addresses = [actor.ip, actor.user_agent] if actor else []
            net = "\n".join(x for x in addresses if x) or t("e_ip_none")
        source = e.leaf.source if e.leaf is not None else None
        how = f"{source.channel}\n{t.authenticated(source.authenticated)}" if source else "?"
        return [str(e.seq), "\n".join(times), event, who, net, how]

    # points 9, 11, 12
    def signers_section(self) -> None:
        t, ev = self.t, self.ev
        self.h2(t("h_signers"))
        self.h3(t("sg_signers"))  # point 9
        if ev.signers:
            rows: list[list[Any]] = [[t("sg_name"), t("sg_contact"), t("sg_auth"), t("sg_signed")]]
            for signer in ev.signers:
                signed = (
                    "\n".join(self.times.lines(signer.signed.platform_time))
                    if signer.signed is not None
                    else t("sg_not_signed")
                )
                auth = ", ".join(signer.auth_methods) or t("not_reported")
                rows.append([signer.actor.name or "", signer.actor.contact, auth, signed])
            self.add(self.table(rows, [36 * mm, 48 * mm, 44 * mm, WIDTH - 128 * mm]))
        else:
            self.add(self.p(t("sg_none")))
        self.h3(t("sg_consent"))  # point 11
        consents = [e for e in ev.entries if e.type == "recipient.consented"]
        for e in consents:
            when = self.times.inline(e.platform_time)
            self.add(self.p("• " + t("sg_consent_row", who=self.who(e), time=when, seq=e.seq)))
        if not consents:
            self.add(self.p(t("sg_consent_none")))
        self.h3(t("sg_reasons"))  # point 12
        ends = [e for e in ev.entries if e.type in REASON_EVENTS]
        for e in ends:
            row = t(
                "sg_reason_row",
                event=t.event_type(e.type),
                time=self.times.inline(e.platform_time),
                who=self.who(e),
                seq=e.seq,
                reason=e.reason or t("sg_reason_missing"),
            )
            self.add(self.p("• " + row))
        if not ends:
            self.add(self.p(t("sg_reasons_none")))

    # points 14, 15, 16, 17, 18, 19
    def proof_section(self) -> None:
        t, ev = self.t, self.ev
        size = ev.checkpoint.size if ev.checkpoint is not None else "?"
        self.h2(t("h_proofs"))
        self.h3(t("pf_entries"))  # points 14 and 19
        self.add(self.p(t("pf_intro"), self.s.small), Spacer(1, 1.5 * mm))
        rows: list[list[Any]] = [[t("pf_seq"), t("pf_leaf"), t("pf_chain"), t("pf_proof")]]
        for e in ev.entries:
            proof = t("pf_proof_cell", n=len(e.inclusion), size=size)
            rows.append([str(e.seq), hash_text(e.leaf_hash), hash_text(e.chain), proof])
        widths = [12 * mm, 58 * mm, 58 * mm, WIDTH - 128 * mm]
        self.add(self.table(rows, widths, mono=(1, 2)))
        self.h3(t("pf_inclusion"))  # point 15
        self.add(self.p(t("pf_inclusion_text", size=size)))
        self.h3(t("pf_checkpoint"))  # point 16
        self.add(self.p(t("pf_checkpoint_text"), self.s.small), self.note(ev.note))
        key = ev.signing_key
        if key is not None:
            self.add(
                self.p(t("pf_key"), self.s.small),
                self.markup(escape(key.vkey), self.s.code),
                self.p(t("pf_key_name", name=key.name, id=key.key_id), self.s.small),
            )
        self.h3(t("pf_consistency"))  # point 17
        if ev.latest is not None and ev.latest_note:
            self.add(
                self.p(
                    t("pf_consistency_text", new=ev.latest.size, old=size, n=len(ev.consistency))
                ),
                self.note(ev.latest_note),
            )
        elif ev.status == "pending":
            self.add(self.p(t("pf_consistency_pending")))
        else:
            self.add(self.p(t("pf_consistency_none")))
        self.anchors()

    def anchors(self) -> None:  # point 18
        t, ev = self.t, self.ev
        heading = [self.p(t("pf_anchors"), self.s.h3)]
        if not ev.anchors:
            self.add(KeepTogether([*heading, self.p(t("pf_anchors_none"))]))
            return
        heading.append(self.p(t("pf_anchors_text"), self.s.small))
        for anchor in ev.anchors:
            facts = anchor.facts
            rows: list[tuple[str, Any]] = [(t("a_url"), anchor.tsa)]
            if facts is None:
                rows.append((t("a_tsa"), t("a_unverified", reason=anchor.error or "?")))
            else:
                name = facts.tsa_name + (f" ({t('a_dev')})" if anchor.development else "")
                accuracy = (
                    t("a_accuracy_value", seconds=f"{facts.accuracy:g}")
                    if facts.accuracy is not None
                    else t("not_reported")
                )
                rows += [
                    (t("a_tsa"), name),
                    (t("a_serial"), str(facts.serial_number)),
                    (t("a_gen_time"), self.times.inline(facts.gen_time)),
                    (t("a_policy"), facts.policy),
                    (t("a_hash"), facts.hash_algorithm),
                    (t("a_accuracy"), accuracy),
                    (t("a_chain"), self.markup(self.lines(*facts.chain), self.s.cell)),
                    (t("a_valid_until"), self.times.inline(anchor.tsa_not_after)),
                ]
            self.add(KeepTogether([*heading, self.pairs(rows), Spacer(1, 2 * mm)]))
            heading = []

    def note(self, text: str) -> Flowable:
        """A signed note, verbatim: one monospaced line per line, wrapped anywhere."""
        lines = text.rstrip("\n").split("\n")
        markup = "<br/>".join(escape(line) if line else "&nbsp;" for line in lines)
        box = Table([[self.markup(markup, self.s.code)]], colWidths=[WIDTH])
        box.setStyle(
            TableStyle(
                [
                    ("FONTNAME", (0, 0), (-1, -1), self.s.mono),
                    ("BOX", (0, 0), (-1, -1), 0.4, RULE),
                    ("BACKGROUND", (0, 0), (-1, -1), colors.HexColor("#f7f7f7")),
                    ("LEFTPADDING", (0, 0), (-1, -1), 4),
                ]
            )
        )
        return box

    # points 20, 21, 22, 23
    def verification_section(self) -> None:
        t, ev = self.t, self.ev
        report = ev.report
        self.h2(t("h_verification"))
        self.h3(t("v_result"))  # point 21
        self.add(
            self.markup(
                self.rich(
                    "v_result_text",
                    {"verdict": self.verdict_markup()},
                    time=self.times.inline(self.issued_at),
                )
            ),
            self.p(report.bottom_line, self.s.small),
            Spacer(1, 1.5 * mm),
        )
        self.add(self.check_summary(report.checks))
        self.add(self.p(t("v_all_checks", n=len(report.checks)), self.s.muted))
        self.h3(t("v_howto"))  # point 20
        self.add(self.p(t("v_howto_tools"), self.s.small))
        self.add(self.p(t("v_howto_ledger"), self.s.small))
        for key in ("v_step_pdf", "v_step_bundle"):
            self.add(self.markup("• " + escape(t(key)), self.s.code))
        self.add(self.p(t("v_howto_openssl"), self.s.small))
        for key in (
            "v_step_leaf",
            "v_step_commitment",
            "v_step_chain",
            "v_step_inclusion",
            "v_step_note",
            "v_step_anchor",
            "v_step_pdfsig",
        ):
            self.add(self.markup("• " + escape(t(key)), self.s.code))
        self.h3(t("v_online"))  # point 22
        self.add(self.markup(self.rich("v_online_text", {"url": self.mono(self.url)})))
        self.h3(t("v_attachment"))  # point 23
        sha = hashlib.sha256(ev.attachment).hexdigest()
        self.add(
            self.p(t("v_attachment_text", name=ATTACHMENT_NAME, size=len(ev.attachment), sha=sha))
        )

    def check_summary(self, checks: Sequence[Check]) -> Table:
        """Bundle-wide checks one by one; per-entry checks counted, with any failure."""
        t = self.t
        rows: list[list[Any]] = [[t("v_check"), t("v_scope"), t("v_status"), t("v_detail")]]
        statuses: list[str] = []
        for name in dict.fromkeys(c.name for c in checks):
            group = [c for c in checks if c.name == name]
            for c in group:
                if c.seq is None:
                    scope = t("v_scope_bundle")
                    rows.append([t.check(c.name), scope, t.status(c.status), detail(c)])
                    statuses.append(c.status)
            per_entry = [c for c in group if c.seq is not None]
            if not per_entry:
                continue
            counts: dict[str, int] = {}
            for c in per_entry:
                counts[c.status] = counts.get(c.status, 0) + 1
            result = ", ".join(f"{n} {t.status(s)}" for s, n in counts.items())
            failed = [c for c in per_entry if c.status == "fail"]
            explain = f"seq {failed[0].seq}: {detail(failed[0])}" if failed else t(f"chk_{name}")
            rows.append([t.check(name), t("v_scope_entries", n=len(per_entry)), result, explain])
            statuses.append("fail" if failed else "pass")
        widths = [36 * mm, 20 * mm, 24 * mm, WIDTH - 80 * mm]
        return self.table(rows, widths, style=self.status_colors(2, statuses))

    # points 2, 24, 25, 26, 27, 28
    def statements_section(self) -> None:
        t, issuer = self.t, self.issuer
        self.h2(t("h_statements"))
        self.declaration()  # point 2
        self.h3(t("st_retention"))  # point 24
        address = f" ({issuer.address})" if issuer.address else ""
        name = self.or_missing(issuer.name, "LEDGER_ISSUER_NAME")
        self.add(
            self.p(
                t(
                    "st_retention_text",
                    years=issuer.retention_years,
                    backend=issuer.backend,
                    issuer=name,
                    address=address,
                )
            )
        )
        self.h3(t("st_scope"))  # point 25
        self.add(self.p(t("st_scope_text")))
        self.pades()  # point 26
        self.long_term()  # point 28
        self.h3(t("st_edition"))  # point 27
        self.add(self.p(t("st_edition_text")))

    def declaration(self) -> None:  # point 2
        t, issuer = self.t, self.issuer
        person = self.or_missing(issuer.person, "LEDGER_ISSUER_PERSON")
        title = self.or_missing(issuer.person_title, "LEDGER_ISSUER_PERSON_TITLE")
        name = self.or_missing(issuer.name, "LEDGER_ISSUER_NAME")
        date = self.issued_at.astimezone(ZoneInfo("UTC")).strftime("%Y-%m-%d") + " (UTC)"
        signature = Table(
            [
                [self.p(t("st_signature_line")), self.p(t("st_date", date=date))],
                [self.p(t("st_name", person=person)), self.p(t("st_title", title=title))],
            ],
            colWidths=[WIDTH * 0.55, WIDTH * 0.45],
        )
        signature.setStyle(
            TableStyle(
                [("FONTNAME", (0, 0), (-1, -1), self.s.sans), ("TOPPADDING", (0, 0), (-1, 0), 14)]
            )
        )
        text = t("st_declaration_text", person=person, title=title, issuer=name)
        self.add(KeepTogether([self.p(t("st_declaration"), self.s.h3), self.p(text), signature]))

    def pades(self) -> None:  # point 26
        t, issuer = self.t, self.issuer
        self.h3(t("st_pades"))
        algorithm = key_algorithm(issuer.certificate)
        if self.signing.level == "B-LTA":
            text = t("st_pades_lta", algorithm=algorithm, tsa=self.signing.tsa or "?")
        else:
            why = (
                t("st_pades_tsa_failed", reason=self.signing.failure)
                if self.signing.failure
                else t("st_pades_no_tsa")
            )
            text = t("st_pades_b", algorithm=algorithm, why=why)
        self.add(self.p(text))
        self.add(self.markup(f"<b>{escape(t('st_pades_level', level=self.signing.level))}</b>"))
        cert = issuer.certificate
        fingerprint = cert.fingerprint(hashes.SHA256()).hex()
        self.add(
            self.p(t("st_signer"), self.s.small),
            self.markup(
                self.rich(
                    "st_signer_text",
                    {"fp": hash_groups(fingerprint)},
                    subject=cert.subject.rfc4514_string(),
                    issuer=cert.issuer.rfc4514_string(),
                    start=self.times.utc(cert.not_valid_before_utc, True),
                    end=self.times.utc(cert.not_valid_after_utc, True),
                ),
                self.s.small,
            ),
        )

    def long_term(self) -> None:  # point 28
        t, ev = self.t, self.ev
        self.h3(t("st_longterm"))
        algorithm = key_algorithm(self.issuer.certificate)
        anchor_algs = sorted(
            {
                f"{a.facts.hash_algorithm.upper()}, {a.signer_algorithm}"
                for a in ev.anchors
                if a.facts is not None and a.signer_algorithm
            }
        )
        anchors = "; ".join(anchor_algs) or t("none")
        rows: list[list[Any]] = [
            [t("la_use"), t("la_algorithm")],
            [t("la_leaf"), t("la_leaf_alg", hash=ev.hash_name)],
            [t("la_commit"), t("la_commit_alg", hash=ev.hash_name)],
            [t("la_note"), t("la_note_alg")],
            [t("la_anchor"), t("la_anchor_alg", algs=anchors)],
            [t("la_pdf"), t("la_pdf_alg", level=self.signing.level, algorithm=algorithm)],
        ]
        self.add(self.table(rows, [50 * mm, WIDTH - 50 * mm]))
        ends = [a.tsa_not_after for a in ev.anchors if a.tsa_not_after is not None]
        tsa_end = self.times.utc(min(ends), True) if ends else t("none")
        self.add(Spacer(1, 1.5 * mm), self.p(t("st_renewal_text", tsa_end=tsa_end)))

    # point 15 (the long proofs) and 17
    def appendix_proofs(self) -> None:
        t, ev = self.t, self.ev
        size = ev.checkpoint.size if ev.checkpoint is not None else "?"
        self.add(PageBreak(), self.p(t("h_appendix_a"), self.s.h2))
        self.add(self.p(t("ap_a_intro"), self.s.small), Spacer(1, 1.5 * mm))
        for e in ev.entries:
            head = t("ap_a_entry", seq=e.seq, size=size, n=len(e.inclusion))
            self.add(KeepTogether([self.p(head, self.s.small), self.proof(e.inclusion)]))
        if ev.latest is not None:
            head = t("ap_a_consistency", old=size, new=ev.latest.size, n=len(ev.consistency))
            self.add(KeepTogether([self.p(head, self.s.h3), self.proof(ev.consistency)]))

    def proof(self, hashes_: Sequence[str]) -> Flowable:
        """Numbered hashes, one per line, as a table (drawn, not wrapped: fast)."""
        if not hashes_:
            return self.p(self.t("ap_a_empty"), self.s.muted)
        table = Table(
            [[f"{n}.", hash_text(h, 8)] for n, h in enumerate(hashes_, start=1)],
            colWidths=[8 * mm, WIDTH - 8 * mm],
            hAlign="LEFT",
        )
        table.setStyle(
            TableStyle(
                [
                    ("FONTNAME", (0, 0), (-1, -1), self.s.mono),
                    ("FONTSIZE", (0, 0), (-1, -1), 6.9),
                    ("LEADING", (0, 0), (-1, -1), 8.4),
                    ("ALIGN", (0, 0), (0, -1), "RIGHT"),
                    ("TOPPADDING", (0, 0), (-1, -1), 0),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 0.6),
                    ("LEFTPADDING", (0, 0), (-1, -1), 2),
                    ("BOTTOMPADDING", (0, -1), (-1, -1), 4),
                ]
            )
        )
        return table

    # point 21 (every check)
    def appendix_checks(self) -> None:
        t, report = self.t, self.ev.report
        self.add(PageBreak(), self.p(t("h_appendix_b"), self.s.h2))
        self.add(
            self.p(t("ap_b_intro", time=self.times.inline(self.issued_at)), self.s.small),
            Spacer(1, 1.5 * mm),
        )
        rows: list[list[Any]] = [
            [t("b_no"), t("v_check"), t("e_seq"), t("v_status"), t("v_detail")]
        ]
        for n, c in enumerate(report.checks, start=1):
            seq = "" if c.seq is None else str(c.seq)
            rows.append([str(n), t.check(c.name), seq, t.status(c.status), detail(c)])
        statuses = self.status_colors(3, [c.status for c in report.checks])
        widths = [9 * mm, 30 * mm, 10 * mm, 19 * mm, WIDTH - 68 * mm]
        self.add(self.table(rows, widths, style=statuses))


def qr_modules(value: str) -> list[list[bool]]:
    """The QR code of ``value`` (reportlab's encoder, level M): rows of dark modules."""
    qr = QrCodeWidget(value, barLevel=QR_LEVEL).qr
    qr.make()
    return [[bool(m) for m in row] for row in qr.modules]


def draw_qr(canvas: Canvas, value: str, x: float, y: float, size: float) -> None:
    """The QR code with a quiet zone of 4 modules, ``size`` points square, drawn as one
    rectangle per run of dark modules (reportlab's widget draws through its graphics
    layer, 0.1 s per code)."""
    modules = qr_modules(value)
    count = len(modules)
    box = size / (count + 2 * QR_BORDER)
    canvas.saveState()
    canvas.setFillColor(colors.black)
    for r, row in enumerate(modules):
        top = y + size - (r + QR_BORDER + 1) * box
        c = 0
        while c < count:
            if not row[c]:
                c += 1
                continue
            start = c
            while c < count and row[c]:
                c += 1
            canvas.rect(x + (start + QR_BORDER) * box, top, (c - start) * box, box, 0, 1)
    canvas.restoreState()


def fit(text: str, font: str, size: float, width: float) -> str:
    """``text`` broken into lines no wider than ``width`` points: at spaces, and inside
    a word only where the word alone is wider (long ids, user agents, Chinese text)."""

    def wide(s: str) -> float:
        return float(stringWidth(s, font, size))

    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for word in paragraph.split(" "):
            candidate = f"{line} {word}" if line else word
            if wide(candidate) <= width:
                line = candidate
                continue
            if line:
                lines.append(line)
            while wide(word) > width and len(word) > 1:
                cut = 1
                while cut < len(word) and wide(word[: cut + 1]) <= width:
                    cut += 1
                lines.append(word[:cut])
                word = word[cut:]
            line = word
        lines.append(line)
    return "\n".join(lines)


def hash_text(value: str, per_line: int = 4) -> str:
    """A hex hash as plain text for a table cell: groups of 8, ``per_line`` to a line."""
    groups = [value[i : i + 8] for i in range(0, len(value), 8)]
    return "\n".join(" ".join(groups[i : i + per_line]) for i in range(0, len(groups), per_line))


def detail(check: Check) -> str:
    """A check's reason, with what was expected and found when it failed."""
    if check.expected is None and check.actual is None:
        return check.reason
    return f"{check.reason} (expected {check.expected}, found {check.actual})"


def render(
    evidence: Evidence,
    issuer: IssuerInfo,
    signing: Signing,
    *,
    lang: Lang = "en",
    tz: ZoneInfo | None = None,
    issued_at: datetime,
) -> bytes:
    """The unsigned certificate PDF of one edition.

    One at a time per process: reportlab's TrueType fonts keep their subsetting state in
    the shared font objects, and the service's workers run requests in threads.
    """
    with _RENDERING:
        return _render(evidence, issuer, signing, lang=lang, tz=tz, issued_at=issued_at)


_RENDERING = threading.Lock()


def _render(
    evidence: Evidence,
    issuer: IssuerInfo,
    signing: Signing,
    *,
    lang: Lang,
    tz: ZoneInfo | None,
    issued_at: datetime,
) -> bytes:
    builder = _Builder(evidence, issuer, signing, lang, tz, issued_at)
    story = builder.build()
    t = builder.t
    footer_text = t("footer", id=evidence.certificate_id)
    url = builder.url
    sans, mono = builder.s.sans, builder.s.mono
    development = issuer.development or evidence.development_tsa or signing.tsa_development

    def footer(canvas: Canvas, page: int, pages: int) -> None:  # point 27: id, page x of y
        canvas.saveState()
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.4)
        canvas.line(MARGIN_X, MARGIN_BOTTOM - 4 * mm, PAGE_WIDTH - MARGIN_X, MARGIN_BOTTOM - 4 * mm)
        canvas.setFillColor(MUTED)
        canvas.setFont(sans, 7.5)
        canvas.drawString(MARGIN_X, MARGIN_BOTTOM - 8 * mm, footer_text)
        canvas.drawRightString(
            PAGE_WIDTH - MARGIN_X, MARGIN_BOTTOM - 8 * mm, t("page", page=page, pages=pages)
        )
        if development:
            canvas.setFillColor(WARN)
            canvas.drawCentredString(PAGE_WIDTH / 2, MARGIN_BOTTOM - 11.5 * mm, "NOT FOR EVIDENCE")
        canvas.restoreState()

    def first_page(canvas: Canvas, _doc: Any) -> None:  # point 22: the QR code
        draw_qr(canvas, url, QR_X, QR_Y, QR_SIZE)

    def later_pages(canvas: Canvas, _doc: Any) -> None:
        canvas.saveState()
        canvas.setFillColor(MUTED)
        canvas.setFont(sans, 7.5)
        canvas.drawString(MARGIN_X, PAGE_HEIGHT - 10 * mm, t("title"))
        canvas.setFont(mono, 7.5)
        canvas.drawRightString(
            PAGE_WIDTH - MARGIN_X, PAGE_HEIGHT - 10 * mm, evidence.envelope_id[:80]
        )
        canvas.restoreState()

    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=MARGIN_X,
        rightMargin=MARGIN_X,
        topMargin=MARGIN_TOP,
        bottomMargin=MARGIN_BOTTOM,
        title=f"{t('title')} {evidence.certificate_id}",
        author=issuer.name or "Evidence Ledger",
        subject=f"envelope {evidence.envelope_id}; {ATTACHMENT_NAME} SHA-256 "
        + hashlib.sha256(evidence.attachment).hexdigest(),
        creator="Evidence Ledger (reports)",
        keywords=[evidence.certificate_id, evidence.envelope_id, lang],
        lang="zh-CN" if lang == "zh" else "en",
    )
    doc.build(
        story,
        onFirstPage=first_page,
        onLaterPages=later_pages,
        canvasmaker=_numbered_canvas(footer, sans),
    )
    return out.getvalue()
