"""Erasure (ledger.privacy.erasure, POST /v1/erasures, `ledger erase`): the subject's
bodies, salts and request bodies go, its data key is destroyed, the tenant key rotated,
an x-ledger.erasure event says what, when, why and by whom; every proof still verifies,
readers say "content erased", and the database files hold nothing of the subject."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from flask import Flask
from sqlalchemy import select

from config.settings import Settings
from ledger import access
from ledger.anchoring.devtsa import DevTSA
from ledger.app import create_app
from ledger.console import search
from ledger.privacy.crypto import key_aad
from ledger.privacy.keys import KeyUnavailable
from ledger.service import Ledger
from ledger.storage.console import ConsoleTerm
from ledger.storage.models import Certificate, DataKey
from tests.conftest import Keys, event
from tests.ledger.helpers import check_receipt, run, vkeys
from tests.ledger.privacy.conftest import ZHANG_WORDS, admin, database_bytes, two_subjects
from tests.reports.conftest import pdftotext
from verifier.audit import audit_file
from verifier.bundle import verify_bundle

REASON = "GDPR Art. 17 request DSR-2026-0042"


def bundle_of(client: object, keys: Keys, envelope: str) -> dict[str, object]:
    answer = client.get(f"/v1/envelopes/{envelope}/evidence", headers=keys.header("read"))  # type: ignore[attr-defined]
    assert answer.status_code == 200
    body: dict[str, object] = answer.get_json()
    return body


def test_erasure_keeps_every_proof_and_leaves_nothing_of_the_subject(
    anchored: Flask, keys: Keys, tsa: DevTSA, settings: Settings, tmp_path: Path
) -> None:
    client = anchored.test_client()
    service: Ledger = anchored.extensions["ledger"]
    receipts = two_subjects(client, keys)
    assert client.post("/v1/log/anchors", headers=admin(keys)).status_code == 201
    before = bundle_of(client, keys, "env-a")
    issued = client.get("/v1/envelopes/env-a/certificate.pdf", headers=keys.header("read"))
    assert issued.status_code == 200  # the registry keeps it, with its bundle, sealed
    again = client.get("/v1/envelopes/env-a/certificate.pdf", headers=keys.header("read"))
    assert again.data == issued.data  # the stored copy, opened
    stored = database_bytes(settings)  # encryption at rest: nothing in clear even now
    for word in ZHANG_WORDS:
        assert word.encode() not in stored, word
    # The console's search index keeps keyed hashes of signers' addresses and name words.
    assert search.catch_up(service, seconds=None) == 4
    with service.db.reading() as conn:
        terms = set(conn.execute(select(ConsoleTerm.value)).scalars())
        acme = access.tenant_id(conn, "acme")

    def term(kind: str, value: str) -> str:
        return search.term_hash(service.pseudonyms, acme, kind, value)

    assert {term("email", "zhang@example.com"), term("name", "张三")} <= terms
    assert term("email", "li@example.com") in terms
    with service.db.reading() as conn:  # what a backup taken now holds of Zhang's key
        old_keys = conn.execute(
            select(DataKey.id, DataKey.subject_id, DataKey.wrapped, DataKey.key_version)
        ).all()
    assert b"acme" in database_bytes(settings)  # the search finds what is in clear

    answer = client.post(
        "/v1/erasures",
        json={"tenant": "acme", "subject": " Zhang@Example.com", "reason": REASON},
        headers=admin(keys),
    )
    assert answer.status_code == 201, answer.get_json()
    erased = answer.get_json()
    assert erased["erased"] == {"entries": [0, 2], "count": 2, "deliveries": 2}
    assert erased["data_keys_destroyed"] == 1
    assert erased["reason"] == REASON
    assert erased["by"].startswith("admin key ")
    assert "zhang" not in json.dumps(erased)

    trusted, roots = vkeys(client), [tsa.root_pem.read_bytes()]
    # Receipts and the bundle issued before still verify, as they are.
    for sent, receipt in receipts:
        check_receipt(receipt, sent, trusted)
    assert verify_bundle(before, trusted, roots).valid
    # Today's bundle: every check passes, Zhang's two entries say "content erased".
    after = bundle_of(client, keys, "env-a")
    report = verify_bundle(after, trusted, roots)
    assert report.valid, report.bottom_line
    assert [(c.seq, c.reason) for c in report.checks if c.status == "erased"] == [
        (0, "content erased"),
        (2, "content erased"),
    ]
    assert "2 entries' content erased" in report.bottom_line
    # Li is untouched.
    timeline = client.get("/v1/envelopes/env-a", headers=keys.header("read")).get_json()
    assert [e["erased"] for e in timeline["events"]] == [True, False, True]
    assert timeline["events"][1]["actor"]["name"] == "李四"
    other = client.get("/v1/envelopes/env-b", headers=keys.header("read")).get_json()
    assert other["events"][0]["actor"]["email"] == "li@example.com"
    # The erasure itself is in the log, with no personal data.
    log = client.get("/v1/envelopes/ledger.privacy?tenant=acme", headers=admin(keys)).get_json()[
        "events"
    ]
    assert [e["type"] for e in log] == ["x-ledger.erasure"]
    record = client.get(f"/v1/log/entries/{erased['seq']}", headers=admin(keys)).get_json()
    assert record["event"]["data"]["erased"]["entries"] == [0, 2]
    # The whole-log audit and fsck pass.
    code, out = run(anchored, "fsck")
    assert code == 0, out
    export = tmp_path / "log.jsonl"
    assert run(anchored, "export", "-o", str(export))[0] == 0
    audit = audit_file(export, trusted, roots)
    assert audit.valid, audit.bottom_line
    # The certificate says so.
    pdf = client.get("/v1/envelopes/env-a/certificate.pdf", headers=keys.header("read"))
    assert pdf.status_code == 200
    (tmp_path / "c.pdf").write_bytes(pdf.data)
    assert "content erased" in pdftotext(tmp_path / "c.pdf")
    with service.db.reading() as conn:  # the registry's copies of before: emptied
        kept = conn.execute(
            select(Certificate.pdf, Certificate.bundle, Certificate.certificate_id).where(
                Certificate.envelope_id == "env-a"
            )
        ).all()
    emptied = [row for row in kept if row.pdf == b""]
    assert emptied
    assert all(row.bundle == b"" for row in emptied)
    assert len({row.certificate_id for row in kept}) == 2  # before and after the erasure
    with service.db.reading() as conn:  # the search index forgot Zhang, not Li
        terms = set(conn.execute(select(ConsoleTerm.value)).scalars())
    assert term("email", "li@example.com") in terms
    assert not {term("email", "zhang@example.com"), term("name", "张三")} & terms
    # Nothing of Zhang in the database files (SQLite file and WAL; pg_dump).
    stored = database_bytes(settings)
    for word in ZHANG_WORDS:
        assert word.encode() not in stored, word
    # A backup's copy of Zhang's wrapped key no longer unwraps: its tenant key is gone.
    for row in old_keys:
        aad = key_aad("acme", row.id, row.subject_id)
        try:
            service.key_provider.unwrap("acme", row.key_version, row.wrapped, aad)
        except KeyUnavailable:
            continue
        raise AssertionError("a data key wrapped before the erasure still unwraps")


def test_a_backup_taken_before_cannot_decrypt_the_subject(
    app: Flask, keys: Keys, settings: Settings, tmp_path: Path
) -> None:
    if not settings.is_sqlite:
        return  # the PostgreSQL case: the wrapped keys of before, above
    client = app.test_client()
    two_subjects(client, keys)
    path = Path(str(settings.database_url).removeprefix("sqlite:///"))
    backup = tmp_path / "backup.db"
    live, copy = sqlite3.connect(path), sqlite3.connect(backup)
    live.backup(copy)
    live.close()
    copy.close()
    code, out = run(app, "erase", "--tenant", "acme", "--subject", "zhang@example.com",
                    "--reason", REASON)  # fmt: skip
    assert code == 0, out
    restored = create_app(settings.replace(database_url=f"sqlite:///{backup}"))
    answer = restored.test_client().get("/v1/log/entries/0", headers=keys.header("read"))
    assert answer.status_code == 503
    assert answer.get_json()["error"]["code"] == "key_unavailable"
    restored.extensions["ledger"].close()
    live_answer = client.get("/v1/log/entries/1", headers=keys.header("read")).get_json()
    assert live_answer["event"]["actor"]["name"] == "李四"


def test_erasure_refuses_bad_requests_and_changes_nothing(app: Flask, keys: Keys) -> None:
    client = app.test_client()
    two_subjects(client, keys)
    cases = [
        ({"tenant": "acme", "subject": "zhang@example.com"}, 400, "reason"),
        ({"tenant": "acme", "reason": "x"}, 400, "subject"),
        (
            {"tenant": "acme", "subject": "zhang@example.com", "envelope": "env-a", "reason": "x"},
            400,
            "subject",
        ),
        ({"tenant": "acme", "subject": "not an address", "reason": "x"}, 400, "subject"),
        ({"tenant": "acme", "subject": "nobody@example.com", "reason": "x"}, 404, None),
        ({"tenant": "nope", "subject": "zhang@example.com", "reason": "x"}, 404, None),
        ({"tenant": "acme", "subject": "zhang@example.com", "reason": "x", "more": 1}, 400, "more"),
    ]
    for body, status, field in cases:
        answer = client.post("/v1/erasures", json=body, headers=admin(keys))
        assert answer.status_code == status, (body, answer.get_json())
        if field:
            assert answer.get_json()["error"]["field"] == field
    refused = client.post(
        "/v1/erasures",
        json={"tenant": "acme", "subject": "zhang@example.com", "reason": "x"},
        headers=keys.header("read"),
    )
    assert refused.status_code == 403
    timeline = client.get("/v1/envelopes/env-a", headers=keys.header("read")).get_json()
    assert not any(e["erased"] for e in timeline["events"])


def test_erase_an_envelope_from_the_cli(app: Flask, keys: Keys) -> None:
    client = app.test_client()
    two_subjects(client, keys)
    code, out = run(app, "erase", "--tenant", "acme", "--envelope", "env-a", "--reason", REASON)
    assert code == 0, out
    record = json.loads(out)
    assert record["erased"]["entries"] == [0, 1, 2]
    assert record["by"] == "ledger CLI"
    timeline = client.get("/v1/envelopes/env-a", headers=keys.header("read")).get_json()
    assert [e["type"] for e in timeline["events"]][-1] == "x-ledger.erasure"
    assert [e["erased"] for e in timeline["events"]] == [True, True, True, False]
    # Li's other envelope, and new events of Zhang, are sealed and read as before.
    assert client.get("/v1/envelopes/env-b", headers=keys.header("read")).get_json()["events"][0][
        "actor"
    ]
    again = client.post(
        "/v1/events", json=event(9, envelope_id="env-c"), headers=keys.header("ingest")
    )
    assert again.status_code == 201
    seq = again.get_json()["seq"]
    got = client.get(f"/v1/log/entries/{seq}", headers=keys.header("read")).get_json()
    assert got["event"]["actor"]["email"] == "zhang@example.com"
