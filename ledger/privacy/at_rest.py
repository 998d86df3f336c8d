"""Reading sealed rows, and sealing the rows an earlier version kept in clear
(docs/privacy.md, "Encryption at rest" and "Upgrading").

An event body row holds ``salt || event`` sealed under its subject's data key
(``ledger.privacy.crypto``); a request body row its bytes, sealed under the key of its
first event's subject. A row whose data key was destroyed reads as erased (None).
"""

from __future__ import annotations

import json
import secrets
from typing import Any

from sqlalchemy import Connection, select, update

from ledger.privacy.crypto import NONCE, body_aad, delivery_aad, seal
from ledger.privacy.keys import DataKeys
from ledger.storage.db import Database
from ledger.storage.models import Body, DataKey, DeliveryBody, Entry, Log, Tenant
from verifier.leaf import SALT_SIZE

BATCH = 1_000


def open_body(
    data_keys: DataKeys,
    conn: Connection,
    tenant_id: int,
    log_id: int,
    seq: int,
    key_id: int | None,
    sealed: bytes | None,
) -> tuple[str, bytes] | None:
    """``(canonical event, salt)`` of an entry's body row; None once erased."""
    if sealed is None:
        return None
    plain = data_keys.open(conn, key_id, sealed, body_aad(tenant_id, log_id, seq))
    if plain is None:
        return None
    return plain[SALT_SIZE:].decode("utf-8"), plain[:SALT_SIZE]


def open_delivery(
    data_keys: DataKeys,
    conn: Connection,
    tenant_id: int,
    sha256: bytes,
    key_id: int | None,
    body: bytes,
) -> bytes | None:
    return data_keys.open(conn, key_id, body, delivery_aad(tenant_id, sha256))


def seal_existing(db: Database, data_keys: DataKeys, subject_of: Any) -> int:
    """Seal every body and request body still in clear (``key_id`` NULL), in batches of
    ``BATCH`` entries, each batch one transaction under the log-head lock. Returns how
    many event bodies it sealed. ``ledger init`` runs it after the migrations."""
    if not data_keys.enabled:
        return 0
    done = 0
    while True:
        try:
            with db.writing() as conn:
                sealed = _seal_batch(conn, db, data_keys, subject_of)
        except BaseException:
            data_keys.forget()  # it cached keys of a transaction that did not commit
            raise
        if not sealed:
            return done
        done += sealed


def _seal_batch(conn: Connection, db: Database, data_keys: DataKeys, subject_of: Any) -> int:
    epochs = dict(conn.execute(select(Log.id, Log.key_epoch)).all())
    for log_id in epochs:
        db.hot.head_and_seen(conn, log_id, {})  # the log-head lock (FOR UPDATE on PostgreSQL)
    rows = conn.execute(
        select(Entry.log_id, Entry.seq, Entry.tenant_id, Entry.leaf, Tenant.name, Body.sealed)
        .join(Body, (Body.log_id == Entry.log_id) & (Body.seq == Entry.seq))
        .join(Tenant, Tenant.id == Entry.tenant_id)
        .where(Body.key_id.is_(None))
        .order_by(Entry.log_id, Entry.seq)
        .limit(BATCH)
    ).all()
    for row in rows:
        plain = bytes(row.sealed)
        event = json.loads(plain[SALT_SIZE:])
        subject = subject_of(event)
        keys, new = data_keys.for_append(
            conn, epochs[row.log_id], row.tenant_id, row.name, [subject]
        )
        data_keys.publish(new)  # visible to the next rows of this transaction
        for key in new:
            conn.execute(DataKey.__table__.insert(), key.row)
        key_id, aead = keys[subject]
        nonce = _nonce()
        conn.execute(
            update(Body)
            .where(Body.log_id == row.log_id, Body.seq == row.seq)
            .values(
                key_id=key_id,
                sealed=seal(aead, nonce, plain, body_aad(row.tenant_id, row.log_id, row.seq)),
            )
        )
        sha = bytes.fromhex(json.loads(row.leaf)["source"]["delivery_sha256"])
        delivery = conn.execute(
            select(DeliveryBody.body).where(
                DeliveryBody.tenant_id == row.tenant_id,
                DeliveryBody.sha256 == sha,
                DeliveryBody.key_id.is_(None),
            )
        ).first()
        if delivery is not None:
            conn.execute(
                update(DeliveryBody)
                .where(DeliveryBody.tenant_id == row.tenant_id, DeliveryBody.sha256 == sha)
                .values(
                    key_id=key_id,
                    body=seal(
                        aead, _nonce(), bytes(delivery.body), delivery_aad(row.tenant_id, sha)
                    ),
                )
            )
    return len(rows)


def _nonce() -> bytes:
    return secrets.token_bytes(NONCE)
