"""The audit's results and its report (docs/design/EVIDENCE-FORMAT.md §6 reports;
docs/auditor-guide.md).

Failures are kept individually, at most ``MAX_REPORTED`` per check name, then counted;
the failure with the lowest seq comes first (and so in the bottom line), then those that
only bound a seq, in file order. Passes are counted per check name and reported once,
with a summary. Line numbers in reasons are the file's.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping

from verifier.report import Check, Status

AFTER_LEAVES = 1 << 62
"""``Results.line`` from here on counts the lines after the leaf section of a file
(``verifier.audit.files``): their numbers are known once that section is counted, which
``Results.number`` does only when a reason or a failure needs one (never, for a clean
file)."""

MAX_REPORTED = 100
"""Failures kept per check name; later ones are only counted."""

CHECK_ORDER = (
    "format",
    "key known",
    "seq",
    "leaf",
    "chain",
    "checkpoint signature",
    "checkpoint root",
    "coverage",
    "anchor token",
    "anchor covers checkpoint",
)


class Results:
    """What the checks found so far; ``line`` is the file line being read (see
    ``AFTER_LEAVES``)."""

    def __init__(self) -> None:
        self.line = 0
        self.lines_before_tail: Callable[[], int] = lambda: 0  # for AFTER_LEAVES
        self.finishing = False  # failures found at the end sort after every line
        self.passes: dict[str, int] = {}
        self.failed: dict[str, list[tuple[int, Check]]] = {}  # (line, check)
        self.fail_counts: dict[str, int] = {}
        self.notes: list[Check] = []  # individual checks that did not fail (anchors, skips)

    def number(self) -> int:
        """The file's number of the line being read."""
        line = self.line
        if line >= AFTER_LEAVES:
            line += self.lines_before_tail() - AFTER_LEAVES
        return line

    def fail(
        self,
        name: str,
        seq: int | None,
        reason: str,
        expected: object = None,
        actual: object = None,
    ) -> None:
        count = self.fail_counts.get(name, 0) + 1
        self.fail_counts[name] = count
        if count <= MAX_REPORTED:
            shown = [
                None if v is None else v.hex() if isinstance(v, bytes) else str(v)
                for v in (expected, actual)
            ]
            check = Check(name, "fail", seq, reason, shown[0], shown[1])
            line = sys.maxsize if self.finishing else self.number()
            self.failed.setdefault(name, []).append((line, check))

    def passed(self, name: str, n: int = 1) -> None:
        self.passes[name] = self.passes.get(name, 0) + n

    def count(self, name: str) -> int:
        """How many times ``name`` passed."""
        return self.passes.get(name, 0)

    def note(self, name: str, status: Status, reason: str) -> None:
        self.notes.append(Check(name, status, None, reason))

    def checks(
        self, summaries: Mapping[str, str], ran: Callable[[str], bool], last: list[Check]
    ) -> list[Check]:
        """Failures first (the first bad seq first), then per check name its summary (if
        it ran and nothing failed) and its notes, then ``last``."""
        failures: list[tuple[int, Check]] = []
        others: list[Check] = []
        for name in CHECK_ORDER:
            failed = self.failed.get(name, [])
            failures += failed
            more = self.fail_counts.get(name, 0) - len(failed)
            if more:
                summary = Check(name, "fail", None, f"{more:,} more {name} failures")
                failures.append((sys.maxsize, summary))
            if not failed and name in summaries and ran(name):
                others.append(Check(name, "pass", None, summaries[name]))
            others += [c for c in self.notes if c.name == name]
        # the first bad seq first; then failures that only bound it (seq None), by line
        order = {name: n for n, name in enumerate(CHECK_ORDER)}
        failures.sort(key=lambda f: (f[1].seq is None, f[1].seq or 0, f[0], order[f[1].name]))
        return [check for _, check in failures] + others + last
