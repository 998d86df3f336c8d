"""The baseline of the service benchmark: a bare Flask endpoint, nothing of ours.

``POST /events`` parses the JSON body and inserts one row (event_id, SHA-256 of the body,
the body, a timestamp) with its own commit, then answers 201 with the row id. The database
comes from ``BASELINE_DATABASE``: a SQLite file path (WAL, synchronous=NORMAL, as the
ledger's default) or a ``postgresql://`` URL (psycopg 3, BEGIN/INSERT/COMMIT per request).
Served by gunicorn with sync workers: one connection per worker process, opened lazily
after the fork. ``create_schema`` makes the table; the benchmark calls it before starting.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import time
from typing import Any

from flask import Flask, Response, jsonify, request

TABLE = "baseline_events"
_DDL = {
    "sqlite": f"""CREATE TABLE IF NOT EXISTS {TABLE} (
        id INTEGER PRIMARY KEY, event_id TEXT NOT NULL UNIQUE, hash BLOB NOT NULL UNIQUE,
        payload BLOB NOT NULL, created_at REAL NOT NULL)""",
    "postgresql": f"""CREATE TABLE IF NOT EXISTS {TABLE} (
        id BIGSERIAL PRIMARY KEY, event_id TEXT NOT NULL UNIQUE, hash BYTEA NOT NULL UNIQUE,
        payload BYTEA NOT NULL, created_at DOUBLE PRECISION NOT NULL)""",
}
_INSERT = {
    "sqlite": "INSERT INTO baseline_events (event_id, hash, payload, created_at) "
    "VALUES (?, ?, ?, ?)",
    "postgresql": "INSERT INTO baseline_events (event_id, hash, payload, created_at) "
    "VALUES (%s, %s, %s, %s) RETURNING id",
}


def kind(database: str) -> str:
    return "postgresql" if database.startswith("postgresql://") else "sqlite"


def connect(database: str) -> Any:
    if kind(database) == "postgresql":
        import psycopg  # only the PostgreSQL variant needs it

        return psycopg.connect(database)
    conn = sqlite3.connect(database, timeout=60)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    return conn


def create_schema(database: str) -> None:
    conn = connect(database)
    try:
        conn.execute(_DDL[kind(database)])
        conn.commit()
    finally:
        conn.close()


DATABASE = os.environ.get("BASELINE_DATABASE", "")
app = Flask(__name__)
_state: dict[str, Any] = {}


def _conn() -> Any:
    if "conn" not in _state:
        _state["conn"] = connect(DATABASE)
    return _state["conn"]


@app.post("/events")
def append() -> tuple[Response, int]:
    body = request.get_data()
    event = json.loads(body)
    conn = _conn()
    cursor = conn.execute(
        _INSERT[kind(DATABASE)],
        (event["event_id"], hashlib.sha256(body).digest(), body, time.time()),
    )
    row_id = cursor.lastrowid if kind(DATABASE) == "sqlite" else cursor.fetchone()[0]
    conn.commit()
    return jsonify({"id": row_id}), 201


@app.get("/healthz")
def healthz() -> Response:
    return jsonify({"status": "ok"})
