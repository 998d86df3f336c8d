"""Engines and transactions: SQLite (WAL, one writer at a time) or PostgreSQL (psycopg 3).

Appends run in ``Database.writing()``: on SQLite a ``BEGIN IMMEDIATE`` transaction (the
write lock is taken before anything is read) behind a per-process lock and an exclusive
``flock`` on a lock file next to the database, on PostgreSQL a transaction that locks the
log-head row (``SELECT … FOR UPDATE`` in ``hot.head_and_seen``). Reads use plain
transactions.

The lock file is for speed, not safety (SQLite's own lock is what excludes): a process
waiting for SQLite's write lock polls it with sleeps of up to 100 ms, while one waiting
for a ``flock`` is woken by the kernel the moment the holder lets go.

``Database.hot`` runs the statements of an append on the transaction's driver connection
(``AppendStatements``): SQLAlchemy's execution path costs more than SQLite takes to run
them, and on PostgreSQL they go in two pipelined round trips (plus a binary COPY per
table for large batches) instead of one round trip per statement.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import struct
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property
from operator import itemgetter
from pathlib import Path
from typing import Any, NamedTuple

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from config.settings import Settings
from ledger.storage import queries
from ledger.storage.models import Checkpoint

CHECKPOINT_FRAMES = 1000  # SQLite's default wal_autocheckpoint, in pages
CHECKPOINT_BACKSTOP = 20 * CHECKPOINT_FRAMES


class Head(NamedTuple):
    """The log-head row as an append needs it."""

    size: int
    chain: bytes
    compact: bytes
    key_epoch: int = 0  # ledger.privacy.keys: moves with every erasure and rotation


class Seen(NamedTuple):
    """An entry whose event_id an append asked about (``content_sha256`` None once erased)."""

    event_id: str
    seq: int
    content_sha256: bytes | None


Rows = Sequence[dict[str, Any]]


class AppendStatements:
    """An append's reads and writes on the driver connection of a ``writing()`` transaction.

    Rows are dicts keyed by column name. ``store_and_commit`` ends the transaction: the
    ``writing()`` block's own commit then finds nothing left to do.
    """

    def head_and_seen(
        self, conn: Connection, log_id: int, wanted: Mapping[int, Sequence[str]]
    ) -> tuple[Head, dict[int, list[Seen]]]:
        """The log head, locked, and for each tenant id of ``wanted`` which of its
        event ids that tenant already appended."""
        raise NotImplementedError

    def store_and_commit(
        self, conn: Connection, writes: Writes, checkpoint: dict[str, Any], head: dict[str, Any]
    ) -> None:
        """Insert ``writes`` (the log's rows: entries, bodies, nodes, and whatever else an
        append keeps), the checkpoint, update the head, and commit."""
        raise NotImplementedError


_SEEN = (
    "SELECT e.event_id, e.seq, b.content_sha256 FROM entries e "
    "LEFT JOIN bodies b ON b.log_id = e.log_id AND b.seq = e.seq "
    "WHERE e.log_id = {p} AND e.tenant_id = {p} AND e.event_id {match}"
)


@dataclass(frozen=True)
class RowTable:
    """A table an append writes rows to: its columns in order, their PostgreSQL types
    (for binary COPY), and whether a row already there is kept (``INSERT OR IGNORE`` /
    ``ON CONFLICT DO NOTHING``) instead of being an error."""

    name: str
    columns: tuple[str, ...]
    pg_types: tuple[str, ...]
    keep_existing: bool = False

    @cached_property
    def sqlite_insert(self) -> str:
        verb = "INSERT OR IGNORE" if self.keep_existing else "INSERT"
        marks = ", ".join(f":{c}" for c in self.columns)
        return f"{verb} INTO {self.name} ({', '.join(self.columns)}) VALUES ({marks})"

    @cached_property
    def pg_insert(self) -> str:
        tail = " ON CONFLICT DO NOTHING" if self.keep_existing else ""
        marks = ", ".join("%s" for _ in self.columns)
        columns = ", ".join(self.columns)  # names from the code, never from input
        return f"INSERT INTO {self.name} ({columns}) VALUES ({marks}){tail}"  # noqa: S608

    @cached_property
    def pg_copy(self) -> str:
        return f"COPY {self.name} ({', '.join(self.columns)}) FROM STDIN (FORMAT BINARY)"


ENTRIES = RowTable(
    "entries",
    (
        "log_id",
        "seq",
        "tenant_id",
        "event_id",
        "envelope_id",
        "type",
        "received_at",
        "leaf",
        "leaf_hash",
        "chain",
        "occurred_us",
        "channel",
    ),
    (
        "int4",
        "int8",
        "int4",
        "text",
        "text",
        "text",
        "text",
        "bytea",
        "bytea",
        "bytea",
        "int8",
        "text",
    ),
)
BODIES = RowTable(
    "bodies",
    ("log_id", "seq", "key_id", "sealed", "content_sha256"),
    ("int4", "int8", "int8", "bytea", "bytea"),
)
DATA_KEYS = RowTable(
    "data_keys",
    ("id", "tenant_id", "subject_id", "wrapped", "key_version", "created_at"),
    ("int8", "int4", "bytea", "bytea", "int4", "text"),
)
NODES = RowTable("nodes", ("log_id", "level", "idx", "hash"), ("int4", "int2", "int8", "bytea"))
# A redelivery of the same bytes (another request with the same body) stores nothing.
DELIVERY_BODIES = RowTable(
    "delivery_bodies",
    ("tenant_id", "sha256", "channel", "content_type", "received_at", "key_id", "body"),
    ("int4", "bytea", "text", "text", "text", "int8", "bytea"),
    keep_existing=True,
)
Writes = Sequence[tuple[RowTable, Rows]]  # rows for each table, in the order to write them
_CHECKPOINT_COLUMNS = ("log_id", "size", "root", "note", "created_at")
_HEAD_COLUMNS = ("size", "chain", "compact", "checkpoint", "head_id")


class _SqliteStatements(AppendStatements):
    HEAD = "SELECT size, chain, compact, key_epoch FROM logs WHERE id = ?"
    INSERT_CHECKPOINT = (
        "INSERT INTO checkpoints (log_id, size, root, note, created_at) "
        "VALUES (:log_id, :size, :root, :note, :created_at)"
    )
    UPDATE_HEAD = "UPDATE logs SET size = ?, chain = ?, compact = ?, checkpoint = ? WHERE id = ?"

    def __init__(self, created_at: Callable[[Any], Any]) -> None:
        self.created_at = created_at  # SQLAlchemy's storage format for DateTime columns

    def head_and_seen(
        self, conn: Connection, log_id: int, wanted: Mapping[int, Sequence[str]]
    ) -> tuple[Head, dict[int, list[Seen]]]:
        raw: sqlite3.Connection = conn.connection.driver_connection  # type: ignore[assignment]
        row = raw.execute(self.HEAD, (log_id,)).fetchone()
        if row is None:
            raise LookupError(f"no log {log_id}")
        found = {}
        for tenant_id, event_ids in wanted.items():
            n = len(event_ids)
            marks = "= ?" if n == 1 else "IN (" + ", ".join("?" * n) + ")"
            seen = raw.execute(
                _SEEN.replace("{p}", "?").replace("{match}", marks), (log_id, tenant_id, *event_ids)
            )
            found[tenant_id] = [Seen(*r) for r in seen]
        return Head(*row), found

    def store_and_commit(
        self, conn: Connection, writes: Writes, checkpoint: dict[str, Any], head: dict[str, Any]
    ) -> None:
        raw: sqlite3.Connection = conn.connection.driver_connection  # type: ignore[assignment]
        for table, rows in writes:
            if rows:
                raw.executemany(table.sqlite_insert, rows)
        raw.execute(
            self.INSERT_CHECKPOINT,
            checkpoint | {"created_at": self.created_at(checkpoint["created_at"])},
        )
        raw.execute(self.UPDATE_HEAD, [head[c] for c in _HEAD_COLUMNS])
        raw.commit()


class _PostgresStatements(AppendStatements):
    HEAD = "SELECT size, chain, compact, key_epoch FROM logs WHERE id = %s FOR UPDATE"
    # One index lookup per event_id, whatever the planner knows of the tables (LIMIT 1
    # keeps it from turning the lookups into a scan of the tenant's entries).
    SEEN = (
        "SELECT q.event_id, e.seq, b.content_sha256 FROM unnest(%s::text[]) AS q(event_id) "
        "CROSS JOIN LATERAL (SELECT seq FROM entries WHERE log_id = %s AND tenant_id = %s "
        "AND event_id = q.event_id LIMIT 1) AS e "
        "LEFT JOIN LATERAL (SELECT content_sha256 FROM bodies WHERE log_id = %s "
        "AND seq = e.seq LIMIT 1) AS b ON true"
    )
    # A few rows go in the pipeline, one statement each; many go by binary COPY (an
    # array parameter per column costs the server several times more than COPY).
    COPY_ROWS = 16
    INSERT_CHECKPOINT = (
        "INSERT INTO checkpoints (log_id, size, root, note, created_at) VALUES (%s, %s, %s, %s, %s)"
    )
    UPDATE_HEAD = (
        "UPDATE logs SET size = %s, chain = %s, compact = %s, checkpoint = %s WHERE id = %s"
    )

    def head_and_seen(
        self, conn: Connection, log_id: int, wanted: Mapping[int, Sequence[str]]
    ) -> tuple[Head, dict[int, list[Seen]]]:
        pg: Any = conn.connection.driver_connection
        with pg.pipeline():  # BEGIN, the locking read and the lookups: one round trip
            head = pg.execute(self.HEAD, (log_id,))
            seen = {
                tenant_id: pg.execute(self.SEEN, (list(event_ids), log_id, tenant_id, log_id))
                for tenant_id, event_ids in wanted.items()
            }
        row = head.fetchone()
        if row is None:
            raise LookupError(f"no log {log_id}")
        return Head(*row), {t: [Seen(*r) for r in cur.fetchall()] for t, cur in seen.items()}

    def store_and_commit(
        self, conn: Connection, writes: Writes, checkpoint: dict[str, Any], head: dict[str, Any]
    ) -> None:
        pg: Any = conn.connection.driver_connection
        pipelined = []
        for table, rows in writes:
            values = map(itemgetter(*table.columns), rows)
            if len(rows) < self.COPY_ROWS or table.keep_existing:  # COPY cannot skip a row
                pipelined.append((table.pg_insert, list(values)))
                continue
            with pg.cursor().copy(table.pg_copy) as out:  # one round trip per table
                out.set_types(table.pg_types)
                for row in values:
                    out.write_row(row)
        with pg.pipeline():  # the few rows, checkpoint, head and COMMIT: one round trip
            cur = pg.cursor()
            for insert, params in pipelined:
                if params:
                    cur.executemany(insert, params)
            cur.execute(self.INSERT_CHECKPOINT, [checkpoint[c] for c in _CHECKPOINT_COLUMNS])
            cur.execute(self.UPDATE_HEAD, [head[c] for c in _HEAD_COLUMNS])
            pg.commit()


def _custom_plans(dbapi: Any, _record: Any) -> None:
    """Plan every statement with its parameters and the tables as they are now.

    psycopg prepares a statement after a few runs and PostgreSQL may then keep a generic
    plan made while the tables were nearly empty: the idempotency lookup turned into
    a scan per event_id, and batches slowed from ~20,000 to a few hundred events/s as
    the log grew (seen in make bench).
    """
    dbapi.execute("SET plan_cache_mode = force_custom_plan")
    dbapi.commit()


class Database:
    def __init__(self, settings: Settings) -> None:
        self.url = settings.database_url
        self.is_sqlite = settings.is_sqlite
        self._lock_path: Path | None = None
        self._lock_fd: tuple[int, int] | None = None  # (pid, fd): a flock is per open file
        self._shm_path: Path | None = None
        self._shm_fd: tuple[int, int] | None = None
        self._fd_lock = threading.Lock()  # requests run in threads (gthread workers)
        self._write_conn: tuple[int, Connection] | None = None  # (pid, kept connection)
        if self.is_sqlite:
            path = make_url(self.url).database
            if path and path != ":memory:" and not path.startswith("file:"):
                Path(path).parent.mkdir(parents=True, exist_ok=True)
                self._lock_path = Path(path + "-writer.lock")
                self._shm_path = Path(path + "-shm")
            self.writer = self._sqlite_engine(settings, immediate=True)
            self.reader = self._sqlite_engine(settings, immediate=False)
            created_at = Checkpoint.__table__.c.created_at.type
            dialect = self.writer.dialect
            process = created_at.dialect_impl(dialect).bind_processor(dialect)
            self.hot: AppendStatements = _SqliteStatements(process or (lambda value: value))
        else:
            self.writer = self.reader = create_engine(
                self.url, pool_size=4, max_overflow=8, pool_pre_ping=True
            )
            event.listen(self.writer, "connect", _custom_plans)
            self.hot = _PostgresStatements()
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
            if immediate:
                # Checkpoints run after the write locks are let go (_checkpoint_if_due);
                # SQLite's own, inside COMMIT and so inside the flock, is only a backstop.
                dbapi.execute(f"PRAGMA wal_autocheckpoint={CHECKPOINT_BACKSTOP}")

        @event.listens_for(engine, "begin")
        def _begin(conn: Connection) -> None:
            # Straight to the driver: SQLAlchemy's execution path would cost more than
            # the statement (this runs for every transaction, reads included).
            try:
                conn.connection.driver_connection.execute(begin)  # type: ignore[union-attr]
            except sqlite3.Error as e:  # raised as SQLAlchemy would have wrapped it
                raise DBAPIError.instance(begin, None, e, sqlite3.Error) from e

        return engine

    @contextmanager
    def writing(self) -> Iterator[Connection]:
        """A write transaction; commits on success, rolls back on any exception."""
        if self._write_lock is None:
            with self.writer.begin() as conn:
                yield conn
            return
        with self._write_lock, self._file_lock():
            conn = self._sqlite_writer()
            with conn.begin():
                yield conn
        self._checkpoint_if_due()

    def _sqlite_writer(self) -> Connection:
        """This process's SQLite write connection, kept open: writers take turns (the
        locks), so one serves them all and no transaction pays a pool checkout."""
        pid = os.getpid()
        kept = self._write_conn
        if kept is None or kept[0] != pid or kept[1].closed or kept[1].invalidated:
            kept = self._write_conn = (pid, self.writer.connect())
        return kept[1]

    def _checkpoint_if_due(self) -> None:
        """Copy the WAL into the database file once ``CHECKPOINT_FRAMES`` wait for it.

        SQLite would do it inside the COMMIT (with an fsync at synchronous=NORMAL), while
        this process still holds the flock and the other writers wait; here it runs after,
        PASSIVE: it never waits for readers or writers. The count of frames not yet
        copied is read from the wal-index header (https://sqlite.org/walformat.html).
        """
        if self._shm_path is None:
            return
        pid = os.getpid()
        try:
            with self._fd_lock:
                if self._shm_fd is None or self._shm_fd[0] != pid:
                    self._shm_fd = (pid, os.open(self._shm_path, os.O_RDONLY | os.O_CLOEXEC))
                fd = self._shm_fd[1]
            header = os.pread(fd, 100, 0)
            frames, copied = (
                struct.unpack_from("=I", header, 16)[0],
                struct.unpack_from("=I", header, 96)[0],
            )
        except (OSError, struct.error):
            return  # the backstop checkpoints
        if frames - copied < CHECKPOINT_FRAMES:
            return
        raw = self.writer.raw_connection()
        try:
            raw.driver_connection.execute("PRAGMA wal_checkpoint(PASSIVE)")  # type: ignore[union-attr]
        except sqlite3.Error:
            pass  # another process is checkpointing, or the next writer tries again
        finally:
            raw.close()

    @contextmanager
    def _file_lock(self) -> Iterator[None]:
        """An exclusive ``flock`` on the lock file, across processes (SQLite only)."""
        fd = self._lock_file()
        if fd is None:
            yield
            return
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)

    def _lock_file(self) -> int | None:
        if self._lock_path is None:
            return None
        pid = os.getpid()
        if self._lock_fd is None or self._lock_fd[0] != pid:
            # A forked child opens its own: a descriptor inherited across fork shares the
            # open file, and with it the lock, with the parent.
            fd = os.open(self._lock_path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
            self._lock_fd = (pid, fd)
        return self._lock_fd[1]

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        with self.reader.connect() as conn, conn.begin():
            yield conn

    def lock_lease(self, conn: Connection, name: str) -> Any:
        """A lease row, locked until the transaction ends."""
        query = queries.LEASE if self.is_sqlite else queries.LEASE.with_for_update()
        return conn.execute(query, {"name": name}).one()

    def dispose(self) -> None:
        if self._write_conn is not None and self._write_conn[0] == os.getpid():
            self._write_conn[1].close()
        self._write_conn = None
        self.writer.dispose()
        if self.reader is not self.writer:
            self.reader.dispose()
        for fd in (self._lock_fd, self._shm_fd):
            if fd is not None and fd[0] == os.getpid():
                os.close(fd[1])
        self._lock_fd = self._shm_fd = None
