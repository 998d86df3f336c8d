"""The outbox: deliveries enqueued in the transaction that made their event, so a
delivery exists if and only if its entry (or anchor) does (docs/webhooks-outbound.md).

``enqueue_appended`` is on the append path: one multi-row insert per append, and no query
at all for a tenant known (within ``CACHE_SECONDS``) to have no ``entry.appended``
subscription. ``enqueue_anchored`` runs once per anchoring run.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
import weakref
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, Protocol
from urllib.parse import quote

from sqlalchemy import Connection, Engine, and_, bindparam, exists, func, insert, select
from sqlalchemy.orm import aliased

from ledger.clock import aware, now
from ledger.storage.models import Anchor, Delivery, Entry, Subscription, Tenant

ENTRY_APPENDED = "entry.appended"
ANCHOR_CREATED = "anchor.created"
CERTIFICATE_READY = "certificate.ready"
EVENT_TYPES = (ENTRY_APPENDED, ANCHOR_CREATED, CERTIFICATE_READY)
# The entry type that completes an envelope and so makes its certificate (docs: why only it).
COMPLETING_TYPE = "envelope.completed"
CACHE_SECONDS = 5.0

subscriptions = Subscription.__table__

TENANT_SUBSCRIPTIONS = select(subscriptions.c.id, subscriptions.c.events).where(
    subscriptions.c.tenant_id == bindparam("tenant_id"), subscriptions.c.deleted_at.is_(None)
)
LIVE_SUBSCRIPTIONS = select(
    subscriptions.c.id, subscriptions.c.tenant_id, subscriptions.c.events
).where(subscriptions.c.deleted_at.is_(None))
INSERT_DELIVERIES = insert(Delivery)


class AnchorLike(Protocol):
    """What ``anchor.created`` tells of an anchor (``AnchorRecord`` has it)."""

    @property
    def size(self) -> int: ...
    @property
    def tsa(self) -> str: ...
    @property
    def gen_time(self) -> datetime: ...
    @property
    def checkpoint(self) -> str: ...


def new_delivery_id() -> str:
    """The ``webhook-id``: unique, stable across retries, no ``.`` (it is signed with ``.``)."""
    return "msg_" + secrets.token_urlsafe(18)


def stamp(moment: datetime) -> str:
    return aware(moment).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def body(event_type: str, timestamp: str, data: Mapping[str, Any]) -> str:
    """The JSON body as sent and signed: ``{"type", "timestamp", "data"}``, minified."""
    message = {"type": event_type, "timestamp": timestamp, "data": data}
    return json.dumps(message, separators=(",", ":"), ensure_ascii=False)


def subscribed(events: str, event_type: str) -> bool:
    return event_type in events.split(",")


class _SubscriptionCache:
    """Per engine and tenant: the ids of live ``entry.appended`` subscriptions, briefly.

    Keyed by the engine (weakly) so that two databases in one process never share entries.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_engine: weakref.WeakKeyDictionary[Engine, dict[int, tuple[float, tuple[str, ...]]]]
        self._by_engine = weakref.WeakKeyDictionary()

    def get(self, engine: Engine, tenant_id: int) -> tuple[str, ...] | None:
        with self._lock:
            found = self._by_engine.get(engine, {}).get(tenant_id)
        if found is None or found[0] < time.monotonic():
            return None
        return found[1]

    def put(self, engine: Engine, tenant_id: int, ids: tuple[str, ...]) -> None:
        with self._lock:
            per_tenant = self._by_engine.setdefault(engine, {})
            per_tenant[tenant_id] = (time.monotonic() + CACHE_SECONDS, ids)

    def forget(self, engine: Engine) -> None:
        with self._lock:
            self._by_engine.pop(engine, None)


CACHE = _SubscriptionCache()


def appended_subscriptions(conn: Connection, tenant_id: int) -> tuple[str, ...]:
    ids = CACHE.get(conn.engine, tenant_id)
    if ids is None:
        rows = conn.execute(TENANT_SUBSCRIPTIONS, {"tenant_id": tenant_id})
        ids = tuple(r.id for r in rows if subscribed(r.events, ENTRY_APPENDED))
        CACHE.put(conn.engine, tenant_id, ids)
    return ids


def _rows(
    targets: Iterable[str], event_type: str, text: str, moment: datetime
) -> list[dict[str, Any]]:
    return [
        {
            "id": new_delivery_id(),
            "subscription_id": target,
            "event_type": event_type,
            "payload": text,
            "status": "pending",
            "attempts": 0,
            "next_attempt_at": moment,
            "last_error": None,
            "created_at": moment,
            "delivered_at": None,
        }
        for target in targets
    ]


def enqueue_appended(
    conn: Connection, origin: str, tenant_id: int, tenant: str, entries: Sequence[Mapping[str, Any]]
) -> None:
    """``entry.appended`` for each new entry, to the tenant's subscribers of that type.

    The data are the leaf's clear fields and its hash: never the event body, which holds
    names, emails, IP addresses (personal data stays behind a read key).
    """
    targets = appended_subscriptions(conn, tenant_id)
    if not targets:
        return
    moment, rows = now(), []
    for entry in entries:
        data = {
            "log": origin,
            "tenant": tenant,
            "seq": entry["seq"],
            "leaf_hash": entry["leaf_hash"].hex(),
            "event_id": entry["event_id"],
            "event_type": entry["type"],
            "envelope_id": entry["envelope_id"],
            "received_at": entry["received_at"],
        }
        rows += _rows(
            targets, ENTRY_APPENDED, body(ENTRY_APPENDED, entry["received_at"], data), moment
        )
    conn.execute(INSERT_DELIVERIES, rows)


def enqueue_anchored(conn: Connection, log_id: int, records: Sequence[AnchorLike]) -> None:
    """``anchor.created`` per stored token, to every tenant's subscribers of that type; and
    ``certificate.ready`` per envelope whose completing entry this anchor covers first."""
    if not records:
        return
    live = conn.execute(LIVE_SUBSCRIPTIONS).all()
    moment = now()
    rows = _anchor_rows(live, records, moment) + _certificate_rows(
        conn, log_id, live, max(r.size for r in records), moment
    )
    if rows:
        conn.execute(INSERT_DELIVERIES, rows)


def _anchor_rows(
    live: Sequence[Any], records: Sequence[AnchorLike], moment: datetime
) -> list[dict[str, Any]]:
    targets = [s.id for s in live if subscribed(s.events, ANCHOR_CREATED)]
    rows: list[dict[str, Any]] = []
    for record in records if targets else ():
        data = {
            "size": record.size,
            "tsa": record.tsa,
            "gen_time": stamp(record.gen_time),
            "checkpoint": record.checkpoint,
        }
        rows += _rows(targets, ANCHOR_CREATED, body(ANCHOR_CREATED, stamp(moment), data), moment)
    return rows


def _certificate_rows(
    conn: Connection, log_id: int, live: Sequence[Any], size: int, moment: datetime
) -> list[dict[str, Any]]:
    targets: dict[int, list[str]] = {}
    for s in live:
        if subscribed(s.events, CERTIFICATE_READY):
            targets.setdefault(s.tenant_id, []).append(s.id)
    rows: list[dict[str, Any]] = []
    for found in completions(conn, log_id, size, targets) if targets else ():
        data = {
            "tenant": found.name,
            "envelope_id": found.envelope_id,
            "seq": found.seq,
            "event_id": found.event_id,
            "size": size,
            "evidence_url": envelope_url(found.envelope_id, "evidence"),
            "certificate_url": envelope_url(found.envelope_id, "certificate.pdf"),
        }
        text = body(CERTIFICATE_READY, stamp(moment), data)
        rows += _rows(targets[found.tenant_id], CERTIFICATE_READY, text, moment)
    return rows


def envelope_url(envelope_id: str, leaf: str) -> str:
    """A path relative to the ledger's base URL (the one the integrator's read key uses)."""
    return f"/v1/envelopes/{quote(envelope_id, safe='')}/{leaf}"


def completions(conn: Connection, log_id: int, size: int, tenants: Iterable[int]) -> list[Any]:
    """The first ``envelope.completed`` entry of each envelope that an anchor of ``size``
    covers and no smaller anchor did (seq in [previous anchored size, size))."""
    previous = conn.execute(
        select(func.max(Anchor.size)).where(Anchor.log_id == log_id, Anchor.size < size)
    ).scalar()
    earlier = aliased(Entry)
    first = ~exists().where(
        and_(
            earlier.log_id == Entry.log_id,
            earlier.tenant_id == Entry.tenant_id,
            earlier.envelope_id == Entry.envelope_id,
            earlier.type == COMPLETING_TYPE,
            earlier.seq < Entry.seq,
        )
    )
    query = (
        select(Entry.tenant_id, Tenant.name, Entry.seq, Entry.envelope_id, Entry.event_id)
        .join(Tenant, Tenant.id == Entry.tenant_id)
        .where(
            Entry.log_id == log_id,
            Entry.seq >= (previous or 0),
            Entry.seq < size,
            Entry.type == COMPLETING_TYPE,
            Entry.tenant_id.in_(list(tenants)),
            first,
        )
        .order_by(Entry.seq)
    )
    return list(conn.execute(query))
