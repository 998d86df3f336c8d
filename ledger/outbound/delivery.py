"""The delivery worker: claim due deliveries, POST them signed, record the outcome.

A claim is a short write transaction (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, SQLite's
single writer) that counts the attempt and moves ``next_attempt_at`` a lease ahead: no
other worker takes the delivery while it is in flight, and no transaction stays open
during HTTP. If this process dies mid-request, the lease runs out and another worker
sends it again (at least once; the ``webhook-id`` lets receivers drop the repeat).
A 2xx answer is delivered; anything else is retried after an exponential backoff with
jitter, and after ``max_attempts`` the delivery is dead (the dead-letter list).
"""

from __future__ import annotations

import functools
import http.client
import logging
import random
import socket
import ssl
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from prometheus_client import Counter
from sqlalchemy import Connection, Select, select, update

from config.settings import Settings
from ledger.clock import now
from ledger.outbound import addresses, signature
from ledger.storage.db import Database
from ledger.storage.models import Delivery, Subscription

log = logging.getLogger(__name__)

DELIVERIES = Counter(
    "ledger_webhook_deliveries", "Outbound webhook attempts by outcome", ["outcome"]
)
USER_AGENT = "evidence-ledger-webhooks/1"
BATCH = 8  # deliveries claimed and sent concurrently by one worker
LEASE_MARGIN = 30  # seconds beyond the request timeout before a claim lapses
ERROR_CHARS = 500  # of our own error messages (OS, TLS): never the receiver's text
ANSWER_COUNTED = 65536  # bytes of a receiver's answer read to state its length


@dataclass(frozen=True)
class Policy:
    """How long to wait for a receiver, and when to try again or give up."""

    timeout: float
    backoff_base: float
    backoff_max: float
    max_attempts: int
    allow_private: bool = False  # LEDGER_OUTBOUND_ALLOW_PRIVATE (ledger.outbound.addresses)

    @classmethod
    def from_settings(cls, settings: Settings) -> Policy:
        return cls(
            settings.webhook_timeout,
            settings.webhook_backoff_base,
            settings.webhook_backoff_max,
            settings.webhook_max_attempts,
            settings.outbound_allow_private,
        )

    def delay(self, attempts: int, retry_after: float | None = None) -> float:
        """Seconds before the next attempt: base x 2^(attempts-1), +-20 % jitter, capped;
        at least a receiver's ``Retry-After`` (still capped)."""
        planned = min(self.backoff_max, self.backoff_base * 2.0 ** (attempts - 1))
        jittered = planned * random.uniform(0.8, 1.2)  # noqa: S311  spreading load, not secrecy
        return min(self.backoff_max, max(jittered, retry_after or 0.0))

    @property
    def lease(self) -> timedelta:
        return timedelta(seconds=self.timeout + LEASE_MARGIN)


@dataclass(frozen=True)
class Outcome:
    """What a receiver answered: ``ok`` for 2xx; ``gone`` for 410 (stop sending)."""

    ok: bool
    error: str | None = None
    retry_after: float | None = None
    gone: bool = False


@dataclass(frozen=True)
class Claim:
    id: str
    url: str
    secret: str
    payload: str
    attempts: int  # this attempt's number


Sender = Callable[[str, Mapping[str, str], bytes, float], Outcome]


def _retry_after(value: str | None) -> float | None:
    return float(value) if value and value.strip().isdigit() else None


class _PinnedHTTP(http.client.HTTPConnection):
    """HTTP to ``address`` (checked), with ``Host`` from the URL's host."""

    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self.address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self.address, self.port), self.timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class _PinnedHTTPS(http.client.HTTPSConnection):
    """HTTPS to ``address`` (checked); the certificate is checked for the URL's host (SNI)."""

    def __init__(
        self, host: str, port: int, address: str, timeout: float, context: ssl.SSLContext
    ) -> None:
        super().__init__(host, port, timeout=timeout, context=context)
        self.address, self.tls = address, context

    def connect(self) -> None:
        sock = socket.create_connection((self.address, self.port), self.timeout)
        self.sock = self.tls.wrap_socket(sock, server_hostname=self.host)


def post(
    url: str,
    headers: Mapping[str, str],
    body: bytes,
    timeout: float,
    *,
    allow_private: bool = False,
) -> Outcome:
    """One POST with the standard library; redirects are failures (Standard Webhooks).

    The host is resolved once and the connection goes to that address, checked by
    ``ledger.outbound.addresses``. Of the answer only the status and the length are
    kept: its text is the receiver's, not for our database or logs.
    """
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or addresses.default_port(parts.scheme)
    try:
        address = str(addresses.resolve(host, port, allow_private))
    except addresses.DestinationRefused as e:
        return Outcome(False, e.message)
    except OSError as e:
        return Outcome(False, f"cannot resolve {host}: {type(e).__name__}")
    conn: http.client.HTTPConnection
    if parts.scheme == "https":
        context = ssl.create_default_context()
        conn = _PinnedHTTPS(host, port, address, timeout, context)
    else:
        conn = _PinnedHTTP(host, port, address, timeout)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    sent = dict(headers) | {"Content-Type": "application/json", "User-Agent": USER_AGENT}
    try:
        conn.request("POST", target, body=body, headers=sent)
        response = conn.getresponse()
        length = len(response.read(ANSWER_COUNTED + 1))
    except http.client.HTTPException as e:
        # Its message may quote what the receiver sent: only the kind is kept.
        return Outcome(False, f"{type(e).__name__}: the answer is not valid HTTP")
    except OSError as e:
        return Outcome(False, f"{type(e).__name__}: {e}"[:ERROR_CHARS])
    finally:
        conn.close()
    if 200 <= response.status < 300:
        return Outcome(True)
    size = f"{length} bytes" if length <= ANSWER_COUNTED else f"over {ANSWER_COUNTED} bytes"
    return Outcome(
        False,
        f"HTTP {response.status}, an answer of {size}",
        _retry_after(response.getheader("Retry-After")),
        response.status == 410,
    )


class DeliveryWorker:
    def __init__(
        self, db: Database, policy: Policy, *, batch: int = BATCH, send: Sender | None = None
    ) -> None:
        self.db, self.policy, self.batch = db, policy, batch
        self.send: Sender = send or functools.partial(post, allow_private=policy.allow_private)

    def run_once(self) -> int:
        """Claim up to ``batch`` due deliveries and send them concurrently; how many."""
        if not self._any_due():
            return 0
        with self.db.writing() as conn:
            claims = self._claim(conn)
        if claims:
            with ThreadPoolExecutor(len(claims), thread_name_prefix="webhook") as pool:
                list(pool.map(self._deliver, claims))
        return len(claims)

    def drain(self, rounds: int = 100) -> int:
        """``run_once`` until nothing is due (at most ``rounds`` times); how many sent."""
        total = 0
        for _ in range(rounds):
            sent = self.run_once()
            total += sent
            if sent < self.batch:
                break
        return total

    def _due(self) -> Select[Any]:
        return (
            select(Delivery.id)
            .where(Delivery.status == "pending", Delivery.next_attempt_at <= now())
            .order_by(Delivery.next_attempt_at)
        )

    def _any_due(self) -> bool:
        """A read first, so an idle worker never takes SQLite's write lock."""
        with self.db.reading() as conn:
            return conn.execute(self._due().limit(1)).first() is not None

    def _claim(self, conn: Connection) -> list[Claim]:
        query = self._due().limit(self.batch)
        if not self.db.is_sqlite:
            query = query.with_for_update(skip_locked=True)
        ids = list(conn.execute(query).scalars())
        if not ids:
            return []
        rows = conn.execute(
            select(
                Delivery.id,
                Delivery.payload,
                Delivery.attempts,
                Subscription.url,
                Subscription.secret,
                Subscription.deleted_at,
            )
            .join(Subscription, Subscription.id == Delivery.subscription_id)
            .where(Delivery.id.in_(ids))
        ).all()
        dead = {
            r.id: "subscription deleted"
            if r.deleted_at is not None
            else "the last attempt was interrupted"
            for r in rows
            if r.deleted_at is not None or r.attempts >= self.policy.max_attempts
        }
        for delivery_id, reason in dead.items():
            conn.execute(
                update(Delivery)
                .where(Delivery.id == delivery_id)
                .values(status="dead", last_error=reason)
            )
        claims = [
            Claim(r.id, r.url, r.secret, r.payload, r.attempts + 1)
            for r in rows
            if r.id not in dead
        ]
        if claims:
            conn.execute(
                update(Delivery)
                .where(Delivery.id.in_([c.id for c in claims]))
                .values(attempts=Delivery.attempts + 1, next_attempt_at=now() + self.policy.lease)
            )
        return claims

    def _deliver(self, claim: Claim) -> None:
        body = claim.payload.encode()
        stamp = int(now().timestamp())
        headers = signature.headers(claim.secret, claim.id, stamp, body)
        try:
            outcome = self.send(claim.url, headers, body, self.policy.timeout)
        except Exception as e:
            log.exception("webhook %s to %s crashed", claim.id, claim.url)
            outcome = Outcome(False, f"{type(e).__name__}: {e}"[:ERROR_CHARS])
        with self.db.writing() as conn:
            self._record(conn, claim, outcome)

    def _record(self, conn: Connection, claim: Claim, outcome: Outcome) -> None:
        mine = update(Delivery).where(
            Delivery.id == claim.id,
            Delivery.status == "pending",
            Delivery.attempts == claim.attempts,  # still our claim: no one took it over
        )
        moment = now()
        if outcome.ok:
            conn.execute(mine.values(status="delivered", delivered_at=moment))
            DELIVERIES.labels("delivered").inc()
            return
        if outcome.gone or claim.attempts >= self.policy.max_attempts:
            conn.execute(mine.values(status="dead", last_error=outcome.error))
            DELIVERIES.labels("dead").inc()
            log.warning("webhook %s to %s is dead: %s", claim.id, claim.url, outcome.error)
            return
        wait = timedelta(seconds=self.policy.delay(claim.attempts, outcome.retry_after))
        conn.execute(mine.values(next_attempt_at=moment + wait, last_error=outcome.error))
        DELIVERIES.labels("failed").inc()
