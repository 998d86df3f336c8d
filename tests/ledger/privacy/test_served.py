"""The must-show flow against a served instance (gunicorn, ``ledger serve``): events of two
data subjects, ``POST /v1/erasures`` for one, the other still readable, the erased one's
entries "content erased" and the log still whole."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import event
from tests.ledger.privacy.conftest import LI, ZHANG
from tests.server import Client, LedgerServer


def test_erasure_on_a_served_instance(db_url: str, tmp_path: Path) -> None:
    with LedgerServer(db_url, tmp_path / "var", workers=2) as server:
        admin = server.cli("key", "create", "--role", "admin").stdout.strip().splitlines()[-1]
        with Client(server.port, server.ingest_key) as http:
            for n, actor in enumerate((ZHANG, LI, ZHANG, LI)):
                status, _ = http.post("/v1/events", event(n, actor=actor))
                assert status == 201
            status, erased = http.post(
                "/v1/erasures",
                {"tenant": server.tenant, "subject": "zhang@example.com", "reason": "DSR-7"},
                key=admin,
            )
            assert status == 201, erased
            assert erased["erased"]["entries"] == [0, 2]
            status, timeline = http.get("/v1/envelopes/env-1", key=server.read_key)
            assert status == 200
            events = timeline["events"]
            assert [e["erased"] for e in events] == [True, False, True, False]
            assert events[1]["actor"]["email"] == "li@example.com"
            for seq in (0, 2):
                status, entry = http.get(f"/v1/log/entries/{seq}", key=server.read_key)
                assert (status, entry["erased"], entry["event"]) == (200, True, None)
            status, entry = http.get("/v1/log/entries/3", key=server.read_key)
            assert entry["event"]["actor"]["name"] == "李四"
        assert server.cli("fsck").returncode == 0
