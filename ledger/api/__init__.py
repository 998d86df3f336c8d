"""HTTP API (docs/design/EVIDENCE-FORMAT.md §7): one blueprint per area; errors become JSON in one
place."""

from __future__ import annotations

from types import ModuleType


def modules() -> tuple[ModuleType, ...]:
    """The blueprint modules, in the order they are registered: each has ``bp`` and
    ``openapi_paths()`` (its part of /openapi.json)."""
    from ledger.api import (
        analytics,
        anchors,
        certificates,
        deliveries,
        envelopes,
        exports,
        hooks,
        ingest,
        log,
        mirror,
        ops,
        privacy,
        verify,
    )

    return (
        ingest,
        log,
        mirror,
        anchors,
        envelopes,
        certificates,
        exports,
        analytics,
        deliveries,
        ops,
        hooks,
        privacy,
        verify,
    )
