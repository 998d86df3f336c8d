"""The worker ``ledger serve`` ran before issue 14, kept for ``make bench`` to measure against:
gunicorn's sync worker, run by several threads.

Not for serving: a thread reads its request itself, so as many slow or idle connections as
there are threads stop the service (``ledger/serving.py`` says what replaced it and why).

Each thread does what a sync worker does: accept one connection, answer its one request,
close it. Appends need threads (so that the ones waiting for the log share a commit,
``ledger/appender.py``), but gunicorn's gthread worker costs more CPU per request than the
sync worker (a poller, a futures queue and a wake-up pipe per request) and it balances
badly: a worker keeps every keep-alive connection it accepted, so two or three clients
posting large batches may all land on one worker, whose threads then share one core
while the other worker idles (``make bench`` saw batch ingest halve; docs/design/CEILINGS.md,
pitfall 10). Here a worker whose threads are all busy accepts nothing, so the kernel
hands new connections to the threads waiting in the other workers, as with sync workers.
Connections are not kept alive (as with sync workers): behind a reverse proxy, and for
webhook senders, each request comes on its own connection anyway.

The benchmark runs it as ``ledger serve --worker-class bench.sync_threads.SyncThreads``.
"""

from __future__ import annotations

import threading

from gunicorn.workers.sync import SyncWorker  # type: ignore[import-untyped]

WAKE_SECONDS = 1.0  # how soon an idle thread notices the worker is stopping


class SyncThreads(SyncWorker):  # type: ignore[misc]  # gunicorn has no type hints
    def run(self) -> None:
        for listener in self.sockets:
            listener.setblocking(False)  # as SyncWorker.run: lost across the fork
        loop = self.run_for_multiple if len(self.sockets) > 1 else self.run_for_one
        timeout = min(self.timeout or WAKE_SECONDS, WAKE_SECONDS)
        # Daemon threads: a worker told to quit at once (SIGQUIT, or aborted after its
        # timeout) exits from its main thread without waiting for them.
        others = [
            threading.Thread(target=loop, args=(timeout,), name=f"sync-{i}", daemon=True)
            for i in range(1, max(1, self.cfg.threads))
        ]
        for thread in others:
            thread.start()
        loop(timeout)
        for thread in others:  # a graceful stop: each finishes the request it is answering
            thread.join()
