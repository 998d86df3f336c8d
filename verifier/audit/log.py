"""``LogAudit``: one audit of one log, fed ``log-export/1`` records in export order
(docs/design/EVIDENCE-FORMAT.md §2-5, docs/evidence-format.md).

The header comes first and says which log, hash algorithm and leaves to expect; then the
leaves (``verifier.audit.leaves``) go into the recomputed tree
(``verifier.audit.tree``), the checkpoints (``verifier.audit.checkpoints``) are checked
against it and the anchors (``verifier.audit.anchors``) against the checkpoints;
``finish`` writes the report (``verifier.audit.report``). A header that is missing or
unreadable raises ``MalformedError``: nothing can be evaluated without it.

Lines (``consume``) take the leaves' fast path when they can, and are otherwise parsed
strictly (``verifier.ijson``). A line longer than ``MAX_LINE`` is refused unread. A
checkpoint or anchor line identical to the line before is a repeat, counted and not
parsed again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import UTC, datetime
from itertools import islice
from typing import Any

from verifier import checkpoint as notes
from verifier.anchors import DEV_REASON
from verifier.audit.anchors import RECORD_KEYS as ANCHOR_KEYS
from verifier.audit.anchors import Anchors
from verifier.audit.checkpoints import Checkpoints, Signatures
from verifier.audit.leaves import MAX_LINE, Leaves
from verifier.audit.report import Results
from verifier.audit.tree import AuditState, TreeState
from verifier.errors import CanonicalJSONError, MalformedError
from verifier.hashing import HashAlgorithm, algorithm
from verifier.ijson import parse_json
from verifier.merkle import MAX_SIZE
from verifier.report import Check, VerificationReport, plural, show, utc_text
from verifier.trust import TrustRoots, load_roots, trusted_keys

FORMAT = "log-export/1"
HEADER_KEYS = frozenset({"type", "format", "origin", "hash", "vkeys", "from", "size"})
CHECKPOINT_KEYS = frozenset({"type", "size", "note"})
BATCH = 4096
"""Lines read at a time, at most: the fast path's run, and how often progress is reported."""
BATCH_BYTES = 8 << 20
"""Bytes of lines read at a time, at most (a single line may pass it): with lines of up
to ``MAX_LINE`` bytes, ``BATCH`` of them would hold gigabytes."""

Progress = Callable[[int, int | None], None]
"""Called with (leaves audited, leaves the header announces) every few thousand leaves."""


class LogAudit:
    """An audit of one log, fed ``log-export/1`` records in export order.

    ``origin`` and ``hash_alg`` may be None to take them from the header (which must
    agree when they are given); ``vkeys`` are the trusted verifier keys, ``tsa_roots``
    the trusted TSA roots (PEM or DER, or ``TrustRoots``). ``checkpoint_sizes``: the
    sizes whose roots are kept as the leaves pass them, for checkpoints fed later (a
    checkpoint fed before the leaves reach its size waits for them); None (the default,
    for a stream) keeps every perfect subtree instead, 64 bytes per leaf, so that any
    root is known. ``signatures`` and ``anchor_sizes``: see ``Checkpoints``.
    ``resume``: the ``state()`` of an audit of the log up to the export's ``from``.
    """

    def __init__(
        self,
        origin: str | None,
        hash_alg: str | HashAlgorithm | None,
        vkeys: list[str],
        tsa_roots: list[bytes] | TrustRoots,
        *,
        checkpoint_sizes: Iterable[int] | None = None,
        anchor_sizes: Iterable[int] | None = None,
        at_time: datetime | None = None,
        progress: Progress | None = None,
        full_leaves: bool = False,
        resume: AuditState | None = None,
        signatures: Signatures = "all",
    ) -> None:
        self.vkeys = trusted_keys(vkeys, "vkeys")
        self.trusted = [notes.parse_vkey(k) for k in self.vkeys]
        self.roots = load_roots(tsa_roots)
        if at_time is not None and at_time.tzinfo is None:
            raise MalformedError("at_time must be an aware datetime")
        self.at_time, self.origin = at_time, origin
        self.alg = algorithm(hash_alg) if isinstance(hash_alg, str) else hash_alg
        self.progress, self.full_leaves, self.resume = progress, full_leaves, resume
        self.signatures = signatures
        self.watch = None if checkpoint_sizes is None else set(checkpoint_sizes)
        self.anchor_sizes = None if anchor_sizes is None else set(anchor_sizes)
        self.results = Results()
        self.header: Mapping[str, Any] | None = None
        self.total = 0  # leaves the header announces (its size)
        self.start = 0  # the header's from
        self._previous = b""  # the last checkpoint or anchor line, to spot repeats
        self.repeats = 0

    @property
    def lines(self) -> int:
        """The line being read: the file's number, or counted from ``AFTER_LEAVES``."""
        return self.results.line

    @lines.setter
    def lines(self, number: int) -> None:
        self.results.line = number

    @property
    def number(self) -> int:
        """The file's number of the line being read, for a reason."""
        return self.results.number()

    # --- the header -------------------------------------------------------------------

    def _header(self, record: Mapping[str, Any]) -> None:
        if self.header is not None:
            self.results.fail("format", None, f"line {self.number}: a second header")
            return
        if record.get("format") != FORMAT:
            raise MalformedError(f"not a {FORMAT} header: format is {show(record.get('format'))}")
        origin, hash_name = record.get("origin"), record.get("hash")
        start, total = record.get("from"), record.get("size")
        if not isinstance(origin, str) or not origin or not isinstance(hash_name, str):
            raise MalformedError("the header has no origin or no hash algorithm")
        for name, value in (("from", start), ("size", total)):
            if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_SIZE:
                raise MalformedError(f"the header's {name} is not a tree size: {show(value)}")
        assert isinstance(start, int)  # noqa: S101  checked above; for mypy
        assert isinstance(total, int)  # noqa: S101
        alg = algorithm(hash_name)
        if self.origin is not None and origin != self.origin:
            raise MalformedError(f"the export is of log {origin!r}, not {self.origin!r}")
        if self.alg is not None and alg != self.alg:
            raise MalformedError(f"the export uses {alg.name}, not {self.alg.name}")
        self.header, self.origin, self.alg = record, origin, alg
        self.total, self.start = total, start
        extra = sorted(str(k) for k in record if k not in HEADER_KEYS)
        if extra:
            self.results.fail("format", None, f"the header has unknown fields {extra}")
        self._key_known(record.get("vkeys"))
        self._begin(origin, alg)

    def _begin(self, origin: str, alg: HashAlgorithm) -> None:
        self.tree = TreeState(alg, self.watch or (), keep_all=self.watch is None)
        self.leaves = Leaves(
            self.results, self.tree, origin, self.start, self.total, self.full_leaves
        )
        self.checkpoints = Checkpoints(
            self.results,
            self.tree,
            origin,
            self.start,
            self.vkeys,
            self.signatures,
            self.anchor_sizes,
        )
        self.anchors = Anchors(self.results, self.checkpoints, self.roots, self.at_time)
        if self.start == 0:
            return
        state = self.resume
        if state is None or state.size != self.start:
            self.tree.known = False
            self.tree.store = None
            self.results.note(
                "checkpoint root",
                "skipped",
                f"a partial export (from seq {self.start}) without the audit state at "
                f"{self.start}: the tree cannot be recomputed and the first chain step is not "
                "checked",
            )
            return
        self.tree.resume(state)
        self.leaves.chain = state.chain

    def _key_known(self, vkeys: object) -> None:
        if vkeys is None or vkeys == []:
            self.results.note("key known", "skipped", "the export lists no keys")
            return
        if not isinstance(vkeys, list) or not all(isinstance(k, str) for k in vkeys):
            self.results.fail("key known", None, "the header's vkeys is not a list of keys")
            return
        try:
            listed = [notes.parse_vkey(k) for k in vkeys]
        except MalformedError as e:
            self.results.fail("key known", None, f"the header lists a bad key: {e.message}")
            return
        if any(k in listed for k in self.trusted):
            self.results.passed("key known")
        else:
            reason = "none of the trusted keys is among the export's keys"
            self.results.fail("key known", None, reason, self.vkeys, vkeys)

    # --- feeding ----------------------------------------------------------------------

    def feed(self, record: Mapping[str, Any]) -> None:
        """One ``log-export/1`` record (parsed JSON): header, leaf, checkpoint or anchor."""
        kind = record.get("type") if isinstance(record, Mapping) else None
        if self.header is None:
            if kind != "log":
                raise MalformedError("the export does not start with its log-export/1 header")
            self._header(record)
            return
        if kind == "leaf":
            self.leaves.record(record)
        elif kind == "checkpoint":
            self._checkpoint_record(record)
        elif kind == "anchor":
            self._anchor_record(record)
        elif kind == "log":
            self._header(record)
        else:
            self.results.fail("format", self._here(), f"line {self.number}: unknown record type")

    def _here(self) -> int | None:
        return None if self.header is None else self.leaves.here()

    def feed_line(self, line: bytes | str) -> None:
        """One line of an export (strict JSON)."""
        self.lines += 1
        if len(line) > MAX_LINE:
            self._too_long()
            return
        if self._previous and line == self._previous:
            self.repeats += 1
            return
        try:
            record = parse_json(line)
        except CanonicalJSONError as e:
            if self.header is None:
                raise MalformedError(f"the export's header is not JSON: {e.message}") from None
            self.results.fail(
                "format", self._here(), f"line {self.number} is not JSON: {e.message}"
            )
            return
        if not isinstance(record, dict):
            if self.header is None:
                raise MalformedError("the export's header is not a JSON object")
            self.results.fail("format", self._here(), f"line {self.number} is not a JSON object")
            return
        kind = record.get("type")
        repeatable = kind in ("checkpoint", "anchor") and len(line) < 1 << 16
        self._previous = line if isinstance(line, bytes) and repeatable else b""
        self.feed(record)

    def _too_long(self) -> None:
        reason = f"line {self.number} is longer than {MAX_LINE:,} bytes: refused unread"
        if self.header is None:
            raise MalformedError(f"the export's header: {reason}")
        self.results.fail("format", self._here(), reason)

    def audit_lines(self, lines: Iterable[bytes | str]) -> VerificationReport:
        """Feed every line of an export (JSON Lines) and return the report."""
        self.consume(lines)
        return self.finish()

    def consume(self, lines: Iterable[bytes | str]) -> None:
        """Feed lines; leaf lines in the exporter's layout take the fast path."""
        it = iter(lines)
        while batch := _batch(it):
            self._consume(batch)
            if self.progress is not None and self.header is not None:
                self.progress(self.leaves.count, self.total)

    def _consume(self, batch: list[bytes]) -> None:
        i, end = 0, len(batch)
        while i < end:
            layout = self.leaves.layout(batch[i]) if self.header is not None else None
            if layout is not None:
                i = self.leaves.scan(batch, i, layout)
                if i == end:
                    return
            self.feed_line(batch[i])  # the strict path reports what is wrong with the line
            i += 1

    # --- checkpoints and anchors --------------------------------------------------------

    def _checkpoint_record(self, record: Mapping[str, Any]) -> None:
        size, note = record.get("size"), record.get("note")
        extra = sorted(str(k) for k in record if k not in CHECKPOINT_KEYS)
        if extra:
            reason = f"line {self.number}: checkpoint has unknown fields {extra}"
            self.results.fail("format", None, reason)
        if not isinstance(size, int) or isinstance(size, bool) or not isinstance(note, str):
            reason = f"line {self.number}: a checkpoint without size or note"
            self.results.fail("format", None, reason)
            return
        self.checkpoints.record(size, note)

    def _anchor_record(self, record: Mapping[str, Any]) -> None:
        size, token64 = record.get("size"), record.get("token")
        extra = sorted(str(k) for k in record if k not in ANCHOR_KEYS)
        if extra:
            self.results.fail(
                "format", None, f"line {self.number}: anchor has unknown fields {extra}"
            )
        if not isinstance(size, int) or isinstance(size, bool) or not isinstance(token64, str):
            reason = f"line {self.number}: an anchor without size or token"
            self.results.fail("format", None, reason)
            return
        self.anchors.record(size, token64, record)

    def check_missed(self, roots: Mapping[int, bytes]) -> None:
        """Check the checkpoints whose root was not kept against roots computed again."""
        self.checkpoints.check_missed(roots)

    # --- the report -------------------------------------------------------------------

    def state(self) -> AuditState:
        """Where the audit is: give it as ``resume`` to audit an export ``--from`` size."""
        return self.tree.state(self.leaves.chain)

    def finish(self) -> VerificationReport:
        """The report, once every record has been fed."""
        if self.header is None:
            raise MalformedError("the export is empty: no log-export/1 header")
        if self.progress is not None:
            self.progress(self.leaves.count, self.total)
        self.results.finishing = True
        self.leaves.finish()
        self.checkpoints.finish(self.total)
        last = []
        if not self.anchors.records:
            reason = "not yet anchored: the export has no anchors"
            last.append(Check("anchor token", "pending", None, reason))
        checks = self.results.checks(self._summaries(), self._ran, last)
        return VerificationReport(tuple(checks), f"log {self.origin}", self._claim())

    def _summaries(self) -> dict[str, str]:
        leaves, cps, results = self.leaves, self.checkpoints, self.results
        signed = f"{plural(cps.signed, 'checkpoint')} signed by a trusted key"
        if cps.unverified:
            signed += (
                f"; {cps.unverified:,} more, whose root matches the leaves, not verified "
                "(signatures=essential)"
            )
        repeats = self.repeats + cps.repeats + self.anchors.repeats
        return {
            "format": f"{FORMAT} of log {self.origin}, leaves from seq {self.start}"
            + (f"; {plural(repeats, 'repeated record')} counted once" if repeats else ""),
            "key known": "a trusted key is among the export's keys",
            "seq": f"seqs {self.start} to {leaves.seq - 1} each once, in order",
            "leaf": f"{plural(leaves.count, 'leaf', 'leaves')} decoded and hashed; "
            "leaf_hash, embedded seq and log match",
            "chain": f"{plural(leaves.chained, 'chain value')} recomputed and equal",
            "checkpoint signature": signed,
            "checkpoint root": f"{plural(results.count('checkpoint root'), 'checkpoint root')} "
            "equal to the tree recomputed from the leaves",
            "coverage": "the newest checkpoint covers every leaf",
            "anchor covers checkpoint": plural(results.count("anchor covers checkpoint"), "anchor")
            + " over the signed text of a checkpoint of the export",
        }

    def _ran(self, name: str) -> bool:
        if name in ("format", "seq", "leaf"):
            return True
        if name == "chain":
            return self.leaves.count > 0
        if name == "checkpoint signature":
            return self.checkpoints.signed > 0
        return self.results.count(name) > 0

    def _claim(self) -> str:
        n, start = self.leaves.count, self.start
        span = f"seq {start} to {self.leaves.seq - 1}" if n else "no leaves"
        claim = f"log {self.origin}: {plural(n, 'entry', 'entries')} ({span}) recomputed"
        cps = self.checkpoints
        roots = self.results.count("checkpoint root")
        if roots and not cps.unverified:
            newest = cps.good[-1]
            claim += f"; {plural(roots, 'signed checkpoint')} agree (newest at size {newest:,})"
        elif roots:
            newest = cps.good[-1]
            claim += (
                f"; {plural(roots, 'checkpoint')} agree (newest at size {newest:,}), "
                f"{plural(cps.signed, 'signature')} verified (the newest and the anchored)"
            )
        verified = self.anchors.verified
        if verified:
            size, when = max((s, a.gen_time.astimezone(UTC)) for s, a in verified)
            dev = f" ({DEV_REASON})" if any(a.development for _, a in verified) else ""
            claim += (
                f"; anchored by {plural(len(verified), 'token')}{dev}, the newest at "
                f"size {size:,} at {utc_text(when)}"
            )
        return claim


def _batch(lines: Iterator[bytes | str]) -> list[bytes]:
    """The next lines: ``BATCH`` of them, or fewer holding ``BATCH_BYTES``."""
    batch: list[bytes] = []
    size = 0
    for line in islice(lines, BATCH):
        data = line.encode("utf-8") if isinstance(line, str) else line
        batch.append(data)
        size += len(data)
        if size >= BATCH_BYTES:
            break
    return batch
