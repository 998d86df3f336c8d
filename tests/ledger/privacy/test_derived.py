"""What an erasure purges beyond the bodies (ledger.privacy.derived): the console's search
terms, the registry's stored certificates and bundles, evidence-export ZIPs; and that the
console's index holds no personal data in clear, before or after."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from config.settings import Settings
from ledger import access, exports
from ledger.service import Ledger
from ledger.storage.console import ConsoleTerm
from ledger.storage.models import Certificate
from tests.conftest import Keys
from tests.ledger.console.seed import make_user, sign_in
from tests.ledger.privacy.conftest import ZHANG_WORDS, admin, database_bytes, two_subjects
from tests.reports.conftest import pdftotext

REASON = "GDPR Art. 17 request DSR-2026-0043"


def found(console: FlaskClient, signer: str) -> set[str]:
    page = console.get("/console/envelopes", query_string={"signer": signer})
    assert page.status_code == 200, page.text
    return {e for e in ("env-a", "env-b") if f">{e}<" in page.text}


def test_erasure_purges_search_terms_certificates_and_exports(
    anchored: Flask, keys: Keys, settings: Settings, tmp_path: Path
) -> None:
    client = anchored.test_client()
    service: Ledger = anchored.extensions["ledger"]
    two_subjects(client, keys)
    assert client.post("/v1/log/anchors", headers=admin(keys)).status_code == 201
    make_user(anchored, "reader@acme.example", "read", "acme")
    console = anchored.test_client()
    assert sign_in(console, "reader@acme.example").status_code == 303
    # The console finds Zhang by address (any case) and by name; Li in both envelopes.
    assert found(console, "Zhang@Example.com") == {"env-a"}
    assert found(console, "张三") == {"env-a"}
    assert found(console, "li@example.com") == {"env-a", "env-b"}
    with service.db.reading() as conn:
        terms = conn.execute(select(ConsoleTerm.kind, ConsoleTerm.value)).all()
    assert {kind for kind, _ in terms} == {"email", "name", "sha256"}
    assert all(len(value) == 64 and "@" not in value for _, value in terms)  # keyed hashes
    # A certificate issued (the registry keeps its PDF and bundle) and an export made.
    issued = client.get("/v1/envelopes/env-a/certificate.pdf", headers=keys.header("read"))
    assert issued.status_code == 200
    old_id = issued.headers["X-Certificate-Id"]
    with service.db.reading() as conn:
        acme = (access.tenant_id(conn, "acme"), "acme")
    made = exports.create(service, acme, envelopes=["env-a"], created_by="test")
    other = exports.create(service, acme, envelopes=["env-b"], created_by="test")
    assert exports.run(service, made.id, processes=1).status == "done"
    assert exports.run(service, other.id, processes=1).status == "done"
    zip_a = exports.zip_path(settings, made.id)
    assert zip_a.is_file()

    answer = client.post(
        "/v1/erasures",
        json={"tenant": "acme", "subject": "zhang@example.com", "reason": REASON},
        headers=admin(keys),
    )
    assert answer.status_code == 201, answer.get_json()

    # The console finds nothing of Zhang; Li still, from the bodies that remain.
    assert found(console, "zhang@example.com") == set()
    assert found(console, "张三") == set()
    assert found(console, "li@example.com") == {"env-a", "env-b"}
    assert found(console, "李四") == {"env-a", "env-b"}
    # The export that held env-a is gone from disk, its row says why; env-b's is kept.
    assert not zip_a.exists()
    gone = exports.get(service, made.id, None)
    assert gone.status == "erased"
    assert "erasure" in (gone.error or "")
    download = client.get(f"/v1/exports/{made.id}/download", headers=keys.header("read"))
    assert download.status_code == 409
    assert exports.get(service, other.id, None).status == "done"
    assert exports.zip_path(settings, other.id).is_file()
    # /verify/<old id> still answers with the hashes, and says the content was erased.
    page = client.get(f"/verify/{old_id}")
    assert page.status_code == 200
    assert "Content erased" in page.text
    with service.db.reading() as conn:
        pdf_sha256 = conn.execute(
            select(Certificate.pdf_sha256).where(Certificate.certificate_id == old_id)
        ).scalar()
    assert pdf_sha256 in page.text
    # The next download issues a new certificate, "content erased", superseding the old.
    again = client.get("/v1/envelopes/env-a/certificate.pdf", headers=keys.header("read"))
    assert again.status_code == 200
    new_id = again.headers["X-Certificate-Id"]
    assert new_id != old_id
    (tmp_path / "new.pdf").write_bytes(again.data)
    assert "content erased" in pdftotext(tmp_path / "new.pdf")
    assert new_id in client.get(f"/verify/{old_id}").text  # superseded by the new one
    assert "Content erased" not in client.get(f"/verify/{new_id}").text
    # Nothing of Zhang in the database files (SQLite file and WAL; pg_dump).
    stored = database_bytes(settings)
    for word in ZHANG_WORDS:
        assert word.encode() not in stored, word
