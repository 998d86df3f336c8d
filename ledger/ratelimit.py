"""A per-client token bucket, in process: ``RateLimit(rate, burst).take(client)``.

Each client (a remote address) has a bucket of ``burst`` tokens that refills at ``rate``
tokens a minute; a request takes one, and a request that finds the bucket empty is
refused with the seconds until the next token (``Retry-After``). The buckets live in
the process: with gunicorn, each worker keeps its own, so a client gets at most
``workers`` times the rate (docs/operator-guide.md). Buckets that are full again are
forgotten when there are more than ``MAX_CLIENTS``, so the memory stays bounded.

``client(peer, forwarded, proxies)`` names the client: the TCP peer, unless the peer is
one of the trusted reverse proxies, whose ``X-Forwarded-For`` then names it (its last
entry: the address the proxy itself saw; what the client wrote before it is not
believed).
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Sequence
from ipaddress import IPv4Network, IPv6Network, ip_address

MAX_CLIENTS = 10_000


class RateLimit:
    def __init__(
        self, rate: float, burst: int, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.per_second = rate / 60.0
        self.burst = float(burst)
        self.clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}  # client: (tokens, at)
        self._lock = threading.Lock()

    def _level(self, tokens: float, at: float, now: float) -> float:
        return min(self.burst, tokens + (now - at) * self.per_second)

    def take(self, client: str) -> int:
        """0 if ``client`` may go on (a token taken), else the seconds to wait."""
        now = self.clock()
        with self._lock:
            tokens, at = self._buckets.get(client, (self.burst, now))
            tokens = self._level(tokens, at, now)
            if tokens >= 1.0:
                self._buckets[client] = (tokens - 1.0, now)
                if len(self._buckets) > MAX_CLIENTS:
                    self._forget_full(now)
                return 0
            self._buckets[client] = (tokens, now)
            return max(1, math.ceil((1.0 - tokens) / self.per_second))

    def _forget_full(self, now: float) -> None:
        full = [c for c, (t, at) in self._buckets.items() if self._level(t, at, now) >= self.burst]
        for client in full:
            del self._buckets[client]


def client(
    peer: str | None, forwarded: str | None, proxies: Sequence[IPv4Network | IPv6Network]
) -> str:
    """The client's address for the rate limit (see the module doc)."""
    if peer is None:
        return "unknown"
    if not proxies or not forwarded:
        return peer
    try:
        trusted = any(ip_address(peer) in net for net in proxies)
    except ValueError:
        return peer
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    return hops[-1] if trusted and hops else peer
