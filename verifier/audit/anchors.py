"""The anchors of an export: RFC 3161 tokens over its checkpoints (docs/design/EVIDENCE-FORMAT.md
§5).

Each anchor record gets the two checks of ``verifier.anchors``: ``anchor token`` (the token
verifies with the TSA trust roots and its genTime is the record's) and ``anchor covers
checkpoint`` (its imprint is SHA-256 of the signed text of a trusted checkpoint of the
export at the anchor's size). A record identical to one already checked is a repeat,
checked once. An export without anchors is pending: nothing is wrong, it is not
anchored yet.
"""

from __future__ import annotations

import binascii
import hashlib
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from verifier import anchors
from verifier.audit.checkpoints import Checkpoints
from verifier.audit.report import Results
from verifier.errors import VerificationError
from verifier.trust import TrustRoots

RECORD_KEYS = frozenset({"type", "size", "tsa", "token", "gen_time", "development_tsa"})


class Anchors:
    """The anchor records of one export, and the anchors that verified."""

    def __init__(
        self,
        results: Results,
        checkpoints: Checkpoints,
        roots: TrustRoots,
        at_time: datetime | None,
    ) -> None:
        self.results, self.checkpoints = results, checkpoints
        self.roots, self.at_time = roots, at_time
        self.records = 0
        self.verified: list[tuple[int, anchors.Anchor]] = []  # (size, anchor)
        self.seen: set[bytes] = set()
        self.repeats = 0

    def record(self, size: int, token64: str, record: Mapping[str, Any]) -> None:
        """One anchor record of size ``size`` whose token is ``token64`` (base64)."""
        key = hashlib.sha256(repr(sorted(record.items())).encode("utf-8", "replace")).digest()
        if key in self.seen:
            self.repeats += 1
            return
        self.seen.add(key)
        self.records += 1
        try:
            token = binascii.a2b_base64(token64.encode("ascii"), strict_mode=True)
        except (binascii.Error, UnicodeEncodeError):
            self.results.fail(
                "anchor token", None, f"anchor at size {size}: the token is not base64"
            )
            return
        imprint = anchors.token_imprint(token)
        self._token(size, token, record)
        self._covers(size, imprint)

    def _token(self, size: int, token: bytes, record: Mapping[str, Any]) -> None:
        what = f"anchor at size {size}"
        try:
            anchor = anchors.verify_anchor(
                token,
                record.get("gen_time"),
                record.get("development_tsa"),
                self.roots,
                self.at_time,
            )
        except VerificationError as e:
            self.results.fail("anchor token", None, f"{what}: {e.message}", e.expected, e.actual)
            return
        self.verified.append((size, anchor))
        self.results.note("anchor token", "pass", f"{what}: {anchor.describe()}")

    def _covers(self, size: int, imprint: anchors.Imprint | None) -> None:
        what = f"anchor at size {size}"
        if imprint is None:
            self.results.note("anchor covers checkpoint", "skipped", f"{what}: unreadable token")
            return
        digests = self.checkpoints.digests.get(size)
        if not digests:
            reason = f"{what}: the export has no trusted checkpoint of size {size}"
            self.results.fail("anchor covers checkpoint", None, reason)
            return
        try:
            anchors.check_covers(imprint, digests, f"the checkpoint of size {size}")
        except VerificationError as e:
            reason = f"{what}: {e.message}"
            self.results.fail("anchor covers checkpoint", None, reason, e.expected, e.actual)
            return
        self.results.passed("anchor covers checkpoint")
