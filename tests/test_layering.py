"""The dependency direction: verifier <- reports <- ledger <- wsgi, verifier pure."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
# cryptography's compiled bindings load as _openssl and _cffi_backend. asn1crypto is the
# one parsing dependency of verifier.timestamp (RFC 3161 tokens: CMS, TSTInfo); it is
# pure Python and has no dependencies of its own.
VERIFIER_MAY_USE = {
    "cryptography",
    "rfc8785",
    "asn1crypto",
    "_cffi_backend",
    "_openssl",
    "verifier",
}


def loaded_by(module: str) -> set[str]:
    """Top-level packages an import adds, in a clean interpreter (beyond start-up's own)."""
    return _modules(module) - _modules("")


def _modules(module: str) -> set[str]:
    load = f"import {module}\n" if module else ""
    code = f"import sys, json\n{load}print(json.dumps(sorted(sys.modules)))"
    out = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    return {name.split(".")[0] for name in json.loads(out.stdout)}


@pytest.mark.parametrize(
    "module",
    [
        "verifier.merkle",
        "verifier.checkpoint",
        "verifier.canonical",
        "verifier.compact",
        "verifier.event",
        "verifier.cli",
        "verifier.timestamp",
    ],
)
def test_verifier_imports_only_stdlib_cryptography_rfc8785_and_asn1crypto(module: str) -> None:
    foreign = loaded_by(module) - set(sys.stdlib_module_names) - VERIFIER_MAY_USE
    assert not foreign, f"{module} pulls in {sorted(foreign)}"


def test_verifier_never_imports_the_service() -> None:
    for path in (ROOT / "verifier").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for other in ("ledger", "reports", "config", "flask", "sqlalchemy"):
            assert f"import {other}" not in text, f"{path} imports {other}"
            assert f"from {other}" not in text, f"{path} imports {other}"


def test_verifier_reads_no_environment() -> None:
    for path in (ROOT / "verifier").rglob("*.py"):
        assert "os.environ" not in path.read_text(encoding="utf-8"), path


@pytest.mark.parametrize(
    ("package", "forbidden"),
    [("reports", ("ledger", "config", "wsgi")), ("config", ("ledger", "reports", "wsgi"))],
)
def test_packages_import_only_to_their_left(package: str, forbidden: tuple[str, ...]) -> None:
    for path in (ROOT / package).rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for other in forbidden:
            assert f"import {other}" not in text, f"{path} imports {other}"
            assert f"from {other}" not in text, f"{path} imports {other}"
