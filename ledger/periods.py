"""Date ranges given by users (exports, analytics): ``from`` and ``to`` as UTC instants.

A bound is a date ``YYYY-MM-DD`` (a UTC day: ``from`` is its first instant, ``to``
takes the whole day) or an RFC 3339 time with an offset (``from`` inclusive, ``to``
exclusive). The range is half-open, ``[from, to)``, once read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from ledger import clock
from ledger.errors import InvalidInput

DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")
TIME = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,9})?(Z|[+-][0-9]{2}:[0-9]{2})\Z"
)
DEFAULT_DAYS = 30
MAX_DAYS = 3660  # ten years: a range larger than that is a typing error


@dataclass(frozen=True)
class Period:
    """``[start, end)`` in UTC."""

    start: datetime
    end: datetime

    @property
    def start_us(self) -> int:
        return clock.micros(self.start)

    @property
    def end_us(self) -> int:
        return clock.micros(self.end)

    def to_json(self) -> dict[str, str]:
        return {"from": _stamp(self.start), "to": _stamp(self.end)}


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def parse_bound(raw: object, field: str, *, end: bool) -> datetime:
    """One bound as a UTC instant (``end``: a date means the day after it, 00:00)."""
    if not isinstance(raw, str):
        raise InvalidInput(f"{field} must be a string: YYYY-MM-DD or RFC 3339", field=field)
    try:
        if DATE.match(raw):
            day = date.fromisoformat(raw)
            moment = datetime(day.year, day.month, day.day, tzinfo=UTC)
            return moment + timedelta(days=1) if end else moment
        if TIME.match(raw):
            parsed = datetime.fromisoformat(raw.replace("Z", "+00:00")).astimezone(UTC)
            if parsed.year >= 1970:
                return parsed
    except (ValueError, OverflowError):
        raise InvalidInput(f"{field} is not a real date: {raw!r}", field=field) from None
    raise InvalidInput(
        f"{field} takes a date YYYY-MM-DD or an RFC 3339 time with an offset, not {raw!r}",
        field=field,
    )


def parse(raw_from: object, raw_to: object, *, default_days: int | None = None) -> Period:
    """``from`` and ``to`` as a ``Period``; with ``default_days``, a missing ``to`` is
    the end of today (UTC) and a missing ``from`` that many days before ``to``."""
    if default_days is None or raw_to is not None:
        end = parse_bound(raw_to, "to", end=True)
    else:
        today = clock.now().date()
        end = datetime(today.year, today.month, today.day, tzinfo=UTC) + timedelta(days=1)
    if default_days is None or raw_from is not None:
        start = parse_bound(raw_from, "from", end=False)
    else:
        start = end - timedelta(days=default_days)
    if start >= end:
        raise InvalidInput("from must be before to", field="to")
    if end - start > timedelta(days=MAX_DAYS):
        raise InvalidInput(f"a range is at most {MAX_DAYS} days", field="from")
    return Period(start, end)
