"""The audit's workers (verifier.audit.pools): forked and fed through pipes on Linux
(verifier.audit.forked), new interpreters elsewhere or beside other threads
(verifier.audit.spawned). A worker that dies or fails hands its regions back to the main
process, which reads them itself; an audit that stops (an error in the header, Ctrl-C)
kills and reaps its workers; the report is always the one a single process writes."""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

import pytest

from tests.verifier.audit.helpers import (
    CHUNK,
    N,
    assert_reaped,
    before_each_region,
    merges,
    started,
)
from verifier.audit import audit_file, forked, pools, spawned
from verifier.audit.leaves import Hashed, Leaves
from verifier.audit.reader import Region, scan
from verifier.checkpoint import NoteSigner
from verifier.errors import MalformedError


def regions(path: Path) -> list[Region]:
    with path.open("rb") as f:
        return scan(f, CHUNK).regions


@pytest.mark.usefixtures("forking")
def test_a_worker_that_dies_leaves_its_regions_to_the_main_process(
    export: tuple[Path, NoteSigner], monkeypatch: pytest.MonkeyPatch
) -> None:
    path, signer = export
    one = audit_file(path, [signer.vkey], [], jobs=1)
    doomed = regions(path)[5].offset

    def dies(offset: int) -> None:
        if offset == doomed:
            os._exit(3)  # as if killed: no result, its pipe closes

    before_each_region(monkeypatch, dies)
    running, seen = started(monkeypatch), merges(monkeypatch)
    two = audit_file(path, [signer.vkey], [], jobs=2, chunk_bytes=CHUNK)
    assert two.to_dict() == one.to_dict()
    assert two.valid
    assert all(seen)  # until the death, from the workers
    assert len(seen) < len(regions(path))  # after it, read here
    assert_reaped(running[0])


@pytest.mark.usefixtures("forking")
def test_a_region_that_fails_in_a_worker_is_read_here(
    export: tuple[Path, NoteSigner], monkeypatch: pytest.MonkeyPatch
) -> None:
    path, signer = export
    one = audit_file(path, [signer.vkey], [], jobs=1)
    failing = regions(path)[3].offset

    def fails(offset: int) -> None:
        if offset == failing:
            raise MemoryError("no room for this region")

    before_each_region(monkeypatch, fails)
    running, seen = started(monkeypatch), merges(monkeypatch)
    two = audit_file(path, [signer.vkey], [], jobs=2, chunk_bytes=CHUNK)
    assert two.to_dict() == one.to_dict()
    assert seen == [True] * (len(regions(path)) - 1)  # every region but the failed one
    assert_reaped(running[0])


@pytest.mark.usefixtures("forking")
def test_an_interrupted_audit_kills_and_reaps_its_workers(
    export: tuple[Path, NoteSigner], monkeypatch: pytest.MonkeyPatch
) -> None:
    path, signer = export
    running, merge = started(monkeypatch), Leaves.merge

    def interrupted(self: Leaves, run: Hashed) -> bool:
        if self.seq > N // 4:
            raise KeyboardInterrupt  # Ctrl-C, with regions out
        return merge(self, run)

    monkeypatch.setattr(Leaves, "merge", interrupted)
    with pytest.raises(KeyboardInterrupt):
        audit_file(path, [signer.vkey], [], jobs=2, chunk_bytes=CHUNK)
    assert_reaped(running[0])


def test_where_fork_is_not_used_new_processes_give_the_same_report(
    export: tuple[Path, NoteSigner], monkeypatch: pytest.MonkeyPatch
) -> None:
    """macOS and Windows: the workers are new interpreters (verifier.audit.spawned)."""
    path, signer = export
    one = audit_file(path, [signer.vkey], [], jobs=1)
    monkeypatch.setattr(pools, "FORK", False)  # and so fork_safe()
    running, seen = started(monkeypatch), merges(monkeypatch)
    two = audit_file(path, [signer.vkey], [], jobs=2, chunk_bytes=CHUNK * 10)
    assert two.to_dict() == one.to_dict()
    assert len(seen) > 1
    assert all(seen)  # every region from a spawned worker
    assert [type(pool) for pool in running] == [spawned.SpawnedPool]


def test_a_process_running_other_threads_starts_new_interpreters_instead(
    export: tuple[Path, NoteSigner], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A service audits in a thread: forking it would copy locks its other threads hold."""
    path, signer = export
    running, release = started(monkeypatch), threading.Event()
    other = threading.Thread(target=release.wait)
    other.start()
    try:
        report = audit_file(path, [signer.vkey], [], jobs=2, chunk_bytes=CHUNK * 10)
    finally:
        release.set()
        other.join()
    assert report.valid
    assert [type(pool) for pool in running] == [spawned.SpawnedPool]


@pytest.mark.usefixtures("forking")
def test_a_header_the_audit_refuses_stops_the_workers_it_started(
    export: tuple[Path, NoteSigner], monkeypatch: pytest.MonkeyPatch
) -> None:
    path, signer = export
    running = started(monkeypatch)
    refused = r"the export is of log 'test\.example/evidence-ledger', not 'other\.example/log'"
    with pytest.raises(MalformedError, match=refused):
        audit_file(path, [signer.vkey], [], origin="other.example/log", jobs=2, chunk_bytes=CHUNK)
    (pool,) = running  # the workers had started on the header's word
    assert_reaped(pool)


@pytest.mark.usefixtures("forking")
def test_workers_killed_from_outside_leave_every_region_to_the_main_process(
    export: tuple[Path, NoteSigner], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The OOM killer takes both workers between two regions: the next region handed out
    finds no one to read it, and the main process reads the rest itself."""
    path, signer = export
    one = audit_file(path, [signer.vkey], [], jobs=2)
    running, merge, killed = started(monkeypatch), Leaves.merge, []
    assert len(regions(path)) > pools.AHEAD + 5  # regions are still handed out later

    def kills(self: Leaves, run: Hashed) -> bool:
        pool = running[0]
        assert isinstance(pool, forked.ForkedPool)
        if self.seq > 0 and not killed:
            for pid in pool.pids:
                os.kill(pid, signal.SIGKILL)
                killed.append(pid)
            time.sleep(0.2)  # gone, their pipes closed
        return merge(self, run)

    monkeypatch.setattr(Leaves, "merge", kills)
    two = audit_file(path, [signer.vkey], [], jobs=2, chunk_bytes=CHUNK)
    assert two.to_dict() == one.to_dict()
    assert two.valid
    assert len(killed) == 2
    assert_reaped(running[0])
