"""Limits on untrusted JSON, enforced while it streams, before any of it is parsed.

Evidence comes from parties the auditor does not trust. ``json.loads`` builds every
string, number and array of its input, a dozen times the input's size in objects, before
a check can say "this proof has ten million hashes, three expected". ``read_json`` reads
a stream in blocks, follows the JSON structure with a small state machine (strings and
numbers are skipped in C by regular expressions) and refuses, as soon as it is passed:

- a string longer than ``MAX_STRING`` (no legitimate field is: a note or a token is at
  most 1 MiB, an event at most the ledger's body limit);
- a bare value (number, literal) longer than ``MAX_WORD``;
- nesting deeper than ``verifier.ijson.MAX_DEPTH``;
- an array longer than its path allows (``ArrayLimits``): an RFC 9162 proof has at most
  64 hashes in a tree of at most 2^64 leaves.

Only input that passes is returned, whole, for the strict parser (``verifier.ijson``),
which still decides whether it is valid JSON: memory is bounded by the largest
legitimate input, not by the file. Every refusal is a ``MalformedError`` saying where.
The guard costs a few microseconds per JSON token, so documents below ``UNGUARDED``
bytes, whose parsing is bounded anyway, skip it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import BinaryIO

from verifier.errors import MalformedError
from verifier.ijson import MAX_DEPTH

MAX_STRING = 4 << 20
"""The longest string value: 4 MiB (a note or a token is at most 1 MiB)."""
MAX_WORD = 4096
"""The longest number or literal, as written."""
UNGUARDED = 16 << 20
"""Documents up to this size are parsed without the guard: a few hundred MB of objects at
worst, and most documents (a bundle of an envelope) are far smaller."""
BLOCK = 1 << 20

ArrayLimits = Mapping[tuple[str, ...], int]
"""Most items of the arrays at these paths; ``*`` stands for any index of an array."""

_TOKEN = re.compile(rb'"|[\[\]{},:]|[^\s"\[\]{},:]+')


@dataclass
class _Container:
    is_object: bool
    path: tuple[str, ...]
    limit: int | None
    items: int = 0
    empty: bool = True


@dataclass
class _Guard:
    """The structure seen so far, and what is left of the last block to read."""

    arrays: ArrayLimits
    stack: list[_Container] = field(default_factory=list)
    key: str | None = None  # the last key read in the innermost object
    expect_key: bool = False
    pending: bytes = b""
    offset: int = 0  # of ``pending`` in the stream

    def feed(self, data: bytes, final: bool) -> None:
        buf = self.pending + data
        pos = 0
        while (match := _TOKEN.search(buf, pos)) is not None:
            token, start = match.group(), match.start()
            if token == b'"':
                end = self._string(buf, start, final)
                if end is None:
                    pos = start
                    break
                self._value_or_key(buf[start:end], start)
                pos = end
            elif match.end() == len(buf) and not final and token not in b"[]{},:":
                pos = start  # a number may go on in the next block
                break
            else:
                if len(token) > MAX_WORD:
                    self._refuse(f"a value longer than {MAX_WORD:,} bytes", start)
                self._token(token, start)
                pos = match.end()
        else:
            pos = len(buf)
        self.offset += pos
        self.pending = buf[pos:]
        if len(self.pending) > MAX_WORD and not self.pending.startswith(b'"'):
            self._refuse(f"a value longer than {MAX_WORD:,} bytes")

    def _string(self, buf: bytes, start: int, final: bool) -> int | None:
        """Where the string that starts at ``start`` ends (after its quote), None if it
        goes on in the next block. A quote ends it unless an odd run of backslashes
        escapes it; quotes are found by ``bytes.find``, never past the limit."""
        stop = min(len(buf), start + MAX_STRING + 1)
        at = start + 1
        while (end := buf.find(b'"', at, stop)) >= 0:
            escapes = end
            while buf[escapes - 1] == 0x5C:  # backslash
                escapes -= 1
            if (end - escapes) % 2 == 0:
                return end + 1
            at = end + 1
        if stop - start > MAX_STRING:
            self._refuse(f"a string longer than {MAX_STRING:,} bytes", start)
        if final:
            self._refuse("a string that never ends", start)
        return None

    def _token(self, token: bytes, at: int) -> None:
        if token in (b"[", b"{"):
            self._open(token == b"{", at)
        elif token in (b"]", b"}"):
            if self.stack:
                self.stack.pop()
            self.expect_key, self.key = False, None
        elif token == b",":
            self._next_item()
        elif token == b":":
            self.expect_key = False
        else:
            self._value_or_key(token, at)

    def _open(self, is_object: bool, at: int) -> None:
        self._item(at)
        if len(self.stack) >= MAX_DEPTH:
            self._refuse(f"nesting deeper than {MAX_DEPTH} levels", at)
        path = self._child_path()
        limit = None if is_object else self.arrays.get(path)
        self.stack.append(_Container(is_object, path, limit))
        self.expect_key, self.key = is_object, None

    def _child_path(self) -> tuple[str, ...]:
        if not self.stack:
            return ()
        top = self.stack[-1]
        if len(top.path) >= 4:  # no limit is that deep: paths stop growing
            return (*top.path, "")
        return (*top.path, (self.key or "") if top.is_object else "*")

    def _next_item(self) -> None:
        top = self.stack[-1] if self.stack else None
        if top is not None and top.is_object:
            self.expect_key = True

    def _item(self, at: int) -> None:
        """A value starts in the innermost container."""
        top = self.stack[-1] if self.stack else None
        if top is None or top.is_object:
            return
        top.items += 1
        if top.limit is not None and top.items > top.limit:
            where = "/".join(top.path)
            self._refuse(f"{where} has more than {top.limit} items", at)

    def _value_or_key(self, token: bytes, at: int) -> None:
        if self.expect_key:
            self.key = _key(token) if len(self.stack) <= 4 else None
            return
        self._item(at)

    def _refuse(self, what: str, at: int = 0) -> None:
        raise MalformedError(f"refused at byte {self.offset + at:,}: {what}")


def _key(token: bytes) -> str | None:
    try:
        key = json.loads(token)
    except ValueError:
        return None
    return key if isinstance(key, str) else None


def read_json(
    stream: BinaryIO, arrays: ArrayLimits | None = None, unguarded: int = UNGUARDED
) -> bytes:
    """The bytes of one JSON document from ``stream``, once they pass the limits (see the
    module docstring); ``MalformedError`` as soon as they do not. A document of at most
    ``unguarded`` bytes is returned as it is: parsing it costs a bounded amount anyway."""
    first = stream.read(unguarded + 1)
    if len(first) <= unguarded:
        return first
    guard = _Guard(arrays or {})
    blocks = [first]
    guard.feed(first, final=False)
    while block := stream.read(BLOCK):
        guard.feed(block, final=False)
        blocks.append(block)
    guard.feed(b"", final=True)
    return b"".join(blocks)
