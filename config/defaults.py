"""Embedded defaults: the service runs with none of ``LEDGER_*`` set (docs/operator-guide.md)."""

from __future__ import annotations

DEFAULTS: dict[str, str] = {
    "DATA_DIR": "var",
    "DATABASE_URL": "",  # empty: SQLite file <DATA_DIR>/ledger.db
    "LOG_ORIGIN": "localhost/evidence-ledger",
    "LOG_KEY_NAME": "",  # empty: the origin
    "SQLITE_SYNCHRONOUS": "NORMAL",
    "MAX_BODY_BYTES": str(1024 * 1024),
    "BATCH_MAX": "1000",
    "BIND": "127.0.0.1:8000",
    "WORKERS": "2",
    "LOGKEY_OVERLAP_SECONDS": str(7 * 24 * 3600),
}
