"""Keys of personal data (docs/privacy.md, "Keys"): a data key per tenant and data subject,
kept in the database wrapped by the tenant's key, which a ``KeyProvider`` holds outside
the database.

- ``KeyProvider`` is the interface a KMS or an HSM implements: make a new version of a
  tenant's key, wrap and unwrap a data key under a version, destroy a version.
  ``FileKeyProvider``, the default, keeps each tenant's versions in
  ``<data dir>/keys/tenants/<tenant>.key`` (mode 0600), one ``<version> <hex>`` a line.
- ``DataKeys`` is one process's view: it finds or makes the data keys an append needs
  (inside the append's transaction, under the log-head lock), caches unwrapped keys
  (bounded, one ``AESGCM`` object per key), opens sealed bodies for readers, rotates a
  tenant key and destroys data keys.

The cache of which key is a subject's live one is dropped whenever the log head's
``key_epoch`` moved (an erasure or a rotation in any process bumps it in its
transaction), so no process seals a body under a key another one destroyed.
"""

from __future__ import annotations

import os
import secrets
import threading
from collections import OrderedDict
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import Connection, bindparam, insert, select, text, update

from ledger.errors import Unavailable
from ledger.privacy.crypto import NONCE, key_aad, seal, unseal

if TYPE_CHECKING:
    from ledger.service import Ledger

CACHE_KEYS = 10_000  # unwrapped data keys kept per process (LRU)


LIVE_KEYS = (
    "SELECT subject_id, id, wrapped, key_version FROM data_keys "
    "WHERE tenant_id = ? AND destroyed_at IS NULL"
)


class KeyUnavailable(Unavailable):
    """A tenant key version the provider does not have (a database restored from a backup
    older than a rotation or an erasure: docs/privacy.md, "Backups")."""

    code = "key_unavailable"


class KeyProvider(Protocol):
    """Holds tenant keys outside the database. Versions are positive integers, newest
    highest; ``wrap``/``unwrap`` are authenticated encryption bound to ``aad``."""

    def create(self, tenant: str) -> int:
        """A new version of the tenant's key; returns its number."""
        ...

    def versions(self, tenant: str) -> list[int]:
        """The versions it holds, oldest first."""
        ...

    def wrap(self, tenant: str, version: int, key: bytes, aad: bytes) -> bytes: ...

    def unwrap(self, tenant: str, version: int, wrapped: bytes, aad: bytes) -> bytes:
        """The key; ``KeyUnavailable`` if the version is not held or the wrapping fails."""
        ...

    def destroy(self, tenant: str, version: int) -> None:
        """Forget the version for good (what makes destroyed data keys unrecoverable from
        backups of the database)."""
        ...


class FileKeyProvider:
    """Tenant keys in files: ``<dir>/<tenant>.key``, mode 0600, ``<version> <64 hex>`` a
    line. Written whole to a temporary file, fsynced and renamed over the old one."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._lock = threading.Lock()
        self._aeads: dict[tuple[str, int], AESGCM] = {}

    def _path(self, tenant: str) -> Path:
        return self.directory / f"{tenant}.key"

    def _read(self, tenant: str) -> dict[int, bytes]:
        try:
            lines = self._path(tenant).read_text(encoding="ascii").splitlines()
        except FileNotFoundError:
            return {}
        keys = {}
        for line in lines:
            if line.strip():
                version, hexkey = line.split()
                keys[int(version)] = bytes.fromhex(hexkey)
        return keys

    def _write(self, tenant: str, keys: dict[int, bytes]) -> None:
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        path = self._path(tenant)
        tmp = path.with_suffix(f".tmp{os.getpid()}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as f:
            f.writelines(f"{v} {k.hex()}\n" for v, k in sorted(keys.items()))
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
        dir_fd = os.open(self.directory, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)

    def create(self, tenant: str) -> int:
        with self._lock:
            keys = self._read(tenant)
            version = max(keys, default=0) + 1
            keys[version] = AESGCM.generate_key(bit_length=256)
            self._write(tenant, keys)
            return version

    def versions(self, tenant: str) -> list[int]:
        with self._lock:
            return sorted(self._read(tenant))

    def _aead(self, tenant: str, version: int) -> AESGCM:
        with self._lock:
            aead = self._aeads.get((tenant, version))
            if aead is None:
                key = self._read(tenant).get(version)
                if key is None:
                    raise KeyUnavailable(
                        f"version {version} of tenant {tenant!r}'s key is not in "
                        f"{self._path(tenant)} (restore keys/tenants from the key backup "
                        "taken with the database backup: docs/privacy.md)"
                    )
                aead = self._aeads[(tenant, version)] = AESGCM(key)
            return aead

    def wrap(self, tenant: str, version: int, key: bytes, aad: bytes) -> bytes:
        return seal(self._aead(tenant, version), secrets.token_bytes(NONCE), key, aad)

    def unwrap(self, tenant: str, version: int, wrapped: bytes, aad: bytes) -> bytes:
        try:
            return unseal(self._aead(tenant, version), wrapped, aad)
        except InvalidTag as e:
            raise KeyUnavailable(f"a data key of tenant {tenant!r} does not unwrap") from e

    def destroy(self, tenant: str, version: int) -> None:
        with self._lock:
            keys = self._read(tenant)
            if keys.pop(version, None) is not None:
                self._write(tenant, keys)
            self._aeads.pop((tenant, version), None)


def stamp() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds").removesuffix("+00:00") + "Z"


def _raw(conn: Connection, sql: str, params: Iterable[Any]) -> Any:
    """``sql`` (``?`` placeholders) on the transaction's driver connection: the append
    path's statements skip SQLAlchemy (``ledger.storage.db``, "hot")."""
    raw: Any = conn.connection.driver_connection
    if conn.dialect.name != "sqlite":
        sql = sql.replace("?", "%s")
    return raw.execute(sql, tuple(params))


class NewKey:
    """A data key made by an append, cached only once its transaction committed."""

    __slots__ = ("aead", "key_id", "row", "subject_id", "tenant_id")

    def __init__(
        self, tenant_id: int, subject_id: bytes, key_id: int, aead: AESGCM, row: dict[str, Any]
    ):
        self.tenant_id, self.subject_id, self.key_id, self.aead, self.row = (
            tenant_id,
            subject_id,
            key_id,
            aead,
            row,
        )


class DataKeys:
    """One process's data keys (see the module doc); thread-safe."""

    def __init__(self, provider: KeyProvider, *, enabled: bool = True, cache: int = CACHE_KEYS):
        self.provider, self.enabled, self.cache = provider, enabled, cache
        self._lock = threading.Lock()
        self._aeads: OrderedDict[int, AESGCM] = OrderedDict()  # key id -> AESGCM
        self._live: OrderedDict[tuple[int, bytes], int] = OrderedDict()  # (tenant, subject)
        self._versions: dict[int, int] = {}  # tenant id -> current tenant key version
        self._epoch: int | None = None

    # -- the append path (under the log-head lock, inside the append's transaction) --

    def for_append(
        self, conn: Connection, epoch: int, tenant_id: int, tenant: str, subjects: Iterable[bytes]
    ) -> tuple[dict[bytes, tuple[int, AESGCM]], list[NewKey]]:
        """The live key of each subject (made when it has none): ``{subject: (id, aead)}``,
        and the keys made, whose rows the append inserts and ``publish`` caches."""
        found: dict[bytes, tuple[int, AESGCM]] = {}
        missing = []
        with self._lock:
            if epoch != self._epoch:
                self._live.clear()
                self._versions.clear()
                self._epoch = epoch
            for subject in set(subjects):
                key_id = self._live.get((tenant_id, subject))
                aead = self._aeads.get(key_id) if key_id is not None else None
                if aead is None:
                    missing.append(subject)
                else:
                    found[subject] = (key_id, aead)  # type: ignore[assignment]
        if not missing:
            return found, []
        marks = ", ".join("?" * len(missing))  # placeholders only: the values are parameters
        live = f"{LIVE_KEYS} AND subject_id IN ({marks})"
        rows = _raw(conn, live, [tenant_id, *missing]).fetchall()
        for subject, key_id, wrapped, version in rows:
            subject = bytes(subject)
            key = self.provider.unwrap(
                tenant, version, bytes(wrapped), key_aad(tenant, key_id, subject)
            )
            found[subject] = (key_id, self._remember(tenant_id, subject, key_id, AESGCM(key)))
        made = []
        version = None
        for subject in missing:
            if subject in found:
                continue
            if version is None:
                version = self._tenant_version(conn, tenant_id, tenant)
            key_id = secrets.randbits(62) + 1
            key = AESGCM.generate_key(bit_length=256)
            aead = AESGCM(key)
            row = {
                "id": key_id,
                "tenant_id": tenant_id,
                "subject_id": subject,
                "wrapped": self.provider.wrap(
                    tenant, version, key, key_aad(tenant, key_id, subject)
                ),
                "key_version": version,
                "created_at": stamp(),
            }
            made.append(NewKey(tenant_id, subject, key_id, aead, row))
            found[subject] = (key_id, aead)
        return found, made

    def publish(self, made: Iterable[NewKey]) -> None:
        """Cache the keys an append made, once its transaction committed."""
        for new in made:
            self._remember(new.tenant_id, new.subject_id, new.key_id, new.aead)

    def _remember(self, tenant_id: int, subject: bytes, key_id: int, aead: AESGCM) -> AESGCM:
        with self._lock:
            self._aeads[key_id] = aead
            self._aeads.move_to_end(key_id)
            self._live[(tenant_id, subject)] = key_id
            while len(self._aeads) > self.cache:
                self._aeads.popitem(last=False)
            while len(self._live) > self.cache:
                self._live.popitem(last=False)
        return aead

    def _tenant_version(self, conn: Connection, tenant_id: int, tenant: str) -> int:
        """The tenant key's current version; its first is made with the tenant's first key."""
        with self._lock:
            version = self._versions.get(tenant_id)
        if version is None:
            row = _raw(
                conn, "SELECT version FROM tenant_keys WHERE tenant_id = ?", [tenant_id]
            ).fetchone()
            if row is None:
                version = self.provider.create(tenant)
                _raw(
                    conn,
                    "INSERT INTO tenant_keys (tenant_id, version, rotated_at) VALUES (?, ?, ?)",
                    [tenant_id, version, stamp()],
                )
            else:
                version = int(row[0])
            with self._lock:
                self._versions[tenant_id] = version
        return version

    # -- readers --

    def aead(self, conn: Connection, key_id: int) -> AESGCM | None:
        """The data key ``key_id`` (None once destroyed); ``KeyUnavailable`` if its tenant
        key version is gone (a database restored from before a rotation or an erasure)."""
        with self._lock:
            aead = self._aeads.get(key_id)
        if aead is not None:
            return aead
        row = conn.execute(
            text(
                "SELECT d.tenant_id, d.subject_id, d.wrapped, d.key_version, t.name "
                "FROM data_keys d JOIN tenants t ON t.id = d.tenant_id WHERE d.id = :id"
            ),
            {"id": key_id},
        ).first()
        if row is None or row.wrapped is None:
            return None
        subject = bytes(row.subject_id)
        key = self.provider.unwrap(
            row.name, row.key_version, bytes(row.wrapped), key_aad(row.name, key_id, subject)
        )
        aead = AESGCM(key)
        with self._lock:
            self._aeads[key_id] = aead
            while len(self._aeads) > self.cache:
                self._aeads.popitem(last=False)
        return aead

    def open(self, conn: Connection, key_id: int | None, sealed: bytes, aad: bytes) -> bytes | None:
        """The plaintext of a sealed value (a row written with encryption off has
        ``key_id`` None and is its own plaintext); None if its key was destroyed."""
        if key_id is None:
            return bytes(sealed)
        aead = self.aead(conn, key_id)
        if aead is None:
            return None
        try:
            return unseal(aead, bytes(sealed), aad)
        except InvalidTag as e:
            raise Unavailable(
                "a sealed value does not open under its key: altered, or moved from another row"
            ) from e

    def forget(self) -> None:
        """Drop every cached key (after this process destroyed or rewrapped some)."""
        with self._lock:
            self._aeads.clear()
            self._live.clear()
            self._versions.clear()
            self._epoch = None


def live_keys(conn: Connection, tenant_id: int, subject_id: bytes) -> list[int]:
    """The ids of a data subject's data keys in a tenant that are not destroyed."""
    from ledger.storage.models import DataKey

    found = select(DataKey.id).where(
        DataKey.tenant_id == tenant_id,
        DataKey.subject_id == subject_id,
        DataKey.destroyed_at.is_(None),
    )
    return list(conn.execute(found).scalars())


def rotate_tenant_key(service: Ledger, tenant: str) -> int:
    """A new version of ``tenant``'s key; every live data key rewrapped under it in one
    transaction under the log-head lock, then every other version destroyed. Returns
    the new version. (``ledger tenant rotate-key``; every erasure ends with one.)"""
    from ledger import access
    from ledger.storage.models import DataKey, Log, TenantKey

    provider, db = service.key_provider, service.db
    with db.writing() as conn:
        tenant_id = access.tenant_id(conn, tenant)
        for log_id in conn.execute(select(Log.id)).scalars().all():
            db.hot.head_and_seen(conn, log_id, {})  # the log-head lock
        version = provider.create(tenant)
        live = conn.execute(
            select(DataKey.id, DataKey.subject_id, DataKey.wrapped, DataKey.key_version).where(
                DataKey.tenant_id == tenant_id, DataKey.destroyed_at.is_(None)
            )
        ).all()
        rewrapped = []
        for row in live:
            aad = key_aad(tenant, row.id, bytes(row.subject_id))
            key = provider.unwrap(tenant, row.key_version, bytes(row.wrapped), aad)
            rewrapped.append({"kid": row.id, "w": provider.wrap(tenant, version, key, aad)})
        if rewrapped:
            conn.execute(
                update(DataKey)
                .where(DataKey.id == bindparam("kid"))
                .values(wrapped=bindparam("w"), key_version=version),
                rewrapped,
            )
        changed = conn.execute(
            update(TenantKey)
            .where(TenantKey.tenant_id == tenant_id)
            .values(version=version, rotated_at=stamp())
        ).rowcount
        if not changed:
            conn.execute(
                insert(TenantKey).values(tenant_id=tenant_id, version=version, rotated_at=stamp())
            )
        conn.execute(update(Log).values(key_epoch=Log.key_epoch + 1))
    for old in provider.versions(tenant):
        if old != version:
            provider.destroy(tenant, old)
    service.data_keys.forget()
    return version
