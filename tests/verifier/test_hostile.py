"""Hostile files, as an auditor receives them from an untrusted party: each is made here,
on the fly, and ``ledger-verify`` runs on it in a process of its own, measured
(tests/measure.py). Memory stays bounded by the largest legitimate item, far below the
file; repeated records cost a lookup, not a signature verification; the verdict comes
with a clear reason and the right exit code.

The sizes are those of the reports scaled down (hundreds of MB, not GB) so that each
case takes seconds; what they show does not depend on the scale: the peak memory is the
same for a file ten times larger, since nothing is read beyond a limit.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.bundles import Log, event, write_export
from tests.measure import measured
from verifier.audit import MAX_LINE
from verifier.limits import MAX_STRING

BIG = 256 << 20  # the size of the hostile item: far above any limit
BOUND_MB = 100  # peak memory of every case: the verifier's own size, and a limit's worth


@pytest.fixture(scope="module")
def log() -> Log:
    log = Log()
    for seq in range(20):
        log.append(event("env-1" if seq % 3 else "env-2", seq))
    return log


def verify(*args: str) -> list[str]:
    return ["-m", "verifier", *args]


def write_with(path: Path, doc: object, marker: str, fill: Iterator[bytes]) -> None:
    """``doc`` as JSON, with the string ``marker`` replaced by the bytes of ``fill``."""
    head, tail = json.dumps(doc).encode().split(json.dumps(marker).encode())
    with path.open("wb") as f:
        f.write(head)
        for piece in fill:
            f.write(piece)
        f.write(tail)


# --- log exports ------------------------------------------------------------------------------


def test_a_checkpoint_repeated_is_checked_once_at_a_constant_cost(log: Log, tmp_path: Path) -> None:
    """The report's case: one signed checkpoint repeated 5 million times, checked record by
    record (37 s per 200,000) and accepted as 200,005 agreeing checkpoints."""
    lines = log.export([10, 20])
    times = {}
    for repeats in (20_000, 200_000):
        path = tmp_path / f"repeated-{repeats}.jsonl"
        path.write_bytes(b"".join(lines) + lines[-1] * repeats)
        run = measured(verify("log", "--export", str(path), "--log-key", log.vkey, "--json"))
        assert run.code == 0, run.stdout + run.stderr
        report = json.loads(run.stdout)
        assert "2 signed checkpoints agree" in report["bottom_line"]
        fmt = next(c for c in report["checks"] if c["name"] == "format")
        assert f"{repeats:,} repeated records counted once" in fmt["reason"]
        assert run.peak_mb < BOUND_MB
        times[repeats] = run.cpu_seconds  # not the wall clock: other work may share the cores
    per_record = (times[200_000] - times[20_000]) / 180_000
    assert per_record < 30e-6  # an Ed25519 verification costs about 110 µs


def test_a_line_without_a_newline_is_refused_unread(log: Log, tmp_path: Path) -> None:
    """The report's case: a 500 MB line without a newline, which peaked at 1.45 GB."""
    path = tmp_path / "long-line.jsonl"
    lines = log.export([20])
    with path.open("wb") as f:
        f.writelines(lines[:8])
        f.write(b'{"type":"leaf","seq":7,"leaf":"')
        for _ in range(BIG >> 20):
            f.write(b"A" * (1 << 20))
    run = measured(verify("log", "--export", str(path), "--log-key", log.vkey))
    assert run.code == 1, run.stdout + run.stderr
    assert f"line 9 is longer than {MAX_LINE:,} bytes: refused unread" in run.stdout
    assert run.peak_mb < BOUND_MB
    assert run.seconds < 60


def test_a_huge_string_field_in_a_log_line_is_refused_unread(log: Log, tmp_path: Path) -> None:
    """The report's case: a 200 MB string field, which peaked at 857 MB; here in a leaf
    record among the others, so that the rest of the log is still audited."""
    lines = log.export([10, 20])
    path = tmp_path / "long-field.jsonl"
    record = {"type": "leaf", "seq": 5, "leaf": "HUGE", "leaf_hash": "00", "chain": "00"}
    head, tail = json.dumps(record).encode().split(b"HUGE")
    with path.open("wb") as f:
        f.writelines(lines[:6])
        f.write(head + b"QUJD" * (BIG // 4) + tail + b"\n")
        f.writelines(lines[7:])
    run = measured(verify("log", "--export", str(path), "--log-key", log.vkey))
    assert run.code == 1
    assert run.stdout.startswith("INVALID: format at seq 5: line 7 is longer than")
    assert run.peak_mb < BOUND_MB


# --- bundles -----------------------------------------------------------------------------------


def test_a_bundle_whose_proof_has_millions_of_hashes_is_refused_as_it_streams(
    log: Log, tmp_path: Path
) -> None:
    """The report's case: a 670 MB bundle whose inclusion proof has 10 million hashes,
    which peaked at 2.97 GB before the length check refused it."""
    doc = log.bundle("env-1", 20, [], status="pending")
    doc["entries"][0]["inclusion"] = "PROOF"
    path = tmp_path / "long-proof.json"
    piece = b",".join([b'"' + b"ab" * 32 + b'"'] * 10_000)
    pieces = BIG // len(piece) + 1
    write_with(path, doc, "PROOF", _proof(piece, pieces))
    assert path.stat().st_size > BIG
    run = measured(verify("bundle", str(path), "--log-key", log.vkey))
    assert run.code == 2, run.stdout + run.stderr
    assert "entries/*/inclusion has more than 64 items" in run.stdout
    assert run.peak_mb < BOUND_MB
    assert run.seconds < 30


def test_a_bundle_with_a_huge_string_field_is_refused_as_it_streams(
    log: Log, tmp_path: Path
) -> None:
    doc = log.bundle("env-1", 20, [], status="pending")
    doc["entries"][0]["event"]["data"]["note"] = "HUGE"
    path = tmp_path / "long-string.json"
    write_with(path, doc, "HUGE", _string(BIG >> 20))
    run = measured(verify("bundle", str(path), "--log-key", log.vkey))
    assert run.code == 2, run.stdout + run.stderr
    assert f"a string longer than {MAX_STRING:,} bytes" in run.stdout
    assert run.peak_mb < BOUND_MB


def _proof(piece: bytes, pieces: int) -> Iterator[bytes]:
    yield b"["
    for i in range(pieces):
        yield (b"," if i else b"") + piece
    yield b"]"


def _string(megabytes: int) -> Iterator[bytes]:
    yield b'"'
    for _ in range(megabytes):
        yield b"x" * (1 << 20)
    yield b'"'


def test_a_huge_line_among_many_leaves_is_read_no_further_than_the_limit(
    tmp_path: Path,
) -> None:
    """Among enough leaves for several regions (verifier.audit.reader), so that the
    region holding the line is read line by line, bounded, and the others are hashed."""
    export = tmp_path / "export.jsonl"
    signer = write_export(export, 12_000, checkpoints=100)
    lines = export.read_bytes().splitlines(keepends=True)
    path = tmp_path / "huge-line.jsonl"
    with path.open("wb") as f:
        f.writelines(lines[: 1 + 6_000])
        f.write(b'{"type":"leaf","seq":6000,"leaf":"')
        for _ in range(BIG >> 20):
            f.write(b"A" * (1 << 20))
        f.write(b'"}\n')
        f.writelines(lines[1 + 6_001 :])
    run = measured(verify("log", "--export", str(path), "--log-key", signer.vkey))
    assert run.code == 1, run.stdout + run.stderr
    assert run.stdout.startswith(
        f"INVALID: format at seq 6000: line 6002 is longer than {MAX_LINE:,} bytes"
    )
    assert run.peak_mb < BOUND_MB


@pytest.mark.parametrize("given", ["file", "stdin"])
def test_every_other_leaf_damaged_costs_little_more_per_line(tmp_path: Path, given: str) -> None:
    """Every other leaf line states another leaf hash: each is reported (up to the limit)
    and counted, and each scan of the lines after one checks little more than the lines
    it takes. Before, each damaged line cost a scan of 512 lines: 3.7 ms a line, a
    minute for 31,000 lines."""
    clean = tmp_path / "clean.jsonl"
    signer = write_export(clean, 6_000, checkpoints=60)
    lines = clean.read_bytes().splitlines(keepends=True)
    for at in range(1, 1 + 6_000, 2):
        record = json.loads(lines[at])
        digit = "0" if record["leaf_hash"][0] != "0" else "1"
        record["leaf_hash"] = digit + record["leaf_hash"][1:]
        lines[at] = json.dumps(record, separators=(",", ":")).encode() + b"\n"
    damaged = tmp_path / "damaged.jsonl"
    damaged.write_bytes(b"".join(lines))
    cpu = {}
    for path in (clean, damaged):
        export, stdin = (str(path), None) if given == "file" else ("-", path)
        run = measured(verify("log", "--export", export, "--log-key", signer.vkey), stdin=stdin)
        assert run.code == (0 if path == clean else 1), run.stdout + run.stderr
        assert run.peak_mb < BOUND_MB
        cpu[path] = run.cpu_seconds
    assert run.stdout.startswith("INVALID: leaf at seq 0: leaf_hash is not the hash of the leaf")
    per_line = (cpu[damaged] - cpu[clean]) / 3_000
    assert per_line < 1e-3  # the strict path's reading of the line is most of it


@pytest.mark.parametrize("given", ["file", "stdin"])
def test_many_long_lines_are_read_a_few_at_a_time(log: Log, tmp_path: Path, given: str) -> None:
    """Lines over the limit one after another, in a file or on standard input (``--export
    -``, read in one pass): each is refused, and the lines read at a time are bounded in
    bytes as well as in number, so memory stays that of a few."""
    lines = log.export([20])
    path = tmp_path / "long-lines.jsonl"
    count = 48
    with path.open("wb") as f:
        f.writelines(lines[:6])
        for _ in range(count):
            f.write(b'{"type":"leaf","seq":5,"leaf":"' + b"A" * (MAX_LINE + (1 << 20)) + b'"}\n')
        f.writelines(lines[6:])
    export, stdin = (str(path), None) if given == "file" else ("-", path)
    run = measured(verify("log", "--export", export, "--log-key", log.vkey, "--json"), stdin=stdin)
    assert run.code == 1, run.stdout + run.stderr
    report = json.loads(run.stdout)
    assert report["bottom_line"].startswith(
        f"INVALID: format at seq 5: line 7 is longer than {MAX_LINE:,} bytes"
    )
    assert run.peak_mb < BOUND_MB


def test_a_header_longer_than_a_line_may_be_cannot_be_evaluated(log: Log, tmp_path: Path) -> None:
    path = tmp_path / "header.jsonl"
    path.write_bytes(b'{"type":"log","origin":"' + b"x" * (MAX_LINE + 10) + b'"}\n')
    run = measured(verify("log", "--export", str(path), "--log-key", log.vkey))
    assert run.code == 2
    assert run.stdout.startswith("CANNOT EVALUATE: the export's header: line 1 is longer than")
    assert run.peak_mb < BOUND_MB


def test_lines_nested_deeper_than_python_recurses_get_a_verdict_not_a_traceback(
    log: Log, tmp_path: Path
) -> None:
    """JSON arrays nested 200,000 deep (400 KB, within a line's limit): the lenient reads
    that map the file and start the workers raised RecursionError, a traceback."""
    nested = b"[" * 200_000 + b"]" * 200_000
    lines = log.export([20])
    header = tmp_path / "nested-header.jsonl"
    header.write_bytes(b'{"type":"log","x":' + nested + b"}\n" + b"".join(lines[1:]))
    run = measured(verify("log", "--export", str(header), "--log-key", log.vkey))
    assert (run.code, run.stderr) == (2, ""), run.stderr
    assert (
        run.stdout
        == "CANNOT EVALUATE: the export's header is not JSON: nested deeper than 64 levels\n"
    )
    later = tmp_path / "nested-line.jsonl"
    later.write_bytes(b"".join(lines[:3]) + nested + b"\n" + b"".join(lines[3:]))
    run = measured(verify("log", "--export", str(later), "--log-key", log.vkey))
    assert (run.code, run.stderr) == (1, ""), run.stderr
    assert "line 4 is not JSON: nested deeper than 64 levels" in run.stdout
