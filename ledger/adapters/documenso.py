"""Documenso webhooks (docs/platforms/documenso.md).

``X-Documenso-Secret`` is the webhook's secret in plain text (no HMAC, no timestamp),
compared in constant time. Every event carries the whole envelope with all recipients
and does not name the acting one; the adapter names it only when that is unambiguous.
"""

from __future__ import annotations

from datetime import UTC
from typing import Any

from ledger.adapters.base import (
    Adapter,
    Credentials,
    Delivery,
    Event,
    dicts,
    event,
    extension_type,
    header_bytes,
    json_object,
    member,
    optional_text,
    refuse,
    same,
    source_time,
    text,
)
from ledger.adapters.times import iso_instant

SECRET_HEADER = "X-Documenso-Secret"  # noqa: S105  a header name, not a secret
TYPES = {
    "DOCUMENT_CREATED": "envelope.created",
    "DOCUMENT_SENT": "envelope.sent",
    "DOCUMENT_OPENED": "recipient.viewed",
    "DOCUMENT_SIGNED": "recipient.signed",
    "DOCUMENT_COMPLETED": "envelope.completed",
    "DOCUMENT_REJECTED": "envelope.declined",
    "DOCUMENT_CANCELLED": "envelope.voided",
    "DOCUMENT_REMINDER_SENT": "reminder.sent",
}


class Documenso(Adapter):
    slug = "documenso"
    methods = frozenset({"POST"})
    default_window = 300  # unused: nothing time-based is sent

    def authenticate(self, delivery: Delivery, credentials: Credentials) -> str:
        sent = delivery.header(SECRET_HEADER)
        if not sent:
            raise refuse("missing_secret", f"no {SECRET_HEADER} (or an empty one)")
        received = header_bytes(sent)
        for secret in credentials.secrets:
            if secret and same(secret.encode("utf-8"), received):
                return "shared-secret"
        raise refuse("secret_mismatch", f"{SECRET_HEADER} is not a secret of this hook")

    def parse(self, delivery: Delivery) -> list[Event]:
        body = json_object(delivery.body)
        name = text(body, "event")
        created = text(body, "createdAt")
        payload = member(body, "payload")
        envelope_id = optional_text(payload, "envelopeId") or text(payload, "id", "payload.")
        person = _acting(name, dicts(payload.get("recipients")))
        return [
            event(
                # createdAt is regenerated per attempt: a retry after a lost answer is a
                # second entry (documented; Documenso sends no delivery id).
                event_id=f"documenso:{envelope_id}:{name}:{created}",
                type=TYPES.get(name) or extension_type(self.slug, name),
                occurred_at=iso_instant(created, "createdAt", UTC),
                envelope_id=envelope_id,
                actor={
                    "name": optional_text(person, "name"),
                    "email": optional_text(person, "email"),
                    "role": optional_text(person, "role"),
                },
                # Never a recipient's token: it is their signing secret.
                data={
                    "platform_event": name,
                    "occurred_at_source": source_time("createdAt", created),
                    "document_id": optional_text(payload, "id"),
                    "title": optional_text(payload, "title"),
                    "external_id": optional_text(payload, "externalId"),
                    "recipient_id": optional_text(person, "id"),
                    "signed_at": optional_text(person, "signedAt"),
                    "rejection_reason": optional_text(person, "rejectionReason"),
                },
            )
        ]


def _acting(name: str, recipients: list[dict[str, Any]]) -> dict[str, Any]:
    """The recipient an event is about, when exactly one fits (else nobody)."""
    if name == "DOCUMENT_SIGNED":
        signed = [r for r in recipients if r.get("signingStatus") == "SIGNED"]
        times = sorted((str(r.get("signedAt") or ""), i) for i, r in enumerate(signed))
        if times and (len(times) == 1 or times[-1][0] != times[-2][0]):
            return signed[times[-1][1]]
        return {}
    if name == "DOCUMENT_REJECTED":
        candidates = [r for r in recipients if r.get("signingStatus") == "REJECTED"]
    elif name == "DOCUMENT_OPENED":
        candidates = [r for r in recipients if r.get("readStatus") == "OPENED"]
    else:
        return {}
    return candidates[0] if len(candidates) == 1 else {}
