"""Group commit: appends that wait for the log while it is busy go in one transaction
under one signed checkpoint, and each caller still gets its own answer (SQLite and
PostgreSQL).

The log is held from a second service object on the same database (as another worker
process would hold it) while requests queue up behind it in threads of this one.
"""

from __future__ import annotations

import threading
from typing import Any

from flask import Flask
from sqlalchemy import text

from config.settings import Settings
from ledger.appender import Appender, Source, Submission
from ledger.errors import Conflict
from ledger.service import Ledger
from tests.conftest import Keys, event
from tests.ledger.helpers import check_receipt, log_held, run, vkeys, wait_for
from verifier import checkpoint
from verifier.jcs import canonicalize


def queued(appender: Appender) -> int:
    return len(appender._queue)


def post_all(app: Flask, keys: Keys, settings: Settings, bodies: list[dict[str, Any]]) -> list[Any]:
    """POST each body from its own thread while the log is held; (status, json) each."""
    results: list[Any] = [None] * len(bodies)

    def send(i: int) -> None:
        response = app.test_client().post(
            "/v1/events", json=bodies[i], headers=keys.header("ingest")
        )
        results[i] = (response.status_code, response.get_json())

    appender = app.extensions["ledger"].appender
    threads = [threading.Thread(target=send, args=(i,)) for i in range(len(bodies))]
    with log_held(settings):
        for t in threads:
            t.start()
        wait_for(lambda: queued(appender) == len(bodies), "every request to queue")
    for t in threads:
        t.join(60)
    assert queued(appender) == 0
    return results


def fsck_clean(app: Flask, entries: int) -> None:
    code, out = run(app, "fsck")
    assert code == 0, out
    assert f"{entries} entries" in out
    assert "clean" in out


def test_appends_waiting_for_the_log_share_one_checkpoint(
    app: Flask, keys: Keys, settings: Settings
) -> None:
    sent = [event(i, envelope_id=f"env-{i % 3}") for i in range(12)]
    results = post_all(app, keys, settings, sent)
    assert [status for status, _ in results] == [201] * 12
    trusted = vkeys(app.test_client())
    sizes = {
        check_receipt(body, one, trusted).size for (_, body), one in zip(results, sent, strict=True)
    }
    # The first caller led a group of what was queued when it started, then found the log
    # held; everyone who queued behind it went in the next group, under one checkpoint.
    assert len(sizes) <= 2
    assert max(sizes) == 12
    assert sorted(body["seq"] for _, body in results) == list(range(12))
    # One chain through all of them, as if appended one by one.
    log = app.test_client().get("/v1/log/checkpoint", headers=keys.header("read"))
    assert checkpoint.verify(log.get_data(as_text=True), trusted).size == 12
    fsck_clean(app, 12)


def test_a_conflict_refuses_its_request_alone(app: Flask, keys: Keys, settings: Settings) -> None:
    client = app.test_client()
    assert client.post("/v1/events", json=event(100), headers=keys.header("ingest")).status_code
    bodies = [
        event(1),
        event(100, type="recipient.declined"),  # the log holds evt-100 with other content
        event(2),
        event(3),
        event(3),  # the same event twice in the group: appended once
        event(4),
        event(4, type="recipient.declined"),  # evt-4 twice, differently: one is refused
        event(100),  # a repeat of what the log holds
    ]
    results = post_all(app, keys, settings, bodies)
    statuses = [status for status, _ in results]
    assert statuses[0] == statuses[2] == 201
    assert statuses[1] == 409
    assert results[1][1]["error"]["field"] == "event_id"
    assert "seq 0" in results[1][1]["error"]["message"]
    assert sorted(statuses[3:5]) == [200, 201]
    assert results[3][1] == results[4][1]  # the repeat gets the original receipt, verbatim
    assert sorted(statuses[5:7]) == [201, 409]
    assert statuses[7] == 200
    assert results[7][1]["seq"] == 0
    trusted = vkeys(app.test_client())
    for (status, body), sent in zip(results, bodies, strict=True):
        if status in (200, 201):
            check_receipt(body, sent, trusted)
    assert client.get("/healthz").get_json()["size"] == 1 + 4  # evt-100, then 1, 2, 3, 4
    fsck_clean(app, 5)


def test_a_failing_request_does_not_fail_its_group(
    app: Flask, keys: Keys, settings: Settings
) -> None:
    """A request the database refuses inside the group's transaction (here: an entry
    without a tenant, against NOT NULL) fails alone; the leader appends the others one by
    one."""
    service: Ledger = app.extensions["ledger"]
    appender = service.appender
    with service.db.reading() as conn:
        tenant_id = conn.execute(text("SELECT id FROM tenants WHERE name = 'acme'")).scalar_one()
    source = Source("api", "0" * 64, "api-key")

    def submission(n: int) -> Submission:
        sent = event(n)
        return Submission(sent, canonicalize(sent), source)

    outcomes: dict[int, Any] = {}

    def append(n: int, tenant: int | None) -> None:
        try:
            outcomes[n] = appender.append(tenant, "acme", [submission(n)])[0]
        except Exception as e:
            outcomes[n] = e

    plan = [(1, tenant_id), (2, tenant_id), (3, None), (4, tenant_id), (5, tenant_id)]
    threads = [threading.Thread(target=append, args=item) for item in plan]
    with log_held(settings):
        for t in threads:
            t.start()
        wait_for(lambda: queued(appender) == len(plan), "every append to queue")
    for t in threads:
        t.join(60)
    assert not isinstance(outcomes[3], Conflict)
    assert isinstance(outcomes[3], Exception)  # the database's integrity error, to its caller
    created = [outcomes[n] for n in (1, 2, 4, 5)]
    assert all(r.created for r in created)
    assert sorted(r.seq for r in created) == [0, 1, 2, 3]
    # Nothing of the failed request was stored: four entries, one chain, fsck clean.
    assert app.test_client().get("/healthz").get_json()["size"] == 4
    fsck_clean(app, 4)
