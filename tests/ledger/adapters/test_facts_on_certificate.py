"""Every fact a platform reports reaches the certificate of evidence (issue 13): each shared
sample goes through the platform's hook of a served ledger, its envelope's certificate is
downloaded as a compliance officer would, and every fact of the table
(tests/ledger/adapters/facts.py) that the payload carries and that the certificate has a
place for is found in the text pdftotext reads back, as the event holds it. So "not
reported by the platform" can only be printed where the platform sent nothing.
"""

from __future__ import annotations

import json
import subprocess
from datetime import UTC
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient

from ledger import clock
from tests.conftest import Keys
from tests.ledger.adapters.facts import FACTS, Fact, at, instant
from tests.ledger.adapters.senders import EVENT_NAME, PLATFORMS, make_hook, restamp, samples

# Event fields the certificate shows (docs/evidence-format.md, "Facts the platforms report");
# a platform's other data (organisation names, its own result codes) has no place there.
PLACES = (
    "occurred_at",
    "actor.",
    "documents[",
    "data.title",
    "data.subject",
    "data.signature_type",
    "data.decline_reason",
    "data.void_reason",
    "data.expiry_reason",
    "data.document_names",
    "data.recipient_times",
    "data.recipients",
    "data.platform_generated_at",
)


def dense(text: str) -> str:
    """Without white space: values a table cell broke across lines join again."""
    return "".join(text.split())


def shown(value: Any, time: bool) -> str:
    """How the certificate prints an event's value: a time in UTC to the second."""
    if time:
        return f"{instant(value).astimezone(UTC):%Y-%m-%d %H:%M:%S}"
    return str(value)


def on_the_certificate(row: Fact, event: dict[str, Any]) -> list[tuple[str, str]]:
    """(event path, text to find) for each event path of ``row`` the certificate shows."""
    found = []
    for path in row.event.split("|"):
        value = at(event, path)
        if value is None or value == "" or not path.startswith(PLACES):
            continue
        found.append((path, shown(value, row.compare == "time")))
    return found


def send_samples(app: Flask, client: FlaskClient, keys: Keys, platform: str) -> list[Any]:
    """Each accepted sample through the hook: (payload, event as stored) pairs."""
    data = samples(platform)
    query = urlsplit(data["deliveries"][0]["path_query"]).query
    hook = make_hook(app, platform, data["secret"], query=query or None)
    sent = []
    for delivery in data["deliveries"]:
        if not (delivery["expected"]["accepted"] and delivery["expected"]["type"]):
            continue
        body = delivery["body"].encode("utf-8")
        response = client.open(
            hook.url(urlsplit(delivery["path_query"]).query),
            method=delivery["method"],
            data=body,
            headers=restamp(platform, data["secret"], delivery, clock.now()),
        )
        assert response.status_code == 200, response.get_json()
        for receipt in response.get_json()["receipts"]:
            entry = client.get(f"/v1/log/entries/{receipt['seq']}", headers=keys.header("read"))
            sent.append((json.loads(body), entry.get_json()["event"]))
    return sent


def certificate_text(client: FlaskClient, keys: Keys, envelope: str, tmp: Path) -> str:
    response = client.get(f"/v1/envelopes/{envelope}/certificate.pdf", headers=keys.header("read"))
    assert response.status_code == 200, response.get_data(as_text=True)
    path = tmp / "certificate.pdf"
    path.write_bytes(response.data)
    done = subprocess.run(  # noqa: S603
        ["pdftotext", str(path), "-"],  # noqa: S607
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


@pytest.mark.parametrize("platform", PLATFORMS)
def test_every_reported_fact_is_on_the_certificate(
    app: Flask, client: FlaskClient, keys: Keys, platform: str, tmp_path: Path
) -> None:
    sent = send_samples(app, client, keys, platform)
    texts: dict[str, str] = {}
    checked, missing = 0, []
    for payload, event in sent:
        envelope = event["envelope_id"]
        if envelope not in texts:
            texts[envelope] = dense(certificate_text(client, keys, envelope, tmp_path))
        name = str(at(payload, EVENT_NAME[platform]))
        for row in FACTS[platform]:
            value = at(payload, row.payload)
            if value is None or value == "" or (row.events and name not in row.events):
                continue
            places = on_the_certificate(row, event)
            if not places:
                continue
            checked += 1
            if not any(dense(text) in texts[envelope] for _, text in places):
                missing.append(f"{row.payload} → {places} is not on the certificate")
    assert not missing, f"{platform}: {missing}"
    assert checked >= 3, f"{platform}: only {checked} facts were checked"
