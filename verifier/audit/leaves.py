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
import json
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from itertools import accumulate, repeat
from operator import sub
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

_strict_b64 = functools.partial(binascii.a2b_base64, strict_mode=True)


def _first(values: list[Any], bad: object, n: int) -> int:
    """The index of the first ``bad`` among ``values[:n]``, or ``n``."""
    try:
        return values.index(bad, 0, n)
    except ValueError:
        return n


@dataclass(frozen=True, slots=True)
class Lines:
    """Lines of a buffer, not cut out of it: line ``j`` is
    ``data[starts[j]:starts[j + 1]]``."""

    data: bytes
    starts: list[int]

    @classmethod
    def of(cls, lines: list[bytes]) -> Lines:
        """The lines as given (each with its newline, but perhaps the last)."""
        return cls(b"".join(lines), list(accumulate(map(len, lines), initial=0)))

    @classmethod
    def complete(cls, data: bytes) -> Lines:
        """The lines of ``data`` that end with a newline (only ``\\n`` ends a line)."""
        starts, find, at = [0], data.find, 0
        push = starts.append
        while (at := find(b"\n", at) + 1) > 0:
            push(at)
        return cls(data, starts)

    @property
    def count(self) -> int:
        return len(self.starts) - 1


def scan_leaves(
    lines: Lines,
    i: int,
    seq: int,
    prev: bytes,
    layout: Layout,
    fragment: bytes,
    alg: HashAlgorithm,
    out: list[bytes],
) -> tuple[int, bytes]:
    """Check leaf lines ``i`` on of ``lines``, in one layout, from ``seq`` on, ``prev``
    being the chain value before line ``i``, appending each leaf hash to ``out``, until a
    line is not in the layout or fails a check. Returns the index of that line
    (``lines.count`` if none) and the chain value after the last line that passed.

    Profiled: a run of up to ``RUN`` lines whose seqs have as many digits is checked one
    check at a time, each a ``map`` of C calls over the run, in place (the base64 is
    decoded through a memoryview; the fixed text and both hex values after it are one
    ``startswith``); the first line that fails any check ends the scan there, with the
    lines before it taken. Only the chain, each value depending on the one before, is a
    Python step per line. Base64 is decoded strictly (as on the strict path: any byte
    outside the alphabet or misplaced padding is an error); a run with such a line is
    checked again a line at a time to find it. A line without its final newline, or with
    CRLF, or longer than ``MAX_LINE``, is left to the strict path.
    """
    head_format, tail_format, tail = layout.formats(alg.size)
    data, starts = lines.data, lines.starts
    end, view, startswith = lines.count, memoryview(data), data.startswith
    new, hexlify, decode = alg.new, binascii.hexlify, _strict_b64
    # RFC 9162 §2.1.1; docs/design/EVIDENCE-FORMAT.md §2
    leaf_prefix, chain_prefix = LEAF_PREFIX, CHAIN_PREFIX
    after_log, embedded = len(fragment) + RECEIVED_AT_SIZE, b'","seq":%d,"source":'
    leaf_start = new(leaf_prefix)
    copy, update, digest = type(leaf_start).copy, type(leaf_start).update, type(leaf_start).digest
    run = RUN
    while i < end:
        n = min(run, end - i, 10 ** len(b"%d" % seq) - seq)
        begins, nexts, seqs = starts[i : i + n], starts[i + 1 : i + n + 1], range(seq, seq + n)
        k = _first(list(map(startswith, map(head_format.__mod__, seqs), begins)), False, n)
        after_head = len(head_format % seq)
        # at most MAX_LINE, and a head, base64 and tail: no slice below leaves its line
        sizes = range(after_head + tail, MAX_LINE + 1)
        lengths = list(map(sub, nexts[:k], begins))
        if lengths and (min(lengths) not in sizes or max(lengths) not in sizes):
            k = _first(list(map(sizes.__contains__, lengths)), False, k)
        tails_at = list(map((-tail).__add__, nexts[:k]))
        try:
            base64 = map(slice, map(after_head.__add__, begins[:k]), tails_at)
            raws = list(map(decode, map(view.__getitem__, base64)))
        except binascii.Error:
            if n == 1:
                break
            run = 1  # the line that does not decode ends the scan: find it
            continue
        logs = list(map(bytes.find, raws, repeat(fragment)))
        k = _first(logs, -1, k)
        seq_after = map(
            bytes.startswith, raws, map(embedded.__mod__, seqs), map(after_log.__add__, logs[:k])
        )
        k = _first(list(seq_after), False, k)
        hashers = list(map(copy, repeat(leaf_start, k)))  # each fed 0x00 already
        deque(map(update, hashers, raws), 0)
        hashes = list(map(digest, hashers))
        chains: list[bytes] = []
        push, chain = chains.append, prev
        for leaf_hash in hashes:
            chain = new(chain_prefix + chain + leaf_hash).digest()  # alg.chain_next
            push(chain)
        tails = map(
            tail_format.__mod__, zip(map(hexlify, hashes), map(hexlify, chains), strict=True)
        )
        k = _first(list(map(startswith, tails, tails_at)), False, k)
        out.extend(hashes[:k])
        if k:
            prev = chains[k - 1]
        seq, i = seq + k, i + k
        if k < n:
            break  # the strict path says what is wrong
    return i, prev


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

    def scan(self, lines: Lines, i: int, layout: Layout) -> int:
        """``scan_leaves`` from line ``i``, its leaves then added; where it stopped."""
        hashes: list[bytes] = []
        j, chain = scan_leaves(
            lines, i, self.seq, self.chain, layout, self.fragment, self.alg, hashes
        )
        append = self.tree.append
        for leaf_hash in hashes:
            append(leaf_hash)
        n = len(hashes)
        self.seq += n
        self.chained += n
        self.chain = chain
        self.results.line += n
        return j

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
