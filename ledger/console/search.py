"""The console's envelope search: an index kept beside the log, and queries over it.

``catch_up`` reads the entries the index has not seen (``console_index.next_seq``) in
batches, each in one write transaction, and folds them into ``console_envelopes`` (one
row per tenant and envelope: platform, status, first and last platform time, count)
and ``console_terms`` (signers' e-mail addresses and names, documents' SHA-256, from
the event bodies, opened with their data keys). The console calls it before each search,
for at most ``CATCH_UP_SECONDS``; ``ledger console reindex`` empties the index and
rebuilds it. An erasure deletes the terms its bodies gave (``ledger.privacy.erasure``).
Nothing on the append path changes.

The same SQL runs on SQLite and PostgreSQL (upserts by ``ON CONFLICT``).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, bindparam, delete, func, or_, select, tuple_, update
from sqlalchemy.dialects import postgresql, sqlite

from ledger.access import Principal
from ledger.errors import InvalidInput
from ledger.evidence import stamp
from ledger.privacy.at_rest import open_body
from ledger.privacy.keys import DataKeys
from ledger.storage.console import ConsoleEnvelope, ConsoleIndex, ConsoleTerm
from ledger.storage.db import Database
from ledger.storage.models import Body, Entry, Log, Tenant
from verifier.plausibility import parse_time

BATCH = 2_000
CATCH_UP_SECONDS = 2.0
PAGE = 25
STATUSES = (
    "created",
    "sent",
    "delivered",
    "viewed",
    "signing",
    "completed",
    "declined",
    "voided",
    "expired",
    "other",
)
_RANK = {
    "envelope.created": ("created", 1),
    "document.added": ("created", 1),
    "envelope.sent": ("sent", 2),
    "reminder.sent": ("sent", 2),
    "recipient.delivered": ("delivered", 3),
    "recipient.viewed": ("viewed", 4),
    "recipient.authenticated": ("viewed", 4),
    "recipient.consented": ("viewed", 4),
    "recipient.signed": ("signing", 5),
    "recipient.delegated": ("signing", 5),
}
_FINAL = {
    "envelope.completed": "completed",
    "envelope.declined": "declined",
    "recipient.declined": "declined",
    "envelope.voided": "voided",
    "envelope.expired": "expired",
}
_RANK_OF = {status: rank for status, rank in _RANK.values()} | {"other": 0}
TERM_KINDS = ("email", "name", "sha256")
UPDATED = ("platform", "status", "first_at", "last_at", "last_received", "events", "last_seq")


def status_after(status: str, event_type: str) -> str:
    """An envelope's status once ``event_type`` is added (events in log order): a final
    type (completed, declined, voided, expired) sets it; otherwise the furthest step
    reached (created < sent < delivered < viewed < signing) unless it is already final."""
    if event_type in _FINAL:
        return _FINAL[event_type]
    if status in _FINAL.values():
        return status
    step = _RANK.get(event_type)
    if step is None:
        return status
    return step[0] if step[1] > _RANK_OF.get(status, 0) else status


def _terms(event: dict[str, Any]) -> Iterable[tuple[str, str]]:
    """(kind, value) pairs an envelope is found by, from one event body."""
    people = [event.get("actor")]
    data = event.get("data")
    if isinstance(data, dict) and isinstance(data.get("recipients"), list):
        people += data["recipients"]
    for person in people:
        if not isinstance(person, dict):
            continue
        for kind in ("email", "name"):
            value = person.get(kind)
            if isinstance(value, str) and value.strip():
                yield kind, value.strip().lower()[:400]
    for document in event.get("documents") or ():
        if isinstance(document, dict) and isinstance(document.get("sha256"), str):
            yield "sha256", document["sha256"].lower()


def _insert(conn: Connection, table: Any) -> Any:
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    return dialect.insert(table)


def _position(conn: Connection, log_id: int) -> int:
    """The index's next seq, its row locked (PostgreSQL) for this transaction."""
    query = select(ConsoleIndex.next_seq).where(ConsoleIndex.log_id == log_id)
    if conn.dialect.name == "postgresql":
        query = query.with_for_update()
    found = conn.execute(query).scalar()
    if found is None:
        conn.execute(
            _insert(conn, ConsoleIndex).values(log_id=log_id, next_seq=0).on_conflict_do_nothing()
        )
        found = conn.execute(query).scalar_one()
    return int(found)


def _index_batch(conn: Connection, data_keys: DataKeys, log_id: int) -> int:
    """Index the next ``BATCH`` entries; returns how many."""
    start = _position(conn, log_id)
    rows = conn.execute(
        select(
            Entry.seq,
            Entry.tenant_id,
            Entry.envelope_id,
            Entry.type,
            Entry.leaf,
            Body.key_id,
            Body.sealed,
        )
        .outerjoin(Body, (Body.log_id == Entry.log_id) & (Body.seq == Entry.seq))
        .where(Entry.log_id == log_id, Entry.seq >= start)
        .order_by(Entry.seq)
        .limit(BATCH)
    ).all()
    if not rows:
        return 0
    keys = {(r.tenant_id, r.envelope_id) for r in rows}
    known: dict[tuple[int, str], dict[str, Any]] = {}
    tenants = {t for t, _ in keys}
    for row in conn.execute(
        select(ConsoleEnvelope.__table__).where(
            ConsoleEnvelope.tenant_id.in_(tenants),
            ConsoleEnvelope.envelope_id.in_({e for _, e in keys}),
        )
    ).mappings():
        known[row["tenant_id"], row["envelope_id"]] = dict(row)
    new: set[tuple[int, str]] = set()
    terms: set[tuple[int, str, str, str]] = set()
    for r in rows:
        leaf = json.loads(r.leaf)
        at = stamp(parse_time(leaf["event"]["occurred_at"]))
        key = (r.tenant_id, r.envelope_id)
        env = known.get(key)
        if env is None:
            env = known[key] = {
                "tenant_id": r.tenant_id,
                "envelope_id": r.envelope_id,
                "platform": leaf["source"]["channel"][:32],
                "status": "other",
                "first_at": at,
                "last_at": at,
                "last_received": leaf["received_at"],
                "events": 0,
                "last_seq": r.seq,
            }
            new.add(key)
        env["status"] = status_after(env["status"], r.type)
        env["first_at"], env["last_at"] = min(env["first_at"], at), max(env["last_at"], at)
        env["last_received"], env["events"], env["last_seq"] = (
            leaf["received_at"],
            env["events"] + 1,
            r.seq,
        )
        body = open_body(data_keys, conn, r.tenant_id, log_id, r.seq, r.key_id, r.sealed)
        if body is not None:  # sealed (ledger.privacy.at_rest); None once erased
            for kind, value in _terms(json.loads(body[0])):
                terms.add((r.tenant_id, kind, value, r.envelope_id))
    table = ConsoleEnvelope.__table__
    inserts = [known[k] for k in new]
    if inserts:
        conn.execute(table.insert(), inserts)
    changed = [
        {f"b_{k}": v for k, v in env.items()} for key, env in known.items() if key not in new
    ]
    if changed:  # one executemany
        conn.execute(
            update(table)
            .where(
                table.c.tenant_id == bindparam("b_tenant_id"),
                table.c.envelope_id == bindparam("b_envelope_id"),
            )
            .values({k: bindparam(f"b_{k}") for k in UPDATED}),
            changed,
        )
    if terms:  # executemany: compiled once (psycopg pipelines it)
        values = [
            dict(zip(("tenant_id", "kind", "value", "envelope_id"), t, strict=True)) for t in terms
        ]
        conn.execute(_insert(conn, ConsoleTerm).on_conflict_do_nothing(), values)
    conn.execute(
        update(ConsoleIndex).where(ConsoleIndex.log_id == log_id).values(next_seq=rows[-1].seq + 1)
    )
    return len(rows)


def catch_up(
    db: Database, data_keys: DataKeys, log_id: int, seconds: float | None = CATCH_UP_SECONDS
) -> int:
    """Index what the log gained, a batch per transaction, for at most ``seconds`` (None:
    until done); returns how many entries it read."""
    with db.reading() as conn:  # most searches find nothing new: no write lock then
        size = conn.execute(select(Log.size).where(Log.id == log_id)).scalar_one()
        if behind(conn, log_id, int(size)) <= 0:
            return 0
    done, started = 0, time.monotonic()
    while seconds is None or time.monotonic() - started < seconds:
        with db.writing() as conn:
            count = _index_batch(conn, data_keys, log_id)
        done += count
        if count < BATCH:
            break
    return done


def behind(conn: Connection, log_id: int, size: int) -> int:
    """Entries of the log the index has not read yet."""
    found = conn.execute(
        select(ConsoleIndex.next_seq).where(ConsoleIndex.log_id == log_id)
    ).scalar()
    return size - int(found or 0)


def reset(conn: Connection, log_id: int) -> None:
    """Empty the index (``ledger console reindex`` then rebuilds it)."""
    conn.execute(delete(ConsoleTerm))
    conn.execute(delete(ConsoleEnvelope))
    conn.execute(delete(ConsoleIndex).where(ConsoleIndex.log_id == log_id))


@dataclass(frozen=True)
class Query:
    """A search as the form sends it; empty strings mean "any"."""

    envelope: str = ""
    signer: str = ""
    sha256: str = ""
    status: str = ""
    platform: str = ""
    tenant: str = ""
    date_from: str = ""  # YYYY-MM-DD, UTC, inclusive: the envelope's first platform time
    date_to: str = ""
    page: int = 1

    def bodies_needed(self) -> bool:
        return bool(self.signer or self.sha256)


@dataclass(frozen=True)
class Found:
    tenant: str
    envelope_id: str
    platform: str
    status: str
    first_at: str
    last_at: str
    events: int


@dataclass(frozen=True)
class Page:
    rows: list[Found]
    total: int
    page: int
    pages: int


def _day(value: str, field: str) -> str:
    try:
        return datetime.strptime(value, "%Y-%m-%d").strftime("%Y-%m-%d")
    except ValueError:
        raise InvalidInput(f"{field} is a date, YYYY-MM-DD", field=field) from None


def _where(who: Principal, q: Query) -> list[Any]:
    """The conditions of ``q`` for ``who``: a read user sees its tenant only; audit and
    admin users every tenant (or ``q.tenant``). Signer and document searches read event
    bodies, so audit users may not make them."""
    env, ten = ConsoleEnvelope, Tenant
    where: list[Any] = []
    if who.role == "read":
        where.append(env.tenant_id == who.tenant_id)
    elif q.tenant:
        where.append(ten.name == q.tenant)
    if q.bodies_needed() and who.role == "audit":
        raise InvalidInput("audit users see no event bodies: no signer or document search")
    if q.envelope:
        where.append(env.envelope_id.contains(q.envelope.strip(), autoescape=True))
    if q.status:
        if q.status not in STATUSES:
            raise InvalidInput(f"status is one of {', '.join(STATUSES)}", field="status")
        where.append(env.status == q.status)
    if q.platform:
        where.append(env.platform == q.platform)
    if q.date_from:
        where.append(env.first_at >= _day(q.date_from, "from"))
    if q.date_to:
        where.append(env.first_at < _day(q.date_to, "to") + "T99")  # the whole day
    for kinds, value, exact in _term_filters(q):
        # Not correlated: the terms that match, then the envelopes among them (a
        # correlated EXISTS with an OR made SQLite scan the terms once per envelope).
        term = select(ConsoleTerm.tenant_id, ConsoleTerm.envelope_id)
        if who.role == "read":
            term = term.where(ConsoleTerm.tenant_id == who.tenant_id)
        if exact:
            term = term.where(ConsoleTerm.kind.in_(kinds), ConsoleTerm.value == value)
        else:  # a signer: the whole e-mail address, or part of a name
            term = term.where(
                or_(
                    and_(ConsoleTerm.kind == "email", ConsoleTerm.value == value),
                    and_(
                        ConsoleTerm.kind == "name",
                        ConsoleTerm.value.contains(value, autoescape=True),
                    ),
                )
            )
        where.append(tuple_(env.tenant_id, env.envelope_id).in_(term))
    return where


def search(conn: Connection, who: Principal, q: Query) -> Page:
    """The envelopes ``who`` may see that match ``q``, newest first, ``PAGE`` a page."""
    env, ten = ConsoleEnvelope, Tenant
    where = _where(who, q)
    base = select(env.envelope_id).join(ten, ten.id == env.tenant_id).where(*where)
    total = int(conn.execute(select(func.count()).select_from(base.subquery())).scalar_one())
    pages = max(1, -(-total // PAGE))
    page = min(max(1, q.page), pages)
    rows = conn.execute(
        select(
            ten.name,
            env.envelope_id,
            env.platform,
            env.status,
            env.first_at,
            env.last_at,
            env.events,
        )
        .join(ten, ten.id == env.tenant_id)
        .where(*where)
        .order_by(env.first_at.desc(), ten.name, env.envelope_id)
        .limit(PAGE)
        .offset((page - 1) * PAGE)
    ).all()
    return Page([Found(*row) for row in rows], total, page, pages)


def matching(conn: Connection, who: Principal, q: Query, limit: int) -> list[tuple[str, str]]:
    """Every (tenant, envelope id) of the search, not only a page, oldest first: at most
    ``limit`` + 1, so that a caller sees when there are more than it takes."""
    env, ten = ConsoleEnvelope, Tenant
    rows = conn.execute(
        select(ten.name, env.envelope_id)
        .join(ten, ten.id == env.tenant_id)
        .where(*_where(who, q))
        .order_by(env.first_at, ten.name, env.envelope_id)
        .limit(limit + 1)
    ).all()
    return [(row.name, row.envelope_id) for row in rows]


def _term_filters(q: Query) -> list[tuple[tuple[str, ...], str, bool]]:
    filters: list[tuple[tuple[str, ...], str, bool]] = []
    if q.sha256:
        digest = q.sha256.strip().lower()
        if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
            raise InvalidInput("a document SHA-256 is 64 hexadecimal digits", field="sha256")
        filters.append((("sha256",), digest, True))
    if q.signer:
        filters.append((("email", "name"), q.signer.strip().lower(), False))
    return filters


def platforms(conn: Connection) -> list[str]:
    """The platforms (channels) the index has seen, for the search form."""
    return list(
        conn.execute(
            select(ConsoleEnvelope.platform).distinct().order_by(ConsoleEnvelope.platform)
        ).scalars()
    )
