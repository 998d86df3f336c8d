"""The whole-log audit: a real export of a few thousand entries, and every tamper pinpointed.

Each case runs four ways that must agree: ``audit_file`` (two passes, one process),
``audit_file`` hashing the leaves in worker processes a small region at a time (the
regions around a tamper are read again by the main process), ``LogAudit.audit_lines``
(one pass, every perfect subtree kept) and the strict path alone (leaf lines whose keys
are reordered, so that no line takes the fast path).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.bundles import Log, stamper
from verifier.audit import MAX_REPORTED, AuditState, LogAudit, audit_file
from verifier.checkpoint import NoteSigner
from verifier.errors import MalformedError
from verifier.hashing import SHA256
from verifier.report import Check, VerificationReport

SIZE = 3000
CHUNK = 40_000  # bytes of leaf lines per worker task: about 50 regions in an export
CHECKPOINTS = [1, 7, 1000, 1024, 2048, 2999, SIZE]
ANCHORED = (1000, SIZE)


@dataclass(frozen=True)
class World:
    log: Log
    root: bytes
    anchors: dict[int, list[dict[str, Any]]]
    forged: dict[str, Any]  # over the checkpoint at 1000, signature byte flipped
    lines: list[bytes]  # the clean export


@pytest.fixture(scope="module")
def world() -> Iterator[World]:
    log = Log()
    log.fill(SIZE)
    with stamper() as tsa:
        anchors = {size: [tsa.anchor(log.checkpoint(size))] for size in ANCHORED}
        forged = tsa.anchor(log.checkpoint(1000), forge=True)
        yield World(log, tsa.root_pem, anchors, forged, log.export(CHECKPOINTS, anchors))


def record(line: bytes) -> dict[str, Any]:
    value: dict[str, Any] = json.loads(line)
    return value


def line_of(value: dict[str, Any]) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode() + b"\n"


def at(seq: int) -> int:
    """The index of leaf ``seq`` in the export's lines (the header is line 0)."""
    return seq + 1


def failed(report: VerificationReport) -> list[tuple[str, int | None]]:
    return [(c.name, c.seq) for c in report.failures]


def first(report: VerificationReport) -> Check:
    return report.failures[0]


def reordered(line: bytes) -> bytes:
    """A leaf line with its keys in another order: valid JSON the fast path does not take."""
    try:
        value = record(line)
    except ValueError:
        return line
    if not isinstance(value, dict) or value.get("type") != "leaf" or len(value) != 5:
        return line
    return line_of({k: value[k] for k in ("chain", "leaf_hash", "leaf", "seq", "type")})


def audit_all(
    world: World, lines: list[bytes], tmp_path: Path, **options: Any
) -> VerificationReport:
    """Audit three ways; they must report the same failures. The file's report is returned."""
    keys = options.pop("keys", [world.log.vkey])
    roots = options.pop("roots", [world.root])
    path = tmp_path / "export.jsonl"
    path.write_bytes(b"".join(lines))
    from_file = audit_file(path, keys, roots, jobs=1, **options)
    parallel = audit_file(path, keys, roots, jobs=2, chunk_bytes=CHUNK, **options)
    assert parallel.to_dict() == from_file.to_dict()
    in_memory = LogAudit(None, None, keys, roots, **options).audit_lines(lines)
    strict = LogAudit(None, None, keys, roots, **options).audit_lines(
        [reordered(line) for line in lines]
    )
    shown = [[(c.name, c.seq, c.reason) for c in r.failures] for r in (from_file, in_memory)]
    assert shown[0][:1] == shown[1][:1]  # the first failure, then all in any order
    assert sorted(shown[0], key=str) == sorted(shown[1], key=str)
    assert sorted(failed(strict), key=str) == sorted(failed(from_file), key=str)
    return from_file


# --- a clean export -----------------------------------------------------------------------


def test_a_clean_export_passes_every_check(world: World, tmp_path: Path) -> None:
    report = audit_all(world, world.lines, tmp_path)
    assert report.valid
    assert report.verdict == "valid"
    line = report.bottom_line
    assert line.startswith(f"VALID: log {world.log.origin}: 3,000 entries (seq 0 to 2999)")
    assert "7 signed checkpoints agree (newest at size 3,000)" in line
    assert "anchored by 2 tokens (development TSA, not for evidence)" in line
    statuses = {(c.name, c.status) for c in report.checks}
    for name in ("format", "key known", "seq", "leaf", "chain", "checkpoint signature"):
        assert (name, "pass") in statuses
    for name in ("checkpoint root", "coverage", "anchor token", "anchor covers checkpoint"):
        assert (name, "pass") in statuses
    data = json.loads(report.to_json())
    assert data["valid"] is True
    assert data["verdict"] == "valid"


def test_the_spaced_layout_takes_the_same_path(world: World, tmp_path: Path) -> None:
    lines = world.log.export(CHECKPOINTS, world.anchors, compact=False)
    assert audit_all(world, lines, tmp_path).valid


def test_the_three_ways_give_the_same_report(world: World, tmp_path: Path) -> None:
    path = tmp_path / "export.jsonl"
    path.write_bytes(b"".join(world.lines))
    keys, roots = [world.log.vkey], [world.root]
    reports = [
        audit_file(path, keys, roots),
        LogAudit(None, None, keys, roots).audit_lines(world.lines),
        LogAudit(None, None, keys, roots).audit_lines([reordered(x) for x in world.lines]),
        LogAudit(None, None, keys, roots, full_leaves=True).audit_lines(world.lines),
        LogAudit(None, None, keys, roots).audit_lines(x.decode() for x in world.lines),
    ]
    assert all(r.to_dict() == reports[0].to_dict() for r in reports)


def test_records_fed_as_objects(world: World) -> None:
    audit = LogAudit(world.log.origin, "sha-256", [world.log.vkey], [world.root])
    for line in world.lines:
        audit.feed(record(line))
    assert audit.finish().valid


def test_progress_is_reported(world: World, tmp_path: Path) -> None:
    seen: list[tuple[int, int | None]] = []
    path = tmp_path / "export.jsonl"
    path.write_bytes(b"".join(world.lines))
    audit_file(path, [world.log.vkey], [world.root], progress=lambda d, t: seen.append((d, t)))
    assert seen[-1] == (SIZE, SIZE)


def test_an_export_without_anchors_is_pending(world: World, tmp_path: Path) -> None:
    report = audit_all(world, world.log.export(CHECKPOINTS), tmp_path)
    assert report.valid
    assert report.pending
    assert report.bottom_line.startswith("PENDING: ")


def test_checkpoints_out_of_order_are_still_checked(world: World, tmp_path: Path) -> None:
    lines = world.log.export(list(reversed(CHECKPOINTS)), world.anchors)
    report = audit_all(world, lines, tmp_path)
    assert report.valid
    assert "7 signed checkpoints agree" in report.bottom_line


# --- tampering, pinpointed ----------------------------------------------------------------


def test_an_edited_leaf_byte_is_pinpointed(world: World, tmp_path: Path) -> None:
    lines = list(world.lines)
    value = record(lines[at(1500)])
    leaf = base64.b64decode(value["leaf"]).replace(b'-ev-1500"', b'-ev-1501"')
    value["leaf"] = base64.b64encode(leaf).decode()
    lines[at(1500)] = line_of(value)
    report = audit_all(world, lines, tmp_path)
    assert failed(report)[:2] == [("leaf", 1500), ("chain", 1500)]
    assert "leaf_hash is not the hash of the leaf" in first(report).reason
    roots = [c.reason for c in report.failures if c.name == "checkpoint root"]
    assert len(roots) == 3  # 2048, 2999, 3000
    assert all("between seq 1024 and" in reason for reason in roots)


def test_a_leaf_rewritten_with_its_hash_and_chain_is_bounded_by_checkpoints(
    world: World, tmp_path: Path
) -> None:
    lines = list(world.lines)  # leaf 1500 replaced; its hash and every chain after it redone
    chain = world.log.chains[1499]
    for seq in range(1500, SIZE):
        value = record(lines[at(seq)])
        leaf = base64.b64decode(value["leaf"])
        if seq == 1500:
            leaf = leaf.replace(b'-ev-1500"', b'-ev-1501"')
        leaf_hash = SHA256.leaf_hash(leaf)
        chain = SHA256.chain_next(chain, leaf_hash)
        value |= {"leaf": base64.b64encode(leaf).decode(), "leaf_hash": leaf_hash.hex()}
        lines[at(seq)] = line_of(value | {"chain": chain.hex()})
    report = audit_all(world, lines, tmp_path)
    assert {name for name, _ in failed(report)} == {"checkpoint root"}
    assert "the first bad leaf is between seq 1024 and 2047" in first(report).reason


def test_an_edited_chain_value_is_pinpointed(world: World, tmp_path: Path) -> None:
    lines = list(world.lines)
    value = record(lines[at(1200)])
    value["chain"] = "00" * 32
    lines[at(1200)] = line_of(value)
    report = audit_all(world, lines, tmp_path)
    assert failed(report) == [("chain", 1200), ("chain", 1201)]
    assert first(report).expected == world.log.chains[1200].hex()
    assert first(report).actual == "00" * 32


def test_a_deleted_line_is_pinpointed(world: World, tmp_path: Path) -> None:
    lines = list(world.lines)
    del lines[at(500)]
    report = audit_all(world, lines, tmp_path)
    assert first(report).name == "seq"
    assert first(report).seq == 500
    assert "seq 500 missing" in first(report).reason
    assert report.bottom_line.startswith("INVALID: seq at seq 500: seq 500 missing")


def test_two_swapped_lines_are_pinpointed(world: World, tmp_path: Path) -> None:
    lines = list(world.lines)
    lines[at(700)], lines[at(701)] = lines[at(701)], lines[at(700)]
    report = audit_all(world, lines, tmp_path)
    assert failed(report)[:3] == [("seq", 700), ("seq", 700), ("chain", 701)]
    assert "seq 700 missing: the next leaf is seq 701" in report.failures[0].reason
    assert "seq 700 repeated or out of order" in report.failures[1].reason


def test_a_repeated_line_is_pinpointed(world: World, tmp_path: Path) -> None:
    lines = list(world.lines)
    lines.insert(at(900), lines[at(900)])
    report = audit_all(world, lines, tmp_path)
    assert failed(report) == [("seq", 900)]
    assert "repeated" in first(report).reason


def test_a_truncated_export_is_pinpointed(world: World, tmp_path: Path) -> None:
    lines = [*world.lines[: at(2500)], world.lines[at(2500)][:100]]
    report = audit_all(world, lines, tmp_path)
    assert failed(report)[0] == ("format", 2500)
    assert "not JSON" in first(report).reason
    assert ("seq", 2500) in failed(report)  # the header says 3,000
    assert ("coverage", None) in failed(report)


def test_a_garbage_line_among_the_leaves_is_pinpointed(world: World, tmp_path: Path) -> None:
    lines = list(world.lines)
    lines[at(42)] = b'{"type":"leaf","seq":42,"leaf":"@@@@","leaf_hash":"x","chain":"y"}\n'
    report = audit_all(world, lines, tmp_path)
    assert failed(report)[0] == ("leaf", 42)
    assert "not base64" in first(report).reason


def test_a_leaf_embedding_another_seq_is_pinpointed(world: World, tmp_path: Path) -> None:
    lines = list(world.lines)  # the record of seq 6 carries the leaf of seq 5
    value = record(lines[at(5)])
    value["seq"] = 6
    lines[at(6)] = line_of(value)
    report = audit_all(world, lines, tmp_path)
    assert failed(report)[0] == ("leaf", 6)
    assert "does not embed seq 6" in first(report).reason


def test_a_validly_signed_but_inconsistent_checkpoint_is_pinpointed(
    world: World, tmp_path: Path
) -> None:
    fork = Log(signer=world.log.signer)
    fork.fill(1024, envelope_id="env-fork")
    lines = list(world.lines)
    where = next(
        i for i, x in enumerate(lines) if x.startswith(b'{"type":"checkpoint","size":1024,')
    )
    lines[where] = line_of({"type": "checkpoint", "size": 1024, "note": fork.checkpoint(1024)})
    report = audit_all(world, lines, tmp_path)
    assert failed(report) == [("checkpoint root", None)]
    assert "the log signed an inconsistent checkpoint" in first(report).reason
    assert first(report).expected == world.log.tree.root(1024).hex()


def test_the_newest_checkpoint_inconsistent_bounds_the_bad_leaf(
    world: World, tmp_path: Path
) -> None:
    fork = Log(signer=world.log.signer)
    fork.fill(SIZE, envelope_id="env-fork")
    lines = list(world.lines)
    where = next(
        i for i, x in enumerate(lines) if x.startswith(b'{"type":"checkpoint","size":3000,')
    )
    lines[where] = line_of({"type": "checkpoint", "size": SIZE, "note": fork.checkpoint(SIZE)})
    report = audit_all(world, lines, tmp_path)
    roots = [c for c in report.failures if c.name == "checkpoint root"]
    assert len(roots) == 1
    assert "the first bad leaf is between seq 2999 and 2999" in roots[0].reason
    assert ("anchor covers checkpoint", None) in failed(report)  # over the real checkpoint


def test_the_wrong_log_key_fails_key_known_and_every_checkpoint(
    world: World, tmp_path: Path
) -> None:
    stranger = NoteSigner.generate("test.example-log").vkey
    report = audit_all(world, world.lines, tmp_path, keys=[stranger])
    names = [name for name, _ in failed(report)]
    assert names.count("key known") == 1
    assert names.count("checkpoint signature") == len(CHECKPOINTS)
    assert "anchor covers checkpoint" in names  # no trusted checkpoint to cover


def test_a_forged_token_fails_the_anchor(world: World, tmp_path: Path) -> None:
    lines = world.log.export(CHECKPOINTS, {1000: [world.forged], SIZE: world.anchors[SIZE]})
    report = audit_all(world, lines, tmp_path)
    assert failed(report) == [("anchor token", None)]
    assert "anchor at size 1000" in first(report).reason


def test_a_token_over_another_checkpoint_fails_anchor_covers(world: World, tmp_path: Path) -> None:
    lines = world.log.export(CHECKPOINTS, {2048: world.anchors[1000]})
    report = audit_all(world, lines, tmp_path)
    assert failed(report) == [("anchor covers checkpoint", None)]


def test_an_anchor_without_its_checkpoint_fails(world: World, tmp_path: Path) -> None:
    lines = world.log.export([7, SIZE], {1000: world.anchors[1000]})
    report = audit_all(world, lines, tmp_path)
    assert failed(report) == [("anchor covers checkpoint", None)]
    assert "no trusted checkpoint of size 1000" in first(report).reason


def test_failures_are_listed_up_to_a_limit_then_counted(world: World, tmp_path: Path) -> None:
    lines = [world.lines[0]]
    for line in world.lines[1 : 1 + SIZE]:
        value = record(line)
        value["leaf_hash"] = "00" * 32
        lines.append(line_of(value))
    report = audit_all(world, lines, tmp_path)
    leaf = [c for c in report.failures if c.name == "leaf"]
    assert len(leaf) == MAX_REPORTED + 1
    assert leaf[-1].reason == f"{SIZE - MAX_REPORTED:,} more leaf failures"
    assert leaf[-1].seq is None
    assert report.valid is False


# --- signatures="essential" -------------------------------------------------------------------


def with_checkpoint(world: World, size: int, note: str) -> list[bytes]:
    lines = list(world.lines)
    prefix = b'{"type":"checkpoint","size":%d,' % size
    where = next(i for i, x in enumerate(lines) if x.startswith(prefix))
    lines[where] = line_of({"type": "checkpoint", "size": size, "note": note})
    return lines


def broken_signature(note: str) -> str:
    text, _, line = note.rpartition("\n\n")
    name, sig = line.rstrip("\n").rsplit(" ", 1)
    raw = bytearray(base64.b64decode(sig))
    raw[-1] ^= 1
    return f"{text}\n\n{name} {base64.b64encode(bytes(raw)).decode()}\n"


def audit_path(
    world: World, lines: list[bytes], tmp_path: Path, **options: Any
) -> VerificationReport:
    path = tmp_path / "export.jsonl"
    path.write_bytes(b"".join(lines))
    return audit_file(path, [world.log.vkey], [world.root], **options)


def test_essential_signatures_verify_the_newest_and_the_anchored(
    world: World, tmp_path: Path
) -> None:
    report = audit_path(world, world.lines, tmp_path, signatures="essential")
    assert report.valid
    signatures = next(c for c in report.checks if c.name == "checkpoint signature")
    assert signatures.reason.startswith("2 checkpoints signed by a trusted key; 5 more, whose")
    assert "7 checkpoints agree (newest at size 3,000), 2 signatures verified" in (
        report.bottom_line
    )


def test_essential_signatures_skip_only_a_broken_signature_over_a_true_root(
    world: World, tmp_path: Path
) -> None:
    lines = with_checkpoint(world, 1024, broken_signature(world.log.checkpoint(1024)))
    assert failed(audit_path(world, lines, tmp_path)) == [("checkpoint signature", None)]
    assert audit_path(world, lines, tmp_path, signatures="essential").valid


@pytest.mark.parametrize("size", [1000, SIZE])  # anchored, and the newest
def test_essential_signatures_still_check_the_ones_that_matter(
    world: World, tmp_path: Path, size: int
) -> None:
    lines = with_checkpoint(world, size, broken_signature(world.log.checkpoint(size)))
    report = audit_path(world, lines, tmp_path, signatures="essential")
    assert ("checkpoint signature", None) in failed(report)


def test_essential_signatures_tell_equivocation_from_damage(world: World, tmp_path: Path) -> None:
    fork = Log(signer=world.log.signer)
    fork.fill(1024, envelope_id="env-fork")
    signed = with_checkpoint(world, 1024, fork.checkpoint(1024))
    report = audit_path(world, signed, tmp_path, signatures="essential")
    assert failed(report) == [("checkpoint root", None)]
    assert "the log signed an inconsistent checkpoint" in first(report).reason
    forged = with_checkpoint(world, 1024, broken_signature(fork.checkpoint(1024)))
    report = audit_path(world, forged, tmp_path, signatures="essential")
    assert failed(report) == [("checkpoint signature", None)]


# --- partial exports, and what cannot be evaluated ------------------------------------------


def partial(world: World, start: int) -> list[bytes]:
    header = record(world.lines[0]) | {"from": start}
    tail = [x for x in world.lines[1 + SIZE :] if record(x)["size"] > start]
    return [line_of(header), *world.lines[at(start) : at(SIZE)], *tail]


def test_a_partial_export_resumes_from_an_audit_state(world: World, tmp_path: Path) -> None:
    head = LogAudit(None, None, [world.log.vkey], [world.root])
    head.feed(record(world.lines[0]) | {"size": 1500})
    head.consume(world.lines[1 : at(1500)])
    state = head.state()
    assert state == AuditState(1500, state.compact, world.log.chains[1499])
    path = tmp_path / "partial.jsonl"
    path.write_bytes(b"".join(partial(world, 1500)))
    report = audit_file(path, [world.log.vkey], [world.root], resume=state)
    assert report.valid
    assert "3 signed checkpoints agree" in report.bottom_line
    # a stream keeps no subtrees before the resumed size: it needs the sizes first
    sizes = [2048, 2999, SIZE]
    streamed = LogAudit(
        None, None, [world.log.vkey], [world.root], resume=state, checkpoint_sizes=sizes
    ).audit_lines(partial(world, 1500))
    assert streamed.to_dict() == report.to_dict()


def test_a_partial_export_without_state_skips_the_tree(world: World) -> None:
    report = LogAudit(None, None, [world.log.vkey], [world.root]).audit_lines(partial(world, 1500))
    assert report.valid
    skipped = [c for c in report.checks if c.status == "skipped"]
    assert skipped
    assert "partial export" in skipped[0].reason


@pytest.mark.parametrize(
    "lines",
    [
        [],
        [b"not json\n"],
        [b"[]\n"],
        [b'{"type":"leaf","seq":0}\n'],
        [b'{"type":"log","format":"log-export/2"}\n'],
        [b'{"type":"log","format":"log-export/1","origin":"x","hash":"md5","from":0,"size":0}\n'],
        [b'{"type":"log","format":"log-export/1","origin":"x","hash":"sha-256","size":-1}\n'],
    ],
)
def test_an_export_without_a_readable_header_raises_malformed(
    world: World, lines: list[bytes]
) -> None:
    with pytest.raises(MalformedError):
        LogAudit(None, None, [world.log.vkey], []).audit_lines(lines)


def test_the_header_must_be_of_the_log_expected(world: World) -> None:
    with pytest.raises(MalformedError):
        LogAudit("another/log", None, [world.log.vkey], []).audit_lines(world.lines[:1])


def test_unusable_trust_material_raises_malformed(world: World) -> None:
    with pytest.raises(MalformedError):
        LogAudit(None, None, ["nope"], [])
    with pytest.raises(MalformedError):
        LogAudit(None, None, [world.log.vkey], [b"nope"])


def test_stray_records_are_format_failures(world: World, tmp_path: Path) -> None:
    lines = list(world.lines)
    lines.insert(at(SIZE), b'{"type":"mystery"}\n')
    lines.append(b'{"type":"checkpoint","size":"big","note":3}\n')
    report = audit_all(world, lines, tmp_path)
    assert [name for name, _ in failed(report)] == ["format", "format"]


def test_a_damaged_record_after_the_leaves_is_named_by_its_line(
    world: World, tmp_path: Path
) -> None:
    """The lines after the leaves are counted only when a reason names one: the number
    is still the file's, one process or several, and sorts the failures in file order."""
    lines = list(world.lines)
    lines.insert(at(SIZE) + 2, b'{"type":"checkpoint","size":7,"note":"x","extra":1}\n')
    lines.append(b"not json\n")
    report = audit_all(world, lines, tmp_path)
    reasons = [c.reason for c in report.failures if c.name == "format"]
    assert reasons[0].startswith(f"line {at(SIZE) + 3}: checkpoint has unknown fields")
    assert reasons[1].startswith(f"line {len(lines)} is not JSON")


def test_leaves_of_another_log_are_caught(world: World, tmp_path: Path) -> None:
    other = Log(signer=world.log.signer, origin="elsewhere.example/log")
    other.fill(10)
    lines = [world.lines[0], *other.export([])[1:]]
    report = audit_all(world, lines, tmp_path)
    assert failed(report)[0] == ("leaf", 0)
    assert "not of log" in first(report).reason


# --- any single-byte change -----------------------------------------------------------------


@pytest.fixture(scope="module")
def small() -> Iterator[tuple[Log, bytes, list[bytes], dict[str, Any]]]:
    log = Log()
    log.fill(40)
    with stamper() as tsa:
        lines = log.export([10, 33, 40], {40: [tsa.anchor(log.checkpoint(40))]})
        report = LogAudit(None, None, [log.vkey], [tsa.root_pem]).audit_lines(lines)
        assert report.valid
        yield log, tsa.root_pem, lines, report.to_dict()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_any_single_byte_change_is_caught_refused_or_changes_no_fact(
    small: tuple[Log, bytes, list[bytes], dict[str, Any]], data: st.DataObject
) -> None:
    log, root, lines, facts = small
    original = b"".join(lines)
    where = data.draw(st.integers(0, len(original) - 1), label="at")
    byte = data.draw(st.integers(0, 255).filter(lambda b: b != original[where]), label="byte")
    changed = original[:where] + bytes([byte]) + original[where + 1 :]
    try:
        report = LogAudit(None, None, [log.vkey], [root]).audit_lines(changed.splitlines(True))
    except MalformedError:
        return
    assert not report.valid or report.to_dict() == facts
