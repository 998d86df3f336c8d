"""Adobe Acrobat Sign specifics: verification of intent by GET, the client-id echo, and
what a scheme without a signature cannot detect."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import Keys
from tests.ledger.adapters.flows import adobesign_flow
from tests.ledger.adapters.senders import adobesign, compact, leaves, make_hook, send, tree_size

CLIENT_ID = "CBJCHBCAABAAtestClientIdEvidence01"
HEADER = "X-AdobeSign-ClientId"


def test_verification_of_intent_echoes_the_client_id(
    app: Flask, client: FlaskClient, keys: Keys
) -> None:
    hook = make_hook(app, "adobesign", CLIENT_ID)
    response = client.get(hook.url(), headers={HEADER: CLIENT_ID})
    assert response.status_code == 200
    assert response.headers[HEADER] == CLIENT_ID
    assert response.get_json() == {"xAdobeSignClientId": CLIENT_ID}
    assert tree_size(client) == 0


def test_an_unknown_client_id_gets_no_2xx_and_no_echo(
    app: Flask, client: FlaskClient, keys: Keys
) -> None:
    hook = make_hook(app, "adobesign", CLIENT_ID)
    for headers in (
        {HEADER: "UB7E5BXCXY"},
        {},
        {HEADER: CLIENT_ID + " "},
        {HEADER: CLIENT_ID[:-1]},
    ):
        response = client.get(hook.url(), headers=headers)
        if headers.get(HEADER, "").strip() == CLIENT_ID:
            assert response.status_code == 200  # surrounding spaces are not part of a header
            continue
        assert response.status_code == 401
        assert HEADER not in response.headers
        assert "xAdobeSignClientId" not in response.get_data(as_text=True)
    assert (
        client.get("/v1/hooks/adobesign/hk_nobody", headers={HEADER: CLIENT_ID}).status_code == 404
    )


def test_every_notification_answer_echoes_the_client_id(
    app: Flask, client: FlaskClient, keys: Keys
) -> None:
    hook = make_hook(app, "adobesign", CLIENT_ID)
    step = adobesign_flow()[5]
    response = send(client, hook, compact(step.body))
    assert response.status_code == 200
    assert response.headers[HEADER] == CLIENT_ID
    assert response.get_json()["xAdobeSignClientId"] == CLIENT_ID
    (leaf,) = leaves(response)
    assert leaf.event.event_id == "adobesign:n-06"
    repeat = send(client, hook, compact(step.body))
    assert repeat.headers[HEADER] == CLIENT_ID  # the echo also stops Adobe's retries


def test_without_a_signature_an_altered_body_cannot_be_detected(
    app: Flask, client: FlaskClient, keys: Keys
) -> None:
    """Documented limitation (docs/platforms/adobesign.md): the client id is no MAC. The
    leaf's delivery_sha256 records exactly what arrived."""
    hook = make_hook(app, "adobesign", CLIENT_ID)
    body = compact(adobesign_flow()[5].body).replace(b"203.0.113.7", b"203.0.113.8")
    response = send(client, hook, body, headers=adobesign(CLIENT_ID))
    assert response.status_code == 200
    (leaf,) = leaves(response)
    assert leaf.source.authenticated == "client-id-echo"
