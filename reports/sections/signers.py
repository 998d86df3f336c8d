"""Section 5: signers with their authentication and signature type (point 9), the
recipients as the platform reported them, consent (point 11), and declines, voids and
expiry with their reasons (point 12)."""

from __future__ import annotations

from typing import Any

from reportlab.lib.units import mm

from reports import facts
from reports.composer import Composer
from reports.limits import LISTS
from reports.model import REASON_EVENTS
from reports.page import WIDTH


def signers(c: Composer) -> None:
    t = c.t
    c.h2(t("h_signers"))
    signer_table(c)
    recipients(c)
    consents(c)
    ends(c)


def signer_table(c: Composer) -> None:  # point 9
    t, ev = c.t, c.ev
    c.h3(t("sg_signers"))
    if not ev.signers:
        c.text(t("sg_none"))
        return
    kinds: dict[tuple[str | None, ...], list[str]] = {}
    for e in ev.entries:
        kind = facts.signature_type(e)
        if e.actor is not None and kind:
            found = kinds.setdefault(e.actor.key, [])
            if kind not in found:
                found.append(kind)
    rows: list[list[Any]] = [
        [t("sg_name"), t("sg_contact"), t("sg_auth"), t("sg_sigtype"), t("sg_signed")]
    ]
    for signer in ev.signers[: LISTS["signers"]]:
        signed = (
            "\n".join(c.times.lines(signer.signed.platform_time))
            if signer.signed is not None
            else t("sg_not_signed")
        )
        methods = [t.auth_method(c.value(m, "auth_method")) for m in signer.auth_methods]
        types = [c.value(k, "signature_type") for k in kinds.get(signer.actor.key, [])]
        actor = signer.actor
        rows.append(
            [
                c.value(actor.name, "name"),
                c.contact(actor.email, actor.phone),
                ", ".join(methods) or t("not_reported"),
                ", ".join(types) or t("not_reported"),
                signed,
            ]
        )
    c.add(c.table(rows, [34 * mm, 44 * mm, 36 * mm, 26 * mm, WIDTH - 140 * mm]))
    more = c.more(len(ev.signers), "signers")
    if more:
        c.text(more, c.s.muted)


def recipients(c: Composer) -> None:
    """Every recipient as the platforms' deliveries listed them (``data.recipients``)."""
    t = c.t
    c.h3(t("sg_recipients"))
    people, seqs = facts.recipients(c.ev.entries)
    if not people:
        c.text(t("sg_recipients_none"))
        return
    listed = ", ".join(str(s) for s in seqs[:20]) + (", …" if len(seqs) > 20 else "")
    reports = (
        t("r_reports_one", seqs=listed)
        if len(seqs) == 1
        else t("r_reports_many", n=len(seqs), seqs=listed)
    )
    c.text(t("sg_recipients_text", reports=reports), c.s.small)
    rows: list[list[Any]] = [
        [t("r_name"), t("r_contact"), t("r_role"), t("r_auth"), t("r_status"), t("r_times")]
    ]
    for person in people[: LISTS["recipients"]]:
        v = person.values
        times = [
            f"{t.recipient_time(c.value(n, 'field'))} {c.when(w)}" for n, w in person.times.items()
        ]
        rows.append(
            [
                c.value(v.get("name"), "name"),
                c.contact(v.get("email"), v.get("phone")),
                t.role(c.value(v["role"], "role")) if "role" in v else "",
                t.auth_method(c.value(v["auth_method"], "auth_method"))
                if "auth_method" in v
                else "",
                t.recipient_status(c.value(v["status"], "status")) if "status" in v else "",
                "\n".join(times),
            ]
        )
    widths = [28 * mm, 38 * mm, 20 * mm, 24 * mm, 18 * mm, WIDTH - 128 * mm]
    c.add(c.table(rows, widths))
    more = c.more(len(people), "recipients")
    if more:
        c.text(more, c.s.muted)


def consents(c: Composer) -> None:  # point 11
    t = c.t
    c.h3(t("sg_consent"))
    found = [e for e in c.ev.entries if e.type == "recipient.consented"]
    for e in found[: LISTS["consents"]]:
        when = c.times.inline(e.platform_time)
        c.text("• " + t("sg_consent_row", who=c.who(e), time=when, seq=e.seq))
    more = c.more(len(found), "consents")
    if more:
        c.text(more, c.s.muted)
    if not found:
        c.text(t("sg_consent_none"))


def ends(c: Composer) -> None:  # point 12
    t = c.t
    c.h3(t("sg_reasons"))
    found = [e for e in c.ev.entries if e.type in REASON_EVENTS]
    for e in found[: LISTS["reasons"]]:
        row = t(
            "sg_reason_row",
            event=t.event_type(e.type),
            time=c.times.inline(e.platform_time),
            who=c.who(e),
            seq=e.seq,
            reason=c.value(e.reason, "reason") or t("sg_reason_missing"),
        )
        c.text("• " + row)
    more = c.more(len(found), "reasons")
    if more:
        c.text(more, c.s.muted)
    if not found:
        c.text(t("sg_reasons_none"))
