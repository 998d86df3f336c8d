"""``ledger.ratelimit``: a burst, then one request per 60/rate seconds, per client; the
wait it answers is the time until the next token; idle clients are forgotten."""

from __future__ import annotations

from ipaddress import ip_network

from ledger import ratelimit
from ledger.ratelimit import RateLimit, client


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_burst_then_rate_per_client() -> None:
    clock = Clock()
    limit = RateLimit(rate=6, burst=3, clock=clock)  # one token every 10 s
    assert [limit.take("a") for _ in range(3)] == [0, 0, 0]
    assert limit.take("a") == 10
    assert limit.take("b") == 0  # another client, its own bucket
    clock.now += 4
    assert limit.take("a") == 6  # a refused request takes nothing
    clock.now += 6
    assert limit.take("a") == 0
    assert limit.take("a") == 10
    clock.now += 3600
    assert [limit.take("a") for _ in range(4)] == [0, 0, 0, 10]  # never more than the burst


def test_full_buckets_are_forgotten() -> None:
    clock = Clock()
    limit = RateLimit(rate=60, burst=1, clock=clock)
    for n in range(ratelimit.MAX_CLIENTS + 1):
        limit.take(f"client-{n}")
    clock.now += 5  # every bucket is full again
    limit.take("one more")
    assert len(limit._buckets) <= 2


def test_the_client_behind_a_trusted_proxy() -> None:
    proxies = [ip_network("127.0.0.1/32"), ip_network("10.0.0.0/8")]
    assert client("203.0.113.9", None, proxies) == "203.0.113.9"
    # a client's own X-Forwarded-For is not believed
    assert client("203.0.113.9", "198.51.100.1", proxies) == "203.0.113.9"
    # the proxy's last entry is the address it saw; what the client wrote before it is not
    assert client("127.0.0.1", "6.6.6.6, 198.51.100.7", proxies) == "198.51.100.7"
    assert client("10.1.2.3", "2001:db8::1", proxies) == "2001:db8::1"
    assert client("127.0.0.1", "198.51.100.7", []) == "127.0.0.1"  # no proxy configured
    assert client(None, "198.51.100.7", proxies) == "unknown"
