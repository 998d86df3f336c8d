"""A PostgreSQL server of our own, from the installed PostgreSQL's binaries, for tests that
restart or stop the database: the shared server at 127.0.0.1:5432 serves other tests
meanwhile, and a restart there would fail them.

    with PrivateCluster() as pg:
        url = pg.url  # postgresql+psycopg://postgres@127.0.0.1:<port>/postgres
        pg.restart()
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg

from tests.server import free_port

USER = "postgres"  # PostgreSQL refuses to run as root: its binaries run as this user


class ClusterError(RuntimeError):
    """The private cluster could not be made, started or stopped."""


def _bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not found:
        raise ClusterError(
            f"no {name} under /usr/lib/postgresql/*/bin: the fault tests need the PostgreSQL "
            "server installed (Debian package postgresql)"
        )
    return found[-1]


class PrivateCluster:
    def __init__(self) -> None:
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="ledger-pg-"))  # not under tmp_path: 0700
        self.data = self.dir / "data"
        self.log = self.dir / "server.log"
        self.admin = f"postgresql://{USER}@127.0.0.1:{self.port}/postgres"
        self.url = self.admin.replace("postgresql://", "postgresql+psycopg://", 1)

    def _run(self, *args: str) -> None:
        command = list(args)
        if os.geteuid() == 0:
            command = ["runuser", "-u", USER, "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)  # noqa: S603
        if done.returncode != 0:
            raise ClusterError(f"{' '.join(args)}: {done.stdout}{done.stderr}")

    def _ctl(self, action: str) -> None:
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(
            _bin("pg_ctl"), action, "-D", str(self.data), "-l", str(self.log),
            "-o", options, "-w", "-t", "60", "-m", "fast",
        )  # fmt: skip

    def start(self) -> None:
        if os.geteuid() == 0:
            shutil.chown(self.dir, USER)
        self._run(_bin("initdb"), "-D", str(self.data), "-U", USER, "-A", "trust", "--no-sync")
        self._ctl("start")
        self.wait_up()

    def wait_up(self, seconds: float = 30) -> None:
        deadline = time.monotonic() + seconds
        while True:
            try:
                with psycopg.connect(self.admin, connect_timeout=2):
                    return
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise ClusterError(f"not up in {seconds} s: {self.log.read_text()}") from None
                time.sleep(0.1)

    def restart(self) -> None:
        """``pg_ctl restart -m fast``: every connection is cut, the server comes back."""
        self._ctl("restart")

    def stop(self) -> None:
        self._ctl("stop")

    def start_again(self) -> None:
        self._ctl("start")

    def __enter__(self) -> PrivateCluster:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        with contextlib.suppress(ClusterError):
            self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)
