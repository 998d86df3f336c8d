"""Whole signing flows per platform, built from each platform's documented payloads
(sources in docs/platforms/<slug>.md), with Chinese names: what each delivery must
become in the log.

The shapes follow: DocuSign's JSON SIM event model; ``adobe/acrobat-sign``
``docs/acrobat_sign_events/payloads/*.json``; e签宝's notify3 pages (pmy852 and the
event pages the SDK beans cite); eSignGlobal's webhook event pages; Documenso's
``packages/lib/types/webhook-payload.ts``; DocuSeal's ``docs/webhooks/*.md`` and
``lib/submitters/serialize_for_webhook.rb``; OpenSign's ``Webhook.md`` examples.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Step:
    body: dict[str, Any]
    type: str
    envelope_id: str
    occurred_at: str
    actor: dict[str, str] = field(default_factory=dict)  # must be contained in the event's


ZHANG = {"name": "张伟", "email": "zhang.wei@example.cn", "phone": "13800138000"}
LI = {"name": "李娜", "email": "li.na@example.cn", "phone": "13900139000"}
CONTRACT = "劳动合同（2026）"
SIGNED_PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"  # any bytes will do
SIGNED_PDF_SHA256 = hashlib.sha256(SIGNED_PDF).hexdigest()


# -- DocuSign Connect, JSON SIM -----------------------------------------------------------

DS_ACCOUNT = "5fbe3c53-e5c1-5159-96cd-2f6ecff4d7e9"
DS_SIGNERS = [
    {**ZHANG, "recipientId": "1", "recipientType": "signer", "routingOrder": "1"},
    {**LI, "recipientId": "2", "recipientType": "signer", "routingOrder": "1"},
]


def docusign(
    name: str, envelope: str, generated: str, recipient: str | None = None, **summary: Any
) -> dict[str, Any]:
    signers = [
        {k: v for k, v in s.items() if k != "phone"}
        | (
            {"declinedReason": "条款有误"}
            if name == "recipient-declined" and s["recipientId"] == recipient
            else {}
        )
        for s in DS_SIGNERS
    ]
    data: dict[str, Any] = {"accountId": DS_ACCOUNT, "userId": "6a44087e", "envelopeId": envelope}
    if recipient:
        data["recipientId"] = recipient
    data["envelopeSummary"] = {
        "status": summary.pop("status", "sent"),
        "emailSubject": f"请签署：{CONTRACT}",
        "envelopeId": envelope,
        "sender": {"userName": "王芳", "email": "wang.fang@example.cn"},
        "recipients": {"signers": signers},
        **summary,
    }
    return {
        "event": name,
        "apiVersion": "v2.1",
        "uri": f"/restapi/v2.1/accounts/{DS_ACCOUNT}/envelopes/{envelope}",
        "retryCount": 0,
        "configurationId": 10019427,
        "generatedDateTime": generated,
        "data": data,
    }


def docusign_flow() -> list[Step]:
    e1, e2, e3 = (
        "a1111111-0000-0000-0000-000000000001",
        "a2222222-0000-0000-0000-000000000002",
        "a3333333-0000-0000-0000-000000000003",
    )
    zhang = {"name": ZHANG["name"], "email": ZHANG["email"]}
    pdf = base64.b64encode(SIGNED_PDF).decode()
    return [
        Step(
            docusign("envelope-sent", e1, "2026-11-19T08:00:01.1000000Z"),
            "envelope.sent",
            e1,
            "2026-11-19T08:00:01.100000+00:00",
        ),
        Step(
            docusign("recipient-sent", e1, "2026-11-19T08:00:02.2000000Z", "1"),
            "recipient.delivered",
            e1,
            "2026-11-19T08:00:02.200000+00:00",
            zhang,
        ),
        Step(
            docusign("recipient-delivered", e1, "2026-11-19T08:03:00.0000001Z", "1"),
            "recipient.viewed",
            e1,
            "2026-11-19T08:03:00+00:00",
            zhang,
        ),
        Step(
            docusign("recipient-completed", e1, "2026-11-19T08:05:11.4233752Z", "1"),
            "recipient.signed",
            e1,
            "2026-11-19T08:05:11.423375+00:00",
            zhang,
        ),
        Step(
            docusign("recipient-declined", e1, "2026-11-19T08:06:00.5000000Z", "2"),
            "recipient.declined",
            e1,
            "2026-11-19T08:06:00.500000+00:00",
            {"name": LI["name"]},
        ),
        Step(
            docusign("envelope-declined", e1, "2026-11-19T08:06:01.0000000Z", status="declined"),
            "envelope.declined",
            e1,
            "2026-11-19T08:06:01+00:00",
        ),
        Step(
            docusign(
                "envelope-completed",
                e2,
                "2026-11-20T01:00:00.0000000Z",
                status="completed",
                envelopeDocuments=[{"documentId": "1", "name": f"{CONTRACT}.pdf", "PDFBytes": pdf}],
            ),
            "envelope.completed",
            e2,
            "2026-11-20T01:00:00+00:00",
        ),
        Step(
            docusign(
                "envelope-voided",
                e3,
                "2026-11-20T02:00:00.0000000Z",
                status="voided",
                voidedReason="发件人撤回",
            ),
            "envelope.voided",
            e3,
            "2026-11-20T02:00:00+00:00",
        ),
    ]


# -- Adobe Acrobat Sign ------------------------------------------------------------------


def adobe(
    name: str,
    notification: str,
    date: str,
    agreement: str,
    *,
    action: str = "",
    person: dict[str, str] | None = None,
    signed_pdf: bytes | None = None,
) -> dict[str, Any]:
    person = person or {}
    body: dict[str, Any] = {
        "webhookId": "9b7fc222-0000-4000-8000-000000000001",
        "webhookName": "evidence-ledger",
        "webhookNotificationId": notification,
        "webhookUrlInfo": {"url": "https://ledger.example.cn/v1/hooks/adobesign/hk"},
        "webhookScope": "ACCOUNT",
        "webhookNotificationApplicableUsers": [
            {
                "id": "CBJsender",
                "email": "wang.fang@example.cn",
                "role": "SENDER",
                "payloadApplicable": "true",
            }
        ],
        "event": name,
        "subEvent": "",
        "eventDate": date,
        "eventResourceType": "agreement",
        "eventResourceParentType": "",
        "eventResourceParentId": "",
        "participantRole": "SIGNER" if person else "",
        "actionType": action,
        "participantUserId": "CBJzhang" if person else "",
        "participantUserEmail": person.get("email", ""),
        "actingUserId": "CBJzhang" if person else "",
        "actingUserEmail": person.get("email", ""),
        "actingUserIpAddress": "203.0.113.7" if person else "",
        "initiatingUserId": "",
        "initiatingUserEmail": "",
        "agreement": {
            "id": agreement,
            "name": CONTRACT,
            "signatureType": "ESIGN",
            "status": "OUT_FOR_SIGNATURE",
            "createdDate": "2026-11-19T09:00:02Z",
            "locale": "zh_CN",
            "senderEmail": "wang.fang@example.cn",
            "participantSetsInfo": {
                "participantSets": [
                    {
                        "memberInfos": [
                            {
                                "id": "CBJm1",
                                "email": ZHANG["email"],
                                "company": "",
                                "name": ZHANG["name"],
                                "privateMessage": "",
                                "status": "ACTIVE",
                                "securityOption": {"authenticationMethod": "EMAIL_OTP"},
                            }
                        ],
                        "order": "1",
                        "role": "SIGNER",
                        "status": "WAITING_FOR_MY_SIGNATURE",
                        "id": "CBJset1",
                        "name": "",
                        "privateMessage": "",
                    }
                ]
            },
        },
    }
    if signed_pdf is not None:
        body["agreement"]["signedDocumentInfo"] = {
            "document": base64.b64encode(signed_pdf).decode()
        }
    return body


def adobesign_flow() -> list[Step]:
    a1, a2, a3, a4 = (f"CBJCHBCAABAAagreement{n}" for n in range(1, 5))
    zhang = {"name": ZHANG["name"], "email": ZHANG["email"]}
    signer = zhang | {"ip": "203.0.113.7", "auth_method": "EMAIL_OTP"}
    return [
        Step(
            adobe("AGREEMENT_CREATED", "n-01", "2026-11-19T09:00:02Z", a1),
            "envelope.created",
            a1,
            "2026-11-19T09:00:02+00:00",
        ),
        Step(
            adobe("AGREEMENT_ACTION_REQUESTED", "n-02", "2026-11-19T09:00:03Z", a1, person=ZHANG),
            "envelope.sent",
            a1,
            "2026-11-19T09:00:03+00:00",
            zhang,
        ),
        Step(
            adobe("AGREEMENT_EMAIL_VIEWED", "n-03", "2026-11-19T09:05:00Z", a1, person=ZHANG),
            "recipient.delivered",
            a1,
            "2026-11-19T09:05:00+00:00",
            zhang,
        ),
        Step(
            adobe("AGREEMENT_DOCUMENTS_VIEWED", "n-04", "2026-11-19T09:06:00Z", a1, person=ZHANG),
            "recipient.viewed",
            a1,
            "2026-11-19T09:06:00+00:00",
            zhang,
        ),
        Step(
            adobe(
                "AGREEMENT_EMAIL_OTP_AUTHENTICATED",
                "n-05",
                "2026-11-19T09:07:00Z",
                a1,
                person=ZHANG,
            ),
            "recipient.authenticated",
            a1,
            "2026-11-19T09:07:00+00:00",
            signer,
        ),
        Step(
            adobe(
                "AGREEMENT_ACTION_COMPLETED",
                "n-06",
                "2026-11-19T09:12:41Z",
                a1,
                action="ESIGNED",
                person=ZHANG,
            ),
            "recipient.signed",
            a1,
            "2026-11-19T09:12:41+00:00",
            signer,
        ),
        Step(
            adobe(
                "AGREEMENT_ACTION_COMPLETED",
                "n-07",
                "2026-11-19T09:12:42Z",
                a1,
                action="ACKNOWLEDGED",
                person=ZHANG,
            ),
            "x-adobesign.agreement_action_completed",
            a1,
            "2026-11-19T09:12:42+00:00",
        ),
        Step(
            adobe(
                "AGREEMENT_WORKFLOW_COMPLETED",
                "n-08",
                "2026-11-19T09:12:43Z",
                a1,
                signed_pdf=SIGNED_PDF,
            ),
            "envelope.completed",
            a1,
            "2026-11-19T09:12:43+00:00",
        ),
        Step(
            adobe("AGREEMENT_REJECTED", "n-09", "2026-11-19T10:00:00Z", a2, person=ZHANG),
            "envelope.declined",
            a2,
            "2026-11-19T10:00:00+00:00",
            zhang,
        ),
        Step(
            adobe("AGREEMENT_RECALLED", "n-10", "2026-11-19T11:00:00Z", a3),
            "envelope.voided",
            a3,
            "2026-11-19T11:00:00+00:00",
        ),
        Step(
            adobe("AGREEMENT_EXPIRED", "n-11", "2026-11-26T00:00:00Z", a4),
            "envelope.expired",
            a4,
            "2026-11-26T00:00:00+00:00",
        ),
    ]


# -- e签宝 v3 ------------------------------------------------------------------------------

P1, P2 = "f8f0849e03a4150daa0f3b6c1ee96fda", "0c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f"


def operator(psn: str, mobile: str) -> dict[str, Any]:
    return {"psnId": psn, "psnAccount": {"accountMobile": mobile}}


def esign_flow() -> list[Step]:
    f1, f2, f3, f4 = (f"4031490691dec35266458f712b01773{n}" for n in range(1, 5))
    org = {"orgId": "78b107f71431b9cc27854335939ae811", "orgName": "霁林测试有限公司"}
    return [
        Step(
            {
                "action": "SIGN_FLOW_INITIATED",
                "timestamp": 1795079100000,
                "signFlowId": f1,
                "signFlowTitle": CONTRACT,
                "customBizNum": "合同-001",
            },
            "envelope.sent",
            f1,
            "2026-11-19T17:05:00+08:00",
        ),
        Step(
            {
                "action": "OPERATOR_READ",
                "timestamp": 1795079400123,
                "signFlowId": f1,
                "customBizNum": "合同-001",
                "signOrder": 1,
                "readTime": "2026-11-19 17:10:00",
                "operator": operator(P1, ZHANG["phone"]),
            },
            "recipient.viewed",
            f1,
            "2026-11-19T17:10:00+08:00",
            {"phone": ZHANG["phone"]},
        ),
        Step(
            {
                "action": "SIGN_MISSON_COMPLETE",
                "timestamp": 1795080031359,
                "signFlowId": f1,
                "customBizNum": "合同-001",
                "signOrder": 1,
                "operateTime": 1795080031000,
                "signResult": 2,
                "resultDescription": "签署完成",
                "operator": operator(P1, ZHANG["phone"]),
                "organization": org,
            },
            "recipient.signed",
            f1,
            "2026-11-19T17:20:31+08:00",
            {"phone": ZHANG["phone"]},
        ),
        Step(
            {
                "action": "SIGN_MISSON_COMPLETE",
                "timestamp": 1795080100000,
                "signFlowId": f1,
                "customBizNum": "合同-001",
                "signOrder": 2,
                "operateTime": 1795080099500,
                "signResult": 4,
                "resultDescription": "拒签：条款有误",
                "operator": operator(P2, LI["phone"]),
            },
            "recipient.declined",
            f1,
            "2026-11-19T17:21:39.500000+08:00",
            {"phone": LI["phone"]},
        ),
        Step(
            {
                "action": "SIGN_FLOW_COMPLETE",
                "timestamp": 1795080101000,
                "signFlowId": f1,
                "signFlowTitle": CONTRACT,
                "signFlowStatus": "7",
                "statusDescription": "拒签",
                "signFlowCreateTime": 1795079000000,
                "signFlowStartTime": 1795079100000,
                "signFlowFinishTime": 1795080100000,
            },
            "envelope.declined",
            f1,
            "2026-11-19T17:21:40+08:00",
        ),
        Step(
            {
                "action": "SIGN_FLOW_COMPLETE",
                "timestamp": 1795090000000,
                "signFlowId": f2,
                "signFlowTitle": CONTRACT,
                "signFlowStatus": "2",
                "statusDescription": "完成",
                "signFlowFinishTime": 1795089999000,
            },
            "envelope.completed",
            f2,
            "2026-11-19T20:06:39+08:00",
        ),
        Step(
            {
                "action": "SIGN_FLOW_COMPLETE",
                "timestamp": 1795090000001,
                "signFlowId": f3,
                "signFlowStatus": 3,
                "statusDescription": "撤销",
                "signFlowFinishTime": 1795089999001,
            },
            "envelope.voided",
            f3,
            "2026-11-19T20:06:39.001000+08:00",
        ),
        Step(
            {
                "action": "SIGN_FLOW_COMPLETE",
                "timestamp": 1795090000002,
                "signFlowId": f4,
                "signFlowStatus": "5",
                "statusDescription": "过期",
                "signFlowFinishTime": 1795089999002,
            },
            "envelope.expired",
            f4,
            "2026-11-19T20:06:39.002000+08:00",
        ),
    ]


# -- eSignGlobal (webhook family) --------------------------------------------------------


def chen(sign_date: str | None = None) -> dict[str, Any]:
    signer: dict[str, Any] = {
        "businessId": "BIZ-001",
        "userEmail": "chen.jing@example.hk",
        "phoneNumber": {"countryCode": "852", "number": "91234567"},
        "userName": "陈静",
        "userType": 1,
        "signOrder": 1,
        "signerStatus": 2,
        "authModes": "3",
        "accessCode": "8642",
    }
    if sign_date:
        signer["signDate"] = sign_date
    return signer


def esignglobal_flow() -> list[Step]:
    e1, e2, e3, e4 = (f"flow69d77c1700b8e452ddb3bf{n:02d}" for n in range(1, 5))
    start = {"envelopeStartTime": "1795057200000", "expireTime": "1797649200000"}
    person = {"name": "陈静", "email": "chen.jing@example.hk", "phone": "+85291234567"}
    return [
        Step(
            {
                "event": "ENVELOPE_START",
                "eventPayload": {"envelopeId": e1, "envelopeStatus": 1, **start},
            },
            "envelope.sent",
            e1,
            "2026-11-19T11:00:00+08:00",
        ),
        Step(
            {
                "event": "ENVELOPE_SIGNER_SIGNED",
                "eventPayload": {
                    "envelopeId": e1,
                    "envelopeStatus": 1,
                    **start,
                    "signerInfo": chen("1795058067000"),
                },
            },
            "recipient.signed",
            e1,
            "2026-11-19T11:14:27+08:00",
            person,
        ),
        Step(
            {
                "event": "ENVELOPE_ALL_SIGNER_SIGNED",
                "eventPayload": {
                    "envelopeId": e1,
                    "envelopeStatus": 1,
                    **start,
                    "envelopeEndTime": 1795058068000,
                },
            },
            "x-esignglobal.envelope_all_signer_signed",
            e1,
            "2026-11-19T11:14:28+08:00",
        ),
        Step(
            {
                "event": "ENVELOPE_FINISH",
                "eventPayload": {
                    "envelopeId": e1,
                    "envelopeStatus": 2,
                    **start,
                    "envelopeEndTime": "1795058069000",
                },
            },
            "envelope.completed",
            e1,
            "2026-11-19T11:14:29+08:00",
        ),
        Step(
            {
                "event": "ENVELOPE_DECLINED",
                "eventPayload": {
                    "envelopeId": e2,
                    "envelopeStatus": 4,
                    **start,
                    "envelopeEndTime": "1795060000000",
                    "declineSigner": {
                        "userEmail": "wang.fang@example.hk",
                        "userName": "王芳",
                        "signerMessage": "金额不对",
                    },
                },
            },
            "envelope.declined",
            e2,
            "2026-11-19T11:46:40+08:00",
            {"name": "王芳"},
        ),
        Step(
            {
                "event": "ENVELOPE_CANCEL",
                "eventPayload": {
                    "envelopeId": e3,
                    "envelopeStatus": 5,
                    **start,
                    "envelopeEndTime": "1795060000001",
                    "cancelInfo": {"reason": "发件人撤回"},
                },
            },
            "envelope.voided",
            e3,
            "2026-11-19T11:46:40.001000+08:00",
        ),
        Step(
            {
                "event": "ENVELOPE_EXPIRED",
                "eventPayload": {
                    "envelopeId": e4,
                    "envelopeStatus": 3,
                    **start,
                    "envelopeEndTime": "1795316400000",  # three days after the start
                },
            },
            "envelope.expired",
            e4,
            "2026-11-22T11:00:00+08:00",
        ),
    ]


# -- Documenso ---------------------------------------------------------------------------


def recipient(person: dict[str, str], rid: int, envelope: str, **state: Any) -> dict[str, Any]:
    return {
        "id": rid,
        "envelopeId": envelope,
        "documentId": 10,
        "templateId": None,
        "email": person["email"],
        "name": person["name"],
        "token": f"secret-token-{rid}",
        "documentDeletedAt": None,
        "expiresAt": None,
        "expirationNotifiedAt": None,
        "signedAt": state.get("signedAt"),
        "authOptions": None,
        "signingOrder": rid,
        "rejectionReason": state.get("rejectionReason"),
        "role": "SIGNER",
        "readStatus": state.get("readStatus", "NOT_OPENED"),
        "signingStatus": state.get("signingStatus", "NOT_SIGNED"),
        "sendStatus": state.get("sendStatus", "SENT"),
    }


def documenso(
    name: str, envelope: str, created: str, status: str, people: list[dict[str, Any]]
) -> dict[str, Any]:
    payload = {
        "id": 10,
        "envelopeId": envelope,
        "externalId": None,
        "userId": 7,
        "authOptions": None,
        "formValues": None,
        "visibility": "EVERYONE",
        "title": f"{CONTRACT}.pdf",
        "status": status,
        "createdAt": "2026-11-19T11:44:43.341Z",
        "updatedAt": created,
        "completedAt": None,
        "deletedAt": None,
        "teamId": 3,
        "templateId": None,
        "source": "DOCUMENT",
        "documentMeta": {
            "id": "cm1d4a4",
            "subject": f"请签署：{CONTRACT}",
            "message": "",
            "timezone": "Asia/Shanghai",
            "dateFormat": "yyyy-MM-dd hh:mm a",
            "redirectUrl": None,
            "signingOrder": "PARALLEL",
            "allowDictateNextSigner": False,
            "typedSignatureEnabled": True,
            "uploadSignatureEnabled": True,
            "drawSignatureEnabled": True,
            "language": "zh",
            "distributionMethod": "EMAIL",
            "emailSettings": None,
        },
        "recipients": people,
        "Recipient": people,
    }
    return {
        "event": name,
        "payload": payload,
        "createdAt": created,
        "webhookEndpoint": "https://ledger.example.cn/v1/hooks/documenso/hk",
    }


def documenso_flow() -> list[Step]:
    e1, e2, e3 = (
        "envelope_a2bdebb15408f801",
        "envelope_a2bdebb15408f802",
        "envelope_a2bdebb15408f803",
    )
    zhang = {"name": ZHANG["name"], "email": ZHANG["email"]}
    fresh = [recipient(ZHANG, 51, e1), recipient(LI, 52, e1)]
    opened = [recipient(ZHANG, 51, e1, readStatus="OPENED"), recipient(LI, 52, e1)]
    signed_one = [
        recipient(
            ZHANG,
            51,
            e1,
            readStatus="OPENED",
            signingStatus="SIGNED",
            signedAt="2026-11-19T12:02:05.688Z",
        ),
        recipient(LI, 52, e1),
    ]
    signed_two = [
        signed_one[0],
        recipient(
            LI,
            52,
            e1,
            readStatus="OPENED",
            signingStatus="SIGNED",
            signedAt="2026-11-19T12:30:00.000Z",
        ),
    ]
    rejected = [
        recipient(
            ZHANG, 61, e2, readStatus="OPENED", signingStatus="REJECTED", rejectionReason="条款有误"
        )
    ]
    return [
        Step(
            documenso(
                "DOCUMENT_CREATED",
                e1,
                "2026-11-19T11:44:44.000Z",
                "DRAFT",
                [recipient(ZHANG, 51, e1, sendStatus="NOT_SENT")],
            ),
            "envelope.created",
            e1,
            "2026-11-19T11:44:43.341000+00:00",
        ),
        Step(
            documenso("DOCUMENT_SENT", e1, "2026-11-19T11:45:00.100Z", "PENDING", fresh),
            "envelope.sent",
            e1,
            "2026-11-19T11:45:00.100000+00:00",
        ),
        Step(
            documenso("DOCUMENT_OPENED", e1, "2026-11-19T12:00:00.200Z", "PENDING", opened),
            "recipient.viewed",
            e1,
            "2026-11-19T12:00:00.200000+00:00",
            zhang,
        ),
        Step(
            documenso("DOCUMENT_SIGNED", e1, "2026-11-19T12:02:06.412Z", "PENDING", signed_one),
            "recipient.signed",
            e1,
            "2026-11-19T12:02:05.688000+00:00",
            zhang,
        ),
        Step(
            documenso("DOCUMENT_SIGNED", e1, "2026-11-19T12:30:01.000Z", "PENDING", signed_two),
            "recipient.signed",
            e1,
            "2026-11-19T12:30:00+00:00",
            {"name": LI["name"]},
        ),
        Step(
            documenso(
                "DOCUMENT_COMPLETED", e1, "2026-11-19T12:30:05.000Z", "COMPLETED", signed_two
            ),
            "envelope.completed",
            e1,
            "2026-11-19T12:30:05+00:00",
        ),
        Step(
            documenso("DOCUMENT_REJECTED", e2, "2026-11-19T13:00:00.000Z", "REJECTED", rejected),
            "envelope.declined",
            e2,
            "2026-11-19T13:00:00+00:00",
            zhang,
        ),
        Step(
            documenso(
                "DOCUMENT_CANCELLED",
                e3,
                "2026-11-19T14:00:00.000Z",
                "PENDING",
                [recipient(LI, 71, e3)],
            ),
            "envelope.voided",
            e3,
            "2026-11-19T14:00:00+00:00",
        ),
    ]


# -- DocuSeal ----------------------------------------------------------------------------


def submitter(person: dict[str, str], sid: int, submission: int, **state: Any) -> dict[str, Any]:
    return {
        "id": sid,
        "submission_id": submission,
        "email": person["email"],
        "phone": "+86" + person["phone"],
        "name": person["name"],
        "ua": "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X)",
        "ip": "198.51.100.77",
        "sent_at": "2026-11-19T10:00:01.000Z",
        "opened_at": state.get("opened_at"),
        "completed_at": state.get("completed_at"),
        "declined_at": state.get("declined_at"),
        "created_at": "2026-11-19T10:00:00.101Z",
        "updated_at": "2026-11-19T10:02:31.600Z",
        "external_id": "HR-2026-001",
        "metadata": {},
        "status": state.get("status", "sent"),
        "application_key": None,
        "decline_reason": state.get("decline_reason"),
        "role": "乙方",
        "preferences": {"send_email": True},
        "values": [{"field": "姓名", "value": person["name"]}],
        "documents": [{"name": CONTRACT, "url": "https://docuseal.example.cn/file/x?expires_at=1"}],
        "audit_log_url": None,
        "submission_url": "https://docuseal.example.cn/e/8d5fd911",
        "template": {
            "id": 31,
            "name": CONTRACT,
            "external_id": None,
            "created_at": "2026-10-01T02:00:00.000Z",
            "updated_at": "2026-10-01T02:00:00.000Z",
            "folder_name": "Default",
        },
        "submission": {
            "id": submission,
            "audit_log_url": None,
            "combined_document_url": None,
            "status": "pending",
            "url": "https://docuseal.example.cn/e/8d5fd911",
            "variables": {},
            "created_at": "2026-11-19T10:00:00.101Z",
        },
    }


def submission(sid: int, **state: Any) -> dict[str, Any]:
    return {
        "id": sid,
        "name": CONTRACT,
        "slug": f"s{sid}",
        "source": "invite",
        "submitters_order": "random",
        "expire_at": state.get("expire_at"),
        "archived_at": None,
        "created_at": "2026-11-19T10:00:00.101Z",
        "updated_at": "2026-11-19T10:00:00.101Z",
        "audit_log_url": None,
        "combined_document_url": None,
        "status": state.get("status", "pending"),
        "submitters": [{"id": 1201, "submission_id": sid, "uuid": "u1", "email": ZHANG["email"]}],
        "template": {"id": 31, "name": CONTRACT},
    }


def docuseal_flow() -> list[Step]:
    person = {"name": ZHANG["name"], "email": ZHANG["email"], "ip": "198.51.100.77", "role": "乙方"}
    return [
        Step(
            {
                "event_type": "submission.created",
                "timestamp": "2026-11-19T10:00:00.120Z",
                "data": submission(501),
            },
            "envelope.created",
            "501",
            "2026-11-19T10:00:00.101000+00:00",
        ),
        Step(
            {
                "event_type": "form.viewed",
                "timestamp": "2026-11-19T10:01:12.310Z",
                "data": submitter(
                    ZHANG, 1201, 501, opened_at="2026-11-19T10:01:12.300Z", status="opened"
                ),
            },
            "recipient.viewed",
            "501",
            "2026-11-19T10:01:12.300000+00:00",
            person,
        ),
        Step(
            {
                "event_type": "form.completed",
                "timestamp": "2026-11-19T10:02:32.044Z",
                "data": submitter(
                    ZHANG,
                    1201,
                    501,
                    opened_at="2026-11-19T10:01:12.300Z",
                    completed_at="2026-11-19T10:02:31.512Z",
                    status="completed",
                ),
            },
            "recipient.signed",
            "501",
            "2026-11-19T10:02:31.512000+00:00",
            person,
        ),
        Step(
            {
                "event_type": "submission.completed",
                "timestamp": "2026-11-19T10:02:33.000Z",
                "data": submission(501, status="completed"),
            },
            "envelope.completed",
            "501",
            "2026-11-19T10:02:33+00:00",
        ),
        Step(
            {
                "event_type": "form.declined",
                "timestamp": "2026-11-19T11:00:00.000Z",
                "data": submitter(
                    LI,
                    1301,
                    502,
                    declined_at="2026-11-19T10:59:59.000Z",
                    status="declined",
                    decline_reason="条款有误",
                ),
            },
            "recipient.declined",
            "502",
            "2026-11-19T10:59:59+00:00",
            {"name": LI["name"]},
        ),
        Step(
            {
                "event_type": "submission.expired",
                "timestamp": "2026-11-26T10:00:00.000Z",
                "data": submission(503, expire_at="2026-11-26T10:00:00.000Z", status="expired"),
            },
            "envelope.expired",
            "503",
            "2026-11-26T10:00:00+00:00",
        ),
    ]


# -- OpenSign ----------------------------------------------------------------------------


def opensign(name: str, object_id: str, **fields: Any) -> dict[str, Any]:
    return {
        "event": name,
        "type": "request-sign",
        "objectId": object_id,
        "file": "https://opensign-files.example.cn/doc.pdf?X-Amz-Expires=900&X-Amz-Signature=ab",
        "name": CONTRACT,
        "note": "请审阅并签署",
        "description": "",
        "signers": [{"name": ZHANG["name"], "email": ZHANG["email"], "phone": ZHANG["phone"]}],
        **fields,
    }


def opensign_flow() -> list[Step]:
    o1, o2 = "kpeg6Q2rO7", "1gtDMBHpEY"
    zhang = {"name": ZHANG["name"], "email": ZHANG["email"], "phone": ZHANG["phone"]}
    created = "Thu, 19 Nov 2026 15:02:28 IST"
    signed = opensign(
        "signed",
        o1,
        signer=zhang,
        signedAt="Thu, 19 Nov 2026 16:18:34 GMT+5:30",
        createdAt="Thu, 19 Nov 2026 15:02:28 GMT+5:30",
    )
    del signed["signers"]
    return [
        Step(
            opensign("created", o1, createdAt=created),
            "envelope.created",
            o1,
            "2026-11-19T15:02:28+05:30",
        ),
        Step(
            opensign(
                "viewed",
                o1,
                viewedBy=ZHANG["email"],
                viewedAt="Thu, 19 Nov 2026 16:18:16 IST",
                createdAt=created,
            ),
            "recipient.viewed",
            o1,
            "2026-11-19T16:18:16+05:30",
            zhang,
        ),
        Step(signed, "recipient.signed", o1, "2026-11-19T16:18:34+05:30", zhang),
        Step(
            opensign(
                "completed",
                o1,
                certificate="https://opensign-files.example.cn/cert.pdf?X-Amz-Expires=900",
                completedAt="Thu, 19 Nov 2026 18:48:35 GMT+8",
                createdAt=created,
            ),
            "envelope.completed",
            o1,
            "2026-11-19T18:48:35+08:00",
        ),
        Step(
            opensign(
                "declined",
                o2,
                declinedBy=ZHANG["email"],
                declinedReason="日期格式错误",
                declinedAt="Thu, 19 Nov 2026 07:55:38 GMT-3",
                createdAt=created,
            ),
            "envelope.declined",
            o2,
            "2026-11-19T07:55:38-03:00",
            zhang,
        ),
    ]


FLOWS = {
    "docusign": docusign_flow,
    "adobesign": adobesign_flow,
    "esign": esign_flow,
    "esignglobal": esignglobal_flow,
    "documenso": documenso_flow,
    "docuseal": docuseal_flow,
    "opensign": opensign_flow,
}
