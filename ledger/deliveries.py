"""The request bodies the ledger received, kept as they arrived (table ``delivery_bodies``;
docs/api.md, "Request bodies as received").

A leaf records ``source.delivery_sha256``, the SHA-256 of the request body that carried
its event; the body itself is kept, written in the transaction of the events it
produced (``ledger.appender``), so that the original message, signed by the platform
where it signs, can be produced in court: a platform's webhook delivery byte for byte,
or an API request as the client sent it. The same bytes again store nothing.

The bodies hold personal data (names, e-mail addresses, IP addresses, signed PDFs):
they are readable only by the tenant's read keys and the admin, like event bodies.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import Connection, select

from ledger.errors import InvalidInput, NotFound
from ledger.privacy.at_rest import open_delivery
from ledger.privacy.keys import DataKeys
from ledger.storage.models import DeliveryBody

SHA256_HEX = re.compile(r"[0-9a-f]{64}\Z")
OCTET_STREAM = "application/octet-stream"


@dataclass(frozen=True)
class StoredBody:
    sha256: str
    channel: str
    content_type: str  # as declared by the sender, else application/octet-stream
    received_at: str
    body: bytes


def parse_sha256(value: str) -> bytes:
    """A body's name as the leaf writes it: 64 lowercase hex digits."""
    if not SHA256_HEX.match(value):
        raise InvalidInput(
            "a delivery is named by its SHA-256: 64 lowercase hex digits", field="sha256"
        )
    return bytes.fromhex(value)


def read_body(conn: Connection, data_keys: DataKeys, tenant_id: int, sha256: str) -> StoredBody:
    """The body of ``tenant_id`` whose SHA-256 is ``sha256`` (hex), opened (it is sealed:
    ``ledger.privacy.at_rest``); 404 if none, or if it was erased."""
    digest = parse_sha256(sha256)
    row = conn.execute(
        select(
            DeliveryBody.channel,
            DeliveryBody.content_type,
            DeliveryBody.received_at,
            DeliveryBody.key_id,
            DeliveryBody.body,
        ).where(DeliveryBody.tenant_id == tenant_id, DeliveryBody.sha256 == digest)
    ).first()
    body = None
    if row is not None:
        body = open_delivery(data_keys, conn, tenant_id, digest, row.key_id, row.body)
    if row is None or body is None:
        raise NotFound(f"no delivery {sha256} for this tenant")
    return StoredBody(sha256, row.channel, row.content_type or OCTET_STREAM, row.received_at, body)
