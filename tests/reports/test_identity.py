"""``reports.identity``: the certificate id names the evidence: not the moment the bundle
was read, nor the log's newest head; but every entry, anchor, checkpoint, the tenant and
the envelope."""

from __future__ import annotations

import copy
import re
from typing import Any

from reports.identity import certificate_id, evidence_sha256, legacy_certificate_id

BUNDLE: dict[str, Any] = {
    "format": "evidence-bundle/1",
    "generated_at": "2026-12-07T08:00:00.000000Z",
    "envelope_id": "env-1",
    "tenant": "acme",
    "status": "anchored",
    "log": {"origin": "o", "hash": "sha256", "vkey": "k", "vkeys": ["k"]},
    "checkpoint": "o\n2\nAAAA\n\n— o sig\n",
    "anchors": [{"tsa": "http://tsa", "token": "AAAA", "gen_time": "2026-12-07T08:00:00Z"}],
    "entries": [{"seq": 0, "event": {"type": "recipient.signed", "actor": {"name": "张三"}}}],
}


def variant(**changes: Any) -> dict[str, Any]:
    found = copy.deepcopy(BUNDLE)
    found.update(changes)
    return found


def test_format() -> None:
    assert re.fullmatch(r"ELC(-[0-9A-F]{4}){4}", certificate_id(BUNDLE))
    assert re.fullmatch(r"ELC(-[0-9A-F]{4}){4}", legacy_certificate_id(b"x"))


def test_what_does_not_change_the_id() -> None:
    ident = certificate_id(BUNDLE)
    assert certificate_id(variant(generated_at="2030-01-01T00:00:00.000000Z")) == ident
    later = variant(latest={"checkpoint": "o\n9\nBBBB\n\n— o sig\n", "consistency": ["ab"]})
    assert certificate_id(later) == ident
    reordered = dict(reversed(list(BUNDLE.items())))  # canonical JSON: key order is irrelevant
    assert certificate_id(reordered) == ident


def test_what_changes_the_id() -> None:
    ident = certificate_id(BUNDLE)
    more = variant(entries=[*BUNDLE["entries"], {"seq": 1, "event": None}])
    others = [
        more,
        variant(tenant="globex"),
        variant(envelope_id="env-2"),
        variant(status="pending", anchors=[]),
        variant(checkpoint="o\n3\nCCCC\n\n— o sig\n"),
        variant(entries=[{"seq": 0, "event": None}]),  # the body erased
    ]
    ids = {certificate_id(b) for b in others}
    assert ident not in ids
    assert len(ids) == len(others)
    assert evidence_sha256(more) != evidence_sha256(BUNDLE)
