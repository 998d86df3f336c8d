"""Signing flows appended through the real service, as platforms would.

``append_flow``: envelope ``ENV-2026-0042`` of tenant acme, 20 events: a lease in
Chinese and English, sent by 李四, signed by 张三 (SMS code) and Jane Roe (email link, her
two events sent by DocuSign Connect's webhook with a verified HMAC), declined by the
reviewer 王五 with a reason. 18 events come through ``POST /v1/events`` (ingest key), 2
through the DocuSign hook.

``append_facts``: envelope ``FACTS_ENVELOPE``, 8 events carrying every fact of
docs/evidence-format.md "Facts the platforms report" and every time finding of
``verifier.plausibility``; one comes through the Adobe Acrobat Sign hook (client id echo).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import datetime, timedelta
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from ledger import clock, hooks
from ledger.adapters.adobesign import CLIENT_ID_HEADER
from ledger.service import Ledger
from tests.ledger.adapters.flows import adobe

ENVELOPE = "ENV-2026-0042"
TITLE = "房屋租赁合同 Lease agreement No. 42"
DOCUSIGN_KEY = "cmVwb3J0cy10ZXN0LWNvbm5lY3Qta2V5"
ORIGINAL = hashlib.sha256(b"lease, as drafted").hexdigest()
SIGNED = hashlib.sha256(b"lease, signed by both").hexdigest()
LI = {"name": "李四", "email": "li.si@example.cn", "role": "sender"}
ZHANG = {"name": "张三", "phone": "+86 138 0013 8000", "role": "signer"}
JANE = {"name": "Jane Roe", "email": "jane.roe@example.com", "role": "signer"}
WANG = {"name": "王五", "email": "wang.wu@example.cn", "role": "reviewer"}
BROWSER = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 Mobile"
DECLINE_REASON = "租金金额有误 (the rent is wrong)"


def _event(
    n: int, type_: str, at: str, actor: dict[str, str] | None = None, **more: Any
) -> dict[str, Any]:
    event: dict[str, Any] = {
        "event_id": f"{ENVELOPE}-{n:02d}",
        "type": type_,
        "occurred_at": at,
        "envelope_id": ENVELOPE,
    }
    if actor:
        event["actor"] = actor
    event.update(more)
    return event


def api_events() -> list[dict[str, Any]]:
    """The 18 events the platform sends through the API, in order."""
    zhang_phone = ZHANG | {"ip": "203.0.113.7", "user_agent": BROWSER}
    doc = [{"name": "lease-42.pdf", "sha256": ORIGINAL, "size": 48213}]
    final = [{"name": "lease-42.pdf", "sha256": SIGNED, "size": 51877}]
    return [
        _event(
            0,
            "envelope.created",
            "2026-11-20T09:00:00.000+08:00",
            LI | {"ip": "198.51.100.4"},
            data={"title": TITLE},
        ),
        _event(1, "document.added", "2026-11-20T09:00:05.250+08:00", LI, documents=doc),
        _event(2, "envelope.sent", "2026-11-20T09:01:00+08:00", LI, documents=doc),
        _event(3, "recipient.delivered", "2026-11-20T09:01:02+08:00", ZHANG),
        _event(4, "recipient.viewed", "2026-11-20T09:14:31.5+08:00", zhang_phone),
        _event(
            5,
            "recipient.authenticated",
            "2026-11-20T09:15:02+08:00",
            zhang_phone | {"auth_method": "SMS one-time code"},
        ),
        _event(
            6,
            "recipient.consented",
            "2026-11-20T09:15:20+08:00",
            zhang_phone | {"auth_method": "SMS one-time code"},
        ),
        _event(
            7,
            "recipient.signed",
            "2026-11-20T09:16:45.125+08:00",
            zhang_phone | {"auth_method": "SMS one-time code"},
            documents=doc,
        ),
        _event(8, "recipient.delivered", "2026-11-19T20:17:00-05:00", JANE),
        # 9 and 10: DocuSign Connect, see docusign_events()
        _event(
            11,
            "recipient.consented",
            "2026-11-19T20:31:10-05:00",
            JANE
            | {
                "ip": "192.0.2.55",
                "user_agent": "Mozilla/5.0 (Windows NT 10.0) Firefox/133.0",
                "auth_method": "email link",
            },
        ),
        _event(12, "reminder.sent", "2026-11-20T02:00:00Z", data={"to": "wang.wu@example.cn"}),
        _event(13, "recipient.delivered", "2026-11-20T10:02:00+08:00", WANG),
        _event(
            14,
            "recipient.viewed",
            "2026-11-20T10:20:00+08:00",
            WANG | {"ip": "2001:db8::42", "user_agent": "WeChat/8.0.50"},
        ),
        _event(
            15,
            "recipient.declined",
            "2026-11-20T10:21:30+08:00",
            WANG | {"ip": "2001:db8::42"},
            data={"declined_reason": DECLINE_REASON},
        ),
        _event(
            16,
            "recipient.delegated",
            "2026-11-20T10:40:00+08:00",
            LI,
            data={"to": "赵六 (zhao.liu@example.cn)"},
        ),
        _event(
            17,
            "recipient.signed",
            "2026-11-20T11:05:00+08:00",
            {
                "name": "赵六",
                "email": "zhao.liu@example.cn",
                "role": "signer",
                "auth_method": "password",
            },
        ),
        _event(18, "document.added", "2026-11-20T11:05:09+08:00", LI, documents=final),
        _event(19, "envelope.completed", "2026-11-20T11:05:10+08:00", documents=final),
    ]


def connect_body(name: str, generated: str) -> bytes:
    """A DocuSign Connect (JSON, SIM) message about Jane Roe, recipient 2."""
    body = {
        "event": name,
        "apiVersion": "v2.1",
        "uri": f"/restapi/v2.1/accounts/acc-1/envelopes/{ENVELOPE}",
        "retryCount": 0,
        "configurationId": 42,
        "generatedDateTime": generated,
        "data": {
            "accountId": "acc-1",
            "envelopeId": ENVELOPE,
            "recipientId": "2",
            "envelopeSummary": {
                "status": "sent",
                "emailSubject": TITLE,
                "envelopeId": ENVELOPE,
                "recipients": {
                    "signers": [
                        {
                            "recipientId": "2",
                            "name": JANE["name"],
                            "email": JANE["email"],
                            "recipientType": "signer",
                        }
                    ]
                },
            },
        },
    }
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def send_connect(client: FlaskClient, hook_id: str, body: bytes) -> None:
    signature = base64.b64encode(
        hmac.new(DOCUSIGN_KEY.encode(), body, hashlib.sha256).digest()
    ).decode()
    response = client.post(
        f"/v1/hooks/docusign/{hook_id}",
        data=body,
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "X-Authorization-Digest": "HMACSHA256",
            "X-DocuSign-Signature-1": signature,
        },
    )
    assert response.status_code == 200, response.get_data(as_text=True)


def append_flow(app: Flask, client: FlaskClient, ingest_key: str, tenant: str = "acme") -> None:
    """Append the 20 events: API events, and DocuSign's two in their place (9, 10)."""
    service: Ledger = app.extensions["ledger"]
    with service.db.writing() as conn:
        hook = hooks.create_hook(conn, tenant, "docusign", now=clock.now(), secret=DOCUSIGN_KEY)
    headers = {"Authorization": f"Bearer {ingest_key}"}
    events = api_events()
    for event in events[:9]:
        response = client.post("/v1/events", json=event, headers=headers)
        assert response.status_code == 201, response.get_data(as_text=True)
    send_connect(
        client, hook.id, connect_body("recipient-delivered", "2026-11-20T01:25:00.0000000Z")
    )
    send_connect(
        client, hook.id, connect_body("recipient-completed", "2026-11-20T01:31:59.9000000Z")
    )
    response = client.post("/v1/events/batch", json={"events": events[9:]}, headers=headers)
    assert response.status_code == 201, response.get_data(as_text=True)


# --- an envelope with every fact a platform reports and every time finding ---------------

FACTS_ENVELOPE = "CBJCHBCAABAAfacts0001"  # an Adobe agreement id: one event comes from Adobe
FACTS_TITLE = "设备采购合同 Equipment purchase No. 7"
ADOBE_CLIENT_ID = "CBJCHBCAABAAreportsclient"
FACTS_DECLINE = "交货日期不对 (the delivery date is wrong)"
FACTS_VOID = "superseded by agreement No. 8"
SIGNATURE_TYPE = "drawn"
DOCUMENT_NAMES = ["purchase-7.pdf", "annex-A 附件.pdf"]
ZHAO = {"name": "赵敏", "email": "zhao.min@example.cn", "role": "signer"}
CC = {"name": "Bob Carbon", "email": "bob.carbon@example.com", "role": "carbonCopy"}


def _at(start: datetime, seconds: float) -> str:
    return (start + timedelta(seconds=seconds)).isoformat().replace("+00:00", "Z")


def facts_events(now: datetime) -> list[dict[str, Any]]:
    """Seven API events a day old, except the decline: two hours ahead of the ledger's
    clock. Their platform times contradict each other in every way
    ``verifier.plausibility`` flags (seq: the flag):

    2 viewed before the envelope was sent (before_sent, other 1); 3 signed after the
    completion (after_completed, other 4); 4 completed before 3 signed
    (completed_before_signed, other 3); 5 declined two hours after the ledger received it
    (after_receipt) and after the completion; 6 voided after the completion.
    """
    t0 = now - timedelta(days=1)
    doc = [{"name": "purchase-7.pdf", "sha256": ORIGINAL, "size": 1234}]
    signer = ZHAO | {"ip": "198.51.100.23", "user_agent": BROWSER, "auth_method": "SMS OTP"}
    every_time = {
        "sent": _at(t0, 60),
        "delivered": _at(t0, 65),
        "viewed": _at(t0, 30),
        "authenticated": _at(t0, 500),
        "signed": _at(t0, 600),
    }
    recipients = [
        ZHAO | {"auth_method": "SMS OTP", "status": "completed", "times": every_time},
        CC | {"status": "delivered", "times": {"delivered": _at(t0, 66)}},
    ]
    return [
        _fact(
            0,
            "envelope.created",
            _at(t0, 0),
            LI,
            data={
                "title": FACTS_TITLE,
                "platform_generated_at": _at(t0, 5),
                "occurred_at_source": {"field": "createdDate", "value": _at(t0, 0)},
            },
        ),
        _fact(
            1,
            "envelope.sent",
            _at(t0, 60),
            LI,
            documents=doc,
            data={"document_names": DOCUMENT_NAMES},
        ),
        _fact(2, "recipient.viewed", _at(t0, 30), signer),
        _fact(
            3,
            "recipient.signed",
            _at(t0, 600),
            signer,
            data={"signature_type": SIGNATURE_TYPE, "recipient_times": every_time},
        ),
        _fact(4, "envelope.completed", _at(t0, 300), data={"recipients": recipients}),
        _fact(5, "recipient.declined", _at(now, 7200), CC, data={"decline_reason": FACTS_DECLINE}),
        _fact(6, "envelope.voided", _at(t0, 700), LI, data={"void_reason": FACTS_VOID}),
    ]


def _fact(
    n: int, type_: str, at: str, actor: dict[str, str] | None = None, **more: Any
) -> dict[str, Any]:
    event = _event(n, type_, at, actor, **more)
    event["event_id"] = f"{FACTS_ENVELOPE}-{n:02d}"
    event["envelope_id"] = FACTS_ENVELOPE
    return event


def append_facts(app: Flask, client: FlaskClient, ingest_key: str, now: datetime) -> None:
    """The seven API events, then Adobe's notification that 赵敏 viewed the documents
    (channel adobesign, authenticated by the client id it echoes)."""
    service: Ledger = app.extensions["ledger"]
    with service.db.writing() as conn:
        hook = hooks.create_hook(
            conn, "acme", "adobesign", now=clock.now(), client_id=ADOBE_CLIENT_ID
        )
    response = client.post(
        "/v1/events/batch",
        json={"events": facts_events(now)},
        headers={"Authorization": f"Bearer {ingest_key}"},
    )
    assert response.status_code == 201, response.get_data(as_text=True)
    person = {"name": ZHAO["name"], "email": ZHAO["email"]}
    viewed = adobe(
        "AGREEMENT_DOCUMENTS_VIEWED",
        "facts-n-07",
        _at(now - timedelta(days=1), 650),
        FACTS_ENVELOPE,
        person=person,
    )
    response = client.post(
        f"/v1/hooks/adobesign/{hook.id}", json=viewed, headers={CLIENT_ID_HEADER: ADOBE_CLIENT_ID}
    )
    assert response.status_code == 200, response.get_data(as_text=True)
