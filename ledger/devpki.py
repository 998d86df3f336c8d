"""The development PKI: the certificate authorities of the development issuer and TSA.

For ``make run`` and for tests only; everything it makes says so. Two CAs, made by the
same functions here:

- the development issuer (``ensure_dev_issuer(<data dir>/issuer)``): ``ca.pem`` and
  ``ca.key`` (its CA), ``issuer.pem`` (the issuer's certificate, then the CA) and
  ``issuer.key``: the key that signs certificates of evidence;
- the development TSA (``ledger.anchoring.devtsa`` calls ``make_ca`` and
  ``issue_certificate``): ``root.pem`` and ``root.key`` (its CA), ``tsa.pem`` and
  ``tsa.key``.

Keys are ECDSA P-256 (RSA, when asked for, 3072 bits), written 0600. The CA keys are
kept under the data dir so that the CAs can issue CRLs: ``fresh_crls(ca files)`` issues,
for each development CA whose key lies beside its certificate (``ca.pem`` →
``ca.key``), a CRL listing no revoked certificate, this update now, next update in
``CRL_DAYS``. ``reports.signing`` embeds them in the PDF's document security store, so
a validator needs no network: the certificates carry no CRL distribution point,
because nothing serves one. A CRL is made at each signature (well under a millisecond
for P-256), after the signature time-stamp, so that it is newer than the signature, as
ETSI EN 319 102-1 wants of revocation data.

A CA whose subject does not say "development" is never used to issue a CRL here.
"""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Literal

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from ledger.errors import Unavailable

DEV_ORGANIZATION = "Evidence Ledger (development, untrusted)"
DEV_ISSUER_LABEL = "Evidence Ledger development issuer — NOT FOR EVIDENCE"
DEV_ISSUER_CA_LABEL = "Evidence Ledger development issuer CA — NOT FOR EVIDENCE"
DEV_TSA_LABEL = "Evidence Ledger development TSA — NOT FOR EVIDENCE"
DEV_TSA_ROOT_LABEL = "Evidence Ledger development root CA — NOT FOR EVIDENCE"

CA_DAYS = 20 * 365
LEAF_DAYS = 10 * 365
CRL_DAYS = 7  # a CRL's nextUpdate: a week after it is issued, at signing time
RSA_BITS = 3072

KeyType = Literal["ec", "rsa"]
Usage = Literal["issuer", "tsa"]
Eku = Literal["critical", "noncritical", "none"]
PrivateKey = ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey

ISSUER_FILES = ("ca.pem", "ca.key", "issuer.pem", "issuer.key")


class DevPKIError(Exception):
    """A development CA cannot be made or used."""


# --- keys and files -----------------------------------------------------------------


def new_key(key_type: KeyType = "ec") -> PrivateKey:
    """ECDSA P-256, or RSA of ``RSA_BITS``."""
    if key_type == "ec":
        return ec.generate_private_key(ec.SECP256R1())
    if key_type == "rsa":
        return rsa.generate_private_key(public_exponent=65537, key_size=RSA_BITS)
    raise DevPKIError(f"key_type must be 'ec' or 'rsa', not {key_type!r}")


def pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def key_pem(key: PrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def write_secret(path: Path, data: bytes) -> None:
    """Write a private key readable by its owner only (0600 from the start, no window)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    os.chmod(path, 0o600)  # O_CREAT's mode does not apply to an existing file


def load_key(path: Path) -> PrivateKey:
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError, TypeError) as e:
        raise DevPKIError(f"cannot read the key {path}: {e}") from e
    if not isinstance(key, PrivateKey):
        raise DevPKIError(f"{path} is neither an EC nor an RSA key")
    return key


# --- certificates -------------------------------------------------------------------


def dev_name(common_name: str, instance: str | None = None) -> x509.Name:
    """O and CN say "development"; OU tells one generated CA (or leaf) from another."""
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, DEV_ORGANIZATION),
            x509.NameAttribute(
                NameOID.ORGANIZATIONAL_UNIT_NAME, f"instance {instance or secrets.token_hex(4)}"
            ),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _key_usage(*, sign: bool, commit: bool, certify: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=sign,
        content_commitment=commit,  # nonRepudiation: the issuer attests the content
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=certify,
        crl_sign=certify,
        encipher_only=False,
        decipher_only=False,
    )


def make_ca(
    key: PrivateKey, label: str, now: datetime, instance: str | None = None
) -> x509.Certificate:
    """A self-signed CA: basicConstraints cA (path length 0), keyCertSign and cRLSign."""
    name = dev_name(label, instance)
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=CA_DAYS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(sign=False, commit=False, certify=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )


def issue_certificate(
    key: PrivateKey,
    ca: x509.Certificate,
    ca_key: PrivateKey,
    label: str,
    usage: Usage,
    now: datetime,
    *,
    eku: Eku = "critical",
    instance: str | None = None,
    crl_url: str | None = None,
    ocsp_url: str | None = None,
) -> x509.Certificate:
    """An end-entity certificate by ``ca``: the issuer's (digitalSignature and
    nonRepudiation) or a TSA's (digitalSignature, EKU timeStamping as ``eku`` says).
    ``crl_url``, ``ocsp_url``: a CRL distribution point or an OCSP responder, as a real
    CA names them (the development CAs name none: their CRLs are embedded, nothing
    serves them)."""
    builder = (
        x509.CertificateBuilder()
        .subject_name(dev_name(label, instance))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(hours=1))
        .not_valid_after(now + timedelta(days=LEAF_DAYS))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            _key_usage(sign=True, commit=usage == "issuer", certify=False), critical=True
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
            critical=False,
        )
    )
    if crl_url is not None:
        point = x509.DistributionPoint([x509.UniformResourceIdentifier(crl_url)], None, None, None)
        builder = builder.add_extension(x509.CRLDistributionPoints([point]), critical=False)
    if ocsp_url is not None:
        access = x509.AccessDescription(
            x509.oid.AuthorityInformationAccessOID.OCSP, x509.UniformResourceIdentifier(ocsp_url)
        )
        builder = builder.add_extension(x509.AuthorityInformationAccess([access]), critical=False)
    if usage == "tsa" and eku != "none":
        builder = builder.add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]),
            critical=eku == "critical",
        )
    return builder.sign(ca_key, hashes.SHA256())


# --- CRLs ---------------------------------------------------------------------------


def make_crl(
    ca: x509.Certificate,
    ca_key: PrivateKey,
    now: datetime,
    *,
    revoked: Iterable[int] = (),
    days: int = CRL_DAYS,
) -> bytes:
    """A DER CRL by ``ca`` (version 2, CRL number, authority key identifier), listing
    the serial numbers ``revoked``; this update ``now``, next update ``days`` later."""
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(ca.subject)
        .last_update(now)
        .next_update(now + timedelta(days=days))
        .add_extension(x509.CRLNumber(int(now.timestamp() * 1000)), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
            critical=False,
        )
    )
    for serial in revoked:
        builder = builder.add_revoked_certificate(
            x509.RevokedCertificateBuilder()
            .serial_number(serial)
            .revocation_date(now - timedelta(seconds=1))
            .build()
        )
    crl = builder.sign(ca_key, hashes.SHA256())
    return crl.public_bytes(serialization.Encoding.DER)


def is_development(cert: x509.Certificate) -> bool:
    found = cert.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)
    return bool(found) and found[0].value == DEV_ORGANIZATION


def fresh_crl(ca_file: Path, now: datetime | None = None) -> bytes | None:
    """A CRL issued now by the development CA in ``ca_file`` (PEM), whose key is
    ``ca_file`` with the suffix ``.key``; None if that CA is not a development CA of
    ours, or its key is not there (a data dir made before the CAs kept their keys)."""
    key_file = ca_file.with_suffix(".key")
    try:
        ca = x509.load_pem_x509_certificate(ca_file.read_bytes())
    except (OSError, ValueError):
        return None
    if not is_development(ca) or ca.issuer != ca.subject or not key_file.is_file():
        return None
    key = load_key(key_file)
    public = serialization.PublicFormat.SubjectPublicKeyInfo
    if key.public_key().public_bytes(
        serialization.Encoding.DER, public
    ) != ca.public_key().public_bytes(serialization.Encoding.DER, public):
        raise DevPKIError(f"{key_file} is not the key of {ca_file}")
    return make_crl(ca, key, now or datetime.now(UTC))


def fresh_crls(ca_files: Iterable[Path], now: datetime | None = None) -> list[bytes]:
    """``fresh_crl`` of each file that is a development CA with its key."""
    found = (fresh_crl(Path(f), now) for f in ca_files)
    return [crl for crl in found if crl is not None]


# --- the development issuer ---------------------------------------------------------


def _make_dev_issuer(directory: Path) -> None:
    """Write ``ca.pem``, ``ca.key`` (0600), ``issuer.pem`` (issuer then CA) and
    ``issuer.key`` (0600) into the new directory."""
    now = datetime.now(UTC)
    instance = secrets.token_hex(4)
    ca_key = new_key("ec")
    ca = make_ca(ca_key, DEV_ISSUER_CA_LABEL, now, instance)
    key = new_key("ec")
    cert = issue_certificate(key, ca, ca_key, DEV_ISSUER_LABEL, "issuer", now, instance=instance)
    (directory / "ca.pem").write_bytes(pem(ca))
    write_secret(directory / "ca.key", key_pem(ca_key))
    (directory / "issuer.pem").write_bytes(pem(cert) + pem(ca))
    write_secret(directory / "issuer.key", key_pem(key))
    (directory / "README").write_text(
        f"{DEV_ISSUER_LABEL}\n\n"
        "Made by `ledger init` because LEDGER_ISSUER_CERT and LEDGER_ISSUER_KEY are not set.\n"
        "Certificates of evidence signed with issuer.key prove nothing to anyone: its CA\n"
        "(ca.pem) is trusted by nobody. ca.key is kept so that the CA issues the CRLs that\n"
        "the certificates embed (PAdES B-LTA). Configure the operator's own certificate.\n",
        encoding="utf-8",
    )


def ensure_dev_issuer(directory: Path) -> bool:
    """The development issuer in ``directory``, made if absent; True if made now.

    Made in a temporary directory and renamed into place, so that two processes
    starting at once end with one complete issuer. A directory made before the CA kept
    its key (no ``ca.key``) is used as it is: its certificates reach B-T, not B-LTA.
    """
    if directory.is_dir():
        missing = [name for name in ISSUER_FILES if not (directory / name).is_file()]
        if missing and missing != ["ca.key"]:
            raise Unavailable(
                f"{directory} lacks {', '.join(missing)}: remove the directory and run "
                "`ledger init` to make a new development issuer"
            )
        return False
    directory.parent.mkdir(parents=True, exist_ok=True)
    scratch = directory.parent / f".{directory.name}-{secrets.token_hex(6)}"
    scratch.mkdir(mode=0o700)
    try:
        _make_dev_issuer(scratch)
        try:
            scratch.rename(directory)
        except OSError:
            if directory.is_dir():  # another process won the race: use its issuer
                return False
            raise
        return True
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
