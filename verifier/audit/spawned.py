"""Worker processes started as new Python interpreters (``concurrent.futures``), where
forking this process is not safe (macOS, Windows): each imports the verifier and takes
regions from a ``ProcessPoolExecutor`` (``verifier.audit.parallel``)."""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from verifier.audit.leaves import Hashed
from verifier.audit.parallel import Broken, hash_region
from verifier.audit.reader import Region


class _Pending:
    __slots__ = ("future",)

    def __init__(self, future: Future[Hashed | None]) -> None:
        self.future = future

    def done(self) -> bool:
        return self.future.done()

    def result(self) -> Hashed | None:
        try:
            return self.future.result()
        except BrokenProcessPool as e:
            raise Broken(str(e)) from e


class SpawnedPool:
    def __init__(self, jobs: int, start: Callable[[], None], ahead: int) -> None:
        self.executor = ProcessPoolExecutor(
            max_workers=jobs, mp_context=multiprocessing.get_context("spawn"), initializer=start
        )
        self.ahead = ahead

    def submit(self, region: Region, prev: bytes | None) -> _Pending:
        return _Pending(self.executor.submit(hash_region, region.offset, region.length, prev))

    def close(self) -> None:
        self.executor.shutdown(wait=True, cancel_futures=True)
