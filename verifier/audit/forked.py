"""Worker processes forked from this one and fed through pipes (POSIX ``fork``; Linux).

The workers of a file audit (``verifier.audit.parallel``) only read the file and hash,
so this process forks them directly, with the verifier already imported, and talks to
them through pipes: a worker starts hashing within a millisecond of the audit asking it
to, and takes its next region straight from the pipe, without a thread of this process
handing it over. Nothing of ``multiprocessing`` or ``concurrent.futures`` is imported.

- Tasks: one pipe that every worker reads, a fixed-size record per region (far below
  ``PIPE_BUF``, so that each write is atomic and each read takes exactly one record).
- Results: a pipe per worker, each result a length-prefixed pickle of
  ``(index, Hashed | None)``; this process reads whichever pipe has data.
- A worker that dies (its pipe closes while regions are out) breaks the pool: every
  region not yet back raises ``Broken`` and is read by this process instead.
- ``close`` ends the task pipe (idle workers exit), kills workers still busy (after an
  error here) and reaps them all.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import select
import signal
import struct
from collections.abc import Callable

from verifier.audit.leaves import Hashed
from verifier.audit.parallel import Broken
from verifier.audit.reader import Region

Work = Callable[[int, int, bytes | None], Hashed | None]

_CHAIN = 64  # bytes of a chain value a task can carry (SHA-256's 32, SHA-512's 64)
_TASK = struct.Struct(f"<QQQB{_CHAIN}s")  # index, offset, length, chain size (0: unknown), chain
_SIZE = struct.Struct("<I")  # the length of a result's pickle


class Pending:
    """A region handed to the workers."""

    __slots__ = ("index", "pool")

    def __init__(self, pool: ForkedPool, index: int) -> None:
        self.pool, self.index = pool, index

    def done(self) -> bool:
        return self.pool.poll(self.index)

    def result(self) -> Hashed | None:
        return self.pool.wait(self.index)


class ForkedPool:
    """``jobs`` worker processes, each running ``work(offset, length, prev)``."""

    def __init__(self, jobs: int, start: Callable[[], None], work: Work, ahead: int) -> None:
        self.ahead = ahead
        self.children: dict[int, int] = {}  # result pipe -> pid, while it is open
        self.pids: list[int] = []  # not yet reaped
        self.started: list[int] = []
        self.buffers: dict[int, bytearray] = {}
        self.results: dict[int, Hashed | None] = {}
        self.out = 0  # regions handed out and not back
        self.count = 0
        self.broken = False
        self.poller = select.poll()
        tasks, self.tasks = os.pipe()
        try:
            for _ in range(jobs):
                self._fork(tasks, start, work)
        except BaseException:
            self.close()  # the workers forked so far
            raise
        finally:
            os.close(tasks)

    def _fork(self, tasks: int, start: Callable[[], None], work: Work) -> None:
        read, write = os.pipe()
        try:
            pid = os.fork()
        except OSError:
            os.close(read)
            os.close(write)
            raise
        if pid == 0:  # the worker: never returns
            _serve(tasks, write, [read, self.tasks, *self.children], start, work)
        os.close(write)
        self.pids.append(pid)
        self.started.append(pid)
        self.children[read] = pid
        self.buffers[read] = bytearray()
        self.poller.register(read, select.POLLIN)

    def submit(self, region: Region, prev: bytes | None) -> Pending:
        index, self.count = self.count, self.count + 1
        chain = prev if prev is not None and len(prev) <= _CHAIN else b""  # b"": unknown
        if not self.broken:
            task = _TASK.pack(index, region.offset, region.length, len(chain), chain)
            try:
                os.write(self.tasks, task)
            except BrokenPipeError:  # every worker is gone: its result raises Broken
                self.broken = True
            else:
                self.out += 1
        return Pending(self, index)

    def poll(self, index: int) -> bool:
        if index not in self.results and not self.broken:
            self._read(0.0)
        return index in self.results or self.broken

    def wait(self, index: int) -> Hashed | None:
        while index not in self.results and not self.broken:
            self._read(None)
        if index not in self.results:
            raise Broken("a worker process ended before handing back its region")
        return self.results.pop(index)

    def _read(self, timeout: float | None) -> None:
        """Take in what the workers wrote, waiting up to ``timeout`` seconds for it."""
        for fd, _ in self.poller.poll(None if timeout is None else int(timeout * 1000)):
            data = os.read(fd, 1 << 20)
            if not data:  # the worker is gone
                self.poller.unregister(fd)
                os.close(fd)
                del self.children[fd]
                self.broken = self.broken or self.out > 0
                continue
            buffer = self.buffers[fd]
            buffer += data
            while len(buffer) >= _SIZE.size:
                (size,) = _SIZE.unpack_from(buffer)
                if len(buffer) < _SIZE.size + size:
                    break
                index, result = pickle.loads(buffer[_SIZE.size : _SIZE.size + size])  # noqa: S301  our own worker's
                del buffer[: _SIZE.size + size]
                self.results[index] = result
                self.out -= 1

    def close(self) -> None:
        """End the tasks (idle workers read it and exit), kill the workers if regions are
        still out (no one will take them), and reap every worker."""
        if self.tasks < 0:
            return
        os.close(self.tasks)
        self.tasks = -1
        for fd in self.children:
            os.close(fd)
        for pid in self.pids:
            if self.out:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        self.children.clear()
        self.pids.clear()


def _serve(tasks: int, out: int, others: list[int], start: Callable[[], None], work: Work) -> None:
    """A worker's life: regions from ``tasks`` until it ends, results to ``out``."""
    code = 1
    try:
        for fd in others:
            os.close(fd)
        start()
        while len(record := os.read(tasks, _TASK.size)) == _TASK.size:
            index, offset, length, known, chain = _TASK.unpack(record)
            try:
                result = work(offset, length, chain[:known] if known else None)
            except Exception:  # the region is read by the main process, and reported
                result = None
            data = pickle.dumps((index, result), protocol=pickle.HIGHEST_PROTOCOL)
            view = memoryview(_SIZE.pack(len(data)) + data)
            while view:
                view = view[os.write(out, view) :]
        code = 0
    finally:
        os._exit(code)
