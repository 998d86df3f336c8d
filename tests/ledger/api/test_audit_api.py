"""A whole-log audit of 200,000 entries through the API of a running service."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from tests.conftest import event
from tests.server import LedgerServer
from verifier.cli import main as ledger_verify

ENTRIES = 200_000
BATCH = 1_000


def test_audit_of_200000_entries_through_the_api(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'var' / 'ledger.db'}"
    env = {"LEDGER_ANCHOR_INTERVAL": "5"}
    with LedgerServer(url, tmp_path / "var", workers=2, env=env) as server:

        def load(part: int) -> None:
            with server.client(server.ingest_key) as client:
                for start in range(part * BATCH, ENTRIES, 2 * BATCH):
                    batch = {"events": [event(i) for i in range(start, start + BATCH)]}
                    status, _ = client.post("/v1/events/batch", batch)
                    assert status == 201

        threads = [threading.Thread(target=load, args=(part,)) for part in (0, 1)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        with server.client() as client:
            _, key = client.get("/v1/log/key")
        capsys.readouterr()
        code = ledger_verify(
            ["log", "--url", f"http://127.0.0.1:{server.port}", "--key", server.read_key,
             "--log-key", key["vkey"], "--tsa-root", str(tmp_path / "var" / "devtsa" / "root.pem")]
        )  # fmt: skip
    out = capsys.readouterr().out
    assert code == 0, out
    assert out.startswith(("VALID", "PENDING")), out
    assert f"{ENTRIES:,} entries" in out, out
