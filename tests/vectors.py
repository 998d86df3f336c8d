"""One loader for the test vectors copied into tests/data/vectors (see its README)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

VECTORS = Path(__file__).parent / "data" / "vectors"


def load(name: str) -> Any:
    return json.loads((VECTORS / name).read_text(encoding="utf-8"))


def cases(name: str) -> list[dict[str, Any]]:
    return list(load(name)["cases"])


def hexes(values: list[str]) -> list[bytes]:
    return [bytes.fromhex(v) for v in values]
