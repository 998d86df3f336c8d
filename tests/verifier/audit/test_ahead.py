"""Checkpoint signatures verified ahead (verifier.audit.ahead): while the main process of
a file audit waits for its workers, it verifies the signatures of the checkpoints further
on; each distinct note once, its outcome (the checkpoint, or the error) taken when the
audit reaches the record, and the report exactly the one process's."""

from __future__ import annotations

import base64
import io
import json
import time
from pathlib import Path

import pytest

from tests.verifier.audit.helpers import CHUNK, before_each_region, results, verified_notes
from verifier import checkpoint as notes
from verifier.audit import LogAudit, ahead, audit_file
from verifier.audit.checkpoints import Checkpoints
from verifier.checkpoint import NoteSigner
from verifier.errors import SignatureError, VerificationError


@pytest.fixture
def slow_workers(forking: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """Workers forked (whatever threads this test process runs) that take 10 ms more per
    region: the main process waits for them, and verifies ahead meanwhile."""
    before_each_region(monkeypatch, lambda offset: time.sleep(0.01))


def checkpoint_lines(path: Path) -> list[bytes]:
    return [x for x in path.read_bytes().splitlines(keepends=True) if b'"checkpoint"' in x[:20]]


@pytest.mark.usefixtures("slow_workers")
def test_each_signature_is_verified_once_ahead_and_a_repeat_not_again(
    export: tuple[Path, NoteSigner], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path, signer = export
    checkpoints = checkpoint_lines(path)
    repeated = tmp_path / "repeated.jsonl"
    repeated.write_bytes(path.read_bytes() + b"".join(checkpoints[:40]))
    one = audit_file(repeated, [signer.vkey], [], jobs=1)
    seen, stepped = verified_notes(monkeypatch), results(monkeypatch, ahead.Ahead, "step")
    two = audit_file(repeated, [signer.vkey], [], jobs=2, chunk_bytes=CHUNK)
    assert two.to_dict() == one.to_dict()
    assert two.valid
    assert "40 repeated records counted once" in two.checks[0].reason
    assert len(seen) == len(set(seen)) == len(checkpoints)  # once each, the repeats never
    assert stepped.count(True) > 0  # some while the workers hashed


def flipped(line: bytes) -> bytes:
    """A checkpoint record line with a bit of its signature flipped."""
    record = json.loads(line)
    text, _, signature = record["note"].rstrip("\n").rpartition(" ")
    raw = bytearray(base64.b64decode(signature))
    raw[-1] ^= 1
    record["note"] = f"{text} {base64.b64encode(bytes(raw)).decode()}\n"
    return json.dumps(record, separators=(",", ":"), ensure_ascii=False).encode() + b"\n"


@pytest.mark.usefixtures("slow_workers")
def test_a_signature_that_fails_ahead_is_reported_where_the_audit_reads_it(
    export: tuple[Path, NoteSigner], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path, signer = export
    lines = path.read_bytes().splitlines(keepends=True)
    at = next(i for i, x in enumerate(lines) if x.startswith(b'{"type":"checkpoint","size":760,'))
    lines[at] = flipped(lines[at])
    forged = tmp_path / "forged.jsonl"
    forged.write_bytes(b"".join(lines))
    one = audit_file(forged, [signer.vkey], [], jobs=1)
    stepped = results(monkeypatch, ahead.Ahead, "step")
    two = audit_file(forged, [signer.vkey], [], jobs=2, chunk_bytes=CHUNK)
    assert two.to_dict() == one.to_dict()
    (failure,) = two.failures
    assert failure.name == "checkpoint signature"
    assert failure.reason.startswith("checkpoint at size 760: the signature by test.example-log")
    assert stepped.count(True) > 0


def checkpoints_of(path: Path, vkey: str) -> Checkpoints:
    """The checkpoints of an audit of ``path`` that has read its header."""
    audit = LogAudit(None, None, [vkey], [])
    audit.feed_line(path.read_bytes().split(b"\n", 1)[0])
    return audit.checkpoints


def sizes(verified: dict[str, notes.Checkpoint | VerificationError]) -> list[int | None]:
    return [v.size if isinstance(v, notes.Checkpoint) else None for v in verified.values()]


def test_at_most_limit_outcomes_wait_and_lines_the_audit_passed_are_skipped(
    export: tuple[Path, NoteSigner], monkeypatch: pytest.MonkeyPatch
) -> None:
    path, signer = export
    monkeypatch.setattr(ahead, "LIMIT", 5)
    checkpoints = checkpoints_of(path, signer.vkey)
    reading = ahead.Ahead(io.BytesIO(b"".join(checkpoint_lines(path))), checkpoints)
    reading.passed = 3  # the audit has read three lines already
    while reading.step():
        pass
    verified = checkpoints.verified
    assert len(verified) == 5
    assert sizes(verified) == [76 * k for k in range(4, 9)]
    assert list(verified.values()) == [notes.verify(n, [signer.vkey]) for n in verified]
    verified.clear()  # the audit took them: the next ones
    assert reading.step()
    assert sizes(verified) == [76 * 9]


def test_a_record_the_audit_checked_before_is_not_verified_ahead(
    export: tuple[Path, NoteSigner],
) -> None:
    path, signer = export
    first = checkpoint_lines(path)[0]
    checkpoints = checkpoints_of(path, signer.vkey)
    record = json.loads(first)
    checkpoints.record(record["size"], record["note"])  # the audit read it (a repeat follows)
    reading = ahead.Ahead(io.BytesIO(first * 3), checkpoints)
    assert not reading.step()
    assert checkpoints.verified == {}


def test_a_note_by_an_untrusted_key_waits_as_its_error(export: tuple[Path, NoteSigner]) -> None:
    path, _ = export
    other = NoteSigner.generate("elsewhere")
    checkpoints = checkpoints_of(path, other.vkey)
    reading = ahead.Ahead(io.BytesIO(checkpoint_lines(path)[0] * 2), checkpoints)
    assert reading.step()
    assert not reading.step()  # the same record again: verified once
    (outcome,) = checkpoints.verified.values()
    assert isinstance(outcome, SignatureError)
    assert "no signature by a trusted key" in outcome.message
