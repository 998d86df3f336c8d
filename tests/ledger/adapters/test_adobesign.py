"""Adobe Acrobat Sign specifics: verification of intent by GET, the client-id echo, and
what a scheme without a signature cannot detect."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import Keys
from tests.ledger.adapters.flows import adobesign_flow
from tests.ledger.adapters.senders import adobesign, compact, leaves, make_hook, send, tree_size
from tests.ledger.helpers import run

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


def test_a_hook_takes_deliveries_only_from_its_allowed_networks(
    app: Flask, client: FlaskClient, keys: Keys
) -> None:
    """Adobe's client id is public: anyone who learns the hook URL could post "signed"
    events with it. A hook restricted to Adobe's published ranges refuses the rest."""
    networks = ("203.0.113.0/24", "2001:db8::/32")
    hook = make_hook(app, "adobesign", CLIENT_ID, networks=networks)
    step = adobesign_flow()[5]  # a signature
    body = compact(step.body)

    def deliver(address: str, method: str = "POST") -> Any:
        return client.open(
            hook.url(),
            method=method,
            data=body if method == "POST" else None,
            headers=adobesign(CLIENT_ID),
            environ_base={"REMOTE_ADDR": address},
        )

    for outside in ("198.51.100.9", "203.0.114.1", "2001:db9::1", "::ffff:198.51.100.9"):
        for method in ("POST", "GET"):
            refused = deliver(outside, method)
            assert refused.status_code == 403, (outside, method)
            assert refused.get_json()["error"]["code"] == "network_not_allowed"
            assert HEADER not in refused.headers  # no echo: Adobe counts it as undelivered
    assert tree_size(client) == 0
    for inside in ("203.0.113.77", "2001:db8::5", "::ffff:203.0.113.8"):
        assert deliver(inside).status_code == 200, inside
    assert tree_size(client) == 1  # the same notification three times: one entry
    assert leaves(deliver("203.0.113.1"))[0].source.authenticated == "client-id-echo"


def test_allowed_networks_are_set_and_shown_by_the_cli(app: Flask, keys: Keys) -> None:
    args = ["hook", "create", "--tenant", "acme", "--platform", "adobesign"]
    args += ["--client-id", CLIENT_ID, "--allow-network", "52.1.2.3/24"]
    code, out = run(app, *args, "--allow-network", "2001:DB8::/32")
    assert code == 0, out
    assert "deliveries accepted only from 52.1.2.0/24 2001:db8::/32" in out
    listed = run(app, "hook", "list", "--tenant", "acme")[1]
    assert "52.1.2.0/24,2001:db8::/32" in listed
    code, out = run(app, *args[:-1], "not-a-network")
    assert code != 0
    assert "not an IPv4 or IPv6 network" in out
