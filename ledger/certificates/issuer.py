"""The issuer of certificates: its settings, its files and its signer.

The issuer's certificate and key come from ``LEDGER_ISSUER_CERT``/``LEDGER_ISSUER_KEY``.
Without them the development issuer is used: an ECDSA P-256 CA and issuer certificate
under ``<data dir>/issuer/`` that ``ledger init`` makes (or the first certificate, if
init did not), whose subjects say "NOT FOR EVIDENCE" (``ledger.devpki``). The loaded
signer is kept per process (reloading keys per PDF is what makes signing slow,
docs/design/CEILINGS.md, pitfall 4). Revocation data for B-LTA: ``revocation``.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from config.settings import Settings
from ledger.devpki import ensure_dev_issuer, fresh_crls
from ledger.errors import Unavailable
from reports.issuer import IssuerInfo
from reports.signing import IssuerSigner, Revocation, SigningSetupError

# --- the development issuer (ledger.devpki) --------------------------------------------


@dataclass(frozen=True)
class IssuerFiles:
    cert: Path  # the signing certificate, then its chain
    key: Path
    ca: Path | None  # the development CA (what verifiers pass as --issuer-root)
    development: bool


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


@dataclass(frozen=True)
class _DevelopmentCrls:
    """CRLs issued now by the development CAs among ``cas`` (``fresh_crls``). A value,
    not a closure: equal settings give equal ``Revocation`` objects, by which
    ``reports.signing.check_revocation`` keeps a check that found the data."""

    cas: tuple[Path, ...]

    def __call__(self) -> list[bytes]:
        return fresh_crls(self.cas)


def revocation(settings: Settings, files: IssuerFiles) -> Revocation:
    """Revocation data for B-LTA: CRLs issued at signing time by the development CAs
    whose keys are under the data dir (the development issuer's CA, the development
    TSA's root: ``ledger.devpki``), and, for real CAs, the CRLs and OCSP responses their
    certificates name, fetched within ``LEDGER_TSA_TIMEOUT`` seconds per request."""
    cas = [files.ca] if files.ca is not None else []
    cas += list(settings.tsa_trust_roots)
    if not settings.tsa_trust_roots and not settings.tsa_urls:
        cas.append(settings.devtsa_dir / "root.pem")
    return Revocation(
        crls=_DevelopmentCrls(tuple(Path(c) for c in cas)),
        fetch=True,
        timeout=float(settings.tsa_timeout),
    )
