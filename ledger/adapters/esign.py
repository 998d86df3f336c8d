"""e签宝 open platform v3 callbacks (docs/platforms/esign.md).

Signature (e签宝 回调通知接收说明 §3.2 签名验签模式): lowercase hex
HMAC-SHA256(app secret, TIMESTAMP + query values sorted by key + raw body), with
TIMESTAMP the ``X-Tsign-Open-TIMESTAMP`` header in milliseconds. ``TsignScheme``
holds the header names and the signed-string composition in one place, because
eSignGlobal is assumed to use the same scheme (esignglobal.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl

from ledger.adapters.base import (
    Adapter,
    Credentials,
    Delivery,
    Event,
    check_age,
    event,
    extension_type,
    header_bytes,
    hmac_sha256,
    json_object,
    optional_text,
    refuse,
    same,
    text,
)
from ledger.adapters.facts import occurred
from ledger.adapters.times import MILLIS, MILLIS_MAX, china_time

MAX_AHEAD = 300  # seconds a signed timestamp may be ahead of our clock


@dataclass(frozen=True)
class TsignScheme:
    """The e签宝 notification service's signature (also assumed for eSignGlobal)."""

    timestamp_header: str = "X-Tsign-Open-TIMESTAMP"
    signature_header: str = "X-Tsign-Open-SIGNATURE"
    algorithm_header: str = "X-Tsign-Open-SIGNATURE-ALGORITHM"
    app_id_header: str = "X-Tsign-Open-App-Id"

    def signed_bytes(self, timestamp: str, query: str, body: bytes) -> bytes:
        """TIMESTAMP + values of the callback URL's query, sorted by key, + the raw body.

        Values are decoded as a servlet's getParameter or PHP's $_GET sees them.
        """
        pairs = parse_qsl(query, keep_blank_values=True)
        values = "".join(value for _, value in sorted(pairs, key=lambda pair: pair[0]))
        return timestamp.encode("ascii") + values.encode("utf-8") + body

    def verify(self, delivery: Delivery, credentials: Credentials, check_app_id: bool) -> str:
        if delivery.query != credentials.query:
            # The signed string joins timestamp, query values and body without separators:
            # only the query the hook was registered with fixes where each part ends.
            raise refuse(
                "unexpected_query",
                "the query string is not the one this hook was registered with "
                "(ledger hook create --query)",
            )
        algorithm = delivery.header(self.algorithm_header)
        if algorithm is not None and algorithm.strip().lower() != "hmac-sha256":
            raise refuse("unsupported_algorithm", f"{self.algorithm_header} is {algorithm!r}")
        stamp, sent = delivery.header(self.timestamp_header), delivery.header(self.signature_header)
        if stamp is None or sent is None:
            raise refuse(
                "missing_signature", f"{self.timestamp_header} and {self.signature_header} needed"
            )
        stamp = stamp.strip()
        if not MILLIS.match(stamp) or int(stamp) > MILLIS_MAX:
            raise refuse("bad_timestamp", f"{self.timestamp_header} is not epoch milliseconds")
        moment = datetime.fromtimestamp(int(stamp) / 1000, UTC)
        check_age(moment, delivery.now, credentials.window, min(credentials.window, MAX_AHEAD))
        if check_app_id and credentials.client_id is not None:
            app_id = delivery.header(self.app_id_header) or ""
            if not same(credentials.client_id.encode("utf-8"), header_bytes(app_id)):
                raise refuse("app_id_mismatch", f"{self.app_id_header} is not this hook's app id")
        message = self.signed_bytes(stamp, delivery.query, delivery.body)
        received = header_bytes(sent).lower()
        for secret in credentials.secrets:
            if same(hmac_sha256(secret, message).hex().encode("ascii"), received):
                return "hmac"
        raise refuse("signature_mismatch", f"{self.signature_header} does not match")


SCHEME = TsignScheme()
FLOW_TYPES = {
    "2": "envelope.completed",
    "3": "envelope.voided",
    "5": "envelope.expired",
    "7": "envelope.declined",
}
SIGN_RESULTS = {"2": "recipient.signed", "4": "recipient.declined"}
TYPES = {
    "SIGN_FLOW_INITIATED": "envelope.sent",
    "OPERATOR_READ": "recipient.viewed",
    "TRANSMISS_SIGN": "recipient.delegated",
}
TIME_FIELDS = {
    "SIGN_MISSON_COMPLETE": "operateTime",
    "SIGN_FLOW_COMPLETE": "signFlowFinishTime",
    "OPERATOR_READ": "readTime",
}


class Esign(Adapter):
    slug = "esign"
    methods = frozenset({"POST"})
    # e签宝 documents no replay window; 24 h covers its 16 retries (about 4 h 46 min)
    # whether or not it re-stamps the header per attempt (docs/platforms/esign.md).
    default_window = 86400

    def authenticate(self, delivery: Delivery, credentials: Credentials) -> str:
        return SCHEME.verify(delivery, credentials, check_app_id=True)

    def parse(self, delivery: Delivery) -> list[Event]:
        body = json_object(delivery.body)
        action = text(body, "action")
        flow_id = text(body, "signFlowId")
        stamp = text(body, "timestamp")
        act = TIME_FIELDS.get(action)
        when = occurred(
            [(act, body.get(act))] if act else [], ("timestamp", body["timestamp"]), china_time
        )
        operator = _object(body, "operator")
        account = _object(operator, "psnAccount")
        person_id = optional_text(operator, "psnId")
        organization = _object(body, "organization")
        type_ = _type(action, body)
        # psnId names a person across every flow: in the public leaf only as a pseudonym.
        person = f":{delivery.ids.pseudonym(flow_id, person_id)}" if person_id else ""
        return [
            event(
                event_id=f"esign:{flow_id}:{action}:{stamp}{person}",
                type=type_,
                occurred_at=when.at,
                envelope_id=flow_id,
                actor={
                    "email": optional_text(account, "accountEmail"),
                    "phone": optional_text(account, "accountMobile"),
                },
                # The body is the first attempt's on every retry ("如重试多次均返回第一次时间").
                data={
                    "platform_event": action,
                    **when.data(),
                    "custom_biz_num": optional_text(body, "customBizNum"),
                    "sign_order": body.get("signOrder"),
                    "sign_result": body.get("signResult"),
                    "result_description": optional_text(body, "resultDescription"),
                    **_reason(type_, body),
                    "title": optional_text(body, "signFlowTitle"),
                    "sign_flow_status": optional_text(body, "signFlowStatus"),
                    "status_description": optional_text(body, "statusDescription"),
                    "psn_id": person_id,
                    "org_id": optional_text(organization, "orgId"),
                    "org_name": optional_text(organization, "orgName"),
                },
            )
        ]


def _object(parent: dict[str, Any], key: str) -> dict[str, Any]:
    value = parent.get(key)
    return value if isinstance(value, dict) else {}


def _reason(type_: str, body: dict[str, Any]) -> dict[str, str | None]:
    """A refusal's ``resultDescription`` (拒签 with its reason) is the decline reason."""
    reason = optional_text(body, "resultDescription") if type_ == "recipient.declined" else None
    return {"decline_reason": reason}


def _type(action: str, body: dict[str, Any]) -> str:
    if action == "SIGN_MISSON_COMPLETE":
        found = SIGN_RESULTS.get(optional_text(body, "signResult") or "")
    elif action == "SIGN_FLOW_COMPLETE":
        found = FLOW_TYPES.get(optional_text(body, "signFlowStatus") or "")
    else:
        found = TYPES.get(action)
    return found or extension_type("esign", action)
