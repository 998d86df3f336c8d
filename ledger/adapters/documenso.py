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
    text,
)
from ledger.adapters.facts import Occurred, occurred, recipient, times
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
# The envelope's own time of the act, where the payload has one (else createdAt).
DOCUMENT_ACTS = {"DOCUMENT_CREATED": "createdAt", "DOCUMENT_COMPLETED": "completedAt"}


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
        everyone = dicts(payload.get("recipients"))
        person = _acting(name, everyone)
        when = _occurred(name, payload, person, created)
        return [
            event(
                # createdAt is regenerated per attempt: a retry after a lost answer is a
                # second entry (documented; Documenso sends no delivery id).
                event_id=f"documenso:{envelope_id}:{name}:{created}",
                type=TYPES.get(name) or extension_type(self.slug, name),
                occurred_at=when.at,
                envelope_id=envelope_id,
                actor={
                    "name": optional_text(person, "name"),
                    "email": optional_text(person, "email"),
                    "role": optional_text(person, "role"),
                    "auth_method": _auth_method(person, payload) if person else None,
                },
                # Never a recipient's token: it is their signing secret.
                data={
                    "platform_event": name,
                    **when.data(),
                    "document_id": optional_text(payload, "id"),
                    "title": optional_text(payload, "title"),
                    "subject": optional_text(_meta(payload), "subject"),
                    "external_id": optional_text(payload, "externalId"),
                    "recipient_id": optional_text(person, "id"),
                    "recipient_times": _times(person, when.at) if person else None,
                    "recipients": [_entry(p, payload, when.at) for p in everyone],
                    "decline_reason": optional_text(person, "rejectionReason"),
                },
            )
        ]


def _utc(value: Any, field: str) -> str:
    return iso_instant(value, field, UTC)


def _meta(payload: dict[str, Any]) -> dict[str, Any]:
    meta = payload.get("documentMeta")
    return meta if isinstance(meta, dict) else {}


def _occurred(name: str, payload: dict[str, Any], person: dict[str, Any], created: str) -> Occurred:
    """The act's time where the payload has one, else the delivery's ``createdAt``."""
    acts: list[tuple[str, Any]] = []
    if name == "DOCUMENT_SIGNED":
        acts.append(("recipient.signedAt", person.get("signedAt")))
    elif name in DOCUMENT_ACTS:
        acts.append((f"payload.{DOCUMENT_ACTS[name]}", payload.get(DOCUMENT_ACTS[name])))
    return occurred(acts, ("createdAt", created), _utc)


def _times(person: dict[str, Any], until: str) -> dict[str, str]:
    return times([("signed", person.get("signedAt"), "signedAt")], until, _utc)


def _words(value: Any) -> list[str]:
    """An auth option: one value or a list of them (Documenso changed the shape)."""
    values = value if isinstance(value, list) else [value]
    return [v for v in values if isinstance(v, str) and v]


def _auth_method(person: dict[str, Any], payload: dict[str, Any]) -> str | None:
    """The recipient's authOptions, else the document's global ones, in Documenso's words."""
    mine, document = person.get("authOptions"), payload.get("authOptions")
    mine = mine if isinstance(mine, dict) else {}
    document = document if isinstance(document, dict) else {}
    access = _words(mine.get("accessAuth")) or _words(document.get("globalAccessAuth"))
    action = _words(mine.get("actionAuth")) or _words(document.get("globalActionAuth"))
    parts = [f"access: {', '.join(access)}" if access else None]
    parts.append(f"signing: {', '.join(action)}" if action else None)
    return "; ".join(p for p in parts if p) or None


def _entry(person: dict[str, Any], payload: dict[str, Any], until: str) -> dict[str, Any]:
    # Each attempt is its own entry (createdAt is in the id), so the status may be kept.
    return recipient(
        name=optional_text(person, "name"),
        email=optional_text(person, "email"),
        role=optional_text(person, "role"),
        auth_method=_auth_method(person, payload),
        status=optional_text(person, "signingStatus"),
        times=_times(person, until),
    )


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
