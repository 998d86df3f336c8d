"""Engines and transactions: SQLite (WAL, one writer at a time) or PostgreSQL (psycopg 3).

Appends run in ``Database.writing()``: on SQLite a ``BEGIN IMMEDIATE`` transaction (the
write lock is taken before anything is read) behind a per-process lock, on PostgreSQL
a transaction that locks the log-head row (``lock_head``). Reads use plain transactions.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url

from config.settings import Settings
from ledger.storage import queries


class Database:
    def __init__(self, settings: Settings) -> None:
        self.url = settings.database_url
        self.is_sqlite = settings.is_sqlite
        if self.is_sqlite:
            path = make_url(self.url).database
            if path:
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            self.writer = self._sqlite_engine(settings, immediate=True)
            self.reader = self._sqlite_engine(settings, immediate=False)
        else:
            self.writer = self.reader = create_engine(
                self.url, pool_size=4, max_overflow=8, pool_pre_ping=True
            )
        # SQLite admits one writer: queueing threads here is cheaper than busy-waiting.
        self._write_lock = threading.Lock() if self.is_sqlite else None

    def _sqlite_engine(self, settings: Settings, *, immediate: bool) -> Engine:
        engine = create_engine(self.url, connect_args={"timeout": 60})
        begin = "BEGIN IMMEDIATE" if immediate else "BEGIN"

        @event.listens_for(engine, "connect")
        def _connect(dbapi: sqlite3.Connection, _record: Any) -> None:
            dbapi.isolation_level = None  # SQLAlchemy's "begin" event issues BEGIN itself
            for pragma in (
                "journal_mode=WAL",
                f"synchronous={settings.sqlite_synchronous}",
                "foreign_keys=ON",
                "busy_timeout=60000",
            ):
                dbapi.execute(f"PRAGMA {pragma}")

        @event.listens_for(engine, "begin")
        def _begin(conn: Connection) -> None:
            conn.exec_driver_sql(begin)

        return engine

    @contextmanager
    def writing(self) -> Iterator[Connection]:
        """A write transaction; commits on success, rolls back on any exception."""
        if self._write_lock is None:
            with self.writer.begin() as conn:
                yield conn
            return
        with self._write_lock, self.writer.begin() as conn:
            yield conn

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        with self.reader.connect() as conn, conn.begin():
            yield conn

    def lock_head(self, conn: Connection, log_id: int) -> Any:
        """The log-head row, locked until the transaction ends (SQLite: by BEGIN IMMEDIATE)."""
        query = queries.HEAD if self.is_sqlite else queries.HEAD_FOR_UPDATE
        return conn.execute(query, {"log_id": log_id}).one()

    def lock_lease(self, conn: Connection, name: str) -> Any:
        """A lease row, locked until the transaction ends."""
        query = queries.LEASE if self.is_sqlite else queries.LEASE.with_for_update()
        return conn.execute(query, {"name": name}).one()

    def dispose(self) -> None:
        self.writer.dispose()
        if self.reader is not self.writer:
            self.reader.dispose()
