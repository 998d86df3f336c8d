"""``/v1/hooks/<platform>/<hook id>`` for every platform, over HTTP on SQLite and
PostgreSQL: replays, altered bodies, wrong and rotated secrets, stale timestamps,
unknown events, malformed bodies, unknown hooks. A refused delivery appends nothing.
"""

from __future__ import annotations

import copy
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from ledger import clock, hooks
from tests.conftest import Keys
from tests.ledger.adapters.flows import FLOWS
from tests.ledger.adapters.senders import (
    EVENT_NAME,
    PLATFORMS,
    TIMESTAMPED,
    compact,
    leaves,
    make_hook,
    send,
    service,
    sign,
    tree_size,
)

SECRET = "the platform's key: 5b2e9f0c7d4a"  # noqa: S105  keys are used as text
HMAC_PLATFORMS = tuple(p for p in PLATFORMS if p != "adobesign")
BODY_SIGNED = tuple(p for p in HMAC_PLATFORMS if p != "documenso")
UNKNOWN = {
    "docusign": ("envelope-corrected", "x-docusign.envelope-corrected"),
    "adobesign": ("AGREEMENT_VAULTED", "x-adobesign.agreement_vaulted"),
    "esign": ("FILE_UNAVAILABLE", "x-esign.file_unavailable"),
    "esignglobal": ("ENVELOPE_REASSIGNED", "x-esignglobal.envelope_reassigned"),
    "documenso": ("TEMPLATE_USED", "x-documenso.template_used"),
    "docuseal": ("submission.archived", "x-docuseal.submission.archived"),
    "opensign": ("revoked", "x-opensign.revoked"),
}
ENVELOPE_KEY = {  # where each platform puts the envelope id: removing it breaks the body
    "docusign": ("data", "envelopeId"),
    "adobesign": ("agreement", "id"),
    "esign": ("signFlowId",),
    "esignglobal": ("eventPayload", "envelopeId"),
    "documenso": ("payload",),
    "docuseal": ("event_type",),
    "opensign": ("objectId",),
}


def first_body(platform: str) -> dict[str, Any]:
    return copy.deepcopy(FLOWS[platform]()[0].body)


def secret_for(platform: str) -> str:
    return "CBJCHBCAABAAclientIdOfTheApp" if platform == "adobesign" else SECRET


@pytest.mark.parametrize("platform", PLATFORMS)
def test_a_replayed_delivery_appends_nothing(
    app: Flask, client: FlaskClient, keys: Keys, platform: str
) -> None:
    hook = make_hook(app, platform, secret_for(platform))
    body = compact(first_body(platform))
    first = send(client, hook, body)
    again = send(client, hook, body)  # a retry, re-signed as the platform re-signs it
    assert (first.status_code, again.status_code) == (200, 200), again.get_json()
    assert (first.get_json()["appended"], again.get_json()["appended"]) == (1, 0)
    assert again.get_json()["receipts"] == first.get_json()["receipts"]
    assert tree_size(client) == 1


@pytest.mark.parametrize("platform", PLATFORMS)
def test_a_wrong_secret_is_refused(
    app: Flask, client: FlaskClient, keys: Keys, platform: str
) -> None:
    hook = make_hook(app, platform, secret_for(platform))
    body = compact(first_body(platform))
    forged = sign(platform, secret_for(platform) + "x", body, clock.now())
    response = send(client, hook, body, headers=forged)
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] in (
        "signature_mismatch",
        "secret_mismatch",
        "client_id_mismatch",
    )
    assert "X-AdobeSign-ClientId" not in response.headers
    unsigned = send(client, hook, body, headers={"Content-Type": "application/json"})
    assert unsigned.status_code == 401
    assert tree_size(client) == 0


@pytest.mark.parametrize("platform", BODY_SIGNED)
def test_a_body_altered_after_signing_is_refused(
    app: Flask, client: FlaskClient, keys: Keys, platform: str
) -> None:
    """Adobe and Documenso sign nothing: see test_adobesign.py and test_documenso.py."""
    hook = make_hook(app, platform, SECRET)
    step = FLOWS[platform]()[0]
    body = compact(step.body)
    headers = sign(platform, SECRET, body, clock.now())
    envelope = step.envelope_id.encode()
    altered = body.replace(envelope, envelope[:-1] + (b"9" if envelope[-1:] != b"9" else b"8"))
    assert altered != body
    response = send(client, hook, altered, headers=headers)
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "signature_mismatch"
    assert tree_size(client) == 0
    assert send(client, hook, body, headers=headers).status_code == 200


@pytest.mark.parametrize("platform", HMAC_PLATFORMS)
def test_a_rotated_secret(
    app: Flask, client: FlaskClient, keys: Keys, platform: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Old and new secrets both work during the overlap; after it only the new one."""
    hook = make_hook(app, platform, "old-secret")
    new = type(hook)(platform, hook.id, "new-secret")
    with service(app).db.writing() as conn:
        hooks.rotate_secret(conn, hook.id, now=clock.now(), secret=new.secret, overlap=3600)
    flow = FLOWS[platform]()
    assert send(client, hook, compact(flow[0].body)).status_code == 200
    assert send(client, new, compact(flow[1].body)).status_code == 200
    later = clock.now() + timedelta(seconds=3601)
    monkeypatch.setattr(clock, "now", lambda: later)
    refused = send(client, hook, compact(flow[2].body), now=later)
    assert refused.status_code == 401
    assert send(client, new, compact(flow[2].body), now=later).status_code == 200
    assert tree_size(client) == 3


@pytest.mark.parametrize("platform", TIMESTAMPED)
def test_a_stale_or_future_timestamp_is_refused(
    app: Flask, client: FlaskClient, keys: Keys, platform: str
) -> None:
    hook = make_hook(app, platform, SECRET)
    window = hooks.ADAPTERS[platform].default_window
    body = compact(first_body(platform))
    now = clock.now()
    stale = send(client, hook, body, now=now - timedelta(seconds=window + 5))
    assert stale.status_code == 401
    assert stale.get_json()["error"]["code"] == "stale_timestamp"
    future = send(client, hook, body, now=now + timedelta(seconds=305))
    assert future.status_code == 401
    assert future.get_json()["error"]["code"] == "future_timestamp"
    assert tree_size(client) == 0
    assert send(client, hook, body, now=now - timedelta(seconds=window - 60)).status_code == 200


def test_the_window_is_per_hook(app: Flask, client: FlaskClient, keys: Keys) -> None:
    hook = make_hook(app, "docuseal", SECRET, window=30)
    body = compact(first_body("docuseal"))
    assert send(client, hook, body, now=clock.now() - timedelta(seconds=60)).status_code == 401
    assert send(client, hook, body, now=clock.now() - timedelta(seconds=20)).status_code == 200


@pytest.mark.parametrize("platform", PLATFORMS)
def test_an_unknown_event_is_kept_as_an_extension(
    app: Flask, client: FlaskClient, keys: Keys, platform: str
) -> None:
    hook = make_hook(app, platform, secret_for(platform))
    body = first_body(platform)
    name, kind = UNKNOWN[platform]
    body[EVENT_NAME[platform]] = name
    response = send(client, hook, compact(body))
    assert response.status_code == 200, response.get_json()
    (leaf,) = leaves(response)
    assert leaf.event.type == kind
    entry = client.get(f"/v1/log/entries/{leaf.seq}", headers=keys.header("read")).get_json()
    assert entry["event"]["data"]["platform_event"] == name


@pytest.mark.parametrize("platform", PLATFORMS)
def test_a_malformed_body_is_400(
    app: Flask, client: FlaskClient, keys: Keys, platform: str
) -> None:
    hook = make_hook(app, platform, secret_for(platform))
    for body in (b"{not json", b"[]", b'{"a":1,"a":2}', "\ufeff{}".encode()):
        response = send(client, hook, body)
        assert response.status_code == 400, (body, response.get_json())
        assert response.get_json()["error"]["code"] == "malformed_delivery"
    broken = first_body(platform)
    *path, last = ENVELOPE_KEY[platform]
    parent = broken
    for key in path:
        parent = parent[key]
    del parent[last]
    response = send(client, hook, compact(broken))
    assert response.status_code == 400, response.get_json()
    assert tree_size(client) == 0


def test_unknown_hooks_platforms_and_methods(app: Flask, client: FlaskClient, keys: Keys) -> None:
    hook = make_hook(app, "docusign", SECRET)
    body = compact(first_body("docusign"))
    headers = sign("docusign", SECRET, body, clock.now())
    assert (
        client.post(f"/v1/hooks/documenso/{hook.id}", data=body, headers=headers).status_code == 404
    )
    assert (
        client.post(f"/v1/hooks/hellosign/{hook.id}", data=body, headers=headers).status_code == 404
    )
    assert (
        client.post("/v1/hooks/docusign/hk_nobody", data=body, headers=headers).status_code == 404
    )
    wrong_method = client.get(hook.url())
    assert wrong_method.status_code == 405
    assert wrong_method.headers["Allow"] == "POST"
    with service(app).db.writing() as conn:
        hooks.delete_hook(conn, hook.id, clock.now())
    assert client.post(hook.url(), data=body, headers=headers).status_code == 404
    assert tree_size(client) == 0


def test_a_hook_appends_to_its_own_tenant(app: Flask, client: FlaskClient, keys: Keys) -> None:
    acme, globex = make_hook(app, "opensign", SECRET), make_hook(app, "opensign", SECRET, "globex")
    body = compact(first_body("opensign"))
    (mine,) = leaves(send(client, acme, body))
    (theirs,) = leaves(send(client, globex, body))
    assert (mine.tenant, theirs.tenant) == ("acme", "globex")
    assert mine.event.event_id == theirs.event.event_id  # event ids are per tenant
    assert tree_size(client) == 2


def test_an_api_key_does_not_authenticate_a_delivery(
    app: Flask, client: FlaskClient, keys: Keys
) -> None:
    hook = make_hook(app, "docusign", SECRET)
    body = compact(first_body("docusign"))
    response = client.post(hook.url(), data=body, headers=keys.header("ingest"))
    assert response.status_code == 401
    assert tree_size(client) == 0
