"""``audit_file``: a whole export file, in two passes, on every core
(docs/design/EVIDENCE-FORMAT.md §2-5).

The first pass (``verifier.audit.reader.scan``) maps the file and learns every
checkpoint size; the second feeds the header, then the records after the leaves in
order, each checkpoint once the leaf regions up to its size are in: the tree keeps its
root at each checkpoint size as the leaves pass it, so memory stays O(log n) plus the
kept roots (a few dozen bytes per checkpoint) however long the log. The leaf regions are
hashed by worker processes when there are cores to spare (``verifier.audit.parallel``),
up to ``AHEAD`` regions ahead, while this process checks the checkpoints whose leaves
are in; else here: the report is the same.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Iterator
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool
from datetime import datetime
from pathlib import Path

from verifier.audit.checkpoints import Signatures
from verifier.audit.leaves import MAX_LINE, Hashed
from verifier.audit.log import LogAudit, Progress
from verifier.audit.parallel import Pool, workers
from verifier.audit.reader import (
    BLOCK,
    CHUNK,
    ExportMap,
    Region,
    bounded_lines,
    checkpoint_size,
    scan,
    split_lines,
)
from verifier.audit.report import AFTER_LEAVES
from verifier.audit.tree import AuditState
from verifier.merkle import MAX_SIZE
from verifier.report import VerificationReport
from verifier.trust import TrustRoots


class _Regions:
    """Feeds the leaf regions to the audit in order: hashed by workers, or read here.

    A region no longer than ``whole`` is read at once; a longer one holds a line longer
    than ``MAX_LINE`` and is read line by line, bounded."""

    def __init__(self, audit: LogAudit, path: Path, found: ExportMap, whole: int) -> None:
        self.audit, self.path, self.regions, self.whole = audit, path, found.regions, whole
        self.pool: Pool | None = None
        self.futures: dict[int, Future[Hashed | None]] = {}
        self.next = 0  # the next region to feed
        self.submitted = 0
        self.lines = 0  # leaf-section lines fed

    def feed_until(self, lines: int) -> None:
        """Feed regions until ``lines`` lines of the leaf section are in."""
        while self.next < len(self.regions) and self.lines < lines:
            self._feed()

    def feed_all(self) -> None:
        self.feed_until(MAX_SIZE)

    def _feed(self) -> None:
        self.submit_ahead()
        index, audit = self.next, self.audit
        self.next += 1
        hashed = self._hashed(index)
        restart = audit.lines  # a record after the leaves may have been read meanwhile
        audit.lines = 1 + self.lines  # the file's numbering: the header is line 1
        if hashed is None or not audit.leaves.merge(hashed):
            self._read(self.regions[index])
        elif audit.progress is not None:
            audit.progress(audit.leaves.count, audit.total)
        self.lines = audit.lines - 1
        audit.lines = restart

    def submit_ahead(self) -> None:
        pool = self.pool
        while pool is not None and self.submitted < min(len(self.regions), self.next + pool.ahead):
            region = self.regions[self.submitted]
            if region.length <= self.whole:
                known = self.audit.leaves.chain if self.submitted == self.next else None
                self.futures[self.submitted] = pool.submit(region, known)
            self.submitted += 1

    def _hashed(self, index: int) -> Hashed | None:
        future = self.futures.pop(index, None)
        if future is None:
            return None
        try:
            return future.result()
        except BrokenProcessPool:  # a worker died: the rest is read here
            self.pool = None
            self.futures.clear()
            return None
        except Exception:  # the region is read here instead, and reported
            return None

    def _read(self, region: Region) -> None:
        with self.path.open("rb") as f:
            f.seek(region.offset)
            if region.length <= self.whole:
                self.audit.consume(split_lines(f.read(region.length)))
            else:
                self.audit.consume(bounded_lines(f, length=region.length))


def _count_lines(path: Path, found: ExportMap) -> int:
    """The lines of the leaf section (the file's numbering of the records after it)."""
    if not found.regions:
        return 0
    start, end = found.regions[0].offset, found.tail_at
    lines, last = 0, b"\n"
    with path.open("rb") as f:
        f.seek(start)
        while start < end and (block := f.read(min(BLOCK, end - start))):
            lines += block.count(b"\n")
            start, last = start + len(block), block[-1:]
    return lines + (last != b"\n")


@contextlib.contextmanager
def _workers(regions: _Regions, audit: LogAudit, path: Path, jobs: int | None) -> Iterator[None]:
    """Workers for the leaf regions, if they can help: several regions, the fast path
    open, more than one core."""
    n = workers(jobs)
    if n < 2 or len(regions.regions) < 2 or audit.leaves.layout_blocked():
        yield
        return
    try:
        sizes = sorted(audit.tree.watch)
        regions.pool = Pool(str(path), audit.leaves.fragment, audit.leaves.alg, sizes, n)
    except (OSError, ImportError, NotImplementedError):  # no processes here: one will do
        yield
        return
    try:
        yield
    finally:
        regions.pool.close()


def audit_file(
    path: str | Path,
    vkeys: list[str],
    tsa_roots: list[bytes] | TrustRoots,
    *,
    origin: str | None = None,
    hash_alg: str | None = None,
    at_time: datetime | None = None,
    progress: Progress | None = None,
    full_leaves: bool = False,
    resume: AuditState | None = None,
    signatures: Signatures = "all",
    jobs: int | None = None,
    chunk_bytes: int = CHUNK,
) -> VerificationReport:
    """Audit a ``log-export/1`` file (see the module docstring).

    ``resume`` is the ``state()`` of an audit of the log up to the export's ``from``;
    ``jobs`` the processes that hash leaves (default: one per core this process may use),
    ``chunk_bytes`` the leaf bytes each takes at a time.

    Raises ``OSError`` if the file cannot be read and ``MalformedError`` if its header
    is missing or unreadable (or the trust material is unusable).
    """
    path = Path(path)
    with path.open("rb") as f:
        found = scan(f, chunk_bytes)
    audit = LogAudit(
        origin,
        hash_alg,
        vkeys,
        tsa_roots,
        checkpoint_sizes=found.checkpoint_sizes,
        anchor_sizes=found.anchor_sizes,
        at_time=at_time,
        progress=progress,
        full_leaves=full_leaves,
        resume=resume,
        signatures=signatures,
    )
    audit.consume([found.header] if found.header else [])
    if audit.header is None:
        return audit.finish()  # raises: nothing can be evaluated without the header
    regions = _Regions(audit, path, found, chunk_bytes + MAX_LINE)
    with _workers(regions, audit, path, jobs), path.open("rb") as tail:
        regions.submit_ahead()
        # the header and the leaf section, counted only if a reason names a line after it
        audit.results.lines_before_tail = functools.cache(lambda: 1 + _count_lines(path, found))
        tail.seek(found.tail_at)
        for index, line in enumerate(bounded_lines(tail)):
            size = checkpoint_size(line)
            # a checkpoint needs the leaves up to its size (its root is kept as they pass
            # it); any other record, every leaf before it in the file
            regions.feed_until(MAX_SIZE if size is None else size - audit.start)
            audit.lines = AFTER_LEAVES + index  # feed_line counts it
            audit.feed_line(line)  # no leaf line comes after the leaf section
        regions.feed_all()
    return audit.finish()
