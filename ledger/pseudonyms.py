"""Keyed pseudonyms for the parts of ids that come from personal data (docs/evidence-format.md,
"Public leaf fields"; docs/operator-guide.md, "Keys").

A leaf keeps ``event_id`` and ``envelope_id`` in clear, and leaves travel to audit keys,
exports and mirrors where erasure cannot reach them. Where an adapter derives an id from
an e-mail address or a phone number (OpenSign, eSignGlobal) or from a platform's
identifier of a person (e签宝's ``psnId``), that part goes in as
``HMAC-SHA256(key, scope || 0x00 || value)``, cut to 128 bits: the same on every retry,
useless without the key, and scoped to one envelope so that one person's pseudonyms do
not link their envelopes together.

The key is one deployment secret, ``<data dir>/keys/pseudonym.key`` (32 random bytes,
hex, mode 0600), made by ``ledger init`` and shared by every worker and host like the
log keys. Losing or replacing it changes the ids of future events: a redelivery of an
event appended before would then be a second entry, not a repeat.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

from ledger.errors import Unavailable

KEY_FILE = "pseudonym.key"
KEY_BYTES = 32
PSEUDONYM_HEX = 32  # 128 bits: ids need uniqueness inside one envelope, not more


class PseudonymKey:
    """The deployment's pseudonym key; ``pseudonym`` is the one keyed hash of ids."""

    def __init__(self, key: bytes) -> None:
        if len(key) < 16:
            raise ValueError("a pseudonym key has at least 16 bytes")
        self._key = key

    def pseudonym(self, scope: str, value: str) -> str:
        """The pseudonym of ``value`` (an e-mail address, a phone number, a person's id)
        inside ``scope`` (the envelope id); e-mail addresses compare case-insensitively."""
        message = scope.encode("utf-8") + b"\x00" + value.strip().lower().encode("utf-8")
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()[:PSEUDONYM_HEX]

    def keyed(self, message: bytes) -> bytes:
        """HMAC-SHA256 of ``message`` under the key, whole (the keyed ids of data subjects,
        ``ledger.privacy.subjects``, whose messages carry a domain prefix of their own)."""
        return hmac.digest(self._key, message, "sha256")

    @classmethod
    def load(cls, keys_dir: Path) -> PseudonymKey:
        path = keys_dir / KEY_FILE
        try:
            text = path.read_text(encoding="ascii").strip()
        except OSError as e:
            raise Unavailable(
                f"cannot read the pseudonym key {path} ({e.strerror}): run `ledger init`, "
                "or copy keys/ from another host of this ledger"
            ) from e
        try:
            return cls(bytes.fromhex(text))
        except ValueError as e:
            raise Unavailable(f"the pseudonym key {path} is not 32 bytes of hex") from e


def ensure_key(keys_dir: Path) -> bool:
    """Create the key file (mode 0600) unless it exists; True if it was created."""
    keys_dir.mkdir(parents=True, exist_ok=True)
    path = keys_dir / KEY_FILE
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return False
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write(secrets.token_hex(KEY_BYTES) + "\n")
    return True
