"""Platform time formats → RFC 3339 with an explicit offset (docs/design/EVIDENCE-FORMAT.md §1).

Fractions are truncated (not rounded) to microseconds. A time without an offset is
read in the zone the platform's documentation implies, passed in by the adapter
(docs/platforms/: UTC for DocuSign, Asia/Shanghai for e签宝); epoch milliseconds are
written in the platform's display zone, the instant being the same in any zone.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from ledger.adapters.base import malformed

CHINA = timezone(timedelta(hours=8), "UTC+08:00")  # Asia/Shanghai, no DST since 1991
ISO = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?"
    r"(Z|[+-]\d{2}:?\d{2})?\Z"
)
MILLIS = re.compile(r"(0|[1-9][0-9]{0,15})\Z")
MILLIS_MAX = 253402300799999  # 9999-12-31T23:59:59.999Z


def rfc3339(moment: datetime) -> str:
    return moment.isoformat()


def iso_instant(value: Any, field: str, naive_zone: timezone) -> str:
    """ISO 8601 date-time (``T`` or a space, any fraction, ``Z``/±hh:mm or none)."""
    match = ISO.match(value) if isinstance(value, str) else None
    if match is None:
        raise malformed(f"{field} is not an ISO 8601 date-time: {value!r}", field)
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    micro = int((fraction or "").ljust(6, "0")[:6])
    try:
        moment = datetime(
            int(year), int(month), int(day), int(hour), int(minute), int(second), micro
        )
    except ValueError:
        raise malformed(f"{field} is not a real date and time: {value!r}", field) from None
    return rfc3339(moment.replace(tzinfo=_zone(zone) if zone else naive_zone))


def _zone(text: str) -> timezone:
    if text == "Z":
        return UTC
    digits = text[1:].replace(":", "")
    offset = timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
    return timezone(-offset if text[0] == "-" else offset)


def epoch_millis(value: Any, field: str, zone: timezone) -> str:
    """Milliseconds since the epoch, as a JSON number or a string of digits."""
    if isinstance(value, str) and MILLIS.match(value):
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MILLIS_MAX:
        raise malformed(f"{field} is not epoch milliseconds: {value!r}", field)
    seconds, millis = divmod(value, 1000)
    return rfc3339(datetime.fromtimestamp(seconds, zone) + timedelta(milliseconds=millis))


def china_time(value: Any, field: str) -> str:
    """e签宝 and eSignGlobal: epoch milliseconds, or ``yyyy-MM-dd HH:mm:ss`` Beijing time."""
    if isinstance(value, str) and not MILLIS.match(value):
        return iso_instant(value, field, CHINA)
    return epoch_millis(value, field, CHINA)


# OpenSign: "Fri, 16 May 2025 16:18:34 GMT+5:30" (dayjs-like, not ISO).
OPENSIGN = re.compile(
    r"[A-Z][a-z]{2}, (\d{1,2}) ([A-Z][a-z]{2}) (\d{4}) (\d{2}):(\d{2}):(\d{2}) "
    r"(?:(?:GMT|UTC)(?:([+-])(\d{1,2})(?::?(\d{2}))?)?|(IST))\Z"
)
MONTHS = {
    month: i
    for i, month in enumerate(
        ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), 1
    )
}
IST = timedelta(hours=5, minutes=30)  # OpenSign's examples pair IST with GMT+5:30


def opensign_time(value: Any) -> str | None:
    """RFC 3339 for ``ddd, DD MMM YYYY HH:mm:ss GMT±H[:MM]`` (or ``GMT``, ``UTC``, ``IST``);
    None for any other zone name or shape (the caller decides what then)."""
    match = OPENSIGN.match(value) if isinstance(value, str) else None
    if match is None or match.group(2) not in MONTHS:
        return None
    day, month, year, hour, minute, second, sign, hours, minutes, ist = match.groups()
    offset = IST if ist else timedelta(hours=int(hours or 0), minutes=int(minutes or 0))
    if offset > timedelta(hours=18):
        return None
    zone = timezone(-offset if sign == "-" else offset)
    try:
        moment = datetime(
            int(year), MONTHS[month], int(day), int(hour), int(minute), int(second), tzinfo=zone
        )
    except ValueError:
        return None
    return rfc3339(moment)
