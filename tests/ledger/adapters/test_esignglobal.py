"""eSignGlobal specifics (its signature is ASSUMED to be e签宝's: docs/platforms/esignglobal.md)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import Keys
from tests.ledger.adapters.senders import compact, leaves, make_hook, send, tsign

SECRET = "esg_whk_test_4f1c2a9b7d8e6f5a"  # noqa: S105  a test webhook key


def test_an_event_without_a_time_takes_the_signed_timestamp(
    app: Flask, client: FlaskClient, keys: Keys
) -> None:
    hook = make_hook(app, "esignglobal", SECRET)
    body = compact({"event": "ENVELOPE_START", "eventPayload": {"envelopeId": "flow01"}})
    stale = datetime.now(UTC) - timedelta(hours=25)  # outside the default 24 h window
    headers = tsign(SECRET, int(stale.timestamp() * 1000), "", body)
    assert send(client, hook, body, headers=headers).status_code == 401
    now = datetime.now(UTC)
    headers = tsign(SECRET, int(now.timestamp() * 1000), "", body)
    (leaf,) = leaves(send(client, hook, body, headers=headers))
    assert datetime.fromisoformat(leaf.event.occurred_at) == datetime.fromtimestamp(
        int(now.timestamp() * 1000) / 1000, UTC
    )
    assert leaf.event.occurred_at.endswith("+08:00")
