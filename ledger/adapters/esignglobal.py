"""eSignGlobal webhook events (docs/platforms/esignglobal.md).

ASSUMED: eSignGlobal (e签宝's international brand) signs webhooks with e签宝's v3
scheme and the webhook's secret key; its documentation says only that a secret key
"ensures the credibility of the Webhook message source". The scheme lives in
``esign.TsignScheme`` so that a captured delivery can correct it in one place.
"""

from __future__ import annotations

from typing import Any

from ledger.adapters.base import (
    Adapter,
    Credentials,
    Delivery,
    Event,
    event,
    extension_type,
    json_object,
    malformed,
    member,
    optional_text,
    text,
)
from ledger.adapters.esign import SCHEME
from ledger.adapters.facts import Occurred, occurred, reported
from ledger.adapters.times import china_time

TYPES = {
    "ENVELOPE_START": "envelope.sent",
    "ENVELOPE_SIGNER_SIGNED": "recipient.signed",
    "ENVELOPE_FINISH": "envelope.completed",
    "ENVELOPE_CANCEL": "envelope.voided",
    "ENVELOPE_EXPIRED": "envelope.expired",
    "ENVELOPE_DECLINED": "envelope.declined",
}
AUTH_MODES = {
    "0": "none",
    "1": "access code",
    "2": "iAM Smart",
    "3": "SMS OTP",
    "4": "ID verification",
    "5": "email OTP",
}
# Where each event's own time is; events not listed take the first reported of signDate,
# envelopeEndTime, envelopeStartTime; else the header timestamp (the delivery's time).
ACT_TIMES = {
    "ENVELOPE_START": ("envelopeStartTime",),
    "ENVELOPE_SIGNER_SIGNED": (),
    "ENVELOPE_FINISH": ("envelopeEndTime",),
    "ENVELOPE_CANCEL": ("envelopeEndTime",),
    "ENVELOPE_EXPIRED": ("envelopeEndTime",),
    "ENVELOPE_DECLINED": ("envelopeEndTime",),
}


class EsignGlobal(Adapter):
    slug = "esignglobal"
    methods = frozenset({"POST"})
    default_window = 86400  # as e签宝: the same 16 retries over about 4 h 46 min

    def authenticate(self, delivery: Delivery, credentials: Credentials) -> str:
        return SCHEME.verify(delivery, credentials, check_app_id=False)

    def parse(self, delivery: Delivery) -> list[Event]:
        body = json_object(delivery.body)
        name = text(body, "event")
        payload = member(body, "eventPayload")
        envelope_id = text(payload, "envelopeId", "eventPayload.")
        signer = payload.get("signerInfo")
        signer = signer if isinstance(signer, dict) else None
        when = _occurred(name, payload, signer, delivery)
        decliner = payload.get("declineSigner")
        person = signer or (decliner if isinstance(decliner, dict) else {})
        cancel = payload.get("cancelInfo")
        return [
            event(
                event_id=_event_id(name, envelope_id, signer, delivery),
                type=TYPES.get(name) or extension_type(self.slug, name),
                occurred_at=when.at,
                envelope_id=envelope_id,
                actor=_actor(person),
                # Never accessCode: it opens the signing page.
                data={
                    "platform_event": name,
                    **when.data(),
                    "envelope_status": payload.get("envelopeStatus"),
                    "business_id": optional_text(person, "businessId"),
                    "sign_order": person.get("signOrder"),
                    "signer_status": person.get("signerStatus"),
                    "user_type": person.get("userType"),
                    "organization_name": optional_text(person, "organizationName"),
                    "decline_reason": optional_text(person, "signerMessage")
                    if person is not signer
                    else None,
                    "signer_message": optional_text(person, "signerMessage")
                    if person is signer
                    else None,
                    "void_reason": optional_text(cancel, "reason")
                    if isinstance(cancel, dict)
                    else None,
                },
            )
        ]


def _event_id(
    name: str, envelope_id: str, signer: dict[str, Any] | None, delivery: Delivery
) -> str:
    """``esignglobal:{envelopeId}:{event}``, and for a signer's event its order and the
    pseudonym of its e-mail (or phone): each signer signs once."""
    if signer is None:
        return f"esignglobal:{envelope_id}:{name}"
    contact = optional_text(signer, "userEmail") or _phone(signer)
    who = delivery.ids.pseudonym(envelope_id, contact) if contact else "-"
    return f"esignglobal:{envelope_id}:{name}:{optional_text(signer, 'signOrder')}:{who}"


def _occurred(
    name: str, payload: dict[str, Any], signer: dict[str, Any] | None, delivery: Delivery
) -> Occurred:
    """The act's time (docs/platforms/esignglobal.md), else the header timestamp."""
    signed = ("signerInfo.signDate", (signer or {}).get("signDate"))
    fields = ACT_TIMES.get(name, ("envelopeEndTime", "envelopeStartTime"))
    acts = [(f"eventPayload.{f}", payload.get(f)) for f in fields]
    if name not in ACT_TIMES or name == "ENVELOPE_SIGNER_SIGNED":
        acts.insert(0, signed)
    if any(reported(value) for _, value in acts):
        # Not the header's time beside it: it may be re-stamped per attempt (rule 4).
        return occurred(acts, (SCHEME.timestamp_header, None), china_time)
    stamp = delivery.header(SCHEME.timestamp_header)
    if stamp is None:
        raise malformed("no time in the event", "eventPayload.envelopeStartTime")
    return occurred([], (SCHEME.timestamp_header, stamp.strip()), china_time)


def _phone(person: dict[str, Any]) -> str | None:
    phone = person.get("phoneNumber")
    number = optional_text(phone, "number") if isinstance(phone, dict) else None
    country = optional_text(phone, "countryCode") if isinstance(phone, dict) else None
    return f"+{country}{number}" if number and country else number


def _actor(person: dict[str, Any]) -> dict[str, str | None]:
    modes = optional_text(person, "authModes")
    return {
        "name": optional_text(person, "userName"),
        "email": optional_text(person, "userEmail"),
        "phone": _phone(person),
        "auth_method": ", ".join(AUTH_MODES.get(m.strip(), m.strip()) for m in modes.split(","))
        if modes
        else None,
    }
