"""The dependency direction: verifier <- reports <- ledger <- wsgi, verifier pure."""

from __future__ import annotations

import json
import re
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
    "__mp_main__",  # multiprocessing's alias of __main__ (verifier.audit.parallel)
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


def _module(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


# verifier.__main__ runs the command line: test_ledger_verify_help_... runs it instead
VERIFIER_MODULES = sorted(
    _module(path) for path in (ROOT / "verifier").rglob("*.py") if path.name != "__main__.py"
)
SERVICE = {"ledger", "reports", "config", "wsgi", "flask", "sqlalchemy", "pyhanko"}


def test_every_verifier_module_is_checked() -> None:
    assert "verifier.audit.files" in VERIFIER_MODULES
    assert "verifier.cli" in VERIFIER_MODULES
    assert "verifier" in VERIFIER_MODULES


@pytest.mark.parametrize("module", VERIFIER_MODULES)
def test_verifier_imports_only_stdlib_cryptography_rfc8785_and_asn1crypto(module: str) -> None:
    loaded = loaded_by(module)
    foreign = loaded - set(sys.stdlib_module_names) - VERIFIER_MAY_USE
    assert not foreign, f"{module} pulls in {sorted(foreign)}"
    assert not loaded & SERVICE, f"{module} loads {sorted(loaded & SERVICE)}"


def test_ledger_verify_help_loads_nothing_of_the_service() -> None:
    """The command line, run: its help lists the commands other packages add (``pdf``)
    by name without loading them."""
    code = (
        "import contextlib, io, sys, json\n"
        "from verifier.cli import main\n"
        "out = io.StringIO()\n"
        "with contextlib.redirect_stdout(out), contextlib.suppress(SystemExit):\n"
        "    main(['--help'])\n"
        "print(json.dumps([out.getvalue(), sorted(sys.modules)]))"
    )
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    text, modules = json.loads(done.stdout)
    assert "receipt" in text
    assert "pdf" in text  # added by the service package, listed by name
    loaded = {name.split(".")[0] for name in modules}
    assert not loaded & SERVICE, sorted(loaded & SERVICE)


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


def test_no_test_module_imports_another() -> None:
    """Shared test code lives in conftest.py or a helpers module (issue 15): a test module
    imported by another runs its tests' module-level set-up twice and hides what is shared."""
    pattern = re.compile(r"^\s*(?:from|import)\s+tests(?:\.\w+)*\.test_\w+", re.MULTILINE)
    importing = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "tests").rglob("*.py")
        if pattern.search(path.read_text(encoding="utf-8"))
    ]
    assert importing == []
