"""The appendices: A, the inclusion proofs of the listed entries and the consistency
proof (points 15, 17); B, every check of the report (point 21), those of entries a long
envelope does not list counted by status.

An appendix starts on a new page only when less than a third of the page is left, so
that no page is left nearly empty by the break."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, KeepTogether, Spacer, Table, TableStyle

from reports.composer import Composer
from reports.layout import hash_text
from reports.page import BODY_HEIGHT, WIDTH
from reports.sections.verification import counts, detail

NEW_PAGE_BELOW = BODY_HEIGHT / 3


def proofs(c: Composer) -> None:  # points 15 and 17
    t, ev = c.t, c.ev
    size = ev.checkpoint.size if ev.checkpoint is not None else "?"
    c.add(CondPageBreak(NEW_PAGE_BELOW), c.block(t("h_appendix_a"), c.s.h2))
    c.add(c.block(t("ap_a_intro"), c.s.small), Spacer(1, 1.5 * mm))
    for e in c.listing.shown:
        head = t("ap_a_entry", seq=e.seq, size=size, n=len(e.inclusion))
        c.add(KeepTogether([c.block(head, c.s.small), hashes(c, e.inclusion)]))
    if not c.listing.complete:
        c.text(t("ap_a_not_listed", n=c.listing.hidden), c.s.muted)
    if ev.latest is not None:
        head = t("ap_a_consistency", old=size, new=ev.latest.size, n=len(ev.consistency))
        c.add(KeepTogether([c.block(head, c.s.h3), hashes(c, ev.consistency)]))


def hashes(c: Composer, values: Sequence[str]) -> Flowable:
    """Numbered hashes, one per line, as a table (drawn, not wrapped: fast)."""
    if not values:
        return c.block(c.t("ap_a_empty"), c.s.muted)
    table = Table(
        [[f"{n}.", hash_text(c.value(h, "id"), 8)] for n, h in enumerate(values, start=1)],
        colWidths=[8 * mm, WIDTH - 8 * mm],
        hAlign="LEFT",
    )
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), c.s.mono),
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


def checks(c: Composer) -> None:  # point 21
    t, report = c.t, c.ev.report
    c.add(CondPageBreak(NEW_PAGE_BELOW), c.block(t("h_appendix_b"), c.s.h2))
    intro = t("ap_b_intro", time=c.times.inline(c.issued_at))
    c.add(c.block(intro, c.s.small), Spacer(1, 1.5 * mm))
    listed = {e.seq for e in c.listing.shown}
    shown = [x for x in report.checks if x.seq is None or x.seq in listed or x.status == "fail"]
    rows: list[list[Any]] = [[t("b_no"), t("v_check"), t("e_seq"), t("v_status"), t("v_detail")]]
    numbers = {id(x): n for n, x in enumerate(report.checks, start=1)}
    for x in shown:
        seq = "" if x.seq is None else str(x.seq)
        rows.append([str(numbers[id(x)]), t.check(x.name), seq, t.status(x.status), detail(c, x)])
    statuses = c.status_colors(3, [x.status for x in shown])
    widths = [9 * mm, 30 * mm, 10 * mm, 19 * mm, WIDTH - 68 * mm]
    c.add(c.table(rows, widths, style=statuses))
    if len(shown) < len(report.checks):
        rest = [x for x in report.checks if x.seq is not None and x.seq not in listed]
        rest = [x for x in rest if x.status != "fail"]
        c.text(t("ap_b_not_listed", n=len(rest), counts=counts(c, rest)), c.s.muted)
