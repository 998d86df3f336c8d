"""Whole-log audit of a ``log-export/1`` (EVIDENCE-FORMAT §2-5, docs/evidence-format.md).

``LogAudit`` recomputes everything the log claims from its leaves: each leaf hash
(RFC 9162 §2.1.1), the hash chain (§2), the Merkle tree (a compact range, RFC 9162), and
checks every checkpoint (signature by a trusted key, §4, and root equal to the root
recomputed at its size) and every anchor (RFC 3161 token over the signed text of the
checkpoint of its size, §5). It pinpoints the first bad seq: a leaf whose hash is not
its ``leaf_hash``, or whose embedded seq or log is not the record's, a chain value that
does not follow, a missing, repeated or out-of-order seq. A checkpoint whose root
differs can only bound the damage: "between seq A and B", where A is the size of the
previous checkpoint that matched; and if a later checkpoint matches, the leaves are
intact and the log signed an inconsistent checkpoint.

Records come in export order: the header, the leaves in seq order, the checkpoints,
the anchors. A checkpoint's root is needed at its size, which the leaves pass before
the checkpoint arrives; memory stays O(log n) however long the log:

- ``audit_file(path)`` reads the file twice: a cheap first pass finds where the
  checkpoints start and the sizes of the anchors, the second interleaves leaves and
  checkpoints so that each checkpoint is checked when the tree reaches its size;
- a checkpoint fed before the leaves reach its size waits for them (so a caller that
  streams from the API feeds the checkpoints it knows first, then the leaves);
- ``checkpoint_sizes``: the roots at these sizes are kept, for checkpoints fed later;
- ``checkpoint_sizes=None`` (the default, used for a stream such as stdin) keeps every
  perfect subtree instead: 64 bytes per leaf, any root on demand.

Check names: ``format``, ``key known`` (a trusted key among the header's ``vkeys``),
``seq``, ``leaf``, ``chain``, ``checkpoint signature``, ``checkpoint root``, ``coverage``
(the newest checkpoint covers every leaf the header announces: a truncated export fails
here), ``anchor token``, ``anchor covers checkpoint``.

The embedded seq and log are checked without parsing the leaf: in a canonical leaf
(RFC 8785, keys sorted) ``"log":<origin>,"received_at":"`` is followed by the 27
characters of ``received_at`` and then ``","seq":N,"source":``; that position is
checked. A leaf that is not canonical or not of the §2 schema can pass this test; with
``full_leaves=True`` every leaf is also parsed with ``parse_leaf`` (schema, canonical
bytes), at a fraction of the speed.

Performance: leaf lines exactly as ``ledger export`` writes them (compact or spaced JSON,
the five keys in the documented order) take a fast path without a JSON parser (see
``_run_fast``). Every other line, and every line that fails a check there, takes the
strict path (``parse_json``), which reports exactly what is wrong; both paths check the
same things. Non-canonical base64 (unused bits set) decodes to the same leaf bytes and
is accepted on both.

Failures are reported individually, at most ``MAX_REPORTED`` per check name, then
counted; the failure with the lowest seq comes first (and so in the bottom line), then
those that only bound a seq, in file order. Passes are reported once per check name,
with their count. Line numbers in reasons are the file's. A header that is missing or
unreadable raises ``MalformedError``: nothing can be evaluated without it.
"""

from __future__ import annotations

import binascii
import functools
import hashlib
import json
import re
import sys
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path
from typing import Any, Literal

from verifier import checkpoint as notes
from verifier import timestamp
from verifier.bundle import DEV_REASON, is_development, token_imprint
from verifier.canonical import parse_json, parse_leaf
from verifier.errors import CanonicalJSONError, MalformedError, VerificationError
from verifier.hashing import HashAlgorithm, algorithm
from verifier.merkle import MAX_SIZE, fold_right, range_nodes
from verifier.report import Check, VerificationReport

FORMAT = "log-export/1"
MAX_REPORTED = 100
"""Failures kept per check name; later ones are only counted."""
PROGRESS_EVERY = 1 << 14
RECEIVED_AT_SIZE = len("2026-11-22T17:03:04.123456Z")
HEADER_KEYS = frozenset({"type", "format", "origin", "hash", "vkeys", "from", "size"})
LEAF_KEYS = frozenset({"type", "seq", "leaf", "leaf_hash", "chain"})
CHECKPOINT_KEYS = frozenset({"type", "size", "note"})
ANCHOR_KEYS = frozenset({"type", "size", "tsa", "token", "gen_time", "development_tsa"})
CHECK_ORDER = (
    "format",
    "key known",
    "seq",
    "leaf",
    "chain",
    "checkpoint signature",
    "checkpoint root",
    "coverage",
    "anchor token",
    "anchor covers checkpoint",
)

Signatures = Literal["all", "essential"]
"""Which checkpoint signatures an audit verifies; see ``LogAudit``."""

Progress = Callable[[int, int | None], None]
"""Called with (leaves audited, leaves the header announces) every few thousand leaves."""


@dataclass(frozen=True, slots=True)
class _Layout:
    """How ``ledger export`` spells a leaf line: the fixed text around its values."""

    start: bytes  # before the seq
    leaf: bytes  # between the seq and the base64
    leaf_hash: bytes  # between the base64 and the leaf hash
    chain: bytes  # between the leaf hash and the chain
    end: bytes  # after the chain, before the newline

    @functools.cache  # noqa: B019  two layouts, one or two hash sizes: a handful of entries
    def formats(self, hash_size: int) -> tuple[bytes, bytes, int]:
        """``head % seq``; ``tail % (leaf hash hex, chain hex)`` up to the newline; its length."""

        def escape(text: bytes) -> bytes:
            return text.replace(b"%", b"%%")

        head = escape(self.start) + b"%d" + escape(self.leaf)
        parts = (self.leaf_hash, self.chain, self.end + b"\n")
        tail = b"%s".join(escape(x) for x in parts)
        return head, tail, sum(map(len, parts)) + 4 * hash_size

    def matches(self, line: bytes, seq: int) -> bool:
        return line.startswith(self.start) and line.startswith(
            b"%d%s" % (seq, self.leaf), len(self.start)
        )


_COMPACT = _Layout(
    b'{"type":"leaf","seq":', b',"leaf":"', b'","leaf_hash":"', b'","chain":"', b'"}'
)
_SPACED = _Layout(
    b'{"type": "leaf", "seq": ', b', "leaf": "', b'", "leaf_hash": "', b'", "chain": "', b'"}'
)


@dataclass(frozen=True, slots=True)
class AuditState:
    """Where an audit ended, to resume from the next seq (``ledger export --from``)."""

    size: int
    compact: tuple[bytes, ...]  # the compact range [0, size), left to right
    chain: bytes  # chain[size - 1]


@dataclass(frozen=True, slots=True)
class _Seen:
    """A checkpoint read from the export; ``note`` is kept while its signature is unchecked."""

    cp: notes.Checkpoint
    note: str | None


def _signed_text(note: str) -> str:
    """EVIDENCE-FORMAT §5: the note up to and including its last newline before the blank line."""
    return note[: note.rfind("\n\n") + 1] if "\n\n" in note else note


@dataclass(slots=True)
class _CheckpointResult:
    """A checkpoint whose root is not the recomputed one (only these are kept)."""

    size: int
    good: bool
    expected: str  # recomputed root, hex
    actual: str  # the checkpoint's root, hex


def _hexof(value: object, size: int) -> bytes | None:
    if isinstance(value, str) and len(value) == 2 * size and value == value.lower():
        try:
            return bytes.fromhex(value)
        except ValueError:
            return None
    return None


def _show(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:80] + "..."


def _trusted_keys(vkeys: object) -> list[str]:
    if isinstance(vkeys, str) or not isinstance(vkeys, list | tuple) or not vkeys:
        raise MalformedError("vkeys must be a non-empty list of verifier keys")
    for key in vkeys:
        notes.parse_vkey(key)
    return list(vkeys)


def _trust_roots(tsa_roots: object) -> list[bytes]:
    if isinstance(tsa_roots, bytes | str) or not isinstance(tsa_roots, list | tuple):
        raise MalformedError("tsa_roots must be a list of PEM or DER certificates")
    if tsa_roots:
        timestamp.load_trust_roots(list(tsa_roots))
    return list(tsa_roots)


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n:,} {one if n == 1 else many or one + 's'}"


class LogAudit:
    """An audit of one log, fed ``log-export/1`` records in export order.

    ``origin`` and ``hash_alg`` may be None to take them from the header (which must
    agree when they are given); ``vkeys`` are the trusted verifier keys, ``tsa_roots``
    the trusted TSA roots (PEM or DER). See the module docstring for ``checkpoint_sizes``.

    ``signatures``: ``"all"`` (the default) verifies the signature of every checkpoint.
    The ledger signs a checkpoint per append, and an Ed25519 verification costs more
    than auditing a hundred leaves; ``"essential"`` verifies only those that carry
    weight: the anchored ones (``anchor_sizes`` must be known, as in ``audit_file``),
    the newest, and every one whose root differs from the recomputed tree (a valid
    signature there proves the log equivocated). A checkpoint whose root matches the
    leaves states nothing false; if its signature is broken, only that goes unnoticed.
    Without ``anchor_sizes`` every signature is verified.
    """

    def __init__(
        self,
        origin: str | None,
        hash_alg: str | HashAlgorithm | None,
        vkeys: list[str],
        tsa_roots: list[bytes],
        *,
        checkpoint_sizes: Iterable[int] | None = None,
        anchor_sizes: Iterable[int] | None = None,
        at_time: datetime | None = None,
        progress: Progress | None = None,
        full_leaves: bool = False,
        resume: AuditState | None = None,
        signatures: Signatures = "all",
    ) -> None:
        self.vkeys = _trusted_keys(vkeys)
        self.trusted = [notes.parse_vkey(k) for k in self.vkeys]
        self.tsa_roots = _trust_roots(tsa_roots)
        if at_time is not None and at_time.tzinfo is None:
            raise MalformedError("at_time must be an aware datetime")
        self.at_time = at_time
        self.origin = origin
        self.alg: HashAlgorithm | None = (
            algorithm(hash_alg) if isinstance(hash_alg, str) else hash_alg
        )
        self.progress = progress
        self.full_leaves = full_leaves
        self.resume = resume
        self.header: Mapping[str, Any] | None = None
        self.total: int | None = None  # leaves the header announces (its size)
        self.start = 0  # the header's from
        # leaves
        self.seq = 0  # the next seq expected
        self.size = 0  # leaves in the tree
        self.chain = b""  # the previous chain value; b"" when unknown (a resumed export)
        self.compact: list[bytes] = []
        self.tree_known = True  # False: a partial export without a resume state
        self.store: list[bytearray] | None = [] if checkpoint_sizes is None else None
        self.watch: set[int] = set(checkpoint_sizes or ())
        self.roots: dict[int, bytes] = {}
        self.pending: dict[int, list[_Seen]] = {}
        self.missed: list[_Seen] = []  # checkpoints whose root was not kept
        self.lines = 0
        # checkpoints and anchors
        self.anchor_sizes = None if anchor_sizes is None else set(anchor_sizes)
        self.digests: dict[int, set[bytes]] = {}
        self.good_sizes = array("Q")  # sizes whose checkpoint root matched: 8 bytes each
        self.good_ordered = True
        self.bad_roots: list[_CheckpointResult] = []
        self.newest: int | None = None  # the largest checkpoint size compared
        self.signed = 0
        self.newest_signed = -1
        self.unverified = 0  # checkpoints whose matching root made the signature optional
        self.newest_unverified: tuple[int, str] | None = None
        self.signatures = signatures
        self.anchors = 0
        self.anchor_facts: list[tuple[int, datetime, bool]] = []
        # results
        self.passes: dict[str, int] = {}
        self.failed: dict[str, list[tuple[int, Check]]] = {}  # (line, check)
        self.finishing = False
        self.fail_counts: dict[str, int] = {}
        self.extra: list[Check] = []  # individual non-failing checks (anchors, skips)
        self.chained = 0  # chain values that followed
        self._log_fragment = b""

    # --- results -------------------------------------------------------------------

    def _fail(
        self,
        name: str,
        seq: int | None,
        reason: str,
        expected: object = None,
        actual: object = None,
    ) -> None:
        count = self.fail_counts.get(name, 0) + 1
        self.fail_counts[name] = count
        if count <= MAX_REPORTED:
            shown = [
                None if v is None else v.hex() if isinstance(v, bytes) else str(v)
                for v in (expected, actual)
            ]
            check = Check(name, "fail", seq, reason, shown[0], shown[1])
            line = sys.maxsize if self.finishing else self.lines
            self.failed.setdefault(name, []).append((line, check))

    def _pass(self, name: str, n: int = 1) -> None:
        self.passes[name] = self.passes.get(name, 0) + n

    # --- the header ------------------------------------------------------------------

    def _header(self, record: Mapping[str, Any]) -> None:
        if self.header is not None:
            self._fail("format", None, f"line {self.lines}: a second header")
            return
        if record.get("format") != FORMAT:
            raise MalformedError(f"not a {FORMAT} header: format is {_show(record.get('format'))}")
        origin, hash_name = record.get("origin"), record.get("hash")
        start, total, vkeys = record.get("from"), record.get("size"), record.get("vkeys")
        if not isinstance(origin, str) or not origin or not isinstance(hash_name, str):
            raise MalformedError("the header has no origin or no hash algorithm")
        for name, value in (("from", start), ("size", total)):
            if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_SIZE:
                raise MalformedError(f"the header's {name} is not a tree size: {_show(value)}")
        assert isinstance(start, int)  # noqa: S101  checked above; for mypy
        assert isinstance(total, int)  # noqa: S101
        alg = algorithm(hash_name)
        if self.origin is not None and origin != self.origin:
            raise MalformedError(f"the export is of log {origin!r}, not {self.origin!r}")
        if self.alg is not None and alg != self.alg:
            raise MalformedError(f"the export uses {alg.name}, not {self.alg.name}")
        self.header, self.origin, self.alg = record, origin, alg
        self.total, self.start, self.seq = total, start, start
        extra = sorted(str(k) for k in record if k not in HEADER_KEYS)
        if extra:
            self._fail("format", None, f"the header has unknown fields {extra}")
        self._key_known(vkeys)
        self._begin(start, alg)
        origin_json = json.dumps(origin, ensure_ascii=False).encode("utf-8")
        self._log_fragment = b'"log":' + origin_json + b',"received_at":"'

    def _begin(self, start: int, alg: HashAlgorithm) -> None:
        self.chain = alg.chain_start if start == 0 else b""
        if start == 0:
            return
        self.store = None  # the perfect subtrees before start are unknown
        state = self.resume
        if state is None or state.size != start:
            self.tree_known = False
            self.extra.append(
                Check(
                    "checkpoint root",
                    "skipped",
                    None,
                    f"a partial export (from seq {start}) without the audit state at {start}: "
                    "the tree cannot be recomputed and the first chain step is not checked",
                )
            )
            return
        self.size, self.compact, self.chain = start, list(state.compact), state.chain

    def _key_known(self, vkeys: object) -> None:
        if vkeys is None or vkeys == []:
            self.extra.append(Check("key known", "skipped", None, "the export lists no keys"))
            return
        if not isinstance(vkeys, list) or not all(isinstance(k, str) for k in vkeys):
            self._fail("key known", None, "the header's vkeys is not a list of keys")
            return
        try:
            listed = [notes.parse_vkey(k) for k in vkeys]
        except MalformedError as e:
            self._fail("key known", None, f"the header lists a bad key: {e.message}")
            return
        if any(k in listed for k in self.trusted):
            self._pass("key known")
        else:
            self._fail(
                "key known",
                None,
                "none of the trusted keys is among the export's keys",
                self.vkeys,
                vkeys,
            )

    # --- feeding ---------------------------------------------------------------------

    def feed(self, record: Mapping[str, Any]) -> None:
        """One ``log-export/1`` record (parsed JSON): header, leaf, checkpoint or anchor."""
        kind = record.get("type") if isinstance(record, Mapping) else None
        if self.header is None:
            if kind != "log":
                raise MalformedError("the export does not start with its log-export/1 header")
            self._header(record)
            return
        if kind == "leaf":
            self._leaf_record(record)
        elif kind == "checkpoint":
            self._checkpoint_record(record)
        elif kind == "anchor":
            self._anchor_record(record)
        elif kind == "log":
            self._header(record)
        else:
            self._fail("format", self._here(), f"line {self.lines}: unknown record type")

    def feed_line(self, line: bytes | str) -> None:
        """One line of an export (strict JSON)."""
        self.lines += 1
        try:
            record = parse_json(line)
        except CanonicalJSONError as e:
            if self.header is None:
                raise MalformedError(f"the export's header is not JSON: {e.message}") from None
            self._fail("format", self._here(), f"line {self.lines} is not JSON: {e.message}")
            return
        if not isinstance(record, dict):
            if self.header is None:
                raise MalformedError("the export's header is not a JSON object")
            self._fail("format", self._here(), f"line {self.lines} is not a JSON object")
            return
        self.feed(record)

    def _here(self) -> int | None:
        """The seq a damaged line probably was, while leaves are still expected."""
        return self.seq if self.total is None or self.seq < self.total else None

    # --- leaves: the strict path -------------------------------------------------------

    def _leaf_record(self, record: Mapping[str, Any]) -> None:
        seq = record.get("seq")
        if not isinstance(seq, int) or isinstance(seq, bool) or seq < 0:
            self._fail("format", self._here(), f"line {self.lines}: a leaf without a valid seq")
            return
        extra = sorted(str(k) for k in record if k not in LEAF_KEYS)
        if extra:
            self._fail("format", seq, f"the leaf record has unknown fields {extra}")
        raw = self._leaf_bytes(seq, record.get("leaf"))
        if not self._seq_in_order(seq):
            return
        stated, chain = record.get("leaf_hash"), record.get("chain")
        self._leaf(seq, raw, stated if isinstance(stated, str) else _show(stated), chain)
        if self.progress is not None and not self.seq & (PROGRESS_EVERY - 1):
            self.progress(self.seq - self.start, self.total)

    def _leaf_bytes(self, seq: int, value: object) -> bytes | None:
        if isinstance(value, str):
            try:
                return binascii.a2b_base64(value.encode("ascii"), strict_mode=True)
            except (binascii.Error, UnicodeEncodeError):
                pass
        self._fail("leaf", seq, "the leaf is not base64", actual=_show(value))
        return None

    def _seq_in_order(self, seq: int) -> bool:
        """Report a missing, repeated or out-of-order seq; False: ignore this leaf."""
        expected = self.seq
        if seq == expected:
            self.seq = seq + 1
            return True
        if seq > expected:
            gap = f"seq {expected}" if seq == expected + 1 else f"seqs {expected} to {seq - 1}"
            self._fail("seq", expected, f"{gap} missing: the next leaf is seq {seq}", expected, seq)
            self.seq = seq + 1
            return True
        self._fail(
            "seq",
            seq,
            f"seq {seq} repeated or out of order (after seq {expected - 1})",
            expected,
            seq,
        )
        return False

    def _leaf(self, seq: int, raw: bytes | None, stated: str, chain_hex: object) -> None:
        """Check one leaf whose seq is in order, and add it to the chain and the tree."""
        alg = self.alg
        assert alg is not None  # noqa: S101  set by the header
        if raw is None:  # unreadable, reported: the tree takes the stated hash, if any
            self._chain_step(seq, None, chain_hex)
            fallback = _hexof(stated, alg.size)
            if fallback is not None:
                self._append(fallback)
            return
        leaf_hash = alg.leaf_hash(raw)
        if leaf_hash.hex() != stated:
            self._fail("leaf", seq, "leaf_hash is not the hash of the leaf", leaf_hash, stated)
        self._check_leaf_fields(seq, raw)
        self._chain_step(seq, leaf_hash, chain_hex)
        self._append(leaf_hash)

    def _check_leaf_fields(self, seq: int, raw: bytes) -> None:
        if self.full_leaves:
            try:
                leaf = parse_leaf(raw, self.alg or algorithm("sha-256"))
            except VerificationError as e:
                self._fail("leaf", seq, f"the leaf does not parse: {e.message}")
                return
            if (leaf.seq, leaf.log) != (seq, self.origin):
                want, have = f"{seq} {self.origin}", f"{leaf.seq} {leaf.log}"
                self._fail("leaf", seq, "the leaf's seq or log differ", want, have)
            return
        at = raw.find(self._log_fragment)
        if at < 0:
            self._fail("leaf", seq, f"the leaf is not of log {self.origin}")
        elif not raw.startswith(
            b'","seq":%d,"source":' % seq, at + len(self._log_fragment) + RECEIVED_AT_SIZE
        ):
            self._fail("leaf", seq, f"the leaf does not embed seq {seq} after its received_at")

    def _chain_step(self, seq: int, leaf_hash: bytes | None, chain_hex: object) -> None:
        alg = self.alg
        assert alg is not None  # noqa: S101
        stated = _hexof(chain_hex, alg.size)
        if stated is None:
            self._fail(
                "chain", seq, "chain is not lowercase hex of a hash", actual=_show(chain_hex)
            )
            if leaf_hash is not None and self.chain:
                self.chain = alg.chain_next(self.chain, leaf_hash)
            return
        if leaf_hash is not None and self.chain:
            computed = alg.chain_next(self.chain, leaf_hash)
            if computed != stated:
                self._fail(
                    "chain",
                    seq,
                    "chain is not HASH(0x02 || chain[seq-1] || leaf hash)",
                    computed,
                    stated,
                )
            else:
                self.chained += 1
        self.chain = stated  # resynchronise: one bad value is one failure

    def _append(self, leaf_hash: bytes) -> None:
        alg = self.alg
        assert alg is not None  # noqa: S101
        if self.store is not None:
            value = self._store_append(leaf_hash, self.size)
        else:
            value, size = leaf_hash, self.size
            while size & 1:
                value = alg.node_hash(self.compact.pop(), value)
                size >>= 1
        self.compact.append(value)
        self.size += 1
        self._reached(self.size)

    def _reached(self, size: int) -> None:
        """The tree just reached ``size``: record its root, check waiting checkpoints."""
        if size not in self.watch:
            return
        root = self.roots[size] = self._compact_root()
        for seen in self.pending.pop(size, []):
            self._compare_root(seen, root)

    def _compact_root(self) -> bytes:
        alg = self.alg
        assert alg is not None  # noqa: S101
        return fold_right(self.compact, alg) if self.compact else alg.empty_root

    # --- leaves: the fast path -------------------------------------------------------

    def audit_lines(self, lines: Iterable[bytes | str]) -> VerificationReport:
        """Feed every line of an export (JSON Lines) and return the report."""
        self.consume(lines)
        return self.finish()

    def consume(self, lines: Iterable[bytes | str]) -> None:
        """Feed lines; leaf lines in the exporter's layout take the fast path."""
        it = iter(lines)
        line = next(it, None)
        while line is not None:
            if isinstance(line, str):
                line = line.encode("utf-8")
            layout = self._layout(line)
            if layout is not None:
                rejected = self._run_fast(line, it, layout)
                if rejected is None:
                    return
                line = rejected
            self.feed_line(line)  # the strict path reports what is wrong with the line
            line = next(it, None)

    def _layout(self, line: bytes) -> _Layout | None:
        """The exporter's layout of this leaf line, if the fast path may take it."""
        if self.header is None or self.full_leaves or not self.tree_known or not self.chain:
            return None
        for layout in (_COMPACT, _SPACED):
            if layout.matches(line, self.seq):
                return layout
        return None

    def _run_fast(self, line: bytes, lines: Iterator[bytes | str], layout: _Layout) -> bytes | None:
        """Leaf lines of one layout, until one is not or fails a check: that line is
        returned, not consumed (None at the end of the input).

        Profiled: each step is one C call where possible; the fixed text and both hex
        values after the base64 are one ``startswith``; base64 is validated by the
        decoded length (a2b_base64 skips any byte outside the alphabet, stops at
        complete padding and refuses leftovers, so a foreign byte or a misplaced ``=``
        always shortens the result). A line without its final newline, or with CRLF,
        takes the strict path.
        """
        alg = self.alg
        assert alg is not None  # noqa: S101  set by the header
        new, hexlify, a2b = alg.new, binascii.hexlify, binascii.a2b_base64
        head_format, tail_format, tail = layout.formats(alg.size)
        log_fragment, after_log = self._log_fragment, len(self._log_fragment) + RECEIVED_AT_SIZE
        watch, store = self.watch, self.store
        push, pop = self.compact.append, self.compact.pop
        seq, size, prev = self.seq, self.size, self.chain
        progress, total, first, seq0 = self.progress, self.total, self.start, self.seq
        equals = 61  # "="
        result: bytes | None = None
        try:
            while True:
                head = head_format % seq
                at = len(line) - tail  # where the base64 ends
                b64 = line[len(head) : at]
                try:
                    raw = a2b(b64)
                except binascii.Error:
                    raw = b""
                n64 = len(b64)
                pad = (line[at - 1] == equals) + (line[at - 2] == equals) if n64 > 1 else 0
                log_at = raw.find(log_fragment)
                if not (
                    line.startswith(head)
                    and not n64 & 3
                    and len(raw) == (n64 >> 2) * 3 - pad
                    and log_at >= 0
                    and raw.startswith(b'","seq":%d,"source":' % seq, log_at + after_log)
                ):
                    result = line
                    break
                leaf_hash = new(b"\x00" + raw).digest()
                chain = new(b"\x02" + prev + leaf_hash).digest()
                if not line.startswith(tail_format % (hexlify(leaf_hash), hexlify(chain)), at):
                    result = line  # the strict path says what is wrong
                    break
                prev = chain
                # the tree: a binary counter of perfect subtrees (verifier.compact)
                value, n = leaf_hash, size
                if store is None:
                    while n & 1:
                        value = new(b"\x01" + pop() + value).digest()
                        n >>= 1
                else:
                    value = self._store_append(value, n)
                push(value)
                size += 1
                seq += 1
                if size in watch:
                    self.seq, self.size, self.chain = seq, size, prev
                    self._reached(size)
                if progress is not None and not seq & (PROGRESS_EVERY - 1):
                    progress(seq - first, total)
                nxt = next(lines, None)
                if nxt is None:
                    break
                line = nxt if isinstance(nxt, bytes) else nxt.encode("utf-8")
        finally:
            self.lines += seq - seq0
            self.chained += seq - seq0
            self.seq, self.size, self.chain = seq, size, prev
        return result

    def _store_append(self, leaf_hash: bytes, size: int) -> bytes:
        """Append to the compact range keeping every perfect subtree; the new last hash."""
        alg, store = self.alg, self.store
        assert alg is not None  # noqa: S101
        assert store is not None  # noqa: S101
        if not store:
            store.append(bytearray())
        store[0] += leaf_hash
        value, level = leaf_hash, 0
        while size & 1:
            value = alg.node_hash(self.compact.pop(), value)
            size >>= 1
            level += 1
            if len(store) == level:
                store.append(bytearray())
            store[level] += value
        return value

    # --- checkpoints ----------------------------------------------------------------

    def _checkpoint_record(self, record: Mapping[str, Any]) -> None:
        size, note = record.get("size"), record.get("note")
        extra = sorted(str(k) for k in record if k not in CHECKPOINT_KEYS)
        if extra:
            self._fail("format", None, f"line {self.lines}: checkpoint has unknown fields {extra}")
        if not isinstance(size, int) or isinstance(size, bool) or not isinstance(note, str):
            self._fail("format", None, f"line {self.lines}: a checkpoint without size or note")
            return
        deferred = self.signatures == "essential" and self.anchor_sizes is not None
        deferred = deferred and size not in (self.anchor_sizes or ())
        try:
            cp = notes.parse_checkpoint(_signed_text(note)) if deferred else self._verify(note)
        except VerificationError as e:
            self._fail("checkpoint signature", None, f"checkpoint at size {size}: {e.message}")
            return
        if cp.origin != self.origin or cp.size != size:
            self._fail(
                "checkpoint signature",
                None,
                f"checkpoint at size {size}: signed for another log or size",
                f"{self.origin} {size}",
                f"{cp.origin} {cp.size}",
            )
            return
        if not deferred and (self.anchor_sizes is None or size in self.anchor_sizes):
            digest = hashlib.sha256(cp.text.encode("utf-8")).digest()
            self.digests.setdefault(size, set()).add(digest)
        self._check_root(_Seen(cp, note if deferred else None))

    def _verify(self, note: str) -> notes.Checkpoint:
        """The checkpoint once a trusted key's signature verifies (EVIDENCE-FORMAT §4)."""
        cp = notes.verify(note, self.vkeys)
        self.signed += 1
        self.newest_signed = max(self.newest_signed, cp.size)
        return cp

    def _check_root(self, seen: _Seen) -> None:
        size = seen.cp.size
        if not self.tree_known or size < self.start:
            return
        if size == self.size:
            self._compare_root(seen, self._compact_root())
        elif size in self.roots:
            self._compare_root(seen, self.roots[size])
        elif size > self.size:
            self.pending.setdefault(size, []).append(seen)
            self.watch.add(size)
        elif self.store is not None:
            self._compare_root(seen, self._stored_root(size))
        else:
            self.missed.append(seen)

    def check_missed(self, roots: Mapping[int, bytes]) -> None:
        """Check the checkpoints whose root was not kept against roots computed again."""
        for seen in self.missed:
            if seen.cp.size in roots:
                self._compare_root(seen, roots[seen.cp.size])
            else:
                reason = (
                    f"checkpoint at size {seen.cp.size:,}: its root was not kept "
                    "(give its size first)"
                )
                self.extra.append(Check("checkpoint root", "skipped", None, reason))
        self.missed = []

    def _stored_root(self, size: int) -> bytes:
        alg, store = self.alg, self.store
        assert alg is not None  # noqa: S101
        assert store is not None  # noqa: S101
        if size == 0:
            return alg.empty_root
        n = alg.size
        hashes = [
            bytes(store[x.level][x.index * n : (x.index + 1) * n]) for x in range_nodes(0, size)
        ]
        return fold_right(hashes, alg)

    def _compare_root(self, seen: _Seen, root: bytes) -> None:
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
                    self._fail(
                        "checkpoint signature", None, f"checkpoint at size {cp.size}: {e.message}"
                    )
                    return
        self.newest = cp.size if self.newest is None else max(self.newest, cp.size)
        if good:
            if self.good_sizes and self.good_sizes[-1] > cp.size:
                self.good_ordered = False
            self.good_sizes.append(cp.size)
        else:
            self.bad_roots.append(_CheckpointResult(cp.size, good, root.hex(), cp.root.hex()))

    # --- anchors -------------------------------------------------------------------

    def _anchor_record(self, record: Mapping[str, Any]) -> None:
        size, token64 = record.get("size"), record.get("token")
        extra = sorted(str(k) for k in record if k not in ANCHOR_KEYS)
        if extra:
            self._fail("format", None, f"line {self.lines}: anchor has unknown fields {extra}")
        if not isinstance(size, int) or isinstance(size, bool) or not isinstance(token64, str):
            self._fail("format", None, f"line {self.lines}: an anchor without size or token")
            return
        self.anchors += 1
        try:
            token = binascii.a2b_base64(token64.encode("ascii"), strict_mode=True)
        except (binascii.Error, UnicodeEncodeError):
            self._fail("anchor token", None, f"anchor at size {size}: the token is not base64")
            return
        imprint = token_imprint(token)
        self._anchor_token(size, token, imprint, record)
        self._anchor_covers(size, imprint)

    def _anchor_token(
        self, size: int, token: bytes, imprint: tuple[str, bytes] | None, record: Mapping[str, Any]
    ) -> None:
        what = f"anchor at size {size}"
        if not self.tsa_roots:
            self._fail("anchor token", None, f"{what}: no TSA trust roots were given")
            return
        try:
            digest = imprint[1] if imprint is not None else bytes(32)
            facts = timestamp.verify(token, digest, self.tsa_roots, self.at_time)
        except VerificationError as e:
            self._fail("anchor token", None, f"{what}: {e.message}")
            return
        stated = record.get("gen_time")
        try:
            when = datetime.fromisoformat(stated) if isinstance(stated, str) else None
        except ValueError:
            when = None
        if when is None or when.tzinfo is None or when != facts.gen_time:
            gen = facts.gen_time.isoformat().replace("+00:00", "Z")
            self._fail("anchor token", None, f"{what}: gen_time is not the token's", gen, stated)
            return
        dev = record.get("development_tsa") is True or is_development(facts)
        self.anchor_facts.append((size, facts.gen_time.astimezone(UTC), dev))
        stamp = facts.gen_time.astimezone(UTC).isoformat().replace("+00:00", "Z")
        reason = f"{what}: token by {facts.tsa_name} at {stamp}"
        self.extra.append(
            Check("anchor token", "pass", None, reason + (f"; {DEV_REASON}" if dev else ""))
        )

    def _anchor_covers(self, size: int, imprint: tuple[str, bytes] | None) -> None:
        what = f"anchor at size {size}"
        if imprint is None:
            self.extra.append(
                Check("anchor covers checkpoint", "skipped", None, f"{what}: unreadable token")
            )
            return
        digests = self.digests.get(size)
        if not digests:
            self._fail(
                "anchor covers checkpoint",
                None,
                f"{what}: the export has no trusted checkpoint of size {size}",
            )
            return
        name, hashed = imprint
        if name != "sha256" or hashed not in digests:
            self._fail(
                "anchor covers checkpoint",
                None,
                f"{what}: the token time-stamps another text, not the checkpoint of size {size}",
                " or ".join(sorted(d.hex() for d in digests)),
                f"{name} {hashed.hex()}",
            )
            return
        self._pass("anchor covers checkpoint")

    # --- the report --------------------------------------------------------------------

    def state(self) -> AuditState:
        """Where the audit is: give it as ``resume`` to audit an export ``--from`` size."""
        return AuditState(self.size, tuple(self.compact), self.chain)

    def finish(self) -> VerificationReport:
        """The report, once every record has been fed."""
        if self.header is None:
            raise MalformedError("the export is empty: no log-export/1 header")
        if self.progress is not None:
            self.progress(self.seq - self.start, self.total)
        self.finishing = True
        self._verify_newest()
        self._finish_leaves()
        self.check_missed({})
        self._finish_checkpoints()
        checks = self._checks()
        return VerificationReport(tuple(checks), f"log {self.origin}", self._claim())

    def _verify_newest(self) -> None:
        """The newest checkpoint is what the audit vouches for: its signature is checked."""
        newest = self.newest_unverified
        if newest is None or newest[0] <= self.newest_signed:
            return
        try:
            self._verify(newest[1])
        except VerificationError as e:
            self._fail("checkpoint signature", None, f"checkpoint at size {newest[0]}: {e.message}")
            return
        self.unverified -= 1

    def _finish_leaves(self) -> None:
        total = self.total or 0
        if self.seq < total:
            self._fail(
                "seq",
                self.seq,
                f"the export ends before seq {self.seq}: the header says {total:,} leaves "
                "(truncated?)",
                total,
                self.seq,
            )
        elif self.seq > total:
            self._fail("seq", total, f"leaves beyond the header's size {total:,}", total, self.seq)
        for size in sorted(self.pending):
            self._fail(
                "checkpoint root",
                None,
                f"checkpoint at size {size:,} is beyond the {self.size:,} leaves of the export",
            )

    def _finish_checkpoints(self) -> None:
        good = self.good_sizes if self.good_ordered else array("Q", sorted(self.good_sizes))
        self.good_sizes, self.good_ordered = good, True
        self._pass("checkpoint root", len(good))
        for r in sorted(self.bad_roots, key=lambda r: r.size):
            later = bisect_right(good, r.size)
            if later < len(good):
                reason = (
                    f"checkpoint at size {r.size:,}: its root is not the root of the leaves, yet "
                    f"the checkpoint at size {good[later]:,} matches them: the log signed an "
                    "inconsistent checkpoint"
                )
            else:
                before = bisect_left(good, r.size)
                start = good[before - 1] if before else self.start
                reason = (
                    f"checkpoint at size {r.size:,}: its root is not the root of the leaves; "
                    f"the first bad leaf is between seq {start} and {r.size - 1}"
                )
            self._fail("checkpoint root", None, reason, r.expected, r.actual)
        newest = self.newest
        total = self.total or 0
        if newest is not None and newest >= total:
            self._pass("coverage")
        elif total > self.start and self.tree_known:
            newest_text = "none" if newest is None else f"{newest:,}"
            self._fail(
                "coverage",
                None,
                f"no checkpoint covers the leaves from seq {newest or self.start}: the newest "
                f"checkpoint's size is {newest_text}, the log has {total:,} leaves (the export "
                "is truncated, or they were never signed)",
            )

    def _checks(self) -> list[Check]:
        roots = self.passes.get("checkpoint root", 0)
        covered = self.passes.get("anchor covers checkpoint", 0)
        summaries = {
            "format": f"{FORMAT} of log {self.origin}, leaves from seq {self.start}",
            "key known": "a trusted key is among the export's keys",
            "seq": f"seqs {self.start} to {self.seq - 1} each once, in order",
            "leaf": f"{_plural(self.seq - self.start, 'leaf', 'leaves')} decoded and hashed; "
            "leaf_hash, embedded seq and log match",
            "chain": f"{_plural(self.chained, 'chain value')} recomputed and equal",
            "checkpoint signature": f"{_plural(self.signed, 'checkpoint')} signed by a trusted key"
            + (
                f"; {self.unverified:,} more, whose root matches the leaves, not verified "
                "(signatures=essential)"
                if self.unverified
                else ""
            ),
            "checkpoint root": f"{_plural(roots, 'checkpoint root')} equal to the tree "
            "recomputed from the leaves",
            "coverage": "the newest checkpoint covers every leaf",
            "anchor covers checkpoint": f"{_plural(covered, 'anchor')} over the signed text "
            "of a checkpoint of the export",
        }
        failures: list[tuple[int, Check]] = []
        others: list[Check] = []
        for name in CHECK_ORDER:
            failed = self.failed.get(name, [])
            failures += failed
            more = self.fail_counts.get(name, 0) - len(failed)
            if more:
                summary = Check(name, "fail", None, f"{more:,} more {name} failures")
                failures.append((sys.maxsize, summary))
            if not failed and name in summaries and self._ran(name):
                others.append(Check(name, "pass", None, summaries[name]))
            others += [c for c in self.extra if c.name == name]
        if not self.anchors:
            reason = "not yet anchored: the export has no anchors"
            others.append(Check("anchor token", "pending", None, reason))
        # the first bad seq first; then failures that only bound it (seq None), by line
        order = {name: n for n, name in enumerate(CHECK_ORDER)}
        failures.sort(key=lambda f: (f[1].seq is None, f[1].seq or 0, f[0], order[f[1].name]))
        return [check for _, check in failures] + others

    def _ran(self, name: str) -> bool:
        if name in ("format", "seq", "leaf"):
            return True
        if name == "chain":
            return self.seq > self.start
        if name == "checkpoint signature":
            return self.signed > 0
        return self.passes.get(name, 0) > 0

    def _claim(self) -> str:
        n = self.seq - self.start
        span = f"seq {self.start} to {self.seq - 1}" if n else "no leaves"
        claim = f"log {self.origin}: {_plural(n, 'entry', 'entries')} ({span}) recomputed"
        roots = self.passes.get("checkpoint root", 0)
        if roots and not self.unverified:
            newest = self.good_sizes[-1]
            claim += f"; {_plural(roots, 'signed checkpoint')} agree (newest at size {newest:,})"
        elif roots:
            newest = self.good_sizes[-1]
            claim += (
                f"; {_plural(roots, 'checkpoint')} agree (newest at size {newest:,}), "
                f"{_plural(self.signed, 'signature')} verified (the newest and the anchored)"
            )
        if self.anchor_facts:
            size, when, _ = max(self.anchor_facts)
            dev = f" ({DEV_REASON})" if any(d for _, _, d in self.anchor_facts) else ""
            stamp = when.isoformat().replace("+00:00", "Z")
            claim += (
                f"; anchored by {_plural(len(self.anchor_facts), 'token')}{dev}, the newest at "
                f"size {size:,} at {stamp}"
            )
        return claim


# --- files: two passes, checkpoints interleaved with the leaves --------------------------

_LEAF_PREFIXES = (b'{"type":"leaf"', b'{"type": "leaf"')
_CHECKPOINT_SIZE = re.compile(rb'\{"type": ?"checkpoint", ?"size": ?(0|[1-9][0-9]{0,19}),')


def _record_kind(line: bytes) -> tuple[object, object]:
    """The type and size of a record line, or (None, None) if it is not a JSON object."""
    try:
        record = json.loads(line)
    except ValueError:
        return None, None
    if not isinstance(record, dict):
        return None, None
    return record.get("type"), record.get("size")


def _checkpoint_size(line: bytes) -> int | None:
    match = _CHECKPOINT_SIZE.match(line)
    if match is not None:
        return int(match.group(1))
    if line.startswith(_LEAF_PREFIXES):
        return None
    kind, size = _record_kind(line)
    return size if kind == "checkpoint" and isinstance(size, int) else None


def _scan(path: Path) -> tuple[int, int, set[int]]:
    """Pass 1: how many lines the header and leaves take (up to the first checkpoint or
    anchor record), where they end, and the sizes anchors name. Leaf lines are skipped
    by their prefix, unparsed."""
    lines, offset, tail_at, anchors = 0, 0, None, set()
    with path.open("rb") as f:
        for line in f:
            if tail_at is None:
                if not lines or line.startswith(_LEAF_PREFIXES):
                    lines, offset = lines + 1, offset + len(line)
                    continue
                kind, size = _record_kind(line)
                if kind not in ("checkpoint", "anchor"):
                    lines, offset = lines + 1, offset + len(line)
                    continue
                tail_at = offset
            if _CHECKPOINT_SIZE.match(line) is None:
                kind, size = _record_kind(line)
                if kind == "anchor" and isinstance(size, int):
                    anchors.add(size)
    return lines, offset, anchors


def _interleave(audit: LogAudit, path: Path, leaf_lines: int, tail_at: int) -> None:
    """Feed the header, then leaves and checkpoints merged so that each checkpoint comes
    when the leaves reach its size: its root is then the compact range's, nothing kept.
    The leaves are sliced in C (``islice``) so the hot loop reads the file directly."""
    with path.open("rb") as head, path.open("rb") as tail:
        leaves = islice(head, leaf_lines)
        audit.consume(islice(leaves, 1))  # the header
        fed = 0  # leaf-section lines fed after the header
        tail.seek(tail_at)
        for number, line in enumerate(tail, start=leaf_lines + 1):
            size = _checkpoint_size(line)
            if size is not None and size - audit.start > fed:
                audit.lines = 1 + fed  # line numbers in reports are the file's
                audit.consume(islice(leaves, size - audit.start - fed))
                fed = size - audit.start
            audit.lines = number - 1
            audit.consume((line,))
        audit.lines = 1 + fed
        audit.consume(leaves)


def _roots_again(
    path: Path, leaf_lines: int, sizes: set[int], vkeys: list[str], alg: HashAlgorithm
) -> dict[int, bytes]:
    """Roots at ``sizes`` from another pass over the leaves (checkpoints out of order)."""
    again = LogAudit(None, alg, vkeys, [], checkpoint_sizes=sizes)
    with path.open("rb") as f:
        again.consume(islice(f, leaf_lines))
    return again.roots


def audit_file(
    path: str | Path,
    vkeys: list[str],
    tsa_roots: list[bytes],
    *,
    origin: str | None = None,
    hash_alg: str | None = None,
    at_time: datetime | None = None,
    progress: Progress | None = None,
    full_leaves: bool = False,
    resume: AuditState | None = None,
    signatures: Signatures = "all",
) -> VerificationReport:
    """Audit a ``log-export/1`` file in O(log n) memory (see the module docstring).

    ``resume`` is the ``state()`` of an audit of the log up to the export's ``from``.

    Raises ``OSError`` if the file cannot be read and ``MalformedError`` if its header
    is missing or unreadable (or the trust material is unusable).
    """
    path = Path(path)
    leaf_lines, tail_at, anchor_sizes = _scan(path)
    audit = LogAudit(
        origin,
        hash_alg,
        vkeys,
        tsa_roots,
        checkpoint_sizes=(),
        anchor_sizes=anchor_sizes,
        at_time=at_time,
        progress=progress,
        full_leaves=full_leaves,
        resume=resume,
        signatures=signatures,
    )
    _interleave(audit, path, leaf_lines, tail_at)
    if audit.missed and audit.alg is not None:
        sizes = {seen.cp.size for seen in audit.missed}
        audit.check_missed(_roots_again(path, leaf_lines, sizes, audit.vkeys, audit.alg))
    return audit.finish()
