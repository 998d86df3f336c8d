"""What the certificate says about each event beyond who and when: the facts platforms
report in ``data`` (docs/evidence-format.md, "Facts the platforms report"), the findings
about their times (``verifier.plausibility``), and which events a long envelope lists.

Everything here reads the bundle as ``reports.model`` does (a damaged value is skipped,
never an error); nothing here decides validity.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from reports.entries import Entry, parse_time
from reports.limits import LISTS
from reports.model import TITLE_KEYS
from verifier import plausibility
from verifier.plausibility import Flag

RECIPIENT_TIMES = ("sent", "delivered", "viewed", "authenticated", "signed", "declined")
RECIPIENT_FIELDS = ("name", "email", "phone", "role", "auth_method", "status")


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def findings(entries: Iterable[Entry], skew: int) -> dict[int, list[Flag]]:
    """The time-plausibility flags of an envelope's entries, by seq (an entry whose leaf
    or times cannot be read is not judged)."""
    timed = []
    for e in entries:
        occurred, received = e.platform_time, e.ledger_time
        if e.leaf is not None and occurred is not None and received is not None:
            timed.append(plausibility.Timed(e.seq, e.type, occurred, received))
    by_seq: dict[int, list[Flag]] = {}
    for flag in plausibility.flags(timed, timedelta(seconds=skew)):
        by_seq.setdefault(flag.seq, []).append(flag)
    return by_seq


def titles(e: Entry) -> list[tuple[str, str]]:
    """The titles this event reports: (field, value), in the order of ``TITLE_KEYS``."""
    return [(k, v) for k in TITLE_KEYS if (v := _text(e.data.get(k))) is not None]


def other_titles(entries: Iterable[Entry], first: str | None) -> list[str]:
    """Every distinct title reported besides ``first`` (the certificate's title)."""
    found = dict.fromkeys(v.strip() for e in entries for _, v in titles(e))
    return [t for t in found if t != first]


def reasons(e: Entry) -> list[tuple[str, str]]:
    """Every ``data`` field named ``...reason``: (field, value)."""
    return [(k, v) for k, v in e.data.items() if k.endswith("reason") and _text(v) is not None]


def signature_type(e: Entry) -> str | None:
    return _text(e.data.get("signature_type"))


def document_names(e: Entry) -> list[str]:
    names = e.data.get("document_names")
    return [n for n in names if _text(n) is not None] if isinstance(names, list) else []


def times_of(value: object) -> list[tuple[str, datetime | str]]:
    """``recipient_times``-shaped times: (name, time), a time that is not RFC 3339 kept
    as the platform wrote it."""
    if not isinstance(value, Mapping):
        return []
    found: list[tuple[str, datetime | str]] = []
    for name in (*RECIPIENT_TIMES, *(k for k in value if k not in RECIPIENT_TIMES)):
        raw = value.get(name)
        if isinstance(raw, str) and raw:
            found.append((str(name), parse_time(raw) or raw))
    return found


def recipient_times(e: Entry) -> list[tuple[str, datetime | str]]:
    return times_of(e.data.get("recipient_times"))


def generated_at(e: Entry) -> datetime | str | None:
    raw = _text(e.data.get("platform_generated_at"))
    return (parse_time(raw) or raw) if raw is not None else None


def source_field(e: Entry) -> str | None:
    """The platform field ``occurred_at`` was taken from (``data.occurred_at_source``)."""
    source = e.data.get("occurred_at_source")
    return _text(source.get("field")) if isinstance(source, Mapping) else None


def reported_recipients(e: Entry) -> list[Mapping[str, Any]]:
    people = e.data.get("recipients")
    return [p for p in people if isinstance(p, Mapping)] if isinstance(people, list) else []


@dataclass
class Recipient:
    """One recipient as the platforms' reports (``data.recipients``) describe them."""

    values: dict[str, str] = field(default_factory=dict)  # RECIPIENT_FIELDS
    times: dict[str, datetime | str] = field(default_factory=dict)


def recipients(entries: Iterable[Entry]) -> tuple[list[Recipient], list[int]]:
    """The recipients of every report, merged per person (name, e-mail, phone) with the
    latest report's values winning; and the seqs of the events that reported them."""
    people: dict[tuple[str | None, ...], Recipient] = {}
    seqs: list[int] = []
    for e in entries:
        reported = reported_recipients(e)
        if reported:
            seqs.append(e.seq)
        for person in reported:
            key = tuple(_text(person.get(k)) for k in ("name", "email", "phone"))
            found = people.setdefault(key, Recipient())
            for name in RECIPIENT_FIELDS:
                if (value := _text(person.get(name))) is not None:
                    found.values[name] = value
            found.times.update(times_of(person.get("times")))
    return list(people.values()), seqs


@dataclass(frozen=True)
class Listing:
    """The entries a certificate lists: all of them, or of a long envelope the first
    ones, the last ones and those with a finding (``reports.limits.LISTS``)."""

    shown: list[Entry]
    total: int
    head: int = 0
    tail: int = 0

    @property
    def complete(self) -> bool:
        return len(self.shown) == self.total

    @property
    def hidden(self) -> int:
        return self.total - len(self.shown)


def listing(entries: Sequence[Entry], marked: set[int]) -> Listing:
    """Which of ``entries`` to list; ``marked`` seqs (findings, failed checks) are listed
    up to ``LISTS["events_findings"]`` beyond the first and the last."""
    if len(entries) <= LISTS["events"]:
        return Listing(list(entries), len(entries))
    head, tail = LISTS["events_head"], LISTS["events_tail"]
    middle = [e for e in entries[head:-tail] if e.seq in marked][: LISTS["events_findings"]]
    shown = [*entries[:head], *middle, *entries[-tail:]]
    return Listing(shown, len(entries), head, tail)


def gaps(shown: Sequence[Entry], every: Sequence[Entry]) -> dict[int, tuple[int, int, int]]:
    """Before which shown entry (by seq) entries were left out: (first, last, count)."""
    index = {e.seq: i for i, e in enumerate(every)}
    found: dict[int, tuple[int, int, int]] = {}
    previous = -1
    for e in shown:
        at = index[e.seq]
        if at > previous + 1:
            found[e.seq] = (every[previous + 1].seq, every[at - 1].seq, at - previous - 1)
        previous = at
    return found
