"""The OpenAPI 3.1 description of the API, served at ``/openapi.json``: each blueprint
module describes its own paths (``openapi_paths()``), ``ledger.api.schemas`` what they share.

Tests run schemathesis against it, so it must say exactly what the service does.
"""

from __future__ import annotations

from typing import Any

from ledger import api
from ledger.api.schemas import ERROR, SERVER_REFUSAL, SERVER_STATUSES, components

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def _control_characters(paths: dict[str, Any]) -> None:
    """Every operation answers 400 to a path or query parameter holding a control
    character, before its own checks (``ledger.api.context.refuse_control_characters``)."""
    json_error = components()["responses"]["Error"]["content"]["application/json"]
    for item in paths.values():
        for method, operation in item.items():
            if method not in METHODS:
                continue
            answer = operation["responses"].setdefault("400", ERROR)
            # A page's own 400 is HTML (/verify); this refusal is JSON all the same.
            content = answer.get("content")
            if content is not None and "application/json" not in content:
                content["application/json"] = json_error


def spec() -> dict[str, Any]:
    paths: dict[str, Any] = {}
    for module in api.modules():
        paths |= module.openapi_paths()
    _control_characters(paths)
    for item in paths.values():
        for method, operation in item.items():
            if method in METHODS:
                for status in SERVER_STATUSES:
                    operation.setdefault("responses", {}).setdefault(status, SERVER_REFUSAL)
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
