"""Standard Webhooks 1.0 symmetric signatures (spec/standard-webhooks.md, "Signature
scheme" and "Webhook headers"): HMAC-SHA256 over ``{webhook-id}.{webhook-timestamp}.{body}``,
sent as ``webhook-signature: v1,<base64>``; secrets are ``whsec_<base64 of 24-64 bytes>``."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
from collections.abc import Mapping

from ledger.errors import InvalidInput

SECRET_PREFIX = "whsec_"  # noqa: S105  the spec's marker of a secret, not a secret
SECRET_BYTES = 32
MIN_SECRET_BYTES, MAX_SECRET_BYTES = 24, 64  # the spec: 192 bits at least, 512 at most
VERSION = "v1"
TOLERANCE_SECONDS = 300  # what the reference libraries accept either side of their clock


class SignatureMismatch(ValueError):
    """A delivery whose headers do not verify; the message says which check failed."""


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def secret_key(secret: str) -> bytes:
    """The HMAC key of a ``whsec_`` secret; 400 if it is not one."""
    if not secret.startswith(SECRET_PREFIX):
        raise InvalidInput(f"a signing secret starts with {SECRET_PREFIX}", field="secret")
    try:
        key = base64.b64decode(secret[len(SECRET_PREFIX) :], validate=True)
    except (binascii.Error, ValueError):
        raise InvalidInput("a signing secret is whsec_ and base64", field="secret") from None
    if not MIN_SECRET_BYTES <= len(key) <= MAX_SECRET_BYTES:
        raise InvalidInput(
            f"a signing secret holds {MIN_SECRET_BYTES} to {MAX_SECRET_BYTES} bytes, "
            f"not {len(key)}",
            field="secret",
        )
    return key


def sign(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    """The ``webhook-signature`` value: ``v1,`` and the base64 HMAC-SHA256."""
    signed = f"{msg_id}.{timestamp}.".encode() + body
    digest = hmac.new(secret_key(secret), signed, hashlib.sha256).digest()
    return f"{VERSION},{base64.b64encode(digest).decode()}"


def headers(secret: str, msg_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": sign(secret, msg_id, timestamp, body),
    }


def verify(
    secret: str,
    received: Mapping[str, str],
    body: bytes,
    now: int,
    tolerance: int = TOLERANCE_SECONDS,
) -> None:
    """What a receiver does: headers present, timestamp within ``tolerance`` of ``now``,
    one ``v1`` signature equal in constant time; raises ``SignatureMismatch`` otherwise."""
    lower = {k.lower(): v for k, v in received.items()}
    msg_id, stamp, signatures = (
        lower.get("webhook-id"),
        lower.get("webhook-timestamp"),
        lower.get("webhook-signature"),
    )
    if not (msg_id and stamp and signatures):
        raise SignatureMismatch("webhook-id, webhook-timestamp and webhook-signature are required")
    if not stamp.isdigit():
        raise SignatureMismatch(f"webhook-timestamp {stamp!r} is not Unix seconds")
    if abs(now - int(stamp)) > tolerance:
        raise SignatureMismatch(f"webhook-timestamp {stamp} is over {tolerance} s from {now}")
    expected = sign(secret, msg_id, int(stamp), body)
    for candidate in signatures.split(" "):
        if hmac.compare_digest(candidate.encode(), expected.encode()):
            return
    raise SignatureMismatch("no v1 signature in webhook-signature matches")
