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
    "CLOCK_SKEW": "300",  # seconds a platform time may be ahead of receipt before it is flagged
    "BIND": "127.0.0.1:8000",
    # The base URL under which readers reach this instance: certificates' QR codes and
    # "Verify online" carry <PUBLIC_URL>/verify/<certificate id>. Empty: http://<BIND>,
    # and the certificate and the verification page say it is not publicly reachable.
    "PUBLIC_URL": "",
    "VERIFY_RATE": "10",  # POST /verify, /v1/verify: requests per minute per client address
    "VERIFY_BURST": "5",  # ... of which this many at once
    # Reverse proxies (CIDRs, comma-separated) whose X-Forwarded-For names the client of
    # POST /verify and /v1/verify for that rate limit (e.g. 127.0.0.1/32 behind nginx).
    "VERIFY_PROXIES": "",
    "WORKERS": "2",
    "THREADS": "8",  # per worker: requests that wait for the log share one commit
    "CLIENT_TIMEOUT": "10",  # seconds a client has to send its headers, then its body
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
    "WEBHOOK_INTERVAL": "2",  # seconds between delivery rounds per worker; 0: no sending
    "WEBHOOK_TIMEOUT": "15",
    "WEBHOOK_BACKOFF_BASE": "5",  # seconds; the n-th retry waits about base x 2^(n-1)
    "WEBHOOK_BACKOFF_MAX": "21600",
    "WEBHOOK_MAX_ATTEMPTS": "16",  # then the delivery is dead (about a day with the above)
    # 1: subscriptions may target loopback, private, link-local... addresses (development,
    # tests); /healthz says so. Never in production (docs/security.md).
    "OUTBOUND_ALLOW_PRIVATE": "",
    # Personal data (docs/privacy.md): bodies sealed with AES-256-GCM. "off" exists for
    # make bench's comparison only: bodies written then stay in clear until `ledger init`.
    "ENCRYPTION": "on",
    "RETENTION_INTERVAL": "3600",  # seconds between retention runs (one across workers); 0: none
    # The issuer of certificates of evidence (docs/certificate.md). Empty certificate and
    # key: the development issuer under <DATA_DIR>/issuer, made by `ledger init`.
    "ISSUER_NAME": "",  # the operator's legal name
    "ISSUER_ADDRESS": "",
    "ISSUER_CONTACT": "",
    "ISSUER_PERSON": "",  # the qualified person who signs the declaration
    "ISSUER_PERSON_TITLE": "",
    "ISSUER_CERT": "",  # PEM: the signing certificate first, then its chain up to the root
    "ISSUER_KEY": "",  # PEM private key (ECDSA P-256 recommended), unencrypted
    "ISSUER_RETENTION_YEARS": "10",
    # The console (docs/console.md): set to 1 behind a TLS-terminating proxy that sends
    # X-Forwarded-Proto, so that session cookies get Secure.
    "CONSOLE_TRUST_PROXY": "",
}
