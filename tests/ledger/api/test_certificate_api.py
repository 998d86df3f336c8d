"""``GET /v1/envelopes/<id>/certificate.pdf`` and ``ledger certificate`` (SQLite and
PostgreSQL): who may ask for which tenant's certificate, the parameters, the level the
PDF reaches without a TSA (B-B) and with one (B-LTA), and the development issuer."""

from __future__ import annotations

import subprocess
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient

from ledger.cli import cli
from tests.conftest import Keys, event

URL = "/v1/envelopes/env-1/certificate.pdf"


def text_of(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "c.pdf"
    path.write_bytes(pdf)
    done = subprocess.run(  # noqa: S603
        ["pdftotext", "-enc", "UTF-8", str(path), "-"],  # noqa: S607
        capture_output=True,
        check=True,
    )
    return " ".join(done.stdout.decode().split())


def test_read_key_gets_its_tenant_s_certificate_b_b_without_tsa(
    app: Flask, client: FlaskClient, keys: Keys, tmp_path: Path
) -> None:
    sent = event(1, actor={"name": "张三", "email": "zhang@example.com", "role": "signer"})
    assert client.post("/v1/events", json=sent, headers=keys.header("ingest")).status_code == 201
    response = client.get(f"{URL}?lang=zh&tz=Europe/Berlin", headers=keys.header("read"))
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "application/pdf"
    assert response.headers["X-PAdES-Level"] == "B-B"
    ident = response.headers["X-Certificate-Id"]
    assert response.headers["Content-Disposition"] == (
        f"attachment; filename=certificate-{ident}-zh.pdf"
    )
    text = text_of(response.data, tmp_path)
    assert ident in text
    assert "B-B" in text
    assert "未配置时间戳服务机构" in "".join(text.split())
    assert "张三" in text
    assert "Europe/Berlin" in text
    assert "待锚定" in text  # PENDING: not anchored, no TSA in this configuration
    # the development issuer was made on demand, and says so
    assert (app.extensions["ledger"].settings.issuer_dir / "ca.pem").is_file()
    assert "NOT FOR EVIDENCE" in text


def test_who_may_ask_for_which_tenant(client: FlaskClient, keys: Keys) -> None:
    acme_only = event(2, envelope_id="acme-only")
    assert (
        client.post("/v1/events", json=acme_only, headers=keys.header("ingest")).status_code == 201
    )
    url = "/v1/envelopes/acme-only/certificate.pdf"
    assert client.get(url, headers=keys.header("other_read")).status_code == 404
    assert client.get(url, headers=keys.header("audit")).status_code == 403
    assert client.get(url, headers=keys.header("ingest")).status_code == 403
    assert client.get(url).status_code == 401
    missing = client.get(url, headers=keys.header("admin"))
    assert missing.status_code == 400
    assert missing.get_json()["error"]["field"] == "tenant"
    assert client.get(f"{url}?tenant=acme", headers=keys.header("admin")).status_code == 200


def test_parameters_are_checked(client: FlaskClient, keys: Keys) -> None:
    assert (
        client.post("/v1/events", json=event(3), headers=keys.header("ingest")).status_code == 201
    )
    for query, field in (
        ("?lang=fr", "lang"),
        ("?tz=Mars/Olympus", "tz"),
        ("?tz=", "tz"),
        ("?format=html", "format"),
    ):
        response = client.get(URL + query, headers=keys.header("read"))
        assert response.status_code == 400, query
        assert response.get_json()["error"]["field"] == field


def test_ledger_certificate_uses_the_development_tsa_b_lta(
    app: Flask, client: FlaskClient, keys: Keys, tmp_path: Path
) -> None:
    assert (
        client.post("/v1/events", json=event(4), headers=keys.header("ingest")).status_code == 201
    )
    out = tmp_path / "cert.pdf"
    result = app.test_cli_runner().invoke(
        cli,
        ["certificate", "env-1", "--tenant", "acme", "--tz", "Asia/Tokyo", "-o", str(out)],
    )
    assert result.exit_code == 0, result.output
    assert "PAdES B-LTA" in result.output
    assert "TSA " in result.output
    text = text_of(out.read_bytes(), tmp_path)
    assert "PAdES level reached: B-LTA" in text
    assert "Asia/Tokyo" in text
    many = app.test_cli_runner().invoke(cli, ["certificate", "env-1"])
    assert many.exit_code != 0
    assert "--tenant" in many.output
