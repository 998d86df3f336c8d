"""The leaves of an export: seq order, leaf hash, embedded seq and log, and the hash chain
(docs/design/EVIDENCE-FORMAT.md §2; RFC 9162 §2.1.1).

Each leaf record is checked for: its seq (the next expected: a missing, repeated or
out-of-order seq is pinpointed), its leaf (base64 of bytes that hash to ``leaf_hash``
and embed this seq and log), and its chain value (``HASH(0x02 || chain[seq-1] ||
leaf hash)``). The leaf hash goes into the tree (``verifier.audit.tree``).

The embedded seq and log are checked without parsing the leaf: in a canonical leaf
(RFC 8785, keys sorted) ``"log":<origin>,"received_at":"`` is followed by the 27
characters of ``received_at`` and then ``","seq":N,"source":``; that position is
checked. A leaf that is not canonical or not of the §2 schema can pass this test; with
``full_leaves`` every leaf is also parsed with ``parse_leaf`` (schema, canonical bytes),
at a fraction of the speed.

Two paths check the same things. Leaf lines exactly as ``ledger export`` writes them
(compact or spaced JSON, the five keys in the documented order) take ``scan_leaves``,
which needs no JSON parser; every other line, and every line that fails a check there,
takes the strict path (``Leaves.record`` of the parsed record), which reports exactly
what is wrong. Non-canonical base64 (unused bits set) decodes to the same leaf bytes and
is accepted on both.
"""

from __future__ import annotations

import binascii
import functools
import itertools
import json
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from itertools import repeat
from typing import Any, NamedTuple

from verifier.audit.report import Results
from verifier.audit.tree import TreeState
from verifier.errors import VerificationError
from verifier.hashing import CHAIN_PREFIX, LEAF_PREFIX, HashAlgorithm
from verifier.report import show

MAX_LINE = 4 << 20
"""The longest line of an export, its newline included: 4 MiB. The longest legitimate
record is an anchor (a token of at most 1 MiB, in base64) or a checkpoint (a note of at
most 1 MiB); a leaf is a few hundred bytes. A longer line is refused unread."""

RECORD_KEYS = frozenset({"type", "seq", "leaf", "leaf_hash", "chain"})
RECEIVED_AT_SIZE = len("2026-11-22T17:03:04.123456Z")


@dataclass(frozen=True, slots=True)
class Layout:
    """How ``ledger export`` spells a leaf line: the fixed text around its values."""

    start: bytes  # before the seq
    leaf: bytes  # between the seq and the base64
    leaf_hash: bytes  # between the base64 and the leaf hash
    chain: bytes  # between the leaf hash and the chain
    end: bytes  # after the chain, before the newline

    @functools.cache  # noqa: B019  two layouts, one or two hash sizes: a handful of entries
    def formats(self, hash_size: int) -> tuple[bytes, bytes, int]:
        """``head % seq``, up to the base64; ``line % (seq, base64, leaf hash hex, chain
        hex)``, the whole line with its newline; the length of the text after the base64."""

        def escape(text: bytes) -> bytes:
            return text.replace(b"%", b"%%")

        head = escape(self.start) + b"%d" + escape(self.leaf)
        parts = (self.leaf_hash, self.chain, self.end + b"\n")
        line = head + b"%s" + b"%s".join(escape(x) for x in parts)
        return head, line, sum(map(len, parts)) + 4 * hash_size

    def matches(self, line: bytes, seq: int) -> bool:
        return line.startswith(self.start) and line.startswith(
            b"%d%s" % (seq, self.leaf), len(self.start)
        )

    def first_seq(self, line: bytes) -> int | None:
        """The seq a line in this layout states, if it is one."""
        if not line.startswith(self.start):
            return None
        digits = line[len(self.start) : line.find(self.leaf, len(self.start))]
        if not digits.isdigit() or len(digits) > 20 or (digits[:1] == b"0" and digits != b"0"):
            return None
        return int(digits)

    def chain_before(self, text: bytes, hash_size: int) -> bytes | None:
        """The chain value stated by the line that ``text`` ends, if it is a leaf line in
        this layout (what a worker starting at the next line takes as its chain)."""
        end = self.end + b"\n"
        at = len(text) - len(end) - 2 * hash_size
        if (
            at < len(self.chain)
            or not text.endswith(end)
            or text[:at][-len(self.chain) :] != self.chain
        ):
            return None
        digits = text[at : at + 2 * hash_size]
        if digits != digits.lower():
            return None
        try:
            return binascii.unhexlify(digits)
        except binascii.Error:
            return None


COMPACT = Layout(b'{"type":"leaf","seq":', b',"leaf":"', b'","leaf_hash":"', b'","chain":"', b'"}')
SPACED = Layout(
    b'{"type": "leaf", "seq": ', b', "leaf": "', b'", "leaf_hash": "', b'", "chain": "', b'"}'
)
LAYOUTS = (COMPACT, SPACED)


def log_fragment(origin: str) -> bytes:
    """What precedes ``received_at`` in a canonical leaf of log ``origin``."""
    return b'"log":' + json.dumps(origin, ensure_ascii=False).encode("utf-8") + b',"received_at":"'


RUN = 512
"""Leaf lines checked together by ``scan_leaves``: each check is one pass of C calls
over a run (``map``), not a Python step per line."""

FIRST_WINDOW = 8
"""Lines in the first window of a scan of lines fed one by one (``Leaves.scan``)."""

_strict_b64 = functools.partial(binascii.a2b_base64, strict_mode=True)


def scan_leaves(
    data: bytes,
    seq: int,
    prev: bytes,
    layout: Layout,
    fragment: bytes,
    alg: HashAlgorithm,
    out: list[bytes],
) -> tuple[int, int, bytes]:
    """Check the leaf lines at the start of ``data`` (which starts with a line), in one
    layout, from ``seq`` on, ``prev`` being the chain value before the first, appending
    each leaf hash to ``out``, until a line is not in the layout or fails a check. Returns
    how many lines passed, their length in bytes, and the chain value after the last.

    Profiled: ``data`` is cut once at the text before each line's base64
    (``Layout.leaf``, once in a line of the layout), so that in a run of up to ``RUN``
    lines whose seqs have as many digits each base64 is one fixed slice of its piece.
    Each check is then a ``map`` of C calls over the run: strict base64 (as on the strict
    path: any byte outside the alphabet or misplaced padding is an error), the embedded log
    and seq, the leaf hashes; only the chain, each value depending on the one before, is a
    Python step per line. Last, the run is written again as the exporter writes it, from
    its seqs, its base64 and the leaf hashes and chain values recomputed here, and compared
    with ``data`` at once: the same text means that every line of the run is in the
    layout, states its seq and states the values recomputed. A run that fails any check is
    checked again a line at a time, so that the lines before the first that fails are
    taken. A line without its final newline, or with CRLF, or longer than ``MAX_LINE``, is
    left to the strict path.
    """
    head_format, line_format, tail = layout.formats(alg.size)
    pieces = data.split(layout.leaf)  # piece j + 1: base64 and tail of line j, next head
    count, startswith = len(pieces) - 1, data.startswith
    new, hexlify = alg.new, binascii.hexlify
    # RFC 9162 §2.1.1; docs/design/EVIDENCE-FORMAT.md §2
    leaf_prefix, chain_prefix = LEAF_PREFIX, CHAIN_PREFIX
    after_log, embedded = len(fragment) + RECEIVED_AT_SIZE, b'","seq":%d,"source":'
    leaf_start = new(leaf_prefix)
    copy, update, digest = type(leaf_start).copy, type(leaf_start).update, type(leaf_start).digest
    taken = i = 0
    run = RUN
    while i < count:
        n = min(run, count - i, 10 ** len(b"%d" % seq) - seq)
        seqs = range(seq, seq + n)
        longest = MAX_LINE - len(head_format % seq) - tail
        base64 = _base64(pieces, i, n, seq, len(layout.start), tail)
        raws = _decoded(base64, longest)
        if raws is not None:
            logs = list(map(bytes.find, raws, repeat(fragment)))
            seq_after = map(after_log.__add__, logs)
            if -1 in logs or not all(
                map(bytes.startswith, raws, map(embedded.__mod__, seqs), seq_after)
            ):
                raws = None
        if raws is None:
            if n == 1:
                break
            run = 1  # find the first line that fails, taking those before it
            continue
        hashers = list(map(copy, repeat(leaf_start, n)))  # each fed 0x00 already
        deque(map(update, hashers, raws), 0)
        hashes = list(map(digest, hashers))
        chains: list[bytes] = []
        push, chain = chains.append, prev
        for leaf_hash in hashes:
            chain = new(chain_prefix + chain + leaf_hash).digest()  # alg.chain_next
            push(chain)
        values = zip(seqs, base64, map(hexlify, hashes), map(hexlify, chains), strict=True)
        text = line_format * n % tuple(itertools.chain.from_iterable(values))
        if not startswith(text, taken):
            if n == 1:
                break
            run = 1
            continue
        out.extend(hashes)
        prev = chains[-1]
        seq, i, taken = seq + n, i + n, taken + len(text)
    return i, taken, prev


def _base64(pieces: list[bytes], i: int, n: int, seq: int, start: int, tail: int) -> list[bytes]:
    """The base64 of lines ``i`` to ``i + n - 1``, if they are in the layout: each piece
    without the tail after its base64 and the opening and seq of the next line."""
    after = tail + start + len(b"%d" % seq)
    base64 = list(map(bytes.__getitem__, pieces[i + 1 : i + n], repeat(slice(None, -after))))
    # the last line's piece: the next line's seq may have one more digit, or none follows
    last = pieces[i + n]
    after = tail + start + len(b"%d" % (seq + n)) if i + n + 1 < len(pieces) else tail
    base64.append(last[: len(last) - after])
    return base64


def _decoded(base64: list[bytes], longest: int) -> list[bytes] | None:
    """The leaves, or None if any base64 is longer than ``longest`` or not strict base64."""
    if max(map(len, base64)) > longest:
        return None
    try:
        return list(map(_strict_b64, base64))
    except binascii.Error:
        return None


class Hashed(NamedTuple):
    """A run of leaf lines whose every check but the first chain step passed elsewhere
    (``verifier.audit.parallel``)."""

    first_seq: int
    leaves: int
    prev_chain: bytes  # the chain value before the first line that the run assumed
    last_chain: bytes
    ranges: list[tuple[int, list[bytes]]]  # (end, compact range [previous end, end))


class Leaves:
    """The leaf records of one export, in order: what is expected next, and the checks."""

    def __init__(
        self,
        results: Results,
        tree: TreeState,
        origin: str,
        start: int,
        total: int,
        full_leaves: bool,
    ) -> None:
        self.results, self.tree, self.alg = results, tree, tree.alg
        self.origin, self.start, self.total = origin, start, total
        self.full_leaves = full_leaves
        self.fragment = log_fragment(origin)
        self.seq = start  # the next seq expected
        self.chain = self.alg.chain_start if start == 0 else b""  # b"": unknown
        self.chained = 0  # chain values that followed

    @property
    def count(self) -> int:
        """Leaves read so far."""
        return self.seq - self.start

    def here(self) -> int | None:
        """The seq a damaged line probably was, while leaves are still expected."""
        return self.seq if self.seq < self.total else None

    # --- the fast path ----------------------------------------------------------------

    def layout_blocked(self) -> bool:
        """Whether no line may take the fast path (strict leaves, an unknown tree or chain)."""
        return self.full_leaves or not self.tree.known or not self.chain

    def layout(self, line: bytes) -> Layout | None:
        """The exporter's layout of this leaf line, if the fast path may take it."""
        if self.layout_blocked():
            return None
        return next((x for x in LAYOUTS if x.matches(line, self.seq)), None)

    def scan(self, lines: list[bytes], i: int, layout: Layout) -> int:
        """``scan_leaves`` from line ``i`` of ``lines``, their leaves then added; the line
        where it stopped (``len(lines)`` if none). The lines go in windows of
        ``FIRST_WINDOW``, then twice as many each time, up to ``RUN``: a scan that starts
        after a line that failed checks little more than the lines it takes, so that an
        export whose every other line is damaged costs a few times a clean one, not
        ``RUN`` times."""
        end, size = len(lines), FIRST_WINDOW
        while i < end:
            window = lines[i : i + size]
            n, _ = self._scan(b"".join(window), layout)
            i += n
            if n < len(window):
                break
            size = min(2 * size, RUN)
        return i

    def scan_block(self, data: bytes) -> int:
        """``scan_leaves`` over whole lines in one buffer (a region of a file, as a worker
        reads it), their leaves then added; the bytes it took (0 if the first line may not
        take the fast path)."""
        layout = self.layout(data[: data.find(b"\n") + 1])
        return 0 if layout is None else self._scan(data, layout)[1]

    def _scan(self, data: bytes, layout: Layout) -> tuple[int, int]:
        hashes: list[bytes] = []
        n, taken, self.chain = scan_leaves(
            data, self.seq, self.chain, layout, self.fragment, self.alg, hashes
        )
        append = self.tree.append
        for leaf_hash in hashes:
            append(leaf_hash)
        self.seq += n
        self.chained += n
        self.results.line += n
        return n, taken

    def finish(self) -> None:
        """Once every line is in: the leaves the header announced and never came, or more."""
        total, seq = self.total, self.seq
        if seq < total:
            reason = (
                f"the export ends before seq {seq}: the header says {total:,} leaves (truncated?)"
            )
            self.results.fail("seq", seq, reason, total, seq)
        elif seq > total:
            self.results.fail(
                "seq", total, f"leaves beyond the header's size {total:,}", total, seq
            )

    def merge(self, run: Hashed) -> bool:
        """Take a run hashed elsewhere, if it starts where this audit is and its first
        chain step holds; False leaves its lines to be read here."""
        if (
            run.first_seq != self.seq
            or self.tree.size != self.seq
            or self.tree.store is not None
            or not self.tree.cuts_ok(run.first_seq, run.first_seq + run.leaves)
            or self.layout_blocked()
            or run.prev_chain != self.chain
        ):
            return False
        for end, hashes in run.ranges:
            self.tree.append_range(end, hashes)
        self.seq += run.leaves
        self.chained += run.leaves
        self.chain = run.last_chain
        self.results.line += run.leaves
        return True

    # --- the strict path --------------------------------------------------------------

    def record(self, record: Mapping[str, Any]) -> None:
        """One parsed leaf record."""
        seq = record.get("seq")
        if not isinstance(seq, int) or isinstance(seq, bool) or seq < 0:
            line = self.results.number()
            self.results.fail("format", self.here(), f"line {line}: a leaf without a valid seq")
            return
        extra = sorted(str(k) for k in record if k not in RECORD_KEYS)
        if extra:
            self.results.fail("format", seq, f"the leaf record has unknown fields {extra}")
        raw = self._leaf_bytes(seq, record.get("leaf"))
        if not self._in_order(seq):
            return
        stated, chain = record.get("leaf_hash"), record.get("chain")
        self._leaf(seq, raw, stated if isinstance(stated, str) else show(stated), chain)

    def _leaf_bytes(self, seq: int, value: object) -> bytes | None:
        if isinstance(value, str):
            try:
                return binascii.a2b_base64(value.encode("ascii"), strict_mode=True)
            except (binascii.Error, UnicodeEncodeError):
                pass
        self.results.fail("leaf", seq, "the leaf is not base64", actual=show(value))
        return None

    def _in_order(self, seq: int) -> bool:
        """Report a missing, repeated or out-of-order seq; False: ignore this leaf."""
        expected = self.seq
        if seq == expected:
            self.seq = seq + 1
            return True
        if seq > expected:
            gap = f"seq {expected}" if seq == expected + 1 else f"seqs {expected} to {seq - 1}"
            reason = f"{gap} missing: the next leaf is seq {seq}"
            self.results.fail("seq", expected, reason, expected, seq)
            self.seq = seq + 1
            return True
        reason = f"seq {seq} repeated or out of order (after seq {expected - 1})"
        self.results.fail("seq", seq, reason, expected, seq)
        return False

    def _leaf(self, seq: int, raw: bytes | None, stated: str, chain_hex: object) -> None:
        """Check one leaf whose seq is in order, and add it to the chain and the tree."""
        if raw is None:  # unreadable, reported: the tree takes the stated hash, if any
            self._chain_step(seq, None, chain_hex)
            fallback = _hex_of(stated, self.alg.size)
            if fallback is not None:
                self.tree.append(fallback)
            return
        leaf_hash = self.alg.leaf_hash(raw)
        if leaf_hash.hex() != stated:
            reason = "leaf_hash is not the hash of the leaf"
            self.results.fail("leaf", seq, reason, leaf_hash, stated)
        self._fields(seq, raw)
        self._chain_step(seq, leaf_hash, chain_hex)
        self.tree.append(leaf_hash)

    def _fields(self, seq: int, raw: bytes) -> None:
        fail = self.results.fail
        if self.full_leaves:
            from verifier.leaf import parse_leaf  # RFC 8785 is needed here only

            try:
                leaf = parse_leaf(raw, self.alg)
            except VerificationError as e:
                fail("leaf", seq, f"the leaf does not parse: {e.message}")
                return
            if (leaf.seq, leaf.log) != (seq, self.origin):
                want, have = f"{seq} {self.origin}", f"{leaf.seq} {leaf.log}"
                fail("leaf", seq, "the leaf's seq or log differ", want, have)
            return
        at = raw.find(self.fragment)
        if at < 0:
            fail("leaf", seq, f"the leaf is not of log {self.origin}")
        elif not raw.startswith(
            b'","seq":%d,"source":' % seq, at + len(self.fragment) + RECEIVED_AT_SIZE
        ):
            fail("leaf", seq, f"the leaf does not embed seq {seq} after its received_at")

    def _chain_step(self, seq: int, leaf_hash: bytes | None, chain_hex: object) -> None:
        alg = self.alg
        stated = _hex_of(chain_hex, alg.size)
        if stated is None:
            reason = "chain is not lowercase hex of a hash"
            self.results.fail("chain", seq, reason, actual=show(chain_hex))
            if leaf_hash is not None and self.chain:
                self.chain = alg.chain_next(self.chain, leaf_hash)
            return
        if leaf_hash is not None and self.chain:
            computed = alg.chain_next(self.chain, leaf_hash)
            if computed != stated:
                reason = "chain is not HASH(0x02 || chain[seq-1] || leaf hash)"
                self.results.fail("chain", seq, reason, computed, stated)
            else:
                self.chained += 1
        self.chain = stated  # resynchronise: one bad value is one failure


def _hex_of(value: object, size: int) -> bytes | None:
    if isinstance(value, str) and len(value) == 2 * size and value == value.lower():
        try:
            return bytes.fromhex(value)
        except ValueError:
            return None
    return None
