"""Erasure of a data subject's or an envelope's personal data (docs/privacy.md, "Erasure").

One transaction, under the log-head lock: the bodies and salts of the events concerned
and the request bodies that carried them are deleted, and the data keys of the subject
(or of the envelope's own subject) destroyed; ``logs.key_epoch`` moves so that no process
seals another body under them. Then the tenant key is rotated (its surviving data keys
rewrapped under a new version, the old versions destroyed), so that a backup of the
database taken before cannot unwrap the destroyed keys either; the freed bytes are
scrubbed (SQLite: ``secure_delete`` and a truncating WAL checkpoint; PostgreSQL:
``VACUUM``); and an ``x-ledger.erasure`` event records what was erased, when, why and by
whom. What was derived from those bodies is purged in the same transaction
(``ledger.privacy.derived``: the console's search terms, the certificate registry's
stored PDFs and bundles, evidence exports). Leaves, chain, tree, checkpoints and anchors
are untouched: every proof still verifies, and readers show the entries as "content
erased".

Refused (409) while a legal hold stands (``ledger.privacy.holds``) or before the tenant's
minimum retention has passed (``ledger.privacy.retention``); the ledger's own events
(``x-ledger.*``) are never erased.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, delete, select, text, update

from ledger import access
from ledger.errors import NotFound
from ledger.privacy.derived import SCRUBBED, purge
from ledger.privacy.holds import Target, reason_text, refuse_held
from ledger.privacy.keys import live_keys, rotate_tenant_key, stamp
from ledger.privacy.log_events import ERASURE, append_event
from ledger.privacy.retention import refuse_before_minimum
from ledger.privacy.subjects import LEDGER_TYPES, Subject, subject_id
from ledger.storage.models import Body, DataKey, DeliveryBody, Entry, Log

if TYPE_CHECKING:
    from ledger.service import Ledger

CHUNK = 500  # ids per IN list


def _chunks(values: Sequence[Any]) -> list[Sequence[Any]]:
    return [values[i : i + CHUNK] for i in range(0, len(values), CHUNK)]


def erase(
    service: Ledger,
    tenant: str,
    target: Target,
    reason: str | None,
    by: str,
    *,
    rotate: bool = True,
    retention_checked: bool = True,
) -> dict[str, Any]:
    """Erase ``target``'s data of ``tenant``; returns what the erasure event records
    and the event's seq. ``rotate=False`` leaves the tenant-key rotation to the caller
    (the retention job rotates once per run)."""
    why = reason_text(reason)
    db, log_id = service.db, service.log.id
    with db.writing() as conn:
        tenant_id = access.tenant_id(conn, tenant)
        db.hot.head_and_seen(conn, log_id, {})  # the log-head lock (FOR UPDATE on PostgreSQL)
        own = subject_id(service.pseudonyms, Subject.envelope(target.value))
        keys, seqs = _targets(conn, log_id, tenant_id, target, own)
        if not keys and not seqs:
            raise NotFound(f"no personal data of this {target.scope} for tenant {tenant!r}")
        envelopes = _envelopes(conn, log_id, seqs)
        if target.scope == "envelope":
            envelopes.add(target.value)
        subjects = [target.value] if target.scope == "subject" else []
        refuse_held(conn, tenant_id, subjects, sorted(envelopes))
        if retention_checked:
            refuse_before_minimum(conn, log_id, tenant_id, sorted(envelopes))
        if conn.dialect.name == "sqlite":  # deleted rows' bytes are overwritten with zeros
            conn.connection.driver_connection.execute("PRAGMA secure_delete = ON")  # type: ignore[union-attr]
        shas = _delivery_shas(conn, log_id, seqs)
        for part in _chunks(seqs):
            conn.execute(delete(Body).where(Body.log_id == log_id, Body.seq.in_(part)))
        for part in _chunks(sorted(shas)):
            conn.execute(
                delete(DeliveryBody).where(
                    DeliveryBody.tenant_id == tenant_id, DeliveryBody.sha256.in_(part)
                )
            )
        for part in _chunks(keys):
            conn.execute(
                update(DataKey)
                .where(DataKey.id.in_(part))
                .values(wrapped=None, destroyed_at=stamp())
            )
        purge(conn, tenant_id, envelopes, service)  # search terms, registry, exports
        conn.execute(update(Log).values(key_epoch=Log.key_epoch + 1))
    service.data_keys.forget()
    version = rotate_tenant_key(service, tenant) if rotate else None
    scrub(service)
    data: dict[str, Any] = {
        "erased": {"entries": seqs, "count": len(seqs), "deliveries": len(shas)},
        **target.as_data(),
        "data_keys_destroyed": len(keys),
        "reason": why,
        "by": by,
    }
    if version is not None:
        data["tenant_key_version"] = version
    envelope = target.value if target.scope == "envelope" else None
    receipt = append_event(service, tenant_id, tenant, ERASURE, envelope, data)
    return data | {"seq": receipt.seq, "tenant": tenant}


def _targets(
    conn: Connection, log_id: int, tenant_id: int, target: Target, envelope_subject: bytes
) -> tuple[list[int], list[int]]:
    """The live data keys to destroy and the seqs whose bodies to delete: a subject's
    keys and every body sealed under them; or an envelope's events (the ledger's own
    excepted) and the keys of the envelope's own subject (its events without an actor)."""
    sid = bytes.fromhex(target.value) if target.scope == "subject" else envelope_subject
    keys = live_keys(conn, tenant_id, sid)
    seqs: list[int] = []
    if target.scope == "subject":
        for part in _chunks(keys):
            seqs += conn.execute(
                select(Body.seq).where(Body.log_id == log_id, Body.key_id.in_(part))
            ).scalars()
        return keys, sorted(seqs)
    seqs = list(
        conn.execute(
            select(Entry.seq)
            .join(Body, (Body.log_id == Entry.log_id) & (Body.seq == Entry.seq))
            .where(
                Entry.log_id == log_id,
                Entry.tenant_id == tenant_id,
                Entry.envelope_id == target.value,
                Entry.type.not_like(LEDGER_TYPES + "%"),
            )
            .order_by(Entry.seq)
        ).scalars()
    )
    return keys, seqs


def _envelopes(conn: Connection, log_id: int, seqs: list[int]) -> set[str]:
    found: set[str] = set()
    for part in _chunks(seqs):
        found.update(
            conn.execute(
                select(Entry.envelope_id).where(Entry.log_id == log_id, Entry.seq.in_(part))
            ).scalars()
        )
    return found


def _delivery_shas(conn: Connection, log_id: int, seqs: list[int]) -> set[bytes]:
    """The request bodies that carried these entries (the leaves' source.delivery_sha256)."""
    shas: set[bytes] = set()
    for part in _chunks(seqs):
        for leaf in conn.execute(
            select(Entry.leaf).where(Entry.log_id == log_id, Entry.seq.in_(part))
        ).scalars():
            shas.add(bytes.fromhex(json.loads(leaf)["source"]["delivery_sha256"]))
    return shas


def scrub(service: Ledger) -> None:
    """Make the database let go of deleted bytes: on SQLite, copy the WAL into the file
    and truncate it (the deleted rows were overwritten by ``secure_delete``); on
    PostgreSQL, ``VACUUM`` the tables an erasure deletes from."""
    engine = service.db.writer
    if service.db.is_sqlite:
        raw = engine.raw_connection()
        try:
            raw.driver_connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # type: ignore[union-attr]
        finally:
            raw.close()
        return
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM bodies, delivery_bodies, data_keys, " + ", ".join(SCRUBBED)))
