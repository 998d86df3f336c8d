"""`ledger subject-export` (ledger.privacy.export): every body of one subject, decrypted,
with the request bodies that carried them; nothing of anyone else."""

from __future__ import annotations

import base64
import json
from pathlib import Path

from flask import Flask

from tests.conftest import Keys
from tests.ledger.helpers import run
from tests.ledger.privacy.conftest import two_subjects


def test_a_subject_export_has_every_body_of_the_subject(
    app: Flask, keys: Keys, tmp_path: Path
) -> None:
    two_subjects(app.test_client(), keys)
    out = tmp_path / "zhang.json"
    code, said = run(app, "subject-export", "--tenant", "acme", "--subject", "ZHANG@example.com",
                     "--out", str(out))  # fmt: skip
    assert code == 0, said
    assert "2 events written" in said
    document = json.loads(out.read_text(encoding="utf-8"))
    assert document["format"] == "subject-export/1"
    assert document["subject"] == {"kind": "email", "value": "zhang@example.com"}
    assert [e["event"]["event_id"] for e in document["events"]] == ["evt-1", "evt-3"]
    assert document["events"][0]["event"]["documents"][0]["name"] == "zhang-employment-contract.pdf"
    delivered = document["deliveries"][document["events"][0]["delivery_sha256"]]
    assert json.loads(base64.b64decode(delivered["body_base64"]))["actor"]["name"] == "张三"
    assert "li@example.com" not in out.read_text(encoding="utf-8")
    assert run(app, "subject-export", "--tenant", "acme", "--subject", "x@example.com")[0] == 1
    run(app, "erase", "--tenant", "acme", "--subject", "zhang@example.com", "--reason", "DSR")
    assert run(app, "subject-export", "--tenant", "acme", "--subject", "zhang@example.com")[0] == 1
