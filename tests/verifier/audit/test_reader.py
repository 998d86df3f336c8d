"""Reading an export (verifier.audit.reader): bounded lines, lines split as a file reads
them, and the first pass's map of a file."""

from __future__ import annotations

import io
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.bundles import Log
from verifier.audit.reader import bounded_lines, checkpoint_size, scan, split_lines


@settings(max_examples=200, deadline=None)
@given(st.lists(st.binary(max_size=40).map(lambda b: b.replace(b"\n", b"")), max_size=20))
def test_lines_are_split_as_a_file_reads_them(parts: list[bytes]) -> None:
    data = b"\n".join(parts)
    assert split_lines(data) == io.BytesIO(data).readlines()
    assert list(bounded_lines(io.BytesIO(data), limit=1000)) == io.BytesIO(data).readlines()


def test_a_line_longer_than_the_limit_is_cut_and_its_rest_skipped() -> None:
    data = b"short\n" + b"x" * 100 + b"\nafter\n" + b"y" * 30
    assert list(bounded_lines(io.BytesIO(data), limit=20)) == [
        b"short\n",
        b"x" * 21,  # the limit and one byte more: refused for its length
        b"after\n",
        b"y" * 21,
    ]
    stream = io.BytesIO(data)
    assert list(bounded_lines(stream, limit=20, length=6 + 101)) == [b"short\n", b"x" * 21]
    assert stream.read() == b"after\n" + b"y" * 30  # the region's end, not beyond


def test_the_first_pass_maps_leaves_regions_and_the_sizes_records_name(tmp_path: Path) -> None:
    log = Log()
    log.fill(300)
    lines = log.export([100, 200, 300], {300: [{"tsa": "t", "token": "AA==", "gen_time": "x"}]})
    lines.insert(1 + 150, b"not json, among the leaves\n")
    lines.append(lines[-2])  # a checkpoint repeated
    path = tmp_path / "export.jsonl"
    path.write_bytes(b"".join(lines))
    with path.open("rb") as f:
        found = scan(f, chunk_bytes=5_000)
    data = path.read_bytes()
    assert found.header == lines[0]
    assert found.tail_at == len(b"".join(lines[: 1 + 301]))  # after the last leaf line
    assert found.checkpoint_sizes == {100, 200, 300}
    assert found.anchor_sizes == {300}
    assert found.regions[0].offset == len(lines[0])
    for before, after in zip(found.regions, found.regions[1:], strict=False):
        assert before.offset + before.length == after.offset  # no gap, no overlap
        assert data[after.offset - 1 : after.offset] == b"\n"  # cut after a newline
    last = found.regions[-1]
    assert last.offset + last.length == found.tail_at
    # a chunk (and the rest of a line) at a time, tapering in the last four chunks so
    # that the workers finish together, never below a sixteenth of a chunk
    assert all(r.length < 5_000 + 1_000 for r in found.regions)
    assert all(r.length >= 5_000 for r in found.regions if found.tail_at - r.offset > 4 * 5_000)
    assert all(r.length >= 5_000 // 16 for r in found.regions[:-1])
    for before, after in zip(found.regions, found.regions[1:], strict=False):
        assert after.length < before.length + 1_000
    assert found.regions[-2].length < 5_000


def test_an_export_without_leaves_is_all_records(tmp_path: Path) -> None:
    log = Log()
    path = tmp_path / "empty.jsonl"
    path.write_bytes(b"".join(log.export([])))
    with path.open("rb") as f:
        found = scan(f)
    assert found.regions == []
    assert found.tail_at == path.stat().st_size


def test_checkpoint_sizes_are_read_from_both_layouts_and_reordered_keys() -> None:
    assert checkpoint_size(b'{"type":"checkpoint","size":12,"note":"x"}\n') == 12
    assert checkpoint_size(b'{"type": "checkpoint", "size": 0, "note": "x"}\n') == 0
    assert checkpoint_size(b'{"note":"x","size":7,"type":"checkpoint"}\n') == 7
    assert checkpoint_size(b'{"type":"anchor","size":7}\n') is None
    assert checkpoint_size(b'{"type":"leaf","seq":7}\n') is None
    assert checkpoint_size(b"garbage\n") is None
