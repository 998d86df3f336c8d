"""Section 7: the verification result with its date and the checks in summary (point
21; every check in Appendix B), how to verify with ledger-verify and openssl (point 20),
the URL (22) and the embedded bundle (23)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

from reportlab.lib.units import mm
from reportlab.platypus import Spacer

from reports.composer import Composer
from reports.model import ATTACHMENT_NAME
from reports.page import WIDTH
from verifier.report import Check

PER_ENTRY = frozenset({"leaf", "commitment", "chain", "inclusion", "format"})  # chk_<name>
STEPS_LEDGER = ("v_step_pdf", "v_step_bundle")
STEPS_OPENSSL = (
    "v_step_leaf",
    "v_step_commitment",
    "v_step_chain",
    "v_step_inclusion",
    "v_step_note",
    "v_step_anchor",
    "v_step_pdfsig",
)


def verification(c: Composer) -> None:
    t, ev = c.t, c.ev
    report = ev.report
    c.h2(t("h_verification"))
    c.h3(t("v_result"))  # point 21
    head, tail = t("v_result_text", time=c.times.inline(c.issued_at), verdict="\0").split("\0")
    c.add(
        c.runs([(head, None), c.verdict(c.s.body.size), (tail, None)]),
        c.block(c.value(t.bottom_line(report), "detail"), c.s.small),
        Spacer(1, 1.5 * mm),
    )
    c.add(check_summary(c, report.checks))
    c.text(t("v_all_checks", n=len(report.checks)), c.s.muted)
    c.h3(t("v_howto"))  # point 20
    c.text(t("v_howto_tools"), c.s.small)
    c.text(t("v_howto_ledger"), c.s.small)
    for key in STEPS_LEDGER:
        c.text("• " + t(key), c.s.code)
    c.text(t("v_howto_openssl"), c.s.small)
    for key in STEPS_OPENSSL:
        c.text("• " + t(key), c.s.code)
    c.h3(t("v_online"))  # point 22
    head, tail = t("v_online_text", url="\0").split("\0")
    c.add(c.runs([(head, None), c.mono(c.url), (tail, None)]))
    if not c.issuer.public:
        c.text(t("s_not_public"), c.s.small)
    c.h3(t("v_attachment"))  # point 23
    sha = hashlib.sha256(ev.attachment).hexdigest()
    size = len(ev.attachment)
    c.text(t("v_attachment_text", name=ATTACHMENT_NAME, size=size, sha=sha))


def detail(c: Composer, check: Check) -> str:
    """A check's reason in the edition's words, visible and cut to its limit."""
    return c.value(c.t.detail(check), "detail")


def counts(c: Composer, checks: Sequence[Check]) -> str:
    """``20 pass, 1 FAIL``: how many checks have each status."""
    found: dict[str, int] = {}
    for check in checks:
        found[check.status] = found.get(check.status, 0) + 1
    separator = "，" if c.t.zh else ", "
    return separator.join(c.t("v_count", n=n, status=c.t.status(s)) for s, n in found.items())


def check_summary(c: Composer, checks: Sequence[Check]) -> Any:
    """Bundle-wide checks one by one; per-entry checks counted, with the first failure."""
    t = c.t
    rows: list[list[Any]] = [[t("v_check"), t("v_scope"), t("v_status"), t("v_detail")]]
    statuses: list[str] = []
    by_name: dict[str, list[Check]] = {}
    for check in checks:
        by_name.setdefault(check.name, []).append(check)
    for name, group in by_name.items():
        for check in (x for x in group if x.seq is None):
            scope = t("v_scope_bundle")
            rows.append([t.check(name), scope, t.status(check.status), detail(c, check)])
            statuses.append(check.status)
        per_entry = [x for x in group if x.seq is not None]
        if not per_entry:
            continue
        failed = [x for x in per_entry if x.status == "fail"]
        if failed:
            explain = t("v_failed_at", seq=failed[0].seq, detail=detail(c, failed[0]))
        else:
            explain = t(f"chk_{name}") if name in PER_ENTRY else ""
        scope = t("v_scope_entries", n=len(per_entry))
        rows.append([t.check(name), scope, counts(c, per_entry), explain])
        statuses.append("fail" if failed else "pass")
    widths = [36 * mm, 20 * mm, 24 * mm, WIDTH - 80 * mm]
    return c.table(rows, widths, style=c.status_colors(2, statuses))
