"""Evidence from a real service, checked with nothing but the verifier and trust roots:
bundles, the export/import round trip, and tampering with the database."""

from __future__ import annotations

import base64
import json
import secrets
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import delete, select, update

from config.settings import Settings
from ledger.anchoring.devtsa import DevTSA
from ledger.app import create_app
from ledger.privacy.crypto import NONCE, body_aad, seal, unseal
from ledger.service import Ledger
from ledger.storage.models import Body, Checkpoint, Entry
from tests.conftest import Keys, event, initialise, make_settings
from tests.ledger.helpers import run, vkeys
from verifier import checkpoint as notes
from verifier.audit import audit_file
from verifier.bundle import verify_bundle
from verifier.checkpoint import NoteSigner, format_checkpoint, sign_note
from verifier.cli import main as ledger_verify


def signing_flow(client: FlaskClient, keys: Keys, envelope: str, start: int) -> None:
    kinds = [
        "envelope.sent",
        "recipient.viewed",
        "recipient.authenticated",
        "recipient.signed",
        "envelope.completed",
    ]
    for i, kind in enumerate(kinds):
        sent = event(start + i, type=kind, envelope_id=envelope)
        assert (
            client.post("/v1/events", json=sent, headers=keys.header("ingest")).status_code == 201
        )


def fetch_bundle(
    client: FlaskClient, keys: Keys, envelope: str = "env-a", query: str = ""
) -> dict[str, Any]:
    response = client.get(f"/v1/envelopes/{envelope}/evidence{query}", headers=keys.header("read"))
    assert response.status_code == 200, response.get_json()
    body: dict[str, Any] = response.get_json()
    return body


def test_an_anchored_bundle_verifies_offline(
    anchored: Flask, keys: Keys, tsa: DevTSA, tmp_path: Path
) -> None:
    client = anchored.test_client()
    signing_flow(client, keys, "env-a", 0)
    signing_flow(client, keys, "env-b", 100)
    assert client.post("/v1/log/anchors", headers=keys.header("admin")).status_code == 201
    signing_flow(client, keys, "env-c", 200)  # the log grows past the anchor: "latest"
    bundle = fetch_bundle(client, keys)
    assert bundle["status"] == "anchored"
    assert [e["seq"] for e in bundle["entries"]] == [0, 1, 2, 3, 4]
    assert "latest" in bundle
    report = verify_bundle(bundle, vkeys(client), [tsa.root_pem.read_bytes()])
    assert report.valid, report.bottom_line
    names = {c.name for c in report.checks}
    assert {"commitment", "leaf", "chain", "inclusion", "checkpoint signature", "anchor token",
            "anchor covers checkpoint", "consistency to latest", "key known"} <= names  # fmt: skip
    # The same with the command line an auditor runs.
    path = tmp_path / "bundle.json"
    path.write_text(json.dumps(bundle), encoding="utf-8")
    args = ["bundle", str(path), "--tsa-root", str(tsa.root_pem)]
    for vkey in vkeys(client):
        args += ["--log-key", vkey]
    assert ledger_verify(args) == 0
    # One byte of one event changed: exit 1, naming the check and the seq.
    changed = json.dumps(bundle).replace("zhang@example.com", "zhanq@example.com", 1)
    path.write_text(changed, encoding="utf-8")
    assert ledger_verify([*args, "--json"]) == 1


def test_one_changed_byte_is_named(
    anchored: Flask, keys: Keys, tsa: DevTSA, capsys: pytest.CaptureFixture[str]
) -> None:
    client = anchored.test_client()
    signing_flow(client, keys, "env-a", 0)
    client.post("/v1/log/anchors", headers=keys.header("admin"))
    bundle = fetch_bundle(client, keys)
    bundle["entries"][3]["event"]["actor"]["name"] = "李四"
    report = verify_bundle(bundle, vkeys(client), [tsa.root_pem.read_bytes()])
    assert not report.valid
    assert [(c.name, c.seq) for c in report.failures] == [("commitment", 3)]


def test_a_pending_bundle_says_so_and_anchor_now_anchors(
    anchored: Flask, keys: Keys, tsa: DevTSA
) -> None:
    client = anchored.test_client()
    signing_flow(client, keys, "env-a", 0)
    pending = fetch_bundle(client, keys)
    assert (pending["status"], pending["anchors"]) == ("pending", [])
    report = verify_bundle(pending, vkeys(client), [tsa.root_pem.read_bytes()])
    assert report.verdict == "pending", report.bottom_line
    admin = {"Authorization": f"Bearer {keys.admin}"}
    anchored_now = client.get(
        "/v1/envelopes/env-a/evidence?tenant=acme&anchor=now", headers=admin
    ).get_json()
    assert anchored_now["status"] == "anchored"
    assert verify_bundle(anchored_now, vkeys(client), [tsa.root_pem.read_bytes()]).valid
    refused = client.get("/v1/envelopes/env-a/evidence?anchor=now", headers=keys.header("read"))
    assert refused.status_code == 403


def test_erased_content_is_not_tampering(anchored: Flask, keys: Keys, tsa: DevTSA) -> None:
    client = anchored.test_client()
    signing_flow(client, keys, "env-a", 0)
    client.post("/v1/log/anchors", headers=keys.header("admin"))
    service: Ledger = anchored.extensions["ledger"]
    with service.db.writing() as conn:
        conn.execute(delete(Body).where(Body.seq == 2))
    bundle = fetch_bundle(client, keys)
    assert bundle["entries"][2]["event"] is None
    report = verify_bundle(bundle, vkeys(client), [tsa.root_pem.read_bytes()])
    assert report.valid
    erased = [c for c in report.checks if c.status == "erased"]
    assert [(c.name, c.seq) for c in erased] == [("commitment", 2)]
    assert "content erased" in erased[0].reason
    timeline = client.get("/v1/envelopes/env-a", headers=keys.header("read")).get_json()["events"]
    assert [e["erased"] for e in timeline] == [False, False, True, False, False]


def test_timeline_keeps_the_reported_offset(anchored: Flask, keys: Keys) -> None:
    client = anchored.test_client()
    client.post(
        "/v1/events",
        json=event(1, occurred_at="2026-11-22T17:03:04.5+08:00"),
        headers=keys.header("ingest"),
    )
    (row,) = client.get("/v1/envelopes/env-1", headers=keys.header("read")).get_json()["events"]
    assert (row["occurred_at_utc"], row["reported_offset"]) == (
        "2026-11-22T09:03:04.500000Z",
        "+08:00",
    )
    assert row["actor"]["name"] == "张三"
    other = client.get("/v1/envelopes/env-1", headers=keys.header("other_read"))
    assert other.status_code == 404


# --- the database: export, audit, import ---------------------------------------------------


def export(app: Flask, path: Path) -> Path:
    code, out = run(app, "export", "-o", str(path))
    assert code == 0, out
    return path


@pytest.fixture
def filled(anchored: Flask, keys: Keys) -> Flask:
    client = anchored.test_client()
    for start in range(0, 60, 10):
        batch = {"events": [event(i) for i in range(start, start + 10)]}
        assert (
            client.post("/v1/events/batch", json=batch, headers=keys.header("ingest")).status_code
            == 201
        )
        if start == 30:
            assert client.post("/v1/log/anchors", headers=keys.header("admin")).status_code == 201
    return anchored


def audit(app: Flask, path: Path, tsa: DevTSA, trusted: list[str] | None = None) -> Any:
    client = app.test_client()
    return audit_file(path, trusted or vkeys(client), [tsa.root_pem.read_bytes()])


def test_export_audits_and_imports_into_an_empty_database(
    filled: Flask, tsa: DevTSA, tmp_path: Path
) -> None:
    path = export(filled, tmp_path / "log.jsonl")
    report = audit(filled, path, tsa)
    assert report.valid, report.bottom_line
    mirror_settings = make_settings(
        f"sqlite:///{tmp_path / 'mirror' / 'm.db'}", tmp_path / "mirror"
    )
    mirror = create_app(mirror_settings)
    trusted = [arg for vkey in vkeys(filled.test_client()) for arg in ("--log-key", vkey)]
    code, out = run(mirror, "import", str(path), *trusted, "--tsa-root", str(tsa.root_pem))
    assert code == 0, out
    assert "imported 60 entries" in out
    code, out = run(mirror, "fsck")
    assert code == 0, out
    assert "clean" in out
    again = export(mirror, tmp_path / "again.jsonl")

    # The same log comes out (the development-TSA label is the exporting service's setting).
    def records(p: Path) -> list[dict[str, Any]]:
        return [
            {k: v for k, v in json.loads(x).items() if k != "development_tsa"}
            for x in p.read_text().splitlines()[1:]
        ]

    assert records(again) == records(path)
    mirror.extensions["ledger"].close()


def _tamper_leaf(conn: Any) -> None:
    leaf = conn.execute(Entry.__table__.select().where(Entry.seq == 17)).one().leaf
    conn.execute(
        update(Entry).where(Entry.seq == 17).values(leaf=leaf.replace(b"evt-17", b"evt-18"))
    )


def _tamper_chain(conn: Any) -> None:
    conn.execute(update(Entry).where(Entry.seq == 23).values(chain=bytes(32)))


def _delete_row(conn: Any) -> None:
    conn.execute(delete(Entry).where(Entry.seq == 11))


def _swap_rows(conn: Any) -> None:
    rows = {r.seq: r for r in conn.execute(Entry.__table__.select().where(Entry.seq.in_([5, 6])))}
    for seq, other in ((5, 6), (6, 5)):
        values = {k: getattr(rows[other], k) for k in ("leaf", "leaf_hash", "chain")}
        conn.execute(update(Entry).where(Entry.seq == seq).values(**values))


def _truncate(conn: Any) -> None:
    conn.execute(delete(Entry).where(Entry.seq >= 50))


TAMPERING = [
    ("edit a leaf byte", _tamper_leaf, "leaf", 17),
    ("edit a chain value", _tamper_chain, "chain", 23),
    ("delete a row", _delete_row, "seq", 11),
    ("swap two rows", _swap_rows, "leaf", 5),
    ("truncate the log", _truncate, "seq", 50),
]


@pytest.mark.parametrize(
    ("name", "tamper", "check", "seq"), TAMPERING, ids=[t[0] for t in TAMPERING]
)
def test_database_tampering_is_pinpointed(
    filled: Flask, tsa: DevTSA, tmp_path: Path, name: str, tamper: Any, check: str, seq: int | None
) -> None:
    service: Ledger = filled.extensions["ledger"]
    with service.db.writing() as conn:
        tamper(conn)
    report = audit(filled, export(filled, tmp_path / "log.jsonl"), tsa)
    assert not report.valid
    first = report.failures[0]
    assert first.name == check, report.bottom_line
    if seq is not None:
        assert first.seq == seq, first.describe()


def test_a_validly_signed_inconsistent_checkpoint_is_caught(
    filled: Flask, tsa: DevTSA, tmp_path: Path, settings: Settings
) -> None:
    """The log's own key signs a checkpoint of size 20 with another root: a forked log."""
    service: Ledger = filled.extensions["ledger"]
    (key_file,) = settings.keys_dir.glob("log-*.key")
    signer = NoteSigner.from_skey(key_file.read_text().strip())
    forged = sign_note(format_checkpoint(service.log.origin, 20, bytes(32)), [signer])
    with service.db.writing() as conn:
        conn.execute(update(Checkpoint).where(Checkpoint.size == 20).values(note=forged))
    report = audit(filled, export(filled, tmp_path / "log.jsonl"), tsa)
    assert [c.name for c in report.failures] == ["checkpoint root"], report.bottom_line
    assert "checkpoint at size 20" in report.failures[0].describe()


def test_forged_and_untrusted_tokens_and_a_wrong_key(
    filled: Flask, tsa: DevTSA, tmp_path: Path
) -> None:
    path = export(filled, tmp_path / "log.jsonl")
    lines = path.read_text().splitlines()
    forged = []
    for line in lines:
        record = json.loads(line)
        if record["type"] == "anchor":
            token = bytearray(base64.b64decode(record["token"]))
            token[-40] ^= 1  # inside the signature
            record["token"] = base64.b64encode(bytes(token)).decode()
        forged.append(json.dumps(record))
    (tmp_path / "forged.jsonl").write_text("\n".join(forged) + "\n")
    report = audit(filled, tmp_path / "forged.jsonl", tsa)
    assert "anchor token" in [c.name for c in report.failures]
    with DevTSA.create(tmp_path / "other-tsa") as other:
        untrusted = audit_file(path, vkeys(filled.test_client()), [other.root_pem.read_bytes()])
    assert "anchor token" in [c.name for c in untrusted.failures]
    stranger = NoteSigner.generate("localhost/evidence-ledger").vkey
    wrong_key = audit(filled, path, tsa, trusted=[stranger])
    assert {"key known", "checkpoint signature"} & {c.name for c in wrong_key.failures}
    assert notes  # the module is the verifier's; nothing here trusts the service


def test_a_changed_database_body_breaks_the_bundle(filled: Flask, keys: Keys, tsa: DevTSA) -> None:
    """Even by someone holding the keys, who seals the changed body again."""
    service: Ledger = filled.extensions["ledger"]
    with service.db.writing() as conn:
        row = conn.execute(Body.__table__.select().where(Body.seq == 12)).one()
        tenant_id = conn.execute(select(Entry.tenant_id).where(Entry.seq == 12)).scalar_one()
        aad = body_aad(tenant_id, row.log_id, 12)
        aead = service.data_keys.aead(conn, row.key_id)
        assert aead is not None
        plain = unseal(aead, row.sealed, aad).replace("张三".encode(), "张四".encode())
        changed = seal(aead, secrets.token_bytes(NONCE), plain, aad)
        conn.execute(update(Body).where(Body.seq == 12).values(sealed=changed))
    bundle = fetch_bundle(filled.test_client(), keys, "env-1")
    report = verify_bundle(bundle, vkeys(filled.test_client()), [tsa.root_pem.read_bytes()])
    assert [(c.name, c.seq) for c in report.failures] == [("commitment", 12)]


def test_fixture_helpers_build_a_fresh_log(tmp_path: Path) -> None:
    settings = make_settings(f"sqlite:///{tmp_path / 'x.db'}", tmp_path / "x")
    initialise(settings)
    assert (tmp_path / "x" / "keys").is_dir()
