"""ledger.charts: day labels do not overlap (the last day's is left out when too near)."""

from __future__ import annotations

import itertools
import re
from datetime import date, timedelta

from ledger import charts, periods
from ledger.analytics import Day, Duration, Report


def report(days: int) -> Report:
    period = periods.parse("2026-11-01", (date(2026, 11, 1) + timedelta(days - 1)).isoformat())
    return Report(
        "acme",
        period,
        dict.fromkeys(
            ("sent", "viewed", "signed", "completed", "declined", "expired", "voided"), 0
        ),
        dict.fromkeys(("sent_to_completed", "sent_to_first_view"), Duration(0, None, None)),
        [Day(date(2026, 11, 1) + timedelta(i), i % 3, 0, 0) for i in range(days)],
        [],
    )


def test_day_labels_are_spread() -> None:
    for days in (1, 2, 7, 30, 31, 90):
        labels = re.findall(r">(\d\d-\d\d)<", charts.events_per_day_svg(report(days)))
        assert labels[0] == "11-01"
        svg = charts.events_per_day_svg(report(days))
        positions = [float(x) for x in re.findall(r'<text x="([0-9.]+)"[^>]*>\d\d-\d\d<', svg)]
        gaps = [b - a for a, b in itertools.pairwise(positions)]
        assert all(gap >= 30 for gap in gaps), (days, gaps)  # a label is about 30 px wide
