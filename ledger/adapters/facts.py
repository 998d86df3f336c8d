"""Where the facts a platform reports go in an event (docs/evidence-format.md, "Facts the
platforms report"): the time of the act, each recipient's own times, the recipients of
the envelope. The adapters read their platform's fields; these helpers give the facts
their one shape.

Two rules every adapter follows through them:

- ``occurred_at`` is the platform's time of the act itself; only where the delivery
  carries none does it fall back to the time the platform generated the delivery, and
  ``data.occurred_at_source`` then says ``"generated": true``. Otherwise that
  generation time is kept in ``data.platform_generated_at``.
- A recipient's time later than the event's own act is left out: it belongs to a later
  event, and a platform that rebuilds a retry's body (DocuSeal does) would otherwise
  change the event between attempts (shared webhooks README rule 4).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

Parse = Callable[[Any, str], str]  # (platform value, its field) -> RFC 3339, else malformed
TIME_KEYS = ("sent", "delivered", "viewed", "authenticated", "signed", "declined")


def reported(value: Any) -> bool:
    """The platform sent something (not null, not an empty string)."""
    return value is not None and value != ""


@dataclass(frozen=True)
class Occurred:
    """``occurred_at``, the platform field it came from, and the generation time."""

    at: str
    field: str
    value: Any
    generated_at: str | None  # the delivery's generation time, when the act's time is another
    is_generation: bool = False  # no act time was reported: ``at`` is the generation time

    def data(self) -> dict[str, Any]:
        """``occurred_at_source`` and ``platform_generated_at`` for the event's ``data``."""
        source: dict[str, Any] = {"field": self.field, "value": self.value}
        if self.is_generation:
            source["generated"] = True
        return {"occurred_at_source": source, "platform_generated_at": self.generated_at}


def occurred(acts: Sequence[tuple[str, Any]], generated: tuple[str, Any], parse: Parse) -> Occurred:
    """The first act time of ``acts`` (field, value) the platform reported; else the
    generation time ``generated`` (field, value), marked as such."""
    gen_field, gen_value = generated
    for field, value in acts:
        if reported(value):
            when = parse(gen_value, gen_field) if reported(gen_value) else None
            return Occurred(parse(value, field), field, value, when)
    return Occurred(parse(gen_value, gen_field), gen_field, gen_value, None, True)


def times(pairs: Iterable[tuple[str, Any, str]], until: str, parse: Parse) -> dict[str, str]:
    """``recipient_times``: (key of ``TIME_KEYS``, platform value, its field) → RFC 3339,
    the ones reported and not after ``until`` (the event's ``occurred_at``)."""
    limit = datetime.fromisoformat(until)
    found: dict[str, str] = {}
    for key, value, field in pairs:
        if reported(value):
            when = parse(value, field)
            if datetime.fromisoformat(when) <= limit:
                found[key] = when
    return found


def recipient(
    *,
    name: str | None = None,
    email: str | None = None,
    phone: str | None = None,
    role: str | None = None,
    auth_method: str | None = None,
    status: str | None = None,
    times: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """One entry of ``data.recipients``: what was reported, nothing empty."""
    entry: dict[str, Any] = {
        "name": name,
        "email": email,
        "phone": phone,
        "role": role,
        "auth_method": auth_method,
        "status": status,
        "times": dict(times) if times else None,
    }
    return {k: v for k, v in entry.items() if v}


def listed(values: Iterable[str | None]) -> list[str] | None:
    """A list of the reported values (``data.document_names``), or None if there are none."""
    found = [v for v in values if v]
    return found or None
