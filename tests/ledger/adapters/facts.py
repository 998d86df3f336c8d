"""The facts each platform reports, and where the adapters put them (docs/evidence-format.md,
"Facts the platforms report"): a table per platform, payload path → event path, shared by
the event-level test (test_facts.py) and the certificate-level one
(test_facts_on_certificate.py).

A row is checked on every delivery of the platform whose payload has a value at that
path (not null, not ""), and only for the listed platform events when the row names
some. Paths are dotted keys with ``[n]`` for list items; ``a|b`` on the event side means
"in a or in b". To check another payload (a captured delivery), add it to
``DELIVERIES`` or rows to ``FACTS``: nothing else changes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from ledger.adapters import ADAPTERS, Delivery
from ledger.adapters.times import opensign_time
from ledger.pseudonyms import PseudonymKey
from tests.ledger.adapters.senders import PLATFORMS, samples

SAME, TIME, MAPPED = "same", "time", "mapped"  # equal text; same instant; present (reworded)


@dataclass(frozen=True)
class Fact:
    payload: str
    event: str
    compare: str = SAME
    events: frozenset[str] = frozenset()  # platform event names it applies to (all if empty)


def fact(payload: str, event: str, compare: str = SAME, *events: str) -> Fact:
    return Fact(payload, event, compare, frozenset(events))


DS = "data.envelopeSummary."
DS_SIGNER = DS + "recipients.signers[0]."
ADOBE_MEMBER = "agreement.participantSetsInfo.participantSets[0].memberInfos[0]."
FACTS: dict[str, list[Fact]] = {
    "docusign": [
        fact(DS + "emailSubject", "data.title"),
        fact("generatedDateTime", "data.platform_generated_at|occurred_at", TIME),
        fact(DS_SIGNER + "name", "data.recipients[0].name"),
        fact(DS_SIGNER + "email", "data.recipients[0].email"),
        fact(DS_SIGNER + "recipientType", "data.recipients[0].role"),
        fact(DS_SIGNER + "sentDateTime", "data.recipients[0].times.sent", TIME),
        fact(DS_SIGNER + "deliveredDateTime", "data.recipients[0].times.viewed", TIME),
        fact(DS_SIGNER + "signedDateTime", "data.recipients[0].times.signed", TIME),
        fact(DS_SIGNER + "declinedDateTime", "data.recipients[0].times.declined", TIME),
        fact(DS_SIGNER + "idCheckConfigurationName", "data.recipients[0].auth_method", MAPPED),
        # The sample's recipient event is about signer 0 (data.recipientId "1").
        fact(DS_SIGNER + "name", "actor.name", SAME, "recipient-completed"),
        fact(DS_SIGNER + "email", "actor.email", SAME, "recipient-completed"),
        fact(DS_SIGNER + "signedDateTime", "occurred_at", TIME, "recipient-completed"),
        fact(DS_SIGNER + "sentDateTime", "data.recipient_times.sent", TIME, "recipient-completed"),
        fact(
            DS_SIGNER + "deliveredDateTime",
            "data.recipient_times.viewed",
            TIME,
            "recipient-completed",
        ),
        fact(
            DS_SIGNER + "signedDateTime", "data.recipient_times.signed", TIME, "recipient-completed"
        ),
        fact(DS_SIGNER + "declinedReason", "data.decline_reason", SAME, "recipient-completed"),
        fact(
            DS_SIGNER + "recipientSignatureProviders[0].signatureProviderName",
            "data.signature_type",
            MAPPED,
            "recipient-completed",
        ),
        fact(DS + "voidedReason", "data.void_reason"),
        fact(DS + "envelopeDocuments[0].name", "documents[0].name|data.document_names[0]", MAPPED),
        fact(DS + "completedDateTime", "occurred_at", TIME, "envelope-completed"),
        fact(DS + "sentDateTime", "occurred_at", TIME, "envelope-sent"),
        # The sender acts in these; in other events the sender's address is not the actor's.
        fact(DS + "sender.ipAddress", "actor.ip", SAME, "envelope-sent", "envelope-created"),
    ],
    "adobesign": [
        fact("agreement.name", "data.title"),
        fact("agreement.signatureType", "data.signature_type"),
        fact("eventDate", "occurred_at", TIME),
        fact("participantUserEmail", "actor.email"),
        fact("participantRole", "actor.role"),
        fact("actingUserIpAddress", "actor.ip"),
        fact(ADOBE_MEMBER + "name", "actor.name|data.recipients[0].name"),
        fact(ADOBE_MEMBER + "email", "data.recipients[0].email"),
        fact(
            ADOBE_MEMBER + "securityOption.authenticationMethod",
            "actor.auth_method",
            SAME,
            "AGREEMENT_ACTION_COMPLETED",
        ),
        fact(
            ADOBE_MEMBER + "securityOption.authenticationMethod", "data.recipients[0].auth_method"
        ),
        fact("agreementCancellationInfo.comment", "data.void_reason", SAME, "AGREEMENT_RECALLED"),
        fact(
            "agreementCancellationInfo.comment", "data.decline_reason", SAME, "AGREEMENT_REJECTED"
        ),
        fact("agreement.documentsInfo.documents[0].name", "data.document_names[0]"),
        fact("agreement.signedDocumentInfo.document", "documents[0].sha256", MAPPED),
    ],
    "esign": [
        fact("signFlowTitle", "data.title"),
        fact("operateTime", "occurred_at", TIME, "SIGN_MISSON_COMPLETE"),
        fact("readTime", "occurred_at", TIME, "OPERATOR_READ"),
        fact("signFlowFinishTime", "occurred_at", TIME, "SIGN_FLOW_COMPLETE"),
        fact("timestamp", "data.platform_generated_at|occurred_at", TIME),
        fact("operator.psnAccount.accountMobile", "actor.phone"),
        fact("operator.psnAccount.accountEmail", "actor.email"),
        fact("resultDescription", "data.result_description"),
        fact("organization.orgName", "data.org_name"),
    ],
    "esignglobal": [
        fact("eventPayload.signerInfo.userName", "actor.name"),
        fact("eventPayload.signerInfo.userEmail", "actor.email"),
        fact("eventPayload.signerInfo.phoneNumber.number", "actor.phone", MAPPED),
        fact("eventPayload.signerInfo.authModes", "actor.auth_method", MAPPED),
        fact("eventPayload.signerInfo.signDate", "occurred_at", TIME, "ENVELOPE_SIGNER_SIGNED"),
        fact("eventPayload.envelopeEndTime", "occurred_at", TIME, "ENVELOPE_FINISH"),
        fact("eventPayload.declineSigner.userName", "actor.name"),
        fact("eventPayload.declineSigner.signerMessage", "data.decline_reason"),
        fact("eventPayload.cancelInfo.reason", "data.void_reason"),
    ],
    "documenso": [
        fact("payload.title", "data.title"),
        fact("payload.documentMeta.subject", "data.subject"),
        fact("createdAt", "data.platform_generated_at|occurred_at", TIME),
        fact("payload.recipients[0].name", "data.recipients[0].name"),
        fact("payload.recipients[0].email", "data.recipients[0].email"),
        fact("payload.recipients[0].role", "data.recipients[0].role"),
        fact("payload.recipients[0].signedAt", "data.recipients[0].times.signed", TIME),
        fact(
            "payload.recipients[0].authOptions.actionAuth", "data.recipients[0].auth_method", MAPPED
        ),
        fact("payload.recipients[0].signedAt", "occurred_at", TIME, "DOCUMENT_SIGNED"),
        fact("payload.recipients[0].name", "actor.name", SAME, "DOCUMENT_SIGNED"),
        fact("payload.completedAt", "occurred_at", TIME, "DOCUMENT_COMPLETED"),
    ],
    "docuseal": [
        fact("data.template.name", "data.title|data.template_name"),
        fact("timestamp", "data.platform_generated_at|occurred_at", TIME),
        fact("data.name", "actor.name", SAME, "form.completed", "form.viewed", "form.declined"),
        fact("data.email", "actor.email", SAME, "form.completed", "form.viewed", "form.declined"),
        fact("data.phone", "actor.phone", SAME, "form.completed", "form.viewed", "form.declined"),
        fact("data.role", "actor.role", SAME, "form.completed", "form.viewed", "form.declined"),
        fact("data.ip", "actor.ip"),
        fact("data.ua", "actor.user_agent"),
        fact("data.sent_at", "data.recipient_times.sent", TIME, "form.completed", "form.declined"),
        fact("data.opened_at", "data.recipient_times.viewed", TIME, "form.completed"),
        fact("data.completed_at", "data.recipient_times.signed", TIME, "form.completed"),
        fact("data.completed_at", "occurred_at", TIME, "form.completed"),
        fact("data.declined_at", "occurred_at", TIME, "form.declined"),
        fact("data.decline_reason", "data.decline_reason"),
        fact("data.documents[0].name", "data.document_names[0]"),
        fact("data.submitters[0].name", "data.recipients[0].name"),
    ],
    "opensign": [
        fact("name", "data.title"),
        fact("name", "data.document_names[0]"),
        fact("signer.name", "actor.name"),
        fact("signer.email", "actor.email"),
        fact("signer.phone", "actor.phone"),
        fact("signedAt", "occurred_at", TIME, "signed"),
        fact("viewedAt", "occurred_at", TIME, "viewed"),
        fact("completedAt", "occurred_at", TIME, "completed"),
        fact("declinedReason", "data.decline_reason"),
        fact("signers[0].name", "data.recipients[0].name"),
        fact("signers[0].email", "data.recipients[0].email"),
    ],
}
# Times without an offset: e签宝 and eSignGlobal write Beijing time (docs/platforms/).
NAIVE_ZONE = {"esign": timezone(timedelta(hours=8)), "esignglobal": timezone(timedelta(hours=8))}
KEY = PseudonymKey(b"facts test key, not a deployment's")
STEP = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def at(value: Any, path: str) -> Any:
    """The value at ``path`` (``a.b[0].c``), or None where the path leads nowhere."""
    for key, index in STEP.findall(path):
        if key and isinstance(value, dict):
            value = value.get(key)
        elif index and isinstance(value, list) and int(index) < len(value):
            value = value[int(index)]
        else:
            return None
    return value


def instant(value: Any, zone: timezone = UTC) -> datetime:
    """A platform's time as an instant: epoch milliseconds, ISO 8601 (any fraction; no
    offset means ``zone``), or OpenSign's ``Thu, 19 Nov 2026 16:18:34 GMT+5:30``."""
    if isinstance(value, int) or (isinstance(value, str) and value.isdigit()):
        return datetime.fromtimestamp(int(value) / 1000, UTC)
    text = opensign_time(value) or re.sub(r"(\.\d{6})\d+", r"\1", value).replace("Z", "+00:00")
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=zone)


def kept(found: Any, sent: Any, compare: str, zone: timezone = UTC) -> bool:
    if found is None or found == "" or found == [] or found == {}:
        return False
    if compare == TIME:
        return instant(found) == instant(sent, zone)
    if compare == SAME:
        return str(found) == str(sent)
    return True


def deliveries() -> Iterator[tuple[str, str, bytes]]:
    """(platform, description, body) of every accepted shared sample."""
    for platform in PLATFORMS:
        for delivery in samples(platform)["deliveries"]:
            if delivery["expected"]["accepted"] and delivery["expected"]["type"]:
                yield platform, delivery["description"], delivery["body"].encode("utf-8")


DELIVERIES = list(deliveries())


def parse(platform: str, body: bytes) -> dict[str, Any]:
    delivery = Delivery.received("POST", [], body, "", datetime.now(UTC), KEY)
    (event,) = ADAPTERS[platform].parse(delivery)
    return event
