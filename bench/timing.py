"""Repeat a measurement and report the median with its range, as docs/design/CEILINGS.md does."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any


def rate(work: Callable[[], int], runs: int = 5) -> dict[str, Any]:
    """``work`` returns how many operations it did; the result is operations per second."""
    rates = []
    for _ in range(runs):
        start = time.perf_counter()
        count = work()
        rates.append(count / (time.perf_counter() - start))
    return {
        "per_second": round(statistics.median(rates)),
        "min": round(min(rates)),
        "max": round(max(rates)),
        "runs": runs,
    }


def seconds(work: Callable[[], object], runs: int = 5) -> dict[str, Any]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return {
        "seconds": round(statistics.median(times), 4),
        "min": round(min(times), 4),
        "max": round(max(times), 4),
        "runs": runs,
    }
