"""Hashing of leaves, tree nodes and the hash chain (docs/design/EVIDENCE-FORMAT.md §2, §3, §8).

A log uses one hash algorithm for life. The algorithm is a parameter object, so a
new one (``sm3`` for Chinese commercial cryptography) is one more entry in
``ALGORITHMS``; callers pass ``alg=`` or take the SHA-256 default and never change.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from verifier.errors import MalformedError

LEAF_PREFIX = b"\x00"  # RFC 9162 §2.1.1
NODE_PREFIX = b"\x01"  # RFC 9162 §2.1.1
CHAIN_PREFIX = b"\x02"  # docs/design/EVIDENCE-FORMAT.md §2: a third domain, never a tree hash


class _Digest(Protocol):
    def update(self, data: bytes, /) -> None: ...

    def copy(self) -> _Digest: ...

    def digest(self) -> bytes: ...


@dataclass(frozen=True)
class HashAlgorithm:
    """A hash function with the three domain-separated uses the log makes of it."""

    name: str
    size: int
    new: Callable[[bytes], _Digest] = field(repr=False)

    def digest(self, data: bytes) -> bytes:
        return self.new(data).digest()

    def leaf_hash(self, data: bytes) -> bytes:
        """RFC 9162 §2.1.1: ``HASH(0x00 || data)``."""
        return self.new(LEAF_PREFIX + data).digest()

    def node_hash(self, left: bytes, right: bytes) -> bytes:
        """RFC 9162 §2.1.1: ``HASH(0x01 || left || right)``."""
        return self.new(NODE_PREFIX + left + right).digest()

    def chain_next(self, prev: bytes, leaf_hash: bytes) -> bytes:
        """docs/design/EVIDENCE-FORMAT.md §2: ``chain[i] = HASH(0x02 || chain[i-1] ||
        leafhash[i])``."""
        return self.new(CHAIN_PREFIX + prev + leaf_hash).digest()

    @property
    def empty_root(self) -> bytes:
        """RFC 9162 §2.1.1: the root of the empty tree is the hash of the empty string."""
        return self.new(b"").digest()

    @property
    def chain_start(self) -> bytes:
        """``chain[-1]``: all zero bytes."""
        return bytes(self.size)


SHA256 = HashAlgorithm("sha-256", 32, hashlib.sha256)

ALGORITHMS: dict[str, HashAlgorithm] = {SHA256.name: SHA256}


def algorithm(name: str) -> HashAlgorithm:
    """The algorithm a log or bundle names (docs/design/EVIDENCE-FORMAT.md §8), or
    ``MalformedError``."""
    try:
        return ALGORITHMS[name]
    except (KeyError, TypeError):
        known = ", ".join(sorted(ALGORITHMS))
        raise MalformedError(f"unknown hash algorithm {name!r} (known: {known})") from None


EMPTY_ROOT = SHA256.empty_root


def leaf_hash(data: bytes, alg: HashAlgorithm = SHA256) -> bytes:
    """RFC 9162 §2.1.1 leaf hash."""
    return alg.leaf_hash(data)


def node_hash(left: bytes, right: bytes, alg: HashAlgorithm = SHA256) -> bytes:
    """RFC 9162 §2.1.1 interior node hash."""
    return alg.node_hash(left, right)


def chain_next(prev: bytes, leaf_hash: bytes, alg: HashAlgorithm = SHA256) -> bytes:
    """docs/design/EVIDENCE-FORMAT.md §2 hash-chain step."""
    return alg.chain_next(prev, leaf_hash)
