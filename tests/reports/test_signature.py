"""The certificates' PAdES signatures, checked by pyHanko, poppler's pdfsig and
``ledger-verify pdf``; the embedded bundle verifies; one changed byte is caught."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.validation import validate_pdf_signature, validate_pdf_timestamp
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from reports.validation import verify_pdf
from tests.reports.conftest import World, poppler
from verifier import cli
from verifier.bundle import verify_bundle


def context(path: Path) -> ValidationContext:
    return ValidationContext(
        trust_roots=[load_cert_from_pemder(str(path))],
        allow_fetching=False,
        revocation_mode="soft-fail",
    )


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_pyhanko_finds_the_signature_valid_trusted_and_the_document_unmodified(
    world: World, pdfs: dict[str, Path], lang: str
) -> None:
    reader = PdfFileReader(io.BytesIO(pdfs[lang].read_bytes()))
    signature, stamp = reader.embedded_signatures
    status = validate_pdf_signature(
        signature, context(world.issuer_ca), ts_validation_context=context(world.tsa_root)
    )
    assert (status.intact, status.valid, status.trusted) == (True, True, True)
    assert status.docmdp_ok
    assert status.coverage == SignatureCoverageLevel.ENTIRE_REVISION
    assert status.modification_level == ModificationLevel.LTA_UPDATES
    assert status.timestamp_validity is not None
    assert status.timestamp_validity.valid
    stamped = validate_pdf_timestamp(stamp, validation_context=context(world.tsa_root))
    assert (stamped.intact, stamped.valid, stamped.trusted) == (True, True, True)
    assert stamped.coverage == SignatureCoverageLevel.ENTIRE_FILE  # nothing unsigned after
    assert reader.root["/DSS"] is not None  # the validation data (B-LT, then B-LTA)


def signed_ranges(report: str) -> list[list[tuple[int, int]]]:
    ranges = []
    for block in re.findall(r"Signed Ranges: (.*)", report):
        ranges.append([(int(a), int(b)) for a, b in re.findall(r"\[(\d+) - (\d+)\]", block)])
    return ranges


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_pdfsig_finds_the_signature_valid_and_the_file_covered(
    pdfs: dict[str, Path], lang: str
) -> None:
    # pdfsig exits 0 whatever it finds (docs/design/CEILINGS.md, pitfall 6): read what it says.
    report = poppler("pdfsig", pdfs[lang])
    first = report.split("Signature #2:")[0]
    assert "Signature Validation: Signature is Valid." in first
    assert "Signature Type: ETSI.CAdES.detached" in first
    assert "Signer Certificate Common Name: Evidence Ledger development issuer" in first
    # poppler 22 cannot check a document time-stamp (ETSI.RFC3161), but shows what it
    # covers: everything but its own signature, to the last byte of the file.
    size = pdfs[lang].stat().st_size
    issuer, stamp = signed_ranges(report)
    assert stamp[0][0] == 0
    assert stamp[1][1] == size
    assert issuer[1][1] < stamp[0][1]  # the issuer's revision is inside the time-stamped one


def test_a_certificate_without_tsa_is_b_b_and_pdfsig_sees_it_whole(
    world: World, tmp_path: Path
) -> None:
    # the same service without TSA: PAdES B-B, one revision after the PDF, all signed
    app = world.app
    service = app.extensions["ledger"]
    settings = service.settings
    service.settings = settings.replace(tsa_urls=(), tsa_dev=False)
    try:
        pdf = world.certificate("?lang=en")
    finally:
        service.settings = settings
    path = tmp_path / "bb.pdf"
    path.write_bytes(pdf)
    report = poppler("pdfsig", path)
    assert "Signature Validation: Signature is Valid." in report
    assert "Total document signed" in report
    assert "Signature #2" not in report
    result = verify_pdf(
        pdf, [world.vkey], [world.tsa_root.read_bytes()], [world.issuer_ca.read_bytes()]
    )
    assert result.valid, result.report.bottom_line
    assert result.level == "B-B"
    assert "PAdES level reached: B-B" in " ".join(poppler("pdftotext", path, "-").split())


def test_the_embedded_bundle_extracts_and_verifies(
    world: World, pdfs: dict[str, Path], tmp_path: Path
) -> None:
    out = tmp_path / "evidence-bundle.json"
    poppler("pdfdetach", "-save", "1", "-o", out, pdfs["zh"])
    report = verify_bundle(out.read_bytes(), [world.vkey], [world.tsa_root.read_bytes()])
    assert report.valid, report.bottom_line
    assert report.verdict == "valid"
    assert json.loads(out.read_bytes())["envelope_id"] == "ENV-2026-0042"


def verify(world: World, path: Path, *extra: str) -> int:
    args = ["pdf", str(path), "--log-key", world.vkey, "--tsa-root", str(world.tsa_root)]
    return cli.main([*args, "--issuer-root", str(world.issuer_ca), *extra])


def test_ledger_verify_pdf_reports_both_and_exits_0(
    world: World, pdfs: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    saved = tmp_path / "saved.json"
    assert verify(world, pdfs["en"], "--extract-bundle", str(saved)) == 0
    out = capsys.readouterr().out
    assert out.startswith("VALID: certificate ELC-")
    assert "(PAdES B-LTA, time-stamped" in out
    assert "20 entries (seq 0 to 19) of envelope ENV-2026-0042" in out
    assert json.loads(saved.read_bytes())["format"] == "evidence-bundle/1"
    assert cli.main(["--json", *verify_args(world, pdfs["en"])]) == 0
    checks = json.loads(capsys.readouterr().out)["checks"]
    names = [c["name"] for c in checks[:7]]
    assert names == [
        "pdf signature",
        "pdf signer",
        "pdf unmodified",
        "signature time-stamp",
        "document time-stamp",
        "validation data",
        "embedded bundle",
    ]
    assert all(c["status"] == "pass" for c in checks[:7])


def verify_args(world: World, path: Path) -> list[str]:
    return [
        "pdf",
        str(path),
        "--log-key",
        world.vkey,
        "--tsa-root",
        str(world.tsa_root),
        "--issuer-root",
        str(world.issuer_ca),
    ]


def test_changing_one_byte_makes_ledger_verify_pdf_fail(
    world: World, pdfs: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = pdfs["en"].read_bytes()
    # Bytes all over the file (page content, attachment, signatures, DSS), and inside
    # the newest signature's own /Contents, which no signature covers: the padding,
    # the embedded certificates and the digest algorithm list are checked apart.
    last = data.rindex(b"/Contents <") + len(b"/Contents <")
    end = data.index(b">", last)
    positions = [len(data) * k // 60 for k in range(60)] + list(
        range(last, end, (end - last) // 30)
    )
    codes = []
    for position in positions:
        changed = bytearray(data)
        changed[position] ^= 0x01
        path = tmp_path / "changed.pdf"
        path.write_bytes(bytes(changed))
        codes.append(verify(world, path))  # 1: a check failed; 2: no longer a PDF
    capsys.readouterr()
    assert 0 not in codes, [p for p, c in zip(positions, codes, strict=True) if c == 0]
    assert codes.count(1) > len(codes) // 2
    # and one byte of the visible text, for certain: the signature no longer matches
    offset = data.index(b"/Subject")
    changed = bytearray(data)
    changed[offset + 12] ^= 0x01
    path = tmp_path / "text.pdf"
    path.write_bytes(bytes(changed))
    assert verify(world, path) == 1
    assert "INVALID: pdf signature" in capsys.readouterr().out


def test_ledger_verify_pdf_needs_trust_and_a_pdf(
    world: World, pdfs: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    no_issuer = ["pdf", str(pdfs["en"]), "--log-key", world.vkey, "--tsa-root", str(world.tsa_root)]
    assert cli.main(no_issuer) == 1
    assert "no issuer root was given" in capsys.readouterr().out
    garbage = tmp_path / "garbage.pdf"
    garbage.write_bytes(b"not a pdf at all")
    assert verify(world, garbage) == 2
    assert "CANNOT EVALUATE" in capsys.readouterr().out
    other_key = "other+00000000+AQ" + "A" * 42 + "="
    args = verify_args(world, pdfs["en"])
    args[3] = other_key
    assert cli.main(args) in (1, 2)
