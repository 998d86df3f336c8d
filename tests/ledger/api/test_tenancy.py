"""Who may call what (docs/design/EVIDENCE-FORMAT.md §7, ``ledger.access``), on SQLite and
PostgreSQL.

Every endpoint is called with every kind of caller: the four roles of tenant acme's
keys (ingest, read) and the operator's (audit, admin), tenant globex's keys, no key, an
unknown key, a valid key under the wrong scheme and revoked keys of every role. Event
bodies and salts show only to the entry's own tenant's read keys and to admin keys.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from ledger import access
from ledger.service import Ledger
from tests.conftest import Keys, event
from tests.server import LedgerServer
from verifier import checkpoint
from verifier.cli import main as ledger_verify
from verifier.jcs import canonicalize
from verifier.leaf import parse_leaf

ROLES = ("ingest", "read", "audit", "admin")
VALID = ("ingest", "read", "audit", "admin", "other_ingest", "other_read")
INVALID = (
    "none",
    "unknown",
    "wrong_scheme",
    "revoked_ingest",
    "revoked_read",
    "revoked_audit",
    "revoked_admin",
)
CALLERS = VALID + INVALID

ACME_EVENT = event("acme", actor={"name": "张三", "email": "zhang@example.com"})
GLOBEX_EVENT = event("globex", actor={"name": "Jane Roe", "email": "jane@globex.example"})
ACME_BODY = json.dumps(ACME_EVENT, ensure_ascii=False).encode()  # kept as received
PERSONAL = ("张三", "zhang@example.com", "Jane Roe", "jane@globex.example")


@dataclass(frozen=True)
class World:
    """A log with one acme entry (seq 0) and one globex entry (seq 1), and every caller."""

    client: FlaskClient
    keys: Keys
    revoked: dict[str, str]

    def headers(self, who: str) -> dict[str, str]:
        if who in VALID:
            return self.keys.header(who)
        if who.startswith("revoked_"):
            return {"Authorization": f"Bearer {self.revoked[who.removeprefix('revoked_')]}"}
        return {
            "none": {},
            "unknown": {"Authorization": "Bearer elk_" + "A" * 43},
            "wrong_scheme": {"Authorization": f"Token {self.keys.admin}"},
        }[who]


def service(app: Flask) -> Ledger:
    ledger: Ledger = app.extensions["ledger"]
    return ledger


@pytest.fixture
def world(app: Flask, client: FlaskClient, keys: Keys) -> World:
    with service(app).db.writing() as conn:
        made = {
            role: access.create_key(conn, role, "acme" if role in access.TENANT_ROLES else None)
            for role in ROLES
        }
    for key in made.values():
        # Each key works until it is revoked, so the 401s below are the revocation's doing.
        assert client.get("/v1/log/checkpoint", headers=bearer(key)).status_code == 200
        with service(app).db.writing() as conn:
            assert access.revoke_key(conn, key) == 1
    sent = keys.header("ingest") | {"Content-Type": "application/json"}
    first = client.post("/v1/events", data=ACME_BODY, headers=sent)
    second = client.post("/v1/events", json=GLOBEX_EVENT, headers=keys.header("other_ingest"))
    assert (first.status_code, second.status_code) == (201, 201)
    assert (first.get_json()["seq"], second.get_json()["seq"]) == (0, 1)
    return World(client, keys, made)


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def statuses(
    ok: int | frozenset[int], allowed: tuple[str, ...], public: bool = False
) -> dict[str, frozenset[int]]:
    """Expected statuses per caller: ``ok`` for ``allowed``, 403 for other valid keys, else 401."""
    good = ok if isinstance(ok, frozenset) else frozenset({ok})
    if public:
        return dict.fromkeys(CALLERS, good)
    return {
        who: good if who in allowed else frozenset({403 if who in VALID else 401})
        for who in CALLERS
    }


# Anchoring answers 503 while no TSA is configured (as in these tests): what matters here
# is only that the caller got past the key check.
ANCHORING = frozenset({200, 201, 503})
ANCHORS_READ = frozenset({200, 503})


READERS = ("read", "audit", "admin", "other_read")


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str  # the route, as /openapi.json writes it
    url: str  # what is called
    expected: dict[str, frozenset[int]]
    body: Any = None


ENDPOINTS = [
    Endpoint(
        "POST", "/v1/events", "/v1/events", statuses(201, ("ingest", "other_ingest")), "single"
    ),
    Endpoint(
        "POST",
        "/v1/events/batch",
        "/v1/events/batch",
        statuses(201, ("ingest", "other_ingest")),
        "batch",
    ),
    Endpoint("GET", "/v1/log/checkpoint", "/v1/log/checkpoint", statuses(200, VALID)),
    Endpoint("GET", "/v1/log/key", "/v1/log/key", statuses(200, (), public=True)),
    # A read key reads its own tenant's entries only: acme's seq 0 is not there for globex.
    Endpoint(
        "GET",
        "/v1/log/entries/{seq}",
        "/v1/log/entries/0",
        statuses(200, READERS) | {"other_read": frozenset({404})},
    ),
    Endpoint(
        "GET",
        "/v1/log/proofs/inclusion",
        "/v1/log/proofs/inclusion?seq=0&size=2",
        statuses(200, READERS),
    ),
    Endpoint(
        "GET",
        "/v1/log/proofs/consistency",
        "/v1/log/proofs/consistency?first=1&second=2",
        statuses(200, READERS),
    ),
    Endpoint("GET", "/v1/log/leaves", "/v1/log/leaves?start=0&end=2", statuses(200, READERS)),
    # Envelopes: a read key sees its own tenant's (globex has an env-1 of its own); an
    # admin names the tenant; audit keys never see bodies.
    Endpoint(
        "GET",
        "/v1/envelopes/{envelope_id}",
        "/v1/envelopes/env-1?tenant=acme",
        statuses(200, ("read", "admin", "other_read")),
    ),
    Endpoint(
        "GET",
        "/v1/envelopes/{envelope_id}/evidence",
        "/v1/envelopes/env-1/evidence?tenant=acme",
        statuses(200, ("read", "admin", "other_read")),
    ),
    Endpoint(
        "GET",
        "/v1/envelopes/{envelope_id}/certificate.pdf",
        "/v1/envelopes/env-1/certificate.pdf?tenant=acme",
        statuses(200, ("read", "admin", "other_read")),
    ),
    # A request body as received: the tenant's read key, the admin naming the tenant;
    # another tenant's read key looks in its own tenant's bodies (404), audit never.
    Endpoint(
        "GET",
        "/v1/deliveries/{sha256}",
        f"/v1/deliveries/{hashlib.sha256(ACME_BODY).hexdigest()}?tenant=acme",
        statuses(200, ("read", "admin")) | {"other_read": frozenset({404})},
    ),
    Endpoint("GET", "/v1/log/anchors", "/v1/log/anchors", statuses(ANCHORS_READ, READERS)),
    Endpoint("POST", "/v1/log/anchors", "/v1/log/anchors", statuses(ANCHORING, ("admin",))),
    Endpoint("GET", "/v1/log/tsa-roots", "/v1/log/tsa-roots", statuses(ANCHORS_READ, (), True)),
    # Platforms' webhooks take no API key: every caller gets the same answer, here for a
    # hook that does not exist (tests/ledger/adapters/ authenticate real ones).
    Endpoint(
        "POST",
        "/v1/hooks/{platform}/{hook_id}",
        "/v1/hooks/docusign/hk_unknown",
        statuses(404, (), public=True),
    ),
    Endpoint(
        "GET",
        "/v1/hooks/{platform}/{hook_id}",
        "/v1/hooks/adobesign/hk_unknown",
        statuses(404, (), public=True),
    ),
    # Erasure takes an admin key; sent without a body here, it is 415 past the key check
    # (tests/ledger/privacy/ erase for real).
    Endpoint("POST", "/v1/erasures", "/v1/erasures", statuses(415, ("admin",))),
    Endpoint("GET", "/healthz", "/healthz", statuses(200, (), public=True)),
    Endpoint("GET", "/metrics", "/metrics", statuses(200, (), public=True)),
    Endpoint("GET", "/openapi.json", "/openapi.json", statuses(200, (), public=True)),
    # The public verification page (HTML) and its JSON twin; the POST routes are rate
    # limited per address (429 once the burst is spent by the callers before).
    Endpoint("GET", "/verify", "/verify", statuses(200, (), public=True)),
    Endpoint(
        "GET",
        "/verify/{certificate_id}",
        "/verify/ELC-0000-0000-0000-0000",
        statuses(404, (), public=True),
    ),
    Endpoint("POST", "/verify", "/verify", statuses(frozenset({400, 429}), (), public=True)),
    Endpoint("POST", "/v1/verify", "/v1/verify", statuses(frozenset({415, 429}), (), public=True)),
    # Analytics: a read key its own tenant's only; audit and admin keys name the tenant.
    Endpoint(
        "GET",
        "/v1/analytics",
        "/v1/analytics?tenant=acme",
        statuses(200, ("read", "audit", "admin")) | {"other_read": frozenset({403})},
    ),
    # Evidence exports: read keys their own tenant's, admin keys every tenant's; audit
    # keys never (exports carry bodies). An empty POST is refused for its body (415).
    Endpoint("GET", "/v1/exports", "/v1/exports", statuses(200, ("read", "admin", "other_read"))),
    Endpoint("POST", "/v1/exports", "/v1/exports", statuses(415, ("read", "admin", "other_read"))),
    Endpoint(
        "GET",
        "/v1/exports/{export_id}",
        "/v1/exports/exp_unknown",
        statuses(404, ("read", "admin", "other_read")),
    ),
    Endpoint(
        "GET",
        "/v1/exports/{export_id}/download",
        "/v1/exports/exp_unknown/download",
        statuses(404, ("read", "admin", "other_read")),
    ),
]


def call(world: World, endpoint: Endpoint, who: str) -> TestResponse:
    headers = world.headers(who)
    if endpoint.method == "GET":
        return world.client.get(endpoint.url, headers=headers)
    if endpoint.body is None:
        return world.client.post(endpoint.url, headers=headers)
    sent = event(f"{endpoint.path}-{who}")
    body = {"events": [sent]} if endpoint.body == "batch" else sent
    return world.client.post(endpoint.url, json=body, headers=headers)


def size(client: FlaskClient) -> int:
    value: int = client.get("/healthz").get_json()["size"]
    return value


def test_every_endpoint_is_in_the_matrix(app: Flask, client: FlaskClient) -> None:
    served = {
        (method, re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule))
        for rule in app.url_map.iter_rules()
        # the console's pages take a session, not a key (tests/ledger/console)
        if rule.endpoint != "static"
        and not rule.endpoint.startswith("console.")
        and rule.endpoint != "root"
        for method in rule.methods or ()
        if method not in ("HEAD", "OPTIONS")
    }
    assert served == {(e.method, e.path) for e in ENDPOINTS}
    documented = {
        (method.upper(), path)
        for path, item in client.get("/openapi.json").get_json()["paths"].items()
        for method in item
        if method in ("get", "post", "put", "patch", "delete")
    }
    assert documented <= served


def test_every_endpoint_with_every_caller(world: World, subtests: pytest.Subtests) -> None:
    for endpoint in ENDPOINTS:
        for who in CALLERS:
            with subtests.test(f"{endpoint.method} {endpoint.url} as {who}"):
                before = size(world.client)
                response = call(world, endpoint, who)
                expected = endpoint.expected[who]
                assert response.status_code in expected, response.get_data(as_text=True)[:300]
                if response.status_code >= 400 and response.mimetype != "text/html":
                    error = response.get_json()["error"]
                    assert isinstance(error["code"], str)
                    assert error["code"]
                    assert error["message"]
                if response.status_code == 401:
                    assert response.headers["WWW-Authenticate"].startswith("Bearer")
                appended = 1 if endpoint.body is not None and response.status_code == 201 else 0
                assert size(world.client) == before + appended


def test_appends_belong_to_the_key_s_tenant(world: World) -> None:
    for who, tenant in (("ingest", "acme"), ("other_ingest", "globex")):
        receipt = call(world, ENDPOINTS[0], who).get_json()
        assert parse_leaf(base64.b64decode(receipt["leaf"])).tenant == tenant


def entry(world: World, seq: int, who: str) -> dict[str, Any]:
    response = world.client.get(f"/v1/log/entries/{seq}", headers=world.headers(who))
    assert response.status_code == 200
    body: dict[str, Any] = response.get_json()
    return body


@pytest.mark.parametrize(
    ("seq", "sent", "sees", "blind"),
    [
        (0, ACME_EVENT, ("read", "admin"), ("audit",)),
        (1, GLOBEX_EVENT, ("other_read", "admin"), ("audit",)),
    ],
    ids=["acme entry", "globex entry"],
)
def test_event_bodies_show_only_to_their_tenant_and_admin(
    world: World,
    seq: int,
    sent: dict[str, Any],
    sees: tuple[str, ...],
    blind: tuple[str, ...],
) -> None:
    public = {"seq", "leaf", "leaf_hash", "chain"}
    for who in sees:
        got = entry(world, seq, who)
        assert set(got) == public | {"event", "salt", "erased"}
        assert got["event"] == sent
        assert got["erased"] is False
        salt = bytes.fromhex(got["salt"])
        leaf = parse_leaf(base64.b64decode(got["leaf"]))
        assert leaf.commitment == hashlib.sha256(salt + canonicalize(sent)).hexdigest()
    for who in blind:
        got = entry(world, seq, who)
        assert set(got) == public
        text = json.dumps(got, ensure_ascii=False)
        assert not any(word in text for word in PERSONAL)
    # The leaf is the same for all who may read it.
    leaves = {entry(world, seq, who)["leaf"] for who in sees + blind}
    assert len(leaves) == 1


OWN = {"read": ("acme", 0), "other_read": ("globex", 1)}


def test_a_read_key_reads_only_its_own_tenant_s_entries_and_leaves(world: World) -> None:
    audit = world.client.get("/v1/log/leaves?start=0&end=2", headers=world.headers("audit"))
    everything = audit.get_json()["leaves"]
    assert {parse_leaf(base64.b64decode(r["leaf"])).tenant for r in everything} == {
        "acme",
        "globex",
    }
    for who, (tenant, own) in OWN.items():
        other = 1 - own
        refused = world.client.get(f"/v1/log/entries/{other}", headers=world.headers(who))
        assert refused.status_code == 404
        assert refused.get_json()["error"]["code"] == "not_found"
        assert entry(world, own, who)["leaf"] == everything[own]["leaf"]

        got = world.client.get("/v1/log/leaves?start=0&end=2", headers=world.headers(who))
        assert got.status_code == 200
        records = got.get_json()["leaves"]
        assert records[own] == everything[own]
        # Of the other tenant's entry: what the tree and the chain need, nothing it says.
        assert records[other] == {
            "seq": other,
            "leaf_hash": everything[other]["leaf_hash"],
            "chain": everything[other]["chain"],
        }
        text = json.dumps(got.get_json(), ensure_ascii=False)
        stranger = "globex" if tenant == "acme" else "acme"
        assert stranger not in text
        assert f"evt-{stranger}" not in text


def test_tenant_boundary_on_a_served_instance(
    db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The same boundary through ``ledger serve``: two tenants' read keys and an audit key."""
    with LedgerServer(db_url, tmp_path / "var") as server:
        server.cli("tenant", "create", "globex")
        keys = {
            who: server.cli("key", "create", *tenant, "--role", role).stdout.split()[-1]
            for who, role, tenant in (
                ("globex_ingest", "ingest", ("--tenant", "globex")),
                ("globex_read", "read", ("--tenant", "globex")),
                ("audit", "audit", ()),
            )
        }
        client = server.client()
        assert client.post("/v1/events", event("acme"))[0] == 201
        status, _ = client.post("/v1/events", event("globex"), key=keys["globex_ingest"])
        assert status == 201
        url = "/v1/log/leaves?start=0&end=2"
        assert client.get("/v1/log/entries/1", key=server.read_key)[0] == 404
        assert client.get("/v1/log/entries/0", key=keys["globex_read"])[0] == 404
        assert client.get("/v1/log/entries/0", key=server.read_key)[0] == 200
        audit = client.get(url, key=keys["audit"])[1]["leaves"]
        acme = client.get(url, key=server.read_key)[1]["leaves"]
        globex = client.get(url, key=keys["globex_read"])[1]["leaves"]
        vkey = client.get("/v1/log/key")[1]["vkey"]
        client.close()
        # The whole-log audit says a read key is not enough, rather than "tampered".
        base = ["log", "--url", f"http://127.0.0.1:{server.port}", "--log-key", vkey]
        roots = ["--tsa-root", str(tmp_path / "var" / "devtsa" / "root.pem")]
        capsys.readouterr()
        assert ledger_verify([*base, "--key", server.read_key, *roots]) == 2
        assert "needs an audit key" in capsys.readouterr().out
        assert ledger_verify([*base, "--key", keys["audit"], *roots]) == 0
    assert all("leaf" in r for r in audit)
    assert acme[0] == audit[0] == {**globex[0], "leaf": audit[0]["leaf"]}
    assert globex[1] == audit[1] == {**acme[1], "leaf": audit[1]["leaf"]}
    assert "leaf" not in acme[1]
    assert "leaf" not in globex[0]


def test_proofs_and_checkpoints_are_the_same_for_every_tenant(world: World) -> None:
    for url in (
        "/v1/log/checkpoint",
        "/v1/log/proofs/inclusion?seq=1&size=2",
        "/v1/log/proofs/consistency?first=1&second=2",
    ):
        answers = {world.client.get(url, headers=world.headers(who)).data for who in READERS}
        assert len(answers) == 1, url
    note = world.client.get("/v1/log/checkpoint", headers=world.headers("ingest")).text
    vkeys = [k["vkey"] for k in world.client.get("/v1/log/key").get_json()["keys"]]
    assert checkpoint.verify(note, vkeys).size == 2


def revoke(app: Flask, key_or_prefix: str) -> int:
    with service(app).db.writing() as conn:
        return access.revoke_key(conn, key_or_prefix)


def new_key(app: Flask, role: str, tenant: str | None) -> str:
    with service(app).db.writing() as conn:
        return access.create_key(conn, role, tenant)


@pytest.mark.parametrize("by", ["prefix", "whole key"])
def test_revocation_takes_effect_at_once(
    app: Flask, client: FlaskClient, keys: Keys, by: str
) -> None:
    reader, writer = new_key(app, "read", "acme"), new_key(app, "ingest", "acme")
    assert client.get("/v1/log/checkpoint", headers=bearer(reader)).status_code == 200
    assert client.post("/v1/events", json=event(1), headers=bearer(writer)).status_code == 201

    for key in (reader, writer):
        assert revoke(app, key[:12] if by == "prefix" else key) == 1
    assert client.get("/v1/log/checkpoint", headers=bearer(reader)).status_code == 401
    assert client.get("/v1/log/entries/0", headers=bearer(reader)).status_code == 401
    refused = client.post("/v1/events", json=event(2), headers=bearer(writer))
    assert refused.status_code == 401
    assert size(client) == 1
    # Revoking again changes nothing; the tenant's other keys keep working.
    assert revoke(app, reader[:12] if by == "prefix" else reader) == 0
    assert client.get("/v1/log/entries/0", headers=keys.header("read")).status_code == 200
    assert (
        client.post("/v1/events", json=event(2), headers=keys.header("ingest")).status_code == 201
    )


def test_revocation_needs_the_exact_key_or_prefix(app: Flask, client: FlaskClient) -> None:
    key = new_key(app, "admin", None)
    for near in (key[:11], key[:13], key[:-1], key + "x", key.upper(), "", "elk_"):
        assert revoke(app, near) == 0, near
    assert client.get("/v1/log/checkpoint", headers=bearer(key)).status_code == 200
    assert revoke(app, key) == 1
    assert client.get("/v1/log/checkpoint", headers=bearer(key)).status_code == 401


def test_keys_of_every_role_can_be_revoked(app: Flask, client: FlaskClient, keys: Keys) -> None:
    for role in ROLES:
        key = new_key(app, role, "globex" if role in access.TENANT_ROLES else None)
        assert client.get("/v1/log/checkpoint", headers=bearer(key)).status_code == 200
        assert revoke(app, key[:12]) == 1
        response = client.get("/v1/log/checkpoint", headers=bearer(key))
        assert response.status_code == 401
        assert response.get_json()["error"]["code"] == "unauthorized"
