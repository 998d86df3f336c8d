"""Helpers of the file-audit tests (parallel, pools, ahead): the size of the shared
export (``conftest.export``), spies on what the main process calls, and what a worker
does before its region."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import pytest

from verifier import checkpoint as notes
from verifier.audit import files, forked, parallel
from verifier.audit.leaves import Hashed, Leaves

N = 5_000  # leaves of the shared export
CHUNK = 50_000  # bytes of leaves per region: about 80 regions


def results(monkeypatch: pytest.MonkeyPatch, owner: object, name: str) -> list[Any]:
    """What ``owner.name`` returns, call by call in this process, while the test runs."""
    seen: list[Any] = []
    original = getattr(owner, name)

    def spy(*args: Any, **kwargs: Any) -> Any:
        seen.append(original(*args, **kwargs))
        return seen[-1]

    monkeypatch.setattr(owner, name, spy)
    return seen


def merges(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """What ``Leaves.merge`` answers, in the main process."""
    return results(monkeypatch, Leaves, "merge")


def started(monkeypatch: pytest.MonkeyPatch) -> list[parallel.Pool]:
    """The worker pools the file audits start, in this process."""
    return results(monkeypatch, files, "start_pool")


def verified_notes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every note ``verifier.checkpoint.verify`` is asked about, in the main process."""
    seen: list[str] = []
    verify = notes.verify

    def spy(note: str, vkeys: list[str]) -> notes.Checkpoint:
        seen.append(note)
        return verify(note, vkeys)

    monkeypatch.setattr(notes, "verify", spy)
    return seen


def before_each_region(monkeypatch: pytest.MonkeyPatch, hook: Callable[[int], None]) -> None:
    """Workers started from now on call ``hook(offset)`` before they hash a region (forked
    workers only: a spawned one imports its own ``verifier.audit.parallel``)."""
    work = parallel.hash_region

    def hooked(offset: int, length: int, prev: bytes | None) -> Hashed | None:
        hook(offset)
        return work(offset, length, prev)

    monkeypatch.setattr(parallel, "hash_region", hooked)


def assert_reaped(pool: parallel.Pool) -> None:
    """No worker of ``pool`` is left running, nor waiting to be reaped."""
    assert isinstance(pool, forked.ForkedPool)
    assert len(pool.started) == 2
    for pid in pool.started:
        with pytest.raises(ChildProcessError):  # neither running nor a zombie
            os.waitpid(pid, os.WNOHANG)
