"""Signing analytics (``ledger.analytics``) against a data set computed by hand, on
SQLite and PostgreSQL; and the SVG charts drawn from them (``ledger.charts``)."""

from __future__ import annotations

import json
from xml.etree import ElementTree

from flask import Flask

from ledger import access, analytics, charts, periods, rollup
from ledger.service import Ledger
from tests.conftest import Keys
from tests.ledger.analytics_helpers import EXPECTED, OTHER_TENANT, SEEDED, append, seed
from tests.ledger.helpers import run


def acme(service: Ledger) -> tuple[int, str]:
    with service.db.reading() as conn:
        return access.tenant_id(conn, "acme"), "acme"


def test_the_numbers_match_the_hand_computed_ones(app: Flask, keys: Keys) -> None:
    service = seed(app, keys)
    report = analytics.compute(service, acme(service), periods.parse("2026-11-01", "2026-11-03"))
    assert report.to_json() == EXPECTED


def test_an_empty_period_has_no_rates_and_zero_days(app: Flask, keys: Keys) -> None:
    service = seed(app, keys)
    report = analytics.compute(service, acme(service), periods.parse("2026-12-01", "2026-12-02"))
    body = report.to_json()
    assert body["envelopes"]["sent"] == 0
    assert body["rates"] == {"completion": None, "decline": None, "expiry": None}
    assert body["times"]["sent_to_completed"] == {"count": 0, "median_s": None, "p90_s": None}
    assert [d["events"] for d in body["events_per_day"]] == [0, 0]
    assert body["platforms"] == []


def test_csv_has_every_number(app: Flask, keys: Keys) -> None:
    service = seed(app, keys)
    report = analytics.compute(service, acme(service), periods.parse("2026-11-01", "2026-11-03"))
    lines = report.to_csv().splitlines()
    assert lines[0] == "metric,dimension,value"
    for line in (
        "completion_rate,,0.6",
        "sent_to_first_view_median_s,,1500.0",
        "funnel,signed,3",
        "events_per_day,2026-11-02,7",
        "platform_completion_rate,api,0.6667",
    ):
        assert line in lines


def test_charts_are_svg_with_their_numbers(app: Flask, keys: Keys) -> None:
    service = seed(app, keys)
    report = analytics.compute(service, acme(service), periods.parse("2026-11-01", "2026-11-03"))
    drawn = (charts.events_per_day_svg(report), charts.funnel_svg(report))
    for svg in (*drawn, charts.platforms_svg(report)):
        root = ElementTree.fromstring(svg)  # noqa: S314  (our own output) well-formed
        assert root.tag == "{http://www.w3.org/2000/svg}svg"
        assert root.get("role") == "img"
    days = charts.events_per_day_svg(report)
    assert "2026-11-02: 7 events" in days
    funnel = charts.funnel_svg(report)
    assert "signed: 3 (60%)" in funnel
    assert "docusign: 8 events, 50% of 2 sent completed" in charts.platforms_svg(report)


def test_charts_escape_what_they_show(app: Flask) -> None:
    """A channel and a tenant name are text from outside: shown, never markup."""
    service: Ledger = app.extensions["ledger"]
    hostile = '<script>alert("x")</script>&'
    with service.db.writing() as conn:
        tenant_id = access.create_tenant(conn, "evil")
    append(service, "evil", [("Z", hostile, [("envelope.sent", "2026-11-01T00:00:00Z")])])
    report = analytics.compute(
        service, (tenant_id, hostile), periods.parse("2026-11-01", "2026-11-01")
    )
    assert report.platforms[0].platform == hostile
    for svg in (
        charts.events_per_day_svg(report),
        charts.funnel_svg(report),
        charts.platforms_svg(report),
    ):
        assert "<script>" not in svg
        ElementTree.fromstring(svg)  # noqa: S314  (our own output) still well-formed
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;" in charts.platforms_svg(report)


def test_the_command_line(app: Flask, keys: Keys) -> None:
    seed(app, keys)
    args = ("analytics", "--tenant", "acme", "--from", "2026-11-01", "--to", "2026-11-03")
    code, out = run(app, *args)
    assert code == 0, out
    assert json.loads(out) == EXPECTED
    code, out = run(app, *args, "--format", "csv")
    assert code == 0, out
    assert "funnel,signed,3" in out.splitlines()
    code, out = run(app, "analytics", "--tenant", "acme", "--from", "2026-11-31")
    assert code == 1, out
    assert "from is not a real date" in out


def test_percentiles_at_an_exact_rank(app: Flask, keys: Keys) -> None:
    """Ten completions after 1 to 10 hours: the median is 5.5 h, the 90th percentile the
    9th value (nearest rank: ceil(0.9 x 10) = 9), on both databases alike."""
    service: Ledger = app.extensions["ledger"]
    append(
        service,
        "acme",
        [
            (
                f"R{h}",
                "api",
                [
                    ("envelope.sent", "2026-11-10T00:00:00Z"),
                    ("envelope.completed", f"2026-11-10T{h:02d}:00:00Z"),
                ],
            )
            for h in range(1, 11)
        ],
    )
    report = analytics.compute(service, acme(service), periods.parse("2026-11-10", "2026-11-10"))
    assert report.times["sent_to_completed"] == analytics.Duration(10, 5.5 * 3600, 9 * 3600)
    assert report.times["sent_to_first_view"] == analytics.Duration(0, None, None)


def test_the_rollup_folds_in_small_batches_and_keeps_up(app: Flask, keys: Keys) -> None:
    """Folding two entries at a time splits envelopes and days across transactions: the
    figures are the same. A later append shows at once; refreshing again changes nothing."""
    service = seed(app, keys)
    assert rollup.refresh(service, batch=2) == sum(len(e) for _, _, e in SEEDED + OTHER_TENANT)
    period = periods.parse("2026-11-01", "2026-11-03")
    assert analytics.compute(service, acme(service), period).to_json() == EXPECTED
    assert rollup.refresh(service) == 0
    append(service, "acme", [("H", "api", [("envelope.sent", "2026-11-03T20:00:00Z")])])
    again = analytics.compute(service, acme(service), period).to_json()
    assert again["envelopes"]["sent"] == 6
    assert again["events_per_day"][-1] == {
        "date": "2026-11-03",
        "events": 3,
        "sent": 2,
        "completed": 0,
    }


def test_bounds_inside_days_count_the_parts_of_those_days(app: Flask, keys: Keys) -> None:
    service = seed(app, keys)
    period = periods.parse("2026-11-01T10:05:00Z", "2026-11-02T17:30:00+08:00")
    body = analytics.compute(service, acme(service), period).to_json()
    assert body["envelopes"]["sent"] == 3  # B, C, D: A was sent at 10:00
    assert body["events_per_day"] == [
        {"date": "2026-11-01", "events": 7, "sent": 1, "completed": 2},
        {"date": "2026-11-02", "events": 6, "sent": 3, "completed": 0},
    ]
    assert body["events"] == 13
    # a whole day (from the rollup) between two parts of days (from the entries)
    period = periods.parse("2026-11-01T10:05:00Z", "2026-11-03T10:30:00Z")
    body = analytics.compute(service, acme(service), period).to_json()
    assert body["envelopes"]["sent"] == 4  # B, C, D, E
    assert body["events_per_day"] == [
        {"date": "2026-11-01", "events": 7, "sent": 1, "completed": 2},
        {"date": "2026-11-02", "events": 7, "sent": 3, "completed": 0},
        {"date": "2026-11-03", "events": 1, "sent": 1, "completed": 0},
    ]
    assert [(p["platform"], p["events"]) for p in body["platforms"]] == [
        ("api", 7),
        ("docusign", 8),
    ]
