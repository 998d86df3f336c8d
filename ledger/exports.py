"""Evidence exports: the certificates (English and Chinese editions), evidence bundles
and a manifest of many envelopes of one tenant, in one ZIP, built in the background.

Python interface (``ledger.api.exports``, ``ledger evidence-export`` and the console
call these; ``service`` is the process's ``ledger.service.Ledger``, ``tenant`` a
``(tenant id, tenant name)`` pair as ``Principal.own_tenant()`` gives)::

    from ledger import exports, periods

    info = exports.create(service, tenant, envelopes=["env-1", "env-2"], created_by="...")
    info = exports.create(service, tenant, period=periods.parse("2026-11-01", "2026-11-30"),
                          created_by="...")
        # checks the choice and records the export (status "queued"); nothing is
        # recorded when it raises: InvalidInput (400) for a bad or empty choice,
        # NotFound (404) naming an envelope the tenant does not have.
    exports.start(service, info.id)            # build it in a thread of this process
    info = exports.run(service, info.id, progress=lambda done, total: ...)  # build it here
    info = exports.get(service, export_id, tenant_id)   # tenant_id None: any tenant (admin);
                                                        # NotFound for another tenant's
    infos = exports.listing(service, tenant_id, limit=100)   # newest first
    path = exports.download_path(service, export_id, tenant_id)  # the finished ZIP, or
                                                        # Conflict (409) while not done
    removed = exports.prune(service, older_than=timedelta(days=7))

``ExportInfo`` has ``id, tenant, status`` (``queued``, ``running``, ``done``,
``failed``, ``erased``: an erasure of one of its envelopes deleted the ZIP,
``ledger.privacy.derived``), ``done``/``total`` (envelopes), ``size``/``sha256`` of
the ZIP, ``error``,
``created_by``, ``created_at``, ``updated_at``, ``finished_at``, ``selection``, and
``to_json()`` (what the API answers).

A period chooses the envelopes whose first event's platform time (``occurred_at``) is
in it, in that order; a list is kept in its order, repeats dropped.

The ZIP (``<data dir>/exports/<id>.zip``, 0600, written as ``.part`` and renamed when
complete, streamed to disk envelope by envelope) holds ``README.txt``, and for each
envelope ``envelopes/<nnnnn>-<id made safe>/`` with ``certificate-en.pdf``,
``certificate-zh.pdf`` and ``evidence-bundle.json``; then ``manifest.csv`` and
``manifest.json``: one row per other file with its path, envelope id, kind
(``readme``, ``certificate``, ``evidence-bundle``), language, size, SHA-256 and, for a
certificate, its id in the registry (``ledger.certificates``).

Issuing the certificates dominates the time (about 0.3 s of CPU per envelope for both
editions time-stamped at B-LTA: rendering 0.125 s, pyHanko's self-check of each file
0.095 s, signing and revocation data the rest; `make bench` measured 189 s for 1,000
envelopes on two cores): exports of more than ``POOL_FROM`` envelopes issue them in a
pool of processes (``default_processes``), each with its own service object, both
editions of an envelope from one reading of its evidence
(``ledger.certificates.editions``); the ZIP is written by the caller's thread, in order.
"""

from __future__ import annotations

import csv
import gc
import hashlib
import io
import json
import logging
import multiprocessing
import os
import re
import secrets
import threading
import time
import zipfile
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, func, insert, select, update

from ledger import clock
from ledger.errors import Conflict, InvalidInput, LedgerError, NotFound
from ledger.periods import Period
from ledger.storage.models import Entry, Export, Tenant

if TYPE_CHECKING:
    from config.settings import Settings
    from ledger.service import Ledger

log = logging.getLogger(__name__)

FORMAT = "evidence-export/1"
MAX_ENVELOPES = 10_000
ID_MAX = 200
LANGS = ("en", "zh")
POOL_FROM = 8  # envelopes: fewer are rendered in the calling thread
PROGRESS_SECONDS = 1.0  # the most often progress is written to the database
STATUSES = ("queued", "running", "done", "failed", "erased")  # erased: ledger.privacy.derived
MANIFEST_COLUMNS = ("path", "envelope_id", "kind", "lang", "size", "sha256", "certificate_id")
_SAFE = re.compile(r"[^A-Za-z0-9._-]+")
_EXPORT_ID = re.compile(r"exp_[0-9a-f]{20}\Z")
_running = threading.Semaphore(1)  # one export builds at a time in a process

README = """Evidence export {id} of tenant {tenant}, made {created_at} by Evidence Ledger.

For each envelope, envelopes/<n>-<envelope id>/ holds:
  certificate-en.pdf, certificate-zh.pdf  the signed certificate of evidence, in English
                                          and in Chinese (check: ledger-verify pdf FILE)
  evidence-bundle.json                    the envelope's evidence-bundle/1, with proofs
                                          (check offline: ledger-verify bundle FILE)

manifest.csv and manifest.json list every other file of this ZIP with its SHA-256
(check: sha256sum), its envelope, kind, language and, for a certificate, its id (the
issuer's verification page checks it). The ZIP's own SHA-256 is kept by the ledger
(GET /v1/exports/{id}).
"""


# --- what an export is --------------------------------------------------------------


@dataclass(frozen=True)
class ExportInfo:
    id: str
    tenant: str
    status: str
    done: int
    total: int
    size: int | None
    sha256: str | None
    error: str | None
    created_by: str
    created_at: datetime
    updated_at: datetime
    finished_at: datetime | None
    selection: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "tenant": self.tenant,
            "status": self.status,
            "done": self.done,
            "total": self.total,
            "size": self.size,
            "sha256": self.sha256,
            "error": self.error,
            "created_by": self.created_by,
            "created_at": _stamp(self.created_at),
            "updated_at": _stamp(self.updated_at),
            "finished_at": _stamp(self.finished_at) if self.finished_at else None,
            "selection": self.selection,
            "download": f"/v1/exports/{self.id}/download" if self.status == "done" else None,
        }


def _stamp(moment: datetime) -> str:
    return clock.aware(moment).isoformat().replace("+00:00", "Z")


_COLUMNS = (
    Export.id,
    Tenant.name,
    Export.status,
    Export.done,
    Export.total,
    Export.size,
    Export.sha256,
    Export.error,
    Export.created_by,
    Export.created_at,
    Export.updated_at,
    Export.finished_at,
    Export.selection,
)


def _info(row: Any) -> ExportInfo:
    return ExportInfo(
        id=row.id,
        tenant=row.name,
        status=row.status,
        done=row.done,
        total=row.total,
        size=row.size,
        sha256=row.sha256,
        error=row.error,
        created_by=row.created_by,
        created_at=clock.aware(row.created_at),
        updated_at=clock.aware(row.updated_at),
        finished_at=clock.aware(row.finished_at) if row.finished_at else None,
        selection=json.loads(row.selection),
    )


# --- choosing envelopes ---------------------------------------------------------------


def _listed(envelopes: object) -> list[str]:
    if not isinstance(envelopes, list) or not envelopes:
        raise InvalidInput("envelopes is a non-empty list of envelope ids", field="envelopes")
    if len(envelopes) > MAX_ENVELOPES:
        raise InvalidInput(f"an export holds at most {MAX_ENVELOPES} envelopes", field="envelopes")
    for i, envelope_id in enumerate(envelopes):
        if not isinstance(envelope_id, str) or not 1 <= len(envelope_id) <= ID_MAX:
            raise InvalidInput(
                f"an envelope id is a string of 1 to {ID_MAX} characters", field=f"envelopes[{i}]"
            )
    return list(dict.fromkeys(envelopes))  # repeats dropped, order kept


def _check_known(service: Ledger, tenant_id: int, wanted: list[str]) -> None:
    found: set[str] = set()
    with service.db.reading() as conn:
        for first in range(0, len(wanted), 500):
            chunk = wanted[first : first + 500]
            found.update(
                conn.execute(
                    select(Entry.envelope_id)
                    .where(Entry.tenant_id == tenant_id, Entry.envelope_id.in_(chunk))
                    .distinct()
                ).scalars()
            )
    missing = [e for e in wanted if e not in found]
    if missing:
        more = f" and {len(missing) - 1} more" if len(missing) > 1 else ""
        raise NotFound(f"no envelope {missing[0]!r}{more} for this tenant", field="envelopes")


def envelopes_in(service: Ledger, tenant_id: int, period: Period) -> list[str]:
    """The tenant's envelopes whose first event (platform time) lies in ``period``,
    oldest first."""
    first = func.min(Entry.occurred_us)
    with service.db.reading() as conn:
        rows = conn.execute(
            select(Entry.envelope_id, first.label("first"))
            .where(Entry.tenant_id == tenant_id)
            .group_by(Entry.envelope_id)
            .having(first >= period.start_us, first < period.end_us)
            .order_by(first, Entry.envelope_id)
        ).all()
    return [row.envelope_id for row in rows]


def create(
    service: Ledger,
    tenant: tuple[int, str],
    *,
    envelopes: object = None,
    period: Period | None = None,
    created_by: str,
) -> ExportInfo:
    """Record a new export of ``envelopes`` (a list of ids) or of the envelopes that
    began in ``period``; status ``queued``. Raises before recording anything."""
    if (envelopes is None) == (period is None):
        raise InvalidInput(
            "choose the envelopes: either envelopes (a list) or from and to",
            field="envelopes",
        )
    if period is not None:
        chosen = envelopes_in(service, tenant[0], period)
        if not chosen:
            raise InvalidInput(
                "no envelope of this tenant began in that range", field="from", code="empty"
            )
        if len(chosen) > MAX_ENVELOPES:
            raise InvalidInput(
                f"{len(chosen)} envelopes began in that range; an export holds at most "
                f"{MAX_ENVELOPES}: choose a shorter range",
                field="from",
            )
        selection: dict[str, Any] = period.to_json()
    else:
        chosen = _listed(envelopes)
        _check_known(service, tenant[0], chosen)
        selection = {"envelopes": len(chosen)}
    export_id = "exp_" + secrets.token_hex(10)
    moment = clock.now()
    with service.db.writing() as conn:
        conn.execute(
            insert(Export).values(
                id=export_id,
                tenant_id=tenant[0],
                selection=json.dumps(selection),
                envelopes=json.dumps(chosen, ensure_ascii=False),
                status="queued",
                done=0,
                total=len(chosen),
                size=None,
                sha256=None,
                error=None,
                created_by=created_by[:200],
                created_at=moment,
                updated_at=moment,
                finished_at=None,
            )
        )
    return get(service, export_id, None)


# --- reading exports ---------------------------------------------------------------


def get(service: Ledger, export_id: str, tenant_id: int | None) -> ExportInfo:
    """The export; ``tenant_id`` None reads any tenant's. Another tenant's: NotFound."""
    query = select(*_COLUMNS).join(Tenant, Tenant.id == Export.tenant_id)
    query = query.where(Export.id == export_id)
    if tenant_id is not None:
        query = query.where(Export.tenant_id == tenant_id)
    with service.db.reading() as conn:
        row = conn.execute(query).first()
    if row is None:
        raise NotFound(f"no export {export_id!r}")
    return _info(row)


def listing(service: Ledger, tenant_id: int | None, limit: int = 100) -> list[ExportInfo]:
    """The newest ``limit`` exports (of ``tenant_id``; of every tenant when None)."""
    query = select(*_COLUMNS).join(Tenant, Tenant.id == Export.tenant_id)
    if tenant_id is not None:
        query = query.where(Export.tenant_id == tenant_id)
    query = query.order_by(Export.created_at.desc(), Export.id).limit(limit)
    with service.db.reading() as conn:
        return [_info(row) for row in conn.execute(query)]


def exports_dir(settings: Settings) -> Path:
    return settings.data_dir / "exports"


def zip_path(settings: Settings, export_id: str) -> Path:
    if not _EXPORT_ID.match(export_id):
        raise NotFound(f"no export {export_id!r}")
    return exports_dir(settings) / f"{export_id}.zip"


def download_path(service: Ledger, export_id: str, tenant_id: int | None) -> Path:
    """The finished ZIP of the export (NotFound, or Conflict while it is not done)."""
    info = get(service, export_id, tenant_id)
    if info.status != "done":
        raise Conflict(
            f"export {export_id} is {info.status} ({info.done}/{info.total}): "
            "download it when its status is done",
            code="not_ready",
        )
    path = zip_path(service.settings, export_id)
    if not path.is_file():
        raise NotFound(f"the ZIP of export {export_id} was removed from disk")
    return path


# --- building -----------------------------------------------------------------------


def _certificates(service: Ledger, tenant: tuple[int, str], envelope_id: str) -> Any:
    """The one call of the certificate issuer (``ledger.certificates``): the envelope's
    bundle and its certificate in each of ``LANGS``, from one reading of the evidence."""
    from ledger import certificates  # reportlab and pyHanko: imported when first needed

    return certificates.editions(service, tenant, envelope_id, LANGS)


@dataclass(frozen=True)
class _File:
    name: str  # inside the envelope's folder
    kind: str
    lang: str
    data: bytes
    certificate_id: str = ""  # the registry's id (verifiable at /verify/<id>)


def envelope_files(service: Ledger, tenant: tuple[int, str], envelope_id: str) -> list[_File]:
    """One envelope's files: its evidence bundle and both editions of its certificate,
    which rest on that bundle."""
    editions = _certificates(service, tenant, envelope_id)
    files = [
        _File(
            "evidence-bundle.json",
            "evidence-bundle",
            "",
            json.dumps(editions.bundle, ensure_ascii=False, indent=2).encode(),
        )
    ]
    for lang, issued in zip(LANGS, editions.delivered, strict=True):
        files.append(
            _File(f"certificate-{lang}.pdf", "certificate", lang, issued.pdf, issued.certificate_id)
        )
    return files


# Worker processes: each has its own service object, made once.
_worker_service: Ledger | None = None
_worker_warm = False


def _worker_start(settings: Settings) -> None:
    global _worker_service
    from ledger.service import Ledger

    _worker_service = Ledger(settings)


def _worker_files(tenant: tuple[int, str], envelope_id: str) -> list[_File]:
    global _worker_warm
    assert _worker_service is not None  # noqa: S101
    files = envelope_files(_worker_service, tenant, envelope_id)
    if not _worker_warm:
        _freeze_heap()
        _worker_warm = True
    return files


def _freeze_heap() -> None:
    """After a worker's first envelope: what it holds then (the modules, fonts, keys and
    caches the certificates need, about 260,000 objects) is kept out of the garbage
    collector's full collections, which otherwise traverse all of it every few
    envelopes (0.13 s each; 8% of a worker's CPU). Garbage first, so none is kept."""
    gc.collect()
    gc.freeze()


def _in_order(
    service: Ledger, tenant: tuple[int, str], envelope_ids: Sequence[str], processes: int
) -> Iterator[list[_File]]:
    """Each envelope's files, in order: here, or from a pool of ``processes``."""
    if processes <= 1:
        for envelope_id in envelope_ids:
            yield envelope_files(service, tenant, envelope_id)
        return
    # Not fork: the server's threads hold locks. A forkserver is a fresh single-threaded
    # process that imports the renderer once; each pool process forks from it ready.
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["ledger.exports", "ledger.certificates.issuing"])
    with ProcessPoolExecutor(
        processes, mp_context=context, initializer=_worker_start, initargs=(service.settings,)
    ) as pool:
        pending: deque[Future[list[_File]]] = deque()
        ids = iter(envelope_ids)
        try:
            for envelope_id in ids:
                pending.append(pool.submit(_worker_files, tenant, envelope_id))
                if len(pending) >= 2 * processes:
                    break
            while pending:
                files = pending.popleft().result()
                for envelope_id in ids:  # refill by one
                    pending.append(pool.submit(_worker_files, tenant, envelope_id))
                    break
                yield files
        finally:
            for future in pending:
                future.cancel()


def folder(n: int, envelope_id: str) -> str:
    """The envelope's folder in the ZIP: its position and its id made safe for any
    file system (the manifest gives the id itself)."""
    safe = _SAFE.sub("_", envelope_id)[:60].strip("._") or "envelope"
    return f"envelopes/{n:05d}-{safe}"


class _Writer:
    """The ZIP as it is written: each file added, hashed and listed."""

    def __init__(self, out: zipfile.ZipFile) -> None:
        self.out = out
        self.rows: list[dict[str, Any]] = []

    def add(
        self, path: str, data: bytes, envelope_id: str, kind: str, lang: str, ident: str = ""
    ) -> None:
        method = zipfile.ZIP_STORED if path.endswith(".pdf") else zipfile.ZIP_DEFLATED
        info = zipfile.ZipInfo(path, date_time=time.gmtime()[:6])
        info.compress_type = method
        info.external_attr = 0o644 << 16
        self.out.writestr(info, data)
        self.rows.append(
            {
                "path": path,
                "envelope_id": envelope_id,
                "kind": kind,
                "lang": lang,
                "size": len(data),
                "sha256": hashlib.sha256(data).hexdigest(),
                "certificate_id": ident,
            }
        )

    def manifests(self, header: dict[str, Any]) -> None:
        text = io.StringIO()
        writer = csv.DictWriter(text, MANIFEST_COLUMNS, lineterminator="\r\n")
        writer.writeheader()
        writer.writerows(self.rows)
        document = header | {"files": self.rows}
        for path, data in (
            ("manifest.csv", text.getvalue().encode()),
            ("manifest.json", json.dumps(document, ensure_ascii=False, indent=2).encode()),
        ):
            info = zipfile.ZipInfo(path, date_time=time.gmtime()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            self.out.writestr(info, data)


def _open_private(path: Path) -> int:
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o600)


def _claim(service: Ledger, export_id: str) -> tuple[int, list[str]]:
    with service.db.writing() as conn:
        claimed = conn.execute(
            update(Export)
            .where(Export.id == export_id, Export.status == "queued")
            .values(status="running", updated_at=clock.now())
        ).rowcount
        row = conn.execute(
            select(Export.tenant_id, Export.envelopes).where(Export.id == export_id)
        ).first()
    if row is None:
        raise NotFound(f"no export {export_id!r}")
    if not claimed:
        raise Conflict(f"export {export_id} is not queued: another run has it")
    return row.tenant_id, json.loads(row.envelopes)


def _update(service: Ledger, export_id: str, **values: Any) -> None:
    """Progress or failure of a running export; an erased one stays erased (its partial
    file was deleted under it)."""
    with service.db.writing() as conn:
        conn.execute(
            update(Export)
            .where(Export.id == export_id, Export.status != "erased")
            .values(updated_at=clock.now(), **values)
        )


def default_processes(settings: Settings) -> int:
    """One rendering process per core; two with TSAs configured, so that one renders
    while the other waits for the TSA (each certificate makes two requests); at most 8."""
    cores = os.cpu_count() or 1
    return min(cores * (2 if settings.tsa_urls else 1), 8)


def run(
    service: Ledger,
    export_id: str,
    *,
    progress: Callable[[int, int], None] | None = None,
    processes: int | None = None,
) -> ExportInfo:
    """Build the queued export here; ``progress(done, total)`` after each envelope.

    ``processes``: the rendering processes (default: ``default_processes`` for exports
    of more than ``POOL_FROM`` envelopes, else none). A failure is recorded (status
    ``failed``, its reason in ``error``) and the partial file removed.
    """
    tenant_id, envelope_ids = _claim(service, export_id)
    info = get(service, export_id, None)
    tenant = (tenant_id, info.tenant)
    total = len(envelope_ids)
    if processes is None:
        processes = default_processes(service.settings) if total > POOL_FROM else 1
    final = zip_path(service.settings, export_id)
    partial = final.with_suffix(".zip.part")
    try:
        digest = _build(service, info, tenant, envelope_ids, partial, processes, progress)
        size = partial.stat().st_size
        partial.rename(final)
        with service.db.writing() as conn:
            finished = conn.execute(
                update(Export)
                .where(Export.id == export_id, Export.status == "running")
                .values(
                    status="done",
                    done=total,
                    size=size,
                    sha256=digest,
                    updated_at=clock.now(),
                    finished_at=clock.now(),
                )
            ).rowcount
        if not finished:  # an erasure marked it meanwhile: its envelopes' content is gone
            final.unlink(missing_ok=True)
    except BaseException as e:
        partial.unlink(missing_ok=True)
        reason = e.message if isinstance(e, LedgerError) else f"{type(e).__name__}: {e}"
        log.warning("export %s failed: %s", export_id, reason)
        _update(service, export_id, status="failed", error=reason[:2000], finished_at=clock.now())
        if not isinstance(e, Exception):
            raise
    return get(service, export_id, None)


def _build(
    service: Ledger,
    info: ExportInfo,
    tenant: tuple[int, str],
    envelope_ids: Sequence[str],
    partial: Path,
    processes: int,
    progress: Callable[[int, int], None] | None,
) -> str:
    """Write the ZIP to ``partial``; its SHA-256 hex."""
    total, last = len(envelope_ids), time.monotonic()
    with os.fdopen(_open_private(partial), "wb") as raw:
        with zipfile.ZipFile(raw, "w", allowZip64=True) as out:
            writer = _Writer(out)
            readme = README.format(
                id=info.id, tenant=info.tenant, created_at=_stamp(info.created_at)
            )
            writer.add("README.txt", readme.encode(), "", "readme", "")
            files_of = _in_order(service, tenant, envelope_ids, processes)
            for n, (envelope_id, files) in enumerate(zip(envelope_ids, files_of, strict=True), 1):
                where = folder(n, envelope_id)
                for file in files:
                    path = f"{where}/{file.name}"
                    writer.add(
                        path, file.data, envelope_id, file.kind, file.lang, file.certificate_id
                    )
                if progress is not None:
                    progress(n, total)
                if time.monotonic() - last >= PROGRESS_SECONDS and n < total:
                    _update(service, info.id, done=n)
                    last = time.monotonic()
            writer.manifests(
                {
                    "format": FORMAT,
                    "export_id": info.id,
                    "tenant": info.tenant,
                    "created_at": _stamp(info.created_at),
                    "generated_at": _stamp(clock.now()),
                    "selection": info.selection,
                    "envelopes": list(envelope_ids),
                }
            )
        raw.flush()
        os.fsync(raw.fileno())
    return _sha256_file(partial)


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def start(service: Ledger, export_id: str) -> threading.Thread:
    """Build the export in a daemon thread of this process (one export at a time)."""

    def work() -> None:
        with _running:
            try:
                run(service, export_id)
            except Conflict:
                pass  # another process's recovery round took it while this one waited
            except Exception:
                log.exception("export %s crashed", export_id)

    thread = threading.Thread(target=work, name=f"export {export_id}", daemon=True)
    thread.start()
    return thread


# --- recovery (a scheduler job of every worker, ledger.workers) ----------------------

STALE = timedelta(minutes=10)  # a running export not updated for this long was orphaned
WAITING = timedelta(minutes=1)  # a queued export waiting this long is run by any worker


def recover(service: Ledger) -> tuple[list[str], list[str]]:
    """Exports a stopped process left: running ones not updated for ``STALE`` become
    ``failed`` (ask again); queued ones waiting for ``WAITING`` start here. Their ids."""
    moment = clock.now()
    stale = select(Export.id).where(Export.status == "running", Export.updated_at < moment - STALE)
    waiting_query = (
        select(Export.id)
        .where(Export.status == "queued", Export.created_at < moment - WAITING)
        .order_by(Export.created_at)
    )
    with service.db.reading() as conn:  # most rounds find nothing: no write transaction
        orphans = list(conn.execute(stale).scalars())
        waiting = list(conn.execute(waiting_query).scalars())
    if orphans:
        with service.db.writing() as conn:
            conn.execute(
                update(Export)
                .where(
                    Export.id.in_(orphans),
                    Export.status == "running",
                    Export.updated_at < moment - STALE,
                )
                .values(
                    status="failed",
                    error="interrupted: the process building it stopped; ask again",
                    updated_at=moment,
                    finished_at=moment,
                )
            )
    for export_id in orphans:
        zip_path(service.settings, export_id).with_suffix(".zip.part").unlink(missing_ok=True)
    for export_id in waiting:
        start(service, export_id)
    return orphans, waiting


# --- cleanup ------------------------------------------------------------------------


def prune(service: Ledger, older_than: timedelta) -> list[str]:
    """Remove the exports (row and ZIP) finished or failed more than ``older_than`` ago;
    their ids."""
    cutoff = clock.now() - older_than
    with service.db.writing() as conn:
        ids = list(
            conn.execute(
                select(Export.id).where(
                    Export.status.in_(("done", "failed", "erased")), Export.updated_at < cutoff
                )
            ).scalars()
        )
        for first in range(0, len(ids), 500):
            conn.execute(delete(Export).where(Export.id.in_(ids[first : first + 500])))
    for export_id in ids:
        zip_path(service.settings, export_id).unlink(missing_ok=True)
    return ids
