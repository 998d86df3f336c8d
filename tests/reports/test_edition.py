"""Both editions read as they should: the Chinese edition in Chinese with one term per
concept, identifiers and column heads never split, the signed checkpoint verbatim and
verifiable from the text ``pdftotext`` reads, and no page left nearly empty."""

from __future__ import annotations

import dataclasses
import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from ledger import certificates
from reports import model
from reports.certificate import render
from reports.issuer import Signing
from reports.words import terms
from reports.words.zh import WORDS as ZH
from tests.reports.conftest import ISSUER, World, dense, pdftotext, poppler
from verifier import checkpoint
from verifier.bundle import verify_bundle

DOCS = Path(__file__).resolve().parents[2] / "docs" / "certificate.md"
MM = 72 / 25.4
# Latin words the Chinese edition may use in its own text: abbreviations, standards,
# names of programs and their subcommands, the event table's P and L, appendix letters.
ABBREVIATIONS = frozenset(
    [
        "UTC",
        "ISO",
        "RFC",
        "PDF",
        "PAdES",
        "CAdES",
        "DSS",
        "CRL",
        "OCSP",
        "ETSI",
        "EN",
        "ESIGN",
        "UETA",
        "eIDAS",
        "EU",
        "No",
        "GDPR",
        "API",
        "HMAC",
        "IP",
        "JSON",
        "JCS",
        "TSA",
        "CA",
        "ECDSA",
        "RSA",
        "POST",
        "P",
        "L",
        "A",
        "B",
        "d",
        "genTime",
        "SQLite",
        "Adobe",
        "Acrobat",
        "poppler",
        "openssl",
        "dgst",
        "pkeyutl",
        "printf",
        "cat",
        "ts",
        "pdfsig",
        "pdfdetach",
        "pip",
        "install",
        "bundle",
        "pdf",
    ]
)
CHANNELS = frozenset(
    [
        "api",
        "docusign",
        "adobesign",
        "esign",
        "esignglobal",
        "documenso",
        "docuseal",
        "opensign",
        "hmac",
    ]
)
HEX = re.compile(r"[0-9a-f]{8,}")


def latin_words(text: str) -> set[str]:
    """Latin words that are not part of an identifier (a token with a digit or one of
    ``_ . - / : @ + = < > '``, which ids, hashes, URLs, e-mail addresses and commands have)."""
    found = set()
    for token in text.split():
        for word in re.findall(r"[A-Za-z0-9_.\-/:@+=<>'|\\]+", token):
            word = word.strip(".")
            if not re.search(r"[A-Za-z]", word) or HEX.fullmatch(word):
                continue
            if not re.search(r"[0-9_./:@+=<>'|\\-]", word):
                found.add(word)
    return found


def data_words(world: World, bundle: dict[str, Any]) -> set[str]:
    """Every Latin word of what the certificate shows from elsewhere: the events, the
    issuer's settings, the certificates' subjects."""
    sources = [json.dumps(bundle, ensure_ascii=False), *ISSUER.values()]
    text = " ".join(sources)
    for path in world.directory.rglob("*.pem"):
        if "CERTIFICATE" in path.read_text():
            text += " " + poppler("openssl", "x509", "-noout", "-subject", "-in", path)
    return set(re.findall(r"[A-Za-z]+", text))


@pytest.fixture(scope="module")
def bundle(world: World) -> dict[str, Any]:
    response = world.client.get(
        "/v1/envelopes/ENV-2026-0042/evidence", headers={"Authorization": f"Bearer {world.read}"}
    )
    assert response.status_code == 200
    value: dict[str, Any] = response.get_json()
    return value


def test_the_chinese_edition_is_chinese(
    world: World, texts: dict[str, str], facts_world: World, facts_texts: dict[str, str]
) -> None:
    checks = {w for name in terms.CHECKS for w in name.split()}
    allowed = ABBREVIATIONS | CHANNELS | checks
    for w, text, envelope in (
        (world, texts["zh"], "ENV-2026-0042"),
        (facts_world, facts_texts["zh"], "CBJCHBCAABAAfacts0001"),
    ):
        response = w.client.get(
            f"/v1/envelopes/{envelope}/evidence", headers={"Authorization": f"Bearer {w.read}"}
        )
        english = latin_words(text) - allowed - data_words(w, response.get_json())
        assert not english, sorted(english)


def test_one_term_for_each_concept_as_the_glossary_lists() -> None:
    """The glossary's table: English, 中文, and words the edition must not use instead."""
    section = DOCS.read_text(encoding="utf-8").split("## Glossary", 1)[1].split("\n## ", 1)[0]
    rows = [
        r.split("|")[1:-1] for r in section.splitlines() if r.startswith("| ") and "---" not in r
    ]
    assert len(rows) > 20
    words = " ".join(
        [
            *ZH.values(),
            *terms.EVENT_TYPES["zh"].values(),
            *terms.CHECKS.values(),
            *terms.STATUSES["zh"].values(),
        ]
    )
    concepts = set()
    for english, chinese, not_used in rows[1:]:
        concepts.add(english.strip())
        assert chinese.strip().strip("`") in words, chinese
        for other in filter(None, (x.strip() for x in not_used.split(","))):
            assert other not in words, (english, other)
    assert len(concepts) == len(rows) - 1  # each concept once


def test_the_log_is_one_word_in_chinese(texts: dict[str, str]) -> None:
    assert "日志" not in texts["zh"]
    assert dense(texts["zh"]).count("账本") > 20


def test_signed_checkpoint_copied_from_the_text_verifies(
    texts: dict[str, str], bundle: dict[str, Any], world: World
) -> None:
    for lang, text in texts.items():
        for note in (bundle["checkpoint"], bundle["latest"]["checkpoint"]):
            origin, size = note.split("\n")[:2]
            start = text.index(f"{origin}\n{size}\n")
            end = text.index("\n", text.index("\n— ", start) + 1) + 1
            copied = text[start:end]
            assert copied == note, lang
            assert checkpoint.verify(copied, [world.vkey]).size == int(size)


def lines_of(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines()]


def test_identifiers_are_never_split(
    world: World, bundle: dict[str, Any], texts: dict[str, str], tmp_path: Path
) -> None:
    signer, files = certificates.issuer_signer(world.settings)
    issuer = certificates.issuer_info(world.settings, signer, files.development)
    unset = dataclasses.replace(issuer, name="", address="", contact="", person="", person_title="")
    roots = [world.tsa_root.read_bytes()]
    report = verify_bundle(bundle, [world.vkey], roots)
    evidence = model.read(bundle, report, roots)
    for lang in ("en", "zh"):
        pdf = tmp_path / f"{lang}.pdf"
        pdf.write_bytes(
            render(evidence, unset, Signing("B-B"), lang=lang, issued_at=datetime.now(UTC))
        )
        text = pdftotext(pdf)
        lines = lines_of(text)
        for setting in (
            "LEDGER_ISSUER_NAME",
            "LEDGER_ISSUER_ADDRESS",
            "LEDGER_ISSUER_CONTACT",
            "LEDGER_ISSUER_PERSON",
            "LEDGER_ISSUER_PERSON_TITLE",
        ):
            assert any(setting in line for line in lines), (lang, setting)
            assert text.count(setting) == dense(text).count(setting)
    for lang, text in texts.items():
        lines = lines_of(text)
        emails = [e["event"].get("actor", {}).get("email") for e in bundle["entries"]]
        found = re.search(r"ELC-[0-9A-F]{4}(-[0-9A-F]{4}){3}", text)
        assert found is not None
        url = f"{ISSUER['public_url']}/verify/{found[0]}"
        for identifier in [found[0], url, evidence.envelope_id, world.vkey, *filter(None, emails)]:
            assert any(identifier in line for line in lines), (lang, identifier)
            assert text.count(identifier) == dense(text).count(identifier), identifier


# Column heads and labels (laid out with ``words``): none of their words is split.
HEAD_KEYS = (
    "p_name", "p_contact", "p_role", "d_name", "d_size", "d_original", "d_final", "c_channel",
    "c_auth", "c_events", "e_seq", "e_event", "e_actor", "e_net", "e_source", "sg_name",
    "sg_contact", "sg_auth", "sg_sigtype", "sg_signed", "pf_seq", "pf_leaf", "pf_chain",
    "pf_proof", "v_check", "v_scope", "v_status", "v_detail", "la_use", "la_algorithm",
    "s_issued", "s_issuer", "s_what", "s_who", "s_when", "s_verdict", "s_flags", "s_pades",
    "s_verify", "s_zone", "s_edition", "i_name", "i_address", "i_contact", "i_role",
    "sub_envelope", "sub_title", "sub_tenant", "sub_log", "a_url", "a_tsa", "a_serial",
    "a_policy", "a_hash", "a_accuracy", "a_chain", "a_valid_until",
)  # fmt: skip


def test_column_heads_and_labels_are_never_split(texts: dict[str, str]) -> None:
    lines = [dense(line) for line in texts["zh"].splitlines()]
    assert any("角色" in line for line in lines)
    for key in HEAD_KEYS:
        for word in re.split(r"[\s、，。：；（）/→]+", ZH[key]):
            if len(word) > 1 and "{" not in word:
                assert any(word in line for line in lines), (key, word)


def page_fill(pdf: Path) -> list[float]:
    """For each page, how far down its body the text reaches (0 empty, 1 full)."""
    fills = []
    for page in poppler("pdftotext", "-bbox", pdf, "-").split("<page ")[1:]:
        height = float(re.search(r'height="([\d.]+)"', page).group(1))  # type: ignore[union-attr]
        top, bottom = 16 * MM, height - 17 * MM
        found = re.finditer(r'yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)"', page)
        ys = [float(m[2]) for m in found if float(m[1]) >= top - 1 and float(m[2]) <= bottom + 1]
        fills.append((max(ys) - top) / (bottom - top) if ys else 0.0)
    return fills


def test_no_page_is_left_nearly_empty(pdfs: dict[str, Path], facts_pdfs: dict[str, Path]) -> None:
    for pdf in (*pdfs.values(), *facts_pdfs.values()):
        fills = page_fill(pdf)
        assert len(fills) > 5
        assert all(fill > 0.6 for fill in fills[:-1]), (pdf.name, fills)
