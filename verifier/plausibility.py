"""Whether the times a platform reports are plausible (docs/evidence-format.md, "Time
plausibility"): one rule, used by the ledger (timeline, refusal at ingest), the bundle
verifier (warnings) and the certificate (plain words beside each event).

Two kinds of finding:

- a **refusal** (``implausible``): an ``occurred_at`` more than ``FUTURE_LIMIT`` after the
  moment the ledger receives the event, or before ``EARLIEST``, is a client's bug, not
  evidence; the ledger answers 400 naming ``occurred_at`` and appends nothing;
- a **flag** (``flags``), kept with the evidence and shown, never refused:
  ``platform_time_after_receipt`` when the platform says the event happened more than
  the allowed clock skew after the ledger received it; ``out_of_order`` when an envelope's
  events contradict each other's platform times: an act before the envelope was sent, a
  completion before a signer signed, a signing act after completion.

Flags compare platform times only (``occurred_at``) with each other and with the ledger's
``received_at``; the log order itself is the order of receipt and is never a finding.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

FUTURE_LIMIT = timedelta(hours=24)
EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)
DEFAULT_SKEW = timedelta(seconds=300)

AFTER_RECEIPT = "platform_time_after_receipt"
OUT_OF_ORDER = "out_of_order"

SENT = "envelope.sent"
COMPLETED = "envelope.completed"
SIGNED = "recipient.signed"
# What may come before the envelope is sent: preparing it.
BEFORE_SENT = frozenset({"envelope.created", "document.added", SENT})
# What may still happen after completion: reading the completed documents.
AFTER_COMPLETED = frozenset({"recipient.viewed", "recipient.delivered", COMPLETED})


def parse_time(text: str) -> datetime:
    """An RFC 3339 time (as ``verifier.event.check_time`` accepts it) as aware UTC."""
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


def implausible(occurred_at: datetime, received_at: datetime) -> str | None:
    """Why ``occurred_at`` cannot be evidence of an event received at ``received_at``, or
    None. The ledger refuses such an event (400, field ``occurred_at``)."""
    if occurred_at < EARLIEST:
        return f"occurred_at is before {EARLIEST:%Y-%m-%d}: no signing platform recorded it"
    ahead = occurred_at - received_at
    if ahead > FUTURE_LIMIT:
        hours = ahead.total_seconds() / 3600
        return (
            f"occurred_at is {hours:.1f} h after the ledger received the event "
            f"(at most {FUTURE_LIMIT.total_seconds() / 3600:.0f} h ahead is accepted)"
        )
    return None


@dataclass(frozen=True)
class Timed:
    """One entry's clear fields that the rules read (from its leaf)."""

    seq: int
    type: str
    occurred_at: datetime
    received_at: datetime


@dataclass(frozen=True)
class Flag:
    """A finding about one entry, with the entry it conflicts with (``other``) and, for
    ``platform_time_after_receipt``, by how many seconds the platform time is ahead."""

    seq: int
    code: str  # AFTER_RECEIPT or OUT_OF_ORDER
    rule: str  # "after_receipt", "before_sent", "completed_before_signed", "after_completed"
    other: int | None = None
    seconds: int | None = None

    def describe(self) -> str:
        """The finding in plain English (the certificate words it in each language)."""
        if self.rule == "after_receipt":
            return (
                f"the platform time is {_duration(self.seconds or 0)} after the ledger "
                "received the event: the platform's clock or its report is wrong"
            )
        if self.rule == "before_sent":
            return f"the platform time is before the envelope was sent (seq {self.other})"
        if self.rule == "completed_before_signed":
            return f"the envelope was completed before a signer signed (seq {self.other})"
        return f"the platform time is after the envelope was completed (seq {self.other})"


def _duration(seconds: int) -> str:
    hours, rest = divmod(seconds, 3600)
    minutes = rest // 60
    if hours:
        return f"{hours} h {minutes} min"
    return f"{minutes} min {rest % 60} s" if minutes else f"{seconds} s"


def flags(entries: Sequence[Timed], skew: timedelta = DEFAULT_SKEW) -> list[Flag]:
    """Every flag of one envelope's entries (in seq order), sorted by seq."""
    found = [_after_receipt(e, skew) for e in entries]
    found += _order(entries)
    return sorted((f for f in found if f is not None), key=lambda f: (f.seq, f.rule))


def _after_receipt(e: Timed, skew: timedelta) -> Flag | None:
    ahead = e.occurred_at - e.received_at
    if ahead <= skew:
        return None
    return Flag(e.seq, AFTER_RECEIPT, "after_receipt", seconds=int(ahead.total_seconds()))


def _first(entries: Sequence[Timed], type_: str) -> Timed | None:
    of_type = [e for e in entries if e.type == type_]
    return min(of_type, key=lambda e: e.occurred_at) if of_type else None


def _order(entries: Sequence[Timed]) -> list[Flag]:
    found: list[Flag] = []
    sent, completed = _first(entries, SENT), _first(entries, COMPLETED)
    for e in entries:
        if e.type.startswith("x-"):  # a platform's own event: its place is not ours to judge
            continue
        if sent is not None and e.type not in BEFORE_SENT and e.occurred_at < sent.occurred_at:
            found.append(Flag(e.seq, OUT_OF_ORDER, "before_sent", other=sent.seq))
        elif (
            completed is not None
            and e.type not in AFTER_COMPLETED
            and e.occurred_at > completed.occurred_at
        ):
            found.append(Flag(e.seq, OUT_OF_ORDER, "after_completed", other=completed.seq))
    if completed is not None:
        late = [e for e in entries if e.type == SIGNED and e.occurred_at > completed.occurred_at]
        if late:
            last = max(late, key=lambda e: e.occurred_at)
            found.append(
                Flag(completed.seq, OUT_OF_ORDER, "completed_before_signed", other=last.seq)
            )
    return found


def codes(found: Sequence[Flag], seq: int) -> list[str]:
    """The distinct flag codes of entry ``seq`` (the timeline's ``flags``)."""
    return list(dict.fromkeys(f.code for f in found if f.seq == seq))
