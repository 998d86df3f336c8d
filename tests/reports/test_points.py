"""Each of the 28 points of docs/design/CERTIFICATE.md, read back from the PDF.

The certificates are issued by the real service (tests/reports/conftest.py: a 20-event
envelope, anchored by the development TSA, the reader's zone Asia/Shanghai) and read
back with poppler's ``pdftotext``. One test per point, named after its number.
``flat`` is the text with runs of whitespace made one space (phrases broken across
lines join again); ``dense`` has no whitespace at all (hashes broken across lines, and
Chinese text, join again).
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from reports.identity import certificate_id
from reports.page import qr_modules
from tests.reports.conftest import (
    ISSUER,
    ZONE,
    World,
    dense,
    flat,
    pdftotext,
    poppler,
    read_pgm,
)
from tests.reports.flow import DECLINE_REASON, ENVELOPE, ORIGINAL, SIGNED, TITLE
from verifier import timestamp

SHANGHAI = ZoneInfo(ZONE)


def utc(value: str) -> str:
    when = datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)
    return when.strftime("%Y-%m-%d %H:%M:%S.") + f"{when.microsecond // 1000:03d} UTC"


def local(value: str) -> str:
    when = datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(SHANGHAI)
    return when.strftime("%Y-%m-%d %H:%M:%S.") + f"{when.microsecond // 1000:03d} +08:00"


@pytest.fixture(scope="module")
def en(texts: dict[str, str]) -> str:
    return flat(texts["en"])


@pytest.fixture(scope="module")
def zh(texts: dict[str, str]) -> str:
    return dense(texts["zh"])


@pytest.fixture(scope="module")
def en_dense(texts: dict[str, str]) -> str:
    return dense(texts["en"])


@pytest.fixture(scope="module")
def bundle(pdfs: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The evidence bundle embedded in the English edition, extracted with pdfdetach."""
    out = tmp_path_factory.mktemp("attachment") / "evidence-bundle.json"
    poppler("pdfdetach", "-save", "1", "-o", out, pdfs["en"])
    value: dict[str, Any] = json.loads(out.read_bytes())
    return value


def test_point_01_issuer_name_address_contact_and_not_a_party(en: str, zh: str) -> None:
    for key in ("issuer_name", "issuer_address", "issuer_contact"):
        assert ISSUER[key] in en, key
        assert dense(ISSUER[key]) in zh, key
    assert "is not a party to the transaction recorded here" in en
    assert "并非本证书所记录交易的当事方" in zh


def test_point_02_declaration_of_a_qualified_person(en: str, zh: str) -> None:
    assert "Declaration of a qualified person (FRE 902(11), 902(13), 902(14))" in en
    person, title = ISSUER["issuer_person"], ISSUER["issuer_person_title"]
    assert f"I, {person}, {title} of {ISSUER['issuer_name']}" in en
    assert "penalty of perjury" in en
    assert "Signature: ______" in en
    assert re.search(r"Date: \d{4}-\d\d-\d\d \(UTC\)", en)
    assert f"Name: {person}" in en
    assert f"Title: {title}" in en
    assert "合格人员声明" in zh
    assert dense(f"本人 {person}") in zh


def test_point_03_subject_envelope_title_parties_documents(en: str, zh: str, en_dense: str) -> None:
    assert f"Envelope id {ENVELOPE}" in en
    assert f"Title {TITLE}" in en
    for name in ("李四", "张三", "Jane Roe", "王五", "赵六"):
        assert name in en
        assert dense(name) in zh
    assert "lease-42.pdf 48213 → 51877" in en
    assert ORIGINAL in en_dense
    assert SIGNED in en_dense
    assert "SHA-256 of the original" in en
    assert "SHA-256 of the final version" in en
    assert dense(TITLE) in zh


def test_point_04_process_channels_and_preservation(en: str, zh: str) -> None:
    assert "api api-key: API key 18" in en
    assert "docusign hmac: verified HMAC signature 2" in en
    assert "append-only Merkle tree (RFC 9162)" in en
    assert "hash chain" in en
    assert "C2SP signed note, Ed25519" in en
    assert "RFC 3161 time-stamps" in en
    assert "事件的收集与保全" in zh
    assert "默克尔树" in zh


def test_point_05_clock_source_and_the_two_times_kept_apart(en: str, zh: str) -> None:
    assert "Clock source" in en
    assert "Platform time: when the event happened, as the signing platform reported it" in en
    assert "Ledger time: when the ledger received the event (received_at" in en
    assert "system clock in UTC" in en
    assert "more than 300 seconds from its clock" in en
    assert "P: platform time, as reported; L: ledger time, when received" in en
    assert "时钟来源" in zh
    assert "平台时间" in zh
    assert "账本时间" in zh


def test_point_06_every_time_has_its_zone(
    en: str, world: World, bundle: dict[str, Any], tmp_path: Path
) -> None:
    first = bundle["entries"][0]["event"]["occurred_at"]
    assert f"P {utc(first)} {local(first)}" in en
    assert f"in the reader's zone {ZONE} (UTC+08:00 at issue time)" in en
    zones = re.findall(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)? (\S+)", en)
    assert len(zones) > 100
    assert {z.rstrip(");,.") for z in zones} == {"UTC", "+08:00", ZONE}
    # Without tz=, UTC only, and it says so.
    path = tmp_path / "utc.pdf"
    path.write_bytes(world.certificate("?lang=en"))
    text = flat(pdftotext(path))
    assert "No reader's time zone was chosen" in text
    zones = re.findall(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)? (\S+)", text)
    assert {z.rstrip(");,.") for z in zones} == {"UTC"}
    assert f"P {utc(first)}" in text


def test_point_07_complete_chronological_event_list(en: str, bundle: dict[str, Any]) -> None:
    entries = bundle["entries"]
    assert len(entries) == 20
    assert "The complete list of the envelope's 20 events" in en
    at = 0
    for entry in entries:
        row = f"{entry['seq']} P {utc(entry['event']['occurred_at'])}"
        found = en.find(row, at)
        assert found > at, row  # in seq order
        at = found
        assert entry["event"]["type"] in en


def test_point_08_each_actor_name_contact_role(en: str) -> None:
    for who in (
        "李四 li.si@example.cn sender",
        "张三 +86 138 0013 8000 signer",
        "Jane Roe jane.roe@example.com signer",
        "王五 wang.wu@example.cn reviewer",
        "赵六 zhao.liu@example.cn signer",
    ):
        assert who in en, who


def test_point_09_each_signer_authentication_method(en: str, zh: str) -> None:
    assert "Signers and their authentication" in en
    assert "张三 +86 138 0013 8000 SMS one-time code" in en
    assert "Jane Roe jane.roe@example.com email link" in en
    assert "赵六 zhao.liu@example.cn password" in en
    assert "auth: SMS one-time code" in en
    assert "签署人及其身份认证" in zh


def test_point_10_ip_address_and_user_agent_per_event(en: str) -> None:
    assert "203.0.113.7 Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X)" in en
    assert "192.0.2.55 Mozilla/5.0 (Windows NT 10.0) Firefox/133.0" in en
    assert "2001:db8::42 WeChat/8.0.50" in en
    assert "198.51.100.4" in en
    assert "no IP or user agent sent" in en


def test_point_11_consent_with_its_time(en: str, zh: str) -> None:
    assert "Consent to electronic records and signatures" in en
    assert "张三 consented at 2026-11-20 01:15:20 UTC (2026-11-20 09:15:20 Asia/Shanghai)" in en
    assert "Jane Roe consented at 2026-11-20 01:31:10 UTC" in en
    assert "张三于2026-11-2001:15:20UTC" in zh


def test_point_12_decline_void_and_expiry_reasons(en: str, zh: str) -> None:
    assert "Declines, voids and expiry" in en
    assert "Recipient declined at 2026-11-20 02:21:30 UTC" in en
    assert f"by 王五 (seq 15): {DECLINE_REASON}" in en
    assert dense(DECLINE_REASON) in zh


def test_point_13_how_each_event_reached_the_ledger(en: str, bundle: dict[str, Any]) -> None:
    sources = [json.loads(base64.b64decode(e["leaf"]))["source"] for e in bundle["entries"]]
    assert [s["channel"] for s in sources].count("docusign") == 2
    assert en.count("docusign verified HMAC signature") == 2  # the two rows
    assert en.count("api API key") == 18
    assert "Reached via / authenticated by" in en


def test_point_14_seq_and_leaf_hash_per_entry(en_dense: str, bundle: dict[str, Any]) -> None:
    for entry in bundle["entries"]:
        leaf = base64.b64decode(entry["leaf"])
        assert hashlib.sha256(b"\x00" + leaf).hexdigest() == entry["leaf_hash"]
        assert f"{entry['seq']}{entry['leaf_hash']}{entry['chain']}" in en_dense


def test_point_15_inclusion_proof_per_entry(en: str, en_dense: str, bundle: dict[str, Any]) -> None:
    assert "Appendix A Inclusion and consistency proofs" in en
    for entry in bundle["entries"]:
        n = len(entry["inclusion"])
        assert f"seq {entry['seq']}: inclusion proof to tree size 20, {n} hashes" in en
        for proof_hash in entry["inclusion"]:
            assert proof_hash in en_dense


def test_point_16_signed_checkpoint_log_key_and_key_id(
    en: str, en_dense: str, bundle: dict[str, Any], world: World
) -> None:
    assert dense(bundle["checkpoint"]) in en_dense
    assert world.vkey in en
    name, key_id, _ = world.vkey.split("+", 2)
    assert f"key name {name}, key id {key_id} (Ed25519)" in en


def test_point_17_consistency_proof_to_the_newest_checkpoint(
    en: str, en_dense: str, bundle: dict[str, Any]
) -> None:
    latest = bundle["latest"]
    assert "The log today (tree size 21) extends the anchored checkpoint (tree size 20)" in en
    assert dense(latest["checkpoint"]) in en_dense
    for proof_hash in latest["consistency"]:
        assert proof_hash in en_dense
    assert f"Consistency proof from tree size 20 to 21, {len(latest['consistency'])} hashes" in en


def test_point_18_each_rfc3161_token_with_its_facts(
    en: str, bundle: dict[str, Any], world: World
) -> None:
    (anchor,) = bundle["anchors"]
    token = base64.b64decode(anchor["token"])
    note = bundle["checkpoint"]
    digest = hashlib.sha256(note[: note.rindex("\n\n") + 1].encode()).digest()
    facts = timestamp.verify(token, digest, [world.tsa_root.read_bytes()])
    assert f"Serial number {facts.serial_number}" in en
    gen = facts.gen_time.strftime("%Y-%m-%d %H:%M:%S")
    assert f"genTime {gen} UTC" in en
    assert f"Policy {facts.policy}" in en
    assert "Hash algorithm sha256" in en
    assert re.search(r"Accuracy 1 ?s", en)
    assert "Certificate chain" in en
    for subject in facts.chain:
        assert flat(subject) in en
    assert "(development TSA — NOT FOR EVIDENCE)" in en
    assert "The time-stamps come from the development TSA — NOT FOR EVIDENCE" in en


def test_point_19_hash_chain_value_per_entry(en_dense: str, bundle: dict[str, Any]) -> None:
    previous = "00" * 32
    for entry in bundle["entries"]:
        assert entry["chain"] in en_dense
        if entry["seq"] == 0:
            assert entry["prev_chain"] == previous
    assert "Hash chain" in en_dense or "Hashchain" in en_dense


def test_point_20_instructions_with_ledger_verify_and_openssl(en: str, zh: str) -> None:
    assert "ledger-verify pdf certificate.pdf --log-key" in en
    assert "ledger-verify bundle evidence-bundle.json" in en
    assert "openssl dgst -sha256" in en
    assert "openssl ts -verify -digest" in en
    assert "openssl pkeyutl -verify -pubin -inkey log-key.pem -rawin" in en
    assert "如何自行验证本证书" in zh


def test_point_21_verification_result_check_by_check_with_date(
    en: str, zh: str, bundle: dict[str, Any]
) -> None:
    assert re.search(
        r"Verified at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC \(.+? Asia/Shanghai\) by the issuer", en
    )
    assert "VALID: 20 entries (seq 0 to 19) of envelope ENV-2026-0042" in en
    assert "Appendix B Every verification check" in en
    for name in ("key known", "checkpoint signature", "commitment", "inclusion", "anchor token"):
        assert name in en
    # 3 bundle checks, 4 per entry, 2 per anchor, 1 consistency: every one is listed
    assert "Every check, one by one, is listed in Appendix B (86 checks)" in en
    assert re.search(r"86 consistency to latest pass the log at size 21 extends", en)
    assert "逐项验证结果" in zh


def test_point_22_qr_code_and_verification_url(
    en: str, pdfs: dict[str, Path], tmp_path: Path
) -> None:
    match = re.search(r"https://verify\.keeping\.example/verify/(ELC-[0-9A-F-]{19})", en)
    assert match is not None
    url = match.group(0)
    assert f"Scan the QR code on the first page, or open {url}" in en
    # Decode by comparison: render page 1 and sample each module of the code reportlab
    # makes for this URL, where the certificate draws it (30 mm square, top right).
    modules = qr_modules(url)
    dpi = 200
    poppler("pdftoppm", "-gray", "-r", str(dpi), "-f", "1", "-l", "1", pdfs["en"], tmp_path / "p")
    width, _, pixels = read_pgm(next(tmp_path.glob("p*.pgm")))
    scale = dpi / 72
    size = 30 / 25.4 * 72  # points
    left, top = (595.276 - 16 / 25.4 * 72 - size) * scale, 16 / 25.4 * 72 * scale
    box = size * scale / (len(modules) + 8)
    wrong = 0
    for r, row in enumerate(modules):
        for c, dark in enumerate(row):
            x = int(left + (c + 4 + 0.5) * box)
            y = int(top + (r + 4 + 0.5) * box)
            wrong += (pixels[y * width + x] < 128) != dark
    assert wrong == 0


def test_point_23_bundle_embedded_as_attachment(
    en: str, pdfs: dict[str, Path], bundle: dict[str, Any], tmp_path: Path
) -> None:
    listing = poppler("pdfdetach", "-list", pdfs["en"])
    assert "1: evidence-bundle.json" in listing
    out = tmp_path / "b.json"
    poppler("pdfdetach", "-save", "1", "-o", out, pdfs["en"])
    raw = out.read_bytes()
    assert bundle["format"] == "evidence-bundle/1"
    sha = hashlib.sha256(raw).hexdigest()
    assert f"file attachment evidence-bundle.json ({len(raw)} bytes, SHA-256 {sha})" in en
    # the id names the evidence the attachment carries (reports.identity)
    assert certificate_id(json.loads(raw)) in en


def test_point_24_retention_what_how_long_where_statutes(en: str, zh: str) -> None:
    assert "at least 10 years after the date of this certificate" in en
    assert "in the operator's ledger database (SQLite)" in en
    for statute in (
        "15 U.S.C. §7001(d)",
        "UETA §12",
        "Regulation (EU) No 910/2014",
        "PRC Electronic Signature Law, Art. 5–8",
        "Provisions on Internet Courts, Art. 11",
        "Online Litigation Rules, Art. 16–18",
        "GDPR Art. 17, PIPL Art. 47",
    ):
        assert statute in en, statute
    assert "电子签名法》第五条至第八条" in zh


def test_point_25_scope_and_limits(en: str, zh: str) -> None:
    assert "Scope and limits" in en
    assert "This certificate proves that the events listed were received by the ledger" in en
    assert "It does not prove: that what the platform reported is true" in en
    assert "a signer's identity beyond the authentication method named" in en
    assert "证明范围与限制" in zh


def test_point_26_pades_signature_timestamp_and_ltv_level(en: str, zh: str, world: World) -> None:
    assert "This PDF is signed by the issuer with PAdES (ETSI EN 319 142-1) at level B-LTA" in en
    assert "ECDSA P-256, SHA-256" in en
    assert "a signature time-stamp and a document time-stamp over the whole file" in en
    assert "the certificate chains of the issuer and of the TSA with the revocation data" in en
    assert "(CRLs or OCSP responses) of every certificate below their roots" in en
    assert "PAdES level reached: B-LTA" in en
    assert "Evidence Ledger development issuer — NOT FOR EVIDENCE" in en
    assert "达到的PAdES级别：B-LTA" in zh
    response = world.client.get(
        f"/v1/envelopes/{ENVELOPE}/certificate.pdf",
        headers={"Authorization": f"Bearer {world.read}"},
    )
    assert response.headers["X-PAdES-Level"] == "B-LTA"


def test_point_27_id_and_page_x_of_y_on_every_page_and_both_editions(
    pdfs: dict[str, Path], texts: dict[str, str]
) -> None:
    for lang, path in pdfs.items():
        pages = int(
            re.search(  # type: ignore[union-attr]
                r"Pages:\s+(\d+)",
                poppler("pdfinfo", path),
            ).group(1)
        )
        assert pages >= 5
        ident = re.search(r"ELC-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}", texts[lang])
        assert ident is not None
        for n in range(1, pages + 1):
            page = pdftotext(path, n)
            assert ident.group(0) in page, (lang, n)
            marker = f"page {n} of {pages}" if lang == "en" else f"第{n}页，共{pages}页"
            assert marker in (page if lang == "en" else dense(page)), (lang, n)
    assert "English (lang=en); 简体中文版: lang=zh" in flat(texts["en"])
    assert "电子证据证书" in texts["zh"]
    assert "张三" in texts["en"]  # Chinese names in the English edition too
    # every font is embedded (a subset): no boxes on a machine without CJK fonts
    for path in pdfs.values():
        fonts = poppler("pdffonts", path).splitlines()[2:]
        assert fonts
        for line in fonts:
            assert "WenQuanYiMicroHei" in line, line
            assert " yes yes yes " in line, line  # emb, sub, uni


def test_point_28_long_term_validity_algorithms_and_renewal(en: str, zh: str) -> None:
    assert "Long-term validity: algorithms and renewal" in en
    assert "Leaf, tree and chain hashes SHA-256 (RFC 9162" in en
    assert "Checkpoint signatures Ed25519 (RFC 8032)" in en
    assert "RFC 3161 time-stamps: SHA256, ECDSA P-256" in en  # the development TSA
    assert "PAdES B-LTA: ECDSA P-256 with SHA-256" in en
    assert re.search(r"before a TSA certificate expires \(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\)", en)
    assert "RFC 4998 (Evidence Record Syntax)" in en
    assert "续期计划" in zh
