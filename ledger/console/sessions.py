"""Console sessions: a random id in a cookie, its SHA-256 in ``console_sessions``.

A session is created only by a successful sign-in, with a new random id (any id the
browser brought is ignored and its cookie replaced: no session fixation), and deleted
by sign-out, by disabling the user and by changing their password. Each has its own
CSRF token, which every form posts back. It lasts ``LIFETIME`` from sign-in.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, delete, insert, select

from ledger import clock
from ledger.console.users import User, user_by_id
from ledger.storage.console import ConsoleSession

LIFETIME = timedelta(hours=8)


@dataclass(frozen=True)
class Session:
    user: User
    csrf: str
    tz: str
    expires_at: datetime


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create(conn: Connection, user: User, tz: str) -> str:
    """A new session of ``user``; returns the token for the cookie (shown nowhere else)."""
    token = secrets.token_urlsafe(32)
    moment = clock.now()
    conn.execute(
        delete(ConsoleSession).where(ConsoleSession.expires_at < moment)  # housekeeping
    )
    conn.execute(
        insert(ConsoleSession).values(
            id_hash=_hash(token),
            user_id=user.id,
            csrf=secrets.token_urlsafe(32),
            tz=tz,
            created_at=moment,
            expires_at=moment + LIFETIME,
        )
    )
    return token


def lookup(conn: Connection, token: str | None) -> Session | None:
    """The live session of this cookie value, if any (its user enabled)."""
    if not token or len(token) > 200:
        return None
    row = conn.execute(
        select(
            ConsoleSession.user_id,
            ConsoleSession.csrf,
            ConsoleSession.tz,
            ConsoleSession.expires_at,
        ).where(ConsoleSession.id_hash == _hash(token))
    ).first()
    if row is None or clock.aware(row.expires_at) <= clock.now():
        return None
    user = user_by_id(conn, row.user_id)
    if user is None or user.disabled_at is not None:
        return None
    return Session(user, row.csrf, row.tz, clock.aware(row.expires_at))


def end(conn: Connection, token: str | None) -> None:
    if token:
        conn.execute(delete(ConsoleSession).where(ConsoleSession.id_hash == _hash(token)))


def same(expected: str | None, given: str | None) -> bool:
    """Constant-time comparison of two CSRF tokens (absent never matches)."""
    if not expected or not given:
        return False
    return hmac.compare_digest(expected.encode(), given.encode())
