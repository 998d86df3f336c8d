"""Platform time formats → RFC 3339 with an explicit offset (ledger/adapters/times.py)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from ledger.adapters.times import CHINA, china_time, epoch_millis, iso_instant, opensign_time
from ledger.errors import InvalidInput
from verifier.event import check_time


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-11-19T08:05:11.4233752Z", "2026-11-19T08:05:11.423375+00:00"),  # .NET ticks, cut
        ("2026-11-19T08:05:11.9999999Z", "2026-11-19T08:05:11.999999+00:00"),  # never rounded up
        ("2026-11-19T09:12:41Z", "2026-11-19T09:12:41+00:00"),
        ("2026-11-19T10:02:32.044Z", "2026-11-19T10:02:32.044000+00:00"),
        ("2026-11-19T10:02:32.044+08:00", "2026-11-19T10:02:32.044000+08:00"),
        ("2026-11-19T10:02:32-0330", "2026-11-19T10:02:32-03:30"),
        ("2026-11-19 17:10:00", "2026-11-19T17:10:00+00:00"),  # naive: the zone given (UTC)
    ],
)
def test_iso_instants(value: str, expected: str) -> None:
    assert iso_instant(value, "t", UTC) == expected
    assert check_time(expected, "occurred_at") == expected


def test_naive_local_times_take_the_platform_zone() -> None:
    assert china_time("2026-11-19 17:10:00", "readTime") == "2026-11-19T17:10:00+08:00"
    assert iso_instant("2026-11-19T17:10:00", "t", CHINA) == "2026-11-19T17:10:00+08:00"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1795080031000, "2026-11-19T17:20:31+08:00"),
        ("1795080031000", "2026-11-19T17:20:31+08:00"),
        (1795080099500, "2026-11-19T17:21:39.500000+08:00"),
        (0, "1970-01-01T08:00:00+08:00"),
    ],
)
def test_epoch_millis(value: int | str, expected: str) -> None:
    assert epoch_millis(value, "t", CHINA) == expected
    assert datetime.fromisoformat(expected).timestamp() * 1000 == int(value)


@pytest.mark.parametrize("value", ["", "17.5", "-1", "1e12", True, None, 10**17, [1]])
def test_what_is_no_epoch_millis_is_malformed(value: object) -> None:
    with pytest.raises(InvalidInput) as refused:
        epoch_millis(value, "t", CHINA)
    assert refused.value.code == "malformed_delivery"


@pytest.mark.parametrize(
    "value", ["2026-11-19", "2026-13-01T00:00:00Z", "19/11/2026 10:00", 1795080031000, None]
)
def test_what_is_no_iso_time_is_malformed(value: object) -> None:
    with pytest.raises(InvalidInput) as refused:
        iso_instant(value, "t", UTC)
    assert refused.value.field == "t"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Fri, 16 May 2025 16:18:34 GMT+5:30", "2025-05-16T16:18:34+05:30"),
        ("Fri, 16 May 2025 15:02:42 IST", "2025-05-16T15:02:42+05:30"),
        ("Sat, 20 Dec 2025 00:58:20 GMT+9:30", "2025-12-20T00:58:20+09:30"),
        ("Thu, 19 Nov 2026 18:48:35 GMT+8", "2026-11-19T18:48:35+08:00"),
        ("Thu, 19 Nov 2026 07:55:38 GMT-3", "2026-11-19T07:55:38-03:00"),
        ("Thu, 19 Nov 2026 07:55:38 GMT", "2026-11-19T07:55:38+00:00"),
        ("Thu, 19 Nov 2026 07:55:38 UTC", "2026-11-19T07:55:38+00:00"),
        ("Thu, 19 Nov 2026 07:55:38 CEST", None),  # an abbreviation we do not guess
        ("Thu, 19 Nov 2026 07:55:38 GMT+19", None),
        ("2026-11-19T07:55:38Z", None),
        ("Thu, 31 Nov 2026 07:55:38 GMT", None),
        (None, None),
    ],
)
def test_opensign_times(value: str | None, expected: str | None) -> None:
    assert opensign_time(value) == expected
