"""APScheduler inside each worker: every ``LEDGER_WEBHOOK_INTERVAL`` seconds, send what is
due. Every worker polls; the claim (a row lock, or SQLite's single writer) gives each
delivery to one of them at a time."""

from __future__ import annotations

import logging
import random
from datetime import timedelta

from apscheduler.schedulers.background import BackgroundScheduler

from ledger import clock
from ledger.outbound.delivery import DeliveryWorker, Policy
from ledger.service import Ledger

log = logging.getLogger(__name__)


def deliver_once(worker: DeliveryWorker) -> None:
    try:
        worker.drain()
    except Exception:
        # A scheduler thread must survive a database restart or a bug in one round.
        log.exception("webhook delivery round crashed")


def start(service: Ledger) -> BackgroundScheduler | None:
    """The delivery worker of this process; None when ``LEDGER_WEBHOOK_INTERVAL`` is 0."""
    interval = service.settings.webhook_interval
    if interval == 0:
        return None
    worker = DeliveryWorker(service.db, Policy.from_settings(service.settings))
    scheduler = BackgroundScheduler(daemon=True, timezone="UTC")
    first = clock.now() + timedelta(seconds=random.uniform(0, interval))  # noqa: S311  jitter only
    scheduler.add_job(
        deliver_once,
        "interval",
        seconds=interval,
        args=[worker],
        next_run_time=first,
        max_instances=1,
        coalesce=True,
    )
    scheduler.start()
    return scheduler
