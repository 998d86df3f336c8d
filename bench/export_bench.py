"""An evidence export (``ledger.exports``) of 1,000 envelopes of 8 events
(``--quick``: 40), on SQLite, with the development TSA: the log anchored, so each
certificate is signed at PAdES B-LTA; both editions (en, zh) and the bundle of every
envelope, rendered by the default pool of processes, ``exports.default_processes``
(issue 16: under 5 minutes). ``python -m bench.export_bench [--quick] [PROCESSES]``.
"""

from __future__ import annotations

import hashlib
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any

from ledger import access, exports
from ledger.anchoring.devtsa import DevTSA
from ledger.appender import Source, Submission
from ledger.service import Ledger
from tests.conftest import initialise, make_settings
from verifier.jcs import canonicalize

FLOW = (
    ("envelope.created", "sender"),
    ("envelope.sent", "sender"),
    ("recipient.delivered", "signer"),
    ("recipient.viewed", "signer"),
    ("recipient.authenticated", "signer"),
    ("recipient.consented", "signer"),
    ("recipient.signed", "signer"),
    ("envelope.completed", "sender"),
)
ACTORS = {
    "sender": {"name": "李四", "email": "li.si@example.cn", "role": "sender"},
    "signer": {
        "name": "Jane Roe",
        "email": "jane.roe@example.com",
        "role": "signer",
        "ip": "192.0.2.10",
        "auth_method": "sms",
    },
}


def _envelope(n: int) -> list[Submission]:
    document = {
        "name": f"合同 contract {n}.pdf",
        "sha256": hashlib.sha256(f"contract {n}".encode()).hexdigest(),
        "size": 120_000 + n,
    }
    subs = []
    for i, (kind, who) in enumerate(FLOW):
        event = {
            "event_id": f"env-{n:05d}-{i}",
            "type": kind,
            "occurred_at": f"2026-11-{1 + n % 28:02d}T{8 + i:02d}:{n % 60:02d}:00+08:00",
            "envelope_id": f"env-{n:05d}",
            "actor": ACTORS[who],
            "documents": [document],
        }
        subs.append(Submission(event, canonicalize(event), Source("api", "0" * 64, "api-key")))
    return subs


def run(quick: bool = False, processes: int | None = None) -> dict[str, Any]:
    envelopes = 40 if quick else 1_000
    with (
        tempfile.TemporaryDirectory(prefix="export-bench-") as scratch,
        DevTSA.create(Path(scratch) / "tsa") as tsa,
    ):
        base = Path(scratch)
        settings = make_settings(
            f"sqlite:///{base / 'var' / 'ledger.db'}",
            base / "var",
            tsa_urls=tsa.url,
            tsa_trust_roots=str(tsa.root_pem),
            tsa_dev="1",
            anchor_interval="0",
        )
        initialise(settings)
        service = Ledger(settings)
        try:
            with service.db.writing() as conn:
                tenant = (access.create_tenant(conn, "acme"), "acme")
            began = time.perf_counter()
            batch: list[Submission] = []
            for n in range(envelopes):
                batch += _envelope(n)
                if len(batch) >= 1_000:
                    service.appender.append(tenant[0], tenant[1], batch)
                    batch = []
            if batch:
                service.appender.append(tenant[0], tenant[1], batch)
            service.anchorer.run(force=True)
            seeded = time.perf_counter() - began
            ids = [f"env-{n:05d}" for n in range(envelopes)]
            info = exports.create(service, tenant, envelopes=ids, created_by="bench")
            began = time.perf_counter()
            done = exports.run(service, info.id, processes=processes)
            took = time.perf_counter() - began
            if done.status != "done":
                raise RuntimeError(f"the export failed: {done.error}")
            path = exports.zip_path(settings, info.id)
            with zipfile.ZipFile(path) as z:
                files = len(z.namelist())
                levels = z.read("envelopes/00001-env-00000/certificate-en.pdf").count(
                    b"/DocTimeStamp"
                )
        finally:
            service.close()
    return {
        "envelopes": envelopes,
        "events_per_envelope": len(FLOW),
        "seed_seconds": round(seeded, 1),
        "export_seconds": round(took, 1),
        "seconds_per_envelope": round(took / envelopes, 3),
        "zip_bytes": done.size,
        "zip_files": files,
        "certificates_time_stamped": levels > 0,
        "target_seconds_for_1000": 300,
        "projected_seconds_for_1000": round(took / envelopes * 1000, 1),
    }


if __name__ == "__main__":
    import json
    import sys

    print(
        json.dumps(
            run("--quick" in sys.argv, int(sys.argv[-1]) if sys.argv[-1].isdigit() else None),
            indent=2,
        )
    )
