"""Retention (docs/privacy.md, "Retention"): per tenant, a minimum (no erasure of an
envelope's data before it has passed since the envelope's newest entry, e.g. five years
after completion) and a maximum (after it, the retention job erases the envelope).

The job runs in every worker (``ledger.workers``) and once per interval across workers
and hosts: like anchoring, it claims a lease row (``leases``, ``retention:<log>``) whose
``last_run_at`` says when the last run started. Held envelopes are skipped, named in the
run's result; each envelope erased is an erasure of its own (an ``x-ledger.erasure``
event with the reason "retention maximum"), and each tenant's key is rotated once per run.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from ledger import access, clock
from ledger.anchoring.anchor import HOLDER
from ledger.errors import Conflict, InvalidInput
from ledger.privacy.keys import stamp
from ledger.privacy.subjects import LEDGER_TYPES
from ledger.storage.models import Body, Entry, Lease, Retention, Tenant

if TYPE_CHECKING:
    from ledger.service import Ledger

PERIOD = re.compile(r"(\d{1,5})([yd])\Z")
LEASE_SECONDS = 600


class TooEarly(Conflict):
    code = "retention_minimum"


def parse_period(value: str | None, what: str) -> int | None:
    """``5y`` (5 x 365 days plus one per four years) or ``90d`` as days; ``none`` or
    empty: no limit."""
    if value is None or value.strip().lower() in ("", "none"):
        return None
    found = PERIOD.match(value.strip().lower())
    if not found:
        raise InvalidInput(f"{what} is a number of years (5y) or days (90d), or none", field=what)
    n = int(found.group(1))
    return n * 365 + n // 4 if found.group(2) == "y" else n


def set_policy(
    service: Ledger, tenant: str, minimum: int | None, maximum: int | None
) -> dict[str, Any]:
    if minimum is not None and maximum is not None and maximum < minimum:
        raise InvalidInput("the maximum retention is shorter than the minimum", field="max")
    with service.db.writing() as conn:
        tenant_id = access.tenant_id(conn, tenant)
        values = {"min_days": minimum, "max_days": maximum, "updated_at": stamp()}
        if not conn.execute(
            update(Retention).where(Retention.tenant_id == tenant_id).values(**values)
        ).rowcount:
            conn.execute(insert(Retention).values(tenant_id=tenant_id, **values))
    return show(service, tenant)


def show(service: Ledger, tenant: str) -> dict[str, Any]:
    with service.db.reading() as conn:
        tenant_id = access.tenant_id(conn, tenant)
        row = conn.execute(select(Retention).where(Retention.tenant_id == tenant_id)).first()
    return {
        "tenant": tenant,
        "min_days": row.min_days if row else None,
        "max_days": row.max_days if row else None,
        "updated_at": row.updated_at if row else None,
    }


def _newest(conn: Connection, log_id: int, tenant_id: int, envelope_id: str) -> str | None:
    newest: str | None = conn.execute(
        select(func.max(Entry.received_at)).where(
            Entry.log_id == log_id,
            Entry.tenant_id == tenant_id,
            Entry.envelope_id == envelope_id,
            Entry.type.not_like(LEDGER_TYPES + "%"),
        )
    ).scalar()
    return newest


def _parse(received_at: str) -> datetime:
    return datetime.strptime(received_at, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


def refuse_before_minimum(
    conn: Connection, log_id: int, tenant_id: int, envelopes: list[str]
) -> None:
    """``TooEarly`` (409) if an envelope's newest entry is younger than the minimum."""
    minimum = conn.execute(
        select(Retention.min_days).where(Retention.tenant_id == tenant_id)
    ).scalar()
    if not minimum:
        return
    moment = clock.now()
    for envelope in envelopes:
        newest = _newest(conn, log_id, tenant_id, envelope)
        if newest is None:
            continue
        until = _parse(newest) + timedelta(days=minimum)
        if until > moment:
            raise TooEarly(
                f"envelope {envelope!r} is kept at least {minimum} days after its newest "
                f"entry ({newest}): no erasure before {until.strftime('%Y-%m-%dT%H:%M:%SZ')}",
                field="envelope",
            )


def expired(conn: Connection, log_id: int, tenant_id: int, max_days: int) -> list[str]:
    """The tenant's envelopes whose newest entry is older than ``max_days`` and that
    still have bodies."""
    cutoff = (clock.now() - timedelta(days=max_days)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    rows = conn.execute(
        select(Entry.envelope_id)
        .outerjoin(Body, (Body.log_id == Entry.log_id) & (Body.seq == Entry.seq))
        .where(
            Entry.log_id == log_id,
            Entry.tenant_id == tenant_id,
            Entry.type.not_like(LEDGER_TYPES + "%"),
        )
        .group_by(Entry.envelope_id)
        .having(func.max(Entry.received_at) < cutoff)
        .having(func.count(Body.seq) > 0)
        .order_by(Entry.envelope_id)
    )
    return list(rows.scalars())


@dataclass
class RetentionRun:
    erased: list[dict[str, Any]] = field(default_factory=list)
    held: list[str] = field(default_factory=list)  # "tenant/envelope: reason"


def lease_name(log_id: int) -> str:
    return f"retention:{log_id}"


def _claim(service: Ledger, interval: int) -> bool:
    name = lease_name(service.log.id)
    try:  # the lease row, made by whoever asks first
        with service.db.writing() as conn:
            if conn.execute(select(Lease.name).where(Lease.name == name)).first() is None:
                conn.execute(
                    insert(Lease).values(
                        name=name, holder="", expires_at=clock.now(), last_run_at=None
                    )
                )
    except IntegrityError:
        pass  # another process made it meanwhile
    with service.db.writing() as conn:
        lease = service.db.lock_lease(conn, name)
        moment = clock.now()
        if clock.aware(lease.expires_at) > moment and lease.holder != HOLDER:
            return False
        last = lease.last_run_at and clock.aware(lease.last_run_at)
        if last and moment - last < timedelta(seconds=interval * 0.9):
            return False
        conn.execute(
            update(Lease)
            .where(Lease.name == name)
            .values(
                holder=HOLDER,
                expires_at=moment + timedelta(seconds=LEASE_SECONDS),
                last_run_at=moment,
            )
        )
    return True


def _release(service: Ledger) -> None:
    with service.db.writing() as conn:
        conn.execute(
            update(Lease)
            .where(Lease.name == lease_name(service.log.id), Lease.holder == HOLDER)
            .values(expires_at=clock.now())
        )


def run_once(service: Ledger, interval: int | None = None) -> RetentionRun | None:
    """One retention run, unless another process ran one less than an interval ago (or
    runs one now): None then."""
    from ledger.privacy.erasure import erase
    from ledger.privacy.holds import Held, Target
    from ledger.privacy.keys import rotate_tenant_key

    if not _claim(service, service.settings.retention_interval if interval is None else interval):
        return None
    run = RetentionRun()
    try:
        with service.db.reading() as conn:
            policies = conn.execute(
                select(Tenant.id, Tenant.name, Retention.max_days)
                .join(Retention, Retention.tenant_id == Tenant.id)
                .where(Retention.max_days.is_not(None))
            ).all()
            due = {p.name: expired(conn, service.log.id, p.id, p.max_days) for p in policies}
        for tenant, envelopes in due.items():
            erased_any = False
            for envelope in envelopes:
                try:
                    run.erased.append(
                        erase(
                            service,
                            tenant,
                            Target("envelope", envelope),
                            "retention maximum",
                            "retention job",
                            rotate=False,
                            retention_checked=False,
                        )
                    )
                    erased_any = True
                except Held as e:
                    run.held.append(f"{tenant}/{envelope}: {e.message}")
            if erased_any:
                rotate_tenant_key(service, tenant)
    finally:
        _release(service)
    return run
