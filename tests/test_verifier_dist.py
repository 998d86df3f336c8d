"""The auditor's verifier as its own distribution (dist-verifier/pyproject.toml):
``make verifier-dist`` writes its wheel to dist/; installed alone into a fresh virtual
environment it brings cryptography, rfc8785 and asn1crypto and nothing of the service,
and verifies a real receipt, bundle and log export of a live service.

pip takes the three dependencies from the package index (its cache makes that quick);
nothing is installed ``--no-deps``: the point is to prove the dependencies.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from tests.live import live_ledger

ROOT = Path(__file__).resolve().parent.parent
# cryptography requires cffi, which requires pycparser: what the three bring, and no more
EXPECTED = {"evidence-ledger-verify", "cryptography", "cffi", "pycparser", "rfc8785", "asn1crypto"}


def version() -> str:
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    found = re.search(r'(?m)^version = "([^"]+)"', text)
    assert found is not None
    return found.group(1)


def pip(venv: Path, *args: str) -> str:
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def wheel() -> Path:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MAKE")}
    done = subprocess.run(
        ["make", "-s", "verifier-dist"],  # noqa: S607
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    path = ROOT / "dist" / f"evidence_ledger_verify-{version()}-py3-none-any.whl"
    assert path.is_file()
    return path


def test_the_wheel_alone_verifies_a_live_services_evidence(tmp_path: Path) -> None:
    venv = tmp_path / "auditor"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)  # noqa: S603
    pip(venv, "install", "--quiet", str(wheel()))
    frozen = pip(venv, "freeze").splitlines()  # name==version, or name @ file:///...
    installed = {re.split(r"==| @ ", line)[0].lower().replace("_", "-") for line in frozen}
    assert installed == EXPECTED
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    files = tmp_path / "evidence"
    files.mkdir()

    def verify(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(  # noqa: S603
            [str(venv / "bin" / "ledger-verify"), *args],
            cwd=files,  # not the repository: the wheel's own code runs
            env=env,
            capture_output=True,
            text=True,
            check=False,
            timeout=300,
        )

    with live_ledger(tmp_path / "service") as live:
        with live.server.client(live.server.read_key) as client:
            status, bundle = client.get(f"/v1/envelopes/{live.envelope}/evidence")
            assert status == 200, bundle
        (files / "bundle.json").write_text(json.dumps(bundle), encoding="utf-8")
        (files / "receipt.json").write_text(json.dumps(live.receipts[7]), encoding="utf-8")
        live.server.cli("export", "-o", str(files / "log.jsonl"))
        trust = ["--log-key", live.vkey, "--tsa-root", str(live.tsa_roots)]
        receipt = verify("receipt", "receipt.json", "--log-key", live.vkey)
        assert receipt.returncode == 0, receipt.stdout + receipt.stderr
        assert receipt.stdout.startswith("VALID: entry 7 (")
        checked = verify("bundle", "bundle.json", *trust)
        assert checked.returncode == 0, checked.stdout + checked.stderr
        assert checked.stdout.startswith("VALID: 40 entries (seq 0 to 39) of envelope env-1")
        audited = verify("log", "--export", "log.jsonl", *trust)
        assert audited.returncode == 0, audited.stdout + audited.stderr
        assert audited.stdout.startswith("VALID: log localhost/evidence-ledger: 40 entries")
        assert "anchored by 1 token" in audited.stdout
    where = subprocess.run(  # noqa: S603
        [str(venv / "bin" / "python"), "-c", "import verifier; print(verifier.__file__)"],
        cwd=files,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert where.stdout.startswith(str(venv))
    pdf = verify("pdf", "certificate.pdf", "--log-key", live.vkey)
    assert pdf.returncode == 2
    assert "comes with the service package" in pdf.stdout


def test_the_certificate_and_the_guide_say_how_to_install_it() -> None:
    """What a certificate of evidence and the auditor guide tell an auditor to run is what
    the tests above run: pip install ./dist-verifier in a checkout, or the wheel (of make
    verifier-dist, the English edition says; the Chinese one keeps to commands it shows
    elsewhere, tests/reports/test_edition.py); the pdf command with the service package."""
    from reports.texts import TEXTS

    for lang in ("en", "zh"):
        text = TEXTS[lang]["v_howto_ledger"]
        assert "pip install ./dist-verifier" in text
        assert "evidence_ledger_verify" in text
        assert "pip install ." in text
    assert "make verifier-dist" in TEXTS["en"]["v_howto_ledger"]
    guide = (ROOT / "docs" / "auditor-guide.md").read_text(encoding="utf-8")
    assert 'pip install --quiet "$REPO/dist-verifier"' in guide
    assert "make verifier-dist" in guide
    project = (ROOT / "dist-verifier" / "pyproject.toml").read_text(encoding="utf-8")
    assert 'name = "evidence-ledger-verify"' in project
    assert "verifier-dist:" in (ROOT / "Makefile").read_text(encoding="utf-8")
