"""The ledger's own privacy events, appended through the normal append path: erasures
(``x-ledger.erasure``), holds (``x-ledger.hold``) and their release
(``x-ledger.hold-release``). Their data name what was done, when, why and by whom, never
a person: a subject appears as its keyed id (``ledger.privacy.subjects``).

They go in the envelope they concern, so its bundle and certificate carry them; events
about a subject rather than an envelope go in the tenant's envelope ``ledger.privacy``.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from ledger.appender import Source, Submission
from ledger.receipts import Receipt
from verifier.jcs import canonicalize

if TYPE_CHECKING:
    from ledger.service import Ledger

PRIVACY_ENVELOPE = "ledger.privacy"
ERASURE, HOLD, HOLD_RELEASE = "x-ledger.erasure", "x-ledger.hold", "x-ledger.hold-release"


def now_rfc3339() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds").removesuffix("+00:00") + "Z"


def append_event(
    service: Ledger,
    tenant_id: int,
    tenant: str,
    kind: str,
    envelope_id: str | None,
    data: dict[str, Any],
) -> Receipt:
    """Append one event of the ledger's own (``channel`` "ledger": an operator's action,
    authenticated by an admin key or by access to the host)."""
    event = {
        "event_id": f"{kind.removeprefix('x-ledger.')}-{secrets.token_hex(12)}",
        "type": kind,
        "occurred_at": now_rfc3339(),
        "envelope_id": envelope_id or PRIVACY_ENVELOPE,
        "data": data,
    }
    canonical = canonicalize(event)
    source = Source("ledger", hashlib.sha256(canonical).hexdigest(), "api-key")
    [receipt] = service.appender.append(tenant_id, tenant, [Submission(event, canonical, source)])
    return receipt
