"""The analytics rollup: what ``ledger.analytics`` reads instead of every event.

``analytics_envelopes`` holds one row per envelope (the first time of each step, the
channel of its first ``envelope.sent``, whether it was declined, expired or voided) and
``analytics_days`` one row per tenant, UTC day and channel (events, of which
``envelope.sent`` and ``envelope.completed``). ``refresh(service)`` folds the entries
appended since the last run (``analytics_state.next_seq``) into both, in SQL
(``INSERT … SELECT … GROUP BY … ON CONFLICT DO UPDATE``, the same on SQLite and
PostgreSQL), at most ``BATCH`` entries per transaction. Entries are never changed or
removed once appended (erasure removes bodies only), so folding each seq once, in
order, keeps the rollup exact.

One refresh at a time per log: the state row is locked (``FOR UPDATE`` on PostgreSQL;
SQLite's single writer). ``ledger.analytics.compute`` refreshes first, so figures
include every committed entry; every worker also refreshes once a minute
(``ledger.workers``), so a request seldom has anything to fold.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import Connection, insert, select, text, update
from sqlalchemy.exc import IntegrityError

from ledger.storage.models import AnalyticsState, Log

if TYPE_CHECKING:
    from ledger.service import Ledger

BATCH = 20_000  # entries folded per transaction: SQLite appends wait while one folds
DAY_US = 86_400_000_000
SENT = "envelope.sent"
VIEWED = "recipient.viewed"
SIGNED = "recipient.signed"
COMPLETED = "envelope.completed"
DECLINED = ("envelope.declined", "recipient.declined")
EXPIRED = "envelope.expired"
VOIDED = "envelope.voided"


def _earliest(column: str) -> str:
    """The earlier of the row's and the new value, either possibly NULL."""
    old, new = f"analytics_envelopes.{column}", f"excluded.{column}"
    return (
        f"{column} = CASE WHEN {new} IS NULL THEN {old} "
        f"WHEN {old} IS NULL OR {new} < {old} THEN {new} ELSE {old} END"
    )


def _either(column: str) -> str:
    old, new = f"analytics_envelopes.{column}", f"excluded.{column}"
    return f"{column} = CASE WHEN {new} > {old} THEN {new} ELSE {old} END"


# The entries [first, end) of a log, by envelope, merged into the rows there. (SQL built
# from this module's constants only.) The channel follows the earliest envelope.sent:
# its SET reads the row's sent_us before this statement changes it, as SQL does.
FOLD_ENVELOPES = text(
    f"""INSERT INTO analytics_envelopes (tenant_id, envelope_id, sent_us, channel,
    viewed_us, signed_us, completed_us, declined, expired, voided)
SELECT tenant_id, envelope_id,
    MIN(CASE WHEN type = '{SENT}' THEN occurred_us END),
    MIN(CASE WHEN type = '{SENT}' THEN channel END),
    MIN(CASE WHEN type = '{VIEWED}' THEN occurred_us END),
    MIN(CASE WHEN type = '{SIGNED}' THEN occurred_us END),
    MIN(CASE WHEN type = '{COMPLETED}' THEN occurred_us END),
    MAX(CASE WHEN type IN ('{DECLINED[0]}', '{DECLINED[1]}') THEN 1 ELSE 0 END),
    MAX(CASE WHEN type = '{EXPIRED}' THEN 1 ELSE 0 END),
    MAX(CASE WHEN type = '{VOIDED}' THEN 1 ELSE 0 END)
FROM entries
WHERE log_id = :log AND seq >= :first AND seq < :end AND occurred_us IS NOT NULL
GROUP BY tenant_id, envelope_id
ON CONFLICT (tenant_id, envelope_id) DO UPDATE SET
    channel = CASE WHEN excluded.sent_us IS NOT NULL AND (analytics_envelopes.sent_us IS NULL
        OR excluded.sent_us < analytics_envelopes.sent_us)
        THEN excluded.channel ELSE analytics_envelopes.channel END,
    {_earliest("sent_us")},
    {_earliest("viewed_us")},
    {_earliest("signed_us")},
    {_earliest("completed_us")},
    {_either("declined")},
    {_either("expired")},
    {_either("voided")}"""  # noqa: S608
)

FOLD_DAYS = text(
    f"""INSERT INTO analytics_days (tenant_id, day, channel, events, sent, completed)
SELECT tenant_id, occurred_us / {DAY_US}, COALESCE(channel, ''), COUNT(*),
    SUM(CASE WHEN type = '{SENT}' THEN 1 ELSE 0 END),
    SUM(CASE WHEN type = '{COMPLETED}' THEN 1 ELSE 0 END)
FROM entries
WHERE log_id = :log AND seq >= :first AND seq < :end AND occurred_us IS NOT NULL
GROUP BY tenant_id, occurred_us / {DAY_US}, COALESCE(channel, '')
ON CONFLICT (tenant_id, day, channel) DO UPDATE SET
    events = analytics_days.events + excluded.events,
    sent = analytics_days.sent + excluded.sent,
    completed = analytics_days.completed + excluded.completed"""  # noqa: S608
)


def _behind(service: Ledger, log_id: int) -> bool:
    with service.db.reading() as conn:
        size = conn.execute(select(Log.size).where(Log.id == log_id)).scalar_one()
        done = conn.execute(
            select(AnalyticsState.next_seq).where(AnalyticsState.log_id == log_id)
        ).scalar()
    return (done or 0) < size


def _locked_state(service: Ledger, conn: Connection, log_id: int) -> int | None:
    query = select(AnalyticsState.next_seq).where(AnalyticsState.log_id == log_id)
    if not service.db.is_sqlite:
        query = query.with_for_update()
    found = conn.execute(query).scalar()
    return None if found is None else int(found)


def _start(service: Ledger, log_id: int) -> None:
    """The log's state row, made if absent (two processes may race: one wins)."""
    try:
        with service.db.writing() as conn:
            if _locked_state(service, conn, log_id) is None:
                conn.execute(insert(AnalyticsState).values(log_id=log_id, next_seq=0))
    except IntegrityError:
        pass


def refresh(service: Ledger, batch: int = BATCH) -> int:
    """Fold every entry appended since the last refresh; how many were folded."""
    log_id = service.log.id
    if not _behind(service, log_id):
        return 0
    _start(service, log_id)
    folded = 0
    while True:
        with service.db.writing() as conn:
            first = _locked_state(service, conn, log_id) or 0
            size = conn.execute(select(Log.size).where(Log.id == log_id)).scalar_one()
            if first >= size:
                return folded
            end = min(size, first + batch)
            params = {"log": log_id, "first": first, "end": end}
            conn.execute(FOLD_ENVELOPES, params)
            conn.execute(FOLD_DAYS, params)
            conn.execute(
                update(AnalyticsState).where(AnalyticsState.log_id == log_id).values(next_seq=end)
            )
        folded += end - first
