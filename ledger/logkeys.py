"""The log's Ed25519 signing keys (docs/design/EVIDENCE-FORMAT.md §4).

Private keys are files under ``<data dir>/keys/`` (golang note ``PRIVATE+KEY+...`` text,
mode 0600); the ``signing_keys`` table lists them with their verifier keys. Rotation
adds a key and gives the old ones a ``retire_at``: until then checkpoints carry both
signatures, so verifiers holding either key keep working.
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Connection, insert, or_, select, update

from ledger.clock import aware
from ledger.errors import Unavailable
from ledger.storage.models import SigningKey
from verifier.checkpoint import NoteSigner

CACHE_SECONDS = 5.0  # how soon every worker notices a rotation


@dataclass(frozen=True)
class KeyInfo:
    vkey: str
    created_at: datetime
    retire_at: datetime | None

    def status(self, now: datetime) -> str:
        if self.retire_at is None:
            return "active"
        return "retiring" if aware(self.retire_at) > now else "retired"


class LogKeys:
    def __init__(self, keys_dir: Path, log_id: int, key_name: str) -> None:
        self.keys_dir = keys_dir
        self.log_id = log_id
        self.key_name = key_name
        self._lock = threading.Lock()
        self._signers: list[NoteSigner] = []
        self._loaded_at = -CACHE_SECONDS

    def create(self, conn: Connection, now: datetime) -> NoteSigner:
        """Generate a key, write its file (0600) and list it."""
        signer = NoteSigner.generate(self.key_name)
        self.keys_dir.mkdir(parents=True, exist_ok=True)
        name = f"log-{signer.key_id.hex()}.key"
        fd = os.open(self.keys_dir / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(signer.skey + "\n")
        conn.execute(
            insert(SigningKey).values(
                log_id=self.log_id, vkey=signer.vkey, file=name, created_at=now, retire_at=None
            )
        )
        return signer

    def rotate(self, conn: Connection, now: datetime, overlap: timedelta) -> NoteSigner:
        """A new key; the current ones keep signing for ``overlap``, then retire."""
        conn.execute(
            update(SigningKey)
            .where(SigningKey.log_id == self.log_id, SigningKey.retire_at.is_(None))
            .values(retire_at=now + overlap)
        )
        signer = self.create(conn, now)
        self._loaded_at = -CACHE_SECONDS
        return signer

    def signers(self, conn: Connection) -> list[NoteSigner]:
        """The keys that sign now (cached for a few seconds)."""
        with self._lock:
            if time.monotonic() - self._loaded_at > CACHE_SECONDS:
                self._signers = self._load(conn)
                self._loaded_at = time.monotonic()
            return self._signers

    def _load(self, conn: Connection) -> list[NoteSigner]:
        now = datetime.now(UTC)
        rows = conn.execute(
            select(SigningKey.file)
            .where(SigningKey.log_id == self.log_id)
            .where(or_(SigningKey.retire_at.is_(None), SigningKey.retire_at > now))
            .order_by(SigningKey.id)
        ).scalars()
        signers = [self._read(file) for file in rows]
        if not signers:
            raise Unavailable("the log has no signing key; run `ledger init`")
        return signers

    def _read(self, file: str) -> NoteSigner:
        path = self.keys_dir / file
        try:
            return NoteSigner.from_skey(path.read_text(encoding="ascii").strip())
        except OSError as e:
            raise Unavailable(f"cannot read the log key {path}: {e.strerror}") from e

    def listing(self, conn: Connection) -> list[KeyInfo]:
        """Every key the log ever used, newest first: verifiers need old keys for old notes."""
        rows = conn.execute(
            select(SigningKey.vkey, SigningKey.created_at, SigningKey.retire_at)
            .where(SigningKey.log_id == self.log_id)
            .order_by(SigningKey.id.desc())
        )
        return [
            KeyInfo(r.vkey, aware(r.created_at), r.retire_at and aware(r.retire_at)) for r in rows
        ]
