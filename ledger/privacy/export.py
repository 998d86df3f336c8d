"""The export of one data subject's data (GDPR Art. 15, PIPL Art. 45; docs/privacy.md):
every event body sealed under the subject's live data keys, opened, with the request
bodies that carried them, as one JSON document (``subject-export/1``)."""

from __future__ import annotations

import base64
import json
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from ledger import access
from ledger.errors import NotFound
from ledger.privacy.at_rest import open_body, open_delivery
from ledger.privacy.keys import live_keys, stamp
from ledger.privacy.subjects import Subject, subject_id
from ledger.storage.models import Body, DeliveryBody, Entry

if TYPE_CHECKING:
    from ledger.service import Ledger

FORMAT = "subject-export/1"


def export_subject(service: Ledger, tenant: str, subject: str) -> dict[str, Any]:
    parsed = Subject.parse(subject)
    sid = subject_id(service.pseudonyms, parsed)
    log_id, keys = service.log.id, service.data_keys
    with service.db.reading() as conn:
        tenant_id = access.tenant_id(conn, tenant)
        key_ids = live_keys(conn, tenant_id, sid)
        if not key_ids:
            raise NotFound(f"no data of this subject for tenant {tenant!r}")
        rows = conn.execute(
            select(
                Entry.seq,
                Entry.event_id,
                Entry.envelope_id,
                Entry.type,
                Entry.received_at,
                Entry.leaf,
                Body.key_id,
                Body.sealed,
            )
            .join(Body, (Body.log_id == Entry.log_id) & (Body.seq == Entry.seq))
            .where(Entry.log_id == log_id, Entry.tenant_id == tenant_id, Body.key_id.in_(key_ids))
            .order_by(Entry.seq)
        ).all()
        events, deliveries = [], {}
        for row in rows:
            body = open_body(keys, conn, tenant_id, log_id, row.seq, row.key_id, row.sealed)
            if body is None:
                continue
            sha = json.loads(row.leaf)["source"]["delivery_sha256"]
            events.append(
                {
                    "seq": row.seq,
                    "event_id": row.event_id,
                    "envelope_id": row.envelope_id,
                    "type": row.type,
                    "received_at": row.received_at,
                    "event": json.loads(body[0]),
                    "delivery_sha256": sha,
                }
            )
            if sha not in deliveries:
                stored = conn.execute(
                    select(DeliveryBody.key_id, DeliveryBody.body, DeliveryBody.content_type).where(
                        DeliveryBody.tenant_id == tenant_id,
                        DeliveryBody.sha256 == bytes.fromhex(sha),
                    )
                ).first()
                if stored is not None:
                    raw = open_delivery(
                        keys, conn, tenant_id, bytes.fromhex(sha), stored.key_id, stored.body
                    )
                    if raw is not None:
                        deliveries[sha] = {
                            "content_type": stored.content_type,
                            "body_base64": base64.b64encode(raw).decode(),
                        }
    return {
        "format": FORMAT,
        "generated_at": stamp(),
        "tenant": tenant,
        "subject": {"kind": parsed.kind, "value": parsed.value},
        "events": events,
        "deliveries": deliveries,
    }
