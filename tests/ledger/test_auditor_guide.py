"""The no-dependency script in docs/auditor-guide.md really checks a real receipt."""

from __future__ import annotations

import base64
import json
import re
import subprocess
import sys
from pathlib import Path

from flask.testing import FlaskClient

from tests.conftest import Keys, event

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
