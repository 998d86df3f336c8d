"""Certificates of evidence for the service: settings → issuer and signer, bundle → PDF.

``certificate(service, tenant, envelope_id, lang=, tz=)`` reads the envelope's
``evidence-bundle/1`` (``ledger.evidence``), verifies it with the log's keys and the
configured TSA roots (``verifier.bundle``), and has ``reports`` render and sign it. The
API (``GET /v1/envelopes/<id>/certificate.pdf``) and ``ledger certificate`` call it.

The issuer's certificate and key come from ``LEDGER_ISSUER_CERT``/``LEDGER_ISSUER_KEY``.
Without them the development issuer is used: an ECDSA P-256 CA and issuer certificate
under ``<data dir>/issuer/`` that ``ledger init`` makes (or the first certificate, if
init did not), whose subjects say "NOT FOR EVIDENCE" (``ledger.devpki``). The loaded
signer is kept per process (reloading keys per PDF is what makes signing slow,
docs/design/CEILINGS.md, pitfall 4), and so
is one time-stamper per TSA URL. Revocation data for B-LTA: ``revocation``.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from config.settings import Settings
from ledger import evidence
from ledger.anchoring.setup import trust_roots
from ledger.devpki import ensure_dev_issuer, fresh_crls
from ledger.errors import InvalidInput, Unavailable
from ledger.service import Ledger
from reports.certificate import IssuerInfo
from reports.issuing import Issued, issue
from reports.signing import IssuerSigner, Revocation, SigningSetupError, TimedTimeStamper
from reports.texts import LANGS, Lang, zones
from verifier.bundle import verify_bundle

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


def revocation(settings: Settings, files: IssuerFiles) -> Revocation:
    """Revocation data for B-LTA: CRLs issued at signing time by the development CAs
    whose keys are under the data dir (the development issuer's CA, the development
    TSA's root: ``ledger.devpki``), and, for real CAs, the CRLs and OCSP responses their
    certificates name, fetched within ``LEDGER_TSA_TIMEOUT`` seconds per request."""
    cas = [files.ca] if files.ca is not None else []
    cas += list(settings.tsa_trust_roots)
    if not settings.tsa_trust_roots and not settings.tsa_urls:
        cas.append(settings.devtsa_dir / "root.pem")
    return Revocation(crls=lambda: fresh_crls(cas), fetch=True, timeout=float(settings.tsa_timeout))


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
            conn, log.id, log.origin, log.alg, vkeys, tenant, envelope_id, settings.tsa_dev
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
        revocation=revocation(settings, files),
    )
