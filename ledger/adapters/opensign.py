"""OpenSign webhooks, hosted product (docs/platforms/opensign.md).

``x-webhook-signature`` = hex HMAC-SHA256(security key as text, raw body), from
OpenSign's documentation (the sender is not open source). Times are not ISO:
``Fri, 16 May 2025 16:18:34 GMT+5:30``; an unknown zone name does not refuse an
authenticated event: ``occurred_at`` is then our receipt time and the platform's
string stays in ``data``.
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
    hmac_sha256,
    json_object,
    optional_text,
    refuse,
    same,
    source_time,
    text,
)
from ledger.adapters.facts import recipient
from ledger.adapters.times import opensign_time, rfc3339

SIGNATURE_HEADER = "x-webhook-signature"
TYPES = {
    "created": "envelope.created",
    "viewed": "recipient.viewed",
    "signed": "recipient.signed",
    "completed": "envelope.completed",
    "declined": "envelope.declined",
}
TIME_FIELDS = {
    "viewed": "viewedAt",
    "signed": "signedAt",
    "completed": "completedAt",
    "declined": "declinedAt",
}
ACTOR_FIELDS = {"viewed": "viewedBy", "declined": "declinedBy"}


class OpenSign(Adapter):
    slug = "opensign"
    methods = frozenset({"POST"})
    default_window = 300  # unused: nothing time-based is signed

    def authenticate(self, delivery: Delivery, credentials: Credentials) -> str:
        sent = delivery.header(SIGNATURE_HEADER)
        if not sent:
            raise refuse("missing_signature", f"no {SIGNATURE_HEADER}: enable authentication")
        received = header_bytes(sent).lower()
        for secret in credentials.secrets:
            if same(hmac_sha256(secret, delivery.body).hex().encode("ascii"), received):
                return "hmac"
        raise refuse("signature_mismatch", f"{SIGNATURE_HEADER} does not match")

    def parse(self, delivery: Delivery) -> list[Event]:
        body = json_object(delivery.body)
        name = text(body, "event")
        envelope_id = text(body, "objectId")
        field = TIME_FIELDS.get(name, "createdAt")
        if body.get(field) in (None, ""):
            field = "createdAt"
        raw = body.get(field)
        occurred = opensign_time(raw) or rfc3339(delivery.now.astimezone(UTC))
        person = _actor(name, body)
        email = optional_text(person, "email")
        # Event ids are public leaf fields: the actor's e-mail goes in as a pseudonym.
        who = delivery.ids.pseudonym(envelope_id, email) if email else "-"
        document = optional_text(body, "name")
        return [
            event(
                event_id=f"opensign:{envelope_id}:{name}:{who}:{occurred}",
                type=TYPES.get(name) or extension_type(self.slug, name),
                occurred_at=occurred,
                envelope_id=envelope_id,
                actor={
                    "name": optional_text(person, "name"),
                    "email": email,
                    "phone": optional_text(person, "phone"),
                },
                # Not ``file`` nor ``certificate``: presigned URLs that expire in 15 min.
                data={
                    "platform_event": name,
                    "occurred_at_source": source_time(field, raw),
                    "occurred_at_is_receipt_time": True if opensign_time(raw) is None else None,
                    "request_type": optional_text(body, "type"),
                    # The document is the envelope: its name is the title too.
                    "title": document,
                    "document_names": [document] if document else None,
                    "decline_reason": optional_text(body, "declinedReason"),
                    "recipients": [_entry(p) for p in dicts(body.get("signers"))],
                },
            )
        ]


def _entry(person: dict[str, Any]) -> dict[str, Any]:
    return recipient(
        name=optional_text(person, "name"),
        email=optional_text(person, "email"),
        phone=optional_text(person, "phone"),
    )


def _actor(name: str, body: dict[str, Any]) -> dict[str, Any]:
    """``signer`` for signed; the listed signer whose email is viewedBy or declinedBy."""
    if name == "signed":
        signer = body.get("signer")
        return signer if isinstance(signer, dict) else {}
    email = optional_text(body, ACTOR_FIELDS.get(name, ""))
    if email is None:
        return {}
    for person in dicts(body.get("signers")):
        if (optional_text(person, "email") or "").lower() == email.lower():
            return person
    return {"email": email}
