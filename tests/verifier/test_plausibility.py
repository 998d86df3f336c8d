"""Time plausibility (verifier.plausibility): refusals and flags, rule by rule."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from verifier.plausibility import (
    AFTER_RECEIPT,
    OUT_OF_ORDER,
    Flag,
    Timed,
    codes,
    flags,
    implausible,
    parse_time,
)

T0 = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)


def timed(seq: int, type_: str, minutes: float, received: float | None = None) -> Timed:
    at = T0 + timedelta(minutes=minutes)
    return Timed(seq, type_, at, T0 + timedelta(minutes=minutes if received is None else received))


def test_parse_time_reads_offsets_and_z_as_utc() -> None:
    assert parse_time("2026-11-22T17:00:00+08:00") == T0
    assert parse_time("2026-11-22T09:00:00Z") == T0


@pytest.mark.parametrize(
    ("occurred", "refused"),
    [
        (T0 + timedelta(hours=24), False),
        (T0 + timedelta(hours=24, seconds=1), True),
        (T0 + timedelta(hours=7, minutes=45), False),
        (datetime(2099, 1, 1, tzinfo=UTC), True),
        (datetime(1990, 1, 1, tzinfo=UTC), False),
        (datetime(1989, 12, 31, 23, 59, 59, tzinfo=UTC), True),
        (datetime(1, 1, 1, tzinfo=UTC), True),
    ],
)
def test_implausible_times_are_refused(occurred: datetime, refused: bool) -> None:
    reason = implausible(occurred, T0)
    assert (reason is not None) == refused
    if refused:
        assert "occurred_at" in str(reason)


def test_platform_time_after_receipt_beyond_the_skew_is_flagged() -> None:
    late = timed(1, "envelope.completed", minutes=7 * 60 + 45, received=0)
    within = timed(2, "recipient.viewed", minutes=4, received=0)
    found = flags([late, within])
    assert found == [Flag(1, AFTER_RECEIPT, "after_receipt", seconds=(7 * 60 + 45) * 60)]
    assert found[0].describe().startswith("the platform time is 7 h 45 min after")
    assert flags([within], skew=timedelta(seconds=60))[0].code == AFTER_RECEIPT


def test_signed_before_sent_is_out_of_order() -> None:
    entries = [
        timed(0, "envelope.created", 0),
        timed(1, "recipient.signed", 5),
        timed(2, "envelope.sent", 10),
    ]
    assert flags(entries) == [Flag(1, OUT_OF_ORDER, "before_sent", other=2)]


def test_completed_before_every_signer_signed_is_out_of_order() -> None:
    entries = [
        timed(0, "envelope.sent", 0),
        timed(1, "recipient.signed", 5),
        timed(2, "envelope.completed", 6),
        timed(3, "recipient.signed", 9),
    ]
    found = flags(entries)
    assert Flag(2, OUT_OF_ORDER, "completed_before_signed", other=3) in found
    assert Flag(3, OUT_OF_ORDER, "after_completed", other=2) in found
    assert codes(found, 2) == [OUT_OF_ORDER]
    assert codes(found, 1) == []


def test_reading_after_completion_and_platform_events_are_not_findings() -> None:
    entries = [
        timed(0, "envelope.sent", 0),
        timed(1, "x-docuseal.form.started", -5),
        timed(2, "recipient.signed", 5),
        timed(3, "envelope.completed", 6),
        timed(4, "recipient.viewed", 60),
        timed(5, "x-adobesign.agreement_vaulted", 90),
    ]
    assert flags(entries) == []


def test_log_order_alone_is_never_a_finding() -> None:
    # Received in reverse order, but the platform times tell a normal story.
    entries = [
        timed(0, "envelope.completed", 10, received=12),
        timed(1, "recipient.signed", 5, received=12),
        timed(2, "envelope.sent", 0, received=12),
    ]
    assert flags(entries) == []


@given(
    st.lists(
        st.tuples(
            st.sampled_from(
                ["envelope.sent", "recipient.signed", "envelope.completed", "recipient.viewed"]
            ),
            st.integers(-10_000, 10_000),
            st.integers(-10_000, 10_000),
        ),
        max_size=12,
    )
)
def test_flags_name_only_entries_given_and_are_sorted(items: list[tuple[str, int, int]]) -> None:
    entries = [timed(i, t, o, r) for i, (t, o, r) in enumerate(items)]
    found = flags(entries)
    assert all(0 <= f.seq < len(entries) for f in found)
    assert found == sorted(found, key=lambda f: (f.seq, f.rule))
    assert all(f.describe() for f in found)
