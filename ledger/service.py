"""The service object: settings, database, the log, its keys and the appender.

One per process, created by ``create_app``; views and CLI commands call it, so both
do exactly the same thing.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import Connection, insert, select
from sqlalchemy.exc import OperationalError, ProgrammingError

from config.settings import Settings
from ledger import clock, evidence
from ledger.anchoring.anchor import Anchorer, lease_name
from ledger.anchoring.setup import build_anchorer
from ledger.appender import Appender
from ledger.errors import Unavailable
from ledger.logkeys import LogKeys
from ledger.privacy.keys import DataKeys, FileKeyProvider, KeyProvider
from ledger.privacy.subjects import SubjectIds
from ledger.pseudonyms import PseudonymKey
from ledger.storage.db import Database
from ledger.storage.models import Lease, Log
from verifier.checkpoint import format_checkpoint, sign_note
from verifier.hashing import SHA256, HashAlgorithm, algorithm


@dataclass(frozen=True)
class LogRef:
    id: int
    origin: str
    alg: HashAlgorithm


class Ledger:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.db = Database(settings)
        self._log: LogRef | None = None
        self._keys: LogKeys | None = None
        self._appender: Appender | None = None
        self._anchorer: Anchorer | None = None
        self._pseudonyms: PseudonymKey | None = None
        self._subject_ids: SubjectIds | None = None
        self.key_provider: KeyProvider = FileKeyProvider(settings.keys_dir / "tenants")
        self.data_keys = DataKeys(self.key_provider, enabled=settings.encryption)
        self._scheduler: BackgroundScheduler | None = None
        self._lock = threading.RLock()  # the lazy parts below, made once per process

    @property
    def log(self) -> LogRef:
        if self._log is None:
            try:
                with self._lock, self.db.reading() as conn:
                    row = conn.execute(
                        select(Log.id, Log.hash_alg).where(Log.origin == self.settings.log_origin)
                    ).first()
            except (OperationalError, ProgrammingError) as e:
                raise Unavailable(
                    f"the database is not ready ({type(e.orig).__name__}): run `ledger init`"
                ) from e
            if row is None:
                raise Unavailable(
                    f"log {self.settings.log_origin!r} does not exist: run `ledger init`"
                )
            self._log = LogRef(row.id, self.settings.log_origin, algorithm(row.hash_alg))
        return self._log

    @property
    def keys(self) -> LogKeys:
        if self._keys is None:
            with self._lock:
                if self._keys is None:
                    log = self.log
                    self._keys = LogKeys(self.settings.keys_dir, log.id, self.settings.log_key_name)
        return self._keys

    @property
    def appender(self) -> Appender:
        """One per process: its queue is what lets concurrent appends share a commit."""
        if self._appender is None:
            with self._lock:
                if self._appender is None:
                    log = self.log
                    self._appender = Appender(
                        self.db,
                        log.id,
                        log.origin,
                        log.alg,
                        self.keys,
                        self.data_keys,
                        self.event_subject,
                    )
        return self._appender

    @property
    def pseudonyms(self) -> PseudonymKey:
        """The key of ids derived from personal data (``ledger.pseudonyms``), read once."""
        if self._pseudonyms is None:
            with self._lock:
                if self._pseudonyms is None:
                    self._pseudonyms = PseudonymKey.load(self.settings.keys_dir)
        return self._pseudonyms

    def event_subject(self, event: dict[str, Any]) -> bytes:
        """The keyed id of the data subject of an event (``ledger.privacy.subjects``)."""
        if self._subject_ids is None:
            with self._lock:
                if self._subject_ids is None:
                    self._subject_ids = SubjectIds(self.pseudonyms)
        return self._subject_ids(event)

    def bundle(
        self,
        conn: Connection,
        tenant: tuple[int, str],
        envelope_id: str,
        vkeys: list[str] | None = None,
    ) -> dict[str, Any]:
        """The envelope's ``evidence-bundle/1`` as the log holds it now, read in ``conn``
        (``ledger.evidence``): what the API, the console, certificates and exports hand out.
        ``vkeys``: the log's verifier keys, if the caller has read them already."""
        if vkeys is None:
            vkeys = [k.vkey for k in self.keys.listing(conn)]
        log = self.log
        return evidence.bundle(
            conn,
            self.data_keys,
            log.id,
            log.origin,
            log.alg,
            vkeys,
            tenant,
            envelope_id,
            self.settings.tsa_dev,
        )

    @property
    def anchorer(self) -> Anchorer:
        if self._anchorer is None:
            with self._lock:
                if self._anchorer is None:
                    self._anchorer = build_anchorer(self.settings, self.db, self.log.id)
        return self._anchorer

    def create_log(self, conn: Connection) -> bool:
        """Create the log, its first key and its empty checkpoint; False if it exists."""
        origin = self.settings.log_origin
        if conn.execute(select(Log.id).where(Log.origin == origin)).first():
            return False
        alg = SHA256
        result = conn.execute(
            insert(Log).values(
                origin=origin,
                hash_alg=alg.name,
                size=0,
                chain=alg.chain_start,
                compact=b"",
                checkpoint="",
            )
        )
        log_id = int(result.inserted_primary_key[0])  # type: ignore[index]
        keys = LogKeys(self.settings.keys_dir, log_id, self.settings.log_key_name)
        signer = keys.create(conn, datetime.now(UTC))
        note = sign_note(format_checkpoint(origin, 0, alg.empty_root), [signer])
        conn.execute(Log.__table__.update().where(Log.id == log_id).values(checkpoint=note))
        return True

    def ensure_lease(self, conn: Connection) -> None:
        """The anchoring lease row of the log (created once; `ledger init` calls this)."""
        name = lease_name(self.log.id)
        if conn.execute(select(Lease.name).where(Lease.name == name)).first() is None:
            conn.execute(
                insert(Lease).values(name=name, holder="", expires_at=clock.now(), last_run_at=None)
            )

    def start_workers(self) -> None:
        """Start this process's background jobs (anchoring, webhook delivery):
        ``ledger.workers``; gunicorn workers call it (``wsgi.py``), tests and the CLI do not."""
        from ledger import workers

        with self._lock:
            if self._scheduler is None:
                self._scheduler = workers.start(self)

    def stop_workers(self) -> None:
        """Stop this process's background jobs: a gunicorn worker does as it exits
        (``ledger.serving``), else its scheduler thread may hand a job to an executor the
        exiting interpreter has shut, and log a traceback."""
        with self._lock:
            scheduler, self._scheduler = self._scheduler, None
        if scheduler is not None:
            scheduler.shutdown(wait=False)  # returns once the scheduler's thread has ended

    def close(self) -> None:
        self.stop_workers()
        self.db.dispose()
