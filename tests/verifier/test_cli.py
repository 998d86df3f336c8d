"""``ledger-verify bundle`` and ``ledger-verify log``: exit codes, human and JSON output.

Real bundles and exports (``tests.bundles``), real tokens from the development TSA; the
``--url`` audit talks HTTP to a small stdlib server that serves the log the way
docs/design/EVIDENCE-FORMAT.md §7 and docs/evidence-format.md describe it.
"""

from __future__ import annotations

import base64
import copy
import io
import json
import subprocess
import sys
import threading
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.bundles import Log, event, stamper, write_export, zero_serial_root
from verifier import cli, remote
from verifier.cli import main

ROOT = Path(__file__).resolve().parent.parent.parent
API_KEY = "elk_audit_key"
SIZE = 300


@dataclass(frozen=True)
class World:
    log: Log
    bundle: dict[str, Any]  # env-1, anchored at 12, latest 20
    pending: dict[str, Any]
    export: list[bytes]
    anchors: list[dict[str, Any]]  # GET /v1/log/anchors objects
    files: Path
    root_pem: Path

    def write(self, name: str, data: bytes | str | dict[str, Any]) -> str:
        path = self.files / name
        if isinstance(data, dict):
            data = json.dumps(data)
        path.write_bytes(data.encode() if isinstance(data, str) else data)
        return str(path)

    def trust(self) -> list[str]:
        return ["--log-key", self.log.vkey, "--tsa-root", str(self.root_pem)]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    files = tmp_path_factory.mktemp("cli")
    log = Log()
    for seq in range(SIZE):
        log.append(event("env-1" if seq in (2, 5, 6, 11) else "env-2", seq))
    with stamper() as tsa:
        anchor = tsa.anchor(log.checkpoint(12))
        final = tsa.anchor(log.checkpoint(SIZE))
        root_pem = files / "tsa-root.pem"
        root_pem.write_bytes(tsa.root_pem)
        listing = [
            dict(a, checkpoint=log.checkpoint(size), size=size)
            for size, a in ((12, anchor), (SIZE, final))
        ]
        yield World(
            log=log,
            bundle=log.bundle("env-1", 12, [anchor], latest=20),
            pending=log.bundle("env-1", 20, [], status="pending"),
            export=log.export([12, 20, SIZE], {12: [anchor], SIZE: [final]}),
            anchors=listing,
            files=files,
            root_pem=root_pem,
        )


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert err == ""  # no progress bar when stderr is not a terminal
    return code, out


# --- bundle ---------------------------------------------------------------------------------


def test_a_valid_bundle_exits_0(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run(capsys, "bundle", world.write("b.json", world.bundle), *world.trust())
    assert code == 0
    assert out.startswith("VALID: 4 entries (seq 2 to 11) of envelope env-1 are in log ")
    assert "FAIL" not in out


def test_an_invalid_bundle_exits_1_naming_check_seq_and_values(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = copy.deepcopy(world.bundle)
    doc["entries"][1]["chain"] = "00" * 32
    code, out = run(capsys, "bundle", world.write("b.json", doc), *world.trust())
    assert code == 1
    assert out.startswith("INVALID: chain at seq 5: chain is not HASH(0x02 || prev_chain")
    assert f"expected {world.log.chains[5].hex()}, found {'00' * 32}" in out
    assert "  FAIL chain at seq 5:" in out
    assert "  FAIL chain at seq 6: prev_chain is not the chain of seq 5" in out


def test_json_output_is_the_report(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    doc = copy.deepcopy(world.bundle)
    doc["entries"][0]["event"]["data"]["n"] = 99
    path = world.write("b.json", doc)
    for argv in (["--json", "bundle", path], ["bundle", path, "--json"]):
        code, out = run(capsys, *argv, *world.trust())
        report = json.loads(out)
        assert code == 1
        assert report["valid"] is False
        assert report["failures"][0]["name"] == "commitment"
        assert report["failures"][0]["seq"] == 2


def test_a_pending_bundle_exits_0_unless_an_anchor_is_required(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    path = world.write("p.json", world.pending)
    code, out = run(capsys, "bundle", path, *world.trust())
    assert code == 0
    assert out.startswith("PENDING: ")
    assert "  PENDING anchor token: not yet anchored" in out
    code, _ = run(capsys, "bundle", path, *world.trust(), "--require-anchor")
    assert code == 1


def test_an_anchor_checked_at_another_time(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    path = world.write("b.json", world.bundle)
    code, out = run(capsys, "bundle", path, *world.trust(), "--at-time", "2100-01-01T00:00:00Z")
    assert code == 1
    assert "FAIL anchor token: anchor 1: " in out


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("missing file", "cannot read"),
        ("not JSON", "invalid JSON"),
        ("other format", "not an evidence-bundle/1"),
        ("bad log key", "verifier key"),
        ("missing root", "cannot read"),
        ("root not PEM", "trust root 0"),
        ("bad at-time", "--at-time"),
        ("naive at-time", "UTC offset"),
    ],
)
def test_what_cannot_be_evaluated_exits_2(
    world: World, capsys: pytest.CaptureFixture[str], case: str, expected: str
) -> None:
    good = world.write("b.json", world.bundle)
    argv = {
        "missing file": ["bundle", str(world.files / "nope.json"), *world.trust()],
        "not JSON": ["bundle", world.write("x1.json", "{"), *world.trust()],
        "other format": ["bundle", world.write("x2.json", {"format": "x"}), *world.trust()],
        "bad log key": ["bundle", good, "--log-key", "k", "--tsa-root", str(world.root_pem)],
        "missing root": ["bundle", good, "--log-key", world.log.vkey, "--tsa-root", "/nope"],
        "root not PEM": [
            "bundle",
            good,
            "--log-key",
            world.log.vkey,
            "--tsa-root",
            world.write("r.pem", "hello"),
        ],
        "bad at-time": ["bundle", good, *world.trust(), "--at-time", "soon"],
        "naive at-time": ["bundle", good, *world.trust(), "--at-time", "2026-01-01T00:00:00"],
    }[case]
    code, out = run(capsys, *argv)
    assert code == 2
    assert out.startswith("CANNOT EVALUATE: ")
    assert expected in out
    code, out = run(capsys, "--json", *argv)
    assert code == 2
    assert json.loads(out)["verdict"] == "unreadable"


def test_a_bundle_from_stdin_through_python_m_verifier(world: World) -> None:
    doc = copy.deepcopy(world.bundle)
    argv = [sys.executable, "-m", "verifier", "bundle", "-", *world.trust()]
    done = subprocess.run(  # noqa: S603
        argv, input=json.dumps(doc).encode(), capture_output=True, cwd=ROOT, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith(b"VALID: ")
    assert done.stderr == b""
    doc["entries"][2]["inclusion"][0] = "00" * 32
    done = subprocess.run(  # noqa: S603
        argv, input=json.dumps(doc).encode(), capture_output=True, cwd=ROOT, check=False
    )
    assert done.returncode == 1
    assert b"INVALID: inclusion at seq 6: " in done.stdout


# --- log --export ---------------------------------------------------------------------------


def test_a_clean_export_exits_0(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    path = world.write("export.jsonl", b"".join(world.export))
    code, out = run(capsys, "log", "--export", path, *world.trust())
    assert code == 0
    assert out.startswith(f"VALID: log {world.log.origin}: 300 entries (seq 0 to 299)")


def test_a_tampered_export_exits_1_naming_the_seq(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = list(world.export)
    del lines[1 + 150]
    path = world.write("export.jsonl", b"".join(lines))
    code, out = run(capsys, "log", "--export", path, *world.trust())
    assert code == 1
    assert out.startswith("INVALID: seq at seq 150: seq 150 missing: the next leaf is seq 151")
    code, out = run(capsys, "log", "--export", path, *world.trust(), "--json")
    assert code == 1
    assert json.loads(out)["failures"][0]["seq"] == 150


def test_an_export_from_stdin(world: World) -> None:
    argv = [sys.executable, "-m", "verifier", "log", "--export", "-", *world.trust()]
    done = subprocess.run(  # noqa: S603
        argv, input=b"".join(world.export), capture_output=True, cwd=ROOT, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith(b"VALID: log ")
    assert done.stderr == b""


def test_an_export_that_cannot_be_read_exits_2(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = run(capsys, "log", "--export", str(world.files / "none.jsonl"), *world.trust())
    assert code == 2
    assert "cannot read" in out
    code, out = run(capsys, "log", "--export", world.write("j.jsonl", "junk\n"), *world.trust())
    assert code == 2
    assert "header" in out


def test_the_progress_bar_draws_a_line() -> None:
    stream = io.StringIO()
    bar = cli._ProgressBar(stream)
    bar(50, 100)
    bar(100, 100)
    bar.close()
    text = stream.getvalue()
    assert "\r[" in text
    assert "100/100 leaves" in text
    assert text.endswith("\n")


# --- log --url --------------------------------------------------------------------------------


class _Ledger(ThreadingHTTPServer):
    """Serves the log of a ``World`` as the ledger's read endpoints do."""

    def __init__(self, world: World, leaves: list[dict[str, Any]]) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.world = world
        self.leaves = leaves


class _Handler(BaseHTTPRequestHandler):
    server: _Ledger

    def do_GET(self) -> None:
        if self.headers.get("Authorization") != f"Bearer {API_KEY}":
            self._send(401, {"error": {"code": "unauthorized", "message": "bad key"}})
            return
        url = urllib.parse.urlsplit(self.path)
        world = self.server.world
        if url.path == "/v1/log/checkpoint":
            self._send(200, world.log.checkpoint(SIZE), "text/plain")
        elif url.path == "/v1/log/anchors":
            self._send(200, {"anchors": world.anchors})
        elif url.path == "/v1/log/leaves":
            query = urllib.parse.parse_qs(url.query)
            start, end = int(query["start"][0]), int(query["end"][0])
            page = self.server.leaves[start : min(end, start + remote.PAGE)]
            self._send(200, {"start": start, "end": start + len(page), "leaves": page})
        else:
            self._send(404, {"error": {"code": "not_found"}})

    def _send(self, status: int, body: Any, kind: str = "application/json") -> None:
        data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def ledger(world: World) -> Iterator[_Ledger]:
    leaves = []
    for line in world.export[1 : 1 + SIZE]:
        value = json.loads(line)
        del value["type"]
        leaves.append(value)
    server = _Ledger(world, leaves)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def url_of(server: _Ledger) -> str:
    host, port = server.server_address[:2]
    return f"http://{host!s}:{port}"


def test_a_log_audited_over_http_in_pages(
    world: World,
    ledger: _Ledger,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(remote, "PAGE", 64)  # five pages for 300 leaves
    argv = ["log", "--url", url_of(ledger), "--key", API_KEY, *world.trust()]
    code, out = run(capsys, *argv)
    assert code == 0, out
    assert out.startswith(f"VALID: log {world.log.origin}: 300 entries (seq 0 to 299)")
    # the anchored ones at 12 and 300; the newest is the one at 300, fed twice but counted once
    assert "2 signed checkpoints agree" in out
    assert "anchored by 2 tokens" in out


def test_a_tampered_leaf_served_over_http_exits_1(
    world: World, ledger: _Ledger, capsys: pytest.CaptureFixture[str]
) -> None:
    leaf = base64.b64decode(ledger.leaves[77]["leaf"]).replace(b"acme", b"acmf")
    ledger.leaves[77] = dict(ledger.leaves[77], leaf=base64.b64encode(leaf).decode())
    code, out = run(capsys, "log", "--url", url_of(ledger), "--key", API_KEY, *world.trust())
    assert code == 1
    assert out.startswith("INVALID: leaf at seq 77: leaf_hash is not the hash of the leaf")


def test_a_refused_key_or_an_unreachable_ledger_exits_2(
    world: World, ledger: _Ledger, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = run(capsys, "log", "--url", url_of(ledger), "--key", "wrong", *world.trust())
    assert code == 2
    assert "HTTP 401" in out
    port = ledger.server_address[1]
    ledger.shutdown()
    ledger.server_close()
    code, out = run(
        capsys, "log", "--url", f"http://127.0.0.1:{port}", "--key", API_KEY, *world.trust()
    )
    assert code == 2
    assert out.startswith("CANNOT EVALUATE: GET http://127.0.0.1:")
    code, out = run(capsys, "log", "--url", "ftp://example.org", "--key", API_KEY, *world.trust())
    assert code == 2
    code, out = run(capsys, "log", "--url", url_of(ledger), *world.trust())
    assert code == 2
    assert "--key" in out


# --- the older subcommands still work --------------------------------------------------------


def test_checkpoint_inclusion_and_consistency_still_work(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    note = world.write("note.txt", world.log.checkpoint(20))
    code, out = run(capsys, "checkpoint", note, "--key", world.log.vkey)
    assert code == 0
    assert out.startswith("VALID: checkpoint (origin ")
    code, out = run(capsys, "--json", "checkpoint", note, "--key", world.log.vkey)
    assert json.loads(out)["facts"]["size"] == 20
    code, out = run(capsys, "checkpoint", note, "--key", world.log.vkey, "--json")
    assert code == 0
    assert json.loads(out)["valid"] is True
    tree = world.log.tree
    proof = world.log.entry(2, 20)["inclusion"]
    leaf_hash = world.log.leaf_hash(2).hex()
    argv = ["inclusion", "--leaf-hash", leaf_hash, "--index", "2", "--size", "20"]
    code, _ = run(capsys, *argv, "--root", tree.root(20).hex(), "--proof", *proof)
    assert code == 0
    code, _ = run(capsys, *argv, "--root", tree.root(19).hex(), "--proof", *proof)
    assert code == 1
    code, _ = run(
        capsys, "consistency", "--size1", "20", "--size2", "20", "--root1", "zz", "--root2", "zz"
    )
    assert code == 2


# --- receipt, trust-root bundles, commands of other packages -----------------------------------


def test_a_receipt_in_one_step(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    entry = world.log.entry(5, SIZE)
    note = world.log.checkpoint(SIZE)
    receipt = {k: entry[k] for k in ("seq", "leaf", "leaf_hash", "chain", "inclusion")}
    received = json.loads(base64.b64decode(entry["leaf"]))["received_at"]
    receipt |= {"received_at": received, "checkpoint": note}
    path = world.write("receipt.json", receipt)
    code, out = run(capsys, "receipt", path, "--log-key", world.log.vkey)
    assert code == 0, out
    assert out.startswith("VALID: entry 5 (")
    tampered = world.write("receipt-bad.json", receipt | {"inclusion": receipt["inclusion"][1:]})
    code, out = run(capsys, "receipt", tampered, "--log-key", world.log.vkey)
    assert code == 1
    assert out.startswith("INVALID: inclusion at seq 5: ")
    code, out = run(capsys, "receipt", world.write("junk.json", "{"), "--log-key", world.log.vkey)
    assert code == 2
    assert out.startswith("CANNOT EVALUATE: ")


def test_a_trust_root_bundle_with_an_unusable_certificate_warns_and_verifies(
    world: World, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    bundle = tmp_path / "ca-certificates.crt"
    bundle.write_bytes(zero_serial_root(tmp_path) + world.root_pem.read_bytes())
    path = world.write("b-roots.json", world.bundle)
    code = main(["bundle", path, "--log-key", world.log.vkey, "--tsa-root", str(bundle)])
    out, err = capsys.readouterr()
    assert code == 0, out
    assert out.startswith("VALID: ")
    assert err == (
        f"warning: trust root 0 ({bundle}): certificate 0 (CN=Zero Serial Root) skipped: its "
        "serial number is not positive (RFC 5280 §4.1.2.2)\n"
    )


def test_a_command_of_a_package_not_installed_says_where_it_comes_from(
    world: World, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cli, "_plugins", dict)  # the verifier alone, as its wheel installs it
    code, out = run(capsys, "pdf", "certificate.pdf", "--log-key", world.log.vkey)
    assert code == 2
    assert out.startswith("CANNOT EVALUATE: ledger-verify pdf checks a certificate of evidence")
    assert "comes with the service package (evidence-ledger)" in out


def test_the_command_s_output_is_whole_when_it_ends_without_teardown(tmp_path: Path) -> None:
    """``ledger-verify`` flushes and ends the process at once (``verifier.cli.run``): all
    of a long output reaches a file, and the exit code is the verdict's."""
    path = tmp_path / "log.jsonl"
    signer = write_export(path, 2_000, checkpoints=2_000 // 76)
    out = tmp_path / "report.json"
    with out.open("w") as f:
        done = subprocess.run(  # noqa: S603
            [
                sys.executable,
                "-m",
                "verifier",
                "log",
                "--export",
                str(path),
                "--log-key",
                signer.vkey,
                "--json",
            ],
            stdout=f,
            check=False,
            timeout=120,
        )
    assert done.returncode == 0
    report = json.loads(out.read_text())
    assert report["verdict"] == "pending"
    assert report["claim"].startswith("log test.example/evidence-ledger: 2,000 entries")
