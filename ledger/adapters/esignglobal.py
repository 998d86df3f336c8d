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
    source_time,
    text,
)
from ledger.adapters.esign import SCHEME
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
TIME_FIELDS = ("envelopeEndTime", "envelopeStartTime")


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
        field, value = _time(payload, signer, delivery)
        event_id = f"esignglobal:{envelope_id}:{name}"
        if signer is not None:
            event_id += (
                f":{optional_text(signer, 'signOrder')}:{optional_text(signer, 'userEmail')}"
            )
        decliner = payload.get("declineSigner")
        person = signer or (decliner if isinstance(decliner, dict) else {})
        cancel = payload.get("cancelInfo")
        return [
            event(
                event_id=event_id,
                type=TYPES.get(name) or extension_type(self.slug, name),
                occurred_at=china_time(value, field),
                envelope_id=envelope_id,
                actor=_actor(person),
                # Never accessCode: it opens the signing page.
                data={
                    "platform_event": name,
                    "occurred_at_source": source_time(field, value),
                    "envelope_status": payload.get("envelopeStatus"),
                    "business_id": optional_text(person, "businessId"),
                    "sign_order": person.get("signOrder"),
                    "signer_status": person.get("signerStatus"),
                    "user_type": person.get("userType"),
                    "organization_name": optional_text(person, "organizationName"),
                    "signer_message": optional_text(person, "signerMessage"),
                    "cancel_reason": optional_text(cancel, "reason")
                    if isinstance(cancel, dict)
                    else None,
                },
            )
        ]


def _time(
    payload: dict[str, Any], signer: dict[str, Any] | None, delivery: Delivery
) -> tuple[str, Any]:
    """signDate, else the envelope's end or start time, else the header timestamp."""
    if signer is not None and signer.get("signDate") not in (None, ""):
        return "signerInfo.signDate", signer["signDate"]
    for field in TIME_FIELDS:
        if payload.get(field) not in (None, ""):
            return f"eventPayload.{field}", payload[field]
    stamp = delivery.header(SCHEME.timestamp_header)
    if stamp is None:
        raise malformed("no time in the event", "eventPayload.envelopeStartTime")
    return SCHEME.timestamp_header, stamp.strip()


def _actor(person: dict[str, Any]) -> dict[str, str | None]:
    phone = person.get("phoneNumber")
    number = optional_text(phone, "number") if isinstance(phone, dict) else None
    country = optional_text(phone, "countryCode") if isinstance(phone, dict) else None
    modes = optional_text(person, "authModes")
    return {
        "name": optional_text(person, "userName"),
        "email": optional_text(person, "userEmail"),
        "phone": f"+{country}{number}" if number and country else number,
        "auth_method": ", ".join(AUTH_MODES.get(m.strip(), m.strip()) for m in modes.split(","))
        if modes
        else None,
    }
