"""The checkpoints of an export: signatures, roots against the recomputed tree, coverage
(docs/design/EVIDENCE-FORMAT.md §4; C2SP tlog-checkpoint).

Each checkpoint record is checked for its signature by a trusted key (``checkpoint
signature``; its origin and size must be the record's) and for its root, equal to the
root recomputed at its size (``checkpoint root``). A root that differs can only bound the
damage: "between seq A and B", where A is the size of the previous checkpoint that
matched; and if a later checkpoint matches, the leaves are intact and the log signed an
inconsistent checkpoint. ``coverage``: the newest checkpoint covers every leaf the header
announces (a truncated export fails here).

A record identical to one already checked is counted as a repeat and not checked again:
it costs a dictionary lookup, not an Ed25519 verification. Repeats of a record that
verified are recognised however far apart; of one that failed, within the last
``RECENT_FAILURES`` distinct failures (so that hostile records cost no memory). The
report counts distinct checkpoints (by size), not records.
"""

from __future__ import annotations

import hashlib
from array import array
from bisect import bisect_left, bisect_right
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from verifier import checkpoint as notes
from verifier.anchors import text_digest
from verifier.audit.report import Results
from verifier.audit.tree import TreeState
from verifier.errors import VerificationError

Signatures = Literal["all", "essential"]
"""Which checkpoint signatures an audit verifies; see ``Checkpoints``."""

RECENT_FAILURES = 1024


def record_key(size: int, note: str) -> bytes:
    """What identifies a record: its size and note, hashed."""
    return hashlib.sha256(b"%d\n%s" % (size, note.encode("utf-8", "surrogatepass"))).digest()


@dataclass(frozen=True, slots=True)
class _Seen:
    """A checkpoint read from the export; ``note`` is kept while its signature is unchecked."""

    cp: notes.Checkpoint
    note: str | None


@dataclass(frozen=True, slots=True)
class _BadRoot:
    size: int
    expected: str  # recomputed root, hex
    actual: str  # the checkpoint's root, hex


class Checkpoints:
    """The checkpoint records of one export and what they establish.

    ``signatures``: ``"all"`` (the default) verifies the signature of every checkpoint.
    ``"essential"`` verifies only those that carry weight: the anchored ones
    (``anchor_sizes`` must be known, as in ``audit_file``), the newest, and every one whose
    root differs from the recomputed tree (a valid signature there proves the log
    equivocated). A checkpoint whose root matches the leaves states nothing false; if its
    signature is broken, only that goes unnoticed. Without ``anchor_sizes`` every
    signature is verified.
    """

    def __init__(
        self,
        results: Results,
        tree: TreeState,
        origin: str,
        start: int,
        vkeys: list[str],
        signatures: Signatures,
        anchor_sizes: set[int] | None,
    ) -> None:
        self.results, self.tree, self.origin, self.vkeys = results, tree, origin, vkeys
        self.start = start  # the export's first seq: checkpoints before it say nothing of it
        self.deferring = signatures == "essential" and anchor_sizes is not None
        self.anchor_sizes = anchor_sizes
        self.digests: dict[int, set[bytes]] = {}  # signed-text digests, for the anchors
        self.pending: dict[int, list[_Seen]] = {}  # waiting for the tree to reach them
        self.missed: list[_Seen] = []  # whose root was not kept
        self.good = array("Q")  # sizes whose root matched: 8 bytes each
        self.bad: list[_BadRoot] = []
        self.newest: int | None = None  # the largest size compared
        self.signed = 0
        self.newest_signed = -1
        self.unverified = 0  # matching roots whose signature was not needed
        self.newest_unverified: tuple[int, str] | None = None
        self.checked: set[bytes] = set()  # records that verified, by digest
        self.failing: OrderedDict[bytes, None] = OrderedDict()
        self.repeats = 0
        # outcomes of signatures verified ahead, by note (verifier.audit.ahead)
        self.verified: dict[str, notes.Checkpoint | VerificationError] = {}
        tree.reached = self._reached

    # --- records ----------------------------------------------------------------------

    def record(self, size: int, note: str) -> None:
        """One checkpoint record (``size``, ``note``) of the export."""
        key = record_key(size, note)
        if self.repeat(key):
            self.repeats += 1
            return
        if self._record(size, note):
            self.checked.add(key)
        else:
            self.failing[key] = None
            if len(self.failing) > RECENT_FAILURES:
                self.failing.popitem(last=False)

    def repeat(self, key: bytes) -> bool:
        """Whether the record of this ``record_key`` was checked before (and is not again)."""
        return key in self.checked or key in self.failing

    def _record(self, size: int, note: str) -> bool:
        deferred = self.deferring and size not in (self.anchor_sizes or ())
        try:
            cp = notes.parse_checkpoint(notes.signed_text(note)) if deferred else self._verify(note)
        except VerificationError as e:
            self._bad_signature(size, e)
            return False
        if cp.origin != self.origin or cp.size != size:
            self.results.fail(
                "checkpoint signature",
                None,
                f"checkpoint at size {size}: signed for another log or size",
                f"{self.origin} {size}",
                f"{cp.origin} {cp.size}",
            )
            return False
        if not deferred and (self.anchor_sizes is None or size in self.anchor_sizes):
            self.digests.setdefault(size, set()).add(text_digest(note))
        self._check_root(_Seen(cp, note if deferred else None))
        return True

    def _bad_signature(self, size: int, e: VerificationError) -> None:
        self.results.fail("checkpoint signature", None, f"checkpoint at size {size}: {e.message}")

    def _verify(self, note: str) -> notes.Checkpoint:
        """The checkpoint once a trusted key's signature verifies (docs/design/EVIDENCE-FORMAT.md
        §4)."""
        done = self.verified.pop(note, None)
        if done is None:
            cp = notes.verify(note, self.vkeys)
        elif isinstance(done, VerificationError):
            raise done
        else:
            cp = done
        self.signed += 1
        self.newest_signed = max(self.newest_signed, cp.size)
        return cp

    # --- roots ------------------------------------------------------------------------

    def _check_root(self, seen: _Seen) -> None:
        size = seen.cp.size
        if not self.tree.known or size < self.start:
            return
        root = self.tree.root_at(size)
        if root is not None:
            self._compare(seen, root)
        elif size > self.tree.size:
            self.pending.setdefault(size, []).append(seen)
            self.tree.wait_for(size)
        else:
            self.missed.append(seen)

    def _reached(self, size: int, root: bytes) -> None:
        for seen in self.pending.pop(size, []):
            self._compare(seen, root)

    def check_missed(self, roots: Mapping[int, bytes]) -> None:
        """Check the checkpoints whose root was not kept against roots computed again."""
        for seen in self.missed:
            if seen.cp.size in roots:
                self._compare(seen, roots[seen.cp.size])
            else:
                reason = (
                    f"checkpoint at size {seen.cp.size:,}: its root was not kept "
                    "(give its size first)"
                )
                self.results.note("checkpoint root", "skipped", reason)
        self.missed = []

    def _compare(self, seen: _Seen, root: bytes) -> None:
        cp = seen.cp
        good = root == cp.root
        if seen.note is not None:  # signature deferred ("essential")
            if good:
                self.unverified += 1
                if self.newest_unverified is None or cp.size >= self.newest_unverified[0]:
                    self.newest_unverified = (cp.size, seen.note)
            else:  # whether the log signed it decides what the mismatch means
                try:
                    self._verify(seen.note)
                except VerificationError as e:
                    self._bad_signature(cp.size, e)
                    return
        self.newest = cp.size if self.newest is None else max(self.newest, cp.size)
        if good:
            self.good.append(cp.size)
        else:
            self.bad.append(_BadRoot(cp.size, root.hex(), cp.root.hex()))

    # --- the end ------------------------------------------------------------------------

    def finish(self, total: int) -> None:
        """Once every record is in: the newest signature, what never came, the bounds."""
        self._verify_newest()
        for size in sorted(self.pending):
            self.results.fail(
                "checkpoint root",
                None,
                f"checkpoint at size {size:,} is beyond the {self.tree.size:,} leaves of the "
                "export",
            )
        self.check_missed({})
        good = array("Q", sorted(set(self.good)))
        self.good = good
        self.results.passed("checkpoint root", len(good))
        for bad in sorted(self.bad, key=lambda r: r.size):
            self.results.fail("checkpoint root", None, self._bound(bad), bad.expected, bad.actual)
        self._coverage(total)

    def _verify_newest(self) -> None:
        """The newest checkpoint is what the audit vouches for: its signature is checked."""
        newest = self.newest_unverified
        if newest is None or newest[0] <= self.newest_signed:
            return
        try:
            self._verify(newest[1])
        except VerificationError as e:
            self._bad_signature(newest[0], e)
            return
        self.unverified -= 1

    def _bound(self, bad: _BadRoot) -> str:
        good = self.good
        later = bisect_right(good, bad.size)
        if later < len(good):
            return (
                f"checkpoint at size {bad.size:,}: its root is not the root of the leaves, yet "
                f"the checkpoint at size {good[later]:,} matches them: the log signed an "
                "inconsistent checkpoint"
            )
        before = bisect_left(good, bad.size)
        start = good[before - 1] if before else self.start
        return (
            f"checkpoint at size {bad.size:,}: its root is not the root of the leaves; "
            f"the first bad leaf is between seq {start} and {bad.size - 1}"
        )

    def _coverage(self, total: int) -> None:
        newest = self.newest
        if newest is not None and newest >= total:
            self.results.passed("coverage")
        elif total > self.start and self.tree.known:
            newest_text = "none" if newest is None else f"{newest:,}"
            self.results.fail(
                "coverage",
                None,
                f"no checkpoint covers the leaves from seq {newest or self.start}: the "
                f"newest checkpoint's size is {newest_text}, the log has {total:,} leaves (the "
                "export is truncated, or they were never signed)",
            )
