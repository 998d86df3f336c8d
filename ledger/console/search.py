"""The console's envelope search: an index kept beside the log, and queries over it.

``catch_up`` reads the entries the index has not seen (``console_index.next_seq``) in
batches, each in one write transaction, and folds them into ``console_envelopes`` (one
row per tenant and envelope: platform, status, first and last platform time, count)
and ``console_terms`` (what an envelope is found by, from the event bodies, opened
through ``ledger.privacy.at_rest``: an erased body gives no terms). The console calls
it before each search, for at most ``CATCH_UP_SECONDS``; ``ledger console reindex``
empties the index and rebuilds it. Nothing on the append path changes.

``console_terms`` is a blind index (docs/console.md, "Search"; docs/privacy.md): it
holds no e-mail address or name, only ``term_hash`` of each, HMAC-SHA256 under the
deployment's pseudonym key (``ledger.pseudonyms``, a file outside the database) of the
tenant, the kind and the normalised value. Kinds: ``email`` (the whole address, lower
case: found by an exact, case-insensitive address), ``name`` (each lower-cased word of
a name: found when every word searched is among an envelope's name words) and
``sha256`` (a document's digest, lower-case hex: exact). An erasure deletes the terms of
the envelopes it touches and derives them again from the bodies that remain
(``ledger.privacy.derived``).

The same SQL runs on SQLite and PostgreSQL (upserts by ``ON CONFLICT``).
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, bindparam, delete, func, select, tuple_, union, update
from sqlalchemy.dialects import postgresql, sqlite

from ledger.access import Principal
from ledger.errors import InvalidInput
from ledger.evidence import stamp
from ledger.privacy.at_rest import open_body
from ledger.privacy.keys import DataKeys
from ledger.pseudonyms import PseudonymKey
from ledger.storage.console import ConsoleEnvelope, ConsoleIndex, ConsoleTerm
from ledger.storage.db import Database
from ledger.storage.models import Body, Entry, Log, Tenant
from verifier.plausibility import parse_time

if TYPE_CHECKING:
    from ledger.service import Ledger

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
TERM_DOMAIN = b"ledger-console-term/v1\x00"
WORD = re.compile(r"\w+")
MAX_WORDS = 8  # of a name searched
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


def name_words(name: str) -> list[str]:
    """The words a name is found by: lower case, split at anything not a letter or
    digit ("Zhang Wei-Confidential" -> zhang, wei, confidential), each once."""
    return list(dict.fromkeys(WORD.findall(name.lower())))


def _terms(event: dict[str, Any]) -> Iterable[tuple[str, str]]:
    """(kind, normalised value) pairs an envelope is found by, from one event body."""
    people = [event.get("actor")]
    data = event.get("data")
    if isinstance(data, dict) and isinstance(data.get("recipients"), list):
        people += data["recipients"]
    for person in people:
        if not isinstance(person, dict):
            continue
        email, name = person.get("email"), person.get("name")
        if isinstance(email, str) and email.strip():
            yield "email", email.strip().lower()
        if isinstance(name, str):
            for word in name_words(name):
                yield "name", word
    for document in event.get("documents") or ():
        if isinstance(document, dict) and isinstance(document.get("sha256"), str):
            yield "sha256", document["sha256"].strip().lower()


def term_hash(key: PseudonymKey, tenant_id: int, kind: str, value: str) -> str:
    """What ``console_terms.value`` holds for a normalised value: hex HMAC-SHA256 under
    the pseudonym key, bound to the tenant and the kind (the same person in two tenants
    gives unrelated hashes)."""
    message = TERM_DOMAIN + f"{tenant_id}\x00{kind}\x00{value}".encode()
    return key.keyed(message).hex()


def body_terms(
    key: PseudonymKey, tenant_id: int, envelope_id: str, event: str
) -> set[tuple[int, str, str, str]]:
    """The rows of ``console_terms`` one event body (canonical JSON) gives."""
    return {
        (tenant_id, kind, term_hash(key, tenant_id, kind, value), envelope_id)
        for kind, value in _terms(json.loads(event))
    }


def insert_terms(conn: Connection, terms: set[tuple[int, str, str, str]]) -> None:
    if terms:  # executemany: compiled once (psycopg pipelines it)
        values = [
            dict(zip(("tenant_id", "kind", "value", "envelope_id"), t, strict=True)) for t in terms
        ]
        conn.execute(_insert(conn, ConsoleTerm).on_conflict_do_nothing(), values)


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


def _index_batch(conn: Connection, log_id: int, data_keys: DataKeys, term_key: PseudonymKey) -> int:
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
        if body is not None:
            terms |= body_terms(term_key, r.tenant_id, r.envelope_id, body[0])
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
    insert_terms(conn, terms)
    conn.execute(
        update(ConsoleIndex).where(ConsoleIndex.log_id == log_id).values(next_seq=rows[-1].seq + 1)
    )
    return len(rows)


def catch_up(service: Ledger, seconds: float | None = CATCH_UP_SECONDS) -> int:
    """Index what the log gained, a batch per transaction, for at most ``seconds`` (None:
    until done); returns how many entries it read."""
    db: Database = service.db
    log_id = service.log.id
    with db.reading() as conn:  # most searches find nothing new: no write lock then
        size = conn.execute(select(Log.size).where(Log.id == log_id)).scalar_one()
        if behind(conn, log_id, int(size)) <= 0:
            return 0
    done, started = 0, time.monotonic()
    while seconds is None or time.monotonic() - started < seconds:
        with db.writing() as conn:
            count = _index_batch(conn, log_id, service.data_keys, service.pseudonyms)
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


def _tenant_ids(conn: Connection, who: Principal, q: Query) -> list[int]:
    """The tenants a term search looks in (term hashes are bound to a tenant)."""
    if who.role == "read":
        return [who.tenant_id] if who.tenant_id is not None else []
    query = select(Tenant.id)
    if q.tenant:
        query = query.where(Tenant.name == q.tenant)
    return list(conn.execute(query).scalars())


def _where(conn: Connection, who: Principal, q: Query, term_key: PseudonymKey) -> list[Any]:
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
    filters = _term_filters(q)
    tenants = _tenant_ids(conn, who, q) if filters else []
    for kind, values in filters:
        # Not correlated: the terms that match, then the envelopes among them.
        where.append(
            tuple_(env.tenant_id, env.envelope_id).in_(_matches(term_key, tenants, kind, values))
        )
    return where


def _matches(key: PseudonymKey, tenants: list[int], kind: str, values: list[str]) -> Any:
    """(tenant, envelope) of the envelopes with every one of ``values`` among their
    terms of ``kind`` (for ``signer``: its e-mail address, or every word of its name)."""
    term = ConsoleTerm
    if kind == "signer":
        email = _matches(key, tenants, "email", values[:1])
        if "@" in values[0]:
            return email
        return union(email, _matches(key, tenants, "name", name_words(values[0])[:MAX_WORDS]))
    pairs = [(t, term_hash(key, t, kind, v)) for t in tenants for v in values]
    query = select(term.tenant_id, term.envelope_id).where(
        term.kind == kind,
        tuple_(term.tenant_id, term.value).in_(pairs) if pairs else term.tenant_id.is_(None),
    )
    if len(values) > 1:
        query = query.group_by(term.tenant_id, term.envelope_id).having(
            func.count(term.value.distinct()) == len(values)
        )
    return query


def search(conn: Connection, who: Principal, q: Query, term_key: PseudonymKey) -> Page:
    """The envelopes ``who`` may see that match ``q``, newest first, ``PAGE`` a page
    (``term_key``: the service's ``pseudonyms``, what signer and document searches hash
    with)."""
    env, ten = ConsoleEnvelope, Tenant
    where = _where(conn, who, q, term_key)
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


def matching(
    conn: Connection, who: Principal, q: Query, limit: int, term_key: PseudonymKey
) -> list[tuple[str, str]]:
    """Every (tenant, envelope id) of the search, not only a page, oldest first: at most
    ``limit`` + 1, so that a caller sees when there are more than it takes."""
    env, ten = ConsoleEnvelope, Tenant
    rows = conn.execute(
        select(ten.name, env.envelope_id)
        .join(ten, ten.id == env.tenant_id)
        .where(*_where(conn, who, q, term_key))
        .order_by(env.first_at, ten.name, env.envelope_id)
        .limit(limit + 1)
    ).all()
    return [(row.name, row.envelope_id) for row in rows]


def _term_filters(q: Query) -> list[tuple[str, list[str]]]:
    filters: list[tuple[str, list[str]]] = []
    if q.sha256:
        digest = q.sha256.strip().lower()
        if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
            raise InvalidInput("a document SHA-256 is 64 hexadecimal digits", field="sha256")
        filters.append(("sha256", [digest]))
    if q.signer.strip():
        signer = q.signer.strip().lower()
        if "@" not in signer and not name_words(signer):
            raise InvalidInput(
                "signer is an exact e-mail address or whole words of a name", field="signer"
            )
        filters.append(("signer", [signer]))
    return filters


def platforms(conn: Connection) -> list[str]:
    """The platforms (channels) the index has seen, for the search form."""
    return list(
        conn.execute(
            select(ConsoleEnvelope.platform).distinct().order_by(ConsoleEnvelope.platform)
        ).scalars()
    )
