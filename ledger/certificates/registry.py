"""The registry of issued certificates (table ``certificates``) and its queries.

One row per edition (language, time zone) of a certificate: the evidence it rests on
(tenant, envelope, checkpoint size and root hash, anchors), the SHA-256 of the evidence,
of the attached bundle and of the PDF, the PAdES level reached, when it was issued, and
which certificate it supersedes or is superseded by. The PDF and the bundle are kept as
issued, sealed like event bodies (``ledger.privacy.registry_keys``; an erasure empties
them): ``ledger.certificates.issuing`` returns the stored PDF for unchanged evidence,
and a new edition of a known id attaches the same bundle.

Everything here is what the public verification page may show (``public``), except the
tenant's name, which only ``ledger certificate list|show`` prints.

An erasure deletes the stored PDF and bundle of the envelopes it touches
(``ledger.privacy.derived``) and sets ``content_erased_at``: the edition is then known
(id, hashes, dates) but not stored, and a download of the same evidence issues it again.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, or_, select, update

from ledger.clock import aware
from ledger.errors import NotFound
from ledger.privacy.keys import DataKeys
from ledger.privacy.registry_keys import Sealer, open_part, part_aad
from ledger.storage.models import Certificate, Tenant
from verifier.checkpoint import parse_checkpoint, signed_text

NO_ZONE = ""  # the tz of an edition that shows UTC only

_FACTS = (
    Certificate.certificate_id,
    Certificate.lang,
    Certificate.tz,
    Tenant.name.label("tenant"),
    Certificate.envelope_id,
    Certificate.status,
    Certificate.checkpoint_size,
    Certificate.checkpoint_root,
    Certificate.anchors,
    Certificate.evidence_sha256,
    Certificate.bundle_sha256,
    Certificate.pdf_sha256,
    Certificate.pades_level,
    Certificate.level_note,
    Certificate.issued_at,
    Certificate.supersedes,
    Certificate.superseded_by,
    Certificate.content_erased_at,
)


@dataclass(frozen=True)
class Edition:
    """What the registry knows of one edition (without its PDF and bundle)."""

    certificate_id: str
    lang: str
    tz: str
    tenant: str
    envelope_id: str
    status: str
    checkpoint_size: int
    checkpoint_root: str
    anchors: list[dict[str, Any]]
    evidence_sha256: str
    bundle_sha256: str
    pdf_sha256: str
    pades_level: str
    level_note: str | None
    issued_at: datetime
    supersedes: str | None
    superseded_by: str | None
    content_erased_at: datetime | None = None  # an erasure deleted its stored PDF and bundle

    @property
    def current(self) -> bool:
        return self.superseded_by is None

    def to_json(self) -> dict[str, Any]:
        return {
            "certificate_id": self.certificate_id,
            "lang": self.lang,
            "tz": self.tz or None,
            "tenant": self.tenant,
            "envelope_id": self.envelope_id,
            "status": self.status,
            "checkpoint": {"size": self.checkpoint_size, "root_hash": self.checkpoint_root},
            "anchors": self.anchors,
            "evidence_sha256": self.evidence_sha256,
            "bundle_sha256": self.bundle_sha256,
            "pdf_sha256": self.pdf_sha256,
            "pades_level": self.pades_level,
            "level_note": self.level_note,
            "issued_at": self.issued_at.isoformat().replace("+00:00", "Z"),
            "supersedes": self.supersedes,
            "superseded_by": self.superseded_by,
            "content_erased": self.content_erased_at is not None,
        }


def _edition(row: Any) -> Edition:
    return Edition(
        certificate_id=row.certificate_id,
        lang=row.lang,
        tz=row.tz,
        tenant=row.tenant,
        envelope_id=row.envelope_id,
        status=row.status,
        checkpoint_size=row.checkpoint_size,
        checkpoint_root=row.checkpoint_root,
        anchors=json.loads(row.anchors),
        evidence_sha256=row.evidence_sha256,
        bundle_sha256=row.bundle_sha256,
        pdf_sha256=row.pdf_sha256,
        pades_level=row.pades_level,
        level_note=row.level_note,
        issued_at=aware(row.issued_at),
        supersedes=row.supersedes,
        superseded_by=row.superseded_by,
        content_erased_at=aware(row.content_erased_at) if row.content_erased_at else None,
    )


def _facts() -> Any:
    return select(*_FACTS).join(Tenant, Tenant.id == Certificate.tenant_id)


# --- what a certificate rests on ------------------------------------------------------


@dataclass(frozen=True)
class Basis:
    """The checkpoint and anchors a bundle rests on, as the registry records them."""

    status: str
    checkpoint_size: int
    checkpoint_root: str
    anchors: list[dict[str, Any]]


def basis(bundle: dict[str, Any]) -> Basis:
    """The checkpoint (size, root hash) and anchors (TSA, time, token SHA-256) of a
    bundle the ledger made (``ledger.evidence.bundle``)."""
    checkpoint = parse_checkpoint(signed_text(bundle["checkpoint"]))
    anchors = [
        {
            "tsa": a["tsa"],
            "gen_time": a["gen_time"],
            "token_sha256": hashlib.sha256(base64.b64decode(a["token"])).hexdigest(),
        }
        for a in bundle.get("anchors") or []
    ]
    return Basis(bundle["status"], checkpoint.size, checkpoint.root.hex(), anchors)


# --- reading --------------------------------------------------------------------------


def stored_pdf(
    conn: Connection, data_keys: DataKeys, certificate_id: str, lang: str, tz: str
) -> tuple[bytes, str, str | None] | None:
    """The PDF of an edition as it was issued (opened: ``ledger.privacy.registry_keys``),
    its PAdES level and why not B-LTA; None if not issued, or if an erasure emptied it."""
    row = conn.execute(
        select(
            Certificate.pdf, Certificate.key_id, Certificate.pades_level, Certificate.level_note
        ).where(
            Certificate.certificate_id == certificate_id,
            Certificate.lang == lang,
            Certificate.tz == tz,
            Certificate.content_erased_at.is_(None),
        )
    ).one_or_none()
    if row is None or not row.pdf:  # not issued, or emptied by an erasure (ledger.privacy)
        return None
    aad = part_aad(certificate_id, lang, tz, "pdf")
    pdf = open_part(data_keys, conn, row.key_id, bytes(row.pdf), aad)
    return (pdf, row.pades_level, row.level_note) if pdf else None


def stored_bundle(conn: Connection, data_keys: DataKeys, certificate_id: str) -> bytes | None:
    """The bundle every edition of ``certificate_id`` attaches, opened; None if none was
    issued, or if an erasure emptied it."""
    row = conn.execute(
        select(Certificate.bundle, Certificate.key_id, Certificate.lang, Certificate.tz)
        .where(
            Certificate.certificate_id == certificate_id,
            Certificate.bundle != b"",
            Certificate.content_erased_at.is_(None),
        )
        .limit(1)
    ).one_or_none()
    if row is None:
        return None
    aad = part_aad(certificate_id, row.lang, row.tz, "bundle")
    return open_part(data_keys, conn, row.key_id, bytes(row.bundle), aad) or None


def editions(conn: Connection, certificate_id: str) -> list[Edition]:
    """Every edition of a certificate, in the order issued; [] for an unknown id."""
    rows = conn.execute(
        _facts()
        .where(Certificate.certificate_id == certificate_id)
        .order_by(Certificate.issued_at, Certificate.lang, Certificate.tz)
    )
    return [_edition(row) for row in rows]


def show(conn: Connection, certificate_id: str) -> list[Edition]:
    """``editions``, or NotFound."""
    found = editions(conn, certificate_id)
    if not found:
        raise NotFound(f"no certificate {certificate_id!r} in the registry")
    return found


def listing(
    conn: Connection, tenant_id: int | None = None, envelope_id: str | None = None
) -> list[Edition]:
    """Every edition, or those of a tenant and/or envelope, oldest first."""
    query = _facts()
    if tenant_id is not None:
        query = query.where(Certificate.tenant_id == tenant_id)
    if envelope_id is not None:
        query = query.where(Certificate.envelope_id == envelope_id)
    rows = conn.execute(
        query.order_by(Certificate.issued_at, Certificate.certificate_id, Certificate.lang)
    )
    return [_edition(row) for row in rows]


def by_pdf_sha256(conn: Connection, sha256: str) -> Edition | None:
    """The edition whose PDF has this SHA-256 (hex), if the registry holds it."""
    row = conn.execute(_facts().where(Certificate.pdf_sha256 == sha256).limit(1)).one_or_none()
    return _edition(row) if row is not None else None


# --- writing --------------------------------------------------------------------------


@dataclass(frozen=True)
class NewEdition:
    certificate_id: str
    lang: str
    tz: str
    tenant_id: int
    envelope_id: str
    basis: Basis
    evidence_sha256: str
    bundle: bytes
    pdf: bytes
    pades_level: str
    level_note: str | None
    issued_at: datetime


def _refill(conn: Connection, new: NewEdition, sealer: Sealer) -> bool:
    """Fill an edition emptied by an erasure again (its id and place in the chain stay)."""
    ids = (new.certificate_id, new.lang, new.tz)
    done = conn.execute(
        update(Certificate)
        .where(
            Certificate.certificate_id == new.certificate_id,
            Certificate.lang == new.lang,
            Certificate.tz == new.tz,
            or_(Certificate.pdf == b"", Certificate.content_erased_at.is_not(None)),
        )
        .values(
            bundle=sealer.seal(new.bundle, part_aad(*ids, "bundle")),
            bundle_sha256=hashlib.sha256(new.bundle).hexdigest(),
            pdf=sealer.seal(new.pdf, part_aad(*ids, "pdf")),
            pdf_sha256=hashlib.sha256(new.pdf).hexdigest(),
            key_id=sealer.key_id,
            pades_level=new.pades_level,
            level_note=new.level_note,
            issued_at=new.issued_at,
            content_erased_at=None,
        )
    )
    return bool(done.rowcount)


def record(conn: Connection, new: NewEdition, sealer: Sealer) -> str | None:
    """Store an edition, its PDF and bundle sealed by ``sealer``; if its id is new, it
    supersedes the envelope's current certificate (returned), whose editions now name it
    in ``superseded_by``. An edition whose PDF an erasure emptied is filled again. Raises
    ``IntegrityError`` if this edition was stored meanwhile."""
    if _refill(conn, new, sealer):
        return None
    earlier = conn.execute(
        select(Certificate.supersedes, Certificate.superseded_by)
        .where(Certificate.certificate_id == new.certificate_id)
        .limit(1)
    ).one_or_none()
    if earlier is not None:  # another edition of a known certificate
        supersedes, superseded_by = earlier.supersedes, earlier.superseded_by
    else:
        superseded_by = None
        supersedes = conn.execute(
            select(Certificate.certificate_id)
            .where(
                Certificate.tenant_id == new.tenant_id,
                Certificate.envelope_id == new.envelope_id,
                Certificate.superseded_by.is_(None),
            )
            .order_by(Certificate.issued_at.desc())
            .limit(1)
        ).scalar()
        conn.execute(
            update(Certificate)
            .where(
                Certificate.tenant_id == new.tenant_id,
                Certificate.envelope_id == new.envelope_id,
                Certificate.superseded_by.is_(None),
            )
            .values(superseded_by=new.certificate_id)
        )
    basis = new.basis
    conn.execute(
        Certificate.__table__.insert().values(
            certificate_id=new.certificate_id,
            lang=new.lang,
            tz=new.tz,
            tenant_id=new.tenant_id,
            envelope_id=new.envelope_id,
            status=basis.status,
            checkpoint_size=basis.checkpoint_size,
            checkpoint_root=basis.checkpoint_root,
            anchors=json.dumps(basis.anchors),
            evidence_sha256=new.evidence_sha256,
            bundle_sha256=hashlib.sha256(new.bundle).hexdigest(),
            pdf_sha256=hashlib.sha256(new.pdf).hexdigest(),
            pades_level=new.pades_level,
            level_note=new.level_note,
            issued_at=new.issued_at,
            supersedes=supersedes,
            superseded_by=superseded_by,
            bundle=sealer.seal(
                new.bundle, part_aad(new.certificate_id, new.lang, new.tz, "bundle")
            ),
            pdf=sealer.seal(new.pdf, part_aad(new.certificate_id, new.lang, new.tz, "pdf")),
            key_id=sealer.key_id,
        )
    )
    return supersedes if earlier is None else None
