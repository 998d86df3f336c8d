"""Adobe Acrobat Sign webhooks 2.0 (docs/platforms/adobesign.md).

There is no signature: Adobe sends ``X-AdobeSign-ClientId`` (the client id of the
application that created the webhook) on its verification-of-intent GET and on every
notification POST, and counts a request as delivered only if a 2xx answer echoes that
id. An unknown client id must not get a 2xx. What authenticates a delivery here is
that id plus the unguessable hook id in our URL.
"""

from __future__ import annotations

import base64
import binascii
from datetime import UTC
from typing import Any

from ledger.adapters.base import (
    Adapter,
    Answer,
    Credentials,
    Delivery,
    Event,
    dicts,
    document_digest,
    event,
    extension_type,
    header_bytes,
    json_object,
    malformed,
    optional_text,
    refuse,
    same,
    source_time,
    text,
)
from ledger.adapters.facts import listed, recipient
from ledger.adapters.times import iso_instant

CLIENT_ID_HEADER = "X-AdobeSign-ClientId"
RESOURCES = ("agreement", "megaSign", "widget", "libraryDocument")
SIGNING_ACTIONS = frozenset({"ESIGNED", "DIGSIGNED", "WRITTEN_SIGNED", "PRESIGNED", "SIGNED"})
TYPES = {
    "AGREEMENT_CREATED": "envelope.created",
    "AGREEMENT_ACTION_REQUESTED": "envelope.sent",
    "AGREEMENT_EMAIL_VIEWED": "recipient.delivered",
    "AGREEMENT_DOCUMENTS_VIEWED": "recipient.viewed",
    "AGREEMENT_EMAIL_OTP_AUTHENTICATED": "recipient.authenticated",
    "AGREEMENT_KBA_AUTHENTICATED": "recipient.authenticated",
    "AGREEMENT_WEB_IDENTITY_AUTHENTICATED": "recipient.authenticated",
    "AGREEMENT_ACTION_DELEGATED": "recipient.delegated",
    "AGREEMENT_REMINDER_SENT": "reminder.sent",
    "AGREEMENT_WORKFLOW_COMPLETED": "envelope.completed",
    "AGREEMENT_REJECTED": "envelope.declined",
    "AGREEMENT_RECALLED": "envelope.voided",
    "AGREEMENT_EXPIRED": "envelope.expired",
}


class AdobeSign(Adapter):
    slug = "adobesign"
    methods = frozenset({"GET", "POST"})
    default_window = 300  # unused: nothing time-based is sent

    def authenticate(self, delivery: Delivery, credentials: Credentials) -> str:
        sent = delivery.header(CLIENT_ID_HEADER)
        if not sent:
            raise refuse("missing_client_id", f"no {CLIENT_ID_HEADER} header")
        expected = (credentials.client_id or "").encode("utf-8")
        if not expected or not same(expected, header_bytes(sent)):
            raise refuse("client_id_mismatch", f"{CLIENT_ID_HEADER} is not this hook's client id")
        return "client-id-echo"

    def answer(self, delivery: Delivery, credentials: Credentials) -> Answer:
        """Adobe takes the echo as a header or as ``xAdobeSignClientId``: we send both."""
        client_id = credentials.client_id or ""
        return Answer({CLIENT_ID_HEADER: client_id}, {"xAdobeSignClientId": client_id})

    def parse(self, delivery: Delivery) -> list[Event]:
        body = json_object(delivery.body)
        name = text(body, "event")
        kind, resource = _resource(body)
        date = text(body, "eventDate")
        action = optional_text(body, "actionType")
        documents = _signed_documents(resource)
        members = _members(resource)
        return [
            event(
                event_id=f"adobesign:{text(body, 'webhookNotificationId')}",
                type=_type(name, action),
                # eventDate is the time of the event itself: Adobe reports no other.
                occurred_at=iso_instant(date, "eventDate", UTC),
                envelope_id=text(resource, "id", f"{kind}."),
                actor=_actor(body, members),
                documents=documents,
                data={
                    "platform_event": name,
                    "sub_event": optional_text(body, "subEvent"),
                    "occurred_at_source": source_time("eventDate", date),
                    "resource_type": kind,
                    "title": optional_text(resource, "name"),
                    "signature_type": optional_text(resource, "signatureType"),
                    "action_type": action,
                    "participant_role": optional_text(body, "participantRole"),
                    "acting_user_email": optional_text(body, "actingUserEmail"),
                    "initiating_user_email": optional_text(body, "initiatingUserEmail"),
                    "webhook_id": optional_text(body, "webhookId"),
                    **_reason(name, body),
                    "recipients": [_entry(role, person) for role, person in members],
                    "document_names": listed(_document_names(resource)),
                    "documents_source": "agreement.signedDocumentInfo.document"
                    if documents
                    else None,
                    "conditional_parameters_trimmed": body.get("conditionalParametersTrimmed"),
                },
            )
        ]


def _type(name: str, action: str | None) -> str:
    """AGREEMENT_ACTION_COMPLETED means a signature only for the signing action types."""
    if name == "AGREEMENT_ACTION_COMPLETED":
        if action in SIGNING_ACTIONS:
            return "recipient.signed"
        if action == "DIGITAL_SIGN_UIDAI_SIGNER_CONSENT":
            return "recipient.consented"
    return TYPES.get(name) or extension_type("adobesign", name)


def _resource(body: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """The agreement (or megaSign, widget, library document) the event is about."""
    for kind in RESOURCES:
        value = body.get(kind)
        if isinstance(value, dict) and optional_text(value, "id"):
            return kind, value
    raise malformed(f"no id of {', '.join(RESOURCES)} in the notification", "agreement.id")


def _members(resource: dict[str, Any]) -> list[tuple[str | None, dict[str, Any]]]:
    """Each participant (``includeParticipantsInfo``) with its participant set's role."""
    sets = resource.get("participantSetsInfo")
    groups = dicts(sets.get("participantSets")) if isinstance(sets, dict) else []
    return [
        (optional_text(group, "role"), person)
        for group in groups
        for person in dicts(group.get("memberInfos"))
    ]


def _auth_method(person: dict[str, Any]) -> str | None:
    security = person.get("securityOption")
    return optional_text(security, "authenticationMethod") if isinstance(security, dict) else None


def _actor(
    body: dict[str, Any], members: list[tuple[str | None, dict[str, Any]]]
) -> dict[str, str | None]:
    """The participant the event is about: name and auth method from participantSetsInfo."""
    email = optional_text(body, "participantUserEmail") or optional_text(body, "actingUserEmail")
    found: dict[str, Any] = {}
    for _, person in members:
        if email and (optional_text(person, "email") or "").lower() == email.lower():
            found = person
    return {
        "name": optional_text(found, "name"),
        "email": email,
        "role": optional_text(body, "participantRole"),
        "ip": optional_text(body, "actingUserIpAddress"),
        "auth_method": _auth_method(found),
    }


def _entry(role: str | None, person: dict[str, Any]) -> dict[str, Any]:
    return recipient(
        name=optional_text(person, "name"),
        email=optional_text(person, "email"),
        role=role,
        auth_method=_auth_method(person),
    )


def _reason(name: str, body: dict[str, Any]) -> dict[str, str | None]:
    """``agreementCancellationInfo.comment``: why the sender recalled or a signer rejected."""
    info = body.get("agreementCancellationInfo")
    comment = optional_text(info, "comment") if isinstance(info, dict) else None
    key = {"AGREEMENT_RECALLED": "void_reason", "AGREEMENT_REJECTED": "decline_reason"}
    return {key.get(name, "cancellation_comment"): comment}


def _document_names(resource: dict[str, Any]) -> list[str | None]:
    """``documentsInfo.documents[].name`` (``includeDocumentsInfo``)."""
    info = resource.get("documentsInfo")
    documents = dicts(info.get("documents")) if isinstance(info, dict) else []
    return [optional_text(doc, "name") for doc in documents]


def _signed_documents(resource: dict[str, Any]) -> list[dict[str, Any]]:
    """The signed PDF sent inline (``includeSignedDocuments``), hashed."""
    info = resource.get("signedDocumentInfo")
    encoded = info.get("document") if isinstance(info, dict) else None
    if not isinstance(encoded, str) or not encoded:
        return []
    try:
        content = base64.b64decode(encoded, validate=True)
    except binascii.Error as e:
        field = "agreement.signedDocumentInfo.document"
        raise malformed(f"{field} is not base64", field) from e
    name = optional_text(resource, "name") or "agreement"
    return [document_digest(f"{name} (signed)", content)]
