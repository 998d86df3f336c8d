"""What the ledger's tests share: reading receipts as a platform would, the CLI, a held log."""

from __future__ import annotations

import base64
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from config.settings import Settings
from ledger.cli import cli
from ledger.service import Ledger
from tests.conftest import Keys
from verifier import checkpoint, merkle
from verifier.hashing import SHA256
from verifier.leaf import parse_leaf


def vkeys(client: FlaskClient) -> list[str]:
    return [k["vkey"] for k in client.get("/v1/log/key").get_json()["keys"]]


def post(client: FlaskClient, keys: Keys, body: Any, path: str = "/v1/events") -> Any:
    return client.post(path, json=body, headers=keys.header("ingest"))


def check_receipt(
    receipt: dict[str, Any], sent: dict[str, Any], trusted: list[str]
) -> checkpoint.Checkpoint:
    """Everything a platform can check on its own, with nothing but the verifier key."""
    leaf = base64.b64decode(receipt["leaf"])
    leaf_hash = SHA256.leaf_hash(leaf)
    assert leaf_hash.hex() == receipt["leaf_hash"]
    parsed = parse_leaf(leaf)
    assert parsed.seq == receipt["seq"]
    assert parsed.event.event_id == sent["event_id"]
    assert parsed.event.type == sent["type"]
    cp = checkpoint.verify(receipt["checkpoint"], trusted)
    proof = [bytes.fromhex(h) for h in receipt["inclusion"]]
    merkle.verify_inclusion(leaf_hash, receipt["seq"], cp.size, proof, cp.root)
    return cp


def run(app: Flask, *args: str) -> tuple[int, str]:
    result = app.test_cli_runner().invoke(cli, list(args))
    return result.exit_code, result.output


@contextmanager
def log_held(settings: Settings) -> Iterator[None]:
    """The log-head lock, taken by another service object (another process's worth)."""
    other = Ledger(settings)
    try:
        with other.db.writing() as conn:
            other.db.hot.head_and_seen(conn, other.log.id, {})  # PostgreSQL: FOR UPDATE
            yield
    finally:
        other.close()


def wait_for(condition: Callable[[], bool], what: str, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.01)
