"""The first page: title, certificate id, the QR code's place, warnings and the summary
(what, who, when, the verdict, time findings, the PDF's level, where to verify, zones,
edition): points 22, 26 and 27 of docs/certificate.md, and the summary of the rest."""

from __future__ import annotations

from typing import Any

from reportlab.lib.units import mm
from reportlab.platypus import Spacer, Table, TableStyle

from reports.composer import Composer
from reports.layout import CELL
from reports.limits import LISTS
from reports.lines import Face
from reports.page import QR_SIZE, WIDTH
from reports.sections.parties import party_label
from verifier.plausibility import AFTER_RECEIPT, OUT_OF_ORDER


def first_page(c: Composer) -> None:
    t, ev = c.t, c.ev
    title = [
        c.block(t("title"), c.s.title),
        c.block(t("subtitle"), c.s.subtitle),
        Spacer(1, 3 * mm),
        c.runs(
            [(t("s_id") + t("colon"), None), (ev.certificate_id, Face(c.s.mono, c.s.verdict.size))],
            c.s.verdict,
        ),
    ]
    # The right column is kept free: the QR code is drawn there (reports.certificate).
    head = Table(
        [[title, ""]],
        colWidths=[WIDTH - QR_SIZE - 4 * mm, QR_SIZE + 4 * mm],
        rowHeights=[QR_SIZE],
    )
    head.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), c.s.sans),  # never Helvetica
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    c.add(head, Spacer(1, 3 * mm))
    if c.issuer.development:
        c.warning(t("dev_issuer"))
    if ev.development_tsa or c.signing.tsa_development:
        c.warning(t("dev_tsa"))
    summary(c)


def summary(c: Composer) -> None:
    t = c.t
    rows: list[tuple[str, Any]] = [
        (t("s_issued"), c.times.inline(c.issued_at)),
        (t("s_issuer"), c.or_missing(c.issuer.name, "LEDGER_ISSUER_NAME")),
        (t("s_what"), what(c)),
    ]
    listing = c.listing
    if not listing.complete:
        text = t(
            "s_listing_text", shown=len(listing.shown), total=listing.total, hidden=listing.hidden
        )
        rows.append((t("s_listing"), text))
    rows += [
        (t("s_who"), who(c)),
        (t("s_when"), "\n".join(when(c))),
        (t("s_verdict"), verdict(c)),
        (t("s_flags"), flags(c)),
        (t("s_pades"), t("st_pades_level", level=c.signing.level)),
        (t("s_verify"), verify_online(c)),  # point 22
        (t("s_zone"), zone(c)),
        (t("s_edition"), t("s_edition_text")),  # point 27
    ]
    c.add(c.block(t("summary"), c.s.h3), c.pairs(rows, 30 * mm))


def verify_online(c: Composer) -> Any:
    """The verification page's address; without a public URL, that it is not public."""
    if c.issuer.public:
        return c.runs([c.mono(c.url)], c.s.cell)
    return c.runs([c.mono(c.url), (" " + c.t("s_not_public"), None)], c.s.cell)


def what(c: Composer) -> str:
    t, ev = c.t, c.ev
    return t(
        "s_what_text",
        envelope=c.value(ev.envelope_id, "id"),
        title=c.value(ev.title, "title") or t("not_reported"),
        tenant=c.value(ev.tenant, "tenant"),
        events=t.count("event", len(ev.entries)),
        documents=t.count("document", len(ev.documents)),
    )


def who(c: Composer) -> str:
    parties = c.ev.parties
    lines = [party_label(c, p) for p in parties[: LISTS["summary_parties"]]]
    hidden = len(parties) - len(lines)
    if hidden > 0:
        lines.append(c.t("s_who_more", n=hidden))
    return "\n".join(lines) or c.t("none")


def when(c: Composer) -> list[str]:
    t, ev, times = c.t, c.ev, c.times
    platform = [x for x in (e.platform_time for e in ev.entries) if x is not None]
    return [
        t(
            "s_when_platform",
            first=times.inline(min(platform) if platform else None),
            last=times.inline(max(platform) if platform else None),
        ),
        t("s_when_ledger", first=times.inline(ev.first_time), last=times.inline(ev.last_time)),
    ]


def verdict(c: Composer) -> Any:
    bottom = c.value(c.t.bottom_line(c.ev.report), "detail")
    return c.runs(
        [c.verdict(CELL), ("\n" + bottom + "\n" + c.times.inline(c.issued_at), None)], c.s.cell
    )


def flags(c: Composer) -> Any:
    """How many events carry a time finding, of which kinds; or that none does."""
    t = c.t
    if not c.flags:
        return t("s_flags_none", skew=c.issuer.clock_skew)
    kinds = []
    for code, key in ((AFTER_RECEIPT, "after_receipt"), (OUT_OF_ORDER, "out_of_order")):
        n = sum(1 for found in c.flags.values() if any(f.code == code for f in found))
        if n:
            kinds.append(t(f"s_flags_kind_{key}", n=n))
    text = t(
        "s_flags_text",
        n=len(c.flags),
        total=len(c.ev.entries),
        kinds=t("list_sep").join(kinds),
    )
    return c.flagged(text)


def zone(c: Composer) -> str:
    tz = c.times.tz
    return c.t("s_zone_tz", tz=tz.key) if tz is not None else c.t("s_zone_utc")
