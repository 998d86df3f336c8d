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
from sqlalchemy import Connection

from ledger.privacy.crypto import NONCE, seal
from ledger.privacy.keys import DataKeys, NewKey
from ledger.privacy.subjects import Subject, subject_id
from ledger.storage.models import DataKey

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
