"""A running service with evidence in it, as an auditor meets it: appended events, an
anchor by the development TSA, and what the service publishes (its verifier key, its TSA
trust roots). For the tests that check evidence from outside the service: the verifier
wheel (tests/test_verifier_dist.py) and the auditor guide (tests/ledger/test_auditor_guide.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.conftest import event
from tests.server import LedgerServer


@dataclass(frozen=True)
class Live:
    server: LedgerServer
    url: str
    admin_key: str
    vkey: str
    tsa_roots: Path  # what GET /v1/log/tsa-roots answers, as a file
    receipts: list[dict[str, Any]]
    envelope: str


@contextmanager
def live_ledger(tmp_path: Path, events: int = 40) -> Iterator[Live]:
    """A served ledger (SQLite, one worker) with ``events`` events of one envelope,
    anchored."""
    url = f"sqlite:///{tmp_path / 'var' / 'ledger.db'}"
    with LedgerServer(url, tmp_path / "var", workers=1) as server:
        admin = server.cli("key", "create", "--role", "admin").stdout.strip().splitlines()[-1]
        with server.client() as client:
            batch = {"events": [event(i) for i in range(events)]}
            status, body = client.post("/v1/events/batch", batch)
            assert status == 201, body
            status, anchor = client.request("POST", "/v1/log/anchors", key=admin)
            assert status == 201, anchor
            _, key = client.get("/v1/log/key")
            _, roots = client.get("/v1/log/tsa-roots")
        path = tmp_path / "tsa-roots.pem"
        path.write_text(roots, encoding="utf-8")
        yield Live(
            server=server,
            url=f"http://127.0.0.1:{server.port}",
            admin_key=admin,
            vkey=key["vkey"],
            tsa_roots=path,
            receipts=body["receipts"],
            envelope="env-1",
        )
