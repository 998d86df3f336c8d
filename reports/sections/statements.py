"""Section 8: the statements: the declaration of a qualified person (point 2),
retention (24), scope and limits (25), the PDF's signature and its level (26),
algorithms and renewal (28), and this edition (27)."""

from __future__ import annotations

from typing import Any

from cryptography.hazmat.primitives import hashes
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Spacer, Table, TableStyle

from reports.composer import Composer
from reports.layout import hash_text
from reports.model import key_algorithm
from reports.page import WIDTH


def statements(c: Composer) -> None:
    t, issuer = c.t, c.issuer
    c.h2(t("h_statements"))
    declaration(c)  # point 2
    c.h3(t("st_retention"))  # point 24
    address = f" ({issuer.address})" if issuer.address else ""
    name = c.or_missing(issuer.name, "LEDGER_ISSUER_NAME")
    years, backend = issuer.retention_years, issuer.backend
    c.text(t("st_retention_text", years=years, backend=backend, issuer=name, address=address))
    c.h3(t("st_scope"))  # point 25
    c.text(t("st_scope_text"))
    pades(c)  # point 26
    long_term(c)  # point 28
    c.h3(t("st_edition"))  # point 27
    c.text(t("st_edition_text"))


def declaration(c: Composer) -> None:  # point 2
    t, issuer = c.t, c.issuer
    person = c.or_missing(issuer.person, "LEDGER_ISSUER_PERSON")
    title = c.or_missing(issuer.person_title, "LEDGER_ISSUER_PERSON_TITLE")
    name = c.or_missing(issuer.name, "LEDGER_ISSUER_NAME")
    date = c.times.date(c.issued_at)
    signature = Table(
        [
            [c.block(t("st_signature_line")), c.block(t("st_date", date=date))],
            [c.block(t("st_name", person=person)), c.block(t("st_title", title=title))],
        ],
        colWidths=[WIDTH * 0.55, WIDTH * 0.45],
    )
    signature.setStyle(
        TableStyle([("FONTNAME", (0, 0), (-1, -1), c.s.sans), ("TOPPADDING", (0, 0), (-1, 0), 14)])
    )
    text = t("st_declaration_text", person=person, title=title, issuer=name)
    c.add(KeepTogether([c.block(t("st_declaration"), c.s.h3), c.block(text), signature]))


def pades(c: Composer) -> None:  # point 26
    t, issuer, signing = c.t, c.issuer, c.signing
    c.h3(t("st_pades"))
    algorithm = key_algorithm(issuer.certificate)
    if signing.level == "B-LTA":
        c.text(t("st_pades_lta", algorithm=algorithm, tsa=signing.tsa or "?"))
    elif signing.level == "B-T":
        why = t("st_pades_no_revocation", reason=c.value(signing.failure or "?", "detail"))
        c.text(t("st_pades_t", algorithm=algorithm, tsa=signing.tsa or "?", why=why))
    else:
        why = (
            t("st_pades_tsa_failed", reason=c.value(signing.failure, "detail"))
            if signing.failure
            else t("st_pades_no_tsa")
        )
        c.text(t("st_pades_b", algorithm=algorithm, why=why))
    c.text(t("st_pades_level", level=signing.level))
    cert = issuer.certificate
    fingerprint = cert.fingerprint(hashes.SHA256()).hex()
    text = t(
        "st_signer_text",
        subject=cert.subject.rfc4514_string(),
        issuer=cert.issuer.rfc4514_string(),
        start=c.times.utc(cert.not_valid_before_utc, True),
        end=c.times.utc(cert.not_valid_after_utc, True),
        fp="\0",
    )
    head, tail = text.split("\0")
    fp = hash_text(fingerprint, 0)
    c.add(
        c.block(t("st_signer"), c.s.small),
        c.runs([(head, None), (fp, c.s.mono_face), (tail, None)], c.s.small),
    )


def long_term(c: Composer) -> None:  # point 28
    t, ev = c.t, c.ev
    c.h3(t("st_longterm"))
    algorithm = key_algorithm(c.issuer.certificate)
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
        [t("la_pdf"), t("la_pdf_alg", level=c.signing.level, algorithm=algorithm)],
    ]
    c.add(c.table(rows, [50 * mm, WIDTH - 50 * mm]))
    ends = [a.tsa_not_after for a in ev.anchors if a.tsa_not_after is not None]
    tsa_end = c.times.utc(min(ends), True) if ends else t("none")
    c.add(Spacer(1, 1.5 * mm), c.block(t("st_renewal_text", tsa_end=tsa_end)))
