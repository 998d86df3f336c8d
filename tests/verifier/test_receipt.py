"""A receipt checked in one step (verifier.receipt): its leaf, its checkpoint's signature
and its inclusion proof; every change a forger could make is a named failed check."""

from __future__ import annotations

import base64
import json
from datetime import timedelta
from typing import Any

import pytest

from tests.bundles import START, Log, event
from verifier.checkpoint import NoteSigner
from verifier.errors import MalformedError
from verifier.receipt import verify_receipt

SIZE = 30


@pytest.fixture(scope="module")
def log() -> Log:
    log = Log()
    for seq in range(SIZE):
        log.append(event("env-1", seq))
    return log


def receipt(log: Log, seq: int, size: int = SIZE) -> dict[str, Any]:
    """What the ledger answers to an append (docs/api.md), for the entry at ``seq``."""
    entry = log.entry(seq, size)
    received = (START + timedelta(seconds=seq, microseconds=123)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return {
        "seq": seq,
        "leaf": entry["leaf"],
        "leaf_hash": entry["leaf_hash"],
        "chain": entry["chain"],
        "received_at": received,
        "checkpoint": log.checkpoint(size),
        "inclusion": entry["inclusion"],
    }


def failed(doc: Any, keys: list[str]) -> list[tuple[str, str]]:
    return [(c.name, c.reason) for c in verify_receipt(json.dumps(doc), keys).failures]


@pytest.mark.parametrize("seq", [0, 1, 16, SIZE - 1])
def test_a_receipt_verifies_in_one_step(log: Log, seq: int) -> None:
    report = verify_receipt(json.dumps(receipt(log, seq)), [log.vkey])
    assert report.valid, report.bottom_line
    assert report.bottom_line.startswith(f"VALID: entry {seq} (")
    assert f"is in log {log.origin} at size {SIZE}, signed by a trusted key" in report.bottom_line
    assert [c.name for c in report.checks] == [
        "format",
        "checkpoint signature",
        "leaf",
        "inclusion",
    ]


def test_a_changed_leaf_fails_the_leaf_and_the_proof(log: Log) -> None:
    doc = receipt(log, 5)
    leaf = bytearray(base64.b64decode(doc["leaf"]))
    leaf[40] ^= 1
    doc["leaf"] = base64.b64encode(bytes(leaf)).decode()
    names = [name for name, _ in failed(doc, [log.vkey])]
    assert names[0] == "leaf"


@pytest.mark.parametrize(
    ("change", "check", "reason"),
    [
        ({"seq": 6}, "leaf", "the leaf's seq is not the receipt's"),
        ({"received_at": "2026-01-01T00:00:00.000000Z"}, "leaf", "received_at"),
        ({"leaf_hash": "00" * 32}, "leaf", "leaf_hash is not the hash of the leaf"),
        ({"inclusion": []}, "inclusion", "has 0 hashes"),
        ({"extra": 1}, "format", "unknown fields ['extra']"),
    ],
)
def test_each_change_is_a_named_failure(
    log: Log, change: dict[str, Any], check: str, reason: str
) -> None:
    failures = failed(receipt(log, 5) | change, [log.vkey])
    assert failures
    assert failures[0][0] == check
    assert reason in failures[0][1]


def test_a_checkpoint_by_another_key_or_that_does_not_cover_the_entry(log: Log) -> None:
    stranger = NoteSigner.generate("test.example-log").vkey
    assert failed(receipt(log, 5), [stranger])[0][0] == "checkpoint signature"
    early = receipt(log, 5) | {"checkpoint": log.checkpoint(5)}
    assert "does not cover seq 5" in failed(early, [log.vkey])[0][1]


@pytest.mark.parametrize("data", [b"{", b"[]", b'{"seq": "5"}', b'{"seq": 5}'])
def test_what_cannot_be_evaluated_raises_malformed(log: Log, data: bytes) -> None:
    with pytest.raises(MalformedError):
        verify_receipt(data, [log.vkey])
