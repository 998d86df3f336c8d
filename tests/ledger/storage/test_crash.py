"""Crashes lose nothing that was acknowledged: 20 times, a client appends events one at a time
while the whole server (gunicorn master and workers) is killed with SIGKILL at a random
moment; afterwards every acknowledged receipt is in the log, unchanged, and fsck is clean.
"""

from __future__ import annotations

import http.client
import random
import threading
import time
from pathlib import Path
from typing import Any

from tests.conftest import event
from tests.server import LedgerServer
from verifier import checkpoint, merkle

ROUNDS = 20


class Appender(threading.Thread):
    """Posts events one at a time until the server dies; keeps every acknowledged receipt."""

    def __init__(self, server: LedgerServer, round_no: int) -> None:
        super().__init__(daemon=True)
        self.server, self.round_no = server, round_no
        self.acked: list[tuple[dict[str, Any], dict[str, Any]]] = []
        self.unexpected: list[tuple[int, Any]] = []
        self.in_flight: dict[str, Any] | None = None
        self.stop = threading.Event()

    def run(self) -> None:
        with self.server.client() as conn:
            n = 0
            while not self.stop.is_set():
                sent = event(f"r{self.round_no}-{n}", envelope_id=f"env-{n % 7}")
                self.in_flight = sent
                try:
                    status, body = conn.post("/v1/events", sent)
                except (OSError, http.client.HTTPException):  # died: not acknowledged
                    return
                self.in_flight = None
                if status != 201:
                    self.unexpected.append((status, body))
                    return
                self.acked.append((sent, body))
                n += 1


def test_kill9_loses_no_acknowledged_event(db_url: str, tmp_path: Path) -> None:
    seed = random.randrange(2**32)
    print(f"\nkill timings: random.Random({seed})")  # shown by pytest when the test fails
    rng = random.Random(seed)
    server = LedgerServer(db_url, tmp_path / "var", workers=2)
    acked: list[tuple[dict[str, Any], dict[str, Any]]] = []
    unsure: list[dict[str, Any]] = []
    lasts: list[tuple[dict[str, Any], dict[str, Any]]] = []  # the last acknowledged per round
    started, starting = time.perf_counter(), 0.0
    try:
        for round_no in range(ROUNDS):
            before = time.perf_counter()
            server.start()
            starting += time.perf_counter() - before
            client = Appender(server, round_no)
            client.start()
            time.sleep(rng.uniform(0.2, 0.8))
            server.kill9()
            client.stop.set()
            client.join(30)
            assert not client.is_alive(), "the client hangs on a killed server"
            assert not client.unexpected, client.unexpected
            acked += client.acked
            lasts += client.acked[-1:]
            if client.in_flight is not None:
                unsure.append(client.in_flight)
        crashing = time.perf_counter() - started

        server.start()
        with server.client() as http, server.client(server.read_key) as reader:
            # Every acknowledged entry is there, byte for byte.
            for sent, receipt in acked:
                status, entry = reader.get(f"/v1/log/entries/{receipt['seq']}")
                assert status == 200, entry
                assert entry["leaf_hash"] == receipt["leaf_hash"]
                assert entry["leaf"] == receipt["leaf"]
                assert entry["chain"] == receipt["chain"]
                assert entry["event"] == sent
            # Posting an acknowledged event again gives back its original receipt.
            again = rng.sample(acked, min(30, len(acked))) + lasts
            for sent, receipt in again:
                status, body = http.post("/v1/events", sent)
                assert (status, body) == (200, receipt)
            # What was in flight at a kill was either appended (200) or not (201): never both.
            for sent in unsure:
                status, body = http.post("/v1/events", sent)
                assert status in (200, 201), body
            status, keys = http.get("/v1/log/key")
            trusted = [k["vkey"] for k in keys["keys"]]
            status, note = http.get("/v1/log/checkpoint")
            final = checkpoint.verify(note, trusted)
            size = final.size
            # The checkpoints handed out just before each kill are prefixes of today's log.
            for _, receipt in lasts:
                cp = checkpoint.verify(receipt["checkpoint"], trusted)
                proof = [bytes.fromhex(h) for h in receipt["inclusion"]]
                merkle.verify_inclusion(
                    bytes.fromhex(receipt["leaf_hash"]), receipt["seq"], cp.size, proof, cp.root
                )
                status, body = reader.get(
                    f"/v1/log/proofs/consistency?first={cp.size}&second={size}"
                )
                assert status == 200, body
                consistency = [bytes.fromhex(h) for h in body["proof"]]
                merkle.verify_consistency(cp.size, size, consistency, cp.root, final.root)
        server.stop()
        assert len({r["seq"] for _, r in acked}) == len(acked)
        assert size >= len(acked)
        # Nothing else got in: the log holds the acknowledged and the in-flight events only.
        assert size == len(acked) + len(unsure)
        fsck = server.cli("fsck", check=False)
        assert fsck.returncode == 0, fsck.stdout + fsck.stderr
        assert "clean" in fsck.stdout.splitlines()
    finally:
        server.stop()
    print(
        f"\n{db_url.split(':')[0]}: {ROUNDS} kill -9 rounds in {crashing:.1f} s "
        f"({starting:.1f} s of it starting servers), "
        f"{len(acked)} acknowledged, {len(unsure)} in flight at a kill, final size {size}"
    )
