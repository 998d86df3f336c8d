"""DocuSeal specifics: the signature header's shape, the legacy custom secret header,
and records that are not submissions."""

from __future__ import annotations

import time

from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import Keys
from tests.ledger.adapters.flows import docuseal_flow
from tests.ledger.adapters.senders import compact, docuseal, leaves, make_hook, send

SECRET = "whsec_dGVzdC1vbmx5LWRvY3VzZWFsLWtleTI0"  # noqa: S105  a test HMAC secret


def test_the_signature_header_is_seconds_dot_hex(
    app: Flask, client: FlaskClient, keys: Keys
) -> None:
    hook = make_hook(app, "docuseal", SECRET)
    body = compact(docuseal_flow()[0].body)
    good = docuseal(SECRET, int(time.time()), body)["X-Docuseal-Signature"]
    stamp, signature = good.split(".")
    for bad in (signature, f"{stamp}.{signature[:-2]}", f"{stamp}.{signature}.", f"x.{signature}"):
        response = send(client, hook, body, headers={"X-Docuseal-Signature": bad})
        assert response.status_code == 401, bad
    upper = f"{stamp}.{signature.upper()}"
    assert send(client, hook, body, headers={"X-Docuseal-Signature": upper}).status_code == 200


def test_servers_before_hmac_send_a_custom_secret_header(
    app: Flask, client: FlaskClient, keys: Keys
) -> None:
    hook = make_hook(app, "docuseal", "X-Ledger-Secret: 7f3a9c1e55b2")
    body = compact(docuseal_flow()[1].body)
    response = send(client, hook, body, headers={"X-Ledger-Secret": "7f3a9c1e55b2"})
    assert response.status_code == 200
    (leaf,) = leaves(response)
    assert leaf.source.authenticated == "shared-secret"
    wrong = send(client, hook, body, headers={"X-Ledger-Secret": "7f3a9c1e55b3"})
    assert wrong.status_code == 401


def test_template_events_are_not_submissions(app: Flask, client: FlaskClient, keys: Keys) -> None:
    hook = make_hook(app, "docuseal", SECRET)
    body = {
        "event_type": "template.created",
        "timestamp": "2026-10-01T02:00:00.000Z",
        "data": {"id": 31, "name": "劳动合同"},
    }
    (leaf,) = leaves(send(client, hook, compact(body)))
    assert (leaf.event.type, leaf.event.envelope_id) == (
        "x-docuseal.template.created",
        "template:31",
    )
