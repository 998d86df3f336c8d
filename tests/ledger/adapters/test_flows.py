"""A whole signing flow per platform, from its documented payloads (tests/ledger/adapters/
flows.py), with Chinese names, over HTTP on SQLite and PostgreSQL: every delivery becomes
the expected leaf, the events keep the names as sent (raw UTF-8 or ``\\u`` escapes), and
sending the whole flow again appends nothing.
"""

from __future__ import annotations

import base64
import hashlib
from datetime import datetime
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import Keys
from tests.ledger.adapters.flows import FLOWS, SIGNED_PDF_SHA256
from tests.ledger.adapters.senders import (
    AUTHENTICATED,
    PLATFORMS,
    compact,
    leaves,
    make_hook,
    send,
    tree_size,
)

SECRET = "flow-secret-0a1b2c3d4e5f"  # noqa: S105  a test key


def read_event(client: FlaskClient, keys: Keys, seq: int) -> dict[str, Any]:
    entry = client.get(f"/v1/log/entries/{seq}", headers=keys.header("read")).get_json()
    event: dict[str, Any] = entry["event"]
    return event


@pytest.mark.parametrize("ascii_only", [False, True], ids=["utf-8", "u-escapes"])
@pytest.mark.parametrize("platform", PLATFORMS)
def test_a_whole_signing_flow(
    app: Flask, client: FlaskClient, keys: Keys, platform: str, ascii_only: bool
) -> None:
    hook = make_hook(app, platform, SECRET)
    steps = FLOWS[platform]()
    kinds = {step.type for step in steps}
    assert {"recipient.signed", "envelope.completed"} <= kinds
    for n, step in enumerate(steps):
        body = compact(step.body, ascii_only)
        response = send(client, hook, body)
        assert response.status_code == 200, (step.type, response.get_json())
        (leaf,) = leaves(response)
        assert leaf.seq == n
        assert leaf.source.channel == platform
        assert leaf.source.authenticated == AUTHENTICATED[platform]
        assert leaf.source.delivery_sha256 == hashlib.sha256(body).hexdigest()
        assert (leaf.event.type, leaf.event.envelope_id) == (step.type, step.envelope_id)
        assert leaf.event.occurred_at == step.occurred_at
        assert datetime.fromisoformat(leaf.event.occurred_at).utcoffset() is not None
        event = read_event(client, keys, leaf.seq)
        for key, value in step.actor.items():
            assert event["actor"][key] == value, (step.type, event.get("actor"))
        assert event["data"]["platform_event"] in body.decode()
        source = event["data"]["occurred_at_source"]
        assert str(source["value"]) in body.decode("utf-8"), source
        # Secrets of the platforms' signers never reach the log (Documenso recipient
        # tokens, eSignGlobal access codes); nor expiring download links.
        text = compact(event).decode()
        for secret in ("secret-token-", '"8642"', "X-Amz-", "expires_at="):
            assert secret not in text
        if step.type == "envelope.completed" and platform in ("docusign", "adobesign"):
            assert event["documents"][0]["sha256"] == SIGNED_PDF_SHA256
    assert tree_size(client) == len(steps)
    for step in steps:  # the platform retries everything: nothing new
        again = send(client, hook, compact(step.body, ascii_only))
        assert again.status_code == 200
        assert again.get_json()["appended"] == 0
    assert tree_size(client) == len(steps)


@pytest.mark.parametrize("platform", [p for p in PLATFORMS if p != "esign"])
def test_chinese_names_are_kept_and_stay_out_of_the_leaf(
    app: Flask, client: FlaskClient, keys: Keys, platform: str
) -> None:
    """(e签宝 callbacks name nobody: an account id and a mobile number.)"""
    hook = make_hook(app, platform, SECRET)
    step = next(s for s in FLOWS[platform]() if s.actor.get("name"))
    response = send(client, hook, compact(step.body))
    (leaf,) = leaves(response)
    leaf_bytes = base64.b64decode(response.get_json()["receipts"][0]["leaf"])
    assert step.actor["name"].encode() not in leaf_bytes
    assert step.actor["name"].encode() in compact(step.body)
    assert read_event(client, keys, leaf.seq)["actor"]["name"] == step.actor["name"]
