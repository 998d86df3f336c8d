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
    text,
)
from ledger.adapters.facts import Occurred, listed, occurred, recipient, reported, times
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
# Where each event's own time is (docs/platforms/docusign.md); else generatedDateTime.
RECIPIENT_ACTS = {
    "recipient-sent": "sentDateTime",
    "recipient-delivered": "deliveredDateTime",
    "recipient-completed": "signedDateTime",
    "recipient-declined": "declinedDateTime",
}
ENVELOPE_ACTS = {
    "envelope-created": "createdDateTime",
    "envelope-sent": "sentDateTime",
    "envelope-delivered": "deliveredDateTime",
    "envelope-completed": "completedDateTime",
    "envelope-declined": "declinedDateTime",
    "envelope-voided": "voidedDateTime",
}
SENDER_ACTS = frozenset({"envelope-created", "envelope-sent", "envelope-voided"})
# A recipient's times: DocuSign's "delivered" is our "viewed" (the recipient opened it).
RECIPIENT_TIMES = (
    ("sent", "sentDateTime"),
    ("viewed", "deliveredDateTime"),
    ("signed", "signedDateTime"),
    ("declined", "declinedDateTime"),
)


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
        everyone = _recipients(summary)
        person = _acting(name, everyone, recipient_id)
        when = _occurred(name, summary, person, generated)
        documents = _documents(summary)
        return [
            event(
                event_id=f"docusign:{envelope_id}:{name}:{recipient_id or '-'}:{generated}",
                type=TYPES.get(name) or extension_type(self.slug, name),
                occurred_at=when.at,
                envelope_id=envelope_id,
                actor=_actor(name, person, summary),
                documents=documents,
                # Only what a re-queued message repeats: never retryCount, never the
                # envelope's current status (README rule 4).
                data={
                    "platform_event": name,
                    **when.data(),
                    "account_id": optional_text(data, "accountId"),
                    "recipient_id": recipient_id,
                    "title": optional_text(summary, "emailSubject"),
                    "recipient_times": _times(person, when.at) if person else None,
                    "recipients": [_entry(p, when.at) for p in everyone],
                    "signature_type": _signature_type(person),
                    "decline_reason": optional_text(person, "declinedReason"),
                    "void_reason": optional_text(summary, "voidedReason"),
                    "document_names": listed(_unhashed(summary)),
                    "documents_source": "envelopeSummary.envelopeDocuments[].PDFBytes"
                    if documents
                    else None,
                },
            )
        ]


def _utc(value: Any, field: str) -> str:
    return iso_instant(value, field, UTC)


def _recipients(summary: dict[str, Any]) -> list[dict[str, Any]]:
    """Every recipient of ``envelopeSummary.recipients`` (signers, carbonCopies, ...)."""
    groups = summary.get("recipients")
    if not isinstance(groups, dict):
        return []
    return [person for group in groups.values() for person in dicts(group)]


def _acting(name: str, everyone: list[dict[str, Any]], recipient_id: str | None) -> dict[str, Any]:
    """The recipient the event is about: ``data.recipientId``; for envelope-declined, the
    one recipient who declined."""
    if recipient_id is not None:
        found = [p for p in everyone if optional_text(p, "recipientId") == recipient_id]
        return found[0] if found else {}
    if name == "envelope-declined":
        declined = [p for p in everyone if reported(p.get("declinedDateTime"))]
        return declined[0] if len(declined) == 1 else {}
    return {}


def _occurred(
    name: str, summary: dict[str, Any], person: dict[str, Any], generated: str
) -> Occurred:
    """The act's own time (docs/platforms/docusign.md), else ``generatedDateTime``."""
    acts: list[tuple[str, Any]] = []
    if name in RECIPIENT_ACTS:
        field = RECIPIENT_ACTS[name]
        acts.append((f"recipient.{field}", person.get(field)))
    elif name in ENVELOPE_ACTS:
        field = ENVELOPE_ACTS[name]
        acts.append((f"envelopeSummary.{field}", summary.get(field)))
    return occurred(acts, ("generatedDateTime", generated), _utc)


def _times(person: dict[str, Any], until: str) -> dict[str, str]:
    pairs = [(key, person.get(field), f"recipient.{field}") for key, field in RECIPIENT_TIMES]
    authenticated = _authenticated_at(person)
    if authenticated is not None:
        pairs.append(("authenticated", authenticated, "recipientAuthenticationStatus"))
    return times(pairs, until, _utc)


def _authentication(person: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """``recipientAuthenticationStatus``: each check (accessCodeResult, idLookupResult,
    phoneAuthResult, smsAuthResult, ...) with its status and eventTimestamp."""
    status = person.get("recipientAuthenticationStatus")
    if not isinstance(status, dict):
        return []
    return [(k.removesuffix("Result"), v) for k, v in status.items() if isinstance(v, dict)]


def _authenticated_at(person: dict[str, Any]) -> str | None:
    passed = [
        str(v["eventTimestamp"])
        for _, v in _authentication(person)
        if str(v.get("status", "")).lower() == "passed" and reported(v.get("eventTimestamp"))
    ]
    return min(passed, key=lambda t: _utc(t, "eventTimestamp")) if passed else None


def _auth_method(person: dict[str, Any]) -> str | None:
    """The platform's words: the ID check configuration and each check's status."""
    parts = [optional_text(person, "idCheckConfigurationName")]
    parts += [
        f"{kind}: {v.get('status')}" for kind, v in _authentication(person) if v.get("status")
    ]
    return ", ".join(p for p in parts if p) or None


def _signature_type(person: dict[str, Any]) -> str | None:
    """A standards-based signature's provider(s): ``recipientSignatureProviders``."""
    providers = dicts(person.get("recipientSignatureProviders"))
    names = listed(optional_text(p, "signatureProviderName") for p in providers)
    return ", ".join(names) if names else None


def _actor(name: str, person: dict[str, Any], summary: dict[str, Any]) -> dict[str, str | None]:
    """The recipient the event is about; the sender for what the sender does."""
    if name in SENDER_ACTS:
        sender = summary.get("sender")
        sender = sender if isinstance(sender, dict) else {}
        return {
            "name": optional_text(sender, "userName"),
            "email": optional_text(sender, "email"),
            "role": "sender" if sender else None,
            "ip": optional_text(sender, "ipAddress"),
        }
    return {
        "name": optional_text(person, "name"),
        "email": optional_text(person, "email"),
        "role": optional_text(person, "recipientType"),
        "auth_method": _auth_method(person),
    }


def _entry(person: dict[str, Any], until: str) -> dict[str, Any]:
    return recipient(
        name=optional_text(person, "name"),
        email=optional_text(person, "email"),
        role=optional_text(person, "recipientType"),
        auth_method=_auth_method(person),
        times=_times(person, until),
    )


def _unhashed(summary: dict[str, Any]) -> list[str | None]:
    """Names of the documents listed without their bytes."""
    return [
        optional_text(doc, "name")
        for doc in dicts(summary.get("envelopeDocuments"))
        if not reported(doc.get("PDFBytes"))
    ]


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
