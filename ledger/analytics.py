"""Signing analytics of a tenant over a period, computed by SQL on SQLite and PostgreSQL.

Python interface (``GET /v1/analytics`` and the console call it)::

    from ledger import analytics, periods

    report = analytics.compute(service, (tenant_id, tenant_name), periods.parse(f, t))
    report.to_json()   # the numbers, as GET /v1/analytics answers (below)
    report.to_csv()    # the same numbers as CSV rows metric,dimension,value
    ledger.charts.events_per_day_svg(report), .funnel_svg(report), .platforms_svg(report)

What is counted (decided here; docs/api.md repeats it):

- **The cohort** is the tenant's envelopes whose first ``envelope.sent`` (platform time,
  ``occurred_at``) lies in the period. Everything about envelopes is about the cohort,
  whatever the time of their later events (up to now).
- **Funnel**: of the cohort, how many reached each step ``sent → viewed → signed →
  completed``: an envelope reached a step if it has an event of that step or of a later
  one (``recipient.viewed``; ``recipient.signed``; ``envelope.completed``), so the
  funnel never rises when a platform reports no views.
- **Rates** (of the cohort, null when it is empty): completion (``envelope.completed``),
  decline (``envelope.declined`` or ``recipient.declined``), expiry
  (``envelope.expired``).
- **Times** in seconds, from the first ``envelope.sent`` to the first
  ``envelope.completed`` and to the first ``recipient.viewed``: the median (the mean of
  the two middle values when their number is even) and the 90th percentile
  (nearest rank: the ``ceil(0.9 n)``-th smallest); null without any.
- **Events per day**: every event of the tenant whose platform time lies in the period,
  by UTC day (days without events are listed with 0), with the ``envelope.sent`` and
  ``envelope.completed`` among them.
- **By platform** (the leaf's ``source.channel``: ``api`` or the platform's hook):
  events in the period, and the cohort's envelopes by the channel of their first
  ``envelope.sent``, with those completed.

Every figure is computed by SQL, the same on SQLite and PostgreSQL, from the rollup
(``ledger.rollup``: one row per envelope, one per tenant, day and channel, folded from
``entries.occurred_us`` and ``entries.channel`` in seq order) and, for a day the period
cuts, from the entries of that part of the day (index ``ix_entries_tenant_time``):
durations per envelope in SQL; on SQLite each percentile read by ``ORDER BY … LIMIT …
OFFSET`` at its rank (twice faster there than ``ROW_NUMBER()`` over the durations), on
PostgreSQL by ``percentile_cont(0.5)`` and ``percentile_disc(0.9)`` (one sort instead of
two; the same definitions, and the same tests on both). No event and no envelope reaches
Python, only the figures and the durations at the ranks needed.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, text

from ledger import clock, rollup
from ledger.periods import Period

if TYPE_CHECKING:
    from ledger.service import Ledger

DAY_US = 86_400_000_000
STEPS = ("sent", "viewed", "signed", "completed")
SENT = "envelope.sent"
VIEWED = "recipient.viewed"
SIGNED = "recipient.signed"
COMPLETED = "envelope.completed"
DECLINED = ("envelope.declined", "recipient.declined")
EXPIRED = "envelope.expired"
VOIDED = "envelope.voided"

# The cohort: the rollup's envelopes first sent in the period (index
# ix_analytics_envelopes_sent covers every column used). The SQL below is built from
# constants of this module only, never from input.
_COHORT = (
    "FROM analytics_envelopes WHERE tenant_id = :tenant AND sent_us >= :start AND sent_us < :end"
)

# Per channel of the first envelope.sent: the envelopes that reached each step, those
# declined, expired, voided, and those with a view (how many first-view durations).
SUMMARY = text(
    f"""SELECT COALESCE(channel, '') AS channel, COUNT(*) AS sent,
    SUM(CASE WHEN viewed_us IS NOT NULL OR signed_us IS NOT NULL OR completed_us IS NOT NULL
             THEN 1 ELSE 0 END) AS viewed,
    SUM(CASE WHEN signed_us IS NOT NULL OR completed_us IS NOT NULL THEN 1 ELSE 0 END)
        AS signed,
    SUM(CASE WHEN completed_us IS NOT NULL THEN 1 ELSE 0 END) AS completed,
    SUM(declined) AS declined, SUM(expired) AS expired, SUM(voided) AS voided,
    SUM(CASE WHEN viewed_us IS NOT NULL THEN 1 ELSE 0 END) AS with_view
{_COHORT}
GROUP BY COALESCE(channel, '')"""
)

# The durations in order, from the (offset+1)-th smallest, ``count`` of them: the median
# and the 90th percentile each need one or two (ORDER BY … LIMIT … OFFSET, the same on
# both databases), so no duration reaches Python but those.
RANKED = {
    "sent_to_completed": text(
        f"""SELECT completed_us - sent_us AS value {_COHORT} AND completed_us IS NOT NULL
ORDER BY value LIMIT :count OFFSET :offset"""
    ),
    "sent_to_first_view": text(
        f"""SELECT viewed_us - sent_us AS value {_COHORT} AND viewed_us IS NOT NULL
ORDER BY value LIMIT :count OFFSET :offset"""
    ),
}

# PostgreSQL's ordered-set aggregates give the same two figures in one sort per duration:
# percentile_cont(0.5) is the median as defined above (the mean of the two middle values
# when their number is even), percentile_disc(0.9) the nearest-rank 90th percentile (the
# smallest value whose cumulative share reaches 0.9). SQLite has neither.
PG_PERCENTILES = {
    metric: text(
        f"""SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY {column} - sent_us) AS median,
    percentile_disc(0.9) WITHIN GROUP (ORDER BY {column} - sent_us) AS p90
{_COHORT} AND {column} IS NOT NULL"""
    )
    for metric, column in (
        ("sent_to_completed", "completed_us"),
        ("sent_to_first_view", "viewed_us"),
    )
}

# Whole UTC days from the rollup.
DAYS = text(
    """SELECT day, channel, events, sent, completed FROM analytics_days
WHERE tenant_id = :tenant AND day >= :first AND day < :end"""
)

# The events of part of a day (a period bound that is not midnight), per day and channel.
EVENTS = text(
    f"""SELECT occurred_us / {DAY_US} AS day, COALESCE(channel, '') AS channel,
    COUNT(*) AS events,
    SUM(CASE WHEN type = '{SENT}' THEN 1 ELSE 0 END) AS sent,
    SUM(CASE WHEN type = '{COMPLETED}' THEN 1 ELSE 0 END) AS completed
FROM entries
WHERE tenant_id = :tenant AND occurred_us >= :start AND occurred_us < :end
GROUP BY occurred_us / {DAY_US}, COALESCE(channel, '')"""  # noqa: S608
)


@dataclass(frozen=True)
class Duration:
    count: int
    median_s: float | None
    p90_s: float | None

    def to_json(self) -> dict[str, Any]:
        return {"count": self.count, "median_s": self.median_s, "p90_s": self.p90_s}


@dataclass(frozen=True)
class Day:
    day: date
    events: int
    sent: int
    completed: int


@dataclass(frozen=True)
class Platform:
    platform: str
    events: int
    sent: int
    completed: int

    @property
    def completion_rate(self) -> float | None:
        return _rate(self.completed, self.sent)


@dataclass(frozen=True)
class Report:
    tenant: str
    period: Period
    envelopes: dict[str, int]  # sent, viewed, signed, completed, declined, expired, voided
    times: dict[str, Duration]  # sent_to_completed, sent_to_first_view
    days: list[Day]
    platforms: list[Platform]
    events: int = field(default=0)

    @property
    def rates(self) -> dict[str, float | None]:
        sent = self.envelopes["sent"]
        return {
            "completion": _rate(self.envelopes["completed"], sent),
            "decline": _rate(self.envelopes["declined"], sent),
            "expiry": _rate(self.envelopes["expired"], sent),
        }

    @property
    def funnel(self) -> list[dict[str, Any]]:
        sent = self.envelopes["sent"]
        return [
            {
                "step": step,
                "envelopes": self.envelopes[step],
                "share": _rate(self.envelopes[step], sent),
            }
            for step in STEPS
        ]

    def to_json(self) -> dict[str, Any]:
        return {
            "tenant": self.tenant,
            **self.period.to_json(),
            "time_zone": "UTC",
            "envelopes": self.envelopes,
            "rates": self.rates,
            "times": {name: value.to_json() for name, value in self.times.items()},
            "funnel": self.funnel,
            "events": self.events,
            "events_per_day": [
                {
                    "date": d.day.isoformat(),
                    "events": d.events,
                    "sent": d.sent,
                    "completed": d.completed,
                }
                for d in self.days
            ],
            "platforms": [
                {
                    "platform": p.platform,
                    "events": p.events,
                    "sent": p.sent,
                    "completed": p.completed,
                    "completion_rate": p.completion_rate,
                }
                for p in self.platforms
            ],
        }

    def rows(self) -> list[tuple[str, str, Any]]:
        """Every number as (metric, dimension, value): what the CSV holds."""
        found: list[tuple[str, str, Any]] = [
            ("tenant", "", self.tenant),
            *((name, "", value) for name, value in self.period.to_json().items()),
        ]
        found += [(f"envelopes_{k}", "", v) for k, v in self.envelopes.items()]
        found += [(f"{k}_rate", "", v) for k, v in self.rates.items()]
        for name, value in self.times.items():
            found += [
                (f"{name}_count", "", value.count),
                (f"{name}_median_s", "", value.median_s),
                (f"{name}_p90_s", "", value.p90_s),
            ]
        found += [("funnel", step["step"], step["envelopes"]) for step in self.funnel]
        found.append(("events", "", self.events))
        for d in self.days:
            found += [
                ("events_per_day", d.day.isoformat(), d.events),
                ("sent_per_day", d.day.isoformat(), d.sent),
                ("completed_per_day", d.day.isoformat(), d.completed),
            ]
        for p in self.platforms:
            found += [
                ("platform_events", p.platform, p.events),
                ("platform_sent", p.platform, p.sent),
                ("platform_completed", p.platform, p.completed),
                ("platform_completion_rate", p.platform, p.completion_rate),
            ]
        return found

    def to_csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(("metric", "dimension", "value"))
        for metric, dimension, value in self.rows():
            writer.writerow((metric, _csv_safe(dimension), "" if value is None else value))
        return out.getvalue()


def _csv_safe(value: str) -> str:
    """A text cell a spreadsheet will not run as a formula (OWASP CSV injection)."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _seconds(micros: float) -> float:
    return round(micros / 1_000_000, 3)


def _duration(
    conn: Connection, metric: str, n: int, params: dict[str, int], postgres: bool
) -> Duration:
    """The median (the mean of the two middle values when ``n`` is even) and the
    nearest-rank 90th percentile (the ``ceil(0.9 n)``-th smallest) of ``n`` durations."""
    if not n:
        return Duration(0, None, None)
    if postgres:
        row = conn.execute(PG_PERCENTILES[metric], params).one()
        return Duration(n, _seconds(float(row.median)), _seconds(int(row.p90)))
    query = RANKED[metric]
    window = params | {"count": 2, "offset": (n - 1) // 2}
    middle = [int(v) for v in conn.execute(query, window).scalars()]
    median = middle[0] if n % 2 else (middle[0] + middle[1]) / 2
    rank = (9 * n + 9) // 10  # ceil(0.9 n) in integers
    p90 = conn.execute(query, params | {"count": 1, "offset": rank - 1}).scalar_one()
    return Duration(n, _seconds(median), _seconds(int(p90)))


def compute(service: Ledger, tenant: tuple[int, str], period: Period) -> Report:
    """The tenant's analytics over ``period``: the rollup refreshed, then read (and the
    entries of a day the period cuts) in one read transaction."""
    rollup.refresh(service)
    start, end = period.start_us, period.end_us
    params = {"tenant": tenant[0], "start": start, "end": end}
    whole_from, whole_to = -(-start // DAY_US), end // DAY_US  # the whole days inside
    envelopes = dict.fromkeys(("sent", "viewed", "signed", "completed"), 0)
    envelopes |= dict.fromkeys(("declined", "expired", "voided"), 0)
    cohort: dict[str, tuple[int, int]] = {}
    with_view = 0
    with service.db.reading() as conn:
        for row in conn.execute(SUMMARY, params):
            for name in envelopes:
                envelopes[name] += int(getattr(row, name))
            cohort[row.channel] = (int(row.sent), int(row.completed))
            with_view += int(row.with_view)
        postgres = not service.db.is_sqlite
        times = {
            "sent_to_completed": _duration(
                conn, "sent_to_completed", envelopes["completed"], params, postgres
            ),
            "sent_to_first_view": _duration(
                conn, "sent_to_first_view", with_view, params, postgres
            ),
        }
        if whole_from >= whole_to:
            event_rows = list(conn.execute(EVENTS, params).all())
        else:
            whole = {"tenant": tenant[0], "first": whole_from, "end": whole_to}
            event_rows = list(conn.execute(DAYS, whole).all())
            for edge in ((start, whole_from * DAY_US), (whole_to * DAY_US, end)):
                if edge[0] < edge[1]:
                    bounds = {"tenant": tenant[0], "start": edge[0], "end": edge[1]}
                    event_rows += conn.execute(EVENTS, bounds).all()
    per_day: dict[int, list[int]] = {}
    events: dict[str, int] = {}
    for row in event_rows:
        day = per_day.setdefault(int(row.day), [0, 0, 0])
        day[0] += int(row.events)
        day[1] += int(row.sent)
        day[2] += int(row.completed)
        events[row.channel] = events.get(row.channel, 0) + int(row.events)
    first, last = period.start_us // DAY_US, (period.end_us - 1) // DAY_US
    days = [Day(_day(n), *per_day.get(n, (0, 0, 0))) for n in range(first, last + 1)]
    platforms = [
        Platform(name, events.get(name, 0), *cohort.get(name, (0, 0)))
        for name in sorted(set(events) | set(cohort))
    ]
    return Report(
        tenant=tenant[1],
        period=period,
        envelopes=envelopes,
        times=times,
        days=days,
        platforms=platforms,
        events=sum(events.values()),
    )


def _day(number: int) -> date:
    return (clock.EPOCH + timedelta(days=number)).date()
