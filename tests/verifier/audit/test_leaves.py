"""The leaves' fast path (``verifier.audit.leaves.scan_leaves``): it takes every leaf line
exactly as ``ledger export`` writes it, in either layout, across runs and seqs of more
digits, and stops at the first line that is not, with the lines before it taken. (That
the reports of the fast and the strict path agree, tamper or not, is test_log.py's.)"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.bundles import ORIGIN
from tests.verifier.audit.helpers import CHUNK, N, results
from verifier.audit import audit_file
from verifier.audit.leaves import (
    COMPACT,
    RUN,
    SPACED,
    Layout,
    Leaves,
    log_fragment,
    scan_leaves,
)
from verifier.audit.reader import scan
from verifier.checkpoint import NoteSigner
from verifier.hashing import SHA256

Damage = Callable[[dict[str, Any]], dict[str, Any]]


@pytest.fixture(scope="module")
def records(export: tuple[Path, NoteSigner]) -> list[dict[str, Any]]:
    """The leaf records of the shared export, in order (seq 0 to N - 1)."""
    path, _ = export
    lines = path.read_bytes().splitlines()
    leaves = [json.loads(line) for line in lines if line.startswith(b'{"type":"leaf"')]
    assert [r["seq"] for r in leaves] == list(range(N))
    return leaves


def written(record: dict[str, Any], layout: Layout) -> bytes:
    """A leaf record as ``ledger export`` writes it in ``layout``."""
    separators = (",", ":") if layout is COMPACT else (", ", ": ")
    return json.dumps(record, separators=separators).encode() + b"\n"


def scanned(data: bytes, layout: Layout, seq: int = 0, prev: bytes | None = None) -> Any:
    hashes: list[bytes] = []
    start = SHA256.chain_start if prev is None else prev
    taken, size, chain = scan_leaves(data, seq, start, layout, log_fragment(ORIGIN), SHA256, hashes)
    return taken, size, chain, hashes


@pytest.mark.parametrize("layout", [COMPACT, SPACED], ids=["compact", "spaced"])
def test_every_clean_line_is_taken(records: list[dict[str, Any]], layout: Layout) -> None:
    assert N > 2 * RUN  # several runs, and seqs of one to four digits
    data = b"".join(written(r, layout) for r in records)
    taken, size, chain, hashes = scanned(data, layout)
    assert (taken, size) == (N, len(data))
    assert hashes == [bytes.fromhex(r["leaf_hash"]) for r in records]
    assert chain == bytes.fromhex(records[-1]["chain"])


def test_one_process_takes_each_clean_region_at_once(
    export: tuple[Path, NoteSigner], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without workers, the main process reads each region of leaves as a worker does:
    the fast path over the whole region, no line split out of it."""
    path, signer = export
    taken = results(monkeypatch, Leaves, "scan_block")
    report = audit_file(path, [signer.vkey], [], jobs=1, chunk_bytes=CHUNK)
    assert report.valid
    with path.open("rb") as f:
        regions = scan(f, CHUNK).regions
    assert taken == [region.length for region in regions]


def test_a_scan_may_start_anywhere_in_the_log(records: list[dict[str, Any]]) -> None:
    start = 998  # the next run crosses from three digits to four
    data = b"".join(written(r, COMPACT) for r in records[start : start + 10])
    prev = bytes.fromhex(records[start - 1]["chain"])
    taken, size, chain, _ = scanned(data, COMPACT, start, prev)
    assert (taken, size) == (10, len(data))
    assert chain == bytes.fromhex(records[start + 9]["chain"])
    wrong = scanned(data, COMPACT, start, bytes(32))  # another chain value before it
    assert wrong[0] == 0


def _other_hash(record: dict[str, Any]) -> dict[str, Any]:
    digit = "0" if record["leaf_hash"][0] != "0" else "1"
    return {**record, "leaf_hash": digit + record["leaf_hash"][1:]}


def _upper_chain(record: dict[str, Any]) -> dict[str, Any]:
    return {**record, "chain": record["chain"].upper()}


def _next_seq(record: dict[str, Any]) -> dict[str, Any]:
    return {**record, "seq": record["seq"] + 1}


def _reordered(record: dict[str, Any]) -> dict[str, Any]:
    return {k: record[k] for k in ("seq", "type", "leaf", "leaf_hash", "chain")}


def _other_leaf(record: dict[str, Any]) -> dict[str, Any]:
    return {**record, "leaf": record["leaf"][4:]}  # three bytes fewer: another hash


def _unpadded(record: dict[str, Any]) -> dict[str, Any]:
    return {**record, "leaf": record["leaf"].rstrip("=") + "A"}  # not strict base64


DAMAGES: list[Damage] = [_other_hash, _upper_chain, _next_seq, _reordered, _other_leaf, _unpadded]


@settings(max_examples=60, deadline=None)
@given(
    at=st.integers(0, 1_100),
    damage=st.sampled_from(DAMAGES),
    ending=st.sampled_from([b"\n", b"\r\n", b""]),
)
def test_the_scan_stops_at_the_first_line_not_as_written(
    records: list[dict[str, Any]], at: int, damage: Damage, ending: bytes
) -> None:
    lines = [written(r, COMPACT) for r in records[:1_101]]
    if ending == b"\n":
        lines[at] = written(damage(records[at]), COMPACT)
    else:  # a clean line, but ending with CRLF, or the last without its newline
        lines[at] = written(records[at], COMPACT)[:-1] + ending
        if not ending:
            del lines[at + 1 :]
    data = b"".join(lines)
    taken, size, chain, hashes = scanned(data, COMPACT)
    assert taken == at
    assert size == len(b"".join(lines[:at]))
    assert len(hashes) == at
    assert chain == (bytes.fromhex(records[at - 1]["chain"]) if at else SHA256.chain_start)
