"""Section 4: the events, in the order the ledger received them (points 7, 8, 10, 13,
and 5: the two times apart), each with the facts its platform reported and, in red, any
finding about its times. A long envelope lists its first and last events and those with
a finding; a row says which seqs are left out (they are in the attached bundle)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from reportlab.lib.units import mm
from reportlab.platypus import Spacer

from reports import facts
from reports.composer import Composer
from reports.entries import Entry
from reports.layout import Wide
from reports.limits import LISTS
from reports.page import MUTED, WARN, WIDTH

WIDTHS = [10 * mm, 40 * mm, 29 * mm, 38 * mm, 38 * mm, WIDTH - 155 * mm]
KNOWN_REASONS = ("decline_reason", "void_reason", "expiry_reason")


def events(c: Composer) -> None:
    t, listing = c.t, c.listing
    c.h2(t("h_events"))
    if listing.complete:
        intro = t("ev_intro", n=listing.total)
    else:
        intro = t(
            "ev_intro_some",
            n=listing.total,
            shown=len(listing.shown),
            head=listing.head,
            tail=listing.tail,
            hidden=listing.hidden,
        )
    c.add(c.block(intro, c.s.small), Spacer(1, 2 * mm))
    time_head = t("e_time_tz", tz=c.times.tz.key) if c.times.tz else t("e_time")
    rows: list[Any] = [
        [t("e_seq"), time_head, t("e_event"), t("e_actor"), t("e_net"), t("e_source")]
    ]
    for e, gap in gap_rows(c):
        if gap is not None:
            rows.append(Wide(gap, 0, MUTED, keep=False))
        rows.append(event_row(c, e))
        notes = reported(c, e)
        if notes:
            rows.append(Wide("\n".join(notes)))
        for flag in c.flags.get(e.seq, ()):
            text = t("flag", text=t.flag(flag, c.issuer.clock_skew))
            rows.append(Wide(text, color=WARN))
    c.add(c.table(rows, WIDTHS))


def gap_rows(c: Composer) -> Iterator[tuple[Entry, str | None]]:
    """The listed entries, each with the note of the entries left out before it."""
    listing = c.listing
    gaps = {} if listing.complete else facts.gaps(listing.shown, c.ev.entries)
    for e in listing.shown:
        gap = gaps.get(e.seq)
        note = c.t("ev_gap", first=gap[0], last=gap[1], n=gap[2]) if gap else None
        yield e, note


def event_row(c: Composer, e: Entry) -> list[Any]:
    t = c.t
    times = []
    for label, when in (("P", e.platform_time), ("L", e.ledger_time)):
        times.append(f"{label} {c.times.utc(when)}")
        local = c.times.local_offset(when)
        if local:
            times.append(f"   {local}")
    kind = c.value(e.type, "id")
    event = f"{t.event_type(e.type)}\n{kind}"
    actor = e.actor
    if e.erased:
        who, net = t("erased"), ""
    else:
        details = []
        if actor is not None:
            role = t.role(c.value(actor.role, "role")) if actor.role else ""
            details = [c.value(actor.name, "name"), c.contact(actor.email, actor.phone), role]
            if actor.auth_method:  # point 9
                method = t.auth_method(c.value(actor.auth_method, "auth_method"))
                details.append(t("e_auth_method", method=method))
        who = "\n".join(x for x in details if x)
        addresses = (
            [c.value(actor.ip, "ip"), c.value(actor.user_agent, "user_agent")] if actor else []
        )
        net = "\n".join(x for x in addresses if x) or t("e_ip_none")
    source = e.leaf.source if e.leaf is not None else None
    how = f"{source.channel}\n{t.authenticated(source.authenticated)}" if source else "?"
    return [str(e.seq), "\n".join(times), event, who, net, how]


def reported(c: Composer, e: Entry) -> list[str]:
    """The facts the platform reported in this event besides who and when, one a line
    (docs/evidence-format.md, "Facts the platforms report")."""
    t = c.t
    notes = [t("f_title", value=c.value(v, "title")) for _, v in facts.titles(e)]
    kind = facts.signature_type(e)
    if kind:
        notes.append(t("f_signature_type", value=c.value(kind, "signature_type")))
    for key, value in facts.reasons(e):
        label = t(f"f_reason_{key}") if key in KNOWN_REASONS else t("f_reason_other", field=key)
        notes.append(t("f_reason", label=c.value(label, "field"), value=c.value(value, "reason")))
    if e.documents:
        notes.append(t("f_documents", value=documents(c, e)))
    names = facts.document_names(e)
    if names:
        value = c.values(names, "document_name", "document_names")
        notes.append(t("f_document_names", value=value))
    times = facts.recipient_times(e)
    if times:
        said = [f"{t.recipient_time(c.value(n, 'field'))} {c.when(w)}" for n, w in times]
        notes.append(t("f_recipient_times", value=t("list_sep").join(said)))
    generated = facts.generated_at(e)
    if generated is not None:
        notes.append(t("f_generated", value=c.when(generated)))
    source = facts.source_field(e)
    if source:
        notes.append(t("f_source", field=c.value(source, "field")))
    people = facts.reported_recipients(e)
    if people:
        notes.append(t("f_recipients", n=len(people)))
    return notes


def documents(c: Composer, e: Entry) -> str:
    shown = []
    for doc in e.documents[: LISTS["document_names"]]:
        name, sha = doc.get("name"), doc.get("sha256")
        size = doc.get("size")
        shown.append(
            c.t(
                "f_document",
                name=c.value(name if isinstance(name, str) else "?", "document_name"),
                size=size if isinstance(size, int | float) else "?",
                sha=c.value(sha, "id")[:16] if isinstance(sha, str) else "?",
            )
        )
    more = c.more(len(e.documents), "document_names")
    return c.t("list_sep").join(shown) + (" " + more if more else "")
