"""Hashing the leaves of a file on every core (the audit's second pass, in parallel).

Each worker process takes a region of leaf lines (``verifier.audit.reader.Region``) and
runs the same fast path as a single process (``scan_leaves``), starting from the chain
value the region's first line states. It hands back, for a region whose every line
passed, the seqs it covered, the first leaf hash and stated chain (the one step it could
not check), and the compact ranges of its leaves between the checkpoint sizes that fall
in it (``verifier.compact``), so that the main process merges the tree in O(log n) per
checkpoint and keeps the roots the checkpoints need.

The main process accepts a region's result only if it starts where the audit is (the
expected seq, the tree's size) and its first chain step holds from the audit's chain
value; anything else (a damaged line, a seq out of place, a foreign layout) makes the
main process audit that region itself, line by line, so the report is exactly the one a
single process writes and the first bad seq is still named.

A pool of workers (``Pool``; started by ``verifier.audit.pools``) hands back, for each
region, its ``Hashed`` leaves or None (the worker failed on it: the main process reads
it); a worker that dies breaks the pool (``Broken``), and the main process reads every
region not yet back itself.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from itertools import repeat
from typing import NamedTuple, Protocol

from verifier.audit.leaves import LAYOUTS, Hashed, scan_leaves
from verifier.audit.reader import Region
from verifier.hashing import NODE_PREFIX, HashAlgorithm, algorithm
from verifier.merkle import NodeID, range_nodes


class _Job(NamedTuple):
    path: str
    fragment: bytes
    alg: HashAlgorithm
    sizes: list[int]  # the checkpoint sizes, sorted


_JOB: _Job | None = None  # set in each worker by start
_BEFORE = 256  # bytes before a region: the end of the line before it, with its chain


def start(path: str, fragment: bytes, alg_name: str, sizes: list[int]) -> None:
    """In a worker, first: the file, the log's fragment, the algorithm, the checkpoint sizes."""
    global _JOB  # the one job of this worker process
    _JOB = _Job(path, fragment, algorithm(alg_name), sizes)


def hash_region(offset: int, length: int, prev: bytes | None) -> Hashed | None:
    """In a worker: the region's leaves, or None if any line needs the strict path.

    ``prev`` is the chain value before the region, if the caller knows it; else the chain
    the line before the region states is taken, and the caller checks it is its own."""
    job = _JOB
    assert job is not None  # noqa: S101  set by start
    with open(job.path, "rb") as f:
        before = b""
        if prev is None and offset:
            f.seek(max(0, offset - _BEFORE))
            before = f.read(min(offset, _BEFORE))
        f.seek(offset)
        data = f.read(length)
    first = data[: data.find(b"\n") + 1]
    layout = next((x for x in LAYOUTS if x.first_seq(first) is not None), None)
    if layout is None:
        return None
    seq = layout.first_seq(first)
    if prev is None:
        prev = layout.chain_before(before, job.alg.size)
    if seq is None or prev is None:
        return None
    hashes: list[bytes] = []
    _, taken, last = scan_leaves(data, seq, prev, layout, job.fragment, job.alg, hashes)
    if taken != len(data):
        return None  # a line the strict path reads (or one without its newline)
    return Hashed(seq, len(hashes), prev, last, _ranges(seq, hashes, job.sizes, job.alg))


def _ranges(
    begin: int, hashes: list[bytes], sizes: list[int], alg: HashAlgorithm
) -> list[tuple[int, list[bytes]]]:
    """The compact ranges of the leaves, cut at each checkpoint size inside them.

    Every perfect subtree inside the region is hashed level by level, one list at a
    time (about as many hashes as leaves: those of the cuts' ranges and the few that
    span a cut), and each cut's range takes its nodes from the levels."""
    end = begin + len(hashes)
    levels = _levels(begin, hashes, alg)
    cuts = [*sizes[bisect_right(sizes, begin) : bisect_left(sizes, end)], end]
    out, start = [], begin
    for cut in cuts:
        out.append((cut, [_node(levels, begin, n) for n in range_nodes(start, cut)]))
        start = cut
    return out


def _levels(begin: int, hashes: list[bytes], alg: HashAlgorithm) -> list[list[bytes]]:
    """Per level, the roots of the aligned subtrees inside ``[begin, begin + len)``, the
    first being the one at index ``ceil(begin / 2**level)``."""
    end, new, prefixes = begin + len(hashes), alg.new, repeat(NODE_PREFIX)
    digest = type(new(b"")).digest
    levels, level, first = [hashes], 0, begin
    while True:
        level += 1
        upper = -(-begin >> level)  # the first subtree of this level inside the region
        count = (end >> level) - upper
        if count <= 0:
            return levels
        below = levels[-1]
        skip = 2 * upper - first  # 1: the level below starts with an unpaired node
        lefts, rights = below[skip : skip + 2 * count : 2], below[skip + 1 : skip + 2 * count : 2]
        # HASH(0x01 || left || right) in map calls: left.join((0x01, right))
        joined = map(bytes.join, lefts, zip(prefixes, rights, strict=False))
        levels.append(list(map(digest, map(new, joined))))
        first = upper


def _node(levels: list[list[bytes]], begin: int, node: NodeID) -> bytes:
    first = -(-begin >> node.level)
    return levels[node.level][node.index - first]


class Broken(Exception):
    """The workers are gone: their regions are read by the main process."""


class Pending(Protocol):
    """A region handed to the workers."""

    def done(self) -> bool: ...

    def result(self) -> Hashed | None:
        """Its leaves (None: read it in the main process); raises ``Broken``."""
        ...


class Pool(Protocol):
    """Worker processes hashing the regions of one file."""

    ahead: int  # regions handed out beyond the one the main process merges next

    def submit(self, region: Region, prev: bytes | None) -> Pending: ...

    def close(self) -> None: ...
