"""Prometheus metrics. Under gunicorn every worker writes to ``PROMETHEUS_MULTIPROC_DIR``
(set by ``ledger serve``) and any worker can answer a scrape for all of them."""

from __future__ import annotations

import os
import time

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import REGISTRY, Collector

APPENDED = Counter("ledger_entries_appended", "Entries appended to the log")
REQUESTS = Counter("ledger_http_requests", "HTTP requests answered", ["method", "route", "status"])
ANCHORS = Counter("ledger_anchors", "Valid RFC 3161 tokens stored", ["tsa"])
ANCHOR_FAILURES = Counter(
    "ledger_anchor_failures", "TSA requests that gave no valid token", ["tsa"]
)
LATENCY = Histogram(
    "ledger_http_request_seconds",
    "Time to answer an HTTP request",
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
)


# Label values come from fixed sets, so that no request can add a time series: a method
# outside METHODS counts as OTHER, a path no route matched as "unmatched", and a matched
# one by its route template (/v1/log/entries/<seq>, never the seq).
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
OTHER_METHOD = "OTHER"
UNMATCHED = "unmatched"


def answered(method: str, status: int, started: float, route: str | None) -> None:
    """Count an HTTP answer and its latency (Flask's after_request and the fast path);
    ``route`` is the matched route's template, None when no route matched."""
    LATENCY.observe(time.perf_counter() - started)
    label = method if method in METHODS else OTHER_METHOD
    code = status if 100 <= status <= 599 else 500
    REQUESTS.labels(label, route or UNMATCHED, str(code)).inc()


class _Gauges(Collector):
    def __init__(self, values: dict[str, tuple[str, float]]) -> None:
        self.values = values

    def collect(self):  # type: ignore[no-untyped-def]
        for name, (doc, value) in self.values.items():
            yield GaugeMetricFamily(name, doc, value=value)


def exposition(gauges: dict[str, tuple[str, float]]) -> bytes:
    """All counters (every worker's) plus gauges read now from the database."""
    if "PROMETHEUS_MULTIPROC_DIR" in os.environ:
        registry = CollectorRegistry()
        MultiProcessCollector(registry)
        counters = generate_latest(registry)
    else:
        counters = generate_latest(REGISTRY)
    extra = CollectorRegistry()
    extra.register(_Gauges(gauges))
    return counters + generate_latest(extra)
