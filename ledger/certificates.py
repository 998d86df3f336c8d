"""Certificates of evidence for the service: settings → issuer and signer, bundle → PDF.

``certificate(service, tenant, envelope_id, lang=, tz=)`` reads the envelope's
``evidence-bundle/1`` (``ledger.evidence``), verifies it with the log's keys and the
configured TSA roots (``verifier.bundle``), and has ``reports`` render and sign it. The
API (``GET /v1/envelopes/<id>/certificate.pdf``) and ``ledger certificate`` call it.

The issuer's certificate and key come from ``LEDGER_ISSUER_CERT``/``LEDGER_ISSUER_KEY``.
Without them the development issuer is used: an ECDSA P-256 CA and issuer certificate
under ``<data dir>/issuer/`` that ``ledger init`` makes (or the first certificate, if
init did not), whose subjects say "NOT FOR EVIDENCE". The loaded signer is kept per
process (reloading keys per PDF is what makes signing slow, CEILINGS pitfall 4), and
so is one time-stamper per TSA URL.
"""

from __future__ import annotations

import os
import secrets
import shutil
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from config.settings import Settings
from ledger import evidence
from ledger.anchoring.setup import trust_roots
from ledger.errors import InvalidInput, Unavailable
from ledger.service import Ledger
from reports.certificate import IssuerInfo
from reports.issuing import Issued, issue
from reports.signing import IssuerSigner, SigningSetupError, TimedTimeStamper
from reports.texts import LANGS, Lang, zones
from verifier.bundle import verify_bundle

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
        verify_url=issuer.verify_url,
        retention_years=issuer.retention_years,
        backend="SQLite" if settings.is_sqlite else "PostgreSQL",
        max_skew=settings.tsa_max_skew,
    )


# --- TSAs ---------------------------------------------------------------------------


_stampers: dict[tuple[str, float, tuple[tuple[str, str], ...]], TimedTimeStamper] = {}
_stampers_lock = threading.Lock()


def timestampers(settings: Settings) -> list[TimedTimeStamper]:
    """One pyHanko time-stamper per configured TSA URL, in order, kept per process."""
    found = []
    with _stampers_lock:
        for url in settings.tsa_urls:
            headers = settings.tsa_headers.get(url) or {}
            key = (url, float(settings.tsa_timeout), tuple(sorted(headers.items())))
            if key not in _stampers:
                _stampers[key] = TimedTimeStamper(url, settings.tsa_timeout, headers or None)
            found.append(_stampers[key])
    return found


def tsa_roots(settings: Settings) -> list[bytes]:
    """The configured TSA trust roots; none when no TSA was ever set up (no anchors)."""
    try:
        return trust_roots(settings)
    except Unavailable:
        if settings.tsa_urls or settings.tsa_trust_roots:
            raise
        return []  # no TSA and no development TSA yet: nothing can be anchored


# --- parameters ---------------------------------------------------------------------


def parse_lang(raw: str | None) -> Lang:
    if raw is None or raw == "en":
        return "en"
    if raw == "zh":
        return "zh"
    raise InvalidInput(f"lang takes {' or '.join(LANGS)}", field="lang")


def parse_tz(raw: str | None) -> ZoneInfo | None:
    if raw is None:
        return None
    if raw not in zones():
        raise InvalidInput("tz takes an IANA time zone name such as Asia/Shanghai", field="tz")
    return ZoneInfo(raw)


# --- the certificate ------------------------------------------------------------------


def certificate(
    service: Ledger,
    tenant: tuple[int, str],
    envelope_id: str,
    *,
    lang: Lang = "en",
    tz: ZoneInfo | None = None,
) -> Issued:
    """The signed certificate of evidence of one envelope of ``tenant``."""
    settings = service.settings
    signer, files = issuer_signer(settings)
    roots = tsa_roots(settings)
    with service.db.reading() as conn:
        vkeys = [k.vkey for k in service.keys.listing(conn)]
        log = service.log
        bundle = evidence.bundle(
            conn,
            service.data_keys,
            log.id,
            log.origin,
            log.alg,
            vkeys,
            tenant,
            envelope_id,
            settings.tsa_dev,
        )
    report = verify_bundle(bundle, vkeys, roots)
    return issue(
        bundle,
        report,
        issuer_info(settings, signer, files.development),
        signer,
        lang=lang,
        tz=tz,
        timestampers=timestampers(settings),
        tsa_roots=roots,
        tsa_development=settings.tsa_dev,
    )
