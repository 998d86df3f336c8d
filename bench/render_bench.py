"""Rendering a certificate of a large envelope: seconds and peak memory (issue 13).

For envelopes of 20, 1,000 and 10,000 events (``--quick``: 20 and 1,000), appended
through the real service (batches of 1,000), anchored by the development TSA, the
bundle and its report are written to a file; a fresh child process then loads them,
registers the fonts and verifies the bundle (not timed), and times ``model.read`` and
``render`` of each edition (wall clock, and the process's CPU time, which other load on a
shared machine moves less). Memory is the child's peak resident set (``VmHWM`` of
/proc/self/status: ``ru_maxrss`` would carry the parent's peak across fork and exec): the
whole process, and its growth during the renders (the peak minus the resident set just
before them). The target for 10,000 events is 10 s and 300 MB per render.

A separate child renders the 20-event envelope ``runs`` times for the median, beside
``fit`` of a 150,000-character title (linear: it took 20 s when fitting was quadratic).
"""

from __future__ import annotations

import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask.testing import FlaskClient

TARGETS = {"render_10000_seconds": 10.0, "render_10000_peak_mib": 300.0}
SIZES = (20, 1_000, 10_000)
QUICK_SIZES = (20, 1_000)
ENVELOPE = "ENV-BENCH"
BATCH = 1_000


def _events(count: int) -> list[dict[str, Any]]:
    """A plausible envelope: created, sent, then viewed/signed pairs by many signers."""
    start = datetime(2026, 11, 20, 1, 0, tzinfo=UTC)
    kinds = ("envelope.created", "envelope.sent")
    events = []
    for n in range(count):
        kind = kinds[n] if n < 2 else ("recipient.viewed", "recipient.signed")[n % 2]
        events.append(
            {
                "event_id": f"{ENVELOPE}-{n:06d}",
                "type": kind,
                "occurred_at": (start + timedelta(seconds=n)).isoformat(),
                "envelope_id": ENVELOPE,
                "actor": {
                    "name": f"Signer {n // 2} 签署人",
                    "email": f"signer{n // 2}@example.com",
                    "role": "signer",
                    "ip": "203.0.113.7",
                    "user_agent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0",
                    "auth_method": "email link",
                },
                "data": {"title": "Master services agreement 主服务协议"},
            }
        )
    return events


def _bundle(directory: Path, count: int) -> Path:
    """Append ``count`` events through the service, anchor them, write bundle + trust."""
    from tests.reports.conftest import anchor, served

    def append(app: object, client: FlaskClient, ingest: str, admin: str) -> None:
        events = _events(count)
        for at in range(0, count, BATCH):
            response = client.post(
                "/v1/events/batch",
                json={"events": events[at : at + BATCH]},
                headers={"Authorization": f"Bearer {ingest}"},
            )
            if response.status_code != 201:
                raise RuntimeError(response.get_data(as_text=True)[:300])
        anchor(client, admin)

    with served(directory, append) as world:
        bundle = world.client.get(
            f"/v1/envelopes/{ENVELOPE}/evidence", headers={"Authorization": f"Bearer {world.read}"}
        ).get_json()
        root = world.tsa_root.read_text() if world.tsa_root is not None else ""
    out = directory / f"bundle-{count}.json"
    out.write_text(json.dumps({"bundle": bundle, "vkeys": [world.vkey], "tsa_root": root}))
    return out


def _child(path: str, runs: int) -> dict[str, Any]:
    """In the child: load, verify, then time reading and rendering both editions."""
    import gc

    from cryptography import x509

    from reports import fonts, model
    from reports.certificate import render
    from reports.issuer import IssuerInfo, Signing
    from reports.lines import fit
    from verifier.bundle import verify_bundle

    fonts.register()
    data = json.loads(Path(path).read_text())
    roots = [data["tsa_root"].encode()]
    report = verify_bundle(data["bundle"], data["vkeys"], roots)
    cert = x509.load_pem_x509_certificate(data["tsa_root"].encode())
    issuer = IssuerInfo(
        name="Bench Ltd.",
        address="1 Bench Street",
        contact="bench@example.com",
        person="Bench Person",
        person_title="Custodian",
        certificate=cert,
        development=True,
        verify_url="https://verify.example/c",
        retention_years=10,
        backend="SQLite",
        max_skew=300,
    )
    signing = Signing("B-LTA", tsa="http://127.0.0.1/", tsa_development=True)
    gc.collect()
    before = _peak_kib()
    result: dict[str, Any] = {"events": len(data["bundle"]["entries"])}
    for lang in ("en", "zh"):
        times, cpu = [], []
        pages = 0
        for _ in range(runs):
            started, cpu_started = time.perf_counter(), time.process_time()
            evidence = model.read(data["bundle"], report, roots)
            pdf = render(evidence, issuer, signing, lang=lang, issued_at=datetime.now(UTC))
            times.append(time.perf_counter() - started)
            cpu.append(time.process_time() - cpu_started)
            pages = pdf.count(b"/Type /Page\n")
        result[lang] = {
            "seconds": round(statistics.median(times), 4),
            "min": round(min(times), 4),
            "cpu_seconds": round(statistics.median(cpu), 4),  # less moved by other load
            "runs": runs,
            "pdf_bytes": len(pdf),
            "pages": pages,
        }
    peak = _peak_kib()
    result["peak_rss_mib"] = round(peak / 1024, 1)
    result["render_growth_mib"] = round((peak - before) / 1024, 1)
    if result["events"] == 20:
        title = ("房屋租赁合同Lease" * 14_000)[:150_000]  # no space to break at
        started = time.perf_counter()
        fit(title, fonts.SANS, 7.2, 100.0)
        result["fit_150000_chars_seconds"] = round(time.perf_counter() - started, 4)
    return result


def _peak_kib() -> int:
    """This process's peak resident set in KiB since its exec (Linux ``VmHWM``)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def _measure(path: Path, runs: int) -> dict[str, Any]:
    command = [sys.executable, "-m", "bench.render_bench", "--child", str(path), str(runs)]
    done = subprocess.run(command, capture_output=True, check=True, text=True)  # noqa: S603
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def run(quick: bool = False) -> dict[str, Any]:
    sizes = QUICK_SIZES if quick else SIZES
    result: dict[str, Any] = {"targets": TARGETS}
    with tempfile.TemporaryDirectory(prefix="render-bench-") as scratch:
        for count in sizes:
            directory = Path(scratch) / str(count)
            path = _bundle(directory, count)
            result[f"events_{count}"] = _measure(path, 5 if count == 20 else 1)
    return result


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        print(json.dumps(_child(sys.argv[2], int(sys.argv[3]))))
    else:
        print(json.dumps(run(quick="--quick" in sys.argv), indent=2))
