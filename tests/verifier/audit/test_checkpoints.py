"""Checkpoint records (verifier.audit.checkpoints): a record repeated is checked once and
counted once, however far apart its copies; the claim counts distinct checkpoints."""

from __future__ import annotations

import json

import pytest

from tests.bundles import Log
from tests.verifier.audit.helpers import verified_notes
from verifier.audit import LogAudit
from verifier.checkpoint import NoteSigner
from verifier.report import VerificationReport


@pytest.fixture(scope="module")
def log() -> Log:
    log = Log()
    log.fill(50)
    return log


def audit(log: Log, lines: list[bytes]) -> VerificationReport:
    return LogAudit(None, None, [log.vkey], []).audit_lines(lines)


def summary(report: VerificationReport, name: str) -> str:
    return next(c.reason for c in report.checks if c.name == name and c.status == "pass")


def test_repeated_records_are_verified_once_and_counted_once(
    log: Log, monkeypatch: pytest.MonkeyPatch
) -> None:
    lines = log.export([10, 20, 50])
    verified = verified_notes(monkeypatch)
    # in a row, and apart: 10 20 50 50 50 10 20 10
    tail = lines[-3:]
    report = audit(log, [*lines, tail[2], tail[2], tail[0], tail[1], tail[0]])
    assert report.valid
    assert len(verified) == 3
    assert "3 signed checkpoints agree (newest at size 50)" in report.bottom_line
    assert summary(report, "format").endswith("; 5 repeated records counted once")
    assert summary(report, "checkpoint signature").startswith("3 checkpoints signed")


def test_a_repeated_bad_record_is_one_failure(log: Log) -> None:
    lines = log.export([10, 50])
    record = json.loads(lines[-2])
    note = record["note"].replace("\n10\n", "\n11\n")  # another size under the same signature
    bad = json.dumps({"type": "checkpoint", "size": 11, "note": note}).encode() + b"\n"
    report = audit(log, [*lines, bad, lines[-1], bad, bad])
    failures = [(c.name, c.reason) for c in report.failures]
    assert len(failures) == 1
    assert failures[0][0] == "checkpoint signature"


def test_two_signed_notes_of_one_size_are_one_checkpoint(log: Log) -> None:
    """During a key rotation a size may be signed by two keys: one tree head."""
    other = log.checkpoint(50, signers=[log.signer, NoteSigner.generate("other")])
    lines = log.export([50])
    extra = json.dumps({"type": "checkpoint", "size": 50, "note": other}).encode() + b"\n"
    report = audit(log, [*lines, extra])
    assert report.valid
    assert "1 signed checkpoint agree (newest at size 50)" in report.bottom_line
    assert summary(report, "checkpoint signature").startswith("2 checkpoints signed")
