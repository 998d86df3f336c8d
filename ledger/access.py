"""Tenants, API keys and roles.

Keys are 256-bit random strings shown once and stored as SHA-256 (a slow hash adds
nothing to a key with that much entropy). Roles: ``ingest`` appends its tenant's events;
``read`` reads its tenant's entries, bodies, proofs and evidence; ``audit`` reads every
tenant's leaves and proofs but no event body; ``admin`` runs the log (anchoring,
every tenant's evidence) and is not tied to a tenant.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, insert, select, update

from ledger.errors import Conflict, Forbidden, InvalidInput, NotFound, Unauthorized
from ledger.storage import queries
from ledger.storage.models import ApiKey, Tenant

ROLES = ("ingest", "read", "audit", "admin")
TENANT_ROLES = ("ingest", "read")
KEY_PREFIX = "elk_"
TENANT_NAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}\Z")


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


def create_key(conn: Connection, role: str, tenant: str | None) -> str:
    """A new key; the caller shows it once. Tenant roles need a tenant, others have none."""
    if role not in ROLES:
        raise InvalidInput(f"role must be one of {', '.join(ROLES)}", field="role")
    if (role in TENANT_ROLES) != (tenant is not None):
        need = "needs" if role in TENANT_ROLES else "takes no"
        raise InvalidInput(f"role {role} {need} a tenant", field="tenant")
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


def revoke_key(conn: Connection, key_or_prefix: str) -> int:
    """Revoke by the whole key or by its first 12 characters; returns how many."""
    column = ApiKey.key_hash if len(key_or_prefix) > 12 else ApiKey.prefix
    value = hash_key(key_or_prefix) if len(key_or_prefix) > 12 else key_or_prefix
    result = conn.execute(
        update(ApiKey)
        .where(column == value, ApiKey.revoked_at.is_(None))
        .values(revoked_at=datetime.now(UTC))
    )
    return int(result.rowcount)


def authenticate(conn: Connection, header: str | None) -> Principal:
    """``Authorization: Bearer <key>`` → the key's principal, or 401."""
    if not header:
        raise Unauthorized("an API key is required: Authorization: Bearer <key>")
    scheme, _, key = header.partition(" ")
    if scheme.lower() != "bearer" or not key.strip():
        raise Unauthorized("use Authorization: Bearer <key>")
    row = conn.execute(queries.API_KEY, {"key_hash": hash_key(key.strip())}).first()
    if row is None:
        raise Unauthorized("unknown or revoked API key")
    return Principal(row.id, row.role, row.tenant_id, row.name)
