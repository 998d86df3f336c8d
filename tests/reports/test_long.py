"""Long envelopes are summarised on the page, renders run side by side, and a render has
a time limit.

An envelope of 250 events (more than ``LISTS["events"]``) is appended through the served
API in one batch; its certificate lists the first and last events, says how many are not
listed and where they are, and stays short. (Seconds and memory for 1,000 and 10,000
events are measured by ``make bench``, bench/render_bench.py.)
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from ledger import certificates
from reports import model
from reports.certificate import RenderTimeout, render
from reports.issuer import IssuerInfo, Signing
from reports.limits import LISTS
from tests.reports.conftest import World, flat, pdftotext, poppler, served
from verifier.bundle import verify_bundle

ENVELOPE = "ENV-LONG"
COUNT = 250


def _events() -> list[dict[str, Any]]:
    start = datetime(2026, 11, 20, tzinfo=UTC)
    events = [
        {
            "event_id": f"{ENVELOPE}-{n}",
            "type": "envelope.sent" if n == 0 else "recipient.viewed",
            "occurred_at": (start + timedelta(minutes=n)).isoformat(),
            "envelope_id": ENVELOPE,
            "actor": {"name": f"Viewer {n}", "email": f"viewer{n}@example.com"},
        }
        for n in range(COUNT)
    ]
    # one event in the middle with a finding: viewed before the envelope was sent
    events[120]["occurred_at"] = (start - timedelta(hours=1)).isoformat()
    return events


def _append(app: Flask, client: FlaskClient, ingest: str, admin: str) -> None:
    response = client.post(
        "/v1/events/batch",
        json={"events": _events()},
        headers={"Authorization": f"Bearer {ingest}"},
    )
    assert response.status_code == 201, response.get_data(as_text=True)[:300]


@pytest.fixture(scope="module")
def long_envelope(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[World, IssuerInfo, dict[str, Any]]]:
    with served(tmp_path_factory.mktemp("long"), _append, tsa=False) as world:
        bundle = world.client.get(
            f"/v1/envelopes/{ENVELOPE}/evidence", headers={"Authorization": f"Bearer {world.read}"}
        ).get_json()
        signer, files = certificates.issuer_signer(world.settings)
        yield world, certificates.issuer_info(world.settings, signer, files.development), bundle


def test_a_long_envelope_is_summarised_on_the_page(
    long_envelope: tuple[World, IssuerInfo, dict[str, Any]], tmp_path: Path
) -> None:
    path = tmp_path / "long.pdf"
    path.write_bytes(long_envelope[0].certificate(envelope=ENVELOPE))
    text = flat(pdftotext(path))
    shown = LISTS["events_head"] + LISTS["events_tail"] + 1  # and the one with a finding
    hidden = COUNT - shown
    assert (
        f"Events listed {shown} of the {COUNT} events are listed in section 4; the other "
        f"{hidden} are not listed on these pages but are in the attached evidence bundle" in text
    )
    assert f"The envelope has {COUNT} events; {shown} are listed here" in text
    assert "seq 100 to 119: 20 events not listed here (in the attached evidence bundle)" in text
    assert "seq 121 to 149: 29 events not listed here (in the attached evidence bundle)" in text
    assert "Time finding: the platform time is before the envelope was sent (seq 0)." in text
    assert f"The inclusion proofs of the {hidden} entries not listed in section 4" in text
    assert re.search(rf"The {hidden * 4} checks of the entries not listed in section 4 \(", text)
    events = text[text.index("4 Events") : text.index("5 Signers")]
    for shown_name in ("Viewer 99 ", "Viewer 120 ", "Viewer 150 "):
        assert shown_name in events
    for left_out in ("Viewer 100 ", "Viewer 149 "):
        assert left_out not in events
    assert "… and 50 more, in the attached evidence bundle" in text  # parties: 200 of 250
    pages = int(re.search(r"Pages:\s+(\d+)", poppler("pdfinfo", path))[1])  # type: ignore[index]
    assert 20 < pages < 70, pages


def test_renders_run_side_by_side_and_each_has_a_time_limit(
    long_envelope: tuple[World, IssuerInfo, dict[str, Any]], tmp_path: Path
) -> None:
    _, issuer, bundle = long_envelope
    report = verify_bundle(bundle, list(bundle["log"]["vkeys"]), [])
    evidence = model.read(bundle, report, [])
    at = datetime(2026, 12, 1, tzinfo=UTC)
    alone = {
        lang: render(evidence, issuer, Signing("B-B"), lang=lang, issued_at=at)
        for lang in ("en", "zh")
    }
    together: dict[int, bytes] = {}
    started = threading.Barrier(4)

    def one(n: int) -> None:
        started.wait()
        lang = ("en", "zh")[n % 2]
        together[n] = render(evidence, issuer, Signing("B-B"), lang=lang, issued_at=at)

    threads = [threading.Thread(target=one, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for n, pdf in together.items():
        lang = ("en", "zh")[n % 2]
        (tmp_path / f"{n}.pdf").write_bytes(pdf)
        (tmp_path / f"{lang}.pdf").write_bytes(alone[lang])
        assert pdftotext(tmp_path / f"{n}.pdf") == pdftotext(tmp_path / f"{lang}.pdf")
    with pytest.raises(RenderTimeout):
        render(evidence, issuer, Signing("B-B"), issued_at=at, timeout=0.0)
