"""Sections 1 and 2: the issuer (point 1) and the subject of the certificate: envelope,
title, tenant, log, parties and documents (point 3)."""

from __future__ import annotations

from typing import Any

from reportlab.lib.units import mm

from reports import facts
from reports.composer import Composer
from reports.layout import hash_text
from reports.limits import LISTS
from reports.model import Party
from reports.page import WIDTH


def party_label(c: Composer, p: Party) -> str:
    """``name <contact> (roles)``, each part as the platform sent it."""
    actor = p.actor
    contact = c.contact(actor.email, actor.phone)
    label = c.value(actor.label, "name")
    if contact and actor.name:
        label += f" <{contact}>"
    if p.roles:
        label += c.t("paren", text=", ".join(c.t.role(c.value(r, "role")) for r in p.roles))
    return label


def issuer(c: Composer) -> None:  # point 1
    t, who = c.t, c.issuer
    c.h2(t("h_issuer"))
    c.add(
        c.pairs(
            [
                (t("i_name"), c.or_missing(who.name, "LEDGER_ISSUER_NAME")),
                (t("i_address"), c.or_missing(who.address, "LEDGER_ISSUER_ADDRESS")),
                (t("i_contact"), c.or_missing(who.contact, "LEDGER_ISSUER_CONTACT")),
                (t("i_role"), t("i_role_text")),
            ]
        )
    )


def subject(c: Composer) -> None:  # point 3
    t, ev = c.t, c.ev
    c.h2(t("h_subject"))
    rows: list[tuple[str, Any]] = [
        (t("sub_envelope"), c.runs([c.mono(c.value(ev.envelope_id, "id"))], c.s.cell)),
        (t("sub_title"), c.value(ev.title, "title") or t("not_reported")),
    ]
    others = facts.other_titles(ev.entries, ev.title)
    if others:
        rows.append((t("sub_titles_other"), c.values(others, "title", "titles")))
    rows += [
        (t("sub_tenant"), c.value(ev.tenant, "tenant")),
        (t("sub_log"), f"{ev.origin} ({ev.hash_name})"),
    ]
    c.add(c.pairs(rows))
    parties(c)
    documents(c)


def parties(c: Composer) -> None:
    t = c.t
    c.h3(t("sub_parties"))
    table: list[list[Any]] = [[t("p_name"), t("p_contact"), t("p_role")]]
    for party in c.ev.parties[: LISTS["parties"]]:
        actor = party.actor
        roles = ", ".join(c.t.role(c.value(r, "role")) for r in party.roles)
        table.append([c.value(actor.name, "name"), c.contact(actor.email, actor.phone), roles])
    if len(table) == 1:
        table.append([t("not_reported"), "", ""])
    c.add(c.table(table, [55 * mm, 80 * mm, WIDTH - 135 * mm]))
    more = c.more(len(c.ev.parties), "parties")
    if more:
        c.text(more, c.s.muted)


def documents(c: Composer) -> None:
    t, ev = c.t, c.ev
    c.h3(t("sub_documents"))
    named = list(dict.fromkeys(n for e in ev.entries for n in facts.document_names(e)))
    hashed = {d.name for d in ev.documents}
    named = [n for n in named if n not in hashed]
    if not ev.documents:
        c.text(t("d_none"))
    else:
        rows: list[list[Any]] = [[t("d_name"), t("d_size"), t("d_original"), t("d_final")]]
        for doc in ev.documents[: LISTS["documents"]]:
            sizes = f"{doc.original_size} → {doc.final_size}"
            original = hash_text(c.value(doc.original_sha256, "id"))
            final = hash_text(c.value(doc.final_sha256, "id"))
            rows.append([c.value(doc.name, "document_name"), sizes, original, final])
        c.add(c.table(rows, [42 * mm, 26 * mm, 55 * mm, 55 * mm], mono=(2, 3)))
        more = c.more(len(ev.documents), "documents")
        c.text(" ".join(x for x in (more, t("d_note")) if x), c.s.muted)
    if named:
        c.text(t("d_named", names=c.values(named, "document_name", "documents")))
