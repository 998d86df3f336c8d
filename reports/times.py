"""Times on a certificate: UTC always, and the reader's zone when one was chosen.

Every time says its zone (point 6 of docs/certificate.md): ``2026-11-22 09:03:04 UTC``,
``2026-11-22 17:03:04 Asia/Shanghai``, or in the event table, whose column head names
the zone, ``2026-11-22 17:03:04.123 +08:00``. ISO 8601 dates and the 24-hour clock in
both editions.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

UTC_ZONE = ZoneInfo("UTC")


class Times:
    """How one edition writes times (``tz``: the reader's zone, or None for UTC only)."""

    def __init__(self, tz: ZoneInfo | None) -> None:
        self.tz = tz

    @staticmethod
    def _stamp(when: datetime, seconds_only: bool) -> str:
        text = when.strftime("%Y-%m-%d %H:%M:%S")
        return text if seconds_only else text + f".{when.microsecond // 1000:03d}"

    def utc(self, when: datetime | None, seconds_only: bool = False) -> str:
        if when is None:
            return "?"
        return self._stamp(when.astimezone(UTC_ZONE), seconds_only) + " UTC"

    def local(self, when: datetime | None, seconds_only: bool = False) -> str | None:
        if when is None or self.tz is None:
            return None
        return f"{self._stamp(when.astimezone(self.tz), seconds_only)} {self.tz.key}"

    def local_offset(self, when: datetime | None) -> str | None:
        """The reader's local time with its UTC offset (the zone is in the column head)."""
        if when is None or self.tz is None:
            return None
        local = when.astimezone(self.tz)
        offset = local.strftime("%z")
        return f"{self._stamp(local, False)} {offset[:3]}:{offset[3:]}"

    def inline(self, when: datetime | None, seconds_only: bool = True) -> str:
        """``2026-11-22 09:03:04 UTC (2026-11-22 17:03:04 Asia/Shanghai)``."""
        local = self.local(when, seconds_only)
        utc = self.utc(when, seconds_only)
        return f"{utc} ({local})" if local else utc

    def lines(self, when: datetime | None) -> list[str]:
        local = self.local(when)
        return [self.utc(when)] + ([local] if local else [])

    def offset(self, at: datetime) -> str:
        if self.tz is None:
            return "+00:00"
        text = at.astimezone(self.tz).strftime("%z")
        return f"{text[:3]}:{text[3:]}"

    def date(self, at: datetime) -> str:
        return at.astimezone(UTC_ZONE).strftime("%Y-%m-%d") + " (UTC)"
