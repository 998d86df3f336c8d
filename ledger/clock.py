"""Time as the service keeps it: aware UTC datetimes, also after a SQLite round trip."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)


def now() -> datetime:
    return datetime.now(UTC)


def aware(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; everything we store is UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def micros(moment: datetime) -> int:
    """Microseconds since 1970-01-01 UTC (``entries.occurred_us``): integers compare and
    subtract alike on SQLite and PostgreSQL."""
    return (aware(moment) - EPOCH) // MICROSECOND


def occurred_micros(occurred_at: str) -> int:
    """An event's RFC 3339 ``occurred_at`` (any offset) as ``micros`` of its UTC instant."""
    return micros(datetime.fromisoformat(occurred_at.replace("Z", "+00:00")))


def from_micros(value: int) -> datetime:
    return EPOCH + value * MICROSECOND
