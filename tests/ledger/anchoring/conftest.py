"""Fixtures of the anchoring tests: TSA material made once, a good TSA, and closing the
apps that ``helpers.anchored_app`` opened."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ledger.anchoring.devtsa import DevTSA
from tests.ledger.anchoring.helpers import OPEN


@pytest.fixture(scope="session")
def tsa_dirs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """TSA material made once: good RSA and EC TSAs and the broken certificates."""
    base = tmp_path_factory.mktemp("tsas")
    DevTSA.create(base / "rsa")
    DevTSA.create(base / "ec", "ec")
    DevTSA.create(base / "no-eku", eku="none", ca=base / "rsa")
    DevTSA.create(base / "noncritical-eku", eku="noncritical", ca=base / "rsa")
    DevTSA.create(base / "untrusted")
    return {p.name: p for p in base.iterdir()}


@pytest.fixture
def good_tsa(tsa_dirs: dict[str, Path]) -> Iterator[DevTSA]:
    with DevTSA(tsa_dirs["rsa"]) as tsa:
        yield tsa


@pytest.fixture(autouse=True)
def _close_apps() -> Iterator[None]:
    yield
    while OPEN:
        OPEN.pop().extensions["ledger"].close()
