"""Outbound webhooks against a real HTTP receiver on loopback that checks every
Standard Webhooks signature itself, on SQLite and PostgreSQL: retries with backoff across
a restart (of the in-process worker, and of the real gunicorn service), the dead-letter
list and its retry, tenancy, payloads without personal data, anchors and certificates."""

from __future__ import annotations

import base64
import json
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update

from config.settings import Settings
from ledger import appender
from ledger.anchoring.devtsa import DevTSA
from ledger.app import create_app
from ledger.clock import aware, now
from ledger.outbound import outbox, signature
from ledger.outbound.delivery import DeliveryWorker, Outcome, Policy
from ledger.service import Ledger
from ledger.storage.db import Database
from ledger.storage.models import Delivery, Entry
from tests.conftest import Keys, event, initialise, make_settings
from tests.ledger.helpers import run
from tests.ledger.outbound.helpers import (
    Receiver,
    append,
    deliveries,
    standard_webhooks_valid,
)
from tests.server import LedgerServer

# The receivers here listen on loopback: allowed only with LEDGER_OUTBOUND_ALLOW_PRIVATE=1
# (tests/ledger/outbound/test_ssrf.py shows what is refused without it).
FAST = Policy(timeout=5, backoff_base=0, backoff_max=0, max_attempts=8, allow_private=True)
PRIVATE = {"LEDGER_OUTBOUND_ALLOW_PRIVATE": "1"}


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    """conftest's settings, with loopback receivers allowed."""
    made = make_settings(db_url, tmp_path / "var", outbound_allow_private="1")
    initialise(made)
    return made


PERSONAL = ("张三", "zhang@example.com", "actor")


# -- the receiver ----------------------------------------------------------------------------


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver(fails=2) as r:
        yield r


# -- helpers ---------------------------------------------------------------------------------


def subscribe(app: Flask, receiver: Receiver, tenant: str, *events: str) -> str:
    code, out = run(
        app, "subscription", "create", "--tenant", tenant, "--url", receiver.url,
        "--events", ",".join(events),
    )  # fmt: skip
    assert code == 0, out
    lines = out.strip().splitlines()
    receiver.secrets.append(lines[1])
    return lines[-1]


def worker(settings: Settings, policy: Policy = FAST, **kw: Any) -> tuple[Ledger, DeliveryWorker]:
    """A worker of its own process-like service: its own engine, as after a restart."""
    service = Ledger(settings)
    return service, DeliveryWorker(service.db, policy, **kw)


# -- signatures ------------------------------------------------------------------------------


def test_signature_matches_the_reference_librarys_known_answer() -> None:
    # standard-webhooks/libraries/python/tests/test_webhooks.py, test_sign_function
    got = signature.sign(
        "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        "msg_p5jXN8AQM9LWM0D4loKWxJek",
        1614265330,
        b'{"test": 2432232314}',
    )
    assert got == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def test_verify_refuses_an_altered_body_a_wrong_secret_and_a_stale_timestamp() -> None:
    secret, body, stamp = signature.new_secret(), b'{"type":"entry.appended"}', 1_700_000_000
    headers = signature.headers(secret, "msg_1", stamp, body)
    signature.verify(secret, headers, body, stamp + 10)
    assert standard_webhooks_valid(secret, headers, body) is False  # stale for the receiver
    with pytest.raises(signature.SignatureMismatch, match="no v1 signature"):
        signature.verify(secret, headers, body + b" ", stamp)
    with pytest.raises(signature.SignatureMismatch, match="no v1 signature"):
        signature.verify(signature.new_secret(), headers, body, stamp)
    with pytest.raises(signature.SignatureMismatch, match="over 300 s"):
        signature.verify(secret, headers, body, stamp + 301)
    rotated = headers | {"webhook-signature": "v1,AAAA " + headers["webhook-signature"]}
    signature.verify(secret, rotated, body, stamp)


def test_backoff_doubles_with_jitter_is_capped_and_honours_retry_after() -> None:
    policy = Policy(
        timeout=15, backoff_base=5, backoff_max=600, max_attempts=16, allow_private=True
    )
    for attempts, planned in [(1, 5), (2, 10), (3, 20), (6, 160)]:
        for _ in range(50):
            assert 0.8 * planned <= policy.delay(attempts) <= 1.2 * planned
    assert all(480 <= policy.delay(12) <= 600 for _ in range(50))  # jitter below the cap
    assert 120 <= policy.delay(1, retry_after=120) <= 600
    assert policy.delay(1, retry_after=10_000) == 600


# -- retries and restarts --------------------------------------------------------------------


def test_fails_twice_then_arrives_after_a_worker_restart(
    settings: Settings, app: Flask, client: FlaskClient, keys: Keys, receiver: Receiver
) -> None:
    sub = subscribe(app, receiver, "acme", "entry.appended")
    append(client, keys, event(1))
    first, worker_a = worker(settings)
    assert worker_a.run_once() == 1
    assert worker_a.run_once() == 1
    first.close()  # the process that made two failed attempts is gone
    [queued] = deliveries(app.extensions["ledger"].db)
    assert (queued.status, queued.attempts, queued.last_error) == (
        "pending",
        2,
        "HTTP 500, an answer of 2 bytes",
    )

    second, worker_b = worker(settings)
    try:
        assert worker_b.run_once() == 1
        assert worker_b.run_once() == 0
    finally:
        second.close()
    calls = receiver.wait_for(3)
    assert [c.status for c in calls] == [500, 500, 200]
    assert all(c.valid for c in calls)
    assert {c.headers["webhook-id"] for c in calls} == {queued.id}
    assert {c.body for c in calls} == {queued.payload.encode()}
    assert calls[0].headers["content-type"] == "application/json"
    [done] = deliveries(app.extensions["ledger"].db)
    assert (done.status, done.attempts, done.subscription_id) == ("delivered", 3, sub)
    assert done.delivered_at is not None


def test_a_failed_attempt_waits_for_its_backoff(
    settings: Settings, app: Flask, client: FlaskClient, keys: Keys, receiver: Receiver
) -> None:
    subscribe(app, receiver, "acme", "entry.appended")
    append(client, keys, event(1))
    slow = Policy(timeout=5, backoff_base=60, backoff_max=3600, max_attempts=8, allow_private=True)
    service, sender = worker(settings, slow)
    try:
        before = now()
        assert sender.run_once() == 1
        assert sender.run_once() == 0  # not due for about a minute
        [row] = deliveries(service.db)
        wait = (aware(row.next_attempt_at) - before).total_seconds()
        assert 48 <= wait <= 73
        with service.db.writing() as conn:  # a minute passes
            conn.execute(update(Delivery).values(next_attempt_at=now() - timedelta(seconds=1)))
        assert sender.run_once() == 1
        [row] = deliveries(service.db)
        wait = (aware(row.next_attempt_at) - now()).total_seconds()
        assert 90 <= wait <= 145
    finally:
        service.close()


def _wait_until_recorded(db: Database, attempts: int, timeout: float = 30.0) -> Any:
    """Until the attempt's failure is stored (its claim lease replaced by the backoff)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        rows = deliveries(db)
        if rows and rows[0].attempts == attempts and rows[0].last_error:
            ahead = (aware(rows[0].next_attempt_at) - now()).total_seconds()
            if ahead < 20:  # a claim holds it timeout + 30 s ahead; a backoff far less
                return rows[0]
        time.sleep(0.05)
    raise AssertionError(f"attempt {attempts} not recorded within {timeout} s")


def test_gunicorn_restart_between_failures_and_success(db_url: str, tmp_path: Path) -> None:
    env = {
        "LEDGER_WEBHOOK_INTERVAL": "1",
        "LEDGER_WEBHOOK_BACKOFF_BASE": "3",
        "LEDGER_WEBHOOK_TIMEOUT": "5",
        "LEDGER_ANCHOR_INTERVAL": "0",
    } | PRIVATE
    db = Database(make_settings(db_url, tmp_path / "var"))
    with Receiver(fails=2) as receiver:
        server = LedgerServer(db_url, tmp_path / "var", workers=2, env=env)
        server.setup()
        out = server.cli(
            "subscription", "create", "--tenant", "acme", "--url", receiver.url,
            "--events", "entry.appended", "--events", "anchor.created",
        ).stdout.strip().splitlines()  # fmt: skip
        receiver.secrets.append(out[1])
        try:
            server.start()
            with server.client() as client:
                status, _ = client.post("/v1/events", event(1))
            assert status == 201
            receiver.wait_for(2)
            _wait_until_recorded(db, 2)
            server.stop()
            stopped = time.monotonic()
            [row] = deliveries(db)
            assert (row.status, row.attempts) == ("pending", 2)
            server.start()
            calls = receiver.wait_for(3)
            deadline = time.monotonic() + 30
            while deliveries(db)[0].status != "delivered" and time.monotonic() < deadline:
                time.sleep(0.05)
            listed = server.cli("deliveries", "list").stdout.strip().splitlines()
        finally:
            server.stop()
            db.dispose()
    assert [c.status for c in calls] == [500, 500, 200]
    assert all(c.valid for c in calls)
    assert calls[2].at > stopped  # sent by the restarted service
    assert len({c.headers["webhook-id"] for c in calls}) == 1
    assert calls[1].at - calls[0].at >= 3 * 0.8  # the backoff held
    [shown] = [json.loads(line) for line in listed]
    assert (shown["status"], shown["attempts"], shown["type"]) == ("delivered", 3, "entry.appended")


# -- the dead-letter list --------------------------------------------------------------------


def test_dead_after_max_attempts_then_retried_by_the_cli(
    settings: Settings, app: Flask, client: FlaskClient, keys: Keys, receiver: Receiver
) -> None:
    subscribe(app, receiver, "acme", "entry.appended")
    append(client, keys, event(1))
    receiver.always_fail = True
    service, sender = worker(settings, Policy(5, 0, 0, max_attempts=3, allow_private=True))
    try:
        assert [sender.run_once() for _ in range(4)] == [1, 1, 1, 0]
        [dead] = deliveries(service.db)
        assert (dead.status, dead.attempts, dead.last_error) == (
            "dead",
            3,
            "HTTP 500, an answer of 2 bytes",
        )
        code, out = run(app, "deliveries", "list", "--dead")
        assert code == 0
        assert [json.loads(line)["id"] for line in out.splitlines()] == [dead.id]
        code, out = run(app, "deliveries", "retry", dead.id)
        assert code == 0, out
        code, out = run(app, "deliveries", "retry", dead.id)
        assert code != 0
        assert "not dead" in out
        receiver.always_fail = False
        assert sender.run_once() == 1
    finally:
        service.close()
    [done] = deliveries(app.extensions["ledger"].db)
    assert (done.status, done.attempts) == ("delivered", 1)
    assert [c.status for c in receiver.received] == [500, 500, 500, 200]
    assert run(app, "deliveries", "list", "--dead")[1] == ""


def test_410_gone_is_dead_at_once_and_a_deleted_subscription_gets_nothing(
    settings: Settings, app: Flask, client: FlaskClient, keys: Keys
) -> None:
    with Receiver(fails=1, fail_status=410) as gone:
        subscribe(app, gone, "acme", "entry.appended")
        append(client, keys, event(1))
        service, sender = worker(settings)
        try:
            assert sender.run_once() == 1
            [row] = deliveries(service.db)
            assert (row.status, row.attempts) == ("dead", 1)
            append(client, keys, event(2))
            code, out = run(app, "subscription", "delete", row.subscription_id)
            assert code == 0, out
            assert "1 pending deliveries moved to dead" in out
            append(client, keys, event(3))
            assert sender.run_once() == 0
            code, out = run(app, "deliveries", "retry", row.id)
            assert code != 0
            assert "deleted" in out
        finally:
            service.close()
        assert len(gone.received) == 1


# -- what is enqueued ------------------------------------------------------------------------


def test_entry_appended_goes_to_the_entrys_tenant_only_and_holds_no_personal_data(
    settings: Settings, app: Flask, client: FlaskClient, keys: Keys, receiver: Receiver
) -> None:
    receiver.fails = 0
    acme = subscribe(app, receiver, "acme", "entry.appended")
    subscribe(app, receiver, "acme", "certificate.ready")  # not this type
    globex = subscribe(app, receiver, "globex", "entry.appended")
    append(client, keys, event(1), event(2, envelope_id="env-2"))
    append(client, keys, event(9, envelope_id="globex-env"), role="other_ingest")
    rows = deliveries(app.extensions["ledger"].db)
    assert sorted(r.subscription_id for r in rows) == sorted([acme, acme, globex])
    service, sender = worker(settings)
    try:
        assert sender.drain() == 3
    finally:
        service.close()
    by_sub = {r.id: r.subscription_id for r in rows}
    bodies = {c.headers["webhook-id"]: c for c in receiver.wait_for(3)}
    globex_body = bodies[next(i for i, s in by_sub.items() if s == globex)].json
    assert globex_body["data"]["tenant"] == "globex"
    assert globex_body["data"]["envelope_id"] == "globex-env"
    acme_bodies = sorted(
        (c.json for i, c in bodies.items() if by_sub[i] == acme), key=lambda b: b["data"]["seq"]
    )
    entry = client.get("/v1/log/entries/0", headers=keys.header("read")).get_json()
    first = acme_bodies[0]
    assert first == {
        "type": "entry.appended",
        "timestamp": first["data"]["received_at"],
        "data": {
            "log": settings.log_origin,
            "tenant": "acme",
            "seq": 0,
            "leaf_hash": entry["leaf_hash"],
            "event_id": "evt-1",
            "event_type": "recipient.signed",
            "envelope_id": "env-1",
            "received_at": first["data"]["received_at"],
        },
    }
    for call in receiver.received:
        text = call.body.decode()
        assert not any(p in text for p in PERSONAL), text
        assert call.valid


def test_no_subscription_no_delivery_and_a_new_one_applies_at_once(
    app: Flask, client: FlaskClient, keys: Keys, receiver: Receiver
) -> None:
    append(client, keys, event(1))  # caches "acme has no subscription"
    assert deliveries(app.extensions["ledger"].db) == []
    subscribe(app, receiver, "acme", "entry.appended")
    append(client, keys, event(2))
    assert len(deliveries(app.extensions["ledger"].db)) == 1


def test_a_delivery_exists_iff_its_entry_does(
    app: Flask,
    client: FlaskClient,
    keys: Keys,
    receiver: Receiver,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    subscribe(app, receiver, "acme", "entry.appended")
    db = app.extensions["ledger"].db

    def fail_after_enqueue(conn: Any, *args: Any) -> None:
        outbox.enqueue_appended(conn, *args)
        assert conn.execute(select(Delivery.id)).first() is not None
        raise RuntimeError("the append fails after the deliveries were inserted")

    with monkeypatch.context() as patch:
        patch.setattr(appender, "enqueue_appended", fail_after_enqueue)
        with pytest.raises(RuntimeError, match="after the deliveries"):
            client.post("/v1/events", json=event(1), headers=keys.header("ingest"))
    assert deliveries(db) == []
    with db.reading() as conn:
        assert conn.execute(select(Entry.seq)).first() is None
    append(client, keys, event(1))
    again = client.post("/v1/events", json=event(1), headers=keys.header("ingest"))
    assert again.status_code == 200  # a repeat appends nothing, so it enqueues nothing
    assert len(deliveries(db)) == 1


def test_anchor_created_to_every_tenant_and_certificate_ready_once_per_envelope(
    settings: Settings, keys: Keys, receiver: Receiver, tmp_path: Path
) -> None:
    receiver.fails = 0
    with DevTSA.create(tmp_path / "tsa") as tsa:
        tsa_url = tsa.url
        anchored = settings.replace(tsa_urls=(tsa.url,), tsa_trust_roots=(tsa.root_pem,))
        app = create_app(anchored)
        try:
            client = app.test_client()
            acme = subscribe(app, receiver, "acme", "anchor.created", "certificate.ready")
            globex = subscribe(app, receiver, "globex", "anchor.created")
            append(
                client, keys,
                event(1, type="envelope.sent"),
                event(2),
                event(3, type="envelope.completed"),
                event(4, type="envelope.sent", envelope_id="env/2"),
            )  # fmt: skip
            append(
                client,
                keys,
                event(5, type="envelope.completed", envelope_id="g"),
                role="other_ingest",
            )
            service: Ledger = app.extensions["ledger"]
            assert client.post("/v1/log/anchors", headers=keys.header("admin")).status_code == 201
            first = deliveries(service.db)
            append(
                client, keys,
                event(6, type="envelope.completed"),  # env-1 completes again: no second one
                event(7, type="envelope.completed", envelope_id="env/2"),
            )  # fmt: skip
            assert client.post("/v1/log/anchors", headers=keys.header("admin")).status_code == 201
            rows = deliveries(service.db)
            sender = DeliveryWorker(service.db, FAST)
            assert sender.drain() == len(rows)
        finally:
            app.extensions["ledger"].close()
    assert sorted((r.event_type, r.subscription_id) for r in first) == sorted(
        [("anchor.created", acme), ("anchor.created", globex), ("certificate.ready", acme)]
    )
    calls = {c.headers["webhook-id"]: c.json for c in receiver.wait_for(len(rows))}
    assert all(c.valid for c in receiver.received)
    certificates = [calls[r.id]["data"] for r in rows if r.event_type == "certificate.ready"]
    assert certificates == [
        {
            "tenant": "acme",
            "envelope_id": "env-1",
            "seq": 2,
            "event_id": "evt-3",
            "size": 5,
            "evidence_url": "/v1/envelopes/env-1/evidence",
            "certificate_url": "/v1/envelopes/env-1/certificate.pdf",
        },
        {
            "tenant": "acme",
            "envelope_id": "env/2",
            "seq": 6,
            "event_id": "evt-7",
            "size": 7,
            "evidence_url": "/v1/envelopes/env%2F2/evidence",
            "certificate_url": "/v1/envelopes/env%2F2/certificate.pdf",
        },
    ]
    anchors = [calls[r.id] for r in rows if r.event_type == "anchor.created"]
    assert [a["data"]["size"] for a in anchors] == [5, 5, 7, 7]
    assert {a["data"]["tsa"] for a in anchors} == {tsa_url}
    assert anchors[0]["data"]["checkpoint"].startswith(f"{settings.log_origin}\n5\n")


def test_two_workers_never_send_one_delivery_at_once(
    settings: Settings, app: Flask, client: FlaskClient, keys: Keys
) -> None:
    with Receiver(delay=0.01) as slow:
        subscribe(app, slow, "acme", "entry.appended")
        append(client, keys, *[event(i) for i in range(40)])
        services = [worker(settings, batch=4) for _ in range(4)]
        try:
            threads = [threading.Thread(target=w.drain) for _, w in services]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
        finally:
            for service, _ in services:
                service.close()
        ids = [c.headers["webhook-id"] for c in slow.received]
    assert len(ids) == 40
    assert len(set(ids)) == 40
    rows = deliveries(app.extensions["ledger"].db)
    assert {(r.status, r.attempts) for r in rows} == {("delivered", 1)}


def test_a_crashing_sender_is_a_failed_attempt(
    settings: Settings, app: Flask, client: FlaskClient, keys: Keys, receiver: Receiver
) -> None:
    subscribe(app, receiver, "acme", "entry.appended")
    append(client, keys, event(1))

    def broken(url: str, headers: Any, body: bytes, timeout: float) -> Outcome:
        raise RuntimeError("boom")

    service, sender = worker(settings, send=broken)
    try:
        assert sender.run_once() == 1
    finally:
        service.close()
    [row] = deliveries(app.extensions["ledger"].db)
    assert (row.status, row.attempts, row.last_error) == ("pending", 1, "RuntimeError: boom")


def test_an_unreachable_receiver_is_a_failed_attempt(
    settings: Settings, app: Flask, client: FlaskClient, keys: Keys
) -> None:
    with Receiver() as closed:
        url = closed.url
    code, out = run(
        app,
        "subscription",
        "create",
        "--tenant",
        "acme",
        "--url",
        url,
        "--events",
        "entry.appended",
    )
    assert code == 0, out
    append(client, keys, event(1))
    service, sender = worker(settings)
    try:
        assert sender.run_once() == 1
    finally:
        service.close()
    [row] = deliveries(app.extensions["ledger"].db)
    assert row.status == "pending"
    assert row.last_error.startswith("ConnectionRefusedError")


# -- the CLI ---------------------------------------------------------------------------------


def test_subscription_create_list_delete(app: Flask, keys: Keys) -> None:
    code, out = run(
        app, "subscription", "create", "--tenant", "acme", "--url", "https://erp.example.com/in",
        "--events", "entry.appended", "--events", "certificate.ready,entry.appended",
    )  # fmt: skip
    assert code == 0, out
    lines = out.strip().splitlines()
    secret, sub = lines[1], lines[-1]
    assert signature.secret_key(secret)
    assert sub.startswith("sub_")
    assert " " not in sub
    given = "whsec_" + base64.b64encode(b"k" * 32).decode()
    code, out = run(
        app, "subscription", "create", "--tenant", "globex", "--url", "http://127.0.0.1:9/x",
        "--events", "anchor.created", "--secret", given,
    )  # fmt: skip
    assert code == 0, out
    assert given not in out
    other = out.strip().splitlines()[-1]
    code, out = run(app, "subscription", "list")
    listed = [json.loads(line) for line in out.splitlines()]
    assert [(s["id"], s["tenant"], s["events"]) for s in listed] == [
        (sub, "acme", ["entry.appended", "certificate.ready"]),
        (other, "globex", ["anchor.created"]),
    ]
    assert secret not in out
    assert run(app, "subscription", "list", "--tenant", "globex")[1].count("\n") == 1
    assert run(app, "subscription", "delete", sub)[0] == 0
    assert sub not in run(app, "subscription", "list")[1]
    assert sub in run(app, "subscription", "list", "--deleted")[1]
    code, out = run(app, "subscription", "delete", sub)
    assert code != 0
    assert "no live subscription" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--events", "entry.deleted"], "unknown: entry.deleted"),
        (["--events", "entry.appended", "--url", "ftp://x/"], "http(s)://"),
        (["--events", "entry.appended", "--url", "https://u:p@x/"], "user:password"),
        (["--events", "entry.appended", "--url", "https://x.example/a b"], "no spaces"),
        (["--events", "entry.appended", "--url", "https://x.example/\x00"], "control"),
        (["--events", "entry.appended", "--url", "https://x.example/\r\nX: y"], "control"),
        (["--events", "entry.appended", "--secret", "s3cret"], "starts with whsec_"),
        (["--events", "entry.appended", "--secret", "whsec_c2hvcnQ="], "24 to 64 bytes"),
        (["--events", "entry.appended", "--tenant", "nobody"], "no tenant 'nobody'"),
    ],
)
def test_subscription_create_refuses(app: Flask, keys: Keys, args: list[str], message: str) -> None:
    base = {"--tenant": "acme", "--url": "https://erp.example.com/in"}
    given = dict(zip(args[::2], args[1::2], strict=True))
    flat = [x for k, v in (base | given).items() for x in (k, v)]
    code, out = run(app, "subscription", "create", *flat)
    assert code != 0
    assert message in out
