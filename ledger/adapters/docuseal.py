"""DocuSeal webhooks (docs/platforms/docuseal.md).

Since 2026-05 DocuSeal signs each attempt: ``X-Docuseal-Signature: <unix seconds>.<hex
HMAC-SHA256(secret, "<seconds>." + body)>``, and refuses timestamps outside ±300 s in
its own verifier; we do the same with the hook's window. Older servers can only send a
custom secret header: a hook secret written ``Header-Name: value`` selects that mode
(compared in constant time; the leaf then says ``shared-secret``).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from ledger.adapters.base import (
    Adapter,
    Credentials,
    Delivery,
    Event,
    check_age,
    dicts,
    event,
    extension_type,
    header_bytes,
    hmac_sha256,
    json_object,
    member,
    optional_text,
    refuse,
    same,
    text,
)
from ledger.adapters.facts import listed, occurred, recipient, times
from ledger.adapters.times import iso_instant

SIGNATURE_HEADER = "X-Docuseal-Signature"
SIGNATURE = re.compile(r"([0-9]{1,10})\.([0-9a-fA-F]{64})\Z")
CUSTOM_HEADER = re.compile(r"([!#$%&'*+.^_`|~0-9A-Za-z-]+): (.+)\Z", re.DOTALL)
TYPES = {
    "form.viewed": "recipient.viewed",
    "form.completed": "recipient.signed",
    "form.declined": "recipient.declined",
    "submission.created": "envelope.created",
    "submission.completed": "envelope.completed",
    "submission.expired": "envelope.expired",
}
# Where each event's own time is in ``data`` (else the WebhookEvent's ``timestamp``).
ACT_TIMES = {
    "form.viewed": "opened_at",
    "form.completed": "completed_at",
    "form.declined": "declined_at",
    "submission.created": "created_at",
    "submission.completed": "completed_at",
    "submission.expired": "expire_at",
    "submission.archived": "archived_at",
}
SUBMITTER_TIMES = (
    ("sent", "sent_at"),
    ("viewed", "opened_at"),
    ("signed", "completed_at"),
    ("declined", "declined_at"),
)


class DocuSeal(Adapter):
    slug = "docuseal"
    methods = frozenset({"POST"})
    default_window = 300  # DocuSeal's own tolerance (WebhookUrls::Signatures::TOLERANCE)

    def authenticate(self, delivery: Delivery, credentials: Credentials) -> str:
        hmac_keys = [s for s in credentials.secrets if not CUSTOM_HEADER.match(s)]
        for secret in credentials.secrets:
            custom = CUSTOM_HEADER.match(secret)
            sent = delivery.header(custom.group(1)) if custom else None
            if custom and sent and same(custom.group(2).encode("utf-8"), header_bytes(sent)):
                return "shared-secret"
        header = delivery.header(SIGNATURE_HEADER)
        if not hmac_keys or header is None:
            reason = "secret_mismatch" if len(hmac_keys) < len(credentials.secrets) else None
            raise refuse(
                reason or "missing_signature", f"no {SIGNATURE_HEADER} or secret header matches"
            )
        parts = SIGNATURE.match(header.strip())
        if parts is None:
            raise refuse("signature_mismatch", f"{SIGNATURE_HEADER} is not <seconds>.<hex>")
        stamp, received = parts.group(1), parts.group(2).lower().encode("ascii")
        check_age(
            datetime.fromtimestamp(int(stamp), UTC),
            delivery.now,
            credentials.window,
            credentials.window,
        )
        message = stamp.encode("ascii") + b"." + delivery.body
        for secret in hmac_keys:
            if same(hmac_sha256(secret, message).hex().encode("ascii"), received):
                return "hmac"
        raise refuse("signature_mismatch", f"{SIGNATURE_HEADER} does not match")

    def parse(self, delivery: Delivery) -> list[Event]:
        body = json_object(delivery.body)
        name = text(body, "event_type")
        stamp = text(body, "timestamp")
        data = member(body, "data")
        record_id = text(data, "id", "data.")
        form = name.startswith("form.")
        template = data.get("template")
        template = template if isinstance(template, dict) else {}
        act = ACT_TIMES.get(name)
        when = occurred([(f"data.{act}", data.get(act))] if act else [], ("timestamp", stamp), _utc)
        return [
            event(
                # timestamp is the WebhookEvent's creation time: the same on every retry.
                event_id=f"docuseal:{name}:{record_id}:{stamp}",
                type=TYPES.get(name) or extension_type(self.slug, name),
                occurred_at=when.at,
                envelope_id=_envelope_id(name, data, record_id),
                actor=_actor(data) if form else None,
                # Not the file URLs (they expire and are regenerated per attempt) nor the
                # statuses (re-serialized per attempt): README rule 4. Times after the
                # event's own are left out for the same reason (ledger.adapters.facts).
                data={
                    "platform_event": name,
                    **when.data(),
                    "submitter_id": record_id if form else None,
                    "external_id": optional_text(data, "external_id"),
                    # A submission's own name, else its template's (what the signer saw).
                    "title": (None if form else optional_text(data, "name"))
                    or optional_text(template, "name"),
                    "decline_reason": optional_text(data, "decline_reason"),
                    "recipient_times": _times(data, when.at) if form else None,
                    "recipients": [_entry(p, when.at) for p in dicts(data.get("submitters"))],
                    "document_names": listed(
                        optional_text(d, "name") for d in dicts(data.get("documents"))
                    ),
                    "template_id": optional_text(template, "id"),
                    "template_name": optional_text(template, "name"),
                },
            )
        ]


def _utc(value: Any, field: str) -> str:
    return iso_instant(value, field, UTC)


def _actor(submitter: dict[str, Any]) -> dict[str, str | None]:
    return {
        "name": optional_text(submitter, "name"),
        "email": optional_text(submitter, "email"),
        "phone": optional_text(submitter, "phone"),
        "role": optional_text(submitter, "role"),
        "ip": optional_text(submitter, "ip"),
        "user_agent": optional_text(submitter, "ua"),
    }


def _times(submitter: dict[str, Any], until: str) -> dict[str, str]:
    pairs = [(key, submitter.get(field), field) for key, field in SUBMITTER_TIMES]
    return times(pairs, until, _utc)


def _entry(submitter: dict[str, Any], until: str) -> dict[str, Any]:
    return recipient(
        name=optional_text(submitter, "name"),
        email=optional_text(submitter, "email"),
        phone=optional_text(submitter, "phone"),
        role=optional_text(submitter, "role"),
        times=_times(submitter, until),
    )


def _envelope_id(name: str, data: dict[str, Any], record_id: str) -> str:
    """The submission: ``data.submission.id`` for form.*, ``data.id`` for submission.*;
    other records (templates) are prefixed with their kind so ids cannot collide."""
    submission = data.get("submission")
    if name.startswith("form."):
        found = optional_text(submission, "id") if isinstance(submission, dict) else None
        return found or text(data, "submission_id", "data.")
    if name.startswith("submission."):
        return record_id
    return f"{name.partition('.')[0]}:{record_id}"
