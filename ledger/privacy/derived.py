"""What an erasure purges beyond the bodies: every copy of personal data derived from them
(docs/privacy.md, "What erasure purges").

``purge(conn, tenant_id, envelopes, service)`` runs in the erasure's transaction (under
the log-head lock), after the bodies are deleted, for the envelopes the erased events
belong to:

- the console's search terms (``console_terms``, a blind index: ``ledger.console.search``)
  of those envelopes are deleted and derived again from the bodies that remain;
- the certificate registry's stored PDFs and attached bundles of those envelopes
  (``certificates``) are deleted; the rows stay, with their ids, hashes and dates, and
  ``content_erased_at`` set, so ``/verify/<id>`` still answers and says "content erased",
  and the next download of the envelope's certificate issues a new one (the evidence
  changed, so its id does) that shows "content erased" and supersedes the old one;
- the evidence exports (``exports``) holding any of those envelopes: their ZIPs (and a
  partial one being written) are deleted from disk, the rows marked ``erased``.

The tables it writes are scrubbed with the erasure's (``ledger.privacy.erasure.scrub``:
SQLite's ``secure_delete``, which the erasure turns on before it calls ``purge``, and the
WAL truncated after it;
PostgreSQL's ``VACUUM`` lists ``SCRUBBED``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TYPE_CHECKING

from sqlalchemy import Connection, delete, select, update

from ledger import clock
from ledger.console.search import body_terms, insert_terms
from ledger.exports import zip_path
from ledger.privacy.at_rest import open_body
from ledger.storage.console import ConsoleIndex, ConsoleTerm
from ledger.storage.models import Body, Certificate, Entry, Export

if TYPE_CHECKING:
    from ledger.service import Ledger

CHUNK = 500  # ids per IN list
ERASED = "erased"  # an export's status once an erasure deleted its ZIP
# The tables this module deletes from or empties, for the erasure's VACUUM on PostgreSQL.
SCRUBBED = ("console_terms", "certificates", "exports")


def purge(conn: Connection, tenant_id: int, envelopes: Iterable[str], service: Ledger) -> None:
    """Purge what was derived from the erased bodies of ``envelopes`` of ``tenant_id``, in
    the erasure's transaction (``secure_delete`` already on for SQLite)."""
    chosen = sorted(set(envelopes))
    if not chosen:
        return
    for first in range(0, len(chosen), CHUNK):
        part = chosen[first : first + CHUNK]
        _terms(conn, service, tenant_id, part)
        _certificates(conn, tenant_id, part)
    _exports(conn, service, tenant_id, set(chosen))


def _terms(conn: Connection, service: Ledger, tenant_id: int, envelopes: list[str]) -> None:
    """The envelopes' search terms, again, from the bodies that remain."""
    if conn.dialect.name == "postgresql":  # a catch-up under way finishes first, or waits
        conn.execute(select(ConsoleIndex.log_id).with_for_update()).all()
    conn.execute(
        delete(ConsoleTerm).where(
            ConsoleTerm.tenant_id == tenant_id, ConsoleTerm.envelope_id.in_(envelopes)
        )
    )
    log_id = service.log.id
    rows = conn.execute(
        select(Entry.seq, Entry.envelope_id, Body.key_id, Body.sealed)
        .join(Body, (Body.log_id == Entry.log_id) & (Body.seq == Entry.seq))
        .where(
            Entry.log_id == log_id,
            Entry.tenant_id == tenant_id,
            Entry.envelope_id.in_(envelopes),
        )
    ).all()
    terms: set[tuple[int, str, str, str]] = set()
    for row in rows:
        body = open_body(
            service.data_keys, conn, tenant_id, log_id, row.seq, row.key_id, row.sealed
        )
        if body is not None:
            terms |= body_terms(service.pseudonyms, tenant_id, row.envelope_id, body[0])
    insert_terms(conn, terms)


def _certificates(conn: Connection, tenant_id: int, envelopes: list[str]) -> None:
    """The stored PDFs and bundles deleted; ids, hashes and dates kept, marked erased."""
    where = (Certificate.tenant_id == tenant_id, Certificate.envelope_id.in_(envelopes))
    conn.execute(
        update(Certificate)
        .where(*where, Certificate.content_erased_at.is_(None))
        .values(content_erased_at=clock.now())
    )
    conn.execute(update(Certificate).where(*where).values(pdf=b"", bundle=b""))


def _exports(conn: Connection, service: Ledger, tenant_id: int, envelopes: set[str]) -> None:
    """The exports holding any of ``envelopes``: ZIP deleted, row marked erased."""
    hit = [
        row.id
        for row in conn.execute(
            select(Export.id, Export.envelopes).where(
                Export.tenant_id == tenant_id, Export.status != ERASED
            )
        )
        if envelopes.intersection(json.loads(row.envelopes))
    ]
    now = clock.now()
    for first in range(0, len(hit), CHUNK):
        conn.execute(
            update(Export)
            .where(Export.id.in_(hit[first : first + CHUNK]))
            .values(
                status=ERASED,
                error="an erasure deleted this export: it held an envelope whose content "
                "was erased; export again",
                size=None,
                sha256=None,
                updated_at=now,
                finished_at=now,
            )
        )
    for export_id in hit:  # a rolled-back erasure leaves these gone: exported again
        final = zip_path(service.settings, export_id)
        final.unlink(missing_ok=True)
        final.with_suffix(".zip.part").unlink(missing_ok=True)
