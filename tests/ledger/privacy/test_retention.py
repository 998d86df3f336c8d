"""Retention (ledger.privacy.retention, `ledger retention`): no erasure before the
minimum; the job erases envelopes past the maximum, skips held ones, and runs once per
interval however many workers ask."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from sqlalchemy import update

from config.settings import Settings
from ledger import clock
from ledger.privacy import retention
from ledger.service import Ledger
from ledger.storage.models import Entry
from tests.conftest import Keys
from tests.ledger.helpers import run
from tests.ledger.privacy.conftest import admin, two_subjects


def age(service: Ledger, envelope: str, days: int) -> None:
    """Make an envelope's entries ``days`` old (received_at is all the job reads)."""
    moment = (datetime.now(UTC) - timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    with service.db.writing() as conn:
        conn.execute(update(Entry).where(Entry.envelope_id == envelope).values(received_at=moment))


def test_minimum_retention_refuses_early_erasure(app: Flask, keys: Keys) -> None:
    client = app.test_client()
    two_subjects(client, keys)
    code, out = run(app, "retention", "set", "--tenant", "acme", "--min", "5y", "--max", "10y")
    assert code == 0, out
    assert json.loads(out) | {"updated_at": None} == {
        "tenant": "acme", "min_days": 1826, "max_days": 3652, "updated_at": None,
    }  # fmt: skip
    shown = json.loads(run(app, "retention", "show", "--tenant", "acme")[1])
    assert shown["min_days"] == 1826
    refused = client.post(
        "/v1/erasures",
        json={"tenant": "acme", "envelope": "env-b", "reason": "DSR"},
        headers=admin(keys),
    )
    assert refused.status_code == 409
    assert refused.get_json()["error"]["code"] == "retention_minimum"
    age(app.extensions["ledger"], "env-b", 1900)
    allowed = client.post(
        "/v1/erasures",
        json={"tenant": "acme", "envelope": "env-b", "reason": "DSR"},
        headers=admin(keys),
    )
    assert allowed.status_code == 201
    for bad in (["--min", "5 years"], ["--min", "10y", "--max", "5y"]):
        assert run(app, "retention", "set", "--tenant", "acme", *bad)[0] == 1


def test_the_job_erases_past_the_maximum_and_skips_held(app: Flask, keys: Keys) -> None:
    client = app.test_client()
    service: Ledger = app.extensions["ledger"]
    two_subjects(client, keys)
    run(app, "retention", "set", "--tenant", "acme", "--max", "30d")
    age(service, "env-a", 40)
    age(service, "env-b", 40)
    assert (
        run(app, "hold", "add", "--tenant", "acme", "--envelope", "env-b", "--reason", "case")[0]
        == 0
    )
    done = retention.run_once(service, interval=0)
    assert done is not None
    assert [e["envelope_id"] for e in done.erased] == ["env-a"]
    assert "env-b" in done.held[0]
    a = client.get("/v1/envelopes/env-a", headers=keys.header("read")).get_json()["events"]
    assert [e["erased"] for e in a] == [True, True, True, False]
    assert a[-1]["type"] == "x-ledger.erasure"
    b = client.get("/v1/envelopes/env-b", headers=keys.header("read")).get_json()["events"]
    assert not b[0]["erased"]


@pytest.mark.parametrize("workers", [4])
def test_the_job_runs_once_per_interval_across_workers(
    settings: Settings, app: Flask, keys: Keys, workers: int
) -> None:
    two_subjects(app.test_client(), keys)
    services = [Ledger(settings) for _ in range(workers)]
    results: list[object] = [None] * workers
    start = threading.Barrier(workers)

    def work(i: int) -> None:
        start.wait()
        results[i] = retention.run_once(services[i], interval=3600)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(r is not None for r in results) == 1
    assert all(retention.run_once(s, interval=3600) is None for s in services)  # within the hour
    later = clock.now() + timedelta(hours=2)
    original = clock.now
    try:
        clock.now = lambda: later  # type: ignore[assignment]
        assert retention.run_once(services[0], interval=3600) is not None
    finally:
        clock.now = original  # type: ignore[assignment]
    for s in services:
        s.close()
