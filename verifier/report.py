"""Verification reports: named checks and a one-sentence verdict (docs/design/EVIDENCE-FORMAT.md
§6).

A report is a list of ``Check`` results, each naming what was checked (``"chain"``,
``"inclusion"``...), the entry's ``seq`` when the check is about one entry, and, when it
failed, the reason and what was expected against what was found. ``verify_bundle``
(``verifier.bundle``) and the log audit (``verifier.audit``) both produce one.

Statuses:

- ``pass``: the check holds;
- ``fail``: it does not: the evidence is invalid;
- ``erased``: the entry's content was erased (GDPR Art 17, PIPL Art 47); its leaf, chain
  and proofs still hold, so this is not a failure;
- ``pending``: the check cannot hold yet (no RFC 3161 anchor so far); not a failure;
- ``skipped``: the check does not apply (nothing to check, or an earlier failure left
  nothing to check it against); never a failure by itself;
- ``warning``: the evidence holds, but a reader should know something about it (a
  platform time the ledger flagged, docs/evidence-format.md "Time plausibility"); never
  a failure.

A report is ``valid`` when no check failed. Its ``bottom_line`` starts with ``VALID``,
``PENDING`` (valid, but some check is pending) or ``INVALID`` (naming the first failure),
and says how many warnings a valid report carries and the first of them.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any, Literal

Status = Literal["pass", "fail", "erased", "pending", "skipped", "warning"]
STATUSES: tuple[Status, ...] = ("pass", "fail", "erased", "pending", "skipped", "warning")
SHOWN = 80
"""Characters of an untrusted value a reason quotes (``show``)."""


@dataclass(frozen=True, slots=True)
class Check:
    """One check: its name, result, the entry it concerns, and why."""

    name: str
    status: Status
    seq: int | None
    reason: str
    expected: str | None = None
    actual: str | None = None

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"check status must be one of {STATUSES}, not {self.status!r}")

    def describe(self) -> str:
        """``chain at seq 41: <reason> (expected X, found Y)``."""
        where = f"{self.name} at seq {self.seq}" if self.seq is not None else self.name
        text = f"{where}: {self.reason}"
        if self.expected is not None or self.actual is not None:
            text += f" (expected {self.expected}, found {self.actual})"
        return text


@dataclass(frozen=True, slots=True)
class VerificationReport:
    """The checks made on ``subject`` and, in ``claim``, what they prove when all hold.

    ``claim`` is a sentence fragment such as "7 entries of envelope env-1 are in log X at
    size 120, anchored by 1 TSA at 2026-..."; when empty the bottom line falls back to
    ``subject``.
    """

    checks: tuple[Check, ...]
    subject: str
    claim: str = ""

    @property
    def failures(self) -> tuple[Check, ...]:
        return tuple(c for c in self.checks if c.status == "fail")

    @property
    def warnings(self) -> tuple[Check, ...]:
        return tuple(c for c in self.checks if c.status == "warning")

    @property
    def valid(self) -> bool:
        """No check failed (erased, pending, skipped and warning checks are not failures)."""
        return not any(c.status == "fail" for c in self.checks)

    @property
    def pending(self) -> bool:
        """Valid so far, but some check is still pending (not yet anchored)."""
        return self.valid and any(c.status == "pending" for c in self.checks)

    @property
    def verdict(self) -> Literal["valid", "invalid", "pending"]:
        if not self.valid:
            return "invalid"
        return "pending" if self.pending else "valid"

    def count(self, status: Status, name: str | None = None) -> int:
        """How many checks (of ``name``, if given) have ``status``."""
        return sum(1 for c in self.checks if c.status == status and name in (None, c.name))

    @property
    def bottom_line(self) -> str:
        """One sentence for a human: the verdict, what it rests on, or the first failure."""
        failures = self.failures
        if failures:
            more = len(failures) - 1
            tail = f" ({more} more failure{'s' if more != 1 else ''})" if more else ""
            return f"INVALID: {failures[0].describe()}{tail}"
        claim = self.claim or f"{self.subject}: {len(self.checks)} checks hold"
        erased = self.count("erased")
        if erased:
            entries = "entry's" if erased == 1 else "entries'"
            claim += f"; {erased} {entries} content erased"
        claim += _warned(self.warnings)
        if self.pending:
            reasons = list(dict.fromkeys(c.reason for c in self.checks if c.status == "pending"))
            return f"PENDING: {claim}; {'; '.join(reasons)}"
        return f"VALID: {claim}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "valid": self.valid,
            "verdict": self.verdict,
            "bottom_line": self.bottom_line,
            "subject": self.subject,
            "claim": self.claim,
            "failures": [asdict(c) for c in self.failures],
            "warnings": [asdict(c) for c in self.warnings],
            "checks": [asdict(c) for c in self.checks],
        }

    def to_json(self) -> str:
        """The report as JSON: verdict, bottom line, failures first, then every check."""
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False)


def _warned(warnings: tuple[Check, ...]) -> str:
    """``; 2 warnings, the first: <check>`` for the bottom line (empty without warnings)."""
    if not warnings:
        return ""
    first = warnings[0].describe()
    if len(warnings) == 1:
        return f"; 1 warning: {first}"
    return f"; {len(warnings)} warnings, the first: {first}"


# --- the words of reasons and claims --------------------------------------------------------


def plural(n: int, one: str, many: str | None = None) -> str:
    """``1 entry``, ``2,000 entries``: a count and its noun, as reports write them."""
    return f"{n:,} {one if n == 1 else many or one + 's'}"


def show(value: object) -> str:
    """An untrusted value in a reason: its ``repr``, cut after ``SHOWN`` characters so that
    a huge input gives a short message."""
    text = repr(value)
    return text if len(text) <= SHOWN else text[:SHOWN] + "..."


def utc_text(when: datetime) -> str:
    """RFC 3339 in UTC with ``Z``, as the evidence formats write times."""
    return when.astimezone(UTC).isoformat().replace("+00:00", "Z")
