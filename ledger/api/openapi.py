"""The OpenAPI 3.1 description of the API, served at ``/openapi.json``: each blueprint
module describes its own paths (``openapi_paths()``), ``ledger.api.schemas`` what they share.

Tests run schemathesis against it, so it must say exactly what the service does.
"""

from __future__ import annotations

from typing import Any

from ledger import api
from ledger.api.schemas import components


def spec() -> dict[str, Any]:
    paths: dict[str, Any] = {}
    for module in api.modules():
        paths |= module.openapi_paths()
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Evidence Ledger",
            "version": "1",
            "description": "Append signing events to a verifiable log; get receipts with proofs.",
        },
        "paths": paths,
        "components": components(),
    }
