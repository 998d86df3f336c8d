"""The certificate of a 20-event envelope: render + PAdES signature, without and with a
TSA (B-B and B-LTA), the TSA round trips reported apart (issue 7)."""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from ledger import access, certificates
from ledger.anchoring.devtsa import DevTSA
from ledger.app import create_app
from ledger.service import Ledger
from reports.texts import Lang
from tests.conftest import initialise, make_settings
from tests.reports.flow import ENVELOPE, append_flow


def _timed(service: Ledger, tenant: tuple[int, str], lang: Lang, runs: int) -> dict[str, Any]:
    times = []
    certificates.certificate(service, tenant, ENVELOPE, lang=lang)  # loads fonts and keys
    for _ in range(runs):
        start = time.perf_counter()
        certificates.certificate(service, tenant, ENVELOPE, lang=lang)
        times.append(time.perf_counter() - start)
    return {
        "median_s": round(statistics.median(times), 4),
        "min_s": round(min(times), 4),
        "runs": runs,
    }


def run(quick: bool = False) -> dict[str, Any]:
    runs = 3 if quick else 10
    with (
        tempfile.TemporaryDirectory(prefix="cert-bench-") as scratch,
        DevTSA.create(Path(scratch) / "tsa") as tsa,
    ):
        base = Path(scratch)
        url = f"sqlite:///{base / 'var' / 'ledger.db'}"
        settings = make_settings(
            url,
            base / "var",
            tsa_urls=tsa.url,
            tsa_trust_roots=str(tsa.root_pem),
            tsa_dev="1",
            anchor_interval="0",
        )
        initialise(settings)
        app = create_app(settings)
        service: Ledger = app.extensions["ledger"]
        with service.db.writing() as conn:
            tenant = (access.create_tenant(conn, "acme"), "acme")
            ingest = access.create_key(conn, "ingest", "acme")
            admin = access.create_key(conn, "admin", None)
        client = app.test_client()
        append_flow(app, client, ingest)
        client.post("/v1/log/anchors", headers={"Authorization": f"Bearer {admin}"})
        no_tsa = Ledger(settings.replace(tsa_urls=(), tsa_trust_roots=(tsa.root_pem,)))
        result = {
            "events": 20,
            "b_b_en_no_tsa": _timed(no_tsa, tenant, "en", runs),
            "b_b_zh_no_tsa": _timed(no_tsa, tenant, "zh", runs),
            # B-LTA includes two round trips to the (in-process) development TSA.
            "b_lta_en_with_tsa_round_trips": _timed(service, tenant, "en", runs),
            "target_s_excluding_tsa": 0.2,
        }
        no_tsa.close()
        service.close()
    return result
