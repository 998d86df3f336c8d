"""The public verification page and ``POST /v1/verify`` against a real ledger (the
development TSA over HTTP, the development issuer): the registry's facts and nothing
personal, English and Chinese, the 404 page, superseded certificates, uploads of the
real PDF, of one with a changed byte and of a bundle, 413, 429, and the URL the
certificate prints."""

from __future__ import annotations

import hashlib
import io
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.ledger.api.verification import Page, changed
from tests.ledger.certificates.world import ENVELOPE, PUBLIC_URL, World, world

PERSON, TITLE = "Maria Gonzalez", "Records Custodian"
SIGNER_NAME, SIGNER_EMAIL = "张三", "zhang@example.com"  # tests.conftest.event's actor


def page(response: Any) -> Page:
    assert response.mimetype == "text/html"
    return Page(response.get_data(as_text=True))


def upload(w: World, data: bytes, query: str = "?lang=en", name: str = "c.pdf") -> Any:
    return w.client.post(
        f"/verify{query}",
        data={"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


@pytest.fixture
def w(tmp_path: Path) -> Iterator[World]:
    env = {
        "public_url": PUBLIC_URL,
        "issuer_person": PERSON,
        "issuer_person_title": TITLE,
        "issuer_name": "Evidence Keeping Ltd.",
        "verify_burst": "100",  # test_rate_limit_per_client tests the limit
    }
    with world(f"sqlite:///{tmp_path / 'var' / 'ledger.db'}", tmp_path, **env) as found:
        found.append(2)
        found.anchor()
        yield found


def test_page_shows_the_registry_and_nothing_personal(w: World) -> None:
    en = w.download()
    zh = w.download("?lang=zh&tz=Asia/Shanghai")
    ident = en.headers["X-Certificate-Id"]
    response = w.client.get(f"/verify/{ident}", headers={"Accept-Language": "en-GB,en;q=0.8"})
    assert response.status_code == 200
    p = page(response)
    assert p.lang == "en"
    assert p.scripts == 0  # no JavaScript, nothing from another site
    assert ident in p.text
    assert p.by_id["level"] == "B-LTA"
    assert p.by_id["origin"] == w.settings.log_origin
    assert p.by_id["envelope"] == ENVELOPE
    assert p.by_id["issuer"] == "the development issuer: NOT FOR EVIDENCE"
    assert "Current" in p.by_id["state"]

    for pdf in (en.data, zh.data):
        assert hashlib.sha256(pdf).hexdigest() in p.text
    for secret in (SIGNER_NAME, SIGNER_EMAIL, PERSON, TITLE, "acme"):
        assert secret not in response.get_data(as_text=True)
    assert "Asia/Shanghai" in p.text
    assert "not publicly reachable" not in p.text  # LEDGER_PUBLIC_URL is set
    form = p.forms[0]
    assert form["method"] == "post"
    assert form["enctype"] == "multipart/form-data"
    assert form["input:file"] == "file"
    # Chinese by Accept-Language, English by the switch link
    p_zh = page(w.client.get(f"/verify/{ident}", headers={"Accept-Language": "zh-CN,zh;q=0.9"}))
    assert p_zh.lang == "zh-CN"
    assert "现行" in p_zh.by_id["state"]
    assert p_zh.links["lang-switch"] == f"/verify/{ident}?lang=en"
    p_en = page(w.client.get(p_zh.links["lang-switch"], headers={"Accept-Language": "zh"}))
    assert p_en.lang == "en"
    assert page(w.client.get(f"/verify/{ident.lower()}?lang=zh")).lang == "zh-CN"


def test_unknown_id_is_a_404_page(w: World) -> None:
    for ident in ("ELC-0000-0000-0000-0000", "nonsense", "ELC-<script>"):
        response = w.client.get(f"/verify/{ident}?lang=en")
        assert response.status_code == 404
        p = page(response)
        assert "No such certificate" in p.text
        assert p.forms  # the upload form is still there
    assert "无此证书" in page(w.client.get("/verify/ELC-0000-0000-0000-0000?lang=zh")).text


def test_superseded_certificate_links_the_newer(w: World) -> None:
    first = w.download()
    old = first.headers["X-Certificate-Id"]
    w.append(1)
    w.anchor()
    new = w.download().headers["X-Certificate-Id"]
    p = page(w.client.get(f"/verify/{old}?lang=en"))
    assert "Superseded" in p.by_id["state"]
    assert p.links["newer"] == f"/verify/{new}?lang=en"
    fresh = page(w.client.get(p.links["newer"]))
    assert fresh.links["older"] == f"/verify/{old}?lang=en"
    assert "Current" in fresh.by_id["state"]
    # the old PDF still checks, is registered, and says what superseded it
    checked = page(upload(w, first.data))
    assert checked.by_id["verdict"] == "VALID"
    assert old in checked.by_id["registered"]
    assert new in checked.by_id["superseded"]


def test_uploads_checked_and_compared_with_the_registry(w: World) -> None:
    pdf = w.download().data
    ident = w.download().headers["X-Certificate-Id"]
    good = page(upload(w, pdf))
    assert good.by_id["verdict"] == "VALID"
    assert "This exact PDF was issued by this ledger" in good.by_id["registered"]
    assert ident in good.by_id["registered"]
    assert {r["data-status"] for r in good.rows} <= {"pass", "skipped", "warning"}
    assert "pdf signature" in {r["data-name"] for r in good.rows}
    # one changed byte: invalid, the failing check named, not registered
    bad_response = upload(w, changed(pdf))
    assert bad_response.status_code == 200
    bad = page(bad_response)
    assert bad.by_id["verdict"] == "INVALID"
    failed = [r["data-name"] for r in bad.rows if r["data-status"] == "fail"]
    assert failed
    assert bad.by_id["failed"] == f"Failed check: {failed[0]}"
    assert "issued no PDF with this SHA-256" in bad.by_id["registered"]
    # Chinese checklist
    zh = page(upload(w, changed(pdf), "?lang=zh"))
    assert zh.by_id["verdict"] == "无效"
    assert zh.by_id["failed"].startswith("未通过的检查")
    assert "PDF 签名（pdf signature）" in zh.text
    # the evidence bundle
    bundle = w.client.get(f"/v1/envelopes/{ENVELOPE}/evidence", headers=w.header(w.read)).data
    as_bundle = page(upload(w, bundle, name="evidence-bundle.json"))
    assert as_bundle.by_id["verdict"] == "VALID"
    assert ident in as_bundle.by_id["registered"]  # a certificate was issued for it
    # no file
    empty = w.client.post("/verify?lang=en", data={}, content_type="multipart/form-data")
    assert empty.status_code == 400
    assert "No file" in page(empty).text


def test_v1_verify_json(w: World) -> None:
    response = w.download()
    pdf, ident = response.data, response.headers["X-Certificate-Id"]
    ok = w.client.post("/v1/verify", data=pdf, content_type="application/pdf")
    assert ok.status_code == 200
    body = ok.get_json()
    assert body["valid"] is True
    assert body["registered"] is True
    assert body["certificate_id"] == ident
    assert body["pades_level"] == "B-LTA"
    assert body["certificate"]["url"] == f"{PUBLIC_URL}/verify/{ident}"
    assert all(set(c) >= {"name", "status", "detail"} for c in body["checks"])
    bad = w.client.post("/v1/verify", data=changed(pdf), content_type="application/pdf").get_json()
    assert bad["valid"] is False
    assert bad["registered"] is False
    assert any(c["status"] == "fail" for c in bad["checks"])
    bundle = w.client.get(f"/v1/envelopes/{ENVELOPE}/evidence", headers=w.header(w.read)).data
    as_bundle = w.client.post("/v1/verify", data=bundle, content_type="application/json")
    assert as_bundle.get_json()["valid"] is True
    assert as_bundle.get_json()["kind"] == "bundle"
    garbage = w.client.post("/v1/verify", data=b"{not json", content_type="application/json")
    assert garbage.get_json()["valid"] is False
    assert garbage.get_json()["checks"][0]["name"] == "readable"
    assert w.client.post("/v1/verify", data=pdf, content_type="text/plain").status_code == 415
    assert w.client.post("/v1/verify", data=b"", content_type="application/pdf").status_code == 400


def test_files_over_20_mb_are_413(w: World) -> None:
    big = b"%PDF-1.7\n" + b"0" * (20 * 1024 * 1024)
    # the multipart body made here: the test client would spool it to a file it never closes
    boundary = "b0undary"
    form = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="c.pdf"\r\n'
            f"Content-Type: application/pdf\r\n\r\n"
        ).encode()
        + big
        + f"\r\n--{boundary}--\r\n".encode()
    )
    html = w.client.post(
        "/verify?lang=en", data=form, content_type=f"multipart/form-data; boundary={boundary}"
    )
    assert html.status_code == 413
    assert "larger than 20 MB" in page(html).text
    json_ = w.client.post("/v1/verify", data=big, content_type="application/pdf")
    assert json_.status_code == 413
    assert json_.get_json()["error"]["code"] == "payload_too_large"


def test_rate_limit_per_client(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'var' / 'ledger.db'}"
    with world(url, tmp_path, verify_rate="2", verify_burst="2") as w:
        client = w.client
        for _ in range(2):
            assert (
                client.post("/v1/verify", data=b"{}", content_type="application/json").status_code
                == 200
            )
        refused = client.post("/v1/verify", data=b"{}", content_type="application/json")
        assert refused.status_code == 429
        assert 1 <= int(refused.headers["Retry-After"]) <= 30
        page_refused = upload(w, b"{}")
        assert page_refused.status_code == 429
        assert int(page_refused.headers["Retry-After"]) >= 1
        # another address has its own bucket; the GET pages are not limited
        other = client.post(
            "/v1/verify",
            data=b"{}",
            content_type="application/json",
            environ_base={"REMOTE_ADDR": "192.0.2.9"},
        )
        assert other.status_code == 200
        assert client.get("/verify").status_code == 200
        # without LEDGER_VERIFY_PROXIES, a forwarded address is not believed
        forged = client.post(
            "/v1/verify",
            data=b"{}",
            content_type="application/json",
            headers={"X-Forwarded-For": "198.51.100.1"},
        )
        assert forged.status_code == 429


def test_rate_limit_behind_a_trusted_proxy(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'var' / 'ledger.db'}"
    env = {"verify_rate": "1", "verify_burst": "1", "verify_proxies": "127.0.0.1/32"}
    with world(url, tmp_path, **env) as w:

        def post(forwarded: str) -> int:
            response = w.client.post(
                "/v1/verify",
                data=b"{}",
                content_type="application/json",
                headers={"X-Forwarded-For": forwarded},
                environ_base={"REMOTE_ADDR": "127.0.0.1"},
            )
            status: int = response.status_code
            return status

        assert post("198.51.100.1") == 200
        assert post("198.51.100.1") == 429
        assert post("198.51.100.2") == 200  # another client behind the same proxy


def pdftotext(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "c.pdf"
    path.write_bytes(pdf)
    done = subprocess.run(  # noqa: S603
        ["pdftotext", "-enc", "UTF-8", str(path), "-"],  # noqa: S607
        capture_output=True,
        check=True,
    )
    return done.stdout.decode()


def test_the_certificate_carries_the_public_url(w: World, tmp_path: Path) -> None:
    response = w.download()
    ident = response.headers["X-Certificate-Id"]
    url = f"{PUBLIC_URL}/verify/{ident}"
    text = pdftotext(response.data, tmp_path)
    assert url in text
    assert "not publicly reachable" not in " ".join(text.split())
    path = url.removeprefix(PUBLIC_URL)
    assert w.client.get(path).status_code == 200


def test_without_a_public_url_both_say_not_publicly_reachable(tmp_path: Path) -> None:
    with world(f"sqlite:///{tmp_path / 'var' / 'ledger.db'}", tmp_path) as w:
        w.append(1)
        response = w.download("?lang=zh")
        ident = response.headers["X-Certificate-Id"]
        text = " ".join(pdftotext(response.data, tmp_path).split())
        assert f"http://{w.settings.bind}/verify/{ident}" in text
        assert "不可公开访问" in "".join(text.split())
        p = page(w.client.get(f"/verify/{ident}?lang=en"))
        assert "not publicly reachable" in p.by_id["not-public"]
