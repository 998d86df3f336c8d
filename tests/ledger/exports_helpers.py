"""Helpers of the export tests: three envelopes of acme, checks of an export's ZIP, a count."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from pyhanko.pdf_utils.reader import PdfFileReader
from sqlalchemy import func, select

from ledger.service import Ledger
from ledger.storage.models import Export
from tests.conftest import Keys, event
from tests.ledger.helpers import vkeys
from verifier.bundle import verify_bundle

ENVELOPES = ("ENV-A", "ENV-B/2026 合同", "ENV-C")


def seed(client: FlaskClient, keys: Keys) -> None:
    """Three envelopes of acme (sent on 1, 2 and 3 November), one of globex."""
    events: list[dict[str, Any]] = []
    for i, envelope in enumerate(ENVELOPES):
        for j, kind in enumerate(("envelope.sent", "recipient.viewed", "envelope.completed")):
            events.append(
                event(
                    f"{i}-{j}",
                    envelope_id=envelope,
                    type=kind,
                    occurred_at=f"2026-11-0{i + 1}T0{j + 1}:00:00Z",
                )
            )
    done = client.post("/v1/events/batch", json={"events": events}, headers=keys.header("ingest"))
    assert done.status_code == 201, done.get_data(as_text=True)
    other = event("g", envelope_id="GLOBEX-1", occurred_at="2026-11-02T00:00:00Z")
    answer = client.post("/v1/events", json=other, headers=keys.header("other_ingest"))
    assert answer.status_code == 201


def acme(app: Flask) -> tuple[Ledger, tuple[int, str]]:
    service: Ledger = app.extensions["ledger"]
    with service.db.reading() as conn:
        from ledger import access

        return service, (access.tenant_id(conn, "acme"), "acme")


def check_manifest(path: Path, envelopes: tuple[str, ...]) -> dict[str, Any]:
    """The manifest lists every file of the ZIP with its true hash and size, and each
    envelope's three files; PDFs parse and are signed."""
    with zipfile.ZipFile(path) as z:
        names = z.namelist()
        manifest: dict[str, Any] = json.loads(z.read("manifest.json"))
        rows = list(csv.DictReader(io.StringIO(z.read("manifest.csv").decode())))
        assert [r["path"] for r in rows] == [f["path"] for f in manifest["files"]]
        assert set(names) == {r["path"] for r in rows} | {"manifest.csv", "manifest.json"}
        for row, listed in zip(rows, manifest["files"], strict=True):
            data = z.read(row["path"])
            assert hashlib.sha256(data).hexdigest() == row["sha256"] == listed["sha256"]
            assert len(data) == int(row["size"]) == listed["size"]
            if row["kind"] == "certificate":
                assert row["certificate_id"].startswith("ELC-"), row
                assert PdfFileReader(io.BytesIO(data)).embedded_signatures, row["path"]
        assert manifest["envelopes"] == list(envelopes)
        for envelope in envelopes:
            assert sorted((r["kind"], r["lang"]) for r in rows if r["envelope_id"] == envelope) == [
                ("certificate", "en"),
                ("certificate", "zh"),
                ("evidence-bundle", ""),
            ]
    return manifest


def check_zip(path: Path, client: FlaskClient, envelopes: tuple[str, ...]) -> dict[str, Any]:
    """Everything an auditor receiving the ZIP would check (``check_manifest``, and each
    bundle verifies with the ledger's keys); the manifest."""
    manifest = check_manifest(path, envelopes)
    assert manifest["format"] == "evidence-export/1"
    trusted = vkeys(client)
    with zipfile.ZipFile(path) as z:
        for listed in manifest["files"]:
            if listed["kind"] != "evidence-bundle":
                continue
            data = z.read(listed["path"])
            assert json.loads(data)["envelope_id"] == listed["envelope_id"]
            report = verify_bundle(data, trusted, [])
            assert report.valid, report
    return manifest


def count_exports(service: Ledger) -> int:
    with service.db.reading() as conn:
        return int(conn.execute(select(func.count()).select_from(Export)).scalar_one())
