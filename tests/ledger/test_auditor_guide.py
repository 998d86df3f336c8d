"""docs/auditor-guide.md: every block runs as written against a live service, and its
no-dependency script really checks a real receipt and refuses a changed one."""

from __future__ import annotations

import base64
import json
import os
import re
import subprocess
import sys
from pathlib import Path

from flask.testing import FlaskClient

from tests.conftest import Keys, event
from tests.live import live_ledger

GUIDE = Path(__file__).parent.parent.parent / "docs" / "auditor-guide.md"


def script() -> str:
    blocks = re.findall(r"```python\n(.*?)```", GUIDE.read_text(encoding="utf-8"), re.S)
    assert len(blocks) == 1
    return str(blocks[0])


def run(tmp_path: Path, receipt: dict[str, object], vkey: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / "script.py").write_text(script(), encoding="utf-8")
    (tmp_path / "receipt.json").write_text(json.dumps(receipt), encoding="utf-8")
    return subprocess.run(  # noqa: S603
        [sys.executable, "script.py", "receipt.json", vkey],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )


def test_guide_script_accepts_a_receipt_and_refuses_a_changed_one(
    client: FlaskClient, keys: Keys, tmp_path: Path
) -> None:
    assert len(script().strip().splitlines()) <= 25
    batch = {"events": [event(i) for i in range(11)]}
    receipts = client.post("/v1/events/batch", json=batch, headers=keys.header("ingest")).get_json()
    vkey = client.get("/v1/log/key").get_json()["vkey"]
    for receipt in receipts["receipts"][::3]:
        ok = run(tmp_path, receipt, vkey)
        assert ok.returncode == 0, ok.stderr
        assert f"entry {receipt['seq']} is in" in ok.stdout
    receipt = receipts["receipts"][4]
    leaf = bytearray(base64.b64decode(receipt["leaf"]))
    leaf[10] ^= 1
    changed = receipt | {"leaf": base64.b64encode(bytes(leaf)).decode()}
    assert run(tmp_path, changed, vkey).returncode != 0
    wrong_seq = receipt | {"seq": 5}
    assert run(tmp_path, wrong_seq, vkey).returncode != 0


# --- the whole guide, run as written ----------------------------------------------------

ROOT = GUIDE.parent.parent
BLOCKS = re.compile(r"```(sh|python)\n(.*?)```", re.S)


def guide_as_a_script() -> str:
    """Every shell and Python block of the guide, in order, as one shell session; a Python
    block is saved under the file name the text before it gives (``check_receipt.py``)."""
    text = GUIDE.read_text(encoding="utf-8")
    parts = ["set -euo pipefail"]
    for block in BLOCKS.finditer(text):
        lang, body = block.groups()
        if lang == "python":
            name = re.findall(r"`([\w-]+\.py)`", text[: block.start()])[-1]
            parts.append(f"cat > {name} <<'PYTHON_BLOCK'\n{body}PYTHON_BLOCK")
        else:
            parts.append(body)
    return "\n".join(parts) + "\n"


def test_every_block_of_the_guide_runs_against_a_live_service(tmp_path: Path) -> None:
    script = guide_as_a_script()
    assert script.count("ledger-verify ") >= 8
    with live_ledger(tmp_path / "service") as live:
        env = live.server.env | {
            "LEDGER_URL": live.url,
            "KEY": live.server.read_key,
            "INGEST_KEY": live.server.ingest_key,
            "REPO": str(ROOT),
            # the auditor's own tools first; the service's command line (ledger export) last
            "PATH": f"{os.environ['PATH']}:{Path(sys.executable).parent}",
        }
        env.pop("VIRTUAL_ENV", None)
        work = tmp_path / "auditor"
        work.mkdir()
        done = subprocess.run(  # noqa: S603
            ["bash", "-c", script],  # noqa: S607
            cwd=work,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
    out = done.stdout
    assert done.returncode == 0, out + done.stderr
    assert re.search(r"(?m)^VALID: entry 40 \(envelope.sent guide-1 .* is in log ", out)
    assert re.search(r"(?m)^entry 40 is in \S+ at size \d+", out)  # check_receipt.py
    assert json.loads((work / "checkpoint.json").read_text())["valid"] is True
    assert "VALID: inclusion (" in out
    assert "VALID: consistency (" in out
    assert re.search(r"(VALID|PENDING): 1 entry \(seq \d+\) of envelope guide-envelope", out)
    assert len(re.findall(r"(?m)^(VALID|PENDING): log ", out)) == 2  # --url and --export
    assert "Verification: OK" in out  # openssl ts -verify
    assert (work / "anchor.json").exists()
