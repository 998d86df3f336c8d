"""The development PKI (``ledger.devpki``): one set of functions makes the issuer's CA
and the TSA's root; both keep their keys (0600) and issue CRLs; the development TSA
signs with ECDSA P-256 (RSA, when asked for, 3072 bits)."""

from __future__ import annotations

import hashlib
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from asn1crypto import cms, tsp
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

from ledger import devpki
from ledger.anchoring.devtsa import DevTSA
from ledger.anchoring.stamper import timestamp_request
from ledger.errors import Unavailable
from verifier.timestamp import verify


def load(path: Path) -> x509.Certificate:
    return x509.load_pem_x509_certificate(path.read_bytes())


def test_the_development_issuer_keeps_its_ca_key(tmp_path: Path) -> None:
    directory = tmp_path / "issuer"
    assert devpki.ensure_dev_issuer(directory)
    assert not devpki.ensure_dev_issuer(directory)  # made once
    for name in ("ca.key", "issuer.key"):
        assert (directory / name).stat().st_mode & 0o777 == 0o600, name
    ca, issuer = load(directory / "ca.pem"), load(directory / "issuer.pem")
    issuer.verify_directly_issued_by(ca)
    assert isinstance(devpki.load_key(directory / "ca.key"), ec.EllipticCurvePrivateKey)
    label = ca.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value
    assert label == devpki.DEV_ISSUER_CA_LABEL
    assert devpki.is_development(ca)
    usage = issuer.extensions.get_extension_for_class(x509.KeyUsage).value
    assert (usage.digital_signature, usage.content_commitment, usage.key_cert_sign) == (
        True,
        True,
        False,
    )


def test_a_damaged_issuer_directory_is_refused_an_old_one_used(tmp_path: Path) -> None:
    directory = tmp_path / "issuer"
    devpki.ensure_dev_issuer(directory)
    (directory / "ca.key").unlink()  # made before the CA kept its key: still usable
    assert not devpki.ensure_dev_issuer(directory)
    assert devpki.fresh_crls([directory / "ca.pem"]) == []  # but it issues no CRL
    (directory / "issuer.key").unlink()
    with pytest.raises(Unavailable, match=r"lacks ca\.key, issuer\.key"):
        devpki.ensure_dev_issuer(directory)


def test_both_cas_come_from_the_same_functions(tmp_path: Path) -> None:
    devpki.ensure_dev_issuer(tmp_path / "issuer")
    tsa = DevTSA.create(tmp_path / "tsa")
    issuer_ca, tsa_root = load(tmp_path / "issuer" / "ca.pem"), load(tsa.root_pem)
    for ca in (issuer_ca, tsa_root):
        assert devpki.is_development(ca)
        assert ca.issuer == ca.subject
        constraints = ca.extensions.get_extension_for_class(x509.BasicConstraints)
        assert (constraints.critical, constraints.value.ca, constraints.value.path_length) == (
            True,
            True,
            0,
        )
        usage = ca.extensions.get_extension_for_class(x509.KeyUsage).value
        assert (usage.key_cert_sign, usage.crl_sign) == (True, True)
    assert [e.oid for e in issuer_ca.extensions] == [e.oid for e in tsa_root.extensions]
    assert (tsa.directory / "root.key").stat().st_mode & 0o777 == 0o600


def test_the_development_tsa_signs_with_ec_p256(tmp_path: Path) -> None:
    tsa = DevTSA.create(tmp_path / "tsa")
    for path in (tsa.tsa_pem, tsa.root_pem):
        key = load(path).public_key()
        assert isinstance(key, ec.EllipticCurvePublicKey)
        assert isinstance(key.curve, ec.SECP256R1)
    digest = hashlib.sha256(b"checkpoint").digest()
    with tsa:
        request = urllib.request.Request(  # noqa: S310  loopback http only
            tsa.url,
            data=timestamp_request(digest, 7),
            headers={"Content-Type": "application/timestamp-query"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            reply = response.read()
    assert verify(reply, digest, [tsa.root_certificate]).nonce == 7
    token = tsp.TimeStampResp.load(reply)["time_stamp_token"]
    signer_info = token["content"]["signer_infos"][0]
    assert isinstance(token["content"], cms.SignedData)
    assert signer_info["signature_algorithm"].signature_algo == "ecdsa"
    other = DevTSA.create(tmp_path / "rsa", "rsa")
    key = load(other.tsa_pem).public_key()
    assert isinstance(key, rsa.RSAPublicKey)
    assert key.key_size >= 3072


def test_fresh_crls_are_signed_by_their_ca_and_list_nothing(tmp_path: Path) -> None:
    devpki.ensure_dev_issuer(tmp_path / "issuer")
    tsa = DevTSA.create(tmp_path / "tsa")
    files = [tmp_path / "issuer" / "ca.pem", tsa.root_pem]
    now = datetime.now(UTC).replace(microsecond=0)
    crls = [x509.load_der_x509_crl(d) for d in devpki.fresh_crls(files, now)]
    assert len(crls) == 2
    for crl, path in zip(crls, files, strict=True):
        ca = load(path)
        assert crl.issuer == ca.subject
        assert crl.is_signature_valid(ca.public_key())
        assert len(crl) == 0
        assert crl.last_update_utc == now
        assert crl.next_update_utc == now + timedelta(days=devpki.CRL_DAYS)
        number = crl.extensions.get_extension_for_class(x509.CRLNumber).value.crl_number
        assert number > 0


def test_only_development_cas_with_their_key_issue_crls(tmp_path: Path) -> None:
    now = datetime.now(UTC)
    key = devpki.new_key()
    foreign = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "An operator's CA")])
    real = (
        x509.CertificateBuilder()
        .subject_name(foreign)
        .issuer_name(foreign)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now)
        .not_valid_after(now + timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    (tmp_path / "real.pem").write_bytes(devpki.pem(real))
    devpki.write_secret(tmp_path / "real.key", devpki.key_pem(key))
    assert devpki.fresh_crl(tmp_path / "real.pem") is None  # not ours: never
    assert devpki.fresh_crl(tmp_path / "missing.pem") is None
    dev = devpki.make_ca(key, "test CA", now)
    (tmp_path / "dev.pem").write_bytes(devpki.pem(dev))
    devpki.write_secret(tmp_path / "dev.key", devpki.key_pem(devpki.new_key()))
    with pytest.raises(devpki.DevPKIError, match="is not the key of"):
        devpki.fresh_crl(tmp_path / "dev.pem")


def test_a_revoked_serial_is_listed(tmp_path: Path) -> None:
    key = devpki.new_key()
    ca = devpki.make_ca(key, "test CA", datetime.now(UTC))
    crl = x509.load_der_x509_crl(devpki.make_crl(ca, key, datetime.now(UTC), revoked=[42]))
    assert crl.get_revoked_certificate_by_serial_number(42) is not None


def test_a_development_tsa_made_before_keeps_its_key_type(tmp_path: Path) -> None:
    # var/devtsa from before P-256 became the default: reused as it is (its anchors
    # verify with its root), and its root still issues CRLs.
    old = DevTSA.create(tmp_path / "devtsa", "rsa")
    again = DevTSA.create(tmp_path / "devtsa")
    assert again.root_certificate == old.root_certificate
    assert devpki.fresh_crl(again.root_pem) is not None
