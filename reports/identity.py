"""A certificate's id: it names the evidence, not a rendering (docs/certificate.md).

``certificate_id(bundle)`` is ``ELC-XXXX-XXXX-XXXX-XXXX``, the first 64 bits of the
SHA-256 of the RFC 8785 canonical JSON array ``["evidence-ledger/certificate-id/1",
<tenant>, <envelope id>, <evidence SHA-256>]``, where the evidence SHA-256
(``evidence_sha256``) is that of the bundle's canonical JSON without ``generated_at``
(the moment it was read) and ``latest`` (the log's newest head, which moves whenever any
envelope grows). So every language and time zone of one evidence gets one id, a
download of the same evidence the same id, and new evidence (another event, a newer
checkpoint or anchor) a new one. Anyone can recompute it from the attached bundle;
``reports.validation`` does.

Certificates issued before the registry named their id after the SHA-256 of the attached
file itself (``legacy_certificate_id``); the validator still accepts that.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from verifier import jcs

ID_FORMAT = "evidence-ledger/certificate-id/1"
VOLATILE = ("generated_at", "latest")  # members that change without new evidence


def evidence_sha256(bundle: Mapping[str, Any]) -> str:
    """The SHA-256 (hex) of the evidence a bundle carries; raises
    ``verifier.errors.CanonicalJSONError`` for a bundle that is not JSON data."""
    kept = {k: v for k, v in bundle.items() if k not in VOLATILE}
    return hashlib.sha256(jcs.canonicalize(kept)).hexdigest()


def _format(digest: str) -> str:
    head = digest[:16].upper()
    return "ELC-" + "-".join(head[i : i + 4] for i in range(0, 16, 4))


def certificate_id(bundle: Mapping[str, Any]) -> str:
    """``ELC-XXXX-XXXX-XXXX-XXXX`` of the evidence (see the module doc)."""
    tenant, envelope = bundle.get("tenant"), bundle.get("envelope_id")
    named = [ID_FORMAT, tenant, envelope, evidence_sha256(bundle)]
    return _format(hashlib.sha256(jcs.canonicalize(named)).hexdigest())


def legacy_certificate_id(attachment: bytes) -> str:
    """The id of a certificate issued before the registry: the attachment's SHA-256."""
    return _format(hashlib.sha256(attachment).hexdigest())
