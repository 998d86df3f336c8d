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
    "TSA_URLS": "",  # empty: the development TSA under <DATA_DIR>/devtsa
    "TSA_TRUST_ROOTS": "",  # PEM files, comma-separated
    "TSA_HEADERS": "",  # JSON {"<tsa url>": {"Header": "value"}}
    "TSA_DEV": "",  # set by `ledger serve` when it runs the development TSA
    "TSA_TIMEOUT": "10",
    "TSA_RETRIES": "1",
    "TSA_MAX_SKEW": "300",
    "ANCHOR_INTERVAL": "60",
    "ANCHOR_MIN_TSAS": "1",
}
