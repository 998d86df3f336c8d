"""Encryption at rest (ledger.privacy.at_rest, keys, crypto): bodies, salts and request
bodies are sealed under a data key per subject, the database holds no address in clear,
and every reader still gets the event as accepted."""

from __future__ import annotations

import stat
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update

from ledger.app import create_app
from ledger.service import Ledger
from ledger.storage.models import Body, DataKey, DeliveryBody, Tenant
from tests.conftest import Keys, event
from tests.ledger.helpers import post

SECRET_WORDS = ("zhang@example.com", "张三", "li@example.com", "nda-draft.pdf")


def test_bodies_are_sealed_per_subject_and_read_back(
    app: Flask, client: FlaskClient, keys: Keys, settings: object
) -> None:
    service: Ledger = app.extensions["ledger"]
    docs = [{"name": "nda-draft.pdf", "sha256": "a" * 64, "size": 1}]
    assert post(client, keys, event(1, documents=docs)).status_code == 201
    li = {"name": "李四", "email": "LI@example.com ", "role": "signer"}
    assert post(client, keys, event(2, actor=li)).status_code == 201
    assert post(client, keys, event(3, actor=li | {"email": "li@example.com"})).status_code == 201
    with service.db.reading() as conn:
        rows = conn.execute(select(Body.seq, Body.key_id, Body.sealed)).all()
        subjects = conn.execute(select(DataKey.subject_id)).scalars().all()
        delivered = conn.execute(select(DeliveryBody.key_id, DeliveryBody.body)).all()
    assert len(subjects) == 2  # zhang, li (both spellings of li's address are one subject)
    assert rows[1].key_id == rows[2].key_id != rows[0].key_id
    for blob in [r.sealed for r in rows] + [d.body for d in delivered]:
        for word in SECRET_WORDS:
            assert word.encode() not in blob
    assert all(d.key_id is not None for d in delivered)
    got = client.get("/v1/log/entries/0", headers=keys.header("read")).get_json()
    assert got["event"]["actor"]["email"] == "zhang@example.com"
    assert len(got["salt"]) == 64
    timeline = client.get("/v1/envelopes/env-1", headers=keys.header("read")).get_json()
    assert [e["actor"]["name"] for e in timeline["events"]] == ["张三", "李四", "李四"]
    key_file = service.settings.keys_dir / "tenants" / "acme.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


def test_a_body_moved_to_another_row_does_not_open(
    app: Flask, client: FlaskClient, keys: Keys
) -> None:
    service: Ledger = app.extensions["ledger"]
    for n in (1, 2):
        post(client, keys, event(n))
    with service.db.writing() as conn:
        first = conn.execute(select(Body.sealed).where(Body.seq == 0)).scalar_one()
        conn.execute(update(Body).where(Body.seq == 1).values(sealed=first))
    answer = client.get("/v1/log/entries/1", headers=keys.header("read"))
    assert answer.status_code == 503
    assert "moved from another row" in answer.get_json()["error"]["message"]


def test_encryption_off_writes_clear_rows_that_init_seals(tmp_path: Path) -> None:
    from ledger.app import create_app
    from tests.conftest import initialise, make_settings
    from tests.ledger.helpers import run

    url = f"sqlite:///{tmp_path / 'var' / 'ledger.db'}"
    off = make_settings(url, tmp_path / "var", encryption="off")
    initialise(off)
    app = create_app(off)
    service: Ledger = app.extensions["ledger"]
    from ledger import access

    with service.db.writing() as conn:
        access.create_tenant(conn, "acme")
        ingest = access.create_key(conn, "ingest", "acme")
        read = access.create_key(conn, "read", "acme")
    client = app.test_client()
    for n in (1, 2):
        answer = client.post(
            "/v1/events", json=event(n), headers={"Authorization": f"Bearer {ingest}"}
        )
        assert answer.status_code == 201
    with service.db.reading() as conn:
        assert conn.execute(select(Body.key_id)).scalars().all() == [None, None]
    service.close()
    on = make_settings(url, tmp_path / "var")
    app = create_app(on)
    code, out = run(app, "init")
    assert code == 0
    assert "2 event bodies written in clear before were sealed" in out
    service = app.extensions["ledger"]
    with service.db.reading() as conn:
        rows = conn.execute(select(Body.key_id, Body.sealed)).all()
        delivered = conn.execute(select(DeliveryBody.key_id)).scalars().all()
    assert all(r.key_id is not None and b"zhang@example.com" not in r.sealed for r in rows)
    assert all(k is not None for k in delivered)
    got = app.test_client().get("/v1/log/entries/1", headers={"Authorization": f"Bearer {read}"})
    assert got.get_json()["event"]["event_id"] == "evt-2"
    service.close()


def test_subject_ids_follow_the_actor_and_are_cached_alike() -> None:
    from ledger.privacy.subjects import Subject, SubjectIds, subject_id, subject_of
    from ledger.pseudonyms import PseudonymKey

    key = PseudonymKey(b"k" * 32)
    ids = SubjectIds(key, limit=2)
    cases = [
        event(1, actor={"email": " Zhang@Example.com"}),
        event(2, actor={"email": "", "phone": "0086 138-0013-8000"}),
        event(3, actor={"email": " ", "phone": "+8613800138000"}),
        event(4, actor={"name": "no address"}, envelope_id="env-9"),
        event(5, type="x-ledger.hold", actor={"email": "x@example.com"}),
    ]
    for sent in cases * 2:
        assert ids(sent) == subject_id(key, subject_of(sent))
    assert ids(cases[0]) == subject_id(key, Subject.parse("zhang@example.com"))
    assert ids(cases[1]) == ids(cases[2]) == subject_id(key, Subject.parse("+86 138 0013 8000"))
    assert ids(cases[3]) == subject_id(key, Subject.envelope("env-9"))


def test_rotating_the_tenant_key_rewraps_and_destroys_the_old_version(
    app: Flask, client: FlaskClient, keys: Keys
) -> None:
    from tests.ledger.helpers import run

    service: Ledger = app.extensions["ledger"]
    post(client, keys, event(1))
    key_file = service.settings.keys_dir / "tenants" / "acme.key"
    assert [line.split()[0] for line in key_file.read_text().splitlines()] == ["1"]
    code, out = run(app, "tenant", "rotate-key", "--tenant", "acme")
    assert code == 0, out
    assert "key version 2" in out
    assert [line.split()[0] for line in key_file.read_text().splitlines()] == ["2"]
    with service.db.reading() as conn:
        assert conn.execute(select(DataKey.key_version)).scalars().all() == [2]
    other = create_app(service.settings)  # a process that never saw the old version
    got = other.test_client().get("/v1/log/entries/0", headers=keys.header("read")).get_json()
    assert got["event"]["actor"]["email"] == "zhang@example.com"
    other.extensions["ledger"].close()
    assert post(client, keys, event(2)).status_code == 201  # a new event after the rotation
    assert run(app, "tenant", "rotate-key", "--tenant", "nobody")[0] == 1


def test_init_seals_certificates_the_registry_kept_in_clear(app: Flask, keys: Keys) -> None:
    from datetime import UTC, datetime

    from ledger.certificates import registry
    from ledger.privacy.registry_keys import seal_existing_certificates
    from ledger.storage.models import Certificate

    service: Ledger = app.extensions["ledger"]
    pdf, bundle = b"%PDF zhang@example.com", b'{"actor": "zhang@example.com"}'
    with service.db.writing() as conn:
        tenant_id = conn.execute(select(Tenant.id).where(Tenant.name == "acme")).scalar_one()
        conn.execute(
            Certificate.__table__.insert().values(
                certificate_id="ELC-0000-0000-0000-0001", lang="en", tz="", tenant_id=tenant_id,
                envelope_id="env-1", status="pending", checkpoint_size=1, checkpoint_root="00",
                anchors="[]", evidence_sha256="0" * 64, bundle_sha256="0" * 64,
                pdf_sha256="0" * 64, pades_level="B-T", level_note=None,
                issued_at=datetime.now(UTC), supersedes=None, superseded_by=None,
                bundle=bundle, pdf=pdf, key_id=None,
            )
        )  # fmt: skip
    assert seal_existing_certificates(service) == 1
    assert seal_existing_certificates(service) == 0
    with service.db.reading() as conn:
        row = conn.execute(select(Certificate.pdf, Certificate.bundle, Certificate.key_id)).one()
        assert row.key_id is not None
        assert b"zhang" not in row.pdf + row.bundle
        stored = registry.stored_pdf(conn, service.data_keys, "ELC-0000-0000-0000-0001", "en", "")
        assert stored is not None
        assert stored[0] == pdf
        assert registry.stored_bundle(conn, service.data_keys, "ELC-0000-0000-0000-0001") == bundle
