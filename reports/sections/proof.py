"""Section 6: the cryptographic proof: per entry its seq, leaf hash and chain value
(points 14, 19), the inclusion proofs (15, listed in Appendix A), the signed checkpoint
verbatim with the log key (16), consistency to the newest checkpoint (17) and each RFC
3161 token with its facts (18)."""

from __future__ import annotations

from typing import Any

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Spacer

from reports.blocks import NoteBlock
from reports.composer import Composer
from reports.layout import Wide, hash_text
from reports.limits import FIELDS
from reports.model import Anchor
from reports.page import MUTED, RULE, WIDTH
from reports.printable import visible
from reports.sections.events import gap_rows


def proof(c: Composer) -> None:
    t, ev = c.t, c.ev
    size = ev.checkpoint.size if ev.checkpoint is not None else "?"
    c.h2(t("h_proofs"))
    c.h3(t("pf_entries"))  # points 14 and 19
    c.add(c.block(t("pf_intro"), c.s.small), Spacer(1, 1.5 * mm))
    rows: list[Any] = [[t("pf_seq"), t("pf_leaf"), t("pf_chain"), t("pf_proof")]]
    for e, gap in gap_rows(c):
        if gap is not None:
            rows.append(Wide(gap, 0, MUTED, keep=False))
        cell = t("pf_proof_cell", n=len(e.inclusion), size=size)
        leaf, chain = c.value(e.leaf_hash, "id"), c.value(e.chain, "id")
        rows.append([str(e.seq), hash_text(leaf), hash_text(chain), cell])
    widths = [12 * mm, 58 * mm, 58 * mm, WIDTH - 128 * mm]
    c.add(c.table(rows, widths, mono=(1, 2)))
    c.h3(t("pf_inclusion"))  # point 15
    c.text(t("pf_inclusion_text", size=size))
    c.h3(t("pf_checkpoint"))  # point 16
    c.add(c.block(t("pf_checkpoint_text"), c.s.small), note(c, ev.note))
    key = ev.signing_key
    if key is not None:
        c.add(
            c.block(t("pf_key"), c.s.small),
            c.block(key.vkey, c.s.code),
            c.block(t("pf_key_name", name=key.name, id=key.key_id), c.s.small),
        )
    c.h3(t("pf_consistency"))  # point 17
    if ev.latest is not None and ev.latest_note:
        text = t("pf_consistency_text", new=ev.latest.size, old=size, n=len(ev.consistency))
        c.add(c.block(text), note(c, ev.latest_note))
    elif ev.status == "pending":
        c.text(t("pf_consistency_pending"))
    else:
        c.text(t("pf_consistency_none"))
    anchors(c)


def note(c: Composer, text: str) -> Flowable:
    """A signed note, verbatim: each of its lines one line on the page (a note of ours
    has no character ``visible`` changes; a damaged one shows what it holds)."""
    lines = text[: FIELDS["note"]].split("\n")
    return NoteBlock("\n".join(visible(line) for line in lines), c.s.note, RULE)


def anchors(c: Composer) -> None:  # point 18
    t, ev = c.t, c.ev
    heading: list[Flowable] = [c.block(t("pf_anchors"), c.s.h3)]
    if not ev.anchors:
        c.add(KeepTogether([*heading, c.block(t("pf_anchors_none"))]))
        return
    heading.append(c.block(t("pf_anchors_text"), c.s.small))
    for anchor in ev.anchors:
        c.add(KeepTogether([*heading, c.pairs(anchor_rows(c, anchor)), Spacer(1, 2 * mm)]))
        heading = []


def anchor_rows(c: Composer, anchor: Anchor) -> list[tuple[str, Any]]:
    t = c.t
    facts = anchor.facts
    rows: list[tuple[str, Any]] = [(t("a_url"), c.value(anchor.tsa, "detail"))]
    if facts is None:
        reason = c.value(anchor.error or "?", "detail")
        return [*rows, (t("a_tsa"), t("a_unverified", reason=reason))]
    name = facts.tsa_name + (f" ({t('a_dev')})" if anchor.development else "")
    accuracy = (
        t("a_accuracy_value", seconds=f"{facts.accuracy:g}")
        if facts.accuracy is not None
        else t("not_reported")
    )
    return [
        *rows,
        (t("a_tsa"), name),
        (t("a_serial"), str(facts.serial_number)),
        (t("a_gen_time"), c.times.inline(facts.gen_time)),
        (t("a_policy"), facts.policy),
        (t("a_hash"), facts.hash_algorithm),
        (t("a_accuracy"), accuracy),
        (t("a_chain"), "\n".join(facts.chain)),
        (t("a_valid_until"), c.times.inline(anchor.tsa_not_after)),
    ]
