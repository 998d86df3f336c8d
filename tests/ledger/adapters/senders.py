"""What the platforms do when they send: a tiny, obviously-correct reference of each
signature scheme (shared/webhooks/README.md, "Reference code"), independent of
``ledger.adapters``, and the HTTP plumbing the tests share.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from ledger import clock, hooks
from ledger.service import Ledger
from verifier.leaf import Leaf, parse_leaf

DATA = Path(__file__).parent.parent.parent / "data" / "webhooks"
PLATFORMS = ("docusign", "adobesign", "esign", "esignglobal", "documenso", "docuseal", "opensign")
TIMESTAMPED = ("esign", "esignglobal", "docuseal")
AUTHENTICATED = {
    "docusign": "hmac",
    "adobesign": "client-id-echo",
    "esign": "hmac",
    "esignglobal": "hmac",
    "documenso": "shared-secret",
    "docuseal": "hmac",
    "opensign": "hmac",
}
ESIGN_APP_ID = "7439000001"
# Where each platform's body names its event (the platform's own event name).
EVENT_NAME = {
    "docusign": "event",
    "adobesign": "event",
    "esign": "action",
    "esignglobal": "event",
    "documenso": "event",
    "docuseal": "event_type",
    "opensign": "event",
}


def hmac256(key: str, message: bytes) -> bytes:
    return hmac.new(key.encode("utf-8"), message, hashlib.sha256).digest()


def query_values(path_query: str) -> bytes:
    pairs = parse_qsl(urlsplit(path_query).query, keep_blank_values=True)
    return "".join(v for _, v in sorted(pairs, key=lambda kv: kv[0])).encode("utf-8")


def docusign(keys: list[str], body: bytes) -> dict[str, str]:
    """One X-DocuSign-Signature-N per active Connect key."""
    headers = {"Content-Type": "application/json; charset=utf-8"}
    headers["X-Authorization-Digest"] = "HMACSHA256"
    for n, key in enumerate(keys, 1):
        headers[f"X-DocuSign-Signature-{n}"] = base64.b64encode(hmac256(key, body)).decode()
    return headers


def tsign(secret: str, millis: int, path_query: str, body: bytes) -> dict[str, str]:
    """e签宝 v3 (and, assumed, eSignGlobal): TIMESTAMP + sorted query values + body."""
    stamp = str(millis)
    signature = hmac256(secret, stamp.encode() + query_values(path_query) + body).hex()
    return {
        "Content-Type": "application/json;charset=UTF-8",
        "X-Tsign-Open-App-Id": ESIGN_APP_ID,
        "X-Tsign-Open-SIGNATURE-ALGORITHM": "hmac-sha256",
        "X-Tsign-Open-TIMESTAMP": stamp,
        "X-Tsign-Open-SIGNATURE": signature,
    }


def docuseal(secret: str, seconds: int, body: bytes) -> dict[str, str]:
    signature = hmac256(secret, f"{seconds}.".encode() + body).hex()
    return {
        "Content-Type": "application/json",
        "User-Agent": "DocuSeal.com Webhook",
        "X-Docuseal-Signature": f"{seconds}.{signature}",
    }


def opensign(key: str, body: bytes) -> dict[str, str]:
    return {"Content-Type": "application/json", "x-webhook-signature": hmac256(key, body).hex()}


def documenso(secret: str) -> dict[str, str]:
    return {"Content-Type": "application/json", "X-Documenso-Secret": secret}


def adobesign(client_id: str) -> dict[str, str]:
    return {"Content-Type": "application/json", "X-AdobeSign-ClientId": client_id}


def sign(
    platform: str, secret: str, body: bytes, now: datetime, path_query: str = ""
) -> dict[str, str]:
    """Headers a platform sends with ``body`` at ``now``; for Adobe ``secret`` is the client id."""
    millis = int(now.timestamp() * 1000)
    senders: dict[str, Callable[[], dict[str, str]]] = {
        "docusign": lambda: docusign([secret], body),
        "adobesign": lambda: adobesign(secret),
        "esign": lambda: tsign(secret, millis, path_query, body),
        "esignglobal": lambda: tsign(secret, millis, path_query, body),
        "documenso": lambda: documenso(secret),
        "docuseal": lambda: docuseal(secret, int(now.timestamp()), body),
        "opensign": lambda: opensign(secret, body),
    }
    return senders[platform]()


# -- the sample deliveries -------------------------------------------------------------


def samples(platform: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((DATA / f"{platform}.json").read_text(encoding="utf-8"))
    return loaded


def restamp(platform: str, secret: str, delivery: dict[str, Any], now: datetime) -> dict[str, str]:
    """The delivery's headers with its signed timestamp moved to ``now - age`` and the
    signature recomputed the way the original was (a refused delivery keeps its defect:
    no timestamp prefix, no query values, or a signature that is no HMAC at all)."""
    headers = dict(delivery["headers"])
    received = datetime.fromisoformat(delivery["received_at"])
    body = delivery["body"].encode("utf-8")
    if platform == "docuseal":
        stamp, signature = headers["X-Docuseal-Signature"].split(".", 1)
        variants = {
            "standard": lambda ts: hmac256(secret, f"{ts}.".encode() + body).hex(),
            "body only": lambda ts: hmac256(secret, body).hex(),
        }
        seconds = int(now.timestamp()) - (int(received.timestamp()) - int(stamp))
        made = _variant(variants, stamp, signature)
        headers["X-Docuseal-Signature"] = f"{seconds}.{made(seconds) if made else signature}"
    elif platform in ("esign", "esignglobal"):
        stamp = headers["X-Tsign-Open-TIMESTAMP"]
        values = query_values(delivery["path_query"])
        variants = {
            "standard": lambda ts: hmac256(secret, f"{ts}".encode() + values + body).hex(),
            "no query": lambda ts: hmac256(secret, f"{ts}".encode() + body).hex(),
        }
        age = int(received.timestamp() * 1000) - int(stamp)
        millis = int(now.timestamp() * 1000) - age
        made = _variant(variants, stamp, headers["X-Tsign-Open-SIGNATURE"])
        headers["X-Tsign-Open-TIMESTAMP"] = str(millis)
        if made:
            headers["X-Tsign-Open-SIGNATURE"] = made(millis)
    return headers


def _variant(
    variants: dict[str, Callable[[Any], str]], stamp: str, signature: str
) -> Callable[[Any], str] | None:
    for make in variants.values():
        if hmac.compare_digest(make(stamp), signature):
            return make
    return None


# -- HTTP ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Hook:
    platform: str
    id: str
    secret: str  # the client id for Adobe

    def url(self, query: str = "") -> str:
        return f"/v1/hooks/{self.platform}/{self.id}" + (f"?{query}" if query else "")


def service(app: Flask) -> Ledger:
    ledger: Ledger = app.extensions["ledger"]
    return ledger


def make_hook(
    app: Flask,
    platform: str,
    secret: str,
    tenant: str = "acme",
    window: int | None = None,
    query: str | None = None,
    networks: tuple[str, ...] = (),
) -> Hook:
    """A hook of ``tenant`` configured as the platform's fixtures expect (e签宝 and
    eSignGlobal registered with ``query``, when their URL has one)."""
    with service(app).db.writing() as conn:
        if platform == "adobesign":
            made = hooks.create_hook(
                conn, tenant, platform, now=clock.now(), client_id=secret, networks=networks
            )
        else:
            client_id = ESIGN_APP_ID if platform == "esign" else None
            made = hooks.create_hook(
                conn,
                tenant,
                platform,
                now=clock.now(),
                secret=secret,
                client_id=client_id,
                window=window,
                query=query,
                networks=networks,
            )
    return Hook(platform, made.id, secret)


def send(
    client: FlaskClient,
    hook: Hook,
    body: bytes,
    *,
    now: datetime | None = None,
    query: str = "",
    headers: dict[str, str] | None = None,
) -> TestResponse:
    """POST ``body`` signed as the platform signs (or with ``headers`` as given)."""
    sent = headers or sign(hook.platform, hook.secret, body, now or clock.now(), f"?{query}")
    return client.post(hook.url(query), data=body, headers=sent)


def tree_size(client: FlaskClient) -> int:
    size: int = client.get("/healthz").get_json()["size"]
    return size


def leaves(response: TestResponse) -> list[Leaf]:
    return [parse_leaf(base64.b64decode(r["leaf"])) for r in response.get_json()["receipts"]]


def compact(value: Any, ascii_only: bool = False) -> bytes:
    """A body as the platforms send it: compact JSON, raw UTF-8 (or \\u escapes)."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=ascii_only).encode("utf-8")
