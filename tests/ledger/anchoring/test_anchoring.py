"""Anchoring against real TSAs over HTTP on loopback (the development TSA, and
misbehaving ones), on SQLite and PostgreSQL."""

from __future__ import annotations

import base64
import hashlib
import subprocess
import threading
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from config.settings import Settings
from ledger.anchoring.anchor import signed_text
from ledger.anchoring.devtsa import DevTSA
from ledger.anchoring.setup import build_anchorer
from ledger.service import Ledger
from tests.conftest import Keys
from tests.faulty_tsa import FaultyTSA
from tests.ledger.anchoring.helpers import anchored_app, append, closed_port_url
from verifier import timestamp


def openssl_verify(
    token: bytes, note: str, root: Path, tmp_path: Path
) -> subprocess.CompletedProcess[str]:
    (tmp_path / "token.der").write_bytes(token)
    digest = hashlib.sha256(signed_text(note).encode()).hexdigest()
    return subprocess.run(  # noqa: S603
        ["openssl", "ts", "-verify", "-digest", digest, "-in", str(tmp_path / "token.der"),  # noqa: S607
         "-token_in", "-CAfile", str(root)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip


@pytest.mark.parametrize("key_type", ["rsa", "ec"])
def test_anchor_now_and_verify_with_openssl(
    settings: Settings,
    keys: Keys,
    app: Flask,
    tsa_dirs: dict[str, Path],
    tmp_path: Path,
    key_type: str,
) -> None:
    with DevTSA(tsa_dirs[key_type]) as tsa:
        anchored = anchored_app(settings, [tsa.url], tsa.root_pem)
        client = anchored.test_client()
        append(client, keys, 5)
        response = client.post("/v1/log/anchors", headers=keys.header("admin"))
        assert response.status_code == 201, response.get_json()
        anchor = response.get_json()
        assert anchor["size"] == 5
        assert anchor["tsa"] == tsa.url
        token = base64.b64decode(anchor["token"])
        digest = hashlib.sha256(signed_text(anchor["checkpoint"]).encode()).digest()
        facts = timestamp.verify(token, digest, [tsa.root_pem.read_bytes()])
        assert facts.hash_algorithm == "sha256"
        result = openssl_verify(token, anchor["checkpoint"], tsa.root_pem, tmp_path)
        assert "Verification: OK" in result.stdout, result.stderr
        listed = client.get("/v1/log/anchors", headers=keys.header("read")).get_json()["anchors"]
        assert listed == [anchor]
        roots = client.get("/v1/log/tsa-roots").data
        assert roots == tsa.root_pem.read_bytes()


def test_anchor_now_without_growth_reuses_the_anchor(
    settings: Settings, keys: Keys, app: Flask, good_tsa: DevTSA
) -> None:
    client = anchored_app(settings, [good_tsa.url], good_tsa.root_pem).test_client()
    append(client, keys, 3)
    first = client.post("/v1/log/anchors", headers=keys.header("admin"))
    again = client.post("/v1/log/anchors", headers=keys.header("admin"))
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.get_json() == again.get_json()
    assert (
        len(client.get("/v1/log/anchors", headers=keys.header("audit")).get_json()["anchors"]) == 1
    )


def test_anchoring_an_empty_log_is_refused(
    settings: Settings, keys: Keys, app: Flask, good_tsa: DevTSA
) -> None:
    client = anchored_app(settings, [good_tsa.url], good_tsa.root_pem).test_client()
    response = client.post("/v1/log/anchors", headers=keys.header("admin"))
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "nothing_to_anchor"


@pytest.mark.parametrize("role", ["ingest", "read", "audit"])
def test_only_admins_anchor(
    settings: Settings, keys: Keys, app: Flask, good_tsa: DevTSA, role: str
) -> None:
    client = anchored_app(settings, [good_tsa.url], good_tsa.root_pem).test_client()
    append(client, keys, 1)
    assert client.post("/v1/log/anchors", headers=keys.header(role)).status_code == 403


FAULTS = [
    ("down", {}),
    ("slow", {"mode": "slow", "delay": 4.0}),
    ("http500", {"mode": "http500"}),
    ("garbage", {"mode": "garbage"}),
    ("rejection", {"mode": "rejection"}),
    ("wrong-nonce", {"mode": "wrong-nonce"}),
    ("wrong-imprint", {"mode": "wrong-imprint"}),
    ("bad-signature", {"mode": "bad-signature"}),
    ("no-eku", {"dir": "no-eku"}),
    ("noncritical-eku", {"dir": "noncritical-eku"}),
    ("untrusted-root", {"dir": "untrusted"}),
    ("genTime far off", {"clock_offset": 3600.0}),
]
REASONS = {
    "down": "unreachable",
    "slow": "unreachable",
    "http500": "HTTP 500",
    "garbage": "",
    "rejection": "did not grant",
    "wrong-nonce": "nonce",
    "wrong-imprint": "imprint",
    "bad-signature": "signature",
    "no-eku": "key usage",
    "noncritical-eku": "critical",
    "untrusted-root": "trust",
    "genTime far off": "genTime",
}


@pytest.mark.parametrize(("name", "fault"), FAULTS, ids=[f[0] for f in FAULTS])
def test_a_bad_tsa_stores_nothing_and_fails_over(
    settings: Settings,
    keys: Keys,
    app: Flask,
    tsa_dirs: dict[str, Path],
    good_tsa: DevTSA,
    name: str,
    fault: dict[str, Any],
) -> None:
    options = {k: v for k, v in fault.items() if k != "dir"}
    bad = None if name == "down" else FaultyTSA(tsa_dirs[fault.get("dir", "rsa")], **options)
    bad_url = bad.start() if bad else closed_port_url()
    try:
        # Alone, the bad TSA anchors nothing, and says why.
        alone = anchored_app(settings, [bad_url], good_tsa.root_pem)
        client = alone.test_client()
        append(client, keys, 2)
        failed = client.post("/v1/log/anchors", headers=keys.header("admin"))
        assert failed.status_code == 502
        assert REASONS[name].lower() in failed.get_json()["error"]["message"].lower()
        assert (
            client.get("/v1/log/anchors", headers=keys.header("read")).get_json()["anchors"] == []
        )
        health = client.get("/healthz").get_json()["anchoring"]
        assert health["last_failure"]["tsa"] == bad_url
        assert REASONS[name].lower() in health["last_failure"]["reason"].lower()
        assert f'ledger_anchor_failures_total{{tsa="{bad_url}"}}' in client.get("/metrics").text
        # First in the list, it is skipped: the next TSA anchors.
        both = anchored_app(settings, [bad_url, good_tsa.url], good_tsa.root_pem)
        anchor = both.test_client().post("/v1/log/anchors", headers=keys.header("admin"))
        assert anchor.status_code == 201, anchor.get_json()
        assert anchor.get_json()["tsa"] == good_tsa.url
    finally:
        if bad:
            bad.stop()


def test_at_least_k_tsas(
    settings: Settings, keys: Keys, app: Flask, tsa_dirs: dict[str, Path]
) -> None:
    with DevTSA(tsa_dirs["rsa"]) as one, DevTSA(tsa_dirs["rsa"]) as two:
        both = anchored_app(settings, [one.url, two.url], one.root_pem, anchor_min_tsas=2)
        client = both.test_client()
        append(client, keys, 4)
        assert client.post("/v1/log/anchors", headers=keys.header("admin")).status_code == 201
        anchors = client.get("/v1/log/anchors", headers=keys.header("read")).get_json()["anchors"]
        assert sorted(a["tsa"] for a in anchors) == sorted([one.url, two.url])
        assert {a["size"] for a in anchors} == {4}
        short = anchored_app(
            settings, [one.url, closed_port_url()], one.root_pem, anchor_min_tsas=2
        )
        append(client, keys, 1, start=10)
        assert (
            short.test_client().post("/v1/log/anchors", headers=keys.header("admin")).status_code
            == 502
        )


def test_racing_workers_request_once_per_interval(
    settings: Settings, keys: Keys, app: Flask, good_tsa: DevTSA
) -> None:
    """Eight processes' anchorers fire at once: one TSA request, one anchor."""
    configured = settings.replace(
        tsa_urls=(good_tsa.url,), tsa_trust_roots=(good_tsa.root_pem,), anchor_interval=60
    )
    append(app.test_client(), keys, 3)
    services = [Ledger(configured) for _ in range(8)]
    runs: list[bool] = []
    barrier = threading.Barrier(len(services))

    def fire(service: Ledger) -> None:
        anchorer = build_anchorer(service.settings, service.db, service.log.id)
        barrier.wait()
        runs.append(anchorer.run().requested)

    threads = [threading.Thread(target=fire, args=(s,)) for s in services]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(runs) == [False] * 7 + [True]
    # Growth within the interval waits for the next interval.
    append(app.test_client(), keys, 1, start=10)
    assert build_anchorer(configured, services[0].db, services[0].log.id).run().requested is False
    for service in services:
        service.close()
