"""Subscriptions and the delivery list as operators manage them (``ledger subscription``,
``ledger deliveries``): the CLI calls these and nothing else."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from sqlalchemy import Connection, insert, select, update

from ledger import access
from ledger.clock import aware, now
from ledger.errors import Conflict, InvalidInput, NotFound
from ledger.outbound import outbox
from ledger.outbound.addresses import check_destination
from ledger.outbound.signature import new_secret, secret_key
from ledger.storage.models import Delivery, Subscription, Tenant

SUBSCRIPTION_PREFIX = "sub_"
DELETED = "subscription deleted"
URL_MAX = 2000  # subscriptions.url


@dataclass(frozen=True)
class NewSubscription:
    id: str
    secret: str
    generated: bool


def _iso(moment: datetime | None) -> str | None:
    return aware(moment).isoformat() if moment else None


def event_types(values: Iterable[str]) -> list[str]:
    """``--events a,b --events c`` → the distinct types, in the order of ``EVENT_TYPES``."""
    asked = {v.strip() for value in values for v in value.split(",") if v.strip()}
    unknown = sorted(asked - set(outbox.EVENT_TYPES))
    if unknown or not asked:
        raise InvalidInput(
            f"events are some of {', '.join(outbox.EVENT_TYPES)}"
            + (f"; unknown: {', '.join(unknown)}" if unknown else ""),
            field="events",
        )
    return [t for t in outbox.EVENT_TYPES if t in asked]


def check_url(url: str, allow_private: bool = False) -> str:
    if len(url) > URL_MAX:
        raise InvalidInput(f"a subscription URL has at most {URL_MAX} characters", field="url")
    if any(c <= " " or "\x7f" <= c <= "\x9f" for c in url):
        raise InvalidInput(
            "a subscription URL has no spaces or control characters (percent-encode them)",
            field="url",
        )
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidInput(f"a subscription URL is http(s)://host/..., not {url!r}", field="url")
    if parts.username or parts.password or parts.fragment:
        raise InvalidInput("a subscription URL has no user:password@ or #fragment", field="url")
    check_destination(url, allow_private)
    return url


def create_subscription(
    conn: Connection,
    tenant: str,
    url: str,
    events: Iterable[str],
    secret: str | None = None,
    *,
    allow_private: bool = False,
) -> NewSubscription:
    """A subscription of ``tenant``; a ``whsec_`` secret is generated unless given. The URL
    must reach a public address unless ``allow_private`` (``ledger.outbound.addresses``)."""
    types = event_types(events)
    owner = access.tenant_id(conn, tenant)
    if secret is not None:
        secret_key(secret)
    chosen = secret or new_secret()
    sub_id = SUBSCRIPTION_PREFIX + secrets.token_urlsafe(12)
    conn.execute(
        insert(Subscription).values(
            id=sub_id,
            tenant_id=owner,
            url=check_url(url, allow_private),
            secret=chosen,
            events=",".join(types),
            created_at=now(),
            deleted_at=None,
        )
    )
    outbox.CACHE.forget(conn.engine)
    return NewSubscription(sub_id, chosen, secret is None)


def list_subscriptions(
    conn: Connection, tenant: str | None = None, deleted: bool = False
) -> list[dict[str, object]]:
    query = (
        select(Subscription.__table__, Tenant.name.label("tenant"))
        .join(Tenant, Tenant.id == Subscription.tenant_id)
        .order_by(Subscription.created_at, Subscription.id)
    )
    if tenant is not None:
        query = query.where(Tenant.name == tenant)
    if not deleted:
        query = query.where(Subscription.deleted_at.is_(None))
    return [
        {
            "id": sub.id,
            "tenant": sub.tenant,
            "url": sub.url,
            "events": sub.events.split(","),
            "created_at": _iso(sub.created_at),
            "deleted_at": _iso(sub.deleted_at),
        }
        for sub in conn.execute(query)
    ]


def delete_subscription(conn: Connection, sub_id: str) -> int:
    """Mark it deleted; its pending deliveries go to the dead-letter list. Returns how many."""
    moment = now()
    done = conn.execute(
        update(Subscription)
        .where(Subscription.id == sub_id, Subscription.deleted_at.is_(None))
        .values(deleted_at=moment)
    )
    if not done.rowcount:
        raise NotFound(f"no live subscription {sub_id!r}")
    dropped = conn.execute(
        update(Delivery)
        .where(Delivery.subscription_id == sub_id, Delivery.status == "pending")
        .values(status="dead", last_error=DELETED)
    )
    outbox.CACHE.forget(conn.engine)
    return int(dropped.rowcount)


def list_deliveries(
    conn: Connection,
    status: str | None = None,
    subscription: str | None = None,
    limit: int = 100,
) -> list[dict[str, object]]:
    """Newest first."""
    query = (
        select(Delivery.__table__).order_by(Delivery.created_at.desc(), Delivery.id).limit(limit)
    )
    if status is not None:
        query = query.where(Delivery.status == status)
    if subscription is not None:
        query = query.where(Delivery.subscription_id == subscription)
    return [
        {
            "id": d.id,
            "subscription": d.subscription_id,
            "type": d.event_type,
            "status": d.status,
            "attempts": d.attempts,
            "next_attempt_at": _iso(d.next_attempt_at),
            "created_at": _iso(d.created_at),
            "delivered_at": _iso(d.delivered_at),
            "last_error": d.last_error,
        }
        for d in conn.execute(query)
    ]


def retry_delivery(conn: Connection, delivery_id: str) -> None:
    """Requeue a dead delivery now, with a fresh count of attempts (same ``webhook-id``)."""
    row = conn.execute(
        select(Delivery.status, Subscription.deleted_at)
        .join(Subscription, Subscription.id == Delivery.subscription_id)
        .where(Delivery.id == delivery_id)
    ).first()
    if row is None:
        raise NotFound(f"no delivery {delivery_id!r}")
    if row.status != "dead":
        raise Conflict(f"delivery {delivery_id} is {row.status}, not dead", code="not_dead")
    if row.deleted_at is not None:
        raise Conflict(f"the subscription of {delivery_id} is deleted", code="deleted")
    conn.execute(
        update(Delivery)
        .where(Delivery.id == delivery_id, Delivery.status == "dead")
        .values(status="pending", attempts=0, next_attempt_at=now())
    )
