"""Reading an export: bounded lines, and the map of a file for the second pass
(docs/design/EVIDENCE-FORMAT.md §2-5).

Memory is bounded by the longest legitimate line (``MAX_LINE``), never by the file: a
longer line is refused as it streams, read no further than the limit.

``scan`` (the first pass) reads little of a file: its header line, the records after
its last leaf line (the checkpoints and anchors, whose sizes it collects), and the line
at each cut of the leaves into regions of about ``chunk_bytes`` (cut after a newline;
smaller towards the end, ``TAPER``). The second pass (``verifier.audit.files``) feeds
the regions, then the records after them.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from verifier.audit.leaves import MAX_LINE

BLOCK = 1 << 20
CHUNK = 4 << 20
"""Bytes of leaf lines per region: what one worker hashes at a time."""
TAPER = 4
"""Regions shrink in the last ``TAPER`` chunks of the leaves (to a sixteenth of a chunk),
so that the workers finish their last regions together."""
LEAF_PREFIXES = (b'{"type":"leaf"', b'{"type": "leaf"')
_CHECKPOINT_SIZE = re.compile(rb'\{"type": ?"checkpoint", ?"size": ?(0|[1-9][0-9]{0,19}),')


def bounded_lines(stream: BinaryIO, limit: int = MAX_LINE, length: int = -1) -> Iterator[bytes]:
    """The lines of ``stream`` (its next ``length`` bytes, or all), each at most ``limit``
    bytes, newline included. A longer line is yielded as its first ``limit + 1`` bytes,
    which an audit refuses for its length, and the rest of it is skipped unread."""
    readline, left = stream.readline, length if length >= 0 else float("inf")
    while left > 0 and (line := readline(int(min(limit + 1, left)))):
        left -= len(line)
        if len(line) > limit and not line.endswith(b"\n"):
            while left > 0 and (rest := readline(int(min(BLOCK, left)))):
                left -= len(rest)
                if rest.endswith(b"\n"):
                    break
        yield line


def split_lines(block: bytes) -> list[bytes]:
    """The lines of ``block``, each with its newline; only ``\\n`` ends a line, as when a
    file is read line by line (``bytes.splitlines`` also splits at ``\\r``)."""
    if b"\r" not in block:
        return block.splitlines(keepends=True)
    parts = block.split(b"\n")
    lines = [part + b"\n" for part in parts[:-1]]
    return [*lines, parts[-1]] if parts[-1] else lines


def json_object(line: bytes) -> dict[str, Any] | None:
    """A line read leniently as a JSON object (to map or plan; the audit reads every line
    strictly), or None if it is not one."""
    try:
        record = json.loads(line)
    except (ValueError, RecursionError):  # RecursionError: nested deeper than Python goes
        return None
    return record if isinstance(record, dict) else None


def record_kind(line: bytes) -> tuple[object, object]:
    """The type and size of a record line, or (None, None) if it is not a JSON object."""
    record = json_object(line)
    if record is None:
        return None, None
    return record.get("type"), record.get("size")


def checkpoint_size(line: bytes) -> int | None:
    """The size of a checkpoint record line, or None if it is not one."""
    match = _CHECKPOINT_SIZE.match(line)
    if match is not None:
        return int(match.group(1))
    if line.startswith(LEAF_PREFIXES) or len(line) > MAX_LINE:
        return None
    kind, size = record_kind(line)
    return size if kind == "checkpoint" and isinstance(size, int) else None


@dataclass(frozen=True, slots=True)
class Region:
    """Lines ``[offset, offset + length)`` of the file, before the records after the leaves."""

    offset: int
    length: int


@dataclass
class ExportMap:
    """What the first pass learns of an export file."""

    header: bytes = b""
    regions: list[Region] = field(default_factory=list)
    tail_at: int = 0  # where the records after the last leaf line start
    checkpoint_sizes: set[int] = field(default_factory=set)
    anchor_sizes: set[int] = field(default_factory=set)


def scan(f: BinaryIO, chunk_bytes: int = CHUNK) -> ExportMap:
    """The first pass over an export file (see the module docstring)."""
    found = ExportMap()
    found.header = next(bounded_lines(f), b"")
    start, end = f.tell(), f.seek(0, os.SEEK_END)
    found.tail_at = _after_last_leaf(f, start, end)
    found.regions = _regions(f, start, found.tail_at, max(1, chunk_bytes))
    f.seek(found.tail_at)
    previous = b""
    for line in bounded_lines(f):
        if line != previous:  # a repeated record names no new size
            _note_size(line, found)
        previous = line
    return found


def _note_size(line: bytes, found: ExportMap) -> None:
    size = checkpoint_size(line)
    if size is not None:
        found.checkpoint_sizes.add(size)
    elif len(line) <= MAX_LINE:
        kind, value = record_kind(line)
        if kind == "anchor" and isinstance(value, int):
            found.anchor_sizes.add(value)


def _after_last_leaf(f: BinaryIO, start: int, end: int) -> int:
    """Where the line after the last line that starts like a leaf record starts, searched
    backwards from the end in blocks (``start`` if there is none)."""
    if end <= start or start == 0:
        return start
    marks = tuple(b"\n" + p for p in LEAF_PREFIXES)
    overlap = max(map(len, marks))
    hi = end
    while hi > start - 1:
        lo = max(start - 1, hi - BLOCK)
        f.seek(lo)
        block = f.read(hi + overlap - lo) if hi < end else f.read(hi - lo)
        found = max(block.rfind(m) for m in marks)
        if found >= 0:
            return _next_line(f, lo + found + 1, end)
        hi = lo
    return start


def _next_line(f: BinaryIO, at: int, end: int) -> int:
    """Where the line after the one starting at ``at`` starts (``end`` if it is the last)."""
    f.seek(at)
    size = 1 << 12  # a leaf line is a few hundred bytes: read more only for a longer one
    while block := f.read(size):
        newline = block.find(b"\n")
        if newline >= 0:
            return at + newline + 1
        at += len(block)
        size = min(2 * size, BLOCK)
    return end


def _regions(f: BinaryIO, start: int, end: int, chunk: int) -> list[Region]:
    """``[start, end)`` cut after the first newline at or after every ``chunk`` bytes, and
    in the last ``TAPER`` chunks after every ``1 / TAPER`` of what is left (at least
    ``chunk / 16``)."""
    regions, at = [], start
    while at < end:
        size = max(min(chunk, (end - at) // TAPER), chunk // 16, 1)
        cut = min(end, _next_line(f, min(end, at + size) - 1, end)) if at + size < end else end
        regions.append(Region(at, cut - at))
        at = cut
    return regions
