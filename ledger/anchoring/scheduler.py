"""APScheduler inside each worker: every ``LEDGER_ANCHOR_INTERVAL`` seconds try a run.

All workers try; the lease lets one run per interval (``Anchorer.run``), so adding
workers or hosts adds no TSA requests.
"""

from __future__ import annotations

import logging
import random
from datetime import timedelta

from apscheduler.schedulers.background import BackgroundScheduler

from ledger import clock
from ledger.errors import LedgerError
from ledger.service import Ledger

log = logging.getLogger(__name__)


def anchor_once(service: Ledger) -> None:
    try:
        run = service.anchorer.run()
    except LedgerError as e:
        log.warning("anchoring failed: %s", e.message)
        return
    except Exception:
        # A scheduler thread must survive a database restart or a bug in one run.
        log.exception("anchoring run crashed")
        return
    for record in run.records:
        log.info("anchored size %d with %s", record.size, record.tsa)


def start(service: Ledger) -> BackgroundScheduler | None:
    interval = service.settings.anchor_interval
    if interval == 0 or not service.settings.tsa_urls:
        return None
    scheduler = BackgroundScheduler(daemon=True, timezone="UTC")
    first = clock.now() + timedelta(seconds=random.uniform(1, min(interval, 10)))  # noqa: S311  jitter only
    scheduler.add_job(
        anchor_once,
        "interval",
        seconds=interval,
        args=[service],
        next_run_time=first,
        max_instances=1,
        coalesce=True,
    )
    scheduler.start()
    return scheduler
