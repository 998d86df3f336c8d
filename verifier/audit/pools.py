"""Which worker processes hash the leaf regions of a file audit, and how many
(``verifier.audit.parallel`` says what they do).

On Linux, while this process runs one thread, the workers are forked from it, with the
verifier already imported, and fed through pipes (``verifier.audit.forked``): they
start within a millisecond and only read the file and hash. Elsewhere (macOS, Windows:
the system's libraries may not survive a fork), or when other threads run (a lock one
of them holds would stay held in the child), they are new interpreters under
``concurrent.futures`` (``verifier.audit.spawned``).
"""

from __future__ import annotations

import functools
import os
import sys

from verifier.audit import parallel
from verifier.audit.parallel import Pool
from verifier.hashing import HashAlgorithm

FORK = sys.platform == "linux"
"""Whether workers may be forked on this system (see the module docstring)."""

AHEAD = 64
"""Regions handed to the workers beyond the one the main process merges next. A region's
result is a few kilobytes (its compact ranges), so the workers may run far ahead: the
main process, checking checkpoint signatures meanwhile, sometimes falls behind them,
and a worker that has nothing handed to it leaves its core idle."""


def workers(jobs: int | None) -> int:
    """How many processes to hash with: ``jobs``, or the cores this process may use."""
    if jobs is not None:
        return max(1, jobs)
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def fork_safe() -> bool:
    """Whether workers may be forked from this process: on Linux (``FORK``), while it runs
    one thread."""
    threading = sys.modules.get("threading")  # not imported: no other thread
    return FORK and (threading is None or threading.active_count() == 1)


def start_pool(path: str, fragment: bytes, alg: HashAlgorithm, sizes: list[int], jobs: int) -> Pool:
    """``jobs`` workers for the regions of ``path`` (see the module docstring). Raises
    ``OSError`` if no process can be started."""
    start = functools.partial(parallel.start, path, fragment, alg.name, sorted(sizes))
    ahead = max(AHEAD, 2 * jobs + 1)
    if fork_safe():
        from verifier.audit.forked import ForkedPool

        return ForkedPool(jobs, start, parallel.hash_region, ahead)
    from verifier.audit.spawned import SpawnedPool

    return SpawnedPool(jobs, start, ahead)
