"""Fixtures of the file-audit tests: one export, shared (the tests copy it to tamper)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.bundles import write_export
from tests.verifier.audit.helpers import N
from verifier.audit import pools
from verifier.checkpoint import NoteSigner


@pytest.fixture(scope="package")
def export(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, NoteSigner]:
    """A log export of ``N`` leaves with a checkpoint per 76, and its signer."""
    path = tmp_path_factory.mktemp("audit") / "log.jsonl"
    return path, write_export(path, N, checkpoints=N // 76)


@pytest.fixture
def forking(monkeypatch: pytest.MonkeyPatch) -> None:
    """Workers forked whatever threads this test process runs (its servers' are idle)."""
    monkeypatch.setattr(pools, "fork_safe", lambda: True)
