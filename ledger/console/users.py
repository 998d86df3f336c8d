"""Console users: e-mail, role, tenant, an argon2id password hash, and the lock-out.

Roles are those of API keys (``ledger.access``): ``read`` sees its own tenant, ``audit``
every tenant's leaves, proofs and anchors but no event body, ``admin`` everything and
manages users. A user becomes an ``access.Principal`` once signed in, so the console
applies the same rules as the API.

Lock-out: ``MAX_FAILURES`` wrong passwords within ``WINDOW`` lock the account for
``LOCK``; while locked even the right password is refused. Unknown e-mail addresses
cost the same argon2 verification as known ones, and every refusal reads the same.
Passwords are never logged, stored or echoed: only their hashes are kept.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Connection, insert, select, update

from ledger import access, clock
from ledger.access import Principal
from ledger.errors import Conflict, InvalidInput, NotFound
from ledger.storage.console import ConsoleSession, ConsoleUser
from ledger.storage.models import Tenant

ROLES = ("read", "audit", "admin")
TENANT_ROLES = ("read",)
MAX_FAILURES = 5
WINDOW = timedelta(minutes=15)
LOCK = timedelta(minutes=15)
MIN_PASSWORD = 12
MAX_PASSWORD = 1024  # argon2 takes any length; a bound keeps a request's cost bounded
EMAIL = re.compile(r"[^@\s]{1,64}@[^@\s]{1,255}\Z")

# argon2-cffi's defaults are RFC 9106's second recommendation (argon2id, t=3, 64 MiB, p=4).
HASHER = PasswordHasher()
_DUMMY = HASHER.hash(secrets.token_urlsafe(16))  # verified for unknown users (same time)


@dataclass(frozen=True)
class User:
    id: int
    email: str
    role: str
    tenant_id: int | None
    tenant: str | None
    created_at: datetime
    disabled_at: datetime | None
    locked_until: datetime | None
    last_sign_in_at: datetime | None

    def principal(self) -> Principal:
        """The user as the API's access rules see a caller (``key_id`` is the user's id,
        negated so that it is never taken for an API key's)."""
        return Principal(-self.id, self.role, self.tenant_id, self.tenant)


def normal_email(email: str) -> str:
    email = email.strip().lower()
    if not EMAIL.match(email):
        raise InvalidInput("an e-mail address is name@domain", field="email")
    return email


def check_password(password: str) -> str:
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise InvalidInput(
            f"a password has {MIN_PASSWORD} to {MAX_PASSWORD} characters", field="password"
        )
    return password


def new_password() -> str:
    """A generated password: 128 bits, URL-safe, shown once."""
    return secrets.token_urlsafe(16)


def _select() -> object:
    return select(
        ConsoleUser.id,
        ConsoleUser.email,
        ConsoleUser.role,
        ConsoleUser.tenant_id,
        Tenant.name,
        ConsoleUser.created_at,
        ConsoleUser.disabled_at,
        ConsoleUser.locked_until,
        ConsoleUser.last_sign_in_at,
    ).outerjoin(Tenant, Tenant.id == ConsoleUser.tenant_id)


def _user(row: object) -> User:
    values = list(row)  # type: ignore[call-overload]
    for i in (5, 6, 7, 8):
        values[i] = values[i] and clock.aware(values[i])
    return User(*values)


def create_user(conn: Connection, email: str, role: str, tenant: str | None, password: str) -> User:
    """A new user; the same tenant rules as API keys (``read`` needs one, others none)."""
    email = normal_email(email)
    access.check_role(role, tenant, ROLES, TENANT_ROLES, holders="users see")
    check_password(password)
    owner = access.tenant_id(conn, tenant) if tenant is not None else None
    if conn.execute(select(ConsoleUser.id).where(ConsoleUser.email == email)).first():
        raise Conflict(f"a user {email} exists")
    conn.execute(
        insert(ConsoleUser).values(
            email=email,
            role=role,
            tenant_id=owner,
            password_hash=HASHER.hash(password),
            created_at=clock.now(),
            disabled_at=None,
            failures=0,
            failure_window_start=None,
            locked_until=None,
            last_sign_in_at=None,
        )
    )
    return get_user(conn, email)


def get_user(conn: Connection, email: str) -> User:
    row = conn.execute(_select().where(ConsoleUser.email == email.strip().lower())).first()  # type: ignore[attr-defined]
    if row is None:
        raise NotFound(f"no user {email}")
    return _user(row)


def user_by_id(conn: Connection, user_id: int) -> User | None:
    row = conn.execute(_select().where(ConsoleUser.id == user_id)).first()  # type: ignore[attr-defined]
    return None if row is None else _user(row)


def list_users(conn: Connection) -> list[User]:
    return [_user(row) for row in conn.execute(_select().order_by(ConsoleUser.id))]  # type: ignore[attr-defined]


def has_admin(conn: Connection) -> bool:
    found = conn.execute(
        select(ConsoleUser.id).where(ConsoleUser.role == "admin", ConsoleUser.disabled_at.is_(None))
    ).first()
    return found is not None


def disable_user(conn: Connection, email: str) -> User:
    """Disable a user and end their sessions; they can no longer sign in."""
    user = get_user(conn, email)
    if user.disabled_at is None:
        conn.execute(
            update(ConsoleUser).where(ConsoleUser.id == user.id).values(disabled_at=clock.now())
        )
    conn.execute(ConsoleSession.__table__.delete().where(ConsoleSession.user_id == user.id))
    return get_user(conn, email)


def enable_user(conn: Connection, email: str) -> User:
    """Enable a disabled user again, and lift a lock-out."""
    user = get_user(conn, email)
    conn.execute(
        update(ConsoleUser)
        .where(ConsoleUser.id == user.id)
        .values(disabled_at=None, failures=0, failure_window_start=None, locked_until=None)
    )
    return get_user(conn, email)


def set_password(conn: Connection, email: str, password: str) -> None:
    user = get_user(conn, email)
    check_password(password)
    conn.execute(
        update(ConsoleUser)
        .where(ConsoleUser.id == user.id)
        .values(password_hash=HASHER.hash(password))
    )
    conn.execute(ConsoleSession.__table__.delete().where(ConsoleSession.user_id == user.id))


REFUSED = "Wrong e-mail address or password, or the account is locked or disabled."
"""One message for every refusal: it tells an attacker nothing about the account."""


def sign_in(
    conn: Connection, email: str, password: str, now: datetime | None = None
) -> User | None:
    """The user whose password this is, or None (a failure is counted, so the caller
    commits either way). Runs in a writing transaction: the count is read and written
    under its lock."""
    moment = now or clock.now()
    try:
        key = normal_email(email)
    except InvalidInput:
        key = ""
    row = conn.execute(
        select(
            ConsoleUser.id,
            ConsoleUser.password_hash,
            ConsoleUser.disabled_at,
            ConsoleUser.failures,
            ConsoleUser.failure_window_start,
            ConsoleUser.locked_until,
        ).where(ConsoleUser.email == key)
    ).first()
    stored = row.password_hash if row is not None else _DUMMY
    password = password[:MAX_PASSWORD]
    try:
        good = HASHER.verify(stored, password)
    except (VerificationError, InvalidHashError):
        good = False
    if row is None:
        return None
    locked = row.locked_until is not None and clock.aware(row.locked_until) > moment
    if row.disabled_at is not None or locked:
        return None
    if not good:
        start = row.failure_window_start and clock.aware(row.failure_window_start)
        if start is None or moment - start > WINDOW:
            failures, start = 1, moment
        else:
            failures = row.failures + 1
        values: dict[str, object] = {"failures": failures, "failure_window_start": start}
        if failures >= MAX_FAILURES:
            values |= {"locked_until": moment + LOCK, "failures": 0, "failure_window_start": None}
        conn.execute(update(ConsoleUser).where(ConsoleUser.id == row.id).values(**values))
        return None
    values = {"failures": 0, "failure_window_start": None, "locked_until": None}
    if HASHER.check_needs_rehash(stored):
        values["password_hash"] = HASHER.hash(password)
    conn.execute(
        update(ConsoleUser).where(ConsoleUser.id == row.id).values(last_sign_in_at=moment, **values)
    )
    found = user_by_id(conn, row.id)
    assert found is not None  # noqa: S101 (read in the same transaction)
    return found
