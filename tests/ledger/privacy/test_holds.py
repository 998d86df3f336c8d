"""Legal holds (ledger.privacy.holds, `ledger hold`): held data cannot be erased (409
naming the hold), released data can; placing and releasing are events in the log, the
subject by its keyed id."""

from __future__ import annotations

import json

from flask import Flask

from tests.conftest import Keys
from tests.ledger.helpers import run
from tests.ledger.privacy.conftest import admin, two_subjects

ERASE_ZHANG = {"tenant": "acme", "subject": "zhang@example.com", "reason": "DSR-1"}


def test_held_data_cannot_be_erased_released_data_can(app: Flask, keys: Keys) -> None:
    client = app.test_client()
    two_subjects(client, keys)
    code, out = run(app, "hold", "add", "--tenant", "acme", "--envelope", "env-a",
                    "--reason", "case 2026-civ-17")  # fmt: skip
    assert code == 0, out
    hold = json.loads(out)
    refused = client.post("/v1/erasures", json=ERASE_ZHANG, headers=admin(keys))
    assert refused.status_code == 409
    error = refused.get_json()["error"]
    assert error["code"] == "held"
    assert hold["hold"] in error["message"]
    assert "case 2026-civ-17" in error["message"]
    envelope = client.post(
        "/v1/erasures",
        json={"tenant": "acme", "envelope": "env-a", "reason": "r"},
        headers=admin(keys),
    )
    assert envelope.status_code == 409
    timeline = client.get("/v1/envelopes/env-a", headers=keys.header("read")).get_json()
    assert [e["erased"] for e in timeline["events"]] == [False, False, False, False]
    assert timeline["events"][-1]["type"] == "x-ledger.hold"

    code, out = run(app, "hold", "release", hold["hold"], "--tenant", "acme", "--reason", "closed")
    assert code == 0, out
    assert run(app, "hold", "release", hold["hold"], "--tenant", "acme", "--reason", "x")[0] == 1
    erased = client.post("/v1/erasures", json=ERASE_ZHANG, headers=admin(keys))
    assert erased.status_code == 201, erased.get_json()
    types = [
        e["type"]
        for e in client.get("/v1/envelopes/env-a", headers=keys.header("read")).get_json()["events"]
    ]
    assert types[-2:] == ["x-ledger.hold", "x-ledger.hold-release"]


def test_a_subject_hold_names_the_subject_by_its_keyed_id(app: Flask, keys: Keys) -> None:
    client = app.test_client()
    two_subjects(client, keys)
    code, out = run(app, "hold", "add", "--tenant", "acme", "--subject", "Zhang@example.com",
                    "--reason", "regulator inquiry")  # fmt: skip
    assert code == 0, out
    hold = json.loads(out)
    assert hold["scope"] == "subject"
    assert len(hold["target"]) == 64
    assert client.post("/v1/erasures", json=ERASE_ZHANG, headers=admin(keys)).status_code == 409
    li = {"tenant": "acme", "subject": "li@example.com", "reason": "DSR-2"}
    assert client.post("/v1/erasures", json=li, headers=admin(keys)).status_code == 201
    entry = client.get(f"/v1/log/entries/{hold['seq']}", headers=admin(keys)).get_json()
    assert entry["event"]["type"] == "x-ledger.hold"
    assert entry["event"]["data"]["subject"] == hold["target"]
    assert "zhang" not in json.dumps(entry).lower()
    code, out = run(app, "hold", "list", "--tenant", "acme")
    assert code == 0, out
    assert json.loads(out.splitlines()[0])["reason"] == "regulator inquiry"
    bad = run(app, "hold", "add", "--tenant", "acme", "--reason", "no target")
    assert bad[0] == 1
    assert "subject or an envelope" in bad[1]
