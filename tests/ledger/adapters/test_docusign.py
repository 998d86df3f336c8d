"""DocuSign Connect specifics: several HMAC keys during rotation, inline documents."""

from __future__ import annotations

import copy

from flask import Flask
from flask.testing import FlaskClient

from ledger import clock
from tests.conftest import Keys
from tests.ledger.adapters.flows import docusign_flow
from tests.ledger.adapters.senders import compact, docusign, leaves, make_hook, send, tree_size

OLD, NEW = "T2xkQ29ubmVjdEtleQ==", "TmV3Q29ubmVjdEtleQ=="  # key text that looks like base64


def test_any_signature_header_may_match_any_key(
    app: Flask, client: FlaskClient, keys: Keys
) -> None:
    """During a Connect key rotation DocuSign signs with every active key, one header each."""
    steps = docusign_flow()
    only_new = make_hook(app, "docusign", NEW)
    body = compact(steps[0].body)
    assert send(client, only_new, body, headers=docusign([OLD, NEW], body)).status_code == 200
    body = compact(steps[1].body)
    assert send(client, only_new, body, headers=docusign([NEW, OLD], body)).status_code == 200
    refused = send(client, only_new, compact(steps[2].body), headers=docusign([OLD], body))
    assert refused.status_code == 401
    assert tree_size(client) == 2


def test_the_key_text_is_the_key_not_its_base64_decoding(
    app: Flask, client: FlaskClient, keys: Keys
) -> None:
    hook = make_hook(app, "docusign", NEW)
    body = compact(docusign_flow()[0].body)
    headers = docusign(["NewConnectKey"], body)  # what decoding NEW would give
    assert send(client, hook, body, headers=headers).status_code == 401


def test_envelope_events_have_no_recipient(app: Flask, client: FlaskClient, keys: Keys) -> None:
    hook = make_hook(app, "docusign", NEW)
    step = docusign_flow()[0]
    (leaf,) = leaves(send(client, hook, compact(step.body)))
    generated = step.body["generatedDateTime"]
    assert leaf.event.event_id == f"docusign:{step.envelope_id}:envelope-sent:-:{generated}"


def test_inline_documents_must_be_base64(app: Flask, client: FlaskClient, keys: Keys) -> None:
    hook = make_hook(app, "docusign", NEW)
    body = copy.deepcopy(docusign_flow()[6].body)
    body["data"]["envelopeSummary"]["envelopeDocuments"][0]["PDFBytes"] = "not base64!"
    response = send(client, hook, compact(body), now=clock.now())
    assert response.status_code == 400
    assert response.get_json()["error"]["field"].endswith("PDFBytes")
    assert tree_size(client) == 0
