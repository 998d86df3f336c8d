"""The certificate registry's copies sealed like bodies (docs/privacy.md): a certificate's
PDF and attached bundle hold the envelope's event bodies, so the registry stores them
sealed with AES-256-GCM under the data key of the envelope's own subject
(``ledger.privacy.subjects``), the associated data naming the edition (certificate id,
language, time zone) and the part. A row with ``key_id`` NULL (written with encryption
off, or before this existed) is its own plaintext; an emptied one (an erasure) is empty.
"""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import Connection, select, update

from ledger.privacy.crypto import NONCE, seal
from ledger.privacy.keys import DataKeys, NewKey
from ledger.privacy.subjects import Subject, subject_id
from ledger.storage.models import Certificate, DataKey, Tenant

if TYPE_CHECKING:
    from ledger.service import Ledger


def part_aad(certificate_id: str, lang: str, tz: str, part: str) -> bytes:
    fields = (certificate_id, lang, tz, part)
    return b"ledger-certificate/v1\x00" + b"\x00".join(f.encode() for f in fields)


class Sealer:
    """Seals one edition's parts; made inside the transaction that records it."""

    def __init__(self, data_keys: DataKeys, key: tuple[int, AESGCM] | None, made: list[NewKey]):
        self.data_keys, self.key, self.made = data_keys, key, made

    @property
    def key_id(self) -> int | None:
        return self.key[0] if self.key else None

    def seal(self, data: bytes, aad: bytes) -> bytes:
        if self.key is None:
            return data
        return seal(self.key[1], secrets.token_bytes(NONCE), data, aad)

    def committed(self) -> None:
        self.data_keys.publish(self.made)


def sealer(service: Ledger, conn: Connection, tenant: tuple[int, str], envelope_id: str) -> Sealer:
    """The envelope subject's key (made if it has none, under the log-head lock of this
    write transaction)."""
    data_keys = service.data_keys
    if not data_keys.enabled:
        return Sealer(data_keys, None, [])
    head, _ = service.db.hot.head_and_seen(conn, service.log.id, {})
    sid = subject_id(service.pseudonyms, Subject.envelope(envelope_id))
    keys, made = data_keys.for_append(conn, head.key_epoch, tenant[0], tenant[1], [sid])
    for new in made:
        conn.execute(DataKey.__table__.insert(), new.row)
    return Sealer(data_keys, keys[sid], made)


def open_part(
    data_keys: DataKeys, conn: Connection, key_id: int | None, data: bytes, aad: bytes
) -> bytes | None:
    """A stored part opened; None if its key was destroyed; b"" if it was emptied."""
    if not data:
        return b""
    return data_keys.open(conn, key_id, data, aad)


def seal_existing_certificates(service: Ledger) -> int:
    """Seal the registry's copies kept in clear (``key_id`` NULL, not emptied): those
    issued before migration 0009_privacy or with encryption off. ``ledger init`` runs it
    after ``seal_existing``. Returns how many editions it sealed."""
    if not service.data_keys.enabled:
        return 0
    done = 0
    while True:
        try:
            rows = _seal_batch(service)
        except BaseException:
            service.data_keys.forget()  # it cached keys of a transaction that did not commit
            raise
        if not rows:
            return done
        done += rows


def _seal_batch(service: Ledger) -> int:
    with service.db.writing() as conn:
        rows = conn.execute(
            select(
                Certificate.certificate_id,
                Certificate.lang,
                Certificate.tz,
                Certificate.tenant_id,
                Tenant.name,
                Certificate.envelope_id,
                Certificate.pdf,
                Certificate.bundle,
            )
            .join(Tenant, Tenant.id == Certificate.tenant_id)
            .where(Certificate.key_id.is_(None), Certificate.pdf != b"")
            .limit(100)
        ).all()
        for row in rows:
            sealing = sealer(service, conn, (row.tenant_id, row.name), row.envelope_id)
            sealing.committed()  # visible to the next rows of this transaction
            ids = (row.certificate_id, row.lang, row.tz)
            conn.execute(
                update(Certificate)
                .where(
                    Certificate.certificate_id == row.certificate_id,
                    Certificate.lang == row.lang,
                    Certificate.tz == row.tz,
                )
                .values(
                    pdf=sealing.seal(bytes(row.pdf), part_aad(*ids, "pdf")),
                    bundle=sealing.seal(bytes(row.bundle), part_aad(*ids, "bundle")),
                    key_id=sealing.key_id,
                )
            )
    return len(rows)
