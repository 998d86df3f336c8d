"""Whole-log audit of a ``log-export/1`` (docs/design/EVIDENCE-FORMAT.md §2-5,
docs/evidence-format.md).

An audit recomputes everything the log claims from its leaves: each leaf hash (RFC 9162
§2.1.1), the hash chain (§2), the Merkle tree, and checks every checkpoint (signature by
a trusted key, §4, and root equal to the root recomputed at its size) and every anchor
(RFC 3161 token over the signed text of the checkpoint of its size, §5). It pinpoints
the first bad seq: a leaf whose hash is not its ``leaf_hash``, or whose embedded seq or
log is not the record's, a chain value that does not follow, a missing, repeated or
out-of-order seq; a checkpoint whose root differs bounds the damage.

One concept per module:

- ``reader``: bounded lines (``MAX_LINE``), and the first pass over a file;
- ``leaves``: seq order, leaf hashes, the chain; the fast path over exporter lines;
- ``tree``: the recomputed tree (a compact range) and the roots checkpoints need;
- ``checkpoints``: signatures, roots, coverage, repeated records counted once;
- ``anchors``: RFC 3161 tokens, through ``verifier.anchors``;
- ``report``: failures and passes, and the order they are reported in;
- ``log``: ``LogAudit``, which feeds records to the others and writes the report;
- ``files``: ``audit_file``, two passes over a file, on every core;
- ``parallel``: what a worker process does with a region of leaves; ``pools``: which
  workers, ``forked`` (Linux) or ``spawned`` (elsewhere);
- ``ahead``: checkpoint signatures verified while the main process waits for a worker.

Check names: ``format``, ``key known`` (a trusted key among the header's ``vkeys``),
``seq``, ``leaf``, ``chain``, ``checkpoint signature``, ``checkpoint root``, ``coverage``,
``anchor token``, ``anchor covers checkpoint``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from verifier.audit.checkpoints import Signatures
    from verifier.audit.files import audit_file
    from verifier.audit.leaves import MAX_LINE
    from verifier.audit.log import FORMAT, LogAudit, Progress
    from verifier.audit.report import MAX_REPORTED
    from verifier.audit.tree import AuditState

_HOMES = {
    "FORMAT": "log",
    "MAX_LINE": "leaves",
    "MAX_REPORTED": "report",
    "AuditState": "tree",
    "LogAudit": "log",
    "Progress": "log",
    "Signatures": "checkpoints",
    "audit_file": "files",
}
__all__ = [
    "FORMAT",
    "MAX_LINE",
    "MAX_REPORTED",
    "AuditState",
    "LogAudit",
    "Progress",
    "Signatures",
    "audit_file",
]


def __getattr__(name: str) -> Any:
    """The names above, each imported from its module when first asked for: a file audit
    starts its workers before the checkpoint and signature code is imported
    (``verifier.audit.files``)."""
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{_HOMES[name]}"), name)
    globals()[name] = value
    return value
