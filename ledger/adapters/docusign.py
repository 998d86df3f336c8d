"""DocuSign Connect, JSON SIM messages (docs/platforms/docusign.md).

``X-DocuSign-Signature-1..N`` carry base64 HMAC-SHA256 of the raw body, one per
active Connect key: a delivery is authentic when any header matches any of the
hook's secrets, which is how keys rotate on both sides.
"""

from __future__ import annotations

import base64
import binascii
import re
from datetime import UTC
from typing import Any

from ledger.adapters.base import (
    Adapter,
    Credentials,
    Delivery,
    Event,
    dicts,
    document_digest,
    event,
    extension_type,
    header_bytes,
    hmac_sha256,
    json_object,
    malformed,
    member,
    optional_text,
    refuse,
    same,
    source_time,
    text,
)
from ledger.adapters.times import iso_instant

SIGNATURE_HEADER = re.compile(r"x-docusign-signature-[1-9][0-9]{0,2}\Z")
TYPES = {
    "envelope-created": "envelope.created",
    "envelope-sent": "envelope.sent",
    "envelope-resent": "reminder.sent",
    "envelope-completed": "envelope.completed",
    "envelope-declined": "envelope.declined",
    "envelope-voided": "envelope.voided",
    "recipient-sent": "recipient.delivered",
    "recipient-delivered": "recipient.viewed",
    "recipient-completed": "recipient.signed",
    "recipient-declined": "recipient.declined",
    "recipient-delegate": "recipient.delegated",
    "recipient-reassign": "recipient.delegated",
    "recipient-resent": "reminder.sent",
}


class DocuSign(Adapter):
    slug = "docusign"
    methods = frozenset({"POST"})
    default_window = 300  # unused: Connect signs no timestamp

    def authenticate(self, delivery: Delivery, credentials: Credentials) -> str:
        sent = [header_bytes(v) for k, v in delivery.headers.items() if SIGNATURE_HEADER.match(k)]
        if not sent:
            raise refuse(
                "missing_signature",
                "no X-DocuSign-Signature-N header: tick Include HMAC Signature in Connect",
            )
        for secret in credentials.secrets:
            expected = base64.b64encode(hmac_sha256(secret, delivery.body))
            if any(same(expected, signature) for signature in sent):
                return "hmac"
        raise refuse("signature_mismatch", "no X-DocuSign-Signature-N matches a key of this hook")

    def parse(self, delivery: Delivery) -> list[Event]:
        body = json_object(delivery.body)
        name = text(body, "event")
        generated = text(body, "generatedDateTime")
        data = member(body, "data")
        envelope_id = text(data, "envelopeId", "data.")
        recipient_id = optional_text(data, "recipientId")
        summary = data.get("envelopeSummary")
        summary = summary if isinstance(summary, dict) else {}
        person = _recipient(summary, recipient_id)
        documents = _documents(summary)
        return [
            event(
                event_id=f"docusign:{envelope_id}:{name}:{recipient_id or '-'}:{generated}",
                type=TYPES.get(name) or extension_type(self.slug, name),
                occurred_at=iso_instant(generated, "generatedDateTime", UTC),
                envelope_id=envelope_id,
                actor={
                    "name": optional_text(person, "name"),
                    "email": optional_text(person, "email"),
                    "role": optional_text(person, "recipientType"),
                },
                documents=documents,
                # Only what a re-queued message repeats: never retryCount, never the
                # envelope's current status (README rule 4).
                data={
                    "platform_event": name,
                    "occurred_at_source": source_time("generatedDateTime", generated),
                    "account_id": optional_text(data, "accountId"),
                    "recipient_id": recipient_id,
                    "declined_reason": optional_text(person, "declinedReason"),
                    "voided_reason": optional_text(summary, "voidedReason")
                    if name == "envelope-voided"
                    else None,
                    "documents_source": "envelopeSummary.envelopeDocuments[].PDFBytes"
                    if documents
                    else None,
                },
            )
        ]


def _recipient(summary: dict[str, Any], recipient_id: str | None) -> dict[str, Any]:
    """The recipient the event is about, from any list of ``envelopeSummary.recipients``."""
    groups = summary.get("recipients")
    if recipient_id is None or not isinstance(groups, dict):
        return {}
    for group in groups.values():
        for person in dicts(group):
            if optional_text(person, "recipientId") == recipient_id:
                return person
    return {}


def _documents(summary: dict[str, Any]) -> list[dict[str, Any]]:
    """Hashes of documents sent inline (``includeData: documents``), base64 in PDFBytes."""
    found = []
    for i, doc in enumerate(dicts(summary.get("envelopeDocuments"))):
        encoded = doc.get("PDFBytes")
        if not isinstance(encoded, str) or not encoded:
            continue
        try:
            content = base64.b64decode(encoded, validate=True)
        except binascii.Error as e:
            field = f"data.envelopeSummary.envelopeDocuments[{i}].PDFBytes"
            raise malformed(f"{field} is not base64", field) from e
        name = optional_text(doc, "name") or f"document {optional_text(doc, 'documentId')}"
        found.append(document_digest(name, content))
    return found
