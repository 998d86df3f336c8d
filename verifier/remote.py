"""A log audited from a running ledger: ``ledger-verify log --url URL --key API_KEY``.

The same records as a ``log-export/1`` file, fetched over HTTP(S) with
``Authorization: Bearer API_KEY`` (docs/api.md): ``GET /v1/log/anchors`` (each anchor
with the checkpoint it covers), ``GET /v1/log/checkpoint`` (the newest), then ``GET
/v1/log/leaves`` in pages of up to ``PAGE``. The checkpoints are fed first, so that each
waits for the leaves to reach its size (``verifier.audit.LogAudit``), then the leaves,
then the anchors.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from typing import Any

from verifier import audit, checkpoint
from verifier.errors import MalformedError, VerificationError
from verifier.report import VerificationReport
from verifier.trust import TrustRoots

PAGE = 10_000  # leaves per GET /v1/log/leaves
TIMEOUT = 60.0  # seconds per HTTP request


class LedgerUnreachable(MalformedError):
    """The ledger could not be read: unreachable, refused, or not answering JSON."""

    code = "unreachable"


def _get(url: str, key: str) -> bytes:
    request = urllib.request.Request(  # noqa: S310  the auditor's own URL, http(s) only
        url, headers={"Authorization": f"Bearer {key}", "User-Agent": "ledger-verify"}
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310
            return bytes(response.read())
    except urllib.error.HTTPError as e:
        raise LedgerUnreachable(f"GET {url}: HTTP {e.code} {e.reason}") from e
    except (urllib.error.URLError, OSError, ValueError) as e:
        raise LedgerUnreachable(f"GET {url}: {e}") from e


def _get_json(url: str, key: str) -> Any:
    try:
        return json.loads(_get(url, key))
    except ValueError as e:
        raise LedgerUnreachable(f"GET {url}: not JSON: {e}") from e


def _listing(value: Any, key: str, url: str) -> list[Any]:
    items = value.get(key) if isinstance(value, dict) else None
    if not isinstance(items, list):
        raise LedgerUnreachable(f"GET {url}: no {key!r} list in the answer")
    return items


def _leaf_pages(base: str, key: str, size: int) -> Iterator[dict[str, Any]]:
    """Leaves 0..size-1 as log-export/1 leaf records, a page at a time."""
    start = 0
    while start < size:
        end = min(size, start + PAGE)
        url = f"{base}/v1/log/leaves?start={start}&end={end}"
        leaves = _listing(_get_json(url, key), "leaves", url)
        if not leaves:
            return  # the audit reports the missing seqs
        for leaf in leaves:
            if isinstance(leaf, dict) and "leaf" not in leaf and "leaf_hash" in leaf:
                # A tenant's read key is shown only the hashes of other tenants' leaves.
                raise LedgerUnreachable(
                    f"GET {url}: this key is not shown the leaf of seq {leaf.get('seq')} "
                    "(another tenant's): auditing the whole log needs an audit key"
                )
            yield {"type": "leaf", **leaf} if isinstance(leaf, dict) else {"type": "leaf"}
        start += len(leaves)


def _head(note: str) -> checkpoint.Checkpoint:
    """The newest checkpoint's origin and size (its signature is checked by the audit)."""
    try:
        return checkpoint.parse_checkpoint(checkpoint.signed_text(note))
    except VerificationError as e:
        raise LedgerUnreachable(f"GET /v1/log/checkpoint: not a checkpoint: {e}") from e


def audit_url(
    url: str,
    key: str,
    hash_name: str,
    log_keys: list[str],
    roots: list[bytes] | TrustRoots,
    **options: Any,
) -> VerificationReport:
    """Audit the log a ledger serves at ``url``; ``options`` are ``LogAudit``'s."""
    base = url.rstrip("/")
    if urllib.parse.urlsplit(base).scheme not in ("http", "https"):
        raise LedgerUnreachable(f"--url {url!r} is not an http(s) URL")
    anchors_url = f"{base}/v1/log/anchors"
    anchors = _listing(_get_json(anchors_url, key), "anchors", anchors_url)
    note = _get(f"{base}/v1/log/checkpoint", key).decode("utf-8", "replace")
    head = _head(note)
    sizes = {a.get("size") for a in anchors if isinstance(a, dict)}
    log = audit.LogAudit(
        head.origin,
        hash_name,
        log_keys,
        roots,
        checkpoint_sizes=(),
        anchor_sizes={s for s in sizes if isinstance(s, int)},
        **options,
    )
    header = {"type": "log", "format": audit.FORMAT, "origin": head.origin, "hash": hash_name}
    log.feed(header | {"vkeys": [], "from": 0, "size": head.size})
    log.feed({"type": "checkpoint", "size": head.size, "note": note})
    for anchor in anchors:
        if isinstance(anchor, dict) and "checkpoint" in anchor and "size" in anchor:
            log.feed({"type": "checkpoint", "size": anchor["size"], "note": anchor["checkpoint"]})
    for record in _leaf_pages(base, key, head.size):
        log.feed(record)
    for anchor in anchors:
        if isinstance(anchor, dict):
            log.feed({"type": "anchor"} | {k: v for k, v in anchor.items() if k != "checkpoint"})
    return log.finish()
