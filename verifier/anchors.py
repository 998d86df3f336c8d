"""Anchors: RFC 3161 time-stamp tokens over checkpoints (docs/design/EVIDENCE-FORMAT.md §5).

A bundle check and a log audit make the same two checks of each anchor, with this code:

- ``anchor token`` (``verify_anchor``): the token verifies with the TSA trust roots
  (``verifier.timestamp``), judged over its own message imprint so that a valid token
  about another text is told apart from an invalid token, and its genTime is the one the
  record states;
- ``anchor covers checkpoint`` (``check_covers``): the token's imprint is SHA-256 of the
  signed text of the checkpoint it is said to anchor (``text_digest``).

A development TSA's token (``development_tsa: true``, a policy under the ITU-T example arc
2.999, or a TSA that names itself "NOT FOR EVIDENCE") verifies only against the
development root and passes with the reason "development TSA, not for evidence".
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from verifier.checkpoint import signed_text
from verifier.errors import VerificationError
from verifier.report import show, utc_text
from verifier.trust import TrustRoots

if TYPE_CHECKING:
    from verifier.timestamp import TimestampFacts

DEV_POLICY_ARC = "2.999."  # ITU-T example arc: never a real TSA policy
DEV_LABEL = "NOT FOR EVIDENCE"
DEV_REASON = "development TSA, not for evidence"
PENDING_REASON = "not yet anchored by a time-stamping authority"
NO_ROOTS = "no TSA trust roots were given, so no token can be trusted"
# What asn1crypto raises on bytes it cannot read (the imprint is read unverified).
_UNREADABLE = (ValueError, TypeError, KeyError, IndexError, OverflowError, RecursionError)

Imprint = tuple[str, bytes]
"""A token's message imprint: the hash name (asn1crypto's, e.g. ``sha256``) and hash."""


def token_imprint(token: bytes) -> Imprint | None:
    """The message imprint of a token, unverified; None if the token cannot be read."""
    # Imported here, as in verify_anchor: RFC 3161 parsing costs a log audit without
    # anchors a tenth of its run (asn1crypto, x509).
    from asn1crypto import cms, tsp

    from verifier import timestamp

    try:
        info = cms.ContentInfo.load(timestamp.token_of(token), strict=True)
        tst = info["content"]["encap_content_info"]["content"].parsed
        if not isinstance(tst, tsp.TSTInfo):
            return None
        imprint = tst["message_imprint"]
        name = str(imprint["hash_algorithm"]["algorithm"].native)
        return name, bytes(imprint["hashed_message"].native)
    except (VerificationError, *_UNREADABLE):
        return None


def is_development(facts: TimestampFacts) -> bool:
    """A development TSA's token: policy under the example arc, or a self-declared label."""
    return facts.policy.startswith(DEV_POLICY_ARC) or DEV_LABEL in facts.tsa_name


def text_digest(note: str) -> bytes:
    """SHA-256 of a checkpoint's signed text: what its anchors time-stamp (§5).
    ``CheckpointError`` if the note has no signed text."""
    return hashlib.sha256(signed_text(note).encode("utf-8")).digest()


@dataclass(frozen=True, slots=True)
class Anchor:
    """A token that verified: what it says, and whether a development TSA made it."""

    facts: TimestampFacts
    development: bool

    @property
    def gen_time(self) -> datetime:
        return self.facts.gen_time.astimezone(UTC)

    def describe(self) -> str:
        """``token by <TSA> at <genTime>``, and the development label when it applies."""
        text = f"token by {self.facts.tsa_name} at {utc_text(self.facts.gen_time)}"
        return text + (f"; {DEV_REASON}" if self.development else "")


def verify_anchor(
    token: bytes,
    stated_gen_time: object,
    development_flag: object,
    roots: TrustRoots,
    at_time: datetime | None = None,
) -> Anchor:
    """The ``anchor token`` check: ``VerificationError`` (with expected and actual where a
    value differs) unless the token verifies with ``roots`` and ``stated_gen_time`` (an
    RFC 3339 time with an offset) is its genTime."""
    from verifier import timestamp  # see token_imprint

    if not roots.certificates:
        raise VerificationError(NO_ROOTS)
    imprint = token_imprint(token)
    digest = imprint[1] if imprint is not None else bytes(32)
    facts = timestamp.verify(token, digest, roots, at_time)
    if _aware_time(stated_gen_time) != facts.gen_time:
        short = isinstance(stated_gen_time, str) and len(stated_gen_time) <= 40
        raise VerificationError(
            "gen_time is not the token's genTime",
            expected=utc_text(facts.gen_time),
            actual=stated_gen_time if short else show(stated_gen_time),
        )
    return Anchor(facts, development_flag is True or is_development(facts))


def _aware_time(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        return None
    return when if when.tzinfo is not None else None


def check_covers(imprint: Imprint, digests: Collection[bytes], checkpoint: str) -> None:
    """The ``anchor covers checkpoint`` check: ``VerificationError`` unless the imprint is
    SHA-256 of one of ``digests`` (``text_digest`` of the trusted notes of ``checkpoint``,
    a phrase such as "this checkpoint")."""
    name, hashed = imprint
    if name != "sha256" or hashed not in digests:
        raise VerificationError(
            f"the token time-stamps another text, not {checkpoint}",
            expected=" or ".join(sorted(f"sha256 {d.hex()}" for d in digests)),
            actual=f"{name} {hashed.hex()}",
        )
