"""Many clients, many worker processes, one log: 20,000 events appended at once through real
gunicorn servers land exactly once each, in one gapless order, and every receipt verifies.

PostgreSQL: two servers of 4 workers each on the same database and data directory (as if
on two hosts). SQLite: one server of 4 workers.
"""

from __future__ import annotations

import base64
import queue
import random
import threading
import time
from pathlib import Path
from typing import Any

from tests.conftest import event
from tests.server import Client, LedgerServer
from verifier import checkpoint, merkle
from verifier.hashing import SHA256
from verifier.leaf import parse_leaf

TOTAL = 20_000
THREADS = 8
SPOT_CHECKS = 300


def plan(total: int, rng: random.Random) -> list[tuple[int, int]]:
    """(first event number, count) per request: about half single events, half batches."""
    requests, n = [], 0
    while n < total:
        size = 1 if rng.random() < 0.5 else rng.randint(10, 100)
        size = min(size, total - n)
        requests.append((n, size))
        n += size
    return requests


def sent_event(n: int) -> dict[str, object]:
    return event(f"c-{n}", envelope_id=f"env-{n % 97}")


def hammer(servers: list[LedgerServer], total: int) -> tuple[list[tuple[int, Any]], float]:
    """THREADS clients spread over ``servers`` post ``total`` events at once.

    Returns every (status, receipt-or-error, sent event) and the wall time in seconds.
    """
    work: queue.SimpleQueue[tuple[int, int]] = queue.SimpleQueue()
    for item in plan(total, random.Random(20_000)):
        work.put(item)
    results: list[tuple[int, Any]] = []
    lock = threading.Lock()
    barrier = threading.Barrier(THREADS + 1)

    def client(server: LedgerServer) -> None:
        mine: list[tuple[int, Any]] = []
        with server.client() as http:
            barrier.wait()
            while True:
                try:
                    first, size = work.get_nowait()
                except queue.Empty:
                    break
                events = [sent_event(n) for n in range(first, first + size)]
                if size == 1:
                    status, body = http.post("/v1/events", events[0])
                    mine.append((status, (events[0], body)))
                    continue
                status, body = http.post("/v1/events/batch", {"events": events})
                if status != 201:
                    mine.append((status, (events, body)))
                    continue
                mine.extend(
                    (status, (sent, receipt))
                    for sent, receipt in zip(events, body["receipts"], strict=True)
                )
        with lock:
            results.extend(mine)

    threads = [
        threading.Thread(target=client, args=(servers[i % len(servers)],)) for i in range(THREADS)
    ]
    for t in threads:
        t.start()
    barrier.wait()
    started = time.perf_counter()
    for t in threads:
        t.join()
    return results, time.perf_counter() - started


def vkeys(client: Client) -> list[str]:
    status, body = client.get("/v1/log/key")
    assert status == 200
    return [k["vkey"] for k in body["keys"]]


def check_log(server: LedgerServer, results: list[tuple[int, Any]], total: int) -> None:
    bad = [(status, detail) for status, detail in results if status != 201]
    assert not bad, f"{len(bad)} requests were not 201, e.g. {bad[:3]}"
    receipts = sorted((r for _, (_, r) in results), key=lambda r: r["seq"])
    sent_by_seq = {r["seq"]: s for _, (s, r) in results}
    assert [r["seq"] for r in receipts] == list(range(total)), "seqs have a gap or a duplicate"

    # Every receipt: its leaf, leaf hash, event and chain value; the chain is gapless.
    chain = SHA256.chain_start
    leaf_hashes = []
    for receipt in receipts:
        leaf = base64.b64decode(receipt["leaf"])
        leaf_hash = SHA256.leaf_hash(leaf)
        assert leaf_hash.hex() == receipt["leaf_hash"]
        parsed = parse_leaf(leaf)
        assert parsed.seq == receipt["seq"]
        assert parsed.event.event_id == sent_by_seq[receipt["seq"]]["event_id"]
        chain = SHA256.chain_next(chain, leaf_hash)
        assert chain.hex() == receipt["chain"], f"chain breaks at seq {receipt['seq']}"
        leaf_hashes.append(leaf_hash)

    with server.client() as http:
        trusted = vkeys(http)
        # Inclusion of a few hundred receipts in the checkpoint each came with.
        rng = random.Random(7)
        sample = [*rng.sample(receipts, SPOT_CHECKS), receipts[0], receipts[-1]]
        checkpoints: dict[int, checkpoint.Checkpoint] = {}
        for receipt in sample:
            cp = checkpoint.verify(receipt["checkpoint"], trusted)
            assert cp.size > receipt["seq"]
            proof = [bytes.fromhex(h) for h in receipt["inclusion"]]
            merkle.verify_inclusion(
                bytes.fromhex(receipt["leaf_hash"]), receipt["seq"], cp.size, proof, cp.root
            )
            checkpoints[cp.size] = cp
        # The final tree: every leaf, and every sampled checkpoint is a prefix of it.
        status, note = http.get("/v1/log/checkpoint")
        assert status == 200
        final = checkpoint.verify(note, trusted)
        assert final.size == total
        assert final.root == merkle.root(leaf_hashes)
        for cp in rng.sample(sorted(checkpoints.values(), key=lambda c: c.size), 20):
            status, body = http.get(
                f"/v1/log/proofs/consistency?first={cp.size}&second={final.size}",
                key=server.read_key,
            )
            assert status == 200, body
            proof = [bytes.fromhex(h) for h in body["proof"]]
            merkle.verify_consistency(cp.size, final.size, proof, cp.root, final.root)

    fsck = server.cli("fsck", check=False)
    assert fsck.returncode == 0, fsck.stdout + fsck.stderr
    assert "clean" in fsck.stdout.splitlines()


def report(name: str, seconds: float) -> None:
    print(f"\n{name}: {TOTAL} events in {seconds:.1f} s = {TOTAL / seconds:,.0f} events/s")


def test_two_gunicorn_groups_on_postgresql(pg_url: str, tmp_path: Path) -> None:
    with LedgerServer(pg_url, tmp_path / "var", workers=4) as one:
        with one.sibling(workers=4) as other:
            results, seconds = hammer([one, other], TOTAL)
        report("postgresql, 2 servers x 4 workers", seconds)
        check_log(one, results, TOTAL)


def test_gunicorn_workers_on_sqlite(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'var' / 'ledger.db'}"
    with LedgerServer(url, tmp_path / "var", workers=4) as server:
        results, seconds = hammer([server], TOTAL)
        report("sqlite, 1 server x 4 workers", seconds)
        check_log(server, results, TOTAL)
