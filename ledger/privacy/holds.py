"""Legal holds (docs/privacy.md, "Legal hold"): while a hold stands on an envelope or a
data subject, neither an erasure nor the retention job touches its data; the refusal
(409 ``held``) names the hold. Placing and releasing a hold are appended to the log
(``x-ledger.hold``, ``x-ledger.hold-release``), the subject as its keyed id."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, insert, select, update

from ledger import access
from ledger.errors import Conflict, InvalidInput, NotFound
from ledger.privacy.log_events import HOLD, HOLD_RELEASE, append_event, now_rfc3339
from ledger.privacy.subjects import Subject, subject_id
from ledger.storage.models import Hold

if TYPE_CHECKING:
    from ledger.service import Ledger

REASON_MAX = 500


class Held(Conflict):
    code = "held"


def reason_text(reason: str | None) -> str:
    text = (reason or "").strip()
    if not 1 <= len(text) <= REASON_MAX:
        raise InvalidInput(f"a reason of 1-{REASON_MAX} characters is required", field="reason")
    return text


@dataclass(frozen=True)
class Target:
    """What a hold or an erasure is about: an envelope, or a subject by its keyed id."""

    scope: str  # envelope | subject
    value: str  # the envelope id, or the subject id in hex

    @classmethod
    def of(cls, service: Ledger, subject: str | None, envelope: str | None) -> Target:
        if subject is None:
            if envelope is None:
                raise InvalidInput("name either a subject or an envelope", field="subject")
            if not 1 <= len(envelope) <= 200:
                raise InvalidInput("an envelope id has 1-200 characters", field="envelope")
            return cls("envelope", envelope)
        if envelope is not None:
            raise InvalidInput("name either a subject or an envelope, not both", field="subject")
        return cls("subject", subject_id(service.pseudonyms, Subject.parse(subject)).hex())

    def as_data(self) -> dict[str, str]:
        return {"envelope_id": self.value} if self.scope == "envelope" else {"subject": self.value}


def refuse_held(
    conn: Connection, tenant_id: int, subjects: Iterable[str], envelopes: Iterable[str]
) -> None:
    """``Held`` (409) naming the first hold that stands on any of these."""
    wanted = [("subject", s) for s in subjects] + [("envelope", e) for e in envelopes]
    for scope, target in wanted:
        hold = conn.execute(
            select(Hold.id, Hold.reason).where(
                Hold.tenant_id == tenant_id,
                Hold.scope == scope,
                Hold.target == target,
                Hold.released_at.is_(None),
            )
        ).first()
        if hold is not None:
            what = f"envelope {target!r}" if scope == "envelope" else "this subject"
            raise Held(f"legal hold {hold.id} stands on {what}: {hold.reason}", field=scope)


def add(service: Ledger, tenant: str, target: Target, reason: str | None) -> dict[str, Any]:
    text = reason_text(reason)
    hold_id = "hold-" + secrets.token_hex(8)
    with service.db.writing() as conn:
        tenant_id = access.tenant_id(conn, tenant)
        conn.execute(
            insert(Hold).values(
                id=hold_id,
                tenant_id=tenant_id,
                scope=target.scope,
                target=target.value,
                reason=text,
                created_at=_now(),
                released_at=None,
            )
        )
    envelope = target.value if target.scope == "envelope" else None
    data = {"hold": hold_id, **target.as_data(), "reason": text}
    receipt = append_event(service, tenant_id, tenant, HOLD, envelope, data)
    return {"hold": hold_id, "scope": target.scope, "target": target.value, "seq": receipt.seq}


def release(service: Ledger, tenant: str, hold_id: str, reason: str | None) -> dict[str, Any]:
    text = reason_text(reason)
    with service.db.writing() as conn:
        tenant_id = access.tenant_id(conn, tenant)
        hold = conn.execute(
            select(Hold.scope, Hold.target, Hold.released_at).where(
                Hold.id == hold_id, Hold.tenant_id == tenant_id
            )
        ).first()
        if hold is None:
            raise NotFound(f"no hold {hold_id!r} for tenant {tenant!r}")
        if hold.released_at is not None:
            raise Conflict(f"hold {hold_id} was released at {hold.released_at}")
        conn.execute(update(Hold).where(Hold.id == hold_id).values(released_at=_now()))
    target = Target(hold.scope, hold.target)
    envelope = target.value if target.scope == "envelope" else None
    data = {"hold": hold_id, **target.as_data(), "reason": text}
    receipt = append_event(service, tenant_id, tenant, HOLD_RELEASE, envelope, data)
    return {"hold": hold_id, "released": True, "seq": receipt.seq}


def listing(service: Ledger, tenant: str) -> list[dict[str, Any]]:
    with service.db.reading() as conn:
        tenant_id = access.tenant_id(conn, tenant)
        rows = conn.execute(
            select(Hold).where(Hold.tenant_id == tenant_id).order_by(Hold.created_at)
        )
        return [
            {
                "hold": h.id,
                "scope": h.scope,
                "target": h.target,
                "reason": h.reason,
                "created_at": h.created_at,
                "released_at": h.released_at,
            }
            for h in rows
        ]


def _now() -> str:
    return now_rfc3339()
