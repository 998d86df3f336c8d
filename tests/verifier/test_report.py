"""Verification reports (verifier.report): a warning is shown, counted and never a failure."""

from __future__ import annotations

from verifier.report import Check, VerificationReport

HOLDS = Check("chain", "pass", 0, "chain ok")
LATE = Check("time plausibility", "warning", 3, "the platform time is 7 h 45 min after ...")
EARLY = Check("time plausibility", "warning", 1, "the platform time is before the envelope ...")


def test_a_warning_leaves_the_verdict_valid_and_is_in_the_bottom_line() -> None:
    report = VerificationReport((HOLDS, LATE), "envelope env-1", "1 entry of envelope env-1")
    assert (report.valid, report.verdict) == (True, "valid")
    assert report.bottom_line == (
        "VALID: 1 entry of envelope env-1; 1 warning: time plausibility at seq 3: "
        "the platform time is 7 h 45 min after ..."
    )
    assert [w["seq"] for w in report.to_dict()["warnings"]] == [3]
    assert report.to_dict()["failures"] == []


def test_several_warnings_are_counted_and_a_failure_still_decides() -> None:
    report = VerificationReport((HOLDS, EARLY, LATE), "envelope env-1")
    assert "; 2 warnings, the first: time plausibility at seq 1: " in report.bottom_line
    failed = Check("chain", "fail", 2, "chain broken", "aa", "bb")
    invalid = VerificationReport((failed, LATE), "envelope env-1")
    assert invalid.bottom_line.startswith("INVALID: chain at seq 2: chain broken")
    assert "warning" not in invalid.bottom_line
