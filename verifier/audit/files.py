"""``audit_file``: a whole export file, in two passes, on every core
(docs/design/EVIDENCE-FORMAT.md §2-5).

The first pass (``verifier.audit.reader.scan``) maps the file and learns every
checkpoint size; the second feeds the header, then the records after the leaves in
order, each checkpoint once the leaf regions up to its size are in: the tree keeps its
root at each checkpoint size as the leaves pass it, so memory stays O(log n) plus the
kept roots (a few dozen bytes per checkpoint) however long the log. The leaf regions are
hashed by worker processes when there are cores to spare (``verifier.audit.parallel``),
up to ``AHEAD`` regions ahead, while this process checks the checkpoints whose leaves
are in, and verifies the signatures of those further on while it waits for a worker
(``verifier.audit.ahead``); else here: the report is the same.

The workers start as soon as the first pass is done, before this process imports and
sets up the rest of the audit (the checkpoint, signature and trust code): they need
only the header's log, hash algorithm and first seq, read here without checks. The
audit then reads the header with every check; if it disagrees, or the leaves cannot
take the fast path, the workers are stopped and their results never used.
"""

from __future__ import annotations

import functools
from contextlib import ExitStack
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, NamedTuple

from verifier.audit.leaves import MAX_LINE, Hashed, log_fragment
from verifier.audit.parallel import Broken, Pending, Pool
from verifier.audit.pools import start_pool, workers
from verifier.audit.reader import (
    BLOCK,
    CHUNK,
    ExportMap,
    Region,
    bounded_lines,
    checkpoint_size,
    json_object,
    scan,
    split_lines,
)
from verifier.audit.report import AFTER_LEAVES
from verifier.errors import MalformedError
from verifier.hashing import HashAlgorithm, algorithm
from verifier.merkle import MAX_SIZE

if TYPE_CHECKING:
    from verifier.audit.ahead import Ahead
    from verifier.audit.checkpoints import Signatures
    from verifier.audit.log import LogAudit, Progress
    from verifier.audit.tree import AuditState
    from verifier.report import VerificationReport
    from verifier.trust import TrustRoots


class _Start(NamedTuple):
    """What the workers need of the header, and the chain value before its first leaf."""

    fragment: bytes
    alg: HashAlgorithm
    chain: bytes


def _start(header: bytes, resume: AuditState | None) -> _Start | None:
    """The header's log, algorithm and first chain value, read without checks (the
    audit checks the header); None if the fast path is not open to its leaves."""
    record = json_object(header)
    if record is None:
        return None
    origin, name, start = record.get("origin"), record.get("hash"), record.get("from")
    if not isinstance(origin, str) or not isinstance(name, str) or type(start) is not int:
        return None
    try:
        alg = algorithm(name)
    except MalformedError:
        return None
    if start == 0:
        return _Start(log_fragment(origin), alg, alg.chain_start)
    if resume is not None and resume.size == start:
        return _Start(log_fragment(origin), alg, resume.chain)
    return None  # a partial export without its audit state: no tree, no fast path


class _Regions:
    """Feeds the leaf regions to the audit in order: hashed by workers, or read here.

    A region no longer than ``whole`` is read at once; a longer one holds a line longer
    than ``MAX_LINE`` and is read line by line, bounded."""

    def __init__(self, path: Path, found: ExportMap, whole: int) -> None:
        self.path, self.regions, self.whole = path, found.regions, whole
        self.audit: LogAudit | None = None  # set once the header is in
        self.pool: Pool | None = None
        self.start: _Start | None = None  # what the pool was started with
        self.ahead: Ahead | None = None  # work for this process while it waits
        self.futures: dict[int, Pending] = {}
        self.next = 0  # the next region to feed
        self.submitted = 0
        self.lines = 0  # leaf-section lines fed

    def start_workers(self, found: ExportMap, start: _Start, jobs: int | None) -> None:
        """Workers for the leaf regions, if they can help: several regions, more than one
        core; the first regions are handed to them at once."""
        n = workers(jobs)
        if n < 2 or len(self.regions) < 2:
            return
        try:
            sizes = sorted(found.checkpoint_sizes)
            self.pool = start_pool(str(self.path), start.fragment, start.alg, sizes, n)
        except (OSError, ImportError, NotImplementedError):  # no processes here: one will do
            return
        self.start = start
        self.submit_ahead(start.chain)

    def keep_workers(self, audit: LogAudit) -> bool:
        """Whether the workers started with what the audit found in the header; else
        they are stopped."""
        start, leaves = self.start, audit.leaves
        found = (leaves.fragment, leaves.alg, leaves.chain)
        if start is not None and not leaves.layout_blocked() and start == found:
            return True
        self.stop_workers()
        return False

    def stop_workers(self) -> None:
        pool, self.pool, self.ahead = self.pool, None, None
        self.futures.clear()
        if pool is not None:
            pool.close()

    def feed_until(self, lines: int) -> None:
        """Feed regions until ``lines`` lines of the leaf section are in."""
        while self.next < len(self.regions) and self.lines < lines:
            self._feed()

    def feed_all(self) -> None:
        self.feed_until(MAX_SIZE)

    def _feed(self) -> None:
        audit = self.audit
        assert audit is not None  # noqa: S101  regions are fed after the header
        self.submit_ahead(audit.leaves.chain)
        index = self.next
        self.next += 1
        hashed = self._hashed(index)
        restart = audit.lines  # a record after the leaves may have been read meanwhile
        audit.lines = 1 + self.lines  # the file's numbering: the header is line 1
        if hashed is None or not audit.leaves.merge(hashed):
            self._read(audit, self.regions[index])
        if audit.progress is not None:
            audit.progress(audit.leaves.count, audit.total)
        self.lines = audit.lines - 1
        audit.lines = restart

    def submit_ahead(self, chain: bytes) -> None:
        """Hand regions to the workers up to ``pool.ahead`` beyond the next one to feed;
        ``chain`` is the chain value before that one."""
        pool = self.pool
        while pool is not None and self.submitted < min(len(self.regions), self.next + pool.ahead):
            region = self.regions[self.submitted]
            if region.length <= self.whole:
                known = chain if self.submitted == self.next else None
                self.futures[self.submitted] = pool.submit(region, known)
            self.submitted += 1

    def _hashed(self, index: int) -> Hashed | None:
        future = self.futures.pop(index, None)
        if future is None:
            return None
        ahead = self.ahead
        while ahead is not None and not future.done() and ahead.step():
            pass
        try:
            return future.result()
        except Broken:  # a worker died: the rest is read here
            self.stop_workers()
            return None
        except Exception:  # the region is read here instead, and reported
            return None

    def _read(self, audit: LogAudit, region: Region) -> None:
        """A region read here: at once by the leaves' fast path, as a worker reads it,
        then line by line from the first line it did not take."""
        with self.path.open("rb") as f:
            f.seek(region.offset)
            if region.length > self.whole:
                audit.consume(bounded_lines(f, length=region.length))
                return
            data = f.read(region.length)
        taken = audit.leaves.scan_block(data)
        if taken < len(data):
            audit.consume(split_lines(data[taken:]))


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
    regions = _Regions(path, found, chunk_bytes + MAX_LINE)
    with ExitStack() as stack:
        stack.callback(regions.stop_workers)
        start = None if full_leaves else _start(found.header, resume)
        if start is not None:
            regions.start_workers(found, start, jobs)
        # the rest of the audit, once the workers are under way (see the module docstring)
        from verifier.audit.log import LogAudit

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
        regions.audit = audit
        tail = stack.enter_context(path.open("rb"))
        if regions.keep_workers(audit) and signatures == "all":
            from verifier.audit.ahead import Ahead

            ahead = stack.enter_context(path.open("rb"))
            ahead.seek(found.tail_at)
            regions.ahead = Ahead(ahead, audit.checkpoints)
        _feed_tail(audit, regions, tail, found)
    return audit.finish()


def _feed_tail(audit: LogAudit, regions: _Regions, tail: BinaryIO, found: ExportMap) -> None:
    """The records after the leaves, in order, each once the leaves it needs are in."""
    # the header and the leaf section, counted only if a reason names a line after it
    audit.results.lines_before_tail = functools.cache(lambda: 1 + _count_lines(regions.path, found))
    tail.seek(found.tail_at)
    for index, line in enumerate(bounded_lines(tail)):
        size = checkpoint_size(line)
        # a checkpoint needs the leaves up to its size (its root is kept as they pass
        # it); any other record, every leaf before it in the file
        regions.feed_until(MAX_SIZE if size is None else size - audit.start)
        audit.lines = AFTER_LEAVES + index  # feed_line counts it
        if regions.ahead is not None:
            regions.ahead.passed = index + 1
        audit.feed_line(line)  # no leaf line comes after the leaf section
    regions.feed_all()
