"""The certificate of a 20-event envelope (issue 13): its first issue and its repeat
download, beside a hand-written reportlab + pyHanko PAdES B-B PDF of the same size,
measured in the same run.

- ``first_issue_*``: a new edition (another time zone each run) rendered, signed and
  recorded: B-LTA with the development TSA served over HTTP (its two round trips
  included, and counted), and B-B without a TSA;
- ``repeat_download``: ``GET /v1/envelopes/<id>/certificate.pdf`` of an edition already
  issued, through the Flask app: the bundle is read and named, and the registry's PDF
  returned byte for byte (no rendering, no TSA request: ``tsa_requests`` says so);
- ``handwritten_b_b``: reportlab draws as many pages of text as the certificate has (its
  size in bytes is reported beside), and pyHanko signs it (B-B, the issuer's key): what
  any PDF of that size costs;
- ``repeat_over_handwritten``: the ratio of the medians; the issue's target is at most 3.
"""

from __future__ import annotations

import io
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields
from pyhanko.sign.signers import PdfSignatureMetadata, PdfSigner
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from ledger import access, certificates
from ledger.anchoring.devtsa import DevTSA
from ledger.app import create_app
from ledger.service import Ledger
from reports.signing import IssuerSigner
from tests.conftest import initialise, make_settings
from tests.reports.flow import ENVELOPE, append_flow

TARGET_RATIO = 3.0
ZONES = (
    "Asia/Shanghai", "Europe/Berlin", "America/New_York", "Asia/Tokyo", "Europe/London",
    "Australia/Sydney", "America/Sao_Paulo", "Africa/Nairobi", "Asia/Kolkata", "Pacific/Auckland",
    "Europe/Paris", "Asia/Singapore", "America/Chicago", "Europe/Madrid", "Asia/Seoul",
    "America/Denver", "Europe/Rome", "Asia/Dubai", "America/Toronto", "Europe/Warsaw",
)  # fmt: skip


class CountingTSA(DevTSA):
    """The development TSA, counting the requests it answers."""

    requests = 0

    def reply(self, query: bytes) -> bytes:
        self.requests += 1
        return super().reply(query)


def _median(times: list[float]) -> dict[str, Any]:
    return {
        "median_s": round(statistics.median(times), 4),
        "min_s": round(min(times), 4),
        "max_s": round(max(times), 4),
        "runs": len(times),
    }


def _timed(work: Callable[[], object], runs: int) -> dict[str, Any]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return _median(times)


def _pages(n: int) -> bytes:
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=A4)
    line = "Hand-written PDF of the same size: reportlab text, then a pyHanko signature. " * 2
    for page in range(n):
        text = canvas.beginText(40, 800)
        text.setFont("Helvetica", 7)
        for row in range(95):
            text.textLine(f"{page:03d}.{row:02d} {line[: 110 + (page + row) % 40]}")
        canvas.drawText(text)
        canvas.showPage()
    canvas.save()
    return out.getvalue()


def page_count(pdf: bytes) -> int:
    count: int = PdfFileReader(io.BytesIO(pdf), strict=False).root["/Pages"]["/Count"]
    return count


def handwritten(pages: int, signer: IssuerSigner) -> bytes:
    """A reportlab PDF of ``pages`` pages, signed PAdES B-B by pyHanko."""
    writer = IncrementalPdfFileWriter(io.BytesIO(_pages(pages)))
    metadata = PdfSignatureMetadata(
        field_name="Signature", md_algorithm="sha256", subfilter=fields.SigSeedSubFilter.PADES
    )
    data: bytes = PdfSigner(metadata, signer=signer.signer).sign_pdf(writer).getvalue()
    return data


def run(quick: bool = False) -> dict[str, Any]:
    runs = 3 if quick else 10
    with (
        tempfile.TemporaryDirectory(prefix="cert-bench-") as scratch,
        CountingTSA.create(Path(scratch) / "tsa") as tsa,
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
            read = access.create_key(conn, "read", "acme")
            admin = access.create_key(conn, "admin", None)
        client = app.test_client()
        append_flow(app, client, ingest)
        client.post("/v1/log/anchors", headers={"Authorization": f"Bearer {admin}"})
        no_tsa = Ledger(settings.replace(tsa_urls=(), tsa_trust_roots=(tsa.root_pem,)))
        certificates.certificate(no_tsa, tenant, ENVELOPE, lang="zh")  # fonts and keys loaded

        zones = iter(ZONES)
        levels: list[str] = []

        def first(ledger: Ledger) -> Callable[[], object]:
            def issue() -> object:
                tz = certificates.parse_tz(next(zones))
                done = certificates.certificate(ledger, tenant, ENVELOPE, tz=tz)
                if done.stored:
                    raise RuntimeError("a first issue came from the registry")
                levels.append(done.level)
                return done

            return issue

        first_lta_tsa_before = tsa.requests
        first_b_lta = _timed(first(service), runs)
        first_b_lta["tsa_requests_per_issue"] = round(
            (tsa.requests - first_lta_tsa_before) / runs, 2
        )
        first_b_lta["levels"] = sorted(set(levels))
        levels.clear()
        first_b_b = _timed(first(no_tsa), runs)
        first_b_b["levels"] = sorted(set(levels))

        path = f"/v1/envelopes/{ENVELOPE}/certificate.pdf"
        headers = {"Authorization": f"Bearer {read}"}
        issued = client.get(path, headers=headers)  # the UTC edition, issued now (B-LTA)
        if issued.status_code != 200:
            raise RuntimeError(f"certificate: {issued.status_code}")
        pdf = issued.data
        before = tsa.requests

        def repeat() -> None:
            again = client.get(path, headers=headers)
            if again.data != pdf:
                raise RuntimeError("a repeat download differs from the first")

        repeat()  # warm
        repeat_download = _timed(repeat, runs * 3)
        repeat_download["tsa_requests"] = tsa.requests - before
        repeat_download["level"] = issued.headers["X-PAdES-Level"]

        signer, _ = certificates.issuer_signer(settings)
        pages = page_count(pdf)  # as many pages of text as the certificate has
        handwritten(pages, signer)  # warm
        hand = _timed(lambda: handwritten(pages, signer), runs * 3)
        hand_size = len(handwritten(pages, signer))
        result = {
            "events": 20,
            "certificate_bytes": len(pdf),
            "first_issue_b_lta_with_tsa": first_b_lta,
            "first_issue_b_b_no_tsa": first_b_b,
            "repeat_download": repeat_download,
            "handwritten_b_b": {**hand, "pages": pages, "bytes": hand_size},
            "repeat_over_handwritten": round(repeat_download["median_s"] / hand["median_s"], 2),
            "target_ratio": TARGET_RATIO,
        }
        no_tsa.close()
        service.close()
    return result
