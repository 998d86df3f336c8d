"""Background work in each worker process: anchoring, retention, webhook delivery, the
recovery of evidence exports and the analytics rollup, as jobs of one APScheduler
scheduler, started by ``Ledger.start_workers()`` (``wsgi.py``).

Every worker runs the jobs; what makes a job run once across workers and hosts is the
job's own claim on the database: the anchoring lease (``Anchorer.run``) lets one run
per interval, the retention lease likewise (``ledger.privacy.retention``), and a
delivery's row lock gives it to one sender at a time. So adding
workers adds no TSA requests and sends no webhook twice.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING, Protocol

from apscheduler.schedulers.background import BackgroundScheduler

from ledger import clock
from ledger.errors import LedgerError
from ledger.outbound.delivery import DeliveryWorker, Policy

if TYPE_CHECKING:
    from config.settings import Settings
    from ledger.anchoring.anchor import Anchorer
    from ledger.storage.db import Database


class Ledger(Protocol):
    """What the jobs use of ``ledger.service.Ledger``, which starts them (no import back)."""

    settings: Settings
    db: Database

    @property
    def anchorer(self) -> Anchorer: ...


log = logging.getLogger(__name__)
EXPORT_RECOVERY = 60  # seconds between a worker's looks at orphaned and waiting exports
ROLLUP_INTERVAL = 60  # seconds between a worker's folds of new entries into analytics


def anchor_once(service: Ledger) -> None:
    try:
        run = service.anchorer.run()
    except LedgerError as e:
        log.warning("anchoring failed: %s", e.message)
        return
    for record in run.records:
        log.info("anchored size %d with %s", record.size, record.tsa)


def retention_once(service: Ledger) -> None:
    from ledger.privacy.retention import run_once

    try:
        run = run_once(service)
    except LedgerError as e:
        log.warning("retention run failed: %s", e.message)
        return
    if run is not None:
        for erased in run.erased:
            log.info("retention erased envelope %s (seq %d)", erased["envelope_id"], erased["seq"])
        for held in run.held:
            log.info("retention skipped a held envelope: %s", held)


def deliver_once(worker: DeliveryWorker) -> None:
    worker.drain()


def fold_analytics(service: Ledger) -> None:
    from ledger import rollup

    rollup.refresh(service)


def recover_exports(service: Ledger) -> None:
    from ledger import exports

    failed, started = exports.recover(service)
    for export_id in failed:
        log.warning("export %s was interrupted: marked failed", export_id)
    for export_id in started:
        log.info("export %s was waiting: started here", export_id)


def _survive(job: Callable[..., None], what: str) -> Callable[..., None]:
    """A job that logs its crash instead of raising: a scheduler thread must survive a
    database restart or a bug in one run."""

    def run(*args: object) -> None:
        try:
            job(*args)
        except Exception:
            log.exception("%s crashed", what)

    return run


def _every(
    scheduler: BackgroundScheduler,
    job: Callable[..., None],
    what: str,
    seconds: int,
    first_in: tuple[float, float],
    args: list[object],
) -> None:
    # Jitter: workers started together do not all ask at the same instant.
    first = clock.now() + timedelta(seconds=random.uniform(*first_in))  # noqa: S311
    scheduler.add_job(
        _survive(job, what),
        "interval",
        seconds=seconds,
        args=args,
        next_run_time=first,
        max_instances=1,
        coalesce=True,
        name=what,
    )


def start(service: Ledger) -> BackgroundScheduler | None:
    """The jobs this process runs, started: anchoring and webhook delivery unless their
    interval is 0, and always the recovery of evidence exports and the analytics rollup."""
    settings = service.settings
    scheduler = BackgroundScheduler(daemon=True, timezone="UTC")
    if settings.anchor_interval and settings.tsa_urls:
        interval = settings.anchor_interval
        _every(scheduler, anchor_once, "anchoring run", interval, (1, min(interval, 10)), [service])
    if settings.webhook_interval:
        worker = DeliveryWorker(service.db, Policy.from_settings(settings))
        interval = settings.webhook_interval
        _every(scheduler, deliver_once, "webhook delivery round", interval, (0, interval), [worker])
    if settings.retention_interval:
        interval = settings.retention_interval
        _every(
            scheduler, retention_once, "retention run", interval, (5, min(interval, 60)), [service]
        )
    # Exports a stopped worker left (a claim on the row makes each run once); the
    # analytics rollup kept near the log (a lock on its state row: one fold at a time).
    _every(scheduler, recover_exports, "export recovery", EXPORT_RECOVERY, (5, 60), [service])
    _every(scheduler, fold_analytics, "analytics rollup", ROLLUP_INTERVAL, (5, 60), [service])
    if not scheduler.get_jobs():
        return None
    scheduler.start()
    return scheduler
