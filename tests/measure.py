"""A command run in a process of its own, measured as a user would: its exit code, its
output, how long it took and its peak memory.

The peak is the kernel's maximum resident set size of the process, as its parent reads it
(``getrusage(RUSAGE_CHILDREN)``). Linux counts in it the memory the process shared with
its parent before ``exec``, so the parent is a small launcher, not this test process.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LAUNCHER = (
    "import resource, subprocess, sys\n"
    "code = subprocess.call(sys.argv[2:])\n"
    "used = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
    "open(sys.argv[1], 'w').write(f'{used.ru_maxrss} {used.ru_utime + used.ru_stime}')\n"
    "sys.exit(code)\n"
)


@dataclass(frozen=True)
class Measured:
    code: int
    stdout: str
    stderr: str
    seconds: float
    peak_mb: float  # maximum resident set size
    cpu_seconds: float  # user and system time: what contention for the cores does not inflate


def measured(
    args: list[str], timeout: float = 300.0, cwd: Path = ROOT, stdin: Path | None = None
) -> Measured:
    """Run ``python args...`` (this interpreter), killed after ``timeout`` seconds, with
    the file ``stdin`` (if any) as its standard input."""
    with (
        tempfile.NamedTemporaryFile(suffix=".peak") as peak,
        open(os.devnull if stdin is None else stdin, "rb") as given,
    ):
        start = time.perf_counter()
        done = subprocess.run(  # noqa: S603
            [sys.executable, "-S", "-c", LAUNCHER, peak.name, sys.executable, *args],
            cwd=cwd,
            stdin=given,
            capture_output=True,
            timeout=timeout,
            check=False,
        )
        seconds = time.perf_counter() - start
        kilobytes, cpu = Path(peak.name).read_text().split()  # kilobytes on Linux
    return Measured(
        done.returncode,
        done.stdout.decode("utf-8", "replace"),
        done.stderr.decode("utf-8", "replace"),
        seconds,
        int(kilobytes) / 1024,
        float(cpu),
    )
