"""Inbound hooks: a tenant's endpoint ``/v1/hooks/<platform>/<hook id>``
(docs/design/EVIDENCE-FORMAT.md §7).

The hook id is random (192 bits) and lives in the URL, so it also acts as a capability
for Adobe, whose deliveries carry no signature. A hook holds secrets that rotate: a new
secret is live at once and the old ones stay live for an overlap, so that the platform
and the ledger need not switch at the same instant. Secrets are kept in clear, because
HMAC verification needs them (docs/platforms/README.md: protect the database).

Who chooses the secret: Documenso lets the receiver choose it, so a hook created
without ``secret`` gets a generated one; DocuSign, e签宝, eSignGlobal, DocuSeal and
OpenSign issue their own keys, which the operator adds with ``rotate-secret`` once the
platform shows them (until then the hook refuses every delivery); Adobe has no
secret, only the client id.

Two limits a hook may carry besides its secrets: the source networks it takes
deliveries from (``--allow-network``; the only defence beyond the URL for Adobe, whose
client id is public), and, for e签宝 and eSignGlobal, the query string its callback URL
was registered with: their signature joins the query's values without separators, so
any other query is refused (docs/platforms/esign.md).
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from ipaddress import IPv4Network, IPv6Address, IPv6Network, ip_address, ip_network

from sqlalchemy import Connection, insert, select, update

from ledger import access
from ledger.adapters import ADAPTERS, Credentials
from ledger.clock import aware
from ledger.errors import Forbidden, InvalidInput, NotFound
from ledger.storage.models import Hook, HookSecret, Tenant

Network = IPv4Network | IPv6Network
HOOK_PREFIX = "hk_"
ID_MAX = 64
WINDOW_MAX = 7 * 86400
OVERLAP_MAX = 30 * 86400
DEFAULT_OVERLAP = 86400
SECRET_MAX = 500
GENERATED = frozenset({"documenso"})  # the receiver chooses the secret
SECRETLESS = frozenset({"adobesign"})  # authenticated by the client id alone
SIGNED_QUERY = frozenset({"esign", "esignglobal"})  # the signature covers the query's values
PRINTABLE = re.compile(r"[\x20-\x7e]+\Z")  # secrets and ids travel in HTTP headers
QUERY = re.compile(r"[!-~]{1,2000}\Z")  # a URL's query: printable ASCII, no space
NETWORKS_MAX = 100


@dataclass(frozen=True)
class NewHook:
    id: str
    platform: str
    generated_secret: str | None


@dataclass(frozen=True)
class HookInfo:
    id: str
    tenant: str
    platform: str
    client_id: str | None
    window_seconds: int
    live_secrets: int
    created_at: datetime
    deleted_at: datetime | None
    networks: tuple[str, ...] = ()
    query: str = ""


@dataclass(frozen=True)
class LiveHook:
    """A hook that takes deliveries, with what authenticates them now."""

    id: str
    tenant_id: int
    tenant: str
    platform: str
    credentials: Credentials
    networks: tuple[Network, ...] = ()  # empty: from anywhere


@dataclass(frozen=True)
class Rotation:
    secret: str
    generated: bool
    old_until: datetime


def _secret(value: str | None, field: str = "secret") -> str | None:
    if value is None:
        return None
    if not 1 <= len(value) <= SECRET_MAX or not PRINTABLE.match(value):
        raise InvalidInput(
            f"a secret is 1 to {SECRET_MAX} printable ASCII characters (headers carry them)",
            field=field,
        )
    return value


def _platform(platform: str) -> str:
    if platform not in ADAPTERS:
        raise InvalidInput(f"platform must be one of {', '.join(ADAPTERS)}", field="platform")
    return platform


def parse_networks(values: Sequence[str]) -> tuple[Network, ...]:
    """``--allow-network`` values: IPv4 or IPv6 CIDRs (a bare address is a /32 or /128;
    host bits are cleared, ``10.1.2.3/8`` is ``10.0.0.0/8``)."""
    if len(values) > NETWORKS_MAX:
        raise InvalidInput(f"at most {NETWORKS_MAX} networks", field="allow_network")
    found = []
    for value in values:
        try:
            found.append(ip_network(value.strip(), strict=False))
        except ValueError as e:
            raise InvalidInput(
                f"{value!r} is not an IPv4 or IPv6 network (CIDR): {e}", field="allow_network"
            ) from e
    return tuple(dict.fromkeys(found))


def _query(platform: str, query: str | None) -> str | None:
    if query is None:
        return None
    query = query.removeprefix("?")
    if platform not in SIGNED_QUERY:
        raise InvalidInput(
            f"only {', '.join(sorted(SIGNED_QUERY))} hooks take a query string", field="query"
        )
    if not QUERY.match(query):
        raise InvalidInput("a query string is 1 to 2000 printable ASCII characters", field="query")
    return query


def check_source(hook: LiveHook, address: str | None) -> None:
    """403 when the hook allows only some networks and ``address`` (the request's client
    address) is in none of them; IPv4-mapped IPv6 addresses count as IPv4."""
    if not hook.networks:
        return
    try:
        client = ip_address((address or "").split("%", 1)[0])
    except ValueError:
        client = None
    if isinstance(client, IPv6Address) and client.ipv4_mapped is not None:
        client = client.ipv4_mapped
    if client is None or not any(client in network for network in hook.networks):
        raise Forbidden(
            "deliveries to this hook are accepted only from its allowed networks "
            "(ledger hook create --allow-network)",
            code="network_not_allowed",
        )


def create_hook(
    conn: Connection,
    tenant: str,
    platform: str,
    *,
    now: datetime,
    secret: str | None = None,
    client_id: str | None = None,
    window: int | None = None,
    networks: Sequence[str] = (),
    query: str | None = None,
) -> NewHook:
    """A new hook of ``tenant`` for ``platform``; see the module docstring for secrets.
    ``networks``: the only source networks it takes deliveries from (default any);
    ``query``: the query string of the URL registered at e签宝 or eSignGlobal."""
    adapter = ADAPTERS[_platform(platform)]
    allowed = parse_networks(networks)
    query = _query(platform, query)
    owner = access.tenant_id(conn, tenant)
    window = adapter.default_window if window is None else window
    if not 1 <= window <= WINDOW_MAX:
        raise InvalidInput(f"window is 1 to {WINDOW_MAX} seconds", field="window")
    if client_id is not None and not (1 <= len(client_id) <= 200 and PRINTABLE.match(client_id)):
        raise InvalidInput("client_id is 1 to 200 printable ASCII characters", field="client_id")
    if platform in SECRETLESS:
        if client_id is None:
            raise InvalidInput(f"{platform} hooks need the app's client id", field="client_id")
        if secret is not None:
            raise InvalidInput(f"{platform} sends no secret: give --client-id only", field="secret")
    generated = None
    if secret is None and platform in GENERATED:
        secret = generated = secrets.token_urlsafe(32)
    hook_id = HOOK_PREFIX + secrets.token_urlsafe(24)
    conn.execute(
        insert(Hook).values(
            id=hook_id,
            tenant_id=owner,
            platform=platform,
            client_id=client_id,
            window_seconds=window,
            networks=" ".join(str(n) for n in allowed) or None,
            query=query,
            created_at=now,
            deleted_at=None,
        )
    )
    if _secret(secret) is not None:
        conn.execute(
            insert(HookSecret).values(
                hook_id=hook_id, secret=secret, created_at=now, expires_at=None
            )
        )
    return NewHook(hook_id, platform, generated)


@dataclass(frozen=True)
class _Stored:
    id: int
    secret: str
    expires_at: datetime | None

    def live(self, now: datetime) -> bool:
        return self.expires_at is None or aware(self.expires_at) > now


def _secrets(conn: Connection, hook_id: str) -> list[_Stored]:
    """A hook's secrets, newest first."""
    rows = conn.execute(
        select(HookSecret.id, HookSecret.secret, HookSecret.expires_at)
        .where(HookSecret.hook_id == hook_id)
        .order_by(HookSecret.id.desc())
    )
    return [_Stored(r.id, r.secret, r.expires_at) for r in rows]


def list_hooks(
    conn: Connection, now: datetime, tenant: str | None = None, deleted: bool = False
) -> list[HookInfo]:
    hooks = Hook.__table__
    query = (
        select(hooks, Tenant.name.label("tenant"))
        .join(Tenant, Tenant.id == hooks.c.tenant_id)
        .order_by(Tenant.name, hooks.c.created_at, hooks.c.id)
    )
    if tenant is not None:
        query = query.where(hooks.c.tenant_id == access.tenant_id(conn, tenant))
    if not deleted:
        query = query.where(hooks.c.deleted_at.is_(None))
    return [
        HookInfo(
            row.id,
            row.tenant,
            row.platform,
            row.client_id,
            row.window_seconds,
            sum(stored.live(now) for stored in _secrets(conn, row.id)),
            aware(row.created_at),
            row.deleted_at and aware(row.deleted_at),
            tuple((row.networks or "").split()),
            row.query or "",
        )
        for row in conn.execute(query)
    ]


def _existing(conn: Connection, hook_id: str) -> str:
    """The platform of an undeleted hook; 404 otherwise."""
    platform = conn.execute(
        select(Hook.platform).where(Hook.id == hook_id, Hook.deleted_at.is_(None))
    ).scalar_one_or_none()
    if platform is None:
        raise NotFound(f"no hook {hook_id!r}")
    return str(platform)


def rotate_secret(
    conn: Connection,
    hook_id: str,
    *,
    now: datetime,
    secret: str | None = None,
    overlap: int = DEFAULT_OVERLAP,
) -> Rotation:
    """Add a live secret; the current ones stay live ``overlap`` seconds more, then expire."""
    platform = _existing(conn, hook_id)
    if platform in SECRETLESS:
        raise InvalidInput(f"{platform} hooks have no secret, only a client id")
    if not 0 <= overlap <= OVERLAP_MAX:
        raise InvalidInput(f"overlap is 0 to {OVERLAP_MAX} seconds", field="overlap")
    new = secret if secret is not None else secrets.token_urlsafe(32)
    _secret(new)
    until = now + timedelta(seconds=overlap)
    for stored in _secrets(conn, hook_id):
        if stored.live(until):
            conn.execute(
                update(HookSecret).where(HookSecret.id == stored.id).values(expires_at=until)
            )
    conn.execute(insert(HookSecret).values(hook_id=hook_id, secret=new, created_at=now))
    return Rotation(new, secret is None, until)


def delete_hook(conn: Connection, hook_id: str, now: datetime) -> None:
    """Stop taking deliveries (the row stays, for the record); its secrets expire now."""
    _existing(conn, hook_id)
    conn.execute(update(Hook).where(Hook.id == hook_id).values(deleted_at=now))
    conn.execute(
        update(HookSecret)
        .where(HookSecret.hook_id == hook_id, HookSecret.expires_at.is_(None))
        .values(expires_at=now)
    )


def live_hook(conn: Connection, hook_id: str, now: datetime) -> LiveHook | None:
    """The hook with its live secrets, or None if there is no such (undeleted) hook."""
    if not 1 <= len(hook_id) <= ID_MAX:
        return None
    hooks = Hook.__table__
    row = conn.execute(
        select(hooks, Tenant.name.label("tenant"))
        .join(Tenant, Tenant.id == hooks.c.tenant_id)
        .where(hooks.c.id == hook_id, hooks.c.deleted_at.is_(None))
    ).first()
    if row is None:
        return None
    live = tuple(stored.secret for stored in _secrets(conn, row.id) if stored.live(now))
    credentials = Credentials(live, row.client_id, row.window_seconds, row.query or "")
    networks = tuple(ip_network(n) for n in (row.networks or "").split())
    return LiveHook(row.id, row.tenant_id, row.tenant, row.platform, credentials, networks)
