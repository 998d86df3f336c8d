"""``ledger-verify log --export`` on a large export, beside hashlib on the same leaf bytes."""

from __future__ import annotations

import base64
import hashlib
import json
import tempfile
import time
from pathlib import Path
from typing import Any

from tests.bundles import write_export
from verifier.audit import audit_file


def _leaves(path: Path, limit: int) -> list[bytes]:
    out = []
    with path.open("rb") as lines:
        for line in lines:
            if line.startswith(b'{"type":"leaf"'):
                out.append(base64.b64decode(json.loads(line)["leaf"]))
                if len(out) == limit:
                    break
    return out


def run(quick: bool = False) -> dict[str, Any]:
    n = 100_000 if quick else 1_000_000
    with tempfile.TemporaryDirectory(prefix="audit-bench-") as scratch:
        path = Path(scratch) / "log.jsonl"
        signer = write_export(path, n, checkpoints=n // 1000)
        sample = _leaves(path, 100_000)
        start = time.perf_counter()
        for i in range(n):
            hashlib.sha256(b"\x00" + sample[i % len(sample)]).digest()
        hashlib_rate = n / (time.perf_counter() - start)
        start = time.perf_counter()
        report = audit_file(path, [signer.vkey], [])
        seconds = time.perf_counter() - start
        size = path.stat().st_size
    return {
        "entries": n,
        "checkpoints": n // 1000,
        "export_bytes": size,
        "valid": report.valid,
        "audit_entries_per_second": round(n / seconds),
        "hashlib_leaf_hashes_per_second": round(hashlib_rate),
        "target_entries_per_second": 150_000,
        "met": report.valid and n / seconds >= 150_000,
    }
