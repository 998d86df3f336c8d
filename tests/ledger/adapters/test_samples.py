"""The shared sample deliveries (tests/data/webhooks/): every valid one appends exactly one
event of the expected type, envelope and time (as revised since the research: see
``revised``), every refused one appends nothing.

First each adapter alone, judged at the fixture's ``received_at`` with the exact bytes
and headers (the original signatures); then over HTTP through the app, with the signed
timestamps re-stamped to the wall clock as tests/data/webhooks/README.md says.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient

from ledger import clock
from ledger.adapters import ADAPTERS, Credentials, Delivery
from ledger.errors import LedgerError
from ledger.pseudonyms import PseudonymKey
from tests.conftest import Keys
from tests.ledger.adapters.senders import (
    AUTHENTICATED,
    PLATFORMS,
    leaves,
    make_hook,
    restamp,
    samples,
    service,
    tree_size,
)
from verifier.event import validate_event

KEY = PseudonymKey(b"samples pseudonym key, tests only")


def credentials(platform: str, data: dict[str, Any], query: str) -> Credentials:
    """The hook the sample was sent to: its secret, client or app id, and the query
    string of its URL (e签宝 and eSignGlobal sign it, and take only the registered one)."""
    config = data.get("config") or {}
    secrets = () if platform == "adobesign" else (data["secret"],)
    client_id = config.get("client_id") or config.get("app_id")
    return Credentials(secrets, client_id, ADAPTERS[platform].default_window, query)


def revised(platform: str, expected: dict[str, Any], ids: PseudonymKey) -> dict[str, Any]:
    """The sample's expected event as the adapters now make it: the files are unchanged
    copies of the research (tests/data/webhooks/README.md, "Revised since"), made before
    two decisions. ``occurred_at`` is the time of the act itself, not of the delivery
    (issue 13); ids carry an e-mail address or a person's platform id only as a keyed
    pseudonym (issue 14), whose value depends on the deployment's key."""
    envelope = expected["envelope_id"]
    changes: dict[str, dict[str, Any]] = {
        "docusign": {"occurred_at": "2026-11-19T08:05:10.917000+00:00"},  # signedDateTime
        "documenso": {"occurred_at": "2026-11-19T12:02:05.688000+00:00"},  # signedAt
        "docuseal": {"occurred_at": "2026-11-19T10:02:31.512000+00:00"},  # completed_at
        "esign": {
            "event_id": f"esign:{envelope}:SIGN_MISSON_COMPLETE:1795080031359:"
            + ids.pseudonym(envelope, "f8f0849e03a4150daa0f3b6c1ee96fda")
        },
        "esignglobal": {
            "event_id": f"esignglobal:{envelope}:ENVELOPE_SIGNER_SIGNED:1:"
            + ids.pseudonym(envelope, "chen.jing@example.hk")
        },
        "opensign": {
            "event_id": f"opensign:{envelope}:signed:"
            + ids.pseudonym(envelope, "peter.mark@example.com")
            + ":2026-11-19T16:18:34+05:30"
        },
    }
    return expected | changes.get(platform, {})


def same_instant(a: str, b: str) -> bool:
    return datetime.fromisoformat(a) == datetime.fromisoformat(b)


@pytest.mark.parametrize("platform", PLATFORMS)
def test_adapter_judges_each_sample_at_its_received_at(platform: str) -> None:
    data = samples(platform)
    adapter = ADAPTERS[platform]
    for delivery in data["deliveries"]:
        expected = delivery["expected"]
        query = urlsplit(delivery["path_query"]).query
        received = Delivery.received(
            delivery["method"],
            delivery["headers"].items(),
            delivery["body"].encode("utf-8"),
            query,
            datetime.fromisoformat(delivery["received_at"]),
            KEY,
        )
        if not expected["accepted"]:
            with pytest.raises(LedgerError) as refused:
                adapter.authenticate(received, credentials(platform, data, query))
            assert refused.value.status == 401
            assert refused.value.code == expected["reason"]
            continue
        expected = revised(platform, expected, KEY)
        how = adapter.authenticate(received, credentials(platform, data, query))
        assert how == AUTHENTICATED[platform]
        (event,) = adapter.parse(received)
        assert validate_event(event) is event
        assert event["type"] == expected["type"]
        assert event["envelope_id"] == expected["envelope_id"]
        assert event["event_id"] == expected["event_id"]
        # Written with the platform's own offset, fractions truncated to microseconds.
        assert event["occurred_at"] == expected["occurred_at"]
        for key, value in (expected.get("actor") or {}).items():
            assert event["actor"][key] == value


@pytest.mark.parametrize("platform", PLATFORMS)
def test_samples_over_http(app: Flask, client: FlaskClient, keys: Keys, platform: str) -> None:
    data = samples(platform)
    query = urlsplit(data["deliveries"][0]["path_query"]).query
    hook = make_hook(app, platform, data["secret"], query=query or None)
    ids = service(app).pseudonyms
    receipts: dict[int, Any] = {}
    for i, delivery in enumerate(data["deliveries"]):
        expected, before = delivery["expected"], tree_size(client)
        if expected["accepted"]:
            expected = revised(platform, expected, ids)
        body = delivery["body"].encode("utf-8")
        response = client.open(
            hook.url(urlsplit(delivery["path_query"]).query),
            method=delivery["method"],
            data=body,
            headers=restamp(platform, data["secret"], delivery, clock.now()),
        )
        if not expected["accepted"]:
            assert response.status_code == 401, response.get_json()
            assert response.get_json()["error"]["code"] == expected["reason"]
            assert "X-AdobeSign-ClientId" not in response.headers
            assert tree_size(client) == before
            continue
        assert response.status_code == 200, response.get_json()
        for name, value in (expected.get("response_headers") or {}).items():
            assert response.headers[name] == value
        if expected["type"] is None:
            assert tree_size(client) == before
            continue
        receipts[i] = response.get_json()["receipts"]
        if expected.get("duplicate_of") is not None:
            assert receipts[i] == receipts[expected["duplicate_of"]]
            assert tree_size(client) == before
            continue
        assert tree_size(client) == before + 1
        (leaf,) = leaves(response)
        assert leaf.tenant == "acme"
        assert leaf.source.channel == platform
        assert leaf.source.authenticated == AUTHENTICATED[platform]
        assert leaf.source.delivery_sha256 == hashlib.sha256(body).hexdigest()
        # The delivery itself is kept, as received, for the tenant (docs/api.md).
        kept = client.get(
            f"/v1/deliveries/{leaf.source.delivery_sha256}", headers=keys.header("read")
        )
        assert kept.get_data() == body
        assert kept.headers["Content-Type"] == delivery["headers"]["Content-Type"]
        assert kept.headers["X-Delivery-Channel"] == platform
        assert leaf.event.type == expected["type"]
        assert leaf.event.envelope_id == expected["envelope_id"]
        assert leaf.event.event_id == expected["event_id"]
        assert same_instant(leaf.event.occurred_at, expected["occurred_at"])
