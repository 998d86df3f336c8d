"""The anchorer a process uses, built from settings: TSAs in order and trust roots."""

from __future__ import annotations

import ctypes
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from config.settings import Settings
from ledger.anchoring.anchor import Anchorer
from ledger.anchoring.devtsa import DevTSA
from ledger.anchoring.stamper import HTTPTimeStamper
from ledger.errors import Unavailable
from ledger.storage.db import Database


def trust_roots(settings: Settings) -> list[bytes]:
    """The configured TSA trust roots as PEM/DER bytes (the development root in dev mode)."""
    paths = list(settings.tsa_trust_roots)
    if not paths and not settings.tsa_urls:
        paths = [settings.devtsa_dir / "root.pem"]
    roots = []
    for path in paths:
        try:
            roots.append(Path(path).read_bytes())
        except OSError as e:
            raise Unavailable(f"cannot read TSA trust root {path}: {e.strerror}") from e
    return roots


def build_anchorer(settings: Settings, db: Database, log_id: int) -> Anchorer:
    if not settings.tsa_urls:
        raise Unavailable(
            "no TSA configured: set LEDGER_TSA_URLS, or run `ledger serve`, "
            "which starts the development TSA"
        )
    stampers = [
        HTTPTimeStamper(
            url, settings.tsa_timeout, settings.tsa_retries, settings.tsa_headers.get(url)
        )
        for url in settings.tsa_urls
    ]
    per_tsa = settings.tsa_timeout * (settings.tsa_retries + 1)
    return Anchorer(
        db,
        log_id,
        stampers,
        trust_roots(settings),
        interval=settings.anchor_interval,
        min_tsas=settings.anchor_min_tsas,
        max_skew=settings.tsa_max_skew,
        lease_seconds=int(per_tsa * len(stampers)) + 30,
    )


@contextmanager
def devtsa_for(settings: Settings) -> Iterator[Settings]:
    """The settings as they are, or, with no TSA configured, with the development TSA
    running in this process for the duration (labelled untrusted everywhere)."""
    if settings.tsa_urls:
        yield settings
        return
    with DevTSA.create(settings.devtsa_dir) as tsa:
        yield settings.replace(tsa_urls=(tsa.url,), tsa_trust_roots=(tsa.root_pem,), tsa_dev=True)


def spawn_devtsa(settings: Settings) -> tuple[subprocess.Popen[str], str]:
    """The development TSA as a child process that dies with its parent; and its URL."""
    process = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "ledger.anchoring.devtsa", "--dir", str(settings.devtsa_dir)],
        stdout=subprocess.PIPE,
        text=True,
        preexec_fn=_die_with_parent,  # safe: this process has no threads yet
    )
    assert process.stdout is not None  # noqa: S101  stdout=PIPE
    line = process.stdout.readline()
    found = re.search(r"(http://\S+)", line)
    if found is None:
        process.kill()
        raise Unavailable(f"the development TSA did not start: {line.strip()!r}")
    return process, found.group(1)


def _die_with_parent() -> None:
    # Linux PR_SET_PDEATHSIG: when `ledger serve` (then gunicorn) ends, so does the TSA.
    libc = ctypes.CDLL("libc.so.6", use_errno=True)
    libc.prctl(1, signal.SIGTERM)
