"""``audit_file``: a whole export file, in two passes, on every core (EVIDENCE-FORMAT §2-5).

The first pass (``verifier.audit.reader.scan``) maps the file and learns every
checkpoint size; the second feeds the header, the leaves region by region, then the
records after them. The tree keeps its root at each checkpoint size as the leaves pass
it, so memory stays O(log n) plus the kept roots (a few dozen bytes per checkpoint)
however long the log. The leaf regions are hashed by worker processes when there are
cores to spare (``verifier.audit.parallel``), else here: the report is the same.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Generator, Iterator
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool
from datetime import datetime
from pathlib import Path

from verifier.audit.checkpoints import Signatures
from verifier.audit.leaves import MAX_LINE, Hashed
from verifier.audit.log import LogAudit, Progress
from verifier.audit.parallel import Pool, workers
from verifier.audit.reader import CHUNK, ExportMap, Region, bounded_lines, scan, split_lines
from verifier.audit.tree import AuditState
from verifier.report import VerificationReport
from verifier.trust import TrustRoots


class _Regions:
    """Feeds the leaf regions to the audit in order: hashed by workers, or read here.

    A region no longer than ``whole`` is read at once; a longer one holds a line longer
    than ``MAX_LINE`` and is read line by line, bounded."""

    def __init__(self, audit: LogAudit, path: Path, found: ExportMap, whole: int) -> None:
        self.audit, self.path, self.regions, self.whole = audit, path, found.regions, whole
        self.tail_at = found.tail_at
        self.pool: Pool | None = None
        self.futures: dict[int, Future[Hashed | None]] = {}
        self.submitted = 0

    def feed(self) -> None:
        with contextlib.closing(self._preverifying()) as ahead:
            for index, region in enumerate(self.regions):
                self._submit_ahead(index)
                future = self.futures.get(index)
                while future is not None and not future.done() and next(ahead, False):
                    pass  # the workers hash; this process checks signatures meanwhile
                self._feed(index, region)

    def _preverifying(self) -> Generator[bool, None, None]:
        """Checkpoint signatures of the records after the leaves, verified ahead, one per
        step (``Checkpoints.preverify``); nothing is reported here."""
        with self.path.open("rb") as f:
            f.seek(self.tail_at)
            previous = b""
            for line in bounded_lines(f):
                if line != previous and len(line) <= MAX_LINE:
                    _preverify(self.audit, line)
                    yield True
                previous = line

    def _feed(self, index: int, region: Region) -> None:
        hashed = self._hashed(index)
        if hashed is None or not self.audit.leaves.merge(hashed):
            self._read(region)
        elif self.audit.progress is not None:
            self.audit.progress(self.audit.leaves.count, self.audit.total)

    def _submit_ahead(self, index: int) -> None:
        pool = self.pool
        while pool is not None and self.submitted < min(len(self.regions), index + pool.ahead):
            region = self.regions[self.submitted]
            if region.length <= self.whole:
                known = self.audit.leaves.chain if self.submitted == index else None
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


def _preverify(audit: LogAudit, line: bytes) -> None:
    try:
        record = json.loads(line)
    except ValueError:
        return
    if isinstance(record, dict) and record.get("type") == "checkpoint":
        size, note = record.get("size"), record.get("note")
        if isinstance(size, int) and isinstance(note, str):
            audit.checkpoints.preverify(size, note)


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
    with _workers(regions, audit, path, jobs):
        regions.feed()
    with path.open("rb") as tail:
        tail.seek(found.tail_at)
        audit.consume(bounded_lines(tail))
    return audit.finish()
