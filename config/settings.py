"""Settings: read ``LEDGER_*`` once, validate, freeze. Components never read the environment."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from dataclasses import dataclass
from ipaddress import IPv4Network, IPv6Network, ip_network
from pathlib import Path

from config.defaults import DEFAULTS

PREFIX = "LEDGER_"
SQLITE_MODES = ("OFF", "NORMAL", "FULL", "EXTRA")


@dataclass(frozen=True)
class IssuerSettings:
    """Who issues certificates of evidence, and with which certificate (``LEDGER_ISSUER_*``)."""

    name: str
    address: str
    contact: str
    person: str
    person_title: str
    cert: Path | None  # None: the development issuer under <data dir>/issuer
    key: Path | None
    retention_years: int


class SettingsError(ValueError):
    """A setting has a value the service cannot run with."""


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str
    log_origin: str
    log_key_name: str
    sqlite_synchronous: str
    max_body_bytes: int
    batch_max: int
    clock_skew: int
    bind: str
    public_url: str  # "" when LEDGER_PUBLIC_URL is not set (see ``base_url``)
    verify_rate: int  # POST /verify, /v1/verify per client and minute
    verify_burst: int
    verify_proxies: tuple[IPv4Network | IPv6Network, ...]  # whose X-Forwarded-For counts
    workers: int
    threads: int
    client_timeout: int
    logkey_overlap_seconds: int
    tsa_urls: tuple[str, ...]
    tsa_trust_roots: tuple[Path, ...]
    tsa_headers: dict[str, dict[str, str]]
    tsa_dev: bool
    tsa_timeout: float
    tsa_retries: int
    tsa_max_skew: int
    anchor_interval: int
    anchor_min_tsas: int
    webhook_interval: int
    webhook_timeout: int
    webhook_backoff_base: int
    webhook_backoff_max: int
    webhook_max_attempts: int
    outbound_allow_private: bool
    encryption: bool  # off only for make bench's comparison (docs/privacy.md)
    retention_interval: int  # seconds between retention runs (one across workers); 0: none
    issuer: IssuerSettings
    console_trust_proxy: bool = False  # honour X-Forwarded-Proto: https (docs/console.md)

    @property
    def keys_dir(self) -> Path:
        return self.data_dir / "keys"

    @property
    def devtsa_dir(self) -> Path:
        return self.data_dir / "devtsa"

    @property
    def issuer_dir(self) -> Path:
        """The development issuer's CA, certificate and key (when none is configured)."""
        return self.data_dir / "issuer"

    @property
    def base_url(self) -> str:
        """Where readers reach this instance: ``LEDGER_PUBLIC_URL``, else ``http://<BIND>``."""
        return self.public_url or f"http://{self.bind}"

    @property
    def verify_url(self) -> str:
        """The verification page's base: a certificate's page is ``<verify_url>/<id>``."""
        return f"{self.base_url}/verify"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def replace(self, **changes: object) -> Settings:
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]


def _int(name: str, raw: str, low: int, high: int) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{PREFIX}{name} must be an integer, got {raw!r}") from None
    if not low <= value <= high:
        raise SettingsError(f"{PREFIX}{name} must be in [{low}, {high}], got {value}")
    return value


def _flag(name: str, raw: str) -> bool:
    if raw not in ("", "0", "1"):
        raise SettingsError(f"{PREFIX}{name} is 1 (on), 0 or empty (off), got {raw!r}")
    return raw == "1"


def _switch(name: str, raw: str) -> bool:
    value = raw.strip().lower()
    if value not in ("on", "off"):
        raise SettingsError(f"{PREFIX}{name} must be on or off, got {raw!r}")
    return value == "on"


def _origin(raw: str) -> str:
    # C2SP tlog-checkpoint: the origin is one non-empty line of printable text.
    if not raw or any(c.isspace() and c != " " for c in raw) or not raw.isprintable():
        raise SettingsError(f"{PREFIX}LOG_ORIGIN must be one printable line, got {raw!r}")
    return raw


def _key_name(raw: str) -> str:
    if not raw or "+" in raw or any(c.isspace() for c in raw) or not raw.isprintable():
        raise SettingsError(f"{PREFIX}LOG_KEY_NAME has no spaces or '+', got {raw!r}")
    return raw


def _list(raw: str) -> tuple[str, ...]:
    return tuple(item.strip() for item in raw.split(",") if item.strip())


def _headers(raw: str) -> dict[str, dict[str, str]]:
    if not raw:
        return {}
    try:
        value = json.loads(raw)
    except ValueError:
        raise SettingsError(f"{PREFIX}TSA_HEADERS must be JSON") from None
    ok = isinstance(value, dict) and all(
        isinstance(h, dict) and all(isinstance(k, str) and isinstance(v, str) for k, v in h.items())
        for h in value.values()
    )
    if not ok:
        raise SettingsError(f'{PREFIX}TSA_HEADERS must be {{"<url>": {{"Header": "value"}}}}')
    return value


def _tsa_urls(raw: str) -> tuple[str, ...]:
    urls = _list(raw)
    for url in urls:
        if not url.startswith(("http://", "https://")):
            raise SettingsError(f"{PREFIX}TSA_URLS must be http(s) URLs, got {url!r}")
    return urls


def _public_url(raw: str) -> str:
    url = raw.strip().rstrip("/")
    if url and (
        not url.startswith(("http://", "https://"))
        or any(c.isspace() for c in url)
        or "?" in url
        or "#" in url
    ):
        raise SettingsError(f"{PREFIX}PUBLIC_URL must be an http(s) base URL, got {raw!r}")
    return url


def _networks(name: str, raw: str) -> tuple[IPv4Network | IPv6Network, ...]:
    try:
        return tuple(ip_network(item, strict=False) for item in _list(raw))
    except ValueError as e:
        raise SettingsError(f"{PREFIX}{name} takes CIDRs, comma-separated: {e}") from None


def _issuer(raw: Mapping[str, str], base: Path) -> IssuerSettings:
    cert, key = raw["ISSUER_CERT"], raw["ISSUER_KEY"]
    if bool(cert) != bool(key):
        raise SettingsError(f"{PREFIX}ISSUER_CERT and {PREFIX}ISSUER_KEY go together: set both")
    return IssuerSettings(
        name=raw["ISSUER_NAME"].strip(),
        address=raw["ISSUER_ADDRESS"].strip(),
        contact=raw["ISSUER_CONTACT"].strip(),
        person=raw["ISSUER_PERSON"].strip(),
        person_title=raw["ISSUER_PERSON_TITLE"].strip(),
        cert=base / cert if cert else None,
        key=base / key if key else None,
        retention_years=_int("ISSUER_RETENTION_YEARS", raw["ISSUER_RETENTION_YEARS"], 1, 100),
    )


def load(environ: Mapping[str, str], base: Path | None = None) -> Settings:
    """Settings from ``LEDGER_*`` variables over the defaults; relative paths under ``base``."""
    if PREFIX + "ISSUER_VERIFY_URL" in environ:
        raise SettingsError(
            f"{PREFIX}ISSUER_VERIFY_URL was replaced by {PREFIX}PUBLIC_URL: set it to the "
            "instance's base URL (certificates link to <base>/verify/<id>)"
        )
    raw = {k: environ.get(PREFIX + k, v) for k, v in DEFAULTS.items()}
    data_dir = Path(raw["DATA_DIR"])
    if not data_dir.is_absolute():
        data_dir = (base or Path.cwd()) / data_dir
    url = raw["DATABASE_URL"] or f"sqlite:///{data_dir / 'ledger.db'}"
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    if not (url.startswith("sqlite") or url.startswith("postgresql+psycopg://")):
        raise SettingsError(f"{PREFIX}DATABASE_URL must be sqlite or postgresql, got {url!r}")
    sync = raw["SQLITE_SYNCHRONOUS"].upper()
    if sync not in SQLITE_MODES:
        raise SettingsError(f"{PREFIX}SQLITE_SYNCHRONOUS must be one of {SQLITE_MODES}")
    origin = _origin(raw["LOG_ORIGIN"])
    return Settings(
        data_dir=data_dir,
        database_url=url,
        log_origin=origin,
        log_key_name=_key_name(raw["LOG_KEY_NAME"] or origin),
        sqlite_synchronous=sync,
        max_body_bytes=_int("MAX_BODY_BYTES", raw["MAX_BODY_BYTES"], 1024, 64 * 1024 * 1024),
        batch_max=_int("BATCH_MAX", raw["BATCH_MAX"], 1, 1000),
        clock_skew=_int("CLOCK_SKEW", raw["CLOCK_SKEW"], 0, 86400),
        bind=raw["BIND"],
        public_url=_public_url(raw["PUBLIC_URL"]),
        verify_rate=_int("VERIFY_RATE", raw["VERIFY_RATE"], 1, 100_000),
        verify_burst=_int("VERIFY_BURST", raw["VERIFY_BURST"], 1, 100_000),
        verify_proxies=_networks("VERIFY_PROXIES", raw["VERIFY_PROXIES"]),
        workers=_int("WORKERS", raw["WORKERS"], 1, 64),
        threads=_int("THREADS", raw["THREADS"], 1, 256),
        client_timeout=_int("CLIENT_TIMEOUT", raw["CLIENT_TIMEOUT"], 1, 3600),
        logkey_overlap_seconds=_int(
            "LOGKEY_OVERLAP_SECONDS", raw["LOGKEY_OVERLAP_SECONDS"], 0, 10 * 365 * 86400
        ),
        tsa_urls=_tsa_urls(raw["TSA_URLS"]),
        tsa_trust_roots=tuple(Path(p) for p in _list(raw["TSA_TRUST_ROOTS"])),
        tsa_headers=_headers(raw["TSA_HEADERS"]),
        tsa_dev=raw["TSA_DEV"] not in ("", "0"),
        tsa_timeout=_int("TSA_TIMEOUT", raw["TSA_TIMEOUT"], 1, 300),
        tsa_retries=_int("TSA_RETRIES", raw["TSA_RETRIES"], 0, 10),
        tsa_max_skew=_int("TSA_MAX_SKEW", raw["TSA_MAX_SKEW"], 1, 86400),
        anchor_interval=_int("ANCHOR_INTERVAL", raw["ANCHOR_INTERVAL"], 0, 86400),
        anchor_min_tsas=_int("ANCHOR_MIN_TSAS", raw["ANCHOR_MIN_TSAS"], 1, 10),
        webhook_interval=_int("WEBHOOK_INTERVAL", raw["WEBHOOK_INTERVAL"], 0, 3600),
        webhook_timeout=_int("WEBHOOK_TIMEOUT", raw["WEBHOOK_TIMEOUT"], 1, 120),
        webhook_backoff_base=_int("WEBHOOK_BACKOFF_BASE", raw["WEBHOOK_BACKOFF_BASE"], 0, 3600),
        webhook_backoff_max=_int("WEBHOOK_BACKOFF_MAX", raw["WEBHOOK_BACKOFF_MAX"], 0, 7 * 86400),
        webhook_max_attempts=_int("WEBHOOK_MAX_ATTEMPTS", raw["WEBHOOK_MAX_ATTEMPTS"], 1, 100),
        outbound_allow_private=_flag("OUTBOUND_ALLOW_PRIVATE", raw["OUTBOUND_ALLOW_PRIVATE"]),
        encryption=_switch("ENCRYPTION", raw["ENCRYPTION"]),
        retention_interval=_int("RETENTION_INTERVAL", raw["RETENTION_INTERVAL"], 0, 30 * 86400),
        issuer=_issuer(raw, base or Path.cwd()),
        console_trust_proxy=raw["CONSOLE_TRUST_PROXY"] not in ("", "0"),
    )
