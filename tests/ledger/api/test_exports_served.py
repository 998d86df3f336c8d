"""An evidence export through a served instance (``ledger serve``: gunicorn, the
development TSA, certificates at B-LTA): nine envelopes, so the certificates are rendered
by the pool of processes a gunicorn worker spawns; progress, download, manifest."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from tests.conftest import event
from tests.ledger.api.served import call
from tests.ledger.exports_helpers import check_manifest
from tests.server import LedgerServer

ENVELOPES = [f"SERVED-{n}" for n in range(9)]  # more than exports.POOL_FROM


def test_nine_envelopes_through_the_pool(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'var' / 'ledger.db'}"
    with LedgerServer(url, tmp_path / "var", workers=1) as server:
        client = server.client(server.ingest_key)
        events = [
            event(
                f"{n}-{i}",
                envelope_id=e,
                type=kind,
                occurred_at=f"2026-11-0{1 + n % 9}T10:0{i}:00Z",
            )
            for n, e in enumerate(ENVELOPES)
            for i, kind in enumerate(("envelope.sent", "recipient.signed", "envelope.completed"))
        ]
        status, _ = client.post("/v1/events/batch", {"events": events})
        assert status == 201
        reader = server.client(server.read_key)
        status, body = reader.post("/v1/exports", {"envelopes": ENVELOPES})
        assert status == 202, body
        seen: set[int] = set()
        deadline = time.monotonic() + 240
        state: dict[str, Any] = body
        while state["status"] not in ("done", "failed") and time.monotonic() < deadline:
            time.sleep(0.5)
            status, state = reader.get(f"/v1/exports/{body['id']}")
            seen.add(state["done"])
        assert state["status"] == "done", (state, server.log_tail())
        assert state["done"] == state["total"] == 9
        status, headers, data = call(
            server.port,
            "GET",
            state["download"],
            headers={"Authorization": f"Bearer {server.read_key}"},
        )
        assert status == 200
        assert headers["Content-Type"] == "application/zip"
        path = tmp_path / "served.zip"
        path.write_bytes(data)
        check_manifest(path, tuple(ENVELOPES))
