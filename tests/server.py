"""The real service in a subprocess: ``ledger init``, a tenant and keys, then ``ledger serve``
(gunicorn) on a free port, stopped with SIGTERM or killed with SIGKILL like a crashed host.

Only the standard library talks HTTP here (``http.client``), so clients stay light::

    with LedgerServer(db_url, tmp_path / "var", workers=4) as server:
        status, receipt = server.client().post("/v1/events", event(1))
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
# The CLI as `ledger` runs it, with this interpreter: works from a fresh clone whether or not
# the entry point script exists (the project root is the working directory, so it imports).
CLI = [sys.executable, "-c", "from ledger.cli import main; main()"]
START_SECONDS = 60.0
STOP_SECONDS = 15.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class ServerError(RuntimeError):
    """The service did not start, or a CLI command failed."""


class Client:
    """JSON over one keep-alive ``http.client`` connection (reopened when the server closes it).

    No retries: an exception means the request was not acknowledged.
    """

    def __init__(self, port: int, key: str | None = None, timeout: float = 60.0) -> None:
        self.port, self.key = port, key
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)

    def request(
        self, method: str, path: str, body: Any = None, key: str | None = None
    ) -> tuple[int, Any]:
        headers = {"Connection": "keep-alive"}
        auth = key or self.key
        if auth:
            headers["Authorization"] = f"Bearer {auth}"
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        try:
            self.conn.request(method, path, body=data, headers=headers)
            response = self.conn.getresponse()
            raw = response.read()
        except BaseException:
            self.conn.close()
            raise
        if response.getheader("Content-Type", "").startswith("application/json"):
            return response.status, json.loads(raw)
        return response.status, raw.decode()

    def get(self, path: str, key: str | None = None) -> tuple[int, Any]:
        return self.request("GET", path, key=key)

    def post(self, path: str, body: Any, key: str | None = None) -> tuple[int, Any]:
        return self.request("POST", path, body, key=key)

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class LedgerServer:
    """``ledger serve`` in its own session (process group), with its own environment.

    On entry it initialises the log and creates tenant ``tenant`` with an ingest and a read
    key (unless ``keys`` are given: a second server on an initialised database), starts the
    server and waits for ``/healthz``; on exit it stops it (SIGTERM, SIGKILL after 15 s).
    """

    def __init__(
        self,
        db_url: str,
        data_dir: Path,
        workers: int = 2,
        *,
        port: int | None = None,
        tenant: str = "acme",
        keys: tuple[str, str] | None = None,
        env: dict[str, str] | None = None,
    ) -> None:
        self.db_url, self.data_dir, self.workers = db_url, Path(data_dir), workers
        self.port = port or free_port()
        self.tenant = tenant
        self.ingest_key, self.read_key = keys or ("", "")
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("LEDGER_")}
        self.env.pop("PROMETHEUS_MULTIPROC_DIR", None)
        self.env |= {
            "LEDGER_DATA_DIR": str(self.data_dir),
            "LEDGER_DATABASE_URL": db_url,
            "LEDGER_WORKERS": str(workers),
        } | (env or {})
        self.proc: subprocess.Popen[bytes] | None = None
        self.log_path = self.data_dir.parent / f"server-{self.port}.log"
        self.starts = 0

    # -- the CLI ---------------------------------------------------------------------------

    def cli(
        self, *args: str, check: bool = True, stdin: str | None = None
    ) -> subprocess.CompletedProcess[str]:
        """``ledger ARGS`` with this server's environment (and ``stdin``, if given); raises
        on failure if ``check``."""
        done = subprocess.run(  # noqa: S603
            [*CLI, *args],
            env=self.env,
            cwd=ROOT,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        if check and done.returncode != 0:
            raise ServerError(
                f"ledger {' '.join(args)} exited {done.returncode}:\n{done.stdout}{done.stderr}"
            )
        return done

    def setup(self) -> None:
        """``ledger init``, the tenant, an ingest and a read key (the key is the last line)."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.cli("init")
        self.cli("tenant", "create", self.tenant)
        self.ingest_key = self._new_key("ingest")
        self.read_key = self._new_key("read")

    def _new_key(self, role: str) -> str:
        out = self.cli("key", "create", "--tenant", self.tenant, "--role", role).stdout
        return out.strip().splitlines()[-1].strip()

    def sibling(self, workers: int | None = None) -> LedgerServer:
        """Another server on the same database and data directory ("another host")."""
        return LedgerServer(
            self.db_url,
            self.data_dir,
            workers or self.workers,
            tenant=self.tenant,
            keys=(self.ingest_key, self.read_key),
        )

    # -- the process -----------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def start(self) -> None:
        if self.running:
            raise ServerError("already running")
        if not self.ingest_key:
            self.setup()
        self.starts += 1
        with self.log_path.open("ab") as log:
            log.write(f"--- start {self.starts} ---\n".encode())
            log.flush()
            self.proc = subprocess.Popen(  # noqa: S603
                [*CLI, "serve", "--bind", f"127.0.0.1:{self.port}", "--workers", str(self.workers)],
                env=self.env,
                cwd=ROOT,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self._wait_healthy()

    def _wait_healthy(self) -> None:
        assert self.proc is not None
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise ServerError(f"the server exited {self.proc.returncode}:\n{self.log_tail()}")
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
            try:
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    return
            except OSError:
                pass
            finally:
                conn.close()
            time.sleep(0.05)
        self.kill9()
        raise ServerError(f"no healthy /healthz within {START_SECONDS} s:\n{self.log_tail()}")

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self) -> None:
        """SIGTERM to gunicorn's master (a graceful stop); SIGKILL if it takes over 15 s."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(STOP_SECONDS)
            except subprocess.TimeoutExpired:
                self.kill9()
                return
        self._kill_group(signal.SIGKILL)  # any worker left behind
        self._wait_group_gone()

    def kill9(self) -> None:
        """SIGKILL to the whole process group at once: master and workers die mid-request."""
        if self.proc is None:
            return
        self._kill_group(signal.SIGKILL)
        self.proc.wait()
        self._wait_group_gone()

    def restart(self) -> None:
        """Start again (stopping gracefully first if still running), on the same port."""
        if self.running:
            self.stop()
        self.start()

    def _kill_group(self, sig: signal.Signals) -> None:
        assert self.proc is not None
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, sig)

    def _wait_group_gone(self, timeout: float = 10.0) -> None:
        """Until no live (non-zombie) process is left in the group: the port is free again."""
        assert self.proc is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and _live_in_group(self.proc.pid):
            time.sleep(0.02)

    def client(self, key: str | None = None) -> Client:
        return Client(self.port, key if key is not None else self.ingest_key)

    def __enter__(self) -> LedgerServer:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def _live_in_group(pgid: int) -> bool:
    """Whether a process other than a zombie is in process group ``pgid`` (Linux /proc)."""
    proc = Path("/proc")
    if not proc.is_dir():
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return False
        return True
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # pid (comm) state ppid pgrp ...: comm may hold spaces, so split after the last ")".
        fields = stat.rsplit(")", 1)[-1].split()
        if len(fields) > 2 and int(fields[2]) == pgid and fields[0] != "Z":
            return True
    return False
