"""Appending events over HTTP: receipts verify with ``verifier`` alone (SQLite and PostgreSQL)."""

from __future__ import annotations

import base64
import hashlib
import json
import random
import threading

from flask import Flask
from flask.testing import FlaskClient

from config.settings import Settings
from ledger.app import create_app
from tests import reference
from tests.conftest import Keys, event
from tests.ledger.helpers import check_receipt, post, vkeys
from verifier import checkpoint, merkle
from verifier.hashing import SHA256
from verifier.jcs import canonicalize
from verifier.leaf import parse_leaf


def test_receipt_verifies_with_the_verifier_alone(client: FlaskClient, keys: Keys) -> None:
    sent = event(1)
    response = post(client, keys, sent)
    assert response.status_code == 201
    receipt = response.get_json()
    cp = check_receipt(receipt, sent, vkeys(client))
    assert (receipt["seq"], cp.size) == (0, 1)
    assert (
        receipt["chain"] == SHA256.chain_next(bytes(32), bytes.fromhex(receipt["leaf_hash"])).hex()
    )
    assert receipt["received_at"].endswith("Z")


def test_leaf_commits_to_the_event_without_personal_data(client: FlaskClient, keys: Keys) -> None:
    sent = event(1)
    receipt = post(client, keys, sent).get_json()
    leaf = base64.b64decode(receipt["leaf"])
    assert "张三".encode() not in leaf
    assert b"zhang@example.com" not in leaf
    entry = client.get(f"/v1/log/entries/{receipt['seq']}", headers=keys.header("read")).get_json()
    assert entry["event"] == sent
    salt = bytes.fromhex(entry["salt"])
    commitment = hashlib.sha256(salt + canonicalize(sent)).hexdigest()
    assert parse_leaf(leaf).commitment == commitment


def test_log_after_random_appends_equals_reference_root(client: FlaskClient, keys: Keys) -> None:
    rng = random.Random(7)
    leaf_hashes, checkpoints = [], []
    n = 0
    while n < 120:
        size = rng.choice([1, 1, 2, 5, 17])
        batch = [event(n + i, envelope_id=f"env-{rng.randrange(5)}") for i in range(size)]
        response = post(client, keys, {"events": batch}, "/v1/events/batch")
        assert response.status_code == 201, response.get_json()
        for receipt, sent in zip(response.get_json()["receipts"], batch, strict=True):
            check_receipt(receipt, sent, vkeys(client))
            leaf_hashes.append(bytes.fromhex(receipt["leaf_hash"]))
        checkpoints.append(response.get_json()["receipts"][-1]["checkpoint"])
        n += size
    trusted = vkeys(client)
    latest = checkpoint.verify(
        client.get("/v1/log/checkpoint", headers=keys.header("read")).text, trusted
    )
    assert latest.size == n
    assert latest.root == reference.mth(leaf_hashes)
    # Every pair of checkpoints the log signed is consistent.
    parsed = [checkpoint.verify(note, trusted) for note in checkpoints]
    for older in parsed[::3]:
        for newer in parsed[::4]:
            if older.size > newer.size:
                continue
            url = f"/v1/log/proofs/consistency?first={older.size}&second={newer.size}"
            proof = client.get(url, headers=keys.header("audit")).get_json()["proof"]
            merkle.verify_consistency(
                older.size, newer.size, [bytes.fromhex(h) for h in proof], older.root, newer.root
            )


def test_inclusion_endpoint_matches_reference(client: FlaskClient, keys: Keys) -> None:
    batch = [event(i) for i in range(37)]
    receipts = post(client, keys, {"events": batch}, "/v1/events/batch").get_json()["receipts"]
    hashes = [bytes.fromhex(r["leaf_hash"]) for r in receipts]
    for seq, size in [(0, 1), (5, 6), (13, 37), (36, 37), (20, 33)]:
        got = client.get(
            f"/v1/log/proofs/inclusion?seq={seq}&size={size}", headers=keys.header("read")
        )
        assert got.get_json()["proof"] == [h.hex() for h in reference.path(seq, hashes[:size])]


def test_same_event_twice_returns_the_original_receipt(client: FlaskClient, keys: Keys) -> None:
    first = post(client, keys, event(1))
    post(client, keys, event(2))
    again = post(client, keys, event(1))
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.get_json() == first.get_json()
    assert (
        checkpoint.verify(
            client.get("/v1/log/checkpoint", headers=keys.header("read")).text, vkeys(client)
        ).size
        == 2
    )


def test_same_event_id_with_other_content_is_a_conflict(client: FlaskClient, keys: Keys) -> None:
    post(client, keys, event(1))
    response = post(client, keys, event(1, type="recipient.viewed"))
    assert response.status_code == 409
    assert response.get_json()["error"]["field"] == "event_id"
    batch = post(
        client, keys, {"events": [event(2), event(1, envelope_id="x")]}, "/v1/events/batch"
    )
    assert batch.status_code == 409
    assert client.get("/healthz").get_json()["size"] == 1


def test_event_ids_are_per_tenant(client: FlaskClient, keys: Keys) -> None:
    post(client, keys, event(1))
    other = client.post(
        "/v1/events", json=event(1, type="recipient.viewed"), headers=keys.header("other_ingest")
    )
    assert other.status_code == 201
    assert base64.b64decode(other.get_json()["leaf"]).count(b'"tenant":"globex"') == 1


def test_batch_repeating_some_events_appends_only_the_new(client: FlaskClient, keys: Keys) -> None:
    first = post(client, keys, {"events": [event(1), event(2)]}, "/v1/events/batch").get_json()
    second = post(client, keys, {"events": [event(2), event(3)]}, "/v1/events/batch")
    assert second.status_code == 201
    receipts = second.get_json()["receipts"]
    assert receipts[0] == first["receipts"][1]
    assert receipts[1]["seq"] == 2


def test_racing_requests_append_once(settings: Settings, keys: Keys, app: Flask) -> None:
    """Eight processes' worth of apps post the same events at once: each lands once."""
    apps = [create_app(settings) for _ in range(8)]
    results: list[int] = []
    lock = threading.Lock()

    def worker(one: Flask) -> None:
        client = one.test_client()
        for i in range(10):
            status = client.post(
                "/v1/events", json=event(i), headers=keys.header("ingest")
            ).status_code
            with lock:
                results.append(status)

    threads = [threading.Thread(target=worker, args=(a,)) for a in apps]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for one in apps:
        one.extensions["ledger"].close()
    assert sorted(results).count(201) == 10
    assert set(results) == {200, 201}
    assert app.test_client().get("/healthz").get_json()["size"] == 10


def test_receipt_json_is_plain(client: FlaskClient, keys: Keys) -> None:
    receipt = post(client, keys, event(1)).get_json()
    assert set(receipt) == {
        "seq",
        "leaf",
        "leaf_hash",
        "chain",
        "received_at",
        "checkpoint",
        "inclusion",
    }
    json.dumps(receipt)
