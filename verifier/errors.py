"""The verifier's errors: one root, a subclass per kind of evidence.

Every bad input to a public verifier function raises a ``VerificationError``
subclass, never another exception, so callers can tell "invalid evidence" from a
bug with a single ``except``.
"""

from __future__ import annotations


class VerificationError(Exception):
    """Root of every error the verifier raises.

    ``code`` is stable and machine-readable; ``expected`` and ``actual`` are set
    when a value did not match, so a report can say what was wanted.
    """

    code = "verification_failed"

    def __init__(self, message: str, *, expected: object = None, actual: object = None) -> None:
        super().__init__(message)
        self.message = message
        self.expected = expected
        self.actual = actual


class MalformedError(VerificationError):
    """The input cannot be read: wrong type, wrong length, bad encoding, bad syntax."""

    code = "malformed"


class ProofError(VerificationError):
    """A Merkle inclusion or consistency proof does not verify (RFC 9162 §2.1.3-2.1.4)."""

    code = "proof_invalid"


class CheckpointError(VerificationError):
    """A signed note or checkpoint is malformed or its signature does not verify."""

    code = "checkpoint_invalid"


class SignatureError(CheckpointError):
    """No signature by a trusted key verifies."""

    code = "signature_invalid"


class CommitmentError(VerificationError):
    """An event does not match its leaf: the commitment or a clear field
    (docs/design/EVIDENCE-FORMAT.md §2)."""

    code = "commitment_mismatch"


class CanonicalJSONError(MalformedError):
    """JSON that is not acceptable as evidence (duplicate keys, NaN, lone surrogates...).

    ``field`` is the JSON path of the offending value when known.
    """

    code = "invalid_json"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class TimestampError(VerificationError):
    """An RFC 3161 time-stamp token does not verify or its TSA is untrusted
    (docs/design/EVIDENCE-FORMAT.md §5)."""

    code = "timestamp_invalid"


class TimestampMalformedError(TimestampError, MalformedError):
    """The bytes are not a readable RFC 3161 TimeStampToken or TimeStampResp."""

    code = "timestamp_malformed"


def first_line(error: BaseException) -> str:
    """The first line of a foreign library's message, cut short: enough to say why, and
    never a page of someone else's text in a report."""
    text = str(error).strip().split("\n")[0]
    return text if len(text) <= 120 else text[:120] + "..."
