"""The issuer of certificates: its settings, its files and its signer.

The issuer's certificate and key come from ``LEDGER_ISSUER_CERT``/``LEDGER_ISSUER_KEY``.
Without them the development issuer is used: an ECDSA P-256 CA and issuer certificate
under ``<data dir>/issuer/`` that ``ledger init`` makes (or the first certificate, if
init did not), whose subjects say "NOT FOR EVIDENCE". The loaded signer is kept per
process (reloading keys per PDF is what makes signing slow, docs/design/CEILINGS.md,
pitfall 4).
"""

from __future__ import annotations

import os
import secrets
import shutil
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from config.settings import Settings
from ledger.errors import Unavailable
from reports.certificate import IssuerInfo
from reports.signing import IssuerSigner, SigningSetupError

DEV_ISSUER_LABEL = "Evidence Ledger development issuer — NOT FOR EVIDENCE"
DEV_CA_LABEL = "Evidence Ledger development issuer CA — NOT FOR EVIDENCE"
DEV_ORGANIZATION = "Evidence Ledger (development, untrusted)"
CA_DAYS = 20 * 365
ISSUER_DAYS = 10 * 365
_FILES = ("ca.pem", "issuer.pem", "issuer.key")


# --- the development issuer ---------------------------------------------------------


@dataclass(frozen=True)
class IssuerFiles:
    cert: Path  # the signing certificate, then its chain
    key: Path
    ca: Path | None  # the development CA (what verifiers pass as --issuer-root)
    development: bool


def _name(common_name: str, instance: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, DEV_ORGANIZATION),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, f"instance {instance}"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _key_usage(*, sign: bool, certify: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=sign,
        content_commitment=sign,  # nonRepudiation: the issuer attests the content
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=certify,
        crl_sign=certify,
        encipher_only=False,
        decipher_only=False,
    )


def _make_dev_issuer(directory: Path) -> None:
    """Write ``ca.pem``, ``issuer.pem`` (issuer then CA) and ``issuer.key`` (0600) into
    the new directory; the CA key is not kept: nothing else is ever issued by it."""
    now = datetime.now(UTC)
    instance = secrets.token_hex(4)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = _name(DEV_CA_LABEL, instance)
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=CA_DAYS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(sign=False, certify=True), critical=True)
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(DEV_ISSUER_LABEL, instance))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(hours=1))
        .not_valid_after(now + timedelta(days=ISSUER_DAYS))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(sign=True, certify=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    pem = serialization.Encoding.PEM
    (directory / "ca.pem").write_bytes(ca.public_bytes(pem))
    (directory / "issuer.pem").write_bytes(cert.public_bytes(pem) + ca.public_bytes(pem))
    fd = os.open(directory / "issuer.key", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(
            key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        )
    (directory / "README").write_text(
        f"{DEV_ISSUER_LABEL}\n\n"
        "Made by `ledger init` because LEDGER_ISSUER_CERT and LEDGER_ISSUER_KEY are not set.\n"
        "Certificates of evidence signed with issuer.key prove nothing to anyone: its CA\n"
        "(ca.pem) is trusted by nobody. Configure the operator's own certificate.\n",
        encoding="utf-8",
    )


def ensure_dev_issuer(directory: Path) -> bool:
    """The development issuer in ``directory``, made if absent; True if made now.

    Made in a temporary directory and renamed into place, so that two processes
    starting at once end with one complete issuer.
    """
    if directory.is_dir():
        missing = [name for name in _FILES if not (directory / name).is_file()]
        if missing:
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


def issuer_files(settings: Settings) -> IssuerFiles:
    """The configured issuer, or the development issuer (made if absent)."""
    issuer = settings.issuer
    if issuer.cert is not None and issuer.key is not None:
        return IssuerFiles(issuer.cert, issuer.key, None, development=False)
    directory = settings.issuer_dir
    ensure_dev_issuer(directory)
    return IssuerFiles(
        directory / "issuer.pem", directory / "issuer.key", directory / "ca.pem", True
    )


_signers: dict[tuple[str, str, int, int], IssuerSigner] = {}
_signers_lock = threading.Lock()


def issuer_signer(settings: Settings) -> tuple[IssuerSigner, IssuerFiles]:
    """The issuer's signer, loaded once per process (again if the files change)."""
    files = issuer_files(settings)
    try:
        key = (
            str(files.cert),
            str(files.key),
            files.cert.stat().st_mtime_ns,
            files.key.stat().st_mtime_ns,
        )
    except OSError as e:
        raise Unavailable(f"cannot read the issuer certificate or key: {e}") from e
    with _signers_lock:
        signer = _signers.get(key)
        if signer is None:
            try:
                signer = IssuerSigner.load(files.cert, files.key)
            except SigningSetupError as e:
                raise Unavailable(str(e)) from e
            _signers.clear()
            _signers[key] = signer
    return signer, files


def issuer_info(settings: Settings, signer: IssuerSigner, development: bool) -> IssuerInfo:
    issuer = settings.issuer
    return IssuerInfo(
        name=issuer.name,
        address=issuer.address,
        contact=issuer.contact,
        person=issuer.person,
        person_title=issuer.person_title,
        certificate=signer.certificate,
        development=development,
        verify_url=settings.verify_url,
        retention_years=issuer.retention_years,
        backend="SQLite" if settings.is_sqlite else "PostgreSQL",
        max_skew=settings.tsa_max_skew,
        clock_skew=settings.clock_skew,
        public=bool(settings.public_url),
    )


def issuer_roots(settings: Settings) -> list[bytes]:
    """The roots that certificates of this issuer chain to (PEM), as a verifier passes
    them to ``ledger-verify pdf --issuer-root``: the development CA, or the self-signed
    certificates of the configured chain (its last certificate if none is)."""
    files = issuer_files(settings)
    path = files.ca if files.ca is not None else files.cert
    try:
        certs = x509.load_pem_x509_certificates(path.read_bytes())
    except (OSError, ValueError) as e:
        raise Unavailable(f"cannot read the issuer's certificates {path}: {e}") from e
    roots = [c for c in certs if c.subject == c.issuer] or certs[-1:]
    return [c.public_bytes(serialization.Encoding.PEM) for c in roots]
