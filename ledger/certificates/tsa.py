"""The TSAs a certificate's signature is time-stamped by, and the roots that verify them.

One pyHanko time-stamper per configured TSA URL, kept per process.
"""

from __future__ import annotations

import threading

from config.settings import Settings
from ledger.anchoring.setup import trust_roots
from ledger.errors import Unavailable
from reports.signing import TimedTimeStamper

_stampers: dict[tuple[str, float, tuple[tuple[str, str], ...]], TimedTimeStamper] = {}
_stampers_lock = threading.Lock()


def timestampers(settings: Settings) -> list[TimedTimeStamper]:
    """One pyHanko time-stamper per configured TSA URL, in order, kept per process."""
    found = []
    with _stampers_lock:
        for url in settings.tsa_urls:
            headers = settings.tsa_headers.get(url) or {}
            key = (url, float(settings.tsa_timeout), tuple(sorted(headers.items())))
            if key not in _stampers:
                _stampers[key] = TimedTimeStamper(url, settings.tsa_timeout, headers or None)
            found.append(_stampers[key])
    return found


def tsa_roots(settings: Settings) -> list[bytes]:
    """The configured TSA trust roots; none when no TSA was ever set up (no anchors)."""
    try:
        return trust_roots(settings)
    except Unavailable:
        if settings.tsa_urls or settings.tsa_trust_roots:
            raise
        return []  # no TSA and no development TSA yet: nothing can be anchored
