"""OpenSign specifics: its non-ISO times."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta

from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import Keys
from tests.ledger.adapters.flows import opensign_flow
from tests.ledger.adapters.senders import compact, leaves, make_hook, send

SECRET = "5b2e9f0c7d4a1b3e6f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6"  # noqa: S105


def test_an_unknown_zone_name_does_not_refuse_the_event(
    app: Flask, client: FlaskClient, keys: Keys
) -> None:
    hook = make_hook(app, "opensign", SECRET)
    body = copy.deepcopy(opensign_flow()[2].body)
    body["signedAt"] = "Thu, 19 Nov 2026 12:48:34 CET"
    before = datetime.now(UTC)
    (leaf,) = leaves(send(client, hook, compact(body)))
    assert leaf.event.type == "recipient.signed"
    assert (
        before <= datetime.fromisoformat(leaf.event.occurred_at) <= before + timedelta(seconds=30)
    )
    event = client.get(f"/v1/log/entries/{leaf.seq}", headers=keys.header("read")).get_json()[
        "event"
    ]
    assert event["data"]["occurred_at_source"] == {"field": "signedAt", "value": body["signedAt"]}
    assert event["data"]["occurred_at_is_receipt_time"] is True
