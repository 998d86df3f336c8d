"""The console end to end in Chromium: sign in, search, an envelope, a certificate
downloaded and parsed back, an export of three envelopes (its manifest's hashes checked),
analytics, the log, users, sign out; every page passes axe-core (no
serious or critical violation) at laptop and phone widths and is saved as a screenshot."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import zipfile
from pathlib import Path

from playwright.sync_api import Locator, Page, expect
from pyhanko.pdf_utils.reader import PdfFileReader

from tests.browser.conftest import PASSWORD, check_page
from tests.server import LedgerServer


def nav(page: Page, name: str) -> Locator:
    """A link of the console's navigation."""
    return page.get_by_role("navigation", name="Console").get_by_role("link", name=name, exact=True)


def sign_in(page: Page, email: str) -> None:
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/console/sign-in\?next="))
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Envelopes", level=1)).to_be_visible()


def test_admin_signs_in_searches_reads_downloads_and_signs_out(
    page: Page, server: LedgerServer, tmp_path: Path
) -> None:
    page.goto("/")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    check_page(page, "sign-in")
    # the keyboard alone signs in: tab to each field, Enter submits
    page.get_by_label("E-mail address").focus()
    page.keyboard.type("admin@example.com")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Envelopes", level=1)).to_be_visible()
    expect(page.get_by_role("status").first).to_contain_text("4 envelopes")
    check_page(page, "envelopes")

    page.get_by_label("Signer e-mail or name").fill("li.na@acme.example")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_text("1 envelope", exact=True)).to_be_visible()
    page.get_by_label("Signer e-mail or name").fill("")
    page.get_by_label("Status").select_option("completed")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_text("1 envelope", exact=True)).to_be_visible()
    check_page(page, "envelopes-search")
    page.get_by_role("link", name="env-acme-1").click()

    expect(page.get_by_role("heading", name="Envelope env-acme-1")).to_be_visible()
    expect(page.get_by_text("Zhang Wei <zhang.wei@acme.example>").first).to_be_visible()
    expect(page.get_by_text("Asia/Shanghai").first).to_be_visible()
    expect(page.get_by_text("anchored", exact=True)).to_be_visible()
    check_page(page, "envelope")

    with page.expect_download() as download:
        page.get_by_role("link", name="Certificate of evidence (English, PDF)").click()
    pdf = tmp_path / "certificate.pdf"
    download.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF-")
    with pdf.open("rb") as f:
        reader = PdfFileReader(f)
        assert len(reader.embedded_signatures) >= 1  # PAdES-signed
        assert reader.embedded_signatures[0].field_name
    text = subprocess.run(  # noqa: S603
        ["pdftotext", str(pdf), "-"],  # noqa: S607
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "env-acme-1" in text
    with page.expect_download() as download:
        page.get_by_role("link", name="Evidence bundle (JSON)").click()
    bundle = tmp_path / "evidence-bundle.json"
    download.value.save_as(bundle)
    assert json.loads(bundle.read_bytes())["format"] == "evidence-bundle/1"

    # export three envelopes: tick them, follow the progress, check the ZIP's manifest
    nav(page, "Envelopes").click()
    page.get_by_label("Tenant", exact=True).select_option("acme")
    page.get_by_role("button", name="Search").click()
    for envelope in ("env-acme-1", "env-acme-2", "env-acme-3"):
        page.get_by_label(f"Export {envelope}").check()
    page.get_by_role("button", name="Export the ticked envelopes").click()
    expect(page.get_by_role("heading", name=re.compile("^Export exp_"))).to_be_visible()
    expect(page.get_by_role("link", name="Download the ZIP")).to_be_visible(timeout=120_000)
    expect(page.get_by_text("3 of 3 envelopes done")).to_be_visible()
    check_page(page, "export")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the ZIP").click()
    with zipfile.ZipFile(download.value.path()) as z:
        manifest = json.loads(z.read("manifest.json"))
        for row in manifest["files"]:
            assert hashlib.sha256(z.read(row["path"])).hexdigest() == row["sha256"]
        envelopes = {row["envelope_id"] for row in manifest["files"] if row["envelope_id"]}
        assert envelopes == {"env-acme-1", "env-acme-2", "env-acme-3"}
    nav(page, "Exports").click()
    expect(page.get_by_role("heading", name="Evidence exports")).to_be_visible()
    check_page(page, "exports")

    # analytics of acme in November 2026: 3 sent, 1 completed, 1 declined
    nav(page, "Analytics").click()
    page.get_by_label("Tenant", exact=True).select_option("acme")
    page.get_by_label("From (UTC day)").fill("2026-11-01")
    page.get_by_label("To (inclusive)").fill("2026-11-30")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_text("3 envelopes sent")).to_be_visible()
    expect(page.get_by_text("33.3 % completed")).to_be_visible()
    expect(page.get_by_text("33.3 % declined")).to_be_visible()
    expect(page.get_by_role("img", name=re.compile("funnel", re.IGNORECASE))).to_be_visible()
    check_page(page, "analytics")

    nav(page, "Log").click()
    expect(page.get_by_role("heading", name="The log")).to_be_visible()
    check_page(page, "log")
    nav(page, "Users").click()
    expect(page.get_by_role("heading", name="Users", level=1)).to_be_visible()
    check_page(page, "users")
    nav(page, "API keys").click()
    expect(page.get_by_role("heading", name="API keys")).to_be_visible()
    check_page(page, "keys")

    # the public verification page, from the console's link: the bundle and the PDF verify
    nav(page, "Verify").click()
    expect(page).to_have_url(re.compile(r"/verify$"))
    check_page(page, "verify")
    for name, upload in (("verify-bundle", bundle), ("verify-certificate", pdf)):
        page.locator("input[type=file][name=file]").first.set_input_files(upload)
        page.get_by_role("button", name="Verify", exact=True).first.click()
        expect(page.locator("#verdict")).to_have_text("VALID")
        check_page(page, name)
    page.goto("/console/")
    expect(page.get_by_role("heading", name="Envelopes", level=1)).to_be_visible()

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.goto("/console/envelopes")
    expect(page).to_have_url(re.compile(r"/console/sign-in"))


def test_an_audit_user_sees_no_content_and_a_reader_only_their_tenant(page: Page) -> None:
    sign_in(page, "auditor@example.com")
    expect(page.get_by_label("Signer e-mail or name")).to_have_count(0)
    page.get_by_role("link", name="env-globex-1").click()
    expect(page.get_by_text("recipient.signed")).to_be_visible()
    assert "Hank" not in page.content()
    expect(page.get_by_role("link", name=re.compile("Certificate"))).to_have_count(0)
    check_page(page, "envelope-audit")
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, "reader@acme.example")
    expect(page.get_by_role("status").first).to_contain_text("3 envelopes")
    response = page.goto("/console/envelopes/globex/env-globex-1")
    assert response is not None
    assert response.status == 404
    check_page(page, "not-found")
