"""e签宝 v3 specifics: the callback URL's query values are signed (and only the registered
query is taken); the app id."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from flask import Flask
from flask.testing import FlaskClient

from ledger import clock
from tests.conftest import Keys
from tests.ledger.adapters.flows import FLOWS, esign_flow
from tests.ledger.adapters.senders import compact, make_hook, send, tree_size, tsign

SECRET = "0a1b2c3d4e5f60718293a4b5c6d7e8f9"  # noqa: S105  a test app secret


def test_query_values_are_signed_decoded_and_sorted_by_key(
    app: Flask, client: FlaskClient, keys: Keys
) -> None:
    query = f"orderNo=001&belong={quote('拼接')}&empty="
    hook = make_hook(app, "esign", SECRET, query=query)
    steps = esign_flow()
    assert send(client, hook, compact(steps[2].body), query=query).status_code == 200
    # Values in URL order instead of sorted by key: "001拼接" where e签宝 signs "拼接001".
    body = compact(steps[3].body)
    url_order = tsign(SECRET, int(clock.now().timestamp() * 1000), "?a=001&b=拼接", body)
    other = f"b=001&a={quote('拼接')}"
    response = send(
        client, make_hook(app, "esign", SECRET, query=other), body, query=other, headers=url_order
    )
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "signature_mismatch"
    assert tree_size(client) == 1


@pytest.mark.parametrize("platform", ["esign", "esignglobal"])
def test_a_query_string_the_hook_was_not_registered_with_is_refused(
    app: Flask, client: FlaskClient, keys: Keys, platform: str
) -> None:
    """The signed string joins timestamp, query values and body without separators, so a
    query is authenticated only as a run of characters: ``?a=12&b=3`` signs what
    ``?a=1&b=23`` signs. A hook takes exactly the query it was registered with."""
    secret = SECRET if platform == "esign" else "esg_whk_test_4f1c2a9b7d8e6f5a"
    registered = "orderNo=001&belong=pinjie"
    bare = make_hook(app, platform, secret)
    with_query = make_hook(app, platform, secret, query=f"?{registered}")
    body = compact(FLOWS[platform]()[1].body)
    stamp = int(clock.now().timestamp() * 1000)
    for hook, query in (
        (bare, registered),
        (with_query, ""),
        (with_query, "orderNo=00&belong=1pinjie"),
    ):
        headers = tsign(secret, stamp, f"?{query}", body)
        response = send(client, hook, body, query=query, headers=headers)
        assert response.status_code == 401, (hook.id, query)
        assert response.get_json()["error"]["code"] == "unexpected_query"
    assert tree_size(client) == 0
    headers = tsign(secret, stamp, f"?{registered}", body)
    assert send(client, with_query, body, query=registered, headers=headers).status_code == 200


def test_the_app_id_must_be_the_hook_s(app: Flask, client: FlaskClient, keys: Keys) -> None:
    hook = make_hook(app, "esign", SECRET)
    body = compact(esign_flow()[2].body)
    headers = tsign(SECRET, int(clock.now().timestamp() * 1000), "", body)
    headers["X-Tsign-Open-App-Id"] = "7439000002"
    response = send(client, hook, body, headers=headers)
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "app_id_mismatch"


def test_only_hmac_sha256(app: Flask, client: FlaskClient, keys: Keys) -> None:
    hook = make_hook(app, "esign", SECRET)
    body = compact(esign_flow()[2].body)
    headers = tsign(SECRET, int(clock.now().timestamp() * 1000), "", body)
    headers["X-Tsign-Open-SIGNATURE-ALGORITHM"] = "hmac-md5"
    assert send(client, hook, body, headers=headers).status_code == 401
    headers["X-Tsign-Open-SIGNATURE-ALGORITHM"] = "HMAC-SHA256"
    assert send(client, hook, body, headers=headers).status_code == 200
