"""Helpers of the analytics tests: the hand-computed data set, its figures, and appending it."""

from __future__ import annotations

from typing import Any

from flask import Flask

from ledger import access
from ledger.appender import Source, Submission
from ledger.service import Ledger
from tests.conftest import Keys
from verifier.jcs import canonicalize

# (envelope, channel, [(type, occurred_at)]): the period is 2026-11-01 to 2026-11-03.
SEEDED: list[tuple[str, str, list[tuple[str, str]]]] = [
    (
        "A",
        "api",
        [
            ("envelope.sent", "2026-11-01T10:00:00Z"),
            ("recipient.viewed", "2026-11-01T10:10:00Z"),  # 600 s
            ("recipient.signed", "2026-11-01T10:30:00Z"),
            ("envelope.completed", "2026-11-01T11:00:00Z"),  # 3,600 s
        ],
    ),
    (
        "B",
        "docusign",
        [
            ("envelope.sent", "2026-11-01T12:00:00Z"),
            ("recipient.viewed", "2026-11-01T12:20:00Z"),  # 1,200 s
            ("recipient.signed", "2026-11-01T13:00:00Z"),
            ("envelope.completed", "2026-11-01T14:00:00Z"),  # 7,200 s
        ],
    ),
    (
        "C",
        "docusign",
        [
            ("envelope.sent", "2026-11-02T08:00:00+08:00"),  # 2026-11-02T00:00Z
            ("recipient.viewed", "2026-11-02T00:30:00Z"),  # 1,800 s
            ("recipient.declined", "2026-11-02T01:00:00Z"),
            ("envelope.declined", "2026-11-02T01:00:01Z"),
        ],
    ),
    (
        "D",
        "api",
        [
            ("envelope.sent", "2026-11-02T09:00:00Z"),
            ("recipient.viewed", "2026-11-02T09:40:00Z"),  # 2,400 s
            ("envelope.expired", "2026-11-09T09:00:00Z"),  # after the period: still counts
        ],
    ),
    (
        "E",
        "api",
        [
            ("envelope.sent", "2026-11-03T10:00:00-00:00"),
            ("recipient.signed", "2026-11-03T11:00:00Z"),  # no view reported: reached it
            ("envelope.completed", "2026-11-05T10:00:00Z"),  # 172,800 s
        ],
    ),
    # Sent before the period: not in the cohort, but its view is an event of 1 November.
    (
        "F",
        "api",
        [("envelope.sent", "2026-10-31T23:00:00Z"), ("recipient.viewed", "2026-11-01T01:00:00Z")],
    ),
    # First sent before the period, sent again in it: not in the cohort either.
    (
        "G",
        "api",
        [("envelope.sent", "2026-10-30T10:00:00Z"), ("envelope.sent", "2026-11-02T05:00:00Z")],
    ),
]
OTHER_TENANT = [("X", "api", [("envelope.sent", "2026-11-01T10:00:00Z")])]

EXPECTED: dict[str, Any] = {
    "tenant": "acme",
    "from": "2026-11-01T00:00:00Z",
    "to": "2026-11-04T00:00:00Z",
    "time_zone": "UTC",
    "envelopes": {
        "sent": 5,
        "viewed": 5,
        "signed": 3,
        "completed": 3,
        "declined": 1,
        "expired": 1,
        "voided": 0,
    },
    "rates": {"completion": 0.6, "decline": 0.2, "expiry": 0.2},
    "times": {
        "sent_to_completed": {"count": 3, "median_s": 7200.0, "p90_s": 172800.0},
        "sent_to_first_view": {"count": 4, "median_s": 1500.0, "p90_s": 2400.0},
    },
    "funnel": [
        {"step": "sent", "envelopes": 5, "share": 1.0},
        {"step": "viewed", "envelopes": 5, "share": 1.0},
        {"step": "signed", "envelopes": 3, "share": 0.6},
        {"step": "completed", "envelopes": 3, "share": 0.6},
    ],
    "events": 18,
    "events_per_day": [
        {"date": "2026-11-01", "events": 9, "sent": 2, "completed": 2},
        {"date": "2026-11-02", "events": 7, "sent": 3, "completed": 0},
        {"date": "2026-11-03", "events": 2, "sent": 1, "completed": 0},
    ],
    "platforms": [
        {"platform": "api", "events": 10, "sent": 3, "completed": 2, "completion_rate": 0.6667},
        {"platform": "docusign", "events": 8, "sent": 2, "completed": 1, "completion_rate": 0.5},
    ],
}


def append(
    service: Ledger, tenant: str, seeded: list[tuple[str, str, list[tuple[str, str]]]]
) -> None:
    with service.db.reading() as conn:
        tenant_id = access.tenant_id(conn, tenant)
    for envelope, channel, events in seeded:
        subs = []
        for n, (kind, at) in enumerate(events):
            body = {
                "event_id": f"{envelope}-{n}",
                "type": kind,
                "occurred_at": at,
                "envelope_id": envelope,
            }
            how = "api-key" if channel == "api" else "hmac"
            subs.append(Submission(body, canonicalize(body), Source(channel, "0" * 64, how)))
        service.appender.append(tenant_id, tenant, subs)


def seed(app: Flask, keys: Keys) -> Ledger:
    """The hand-computed data set (``keys`` made the tenants acme and globex)."""
    service: Ledger = app.extensions["ledger"]
    append(service, "acme", SEEDED)
    append(service, "globex", OTHER_TENANT)
    return service
