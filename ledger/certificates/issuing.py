"""A certificate for a caller: the registry's copy if the evidence is unchanged, else a
new edition, issued, recorded and returned.

``certificate(service, tenant, envelope_id, lang=, tz=)`` reads the envelope's
``evidence-bundle/1`` (``ledger.evidence``) and names it (``reports.identity``). If the
registry holds that edition (id, language, time zone), its PDF is returned byte for
byte: no rendering, no TSA request. Otherwise the bundle (the one the id's other
editions attach, if any) is verified with the log's keys and the configured TSA roots
(``verifier.bundle``), rendered and signed (``reports.issuing``), and recorded
(``ledger.certificates.registry``); a new id supersedes the envelope's current one.

``editions(service, tenant, envelope_id, langs, tz=)`` does that for several languages
at once (an export's two): the evidence is read and verified once for all of them, and
the bundle read is returned beside them.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.exc import IntegrityError

from ledger.certificates import registry
from ledger.certificates.issuer import issuer_info, issuer_signer, revocation
from ledger.certificates.tsa import timestampers, tsa_roots
from ledger.privacy.registry_keys import sealer
from ledger.service import Ledger
from reports.identity import certificate_id, evidence_sha256
from reports.issuing import Issued, issue
from reports.model import bundle_bytes
from reports.texts import Lang
from verifier.bundle import verify_bundle
from verifier.report import VerificationReport


@dataclass(frozen=True)
class Delivered:
    """A certificate as handed out: the PDF, its id, its PAdES level, and whether it is
    the registry's stored copy (``issued`` is None then) or was issued now."""

    pdf: bytes
    certificate_id: str
    level: str
    issued: Issued | None  # what issuing cost; None: the stored PDF
    supersedes: str | None = None  # the certificate this new one supersedes
    level_reason: str | None = None  # why not B-LTA (None at B-LTA)

    @property
    def stored(self) -> bool:
        return self.issued is None


def zone_name(tz: ZoneInfo | None) -> str:
    return tz.key if tz is not None else registry.NO_ZONE


def certificate(
    service: Ledger,
    tenant: tuple[int, str],
    envelope_id: str,
    *,
    lang: Lang = "en",
    tz: ZoneInfo | None = None,
) -> Delivered:
    """The signed certificate of evidence of one envelope of ``tenant``, in one edition."""
    return editions(service, tenant, envelope_id, (lang,), tz=tz).delivered[0]


@dataclass(frozen=True)
class Editions:
    """The envelope's bundle as read, and its certificate in each language asked for."""

    bundle: dict[str, Any]  # the evidence-bundle/1 the log holds now
    delivered: list[Delivered]  # in the order of the languages


def editions(
    service: Ledger,
    tenant: tuple[int, str],
    envelope_id: str,
    langs: Sequence[Lang],
    *,
    tz: ZoneInfo | None = None,
) -> Editions:
    """The certificate of one envelope in each of ``langs``, as ``certificate`` gives
    each, from one reading of the evidence: the editions of one call rest on the same
    bundle, verified once (not once per edition)."""
    settings = service.settings
    zone = zone_name(tz)
    with service.db.reading() as conn:
        vkeys = [k.vkey for k in service.keys.listing(conn)]
        fresh = service.bundle(conn, tenant, envelope_id, vkeys)
        ident = certificate_id(fresh)
        stored = {
            lang: registry.stored_pdf(conn, service.data_keys, ident, lang, zone) for lang in langs
        }
        attached = (
            registry.stored_bundle(conn, service.data_keys, ident)
            if any(found is None for found in stored.values())
            else None
        )
    delivered: list[Delivered] = []
    checked: tuple[VerificationReport, list[bytes]] | None = None
    for lang in langs:
        found = stored[lang]
        if found is not None:
            delivered.append(Delivered(found[0], ident, found[1], None, level_reason=found[2]))
            continue
        if attached is None and checked is not None:  # the edition just issued attaches it
            with service.db.reading() as conn:
                attached = registry.stored_bundle(conn, service.data_keys, ident)
        # every edition of an id attaches the same bundle
        bundle = json.loads(attached) if attached is not None else fresh
        if checked is None:
            issuer_signer(settings)  # Unavailable before anything else, as it always was
            roots = tsa_roots(settings)
            checked = verify_bundle(bundle, vkeys, roots), roots
        report, roots = checked
        delivered.append(
            _issue(service, tenant, envelope_id, ident, bundle, attached, report, roots, lang, tz)
        )
    return Editions(fresh, delivered)


def _issue(
    service: Ledger,
    tenant: tuple[int, str],
    envelope_id: str,
    ident: str,
    bundle: dict[str, Any],
    attached: bytes | None,
    report: VerificationReport,
    roots: list[bytes],
    lang: Lang,
    tz: ZoneInfo | None,
) -> Delivered:
    """A new edition issued and recorded (or the one recorded meanwhile by another)."""
    settings = service.settings
    zone = zone_name(tz)
    when = datetime.now(UTC)
    signer, files = issuer_signer(settings)
    issued = issue(
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
        issued_at=when,
    )
    new = registry.NewEdition(
        certificate_id=ident,
        lang=lang,
        tz=zone,
        tenant_id=tenant[0],
        envelope_id=envelope_id,
        basis=registry.basis(bundle),
        evidence_sha256=evidence_sha256(bundle),
        bundle=attached if attached is not None else bundle_bytes(bundle),
        pdf=issued.pdf,
        pades_level=issued.level,
        level_note=issued.level_reason,
        issued_at=when,
    )
    try:
        with service.db.writing() as conn:
            sealing = sealer(service, conn, tenant, envelope_id)
            supersedes = registry.record(conn, new, sealing)
        sealing.committed()
    except IntegrityError:  # issued at the same moment by another request: theirs stands
        with service.db.reading() as conn:
            stored = registry.stored_pdf(conn, service.data_keys, ident, lang, zone)
        if stored is None:
            raise
        return Delivered(stored[0], ident, stored[1], None, level_reason=stored[2])
    return Delivered(
        issued.pdf, ident, issued.level, issued, supersedes, level_reason=issued.level_reason
    )
