"""Values several verifier tests use: an event with every kind of field, nesting past
the depth limit."""

from __future__ import annotations

from typing import Any

from verifier.ijson import MAX_DEPTH

DEEP = "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1)
DEEP_FIELD = "$" + "[0]" * MAX_DEPTH

EVENT: dict[str, Any] = {
    "event_id": "evt_01JD8Z3K4M5N6P7Q8R9S0T1V2W",
    "type": "envelope.completed",
    "occurred_at": "2026-11-22T17:03:01.120+08:00",
    "envelope_id": "env-7f3a9c2e",
    "actor": {"name": "张伟", "email": "zhang.wei@example.com", "ip": "203.0.113.42"},
    "documents": [
        {"name": "合同.pdf", "sha256": "9f86d081884c7d659a2feaa0c55ad015" * 2, "size": 12034},
        {"name": "Annexe 1 ✍️.pdf", "sha256": "60303ae22b998861bce3b28f33eec1be" * 2, "size": 2},
    ],
    "data": {"recipient_count": 2, "reminders": [False, True], "note": None},
}
