"""Ids derived from personal data carry it only as a keyed pseudonym (``ledger.pseudonyms``;
issue 14): leaves, exports and mirrors, which erasure cannot reach, hold no e-mail
address, phone number or person's platform id in clear, and the ids stay the same on
every retry. The key is a deployment file made by ``ledger init``.
"""

from __future__ import annotations

import base64
import os
import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from ledger.adapters import ADAPTERS, Delivery
from ledger.pseudonyms import KEY_FILE, PseudonymKey
from tests.conftest import Keys
from tests.ledger.adapters.flows import FLOWS
from tests.ledger.adapters.senders import compact, make_hook, send, service
from tests.ledger.helpers import run

# A signer's event of each platform whose id used to carry a person in clear.
PERSONAL_IDS = {
    "opensign": (2, "peter.mark@example.com"),  # the signed step's signer e-mail
    "esignglobal": (1, "chen.jing@example.hk"),
    "esign": (2, "f8f0849e03a4150daa0f3b6c1ee96fda"),  # psnId: one person across all flows
}


def key_file(app: Flask) -> Path:
    return Path(service(app).settings.keys_dir) / KEY_FILE


def test_init_makes_a_private_key_file_once(app: Flask) -> None:
    path = key_file(app)
    made = path.read_text(encoding="ascii")
    assert len(bytes.fromhex(made.strip())) == 32
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    path.unlink()
    code, out = run(app, "init")
    assert code == 0, out
    assert f"pseudonym key created: {path}" in out
    again = path.read_text(encoding="ascii")
    assert again != made
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    code, out = run(app, "init")
    assert "pseudonym key" not in out
    assert path.read_text(encoding="ascii") == again  # never replaced once it exists


@pytest.mark.parametrize("platform", sorted(PERSONAL_IDS))
def test_leaves_carry_no_personal_data_and_ids_are_stable(
    app: Flask, client: FlaskClient, keys: Keys, platform: str
) -> None:
    step, personal = PERSONAL_IDS[platform]
    body = compact(FLOWS[platform]()[step].body)
    if platform == "opensign":
        body = body.replace(b"zhang.wei@example.cn", personal.encode())
    elif platform == "esign":
        assert personal.encode() in body
    hook = make_hook(app, platform, "pseudonym-test-secret")
    first = send(client, hook, body)
    assert first.status_code == 200, first.get_json()
    (receipt,) = first.get_json()["receipts"]
    leaf = base64.b64decode(receipt["leaf"])
    assert personal.encode() in body
    assert personal.encode() not in leaf
    again = send(client, hook, body)  # the platform retries: the same event, not a second
    assert (again.status_code, again.get_json()["appended"]) == (200, 0)
    assert again.get_json()["receipts"] == first.get_json()["receipts"]
    exported = run(app, "export")[1]
    assert personal not in exported
    # The body, readable by the tenant, keeps the address: only the public leaf drops it.
    entry = client.get(f"/v1/log/entries/{receipt['seq']}", headers=keys.header("read"))
    assert personal in str(entry.get_json()["event"]) or platform == "esign"


def test_the_pseudonym_depends_on_the_key_and_the_envelope() -> None:
    step, email = PERSONAL_IDS["opensign"]
    body = compact(FLOWS["opensign"]()[step].body)
    ids = []
    for key in (b"deployment one's key, 32 bytes!", b"deployment two's key, 32 bytes!"):
        delivery = Delivery.received("POST", [], body, "", datetime.now(UTC), PseudonymKey(key))
        ids.append(ADAPTERS["opensign"].parse(delivery)[0]["event_id"])
    assert ids[0] != ids[1]
    key = PseudonymKey(os.urandom(32))
    assert key.pseudonym("env-1", email) == key.pseudonym("env-1", email.upper())
    assert key.pseudonym("env-1", email) != key.pseudonym("env-2", email)
    assert len(key.pseudonym("env-1", email)) == 32


def test_without_the_key_a_hook_says_how_to_make_it(
    app: Flask, client: FlaskClient, keys: Keys
) -> None:
    key_file(app).unlink()
    hook = make_hook(app, "opensign", "pseudonym-test-secret")
    response = send(client, hook, compact(FLOWS["opensign"]()[2].body))
    assert response.status_code == 503
    assert "ledger init" in response.get_json()["error"]["message"]
    assert client.get("/healthz").get_json()["size"] == 0
