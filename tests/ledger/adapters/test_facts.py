"""Adapters keep every fact (issue 13): each field of a platform's delivery that the
certificate of evidence has a place for lands in the event, under the names of
docs/evidence-format.md ("Facts the platforms report"), so that "not reported" appears
on a certificate only where the platform sent nothing.

The table of facts is ``tests/ledger/adapters/facts.py``.
"""

from __future__ import annotations

import json
from datetime import UTC

import pytest

from ledger.adapters import ADAPTERS
from tests.ledger.adapters.facts import DELIVERIES, FACTS, NAIVE_ZONE, at, kept, parse
from tests.ledger.adapters.senders import EVENT_NAME


@pytest.mark.parametrize(
    ("platform", "description", "body"),
    DELIVERIES,
    ids=[f"{p}-{i}" for i, (p, _, _) in enumerate(DELIVERIES)],
)
def test_every_reported_fact_is_in_the_event(platform: str, description: str, body: bytes) -> None:
    payload = json.loads(body)
    event = parse(platform, body)
    name = str(at(payload, EVENT_NAME[platform]))
    checked, missing = 0, []
    for row in FACTS[platform]:
        sent = at(payload, row.payload)
        if sent is None or sent == "" or (row.events and name not in row.events):
            continue
        checked += 1
        zone = NAIVE_ZONE.get(platform, UTC)
        if not any(kept(at(event, p), sent, row.compare, zone) for p in row.event.split("|")):
            missing.append(f"{row.payload} ({sent!r}) is not at {row.event}")
    assert not missing, f"{description}: {missing}\n{json.dumps(event, ensure_ascii=False)}"
    assert checked >= 3, f"{description}: only {checked} facts of the table were in the payload"


def test_every_platform_has_a_table_and_a_sample() -> None:
    assert set(FACTS) == set(ADAPTERS) == {p for p, _, _ in DELIVERIES}
