"""Tenants, API keys and roles.

Keys are 256-bit random strings shown once and stored as SHA-256 (a slow hash adds
nothing to a key with that much entropy). Roles: ``ingest`` appends its tenant's events;
``read`` reads its tenant's entries, leaves, bodies and evidence, and the proofs and
checkpoints every tenant shares; ``audit`` reads every tenant's leaves and proofs but no
event body; ``admin`` runs the log (anchoring,
every tenant's evidence) and is not tied to a tenant.

Valid keys are remembered per process for ``KEY_CACHE_SECONDS`` (``KeyCache``), so most
requests authenticate without a database read. A revocation therefore reaches other
processes within that time, and the revoking process at once: ``revoke_key`` empties
its cache when it runs and again when its transaction commits.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sqlalchemy import Connection, event, insert, select, update

from ledger.errors import Conflict, Forbidden, InvalidInput, NotFound, Unauthorized
from ledger.storage import queries
from ledger.storage.models import ApiKey, Tenant

if TYPE_CHECKING:
    from ledger.storage.db import Database

ROLES = ("ingest", "read", "audit", "admin")
TENANT_ROLES = ("ingest", "read")
KEY_PREFIX = "elk_"
TENANT_NAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}\Z")
KEY_CACHE_SECONDS = 5.0  # the longest a key revoked by another process keeps working here
KEY_CACHE_LIMIT = 10_000  # entries; only valid keys are cached, so this is rarely reached


@dataclass(frozen=True)
class Principal:
    """Who is calling: a key's role and, for tenant roles, its tenant."""

    key_id: int
    role: str
    tenant_id: int | None
    tenant: str | None

    def require(self, *roles: str) -> None:
        if self.role not in roles:
            raise Forbidden(f"this needs a key with role {' or '.join(roles)}, not {self.role}")

    def own_tenant(self) -> tuple[int, str]:
        """The key's tenant (id, name); 403 for keys that belong to none."""
        if self.tenant_id is None or self.tenant is None:
            raise Forbidden(f"a {self.role} key belongs to no tenant")
        return self.tenant_id, self.tenant

    def leaf_scope(self) -> int | None:
        """The one tenant whose leaves this key reads; None: every tenant's (audit, admin).

        A leaf shows its tenant, envelope id, event id, type, times and delivery hash in
        clear: a read key sees those of its own tenant's entries only. Of the others it
        sees what proofs and mirrors need and what reveals nothing, the leaf hash and the
        chain value (the leaf commits to a salted hash of its event, so its hash cannot
        be guessed from the clear fields). Ingest keys read no leaves at all.
        """
        return None if self.role in ("audit", "admin") else self.tenant_id

    def sees_leaves_of(self, tenant_id: int) -> bool:
        """Whether this key reads, in full, the leaves of ``tenant_id``'s entries."""
        scope = self.leaf_scope()
        return scope is None or (self.role == "read" and scope == tenant_id)

    def sees_bodies_of(self, tenant_id: int) -> bool:
        """Event bodies: the tenant's own read keys and the operator's admin keys."""
        return self.role == "admin" or (self.role == "read" and self.tenant_id == tenant_id)


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def create_tenant(conn: Connection, name: str) -> int:
    if not TENANT_NAME.match(name):
        raise InvalidInput(
            "a tenant name is 1-64 of a-z 0-9 . _ - and starts with a letter or digit",
            field="name",
        )
    if conn.execute(select(Tenant.id).where(Tenant.name == name)).first():
        raise Conflict(f"tenant {name!r} exists")
    result = conn.execute(insert(Tenant).values(name=name, created_at=datetime.now(UTC)))
    return int(result.inserted_primary_key[0])  # type: ignore[index]


def tenant_id(conn: Connection, name: str) -> int:
    found = conn.execute(select(Tenant.id).where(Tenant.name == name)).scalar()
    if found is None:
        raise NotFound(f"no tenant {name!r}")
    return int(found)


def tenant_names(conn: Connection) -> list[str]:
    """Every tenant's name, in order (the console's tenant choices)."""
    return list(conn.execute(select(Tenant.name).order_by(Tenant.name)).scalars())


def check_role(
    role: str,
    tenant: str | None,
    roles: tuple[str, ...] = ROLES,
    tenant_roles: tuple[str, ...] = TENANT_ROLES,
    holders: str = "keys serve",
) -> None:
    """The rule of roles and tenants, for API keys and console users alike: ``role`` is
    one of ``roles``; a tenant role needs a tenant, the others take none (their
    ``holders`` every tenant). ``InvalidInput`` otherwise."""
    if role not in roles:
        raise InvalidInput(f"role must be one of {', '.join(roles)}", field="role")
    if role in tenant_roles and tenant is None:
        raise InvalidInput(f"the {role} role needs a tenant (--tenant NAME)", field="tenant")
    if role not in tenant_roles and tenant is not None:
        raise InvalidInput(
            f"the {role} role takes no tenant: {role} {holders} every tenant", field="tenant"
        )


def create_key(conn: Connection, role: str, tenant: str | None) -> str:
    """A new key; the caller shows it once. Tenant roles need a tenant, others have none."""
    check_role(role, tenant)
    owner = tenant_id(conn, tenant) if tenant is not None else None
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    conn.execute(
        insert(ApiKey).values(
            key_hash=hash_key(key),
            prefix=key[:12],
            tenant_id=owner,
            role=role,
            created_at=datetime.now(UTC),
            revoked_at=None,
        )
    )
    return key


@dataclass(frozen=True)
class KeyListing:
    """A key as ``ledger key list`` shows it: never the key itself, which is not stored."""

    prefix: str
    role: str
    tenant: str | None
    created_at: datetime
    revoked_at: datetime | None


def list_keys(conn: Connection, tenant: str | None = None) -> list[KeyListing]:
    """Every API key (of ``tenant``, if given), oldest first, revoked ones included."""
    query = (
        select(ApiKey.prefix, ApiKey.role, Tenant.name, ApiKey.created_at, ApiKey.revoked_at)
        .outerjoin(Tenant, Tenant.id == ApiKey.tenant_id)
        .order_by(ApiKey.id)
    )
    if tenant is not None:
        query = query.where(ApiKey.tenant_id == tenant_id(conn, tenant))
    return [KeyListing(*row) for row in conn.execute(query)]


def revoke_key(conn: Connection, key_or_prefix: str) -> int:
    """Revoke by the whole key or by its first 12 characters; returns how many.

    This process's cached keys are dropped now and again at commit: a request that read
    the key as valid in between must not cache it (``KeyCache.invalidate``).
    """
    column = ApiKey.key_hash if len(key_or_prefix) > 12 else ApiKey.prefix
    value = hash_key(key_or_prefix) if len(key_or_prefix) > 12 else key_or_prefix
    KEYS.invalidate()
    event.listen(conn, "commit", lambda _conn: KEYS.invalidate(), once=True)
    result = conn.execute(
        update(ApiKey)
        .where(column == value, ApiKey.revoked_at.is_(None))
        .values(revoked_at=datetime.now(UTC))
    )
    return int(result.rowcount)


class KeyCache:
    """Principals of valid keys, by (database, key SHA-256), for ``seconds`` each.

    Unknown and revoked keys are not cached: a new key works at once, and random keys
    cannot fill the cache. ``invalidate`` empties it and bumps a generation; a lookup
    caches its result only if no invalidation happened since it began, so a read that
    raced a revocation cannot put the revoked key back. (SQLAlchemy's ``commit`` event
    comes just before the database commits: a lookup that starts in that instant may
    still cache the key, which then works here for at most ``seconds``, the bound that
    holds for every other process anyway.)
    """

    def __init__(self, seconds: float, limit: int) -> None:
        self.seconds, self.limit = seconds, limit
        self._entries: dict[tuple[str, str], tuple[float, Principal]] = {}
        self._generation = 0
        self._lock = threading.Lock()

    @property
    def generation(self) -> int:
        return self._generation

    def get(self, scope: str, key_hash: str) -> Principal | None:
        hit = self._entries.get((scope, key_hash))
        if hit is None or hit[0] <= time.monotonic():
            return None
        return hit[1]

    def put(self, scope: str, key_hash: str, principal: Principal, generation: int) -> None:
        with self._lock:
            if generation != self._generation:
                return
            if len(self._entries) >= self.limit:
                self._entries.clear()
            self._entries[scope, key_hash] = (time.monotonic() + self.seconds, principal)

    def invalidate(self) -> None:
        with self._lock:
            self._generation += 1
            self._entries.clear()


KEYS = KeyCache(KEY_CACHE_SECONDS, KEY_CACHE_LIMIT)


def _bearer_key_hash(header: str | None) -> str:
    """The SHA-256 hex of the key in ``Authorization: Bearer <key>``, or 401."""
    if not header:
        raise Unauthorized("an API key is required: Authorization: Bearer <key>")
    scheme, _, key = header.partition(" ")
    if scheme.lower() != "bearer" or not key.strip():
        raise Unauthorized("use Authorization: Bearer <key>")
    return hash_key(key.strip())


def _lookup(conn: Connection, key_hash: str) -> Principal:
    row = conn.execute(queries.API_KEY, {"key_hash": key_hash}).first()
    if row is None:
        raise Unauthorized("unknown or revoked API key")
    return Principal(row.id, row.role, row.tenant_id, row.name)


def authenticate(conn: Connection, header: str | None) -> Principal:
    """``Authorization: Bearer <key>`` → the key's principal, or 401 (no cache)."""
    return _lookup(conn, _bearer_key_hash(header))


def authenticate_cached(db: Database, header: str | None) -> Principal:
    """``authenticate`` through ``KEYS``: a read transaction only on a miss."""
    key_hash = _bearer_key_hash(header)
    principal = KEYS.get(db.url, key_hash)
    if principal is None:
        generation = KEYS.generation
        with db.reading() as conn:
            principal = _lookup(conn, key_hash)
        KEYS.put(db.url, key_hash, principal, generation)
    return principal
