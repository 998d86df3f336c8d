"""The certificates' PAdES signatures, checked by pyHanko (its AdES validator too),
poppler's pdfsig and ``ledger-verify pdf``: the level the PDF states is the level they
find; the document security store holds the CRLs of the issuer's and the TSA's chains;
the time-stamp revision adds only validation data and the time-stamp; the embedded
bundle verifies; one changed byte is caught."""

from __future__ import annotations

import asyncio
import hashlib
import io
import json
import re
import ssl
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from asn1crypto import cms
from asn1crypto import crl as asn1_crl
from cryptography import x509
from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.signers.pdf_signer import PdfSignatureMetadata, PdfSigner
from pyhanko.sign.timestamps import HTTPTimeStamper
from pyhanko.sign.validation import validate_pdf_signature, validate_pdf_timestamp
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from ledger import devpki
from ledger.certificates.issuer import issuer_signer
from reports.signing import (
    TimedTimeStamper,
    _reservation,
    _tls_context,
    revocation_counts,
    sign,
)
from reports.validation import verify_pdf
from tests.reports.conftest import (
    World,
    damage_certificate,
    flat,
    flip_in_newest_contents,
    one_page_pdf,
    pdftotext,
    poppler,
    still_valid_after_flips,
    unsigned_small_fields,
)
from tests.reports.etsi import baseline
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


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_an_etsi_validation_finds_the_level_the_pdf_states(
    world: World, pdfs: dict[str, Path], lang: str
) -> None:
    # pyHanko's AdES validator (ETSI EN 319 102-1), the development roots trusted,
    # revocation data required for every certificate, nothing fetched: B-LTA.
    assert world.tsa_root is not None
    found = baseline(pdfs[lang].read_bytes(), [world.issuer_ca, world.tsa_root])
    assert found.level == "PAdES-BASELINE-LTA"
    assert found.indication == "PASSED/OK"
    assert found.docmdp_ok
    assert found.modification == ModificationLevel.LTA_UPDATES
    stated = "PAdES level reached: B-LTA" if lang == "en" else "达到的PAdES级别：B-LTA"
    text = flat(pdftotext(pdfs[lang])) if lang == "en" else "".join(pdftotext(pdfs[lang]).split())
    assert stated in text


def test_the_dss_holds_a_fresh_crl_of_each_chain(world: World, pdfs: dict[str, Path]) -> None:
    assert world.tsa_root is not None
    data = pdfs["en"].read_bytes()
    certs, crls, ocsps = revocation_counts(data)
    assert (crls, ocsps) == (2, 0)
    assert certs >= 4  # the issuer, its CA, the TSA, its root
    reader = PdfFileReader(io.BytesIO(data))
    found = [
        x509.load_der_x509_crl(stream.get_object().data) for stream in reader.root["/DSS"]["/CRLs"]
    ]
    cas = [
        x509.load_pem_x509_certificate(path.read_bytes())
        for path in (world.issuer_ca, world.tsa_root)
    ]
    assert sorted(c.issuer.rfc4514_string() for c in found) == sorted(
        ca.subject.rfc4514_string() for ca in cas
    )
    for crl in found:
        (ca,) = [ca for ca in cas if ca.subject == crl.issuer]
        assert crl.is_signature_valid(ca.public_key())
        assert len(crl) == 0  # nothing revoked
        assert crl.next_update_utc is not None
        assert (crl.next_update_utc - crl.last_update_utc).days == 7
    # issued after the signature time-stamp, as revocation data for B-LT should be
    signature = reader.embedded_regular_signatures[0]
    stamp = validate_pdf_signature(
        signature, context(world.issuer_ca), ts_validation_context=context(world.tsa_root)
    ).timestamp_validity
    assert stamp is not None
    assert all(crl.last_update_utc >= stamp.timestamp.replace(microsecond=0) for crl in found)


def _objects(reader: PdfFileReader, revision: int) -> dict[int, generic.PdfObject]:
    refs = reader.xrefs.explicit_refs_in_revision(revision)
    return {ref.idnum: reader.get_object(ref, revision=revision) for ref in refs}


def test_the_time_stamp_revision_adds_validation_data_and_the_time_stamp_only(
    pdfs: dict[str, Path],
) -> None:
    reader = PdfFileReader(io.BytesIO(pdfs["en"].read_bytes()))
    last = reader.xrefs.total_revisions - 1
    assert last == 2  # the rendered PDF, the certified revision, the time-stamp revision
    changed = _objects(reader, last)
    before = _objects(reader, 0) | _objects(reader, last - 1)
    root_id = reader.root_ref.idnum
    info_id = reader.trailer.raw_get("/Info").idnum
    assert info_id not in changed  # the Info dictionary is left as certified
    kinds = []
    for number, obj in changed.items():
        if isinstance(obj, generic.StreamObject):
            assert "/Type" not in obj, obj.get("/Type")  # no /Metadata: DSS certs and CRLs
            kinds.append("stream")
            continue
        assert isinstance(obj, generic.DictionaryObject)
        if number in before:  # an object of the certified revisions, updated
            old = before[number]
            assert isinstance(old, generic.DictionaryObject)
            differs = {k for k in set(obj) | set(old) if dict.get(obj, k) != dict.get(old, k)}
            allowed = {"/DSS", "/AcroForm"} if number == root_id else {"/Annots", "/Fields"}
            assert differs <= allowed, (number, differs)
            kinds.append("updated " + "/".join(sorted(differs)))
        else:
            kinds.append("/DSS" if "/CRLs" in obj else str(obj.get("/Type")))
    assert "/DocTimeStamp" in kinds
    assert "/DSS" in kinds
    assert "updated /DSS" in kinds
    root = reader.root
    assert "/Metadata" not in root or root.raw_get("/Metadata").idnum not in changed


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


def test_pdfsig_with_the_development_roots_trusted_finds_the_signer_trusted(
    world: World, pdfs: dict[str, Path], tmp_path: Path
) -> None:
    # An NSS database trusting the development issuer's CA and TSA root (certutil, from
    # libnss3-tools): pdfsig then trusts the issuer. It names no PAdES level, and poppler
    # 22 cannot check the document time-stamp ("Signature has not yet been verified").
    assert world.tsa_root is not None
    nss = tmp_path / "nss"
    nss.mkdir()
    database = f"sql:{nss}"
    subprocess.run(["certutil", "-N", "-d", database, "--empty-password"], check=True)  # noqa: S603, S607
    for name, root in (("issuer-ca", world.issuer_ca), ("tsa-root", world.tsa_root)):
        subprocess.run(  # noqa: S603
            ["certutil", "-A", "-d", database, "-n", name, "-t", "C,C,C", "-i", str(root)],  # noqa: S607
            check=True,
        )
    report = poppler("pdfsig", "-nssdir", database, pdfs["en"])  # no OCSP URL to ask
    issuer, stamp = report.split("Signature #2:")
    assert "Signature Validation: Signature is Valid." in issuer
    assert "Certificate Validation: Certificate is Trusted." in issuer
    assert "Signature Field Name: DocumentTimeStamp" in stamp
    assert "Total document signed" in stamp


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
    assert checks[7]["name"] == "pades level"
    assert checks[7]["status"] == "pass"
    assert checks[7]["reason"] == "the document states PAdES B-LTA and reaches B-LTA"


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


def test_a_damaged_certificate_in_the_newest_signature_fails_the_check(
    world: World, pdfs: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The TSA's certificate in the document time-stamp (B-LTA); test_revocation damages
    # those of a B-T certificate's signature, where one was a traceback.
    assert world.tsa_root is not None
    path = tmp_path / "damaged-certificate.pdf"
    path.write_bytes(damage_certificate(pdfs["en"].read_bytes(), world.tsa_root.parent / "tsa.pem"))
    assert verify(world, path) == 1
    out = capsys.readouterr().out
    assert out.startswith("INVALID: ")
    assert "document time-stamp 1: the signature is not DER: an element runs past its end" in out


class _TokensWithCrl(TimedTimeStamper):
    """The development TSA, its tokens carrying a CRL of its root in their SignedData's
    ``crls``, as a TSA may send them: a part the token's signature does not cover."""

    def __init__(self, url: str, crl: bytes) -> None:
        super().__init__(url, 10)
        self.crl = crl

    async def async_timestamp(self, message_digest: bytes, md_algorithm: str) -> cms.ContentInfo:
        token = await super().async_timestamp(message_digest, md_algorithm)
        crl = cms.RevocationInfoChoice(name="crl", value=asn1_crl.CertificateList.load(self.crl))
        token["content"]["crls"] = cms.RevocationInfoChoices([crl])
        return cms.ContentInfo.load(token.dump(force=True))


def test_a_crl_in_the_signature_time_stamp_is_checked_as_its_certificates_are(
    world: World,
) -> None:
    # In the newest signature's /Contents, no signature covers a TSA token's CRLs: one
    # signed by the TSA's root verifies; the same CRL with one byte changed fails.
    assert world.tsa_root is not None
    signer, _ = issuer_signer(world.settings)
    crl = devpki.fresh_crl(world.tsa_root)
    assert crl is not None
    pdf = sign(
        one_page_pdf(),
        b"{}",
        signer,
        issued_at=datetime.now(UTC),
        level="B-T",
        timestamper=_TokensWithCrl(world.settings.tsa_urls[0], crl),
        tsa_roots=[world.tsa_root.read_bytes()],
    )

    def signature_check(data: bytes) -> tuple[str, str]:
        found = verify_pdf(
            data, [world.vkey], [world.tsa_root.read_bytes()], [world.issuer_ca.read_bytes()]
        )
        [check] = [c for c in found.report.checks if c.name == "pdf signature"]
        return check.status, check.reason

    assert signature_check(pdf)[0] == "pass"
    status, reason = signature_check(flip_in_newest_contents(pdf, crl, len(crl) - 1))
    assert status == "fail"
    assert reason.startswith("the signature time-stamp's embedded CRL (CN=Evidence Ledger"), reason


def test_a_changed_version_tag_or_null_in_the_newest_signature_fails(
    world: World, pdfs: dict[str, Path]
) -> None:
    # Versions, their tags and algorithm parameters are outside the document
    # time-stamp's own signature, and pyHanko reads none of them: each changed once
    # left the certificate VALID (B-T: test_revocation).
    pdf = pdfs["en"].read_bytes()
    offsets = unsigned_small_fields(pdf)
    assert len(offsets) > 10
    assert still_valid_after_flips(world, pdf, offsets) == []


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


def test_tsa_requests_share_one_tls_context(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    # pyHanko loads certifi's roots into a new TLS context for every TSA request (27 ms
    # of CPU, two requests per certificate); TimedTimeStamper makes its sessions with the
    # process's one context, overriding pyHanko's session method, which must still exist.
    assert "_acquire_session" in vars(HTTPTimeStamper)
    made = []
    real = ssl.create_default_context

    def counted(*args: Any, **kwargs: Any) -> ssl.SSLContext:
        made.append(args or kwargs)
        return real(*args, **kwargs)

    monkeypatch.setattr(ssl, "create_default_context", counted)
    _tls_context.cache_clear()
    stamper = TimedTimeStamper(world.settings.tsa_urls[0], 10)
    for _ in range(3):
        token = asyncio.run(stamper.async_timestamp(hashlib.sha256(b"x").digest(), "sha256"))
        assert token["content_type"].native == "signed_data"
    assert stamper.requests == 3
    assert len(made) == 1  # once, not once per request
    assert _tls_context() is _tls_context()


def test_the_space_reserved_for_a_time_stamped_signature_is_pyhankos_estimate(
    world: World,
) -> None:
    # reports.signing reserves what pyHanko would estimate itself, once per signer and
    # TSA token rather than by a dry-run signature each time.
    signer, _ = issuer_signer(world.settings)
    stamper = TimedTimeStamper(world.settings.tsa_urls[0], 10)
    metadata = PdfSignatureMetadata(
        field_name="Estimate", md_algorithm="sha256", subfilter=fields.SigSeedSubFilter.PADES
    )
    session = PdfSigner(metadata, signer=signer.signer, timestamper=stamper).init_signing_session(
        IncrementalPdfFileWriter(io.BytesIO(one_page_pdf()))
    )
    expected = asyncio.run(session.estimate_signature_container_size(None))
    reserved = asyncio.run(_reservation(signer, stamper))
    # pyHanko's dry run makes a real ECDSA signature, whose DER length varies by a few
    # bytes (hex, and half again: up to 12 characters), so its own estimate varies so
    assert abs(reserved - expected) <= 12, (reserved, expected)
    assert asyncio.run(_reservation(signer, stamper)) == reserved  # the kept one
