"""Documenso specifics: a plain shared secret, recipients not named per event, and a
``createdAt`` that changes on every retry."""

from __future__ import annotations

import copy

from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import Keys
from tests.ledger.adapters.flows import documenso_flow
from tests.ledger.adapters.senders import compact, documenso, leaves, make_hook, send, tree_size

SECRET = "dm-test-secret-6b1f0c2e9a"  # noqa: S105  a test webhook secret


def read_event(client: FlaskClient, keys: Keys, seq: int) -> dict[str, object]:
    event: dict[str, object] = client.get(
        f"/v1/log/entries/{seq}", headers=keys.header("read")
    ).get_json()["event"]
    return event


def test_a_webhook_without_secret_sends_an_empty_header(
    app: Flask, client: FlaskClient, keys: Keys
) -> None:
    hook = make_hook(app, "documenso", SECRET)
    body = compact(documenso_flow()[0].body)
    response = send(client, hook, body, headers=documenso(""))
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "missing_secret"


def test_the_secret_does_not_cover_the_body(app: Flask, client: FlaskClient, keys: Keys) -> None:
    """Documented limitation (docs/platforms/documenso.md): only TLS protects the body."""
    hook = make_hook(app, "documenso", SECRET)
    body = compact(documenso_flow()[0].body).replace(b"DRAFT", b"DRAFX")
    assert send(client, hook, body).status_code == 200


def test_the_signer_is_named_only_when_unambiguous(
    app: Flask, client: FlaskClient, keys: Keys
) -> None:
    hook = make_hook(app, "documenso", SECRET)
    body = copy.deepcopy(documenso_flow()[4].body)
    for person in body["payload"]["recipients"]:
        person["signedAt"] = "2026-11-19T12:30:00.000Z"  # both signed in the same millisecond
    (leaf,) = leaves(send(client, hook, compact(body)))
    assert leaf.event.type == "recipient.signed"
    assert "actor" not in read_event(client, keys, leaf.seq)


def test_a_retry_after_a_lost_answer_is_a_second_entry(
    app: Flask, client: FlaskClient, keys: Keys
) -> None:
    """Documenso rebuilds createdAt per attempt and sends no delivery id."""
    hook = make_hook(app, "documenso", SECRET)
    first = documenso_flow()[3].body
    retry = copy.deepcopy(first) | {"createdAt": "2026-11-19T12:02:07.998Z"}
    (one,) = leaves(send(client, hook, compact(first)))
    (two,) = leaves(send(client, hook, compact(retry)))
    assert one.event.event_id != two.event.event_id
    assert one.event.type == two.event.type == "recipient.signed"
    assert tree_size(client) == 2
