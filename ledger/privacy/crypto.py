"""AES-256-GCM of what the database keeps of personal data (docs/privacy.md).

A sealed value is ``nonce (12 bytes) || ciphertext || tag``; the nonce is random (a data
key seals far fewer than 2^32 values). The associated data binds a ciphertext to its
row, so that a ciphertext copied to another row, tenant or log does not open there:

- an event body: its tenant id, log id and seq; the plaintext is ``salt || event``
  (the 32-byte salt, then the RFC 8785 event);
- a request body as received: its tenant id and SHA-256;
- a data key, wrapped by the tenant key: the tenant name, the key id and the subject id.
"""

from __future__ import annotations

import struct

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

NONCE = 12
KEY_BYTES = 32


def body_aad(tenant_id: int, log_id: int, seq: int) -> bytes:
    return b"ledger-body/v1\x00" + struct.pack(">QQQ", tenant_id, log_id, seq)


def delivery_aad(tenant_id: int, sha256: bytes) -> bytes:
    return b"ledger-delivery/v1\x00" + struct.pack(">Q", tenant_id) + sha256


def key_aad(tenant: str, key_id: int, subject_id: bytes) -> bytes:
    return (
        b"ledger-data-key/v1\x00"
        + tenant.encode()
        + b"\x00"
        + struct.pack(">Q", key_id)
        + subject_id
    )


def seal(aead: AESGCM, nonce: bytes, plaintext: bytes, aad: bytes) -> bytes:
    return nonce + aead.encrypt(nonce, plaintext, aad)


def unseal(aead: AESGCM, sealed: bytes, aad: bytes) -> bytes:
    """The plaintext; ``cryptography.exceptions.InvalidTag`` if it was altered or moved."""
    return aead.decrypt(sealed[:NONCE], sealed[NONCE:], aad)
