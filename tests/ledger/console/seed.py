"""Envelopes to search and read: a few per tenant, with signers and documents."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from ledger.console import users
from ledger.service import Ledger
from tests.conftest import Keys

PASSWORD = "correct horse battery staple"  # noqa: S105
DOC = "ab" * 32
SECRET_NAME = "Zhang Wei-Confidential"  # noqa: S105 (a name, not a password)
SECRET_EMAIL = "zhang.secret@acme.example"  # noqa: S105


def lifecycle(envelope: str, day: int, signer: str, email: str, done: str | None) -> list[Any]:
    """An envelope's events: created, sent, viewed, signed and ``done`` (if any)."""
    at = f"2026-11-{day:02d}T0{{h}}:00:00+08:00"
    steps = [
        ("envelope.created", {"name": "Sender", "email": "sender@acme.example"}, None),
        ("envelope.sent", {"name": "Sender", "email": "sender@acme.example"}, None),
        ("recipient.viewed", {"name": signer, "email": email, "auth_method": "email"}, None),
        (
            "recipient.signed",
            {"name": signer, "email": email, "auth_method": "SMS OTP", "ip": "203.0.113.7"},
            [{"name": "contract.pdf", "sha256": DOC, "size": 1234}],
        ),
    ]
    if done:
        steps.append((done, None, None))
    events = []
    for i, (kind, actor, documents) in enumerate(steps):
        event: dict[str, Any] = {
            "event_id": f"{envelope}-{i}",
            "type": kind,
            "occurred_at": at.format(h=i + 1),
            "envelope_id": envelope,
        }
        if actor:
            event["actor"] = actor
        if documents:
            event["documents"] = documents
        events.append(event)
    return events


def seed(client: FlaskClient, keys: Keys) -> None:
    acme = (
        lifecycle("env-acme-1", 2, SECRET_NAME, SECRET_EMAIL, "envelope.completed")
        + lifecycle("env-acme-2", 5, "Li Na", "li.na@acme.example", "envelope.declined")
        + lifecycle("env-acme-3", 9, "Wang Fang", "wang@acme.example", None)
    )
    globex = lifecycle("env-globex-1", 3, "Hank Scorpio", "hank@globex.example", None)
    for events, key in ((acme, "ingest"), (globex, "other_ingest")):
        response = client.post(
            "/v1/events/batch", json={"events": events}, headers=keys.header(key)
        )
        assert response.status_code == 201, response.get_json()


def make_user(app: Flask, email: str, role: str, tenant: str | None = None) -> None:
    service: Ledger = app.extensions["ledger"]
    with service.db.writing() as conn:
        users.create_user(conn, email, role, tenant, PASSWORD)


CSRF = re.compile(r'name="csrf" value="([^"]*)"')


def form_token(html: str) -> str:
    found = CSRF.search(html)
    assert found, "the page has no CSRF field"
    return found.group(1)


def sign_in(
    client: FlaskClient, email: str, password: str = PASSWORD, next_: str | None = None
) -> TestResponse:
    page = client.get("/console/sign-in")
    data = {
        "csrf": form_token(page.text),
        "email": email,
        "password": password,
        "tz": "Asia/Shanghai",
    }
    if next_ is not None:
        data["next"] = next_
    return client.post("/console/sign-in", data=data)
