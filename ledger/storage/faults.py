"""Database faults a client should retry: each becomes a 503 with ``Retry-After``, not a 500.

- PostgreSQL unreachable, restarting, or dropping the connection (connection errors,
  administrator shutdown, and PostgreSQL's other "operational" classes: insufficient
  resources, transaction rollback): ``database_unavailable``;
- the disk holding the database full (SQLite's ``SQLITE_FULL``, PostgreSQL's 53100, or
  ``ENOSPC`` from a file we write): ``storage_full``;
- SQLite's file unreadable or unwritable (``SQLITE_IOERR``, ``SQLITE_CANTOPEN``) or its
  lock held past the busy timeout: ``database_unavailable``.

A transaction that failed this way was rolled back whole (nothing half-written), and the
connection pool replaces a dropped connection at its next checkout (``pool_pre_ping``), so
the service recovers by itself once the database is back. An append whose COMMIT was cut
may have been committed after all: sent again, it is answered as an idempotent repeat with
its original receipt (docs/api.md).
"""

from __future__ import annotations

import errno
import sqlite3

import psycopg
from sqlalchemy.exc import DBAPIError

from ledger.errors import Unavailable

RETRY_AFTER_SECONDS = 5

_SQLITE_UNAVAILABLE = (
    sqlite3.SQLITE_IOERR,
    sqlite3.SQLITE_CANTOPEN,
    sqlite3.SQLITE_BUSY,
    sqlite3.SQLITE_LOCKED,
)


def storage_full() -> Unavailable:
    return Unavailable(
        "the disk holding the ledger's database is full; nothing was written, try again later",
        code="storage_full",
        retry_after=RETRY_AFTER_SECONDS,
    )


def database_unavailable() -> Unavailable:
    return Unavailable(
        "the database is unavailable; nothing was written, try again later",
        code="database_unavailable",
        retry_after=RETRY_AFTER_SECONDS,
    )


def unavailable(e: BaseException) -> Unavailable | None:
    """The 503 a database fault becomes; None for anything else (a bug: a 500)."""
    orig = e.orig if isinstance(e, DBAPIError) else e
    if isinstance(orig, sqlite3.Error):
        code = getattr(orig, "sqlite_errorcode", None)
        if code is None:
            return None
        if code & 0xFF == sqlite3.SQLITE_FULL:
            return storage_full()
        if code & 0xFF in _SQLITE_UNAVAILABLE:
            return database_unavailable()
        return None
    if isinstance(orig, psycopg.errors.DiskFull):
        return storage_full()
    if isinstance(orig, psycopg.OperationalError | psycopg.InterfaceError):
        return database_unavailable()
    if isinstance(e, DBAPIError) and e.connection_invalidated:
        return database_unavailable()
    if isinstance(orig, OSError) and orig.errno in (errno.ENOSPC, errno.EDQUOT):
        return storage_full()
    return None
