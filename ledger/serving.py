"""The gunicorn worker of ``ledger serve``: one thread reads requests whole, a pool answers them.

A worker process has one reader thread and ``--threads`` answering threads. The reader
accepts connections and reads them with non-blocking sockets and one ``selectors`` loop:
the request line and headers, then the body (by ``Content-Length``, or chunked to its
last chunk). Each phase has a deadline of ``LEDGER_CLIENT_TIMEOUT`` seconds (10 by
default): a connection that has not sent its headers, or then its body, in time gets a
408 (or is closed, if it sent nothing) and never reaches a thread. A request read whole
goes to the pool, where gunicorn's own parser and ``handle_request`` run it as gunicorn's
sync worker would, reading from the bytes already buffered; the response is written with
a socket timeout of the same deadline, and the connection is handed back to the reader to
be closed (a FIN, then the client's leftovers drained for up to 2 s, RFC 9112 §9.6).

So a slow or idle client costs a socket and its buffered bytes, never a thread: the
threads only ever run complete requests. Both are bounded per worker: at most
``worker_connections`` (gunicorn's, 1,000) connections being read, the oldest dropped for
a new one, and at most 64 MiB (or four bodies of ``LEDGER_MAX_BODY_BYTES``) buffered, the
oldest refused with 408 beyond that. A body declared larger than the limit is not read:
the app refuses it from its ``Content-Length`` (413). Why this and not a reverse proxy in front, or
gunicorn's gthread worker: docs/architecture.md ("Slow clients").

What it keeps from the worker it replaced (``bench/sync_threads.py``, sync workers run by
threads): requests of one process run in threads, so appends waiting for the log share a
commit (``ledger/appender.py``); one request per connection; and a worker accepts only
while one of its threads is free, so the kernel gives new connections to the other
workers (the reader stops watching the listening socket until a thread is free).

Refusals of the HTTP layer, before the app sees the request (request line over 4,094
bytes: 414; headers too large or too many: 431; a malformed request: 400; too slow: 408),
are JSON with the app's error document (``ledger.api.errors.error_document``).

Stopping: SIGTERM, SIGINT and SIGQUIT all stop gracefully. Connections still being read
are closed (nothing was acknowledged on them), every request read whole is answered, and
the process exits; gunicorn's master kills what is left after ``--graceful-timeout``.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import queue
import selectors
import socket
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from gunicorn import http  # type: ignore[import-untyped]
from gunicorn.http import errors as http_errors  # type: ignore[import-untyped]
from gunicorn.workers.sync import SyncWorker  # type: ignore[import-untyped]
from werkzeug.http import HTTP_STATUS_CODES

from config.settings import load
from ledger.api.errors import error_document, status_code_name

WAKE_SECONDS = 1.0  # the reader's longest sleep: it tells the master it is alive
LINGER_SECONDS = 2.0  # after the response: draining what the client still sends
HEADER_BYTES = 64 * 1024  # a request line and headers larger than this: 431
BUFFER_BYTES = 64 * 1024 * 1024  # at most this much (or 4 bodies) buffered by one worker
CONTINUE = b"HTTP/1.1 100 Continue\r\n\r\n"
READ = selectors.EVENT_READ


@dataclass(eq=False)
class _Reading:
    """A connection whose request is being read."""

    sock: socket.socket
    addr: Any
    listener: Any
    deadline: float
    data: bytearray = field(default_factory=bytearray)
    head_end: int = 0  # where the body starts, once the headers are in
    length: int | None = None  # Content-Length
    chunked: bool = False
    continued: bool = False  # we answered "Expect: 100-continue"
    more: bool = False  # the thread may read past the buffered bytes (a body not buffered)


class _Replay:
    """The connection as gunicorn's parser and response see it: the buffered request first,
    then end of stream (or the socket itself, for a body left unread); everything else is the
    socket's. The ``100 Continue`` the reader already sent is not sent twice."""

    def __init__(self, conn: _Reading) -> None:
        self._sock, self._data, self._at = conn.sock, memoryview(bytes(conn.data)), 0
        self._more, self._continued = conn.more, conn.continued

    def recv(self, size: int) -> bytes:
        if self._at < len(self._data):
            chunk = bytes(self._data[self._at : self._at + size])
            self._at += len(chunk)
            return chunk
        return self._sock.recv(size) if self._more else b""

    def send(self, data: bytes) -> int:
        if self._continued and bytes(data) == CONTINUE:
            self._continued = False
            return len(data)
        return self._sock.send(data)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sock, name)


def refusal(status: int, message: str) -> bytes:
    """A whole HTTP response refusing a request the app never saw, in the app's JSON."""
    body = json.dumps(error_document(status_code_name(status), message)).encode()
    reason = HTTP_STATUS_CODES.get(status, "Error")
    head = (
        f"HTTP/1.1 {status} {reason}\r\nConnection: close\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    return head.encode("latin-1") + body


def _status_of(exc: BaseException) -> int | None:
    """The status of a request gunicorn's parser refused; None for a fault of ours."""
    if isinstance(exc, http_errors.InvalidResponseHeader | http_errors.InvalidResponseHeaderName):
        return None
    if isinstance(exc, http_errors.LimitRequestLine):
        return 414
    if isinstance(exc, http_errors.LimitRequestHeaders):
        return 431
    if isinstance(exc, http_errors.UnsupportedTransferCoding):
        return 501
    if isinstance(exc, http_errors.ExpectationFailed):
        return 417
    if isinstance(exc, http_errors.ForbiddenProxyRequest):
        return 403
    if isinstance(exc, http_errors.ConfigurationProblem):
        return None
    if isinstance(exc, http_errors.ParseException):
        return 400
    return None


_MESSAGES = {
    400: "the request is not valid HTTP/1.1",
    403: "the proxy headers are not allowed from this address",
    408: "the request was not received in time",
    414: "the request line is longer than 4,094 bytes",
    417: "the expectation cannot be met",
    431: "the request headers are too large or too many",
    501: "the transfer coding is not supported",
}


class BufferedThreads(SyncWorker):  # type: ignore[misc]  # gunicorn has no type hints
    """``ledger serve --worker-class ledger.serving.BufferedThreads --threads N``."""

    def init_process(self) -> None:
        settings = load(os.environ)
        self.client_timeout = float(settings.client_timeout)
        self.body_max = settings.max_body_bytes  # a larger body is not buffered: the app refuses it
        self.buffer_max = max(BUFFER_BYTES, 4 * self.body_max)
        self.buffered = 0  # bytes held by the connections being read
        super().init_process()

    # -- signals ---------------------------------------------------------------------------

    def handle_quit(self, sig: int, frame: Any) -> None:
        """SIGINT and SIGQUIT stop gracefully too (gunicorn's default exits at once,
        aborting requests in flight, with a traceback from every thread)."""
        self.alive = False

    # -- the reader ------------------------------------------------------------------------

    def run(self) -> None:
        for listener in self.sockets:
            listener.setblocking(False)  # lost across the fork
        self.selector = selectors.DefaultSelector()
        self.selector.register(self.PIPE[0], READ, "wake")
        self.listening = False
        self.reading: dict[socket.socket, _Reading] = {}  # in the order accepted
        self.lingering: dict[socket.socket, float] = {}
        self.ready: queue.SimpleQueue[_Reading | None] = queue.SimpleQueue()
        self.done: queue.SimpleQueue[socket.socket] = queue.SimpleQueue()
        self.busy = 0  # requests handed to the pool and not yet answered
        self.busy_lock = threading.Lock()
        self.threads = max(1, int(self.cfg.threads))
        self.max_reading = max(1, int(self.cfg.worker_connections))
        pool = [
            threading.Thread(target=self._answer, name=f"answer-{i}", daemon=True)
            for i in range(self.threads)
        ]
        for thread in pool:
            thread.start()
        try:
            while self.alive and self.is_parent_alive():
                self.notify()
                self._listen(self.busy < self.threads)
                for key, _ in self.selector.select(self._sleep()):
                    if key.data == "wake":
                        self._drain_wake()
                    elif key.data == "listener":
                        self._accept(key.fileobj)
                    elif key.data == "linger":
                        self._drain_linger(key.fileobj)  # type: ignore[arg-type]
                    else:
                        self._read(key.data)
                self._take_done()
                self._expire()
        finally:
            self._stop(pool)
            service = getattr(self.wsgi, "extensions", {}).get("ledger")
            if service is not None:  # its background jobs (wsgi.py started them)
                service.stop_workers()

    def _listen(self, on: bool) -> None:
        if on == self.listening:
            return
        for listener in self.sockets:
            if on:
                self.selector.register(listener, READ, "listener")
            else:
                self.selector.unregister(listener)
        self.listening = on

    def _sleep(self) -> float:
        now = time.monotonic()
        soonest = min(
            [c.deadline for c in self.reading.values()] + list(self.lingering.values()),
            default=now + WAKE_SECONDS,
        )
        return max(0.0, min(WAKE_SECONDS, soonest - now))

    def _drain_wake(self) -> None:
        try:
            while os.read(self.PIPE[0], 4096):
                pass
        except BlockingIOError:
            pass

    def _wake(self) -> None:
        with contextlib.suppress(OSError):  # a full pipe: the reader is awake already
            os.write(self.PIPE[1], b".")

    def _accept(self, listener: Any) -> None:
        # One connection per wake-up: the other workers, woken too, take the next ones.
        try:
            sock, addr = listener.accept()
        except OSError as e:
            if e.errno in (errno.EAGAIN, errno.ECONNABORTED, errno.EWOULDBLOCK):
                return
            raise
        sock.setblocking(False)
        if len(self.reading) >= self.max_reading:  # the oldest goes: it has had longest
            self._close(next(iter(self.reading.values())))
        conn = _Reading(sock, addr, listener, time.monotonic() + self.client_timeout)
        self.reading[sock] = conn
        self.selector.register(sock, READ, conn)
        self._read(conn)  # the request often came with the connection

    def _read(self, conn: _Reading) -> None:
        try:
            data = conn.sock.recv(65536)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            self._close(conn)
            return
        if not data:  # the client went away before sending a whole request
            self._close(conn)
            return
        conn.data += data
        self.buffered += len(data)
        while self.buffered > self.buffer_max and self.reading:
            oldest = next(iter(self.reading.values()))  # it has had longest
            if oldest is conn:
                break
            self._refuse(oldest, 408)
        self._advance(conn)

    def _advance(self, conn: _Reading) -> None:
        """Hand ``conn`` to the pool once its request is in (or once the parser will refuse
        it), or refuse it here when its headers grow too large."""
        data = conn.data
        if not conn.head_end:
            end = data.find(b"\r\n\r\n")
            if end < 0:
                line_end = data.find(b"\n")
                too_long = line_end < 0 and len(data) > self.cfg.limit_request_line + 2
                if too_long or b"\n\n" in data:
                    self._hand_over(conn)  # gunicorn's parser answers 414 or 400
                elif len(data) > HEADER_BYTES:
                    self._refuse(conn, 431)
                return
            conn.head_end = end + 4
            if not self._body_framing(conn):
                self._hand_over(conn)  # framing gunicorn's parser refuses or the app does
                return
            conn.deadline = time.monotonic() + self.client_timeout  # now the body's
            if conn.length is None and not conn.chunked:
                self._hand_over(conn)
                return
        body = len(data) - conn.head_end
        if conn.length is not None and body >= conn.length:
            self._hand_over(conn)
        elif conn.chunked and (_chunked_end(data, conn.head_end) or body > self.body_max):
            conn.more = body > self.body_max  # the app refuses it while reading on
            self._hand_over(conn)

    def _body_framing(self, conn: _Reading) -> bool:
        """Read the headers' body framing into ``conn``; False to hand it over unread (no
        framing to trust, or a body the app refuses from its length alone)."""
        lengths, chunked, expect = [], False, False
        for line in bytes(conn.data[: conn.head_end]).split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            name, value = name.strip().lower(), value.strip().lower()
            if name == b"content-length":
                lengths.append(value)
            elif name == b"transfer-encoding":
                chunked = chunked or value.endswith(b"chunked")
                if not value.endswith(b"chunked"):
                    return False
            elif name == b"expect":
                expect = value == b"100-continue"
        if len(lengths) > 1 or (lengths and chunked):
            return False
        if lengths:
            if not lengths[0].isdigit():
                return False
            conn.length = int(lengths[0])
            if conn.length > self.body_max:
                conn.more = True  # the app answers 413 from the length; nothing is read
                return False
        conn.chunked = chunked
        if expect and (chunked or conn.length) and len(conn.data) == conn.head_end:
            conn.continued = _send_now(conn.sock, CONTINUE)
        return True

    def _hand_over(self, conn: _Reading) -> None:
        self._forget(conn)
        with self.busy_lock:
            self.busy += 1
        self.ready.put(conn)

    def _refuse(self, conn: _Reading, status: int) -> None:
        _send_now(conn.sock, refusal(status, _MESSAGES[status]))
        self.log.info("refused a request from %s: %s", _ip(conn.addr), status)
        self._forget(conn)
        self._linger(conn.sock)  # a close with unread bytes would reset the answer away

    def _forget(self, conn: _Reading) -> None:
        if self.reading.pop(conn.sock, None) is not None:
            self.selector.unregister(conn.sock)
            self.buffered -= len(conn.data)

    def _close(self, conn: _Reading) -> None:
        self._forget(conn)
        conn.sock.close()

    def _expire(self) -> None:
        now = time.monotonic()
        for conn in [c for c in self.reading.values() if c.deadline <= now]:
            if conn.data:
                self._refuse(conn, 408)
            else:
                self._close(conn)  # an idle connection: nothing to answer
        for sock in [s for s, at in self.lingering.items() if at <= now]:
            self._end_linger(sock)

    # -- closing ---------------------------------------------------------------------------

    def _take_done(self) -> None:
        while True:
            try:
                sock = self.done.get_nowait()
            except queue.Empty:
                return
            self._linger(sock)

    def _linger(self, sock: socket.socket) -> None:
        """Close after the answer: a FIN, then what the client still sends is read and
        dropped until it closes too, for at most ``LINGER_SECONDS``."""
        try:
            sock.setblocking(False)
            sock.shutdown(socket.SHUT_WR)
            self.selector.register(sock, READ, "linger")
        except OSError:
            sock.close()
            return
        self.lingering[sock] = time.monotonic() + LINGER_SECONDS

    def _drain_linger(self, sock: socket.socket) -> None:
        try:
            while sock.recv(65536):
                pass
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            pass
        self._end_linger(sock)  # end of stream (or an error): the client has closed

    def _end_linger(self, sock: socket.socket) -> None:
        self.lingering.pop(sock, None)
        with contextlib.suppress(KeyError, ValueError):
            self.selector.unregister(sock)
        sock.close()

    def _stop(self, pool: list[threading.Thread]) -> None:
        """Close what is being read or lingered on, answer what was read whole, let the
        threads go."""
        for conn in list(self.reading.values()):
            self._close(conn)
        self._listen(False)
        deadline = time.monotonic() + float(self.cfg.graceful_timeout)
        while self.busy and time.monotonic() < deadline:
            self.notify()
            self.selector.select(0.05)
            self._drain_wake()
        for _ in pool:
            self.ready.put(None)
        for thread in pool:
            thread.join(max(0.0, deadline - time.monotonic()))
        while True:
            try:
                self.done.get_nowait().close()
            except queue.Empty:
                break
        for sock in list(self.lingering):
            self._end_linger(sock)
        self.selector.close()

    # -- the answering threads -------------------------------------------------------------

    def _answer(self) -> None:
        while True:
            conn = self.ready.get()
            if conn is None:
                return
            try:
                self._handle(conn)
            finally:
                with self.busy_lock:
                    self.busy -= 1
                self.done.put(conn.sock)
                self._wake()

    def _handle(self, conn: _Reading) -> None:
        """As ``SyncWorker.handle``, on the buffered request, without closing the socket."""
        client, req = _Replay(conn), None
        try:
            conn.sock.settimeout(self.client_timeout)  # writing the response, reading on
            parser = http.get_parser(self.cfg, client, conn.addr)
            req = next(parser)
            self.handle_request(conn.listener, req, client, conn.addr)
        except http_errors.NoMoreData:
            self.log.debug("Ignored premature client disconnection.")
        except StopIteration:
            pass
        except OSError as e:  # the client went away, or stopped reading (the timeout)
            self.log.debug("Socket error answering %s: %s", _ip(conn.addr), e)
        except BaseException as e:
            self.handle_error(req, client, conn.addr, e)

    def handle_error(self, req: Any, client: Any, addr: Any, exc: BaseException) -> None:
        """Gunicorn's refusals as JSON; anything else is our fault: logged, and a 500."""
        status = _status_of(exc)
        if status is None:
            self.log.exception("Error handling request")
            body = refusal(500, "internal error")
        else:
            self.log.info("refused a request from %s: %s", _ip(addr), status)
            body = refusal(status, _MESSAGES[status])
        try:
            client.sendall(body)
        except OSError:
            self.log.debug("Failed to send an error response.")


def _chunked_end(data: bytearray, at: int) -> bool:
    """Whether ``data[at:]`` holds a whole chunked body (its last chunk and trailers).

    Malformed framing counts as whole: gunicorn's parser then refuses it (400)."""
    while True:
        line_end = data.find(b"\r\n", at)
        if line_end < 0:
            return False
        size_field = bytes(data[at:line_end]).split(b";", 1)[0].strip()
        try:
            size = int(size_field, 16)
        except ValueError:
            return True
        if size == 0:
            if data[line_end + 2 : line_end + 4] == b"\r\n":
                return True
            return data.find(b"\r\n\r\n", line_end) >= 0
        at = line_end + 2 + size + 2
        if at > len(data):
            return False


def _send_now(sock: socket.socket, data: bytes) -> bool:
    """Send a short answer without waiting; False if the socket would not take it all."""
    try:
        return sock.send(data) == len(data)
    except OSError:
        return False


def _ip(addr: Any) -> str:
    return str(addr[0]) if isinstance(addr, tuple) and addr else "unix socket"
