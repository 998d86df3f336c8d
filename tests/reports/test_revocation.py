"""Never B-LTA without revocation data: a signer whose chain's revocation data cannot be
had gets B-T, and the PDF text, ``X-PAdES-Level`` (with ``X-PAdES-Level-Reason``) and
``ledger-verify pdf`` say so; a real CA's CRL named in the certificate is fetched.

Each case is a real served ledger with the development TSA: a development issuer whose
CA key is gone (it cannot issue a CRL), an operator's issuer whose CA names a CRL URL
where nothing answers, and the same CA serving its CRL over loopback HTTP; and revocation
data that vanishes between the check and the time-stamp revision (``reports.issuing``
renders again at B-T), and ``reports.signing.sign`` refusing B-LTA without it.
"""

from __future__ import annotations

import socket
import threading
import time
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from asn1crypto import cms
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509 import ocsp
from cryptography.x509.oid import ExtendedKeyUsageOID
from flask import Flask
from flask.testing import FlaskClient

from ledger import devpki
from ledger.anchoring.devtsa import DevTSA
from ledger.certificates.issuer import issuer_info, issuer_signer
from reports import model
from reports.certificate import Signing, render
from reports.issuing import Issued, issue
from reports.signing import (
    Revocation,
    RevocationUnavailable,
    TimedTimeStamper,
    revocation_counts,
    sign,
)
from reports.validation import verify_pdf
from tests.faulty_tsa import refused_url
from tests.reports.conftest import (
    World,
    damage_certificate,
    flat,
    one_page_pdf,
    pdftotext,
    poppler,
    served,
    still_valid_after_flips,
    unsigned_small_fields,
)
from tests.reports.etsi import baseline
from tests.reports.flow import ENVELOPE as FLOW_ENVELOPE
from tests.server import free_port
from verifier.bundle import verify_bundle

ENVELOPE = "ENV-REVOCATION"


def _one_event(app: Flask, client: FlaskClient, ingest: str, admin: str) -> None:
    sent = {
        "event_id": "rev-1",
        "type": "envelope.sent",
        "occurred_at": "2026-11-21T08:00:00Z",
        "envelope_id": ENVELOPE,
    }
    response = client.post("/v1/events", json=sent, headers={"Authorization": f"Bearer {ingest}"})
    assert response.status_code == 201
    anchored = client.post("/v1/log/anchors", headers={"Authorization": f"Bearer {admin}"})
    assert anchored.status_code == 201


def _download(world: World) -> tuple[bytes, dict[str, str]]:
    response = world.client.get(
        f"/v1/envelopes/{ENVELOPE}/certificate.pdf",
        headers={"Authorization": f"Bearer {world.read}"},
    )
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response.data, dict(response.headers)


def _operator_issuer(directory: Path, crl_url: str) -> tuple[Path, Path, Path, bytes]:
    """An issuer certificate from a CA that names ``crl_url``, as a real CA does: its
    chain file, key file and CA file, and the CA's CRL (DER)."""
    directory.mkdir(parents=True)
    now = datetime.now(UTC)
    ca_key, key = devpki.new_key(), devpki.new_key()
    ca = devpki.make_ca(ca_key, "Operator test CA", now)
    cert = devpki.issue_certificate(
        key, ca, ca_key, "Operator test issuer", "issuer", now, crl_url=crl_url
    )
    chain, key_file, ca_file = (
        directory / "issuer.pem",
        directory / "issuer.key",
        directory / "ca.pem",
    )
    chain.write_bytes(devpki.pem(cert) + devpki.pem(ca))
    devpki.write_secret(key_file, devpki.key_pem(key))
    ca_file.write_bytes(devpki.pem(ca))
    return chain, key_file, ca_file, devpki.make_crl(ca, ca_key, now)


def _says_b_t(
    world: World,
    pdf: bytes,
    headers: dict[str, str],
    issuer_root: Path,
    prefix: str = "no revocation data for the issuer's certificate chain",
) -> str:
    """The checks every B-T certificate passes (the reason starts with ``prefix``);
    the PDF's text."""
    assert world.tsa_root is not None
    assert headers["X-PAdES-Level"] == "B-T"
    reason = headers["X-PAdES-Level-Reason"]
    assert reason.startswith(prefix)
    path = world.directory / "b-t.pdf"
    path.write_bytes(pdf)
    text = flat(pdftotext(path))
    assert "PAdES level reached: B-T" in text
    assert "at level B-T" in text
    assert f"The revocation data B-LT needs could not be obtained ({prefix}" in text
    assert "at level B-LTA" not in text
    assert "PAdES level reached: B-LTA" not in text
    assert "PAdES B-T: ECDSA P-256 with SHA-256" in text  # the algorithms table
    assert revocation_counts(pdf)[1:] == (0, 0)
    report = poppler("pdfsig", path)  # one signature, the last revision: the whole file
    assert "Signature Validation: Signature is Valid." in report
    assert "Total document signed" in report
    assert "Signature #2" not in report
    found = baseline(pdf, [issuer_root, world.tsa_root])
    assert found.level == "PAdES-BASELINE-T"
    assert found.indication.startswith("INDETERMINATE/")
    result = verify_pdf(
        pdf, [world.vkey], [world.tsa_root.read_bytes()], [issuer_root.read_bytes()]
    )
    assert result.valid, result.report.bottom_line
    assert result.level == "B-T"
    # where no signature covers them (the newest /Contents): the issuer's CA as the
    # signature embeds it, made unreadable (it was a traceback; now the encoding is no
    # longer DER), and the TSA's root as the signature time-stamp token embeds it,
    # which nothing else checks (it passed)
    for pem, readable, found in (
        (issuer_root, False, "the signature is not DER: an element runs past its end"),
        (world.tsa_root, True, "the signature time-stamp's embedded certificate (CN=Evidence"),
    ):
        damaged = verify_pdf(
            damage_certificate(pdf, pem, readable=readable),
            [world.vkey],
            [world.tsa_root.read_bytes()],
            [issuer_root.read_bytes()],
        )
        assert not damaged.valid
        failed = {c.name: c.reason for c in damaged.report.failures}
        assert failed["pdf signature"].startswith(found), failed
        assert failed["pades level"] == "the document states PAdES B-T; its signature is not valid"
    return text


def test_a_development_ca_without_its_key_gives_b_t_and_says_why(tmp_path: Path) -> None:
    with served(tmp_path, _one_event) as world:
        devpki.ensure_dev_issuer(world.settings.issuer_dir)
        (world.settings.issuer_dir / "ca.key").unlink()  # a data dir from before: no CRL
        pdf, headers = _download(world)
        _says_b_t(world, pdf, headers, world.issuer_ca)
        # versions, their tags and algorithm parameters, in the signature and in its
        # time-stamp token, outside both signatures: each changed once left it VALID
        offsets = unsigned_small_fields(pdf)
        assert len(offsets) > 20
        assert still_valid_after_flips(world, pdf, offsets) == []
        # the registry keeps the level and why: a repeat download, and the public page
        again, repeated = _download(world)
        assert again == pdf
        assert repeated["X-PAdES-Level"] == "B-T"
        assert repeated["X-PAdES-Level-Reason"] == headers["X-PAdES-Level-Reason"]
        page = world.client.get(f"/verify/{headers['X-Certificate-Id']}")
        assert page.status_code == 200
        html = page.get_data(as_text=True)
        assert 'class="level">B-T<br>' in html
        assert "no revocation data for the issuer&#39;s certificate chain" in html


def test_a_crl_url_that_does_not_answer_gives_b_t(tmp_path: Path) -> None:
    chain, key, ca, _ = _operator_issuer(tmp_path / "operator", refused_url() + "ca.crl")
    with served(
        tmp_path / "ledger", _one_event, issuer_cert=str(chain), issuer_key=str(key)
    ) as world:
        pdf, headers = _download(world)
        _says_b_t(world, pdf, headers, ca)
        assert "Operator test issuer" in headers["X-PAdES-Level-Reason"]


def test_a_crl_url_that_hangs_gives_b_t_within_the_timeout(tmp_path: Path) -> None:
    # A CRL point that accepts the connection and never answers: the fetch gives up after
    # LEDGER_TSA_TIMEOUT (1 s here), and the certificate is B-T.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)  # never accepted, never answered
        url = f"http://127.0.0.1:{silent.getsockname()[1]}/ca.crl"
        chain, key, ca, _ = _operator_issuer(tmp_path / "operator", url)
        with served(
            tmp_path / "ledger",
            _one_event,
            issuer_cert=str(chain),
            issuer_key=str(key),
            tsa_timeout="1",
        ) as world:
            started = time.monotonic()
            pdf, headers = _download(world)
            elapsed = time.monotonic() - started
            _says_b_t(world, pdf, headers, ca)
    assert elapsed < 10, elapsed


def test_an_operator_ca_whose_crl_is_served_reaches_b_lta(tmp_path: Path) -> None:
    served_crl: dict[str, bytes] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = served_crl.get(self.path, b"")
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", "application/pkix-crl")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/ca.crl"
        chain, key, ca, crl = _operator_issuer(tmp_path / "operator", url)
        served_crl["/ca.crl"] = crl
        with served(
            tmp_path / "ledger", _one_event, issuer_cert=str(chain), issuer_key=str(key)
        ) as world:
            assert world.tsa_root is not None
            pdf, headers = _download(world)
            assert headers["X-PAdES-Level"] == "B-LTA"
            assert "X-PAdES-Level-Reason" not in headers
            assert revocation_counts(pdf)[1] == 2  # the operator CA's, fetched; the TSA root's
            found = baseline(pdf, [ca, world.tsa_root])
            assert found.level == "PAdES-BASELINE-LTA"
    finally:
        server.shutdown()
        server.server_close()


def _flow_evidence(world: World) -> tuple[dict[str, Any], list[bytes], list[Path]]:
    """The flow envelope's bundle, the TSA roots, and the development CAs issuing CRLs."""
    assert world.tsa_root is not None
    response = world.client.get(
        f"/v1/envelopes/{FLOW_ENVELOPE}/evidence",
        headers={"Authorization": f"Bearer {world.read}"},
    )
    roots = [world.tsa_root.read_bytes()]
    return response.get_json(), roots, [world.issuer_ca, world.tsa_root]


def _issued(
    world: World,
    bundle: dict[str, Any],
    roots: list[bytes],
    stamper: TimedTimeStamper,
    revocation: Revocation,
) -> Issued:
    """The flow envelope's certificate as ``reports.issuing.issue`` makes it, with the
    world's development issuer, ``stamper`` as the one TSA and ``roots`` trusting TSAs."""
    signer, files = issuer_signer(world.settings)
    return issue(
        bundle,
        verify_bundle(bundle, [world.vkey], roots),
        issuer_info(world.settings, signer, files.development),
        signer,
        timestampers=[stamper],
        tsa_roots=roots,
        tsa_development=True,
        revocation=revocation,
    )


def test_revocation_data_that_vanishes_while_signing_gives_b_t(world: World) -> None:
    # The check before rendering finds the CRLs; when the time-stamp revision is made
    # they are gone: the certificate is rendered again at B-T, never left claiming B-LTA.
    bundle, roots, cas = _flow_evidence(world)
    calls: list[int] = []

    def vanishing() -> list[bytes]:
        calls.append(1)
        return devpki.fresh_crls(cas) if len(calls) == 1 else []

    stamper = TimedTimeStamper(world.settings.tsa_urls[0], 10)
    issued = _issued(world, bundle, roots, stamper, Revocation(crls=vanishing, fetch=False))
    assert len(calls) == 2
    assert issued.level == issued.pades_level == "B-T"
    assert issued.level_reason is not None
    assert issued.level_reason.startswith("no revocation data for ")
    path = world.directory / "vanished.pdf"
    path.write_bytes(issued.pdf)
    assert "PAdES level reached: B-T" in flat(pdftotext(path))
    assert revocation_counts(issued.pdf)[1:] == (0, 0)


def test_a_kept_check_never_lets_a_certificate_claim_b_lta_without_the_data(
    world: World,
) -> None:
    # A check that found the revocation data stands a while (CHECK_SECONDS: the second
    # edition and the next certificates skip it); data gone by the next signature still
    # gives B-T: signing gathers it again, and the certificate is rendered again.
    bundle, roots, cas = _flow_evidence(world)
    calls: list[int] = []
    available = [True]

    def crls() -> list[bytes]:
        calls.append(1)
        return devpki.fresh_crls(cas) if available[0] else []

    revocation = Revocation(crls=crls, fetch=False)
    stamper = TimedTimeStamper(world.settings.tsa_urls[0], 10)

    def issued() -> Issued:
        return _issued(world, bundle, roots, stamper, revocation)

    assert issued().level == "B-LTA"
    assert len(calls) == 2  # the check, then the signature's validation data
    assert issued().level == "B-LTA"
    assert len(calls) == 3  # the check was kept
    available[0] = False
    gone = issued()
    assert len(calls) == 4
    assert gone.level == "B-T"
    assert gone.level_reason is not None
    assert gone.level_reason.startswith("no revocation data for ")
    assert gone.tsa_requests == 2  # signed for B-LTA, then rendered and signed again
    path = world.directory / "kept-check.pdf"
    path.write_bytes(gone.pdf)
    assert "PAdES level reached: B-T" in flat(pdftotext(path))
    assert revocation_counts(gone.pdf)[1:] == (0, 0)
    again = issued()  # the kept check was dropped: checked again, B-T from the start
    assert len(calls) == 5
    # one signature; the check asks the TSA too (for the certificate it answers with now)
    assert (again.level, again.tsa_requests) == ("B-T", 2)


def test_a_tsa_replaced_behind_its_url_is_checked_with_its_new_chain(
    world: World, tmp_path: Path
) -> None:
    # The time-stamper is kept per TSA URL for the life of the process. When another TSA
    # answers at that URL (a renewed TSA certificate, a new CA, and the operator's new
    # trust root), the certificate still reaches B-LTA: the check asks the TSA again.
    # It once checked the first TSA's kept token against the new root ("no issuer
    # matching"): B-T, as CI found when a later test's development TSA took a port
    # an earlier one had freed.
    assert world.tsa_root is not None
    bundle, anchors, _ = _flow_evidence(world)
    port = free_port()
    stamper = TimedTimeStamper(f"http://127.0.0.1:{port}/", 10)

    def issued(tsa: DevTSA) -> Issued:
        cas = [world.issuer_ca, tsa.root_pem]
        revocation = Revocation(crls=lambda: devpki.fresh_crls(cas), fetch=False)
        return _issued(world, bundle, [*anchors, tsa.root_certificate], stamper, revocation)

    for name in ("first", "renewed"):
        with DevTSA.create(tmp_path / name, port=port) as tsa:
            found = issued(tsa)
        assert (found.level, found.level_reason) == ("B-LTA", None), name
        assert baseline(found.pdf, [world.issuer_ca, tsa.root_pem]).level == "PAdES-BASELINE-LTA"


class _WrongVersionTokens(TimedTimeStamper):
    """The development TSA, its tokens' SignedData version v2 where RFC 5652 asks v3:
    outside what a token's signature covers, so pyHanko finds them valid."""

    async def async_timestamp(self, message_digest: bytes, md_algorithm: str) -> cms.ContentInfo:
        token = await super().async_timestamp(message_digest, md_algorithm)
        token["content"]["version"] = "v2"
        return cms.ContentInfo.load(token.dump(force=True))


def test_a_tsa_whose_tokens_ledger_verify_refuses_gives_b_b_and_says_why(
    world: World,
) -> None:
    # The issuer never hands out a certificate its own verifier rejects: the document
    # time-stamp is checked as ledger-verify pdf checks it (then B-T is tried), and so is
    # the B-T signature's token; with no other TSA, the certificate is B-B, saying why.
    bundle, roots, cas = _flow_evidence(world)
    stamper = _WrongVersionTokens(world.settings.tsa_urls[0], 10)
    revocation = Revocation(crls=lambda: devpki.fresh_crls(cas), fetch=False)
    issued = _issued(world, bundle, roots, stamper, revocation)
    assert issued.level == "B-B"
    assert issued.level_reason == (
        f"{stamper.name}: SigningError: the TSA's token would not verify: the signature "
        "time-stamp's signed data version v2 is not RFC 5652's"
    )
    assert issued.tsa_requests == 4  # the check, B-LTA's two time-stamps, B-T's one
    result = verify_pdf(issued.pdf, [world.vkey], roots, [world.issuer_ca.read_bytes()])
    assert result.level == "B-B"
    assert [c.name for c in result.report.failures] == []


def test_sign_refuses_b_lta_without_revocation_data(world: World) -> None:
    assert world.tsa_root is not None
    signer, _ = issuer_signer(world.settings)
    pdf = one_page_pdf()
    stamper = TimedTimeStamper(world.settings.tsa_urls[0], 10)
    now = datetime.now(UTC)
    with pytest.raises(RevocationUnavailable, match="no revocation data for the issuer"):
        sign(
            pdf,
            b"{}",
            signer,
            issued_at=now,
            level="B-LTA",
            timestamper=stamper,
            tsa_roots=[world.tsa_root.read_bytes()],
            revocation=Revocation(fetch=False),
        )
    with pytest.raises(ValueError, match="needs a time-stamper"):
        sign(pdf, b"{}", signer, issued_at=now, level="B-T")
    with pytest.raises(ValueError, match="level must be"):
        sign(pdf, b"{}", signer, issued_at=now, level="B-LT")


def test_ledger_verify_pdf_fails_a_pdf_that_claims_more_than_it_reaches(world: World) -> None:
    # Rendered saying B-LTA, signed at B-T: the signature is valid, the claim is not.
    assert world.tsa_root is not None
    response = world.client.get(
        f"/v1/envelopes/{FLOW_ENVELOPE}/evidence",
        headers={"Authorization": f"Bearer {world.read}"},
    )
    bundle = response.get_json()
    roots = [world.tsa_root.read_bytes()]
    signer, files = issuer_signer(world.settings)
    issuer = issuer_info(world.settings, signer, files.development)
    evidence = model.read(bundle, verify_bundle(bundle, [world.vkey], roots), roots)
    now = datetime.now(UTC)
    stamper = TimedTimeStamper(world.settings.tsa_urls[0], 10)
    claims = render(evidence, issuer, Signing("B-LTA", tsa=stamper.name), issued_at=now)
    pdf = sign(claims, evidence.attachment, signer, issued_at=now, level="B-T", timestamper=stamper)
    result = verify_pdf(pdf, [world.vkey], roots, [world.issuer_ca.read_bytes()])
    assert result.level == "B-T"
    assert not result.valid
    (check,) = [c for c in result.report.checks if c.name == "pades level"]
    assert check.status == "fail"
    assert check.reason == "the document states PAdES B-LTA, but reaches B-T"


@pytest.mark.parametrize("delegated", [True, False], ids=["delegated-responder", "ca-signed"])
def test_an_operator_ca_with_an_ocsp_responder(tmp_path: Path, delegated: bool) -> None:
    # The issuer's certificate names an OCSP responder (loopback HTTP, answering "good"):
    # its response is fetched and embedded. Signed by a delegated responder (EKU
    # OCSPSigning, ocsp-nocheck): B-LTA, and pyHanko's AdES validation passes. Signed by
    # the CA itself: pyHanko's long-term validation cannot place the response in time
    # (INDETERMINATE/NO_POE), so the certificate does not claim B-LTA: B-T, saying so.
    now = datetime.now(UTC)
    ca_key, key = devpki.new_key(), devpki.new_key()
    ca = devpki.make_ca(ca_key, "Operator OCSP test CA", now)
    # a delegated responder (EKU OCSPSigning, id-pkix-ocsp-nocheck), as CAs run them
    responder_key = devpki.new_key()
    responder = (
        x509.CertificateBuilder()
        .subject_name(devpki.dev_name("Operator OCSP responder"))
        .issuer_name(ca.subject)
        .public_key(responder_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(hours=1))
        .not_valid_after(now + timedelta(days=30))
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.OCSP_SIGNING]), critical=True)
        .add_extension(x509.OCSPNoCheck(), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    asked: list[int] = []
    holder: dict[str, x509.Certificate] = {}

    class Responder(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            request = ocsp.load_der_ocsp_request(body)
            asked.append(request.serial_number)
            builder = ocsp.OCSPResponseBuilder().add_response(
                cert=holder["issuer"],
                issuer=ca,
                algorithm=request.hash_algorithm,
                cert_status=ocsp.OCSPCertStatus.GOOD,
                this_update=datetime.now(UTC),
                next_update=datetime.now(UTC) + timedelta(days=1),
                revocation_time=None,
                revocation_reason=None,
            )
            if delegated:
                builder = builder.responder_id(
                    ocsp.OCSPResponderEncoding.HASH, responder
                ).certificates([responder])
                signing_key = responder_key
            else:
                builder = builder.responder_id(ocsp.OCSPResponderEncoding.HASH, ca)
                signing_key = ca_key
            response = builder.sign(signing_key, hashes.SHA256()).public_bytes(
                serialization.Encoding.DER
            )
            self.send_response(200)
            self.send_header("Content-Type", "application/ocsp-response")
            self.send_header("Content-Length", str(len(response)))
            self.end_headers()
            self.wfile.write(response)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Responder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/ocsp"
        cert = devpki.issue_certificate(
            key, ca, ca_key, "Operator OCSP test issuer", "issuer", now, ocsp_url=url
        )
        holder["issuer"] = cert
        directory = tmp_path / "operator"
        directory.mkdir()
        (directory / "issuer.pem").write_bytes(devpki.pem(cert) + devpki.pem(ca))
        devpki.write_secret(directory / "issuer.key", devpki.key_pem(key))
        (directory / "ca.pem").write_bytes(devpki.pem(ca))
        with served(
            tmp_path / "ledger",
            _one_event,
            issuer_cert=str(directory / "issuer.pem"),
            issuer_key=str(directory / "issuer.key"),
        ) as world:
            assert world.tsa_root is not None
            pdf, headers = _download(world)
            assert cert.serial_number in asked
            if not delegated:
                _says_b_t(world, pdf, headers, directory / "ca.pem", prefix="")
                reason = headers["X-PAdES-Level-Reason"]
                assert reason == "a long-term validation of the result found INDETERMINATE/NO_POE"
                return
            assert headers["X-PAdES-Level"] == "B-LTA", headers.get("X-PAdES-Level-Reason")
            assert revocation_counts(pdf)[1:] == (1, 1)  # the TSA root's CRL; the OCSP answer
            found = baseline(pdf, [directory / "ca.pem", world.tsa_root])
            assert found.level == "PAdES-BASELINE-LTA"
            assert found.indication == "PASSED/OK"
    finally:
        server.shutdown()
        server.server_close()
