"""Service benchmarks over HTTP, each beside a baseline measured in the same run.

What it measures (the targets are in ``TARGETS``):

- single-event append, ``POST /v1/events`` (durable, receipt with checkpoint and proof):
  wrk, 32 connections, ``ledger serve`` with 2 workers (its defaults: 8 threads each),
  against ``bench/baseline_app.py`` served by gunicorn with 2 sync workers
  (bare Flask, JSON parse + one insert + commit per request) on the same database: SQLite
  (WAL, synchronous=NORMAL) and PostgreSQL; and ``ledger serve`` with the worker it ran
  before issue 14 (``bench/sync_threads.py``: each thread reads its own request, so slow
  clients could hold every thread), on a log of its own, for the cost of reading requests
  whole first (``ledger/serving.py``) as a ratio to the same baseline. Runs alternate
  baseline/ledger/ledger-before, so load from other processes hits all three alike;
- batch ingest, ``POST /v1/events/batch`` with 1,000 events, from a few client threads;
- inclusion and consistency proofs over HTTP with one connection (wrk -c1) after loading
  the log in-process through the appender (batches of 1,000), at two sizes (100k and 1M;
  ``--quick``: 10k and 100k), and the RSS of the gunicorn workers at each size.

wrk shares the two cores with the servers, so every figure is for the whole box
(docs/design/CEILINGS.md, pitfall 13). Numbers are median (min-max) over ``runs`` runs.
"""

from __future__ import annotations

import contextlib
import dataclasses
import http.client
import json
import os
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy import create_engine, text

from bench import baseline_app
from config.settings import load
from ledger import access
from ledger.appender import Source, Submission
from ledger.service import Ledger as Service
from verifier.event import validate_event
from verifier.ijson import parse_json
from verifier.jcs import canonicalize

ROOT = Path(__file__).resolve().parent.parent
CLI = [sys.executable, "-c", "from ledger.cli import main; main()"]
PG_ADMIN = os.environ.get("LEDGER_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/test")
WORKERS = 2
CONNECTIONS = 32
BATCH = 1_000
OLD_WORKER = "bench.sync_threads.SyncThreads"  # ledger serve's worker before issue 14
TENANT = "bench"

TARGETS = {
    "append_ratio_to_baseline": 0.5,
    # Encryption at rest (docs/privacy.md) against the same ledger with LEDGER_ENCRYPTION=off,
    # measured in the same run: throughput with it at least 90% of without.
    "encryption_ratio": 0.9,
    "append_sqlite_per_second": 1_500,
    "batch_events_per_second": 15_000,
    "proof_p50_ms": 2.0,
    "worker_rss_growth_mib": 50.0,
}

# About 600 bytes, a valid event (docs/design/EVIDENCE-FORMAT.md §1); the %s are event_id and
# envelope_id.
EVENT_TEMPLATE = (
    '{"event_id":"%s","type":"recipient.signed","occurred_at":"2026-11-22T17:03:04.123+08:00",'
    '"envelope_id":"%s","actor":{"name":"Zhang San","email":"zhang.san@example.com",'
    '"role":"signer","ip":"203.0.113.7","user_agent":"Mozilla/5.0 (X11; Linux x86_64) '
    'AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36",'
    '"auth_method":"email-otp"},"documents":[{"name":"master-services-agreement.pdf",'
    '"sha256":"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",'
    '"size":482133}],"data":{"ip_country":"CN","page_count":12,"signing_order":2,'
    '"reminder":false,"note":"bench"}}'
)

# wrk script. Arguments after "--": post PATH TAG [KEY] | get PATH | inclusion SIZE KEY |
# consistency SIZE KEY.
# event_id = TAG-<thread>-<counter>, unique per request; done() prints one JSON line.
WRK_LUA = r"""
local threads = {}
local template = [[@TEMPLATE@]]

function setup(thread)
  table.insert(threads, thread)
  thread:set("tid", #threads)
end

function init(args)
  mode = args[1]
  counter = 0
  if mode == "post" then
    path = args[2]
    tag = args[3]
    wrk.method = "POST"
    wrk.headers["Content-Type"] = "application/json"
    if args[4] ~= nil and args[4] ~= "" then
      wrk.headers["Authorization"] = "Bearer " .. args[4]
    end
  elseif mode == "get" then
    args_path = args[2]
  else
    size = tonumber(args[2])
    wrk.headers["Authorization"] = "Bearer " .. args[3]
    math.randomseed(tid * 7919 + os.time())
  end
end

function request()
  counter = counter + 1
  if mode == "post" then
    local id = tag .. "-" .. tid .. "-" .. counter
    local body = string.format(template, id, "env-" .. tid .. "-" .. math.floor(counter / 10))
    return wrk.format(nil, path, nil, body)
  elseif mode == "get" then
    return wrk.format("GET", args_path)
  elseif mode == "inclusion" then
    local seq = math.random(0, size - 1)
    return wrk.format("GET", "/v1/log/proofs/inclusion?seq=" .. seq .. "&size=" .. size)
  else
    local first = math.random(1, size - 1)
    return wrk.format("GET", "/v1/log/proofs/consistency?first=" .. first .. "&second=" .. size)
  end
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests":%d,"duration_us":%d,"bytes":%d,"errors_connect":%d,' ..
    '"errors_read":%d,"errors_write":%d,"errors_status":%d,"errors_timeout":%d,' ..
    '"p50_us":%.0f,"p90_us":%.0f,"p99_us":%.0f,"mean_us":%.1f,"max_us":%.0f}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write,
    e.status, e.timeout, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.mean, latency.max))
end
"""


@dataclass(frozen=True)
class Config:
    quick: bool
    seconds: float  # one wrk run
    runs: int
    batch_seconds: float
    batch_clients: int
    proof_seconds: float
    sizes: tuple[int, int]
    databases: tuple[str, ...]

    @classmethod
    def make(cls, quick: bool, databases: tuple[str, ...]) -> Config:
        return cls(
            quick=quick,
            seconds=3.0 if quick else 10.0,
            runs=3,
            batch_seconds=3.0 if quick else 10.0,
            batch_clients=3,
            proof_seconds=3.0 if quick else 10.0,
            sizes=(10_000, 100_000) if quick else (100_000, 1_000_000),
            databases=databases,
        )


def say(message: str) -> None:
    print(f"[service bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def summary(values: list[float], digits: int = 0) -> dict[str, Any]:
    def r(v: float) -> float:
        return round(v, digits) if digits else round(v)

    return {
        "median": r(statistics.median(values)),
        "min": r(min(values)),
        "max": r(max(values)),
        "runs": len(values),
    }


# -- wrk -------------------------------------------------------------------------------------


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        say("wrk is missing: running `apt-get update` and `apt-get install -y wrk`")
        subprocess.run(["apt-get", "update"], check=True)  # noqa: S607
        subprocess.run(["apt-get", "install", "-y", "wrk"], check=True)  # noqa: S607
        found = shutil.which("wrk")
        if found:
            return found
    raise SystemExit(
        "the service benchmark needs wrk (Debian package `wrk`): `apt-get install -y wrk`"
    )


class Wrk:
    def __init__(self, workdir: Path) -> None:
        self.binary = ensure_wrk()
        self.script = workdir / "bench.lua"
        self.script.write_text(WRK_LUA.replace("@TEMPLATE@", EVENT_TEMPLATE), encoding="utf-8")

    def run(
        self, port: int, seconds: float, connections: int, *args: str, threads: int = 1
    ) -> dict[str, Any]:
        command = [
            self.binary,
            f"-t{threads}",
            f"-c{connections}",
            f"-d{max(1, round(seconds))}s",
            "--timeout",
            "30s",
            "-s",
            str(self.script),
            f"http://127.0.0.1:{port}",
            "--",
            *args,
        ]
        done = subprocess.run(  # noqa: S603
            command, capture_output=True, text=True, timeout=seconds + 120, check=False
        )
        line = next((x for x in done.stdout.splitlines() if x.startswith("WRKJSON ")), None)
        if done.returncode != 0 or line is None:
            raise RuntimeError(f"wrk failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
        raw = json.loads(line.removeprefix("WRKJSON "))
        errors = sum(v for k, v in raw.items() if k.startswith("errors_"))
        return {
            "requests": raw["requests"],
            "per_second": raw["requests"] / (raw["duration_us"] / 1e6),
            "p50_ms": raw["p50_us"] / 1000,
            "p90_ms": raw["p90_us"] / 1000,
            "p99_ms": raw["p99_us"] / 1000,
            "max_ms": raw["max_us"] / 1000,
            "errors": errors,
            "errors_by_kind": {k[7:]: v for k, v in raw.items() if k.startswith("errors_") and v},
        }


def wrk_summary(runs: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "requests_per_second": summary([r["per_second"] for r in runs]),
        "p50_ms": summary([r["p50_ms"] for r in runs], 2),
        "p99_ms": summary([r["p99_ms"] for r in runs], 2),
        "max_ms": summary([r["max_ms"] for r in runs], 1),
        "requests": sum(r["requests"] for r in runs),
        "errors": sum(r["errors"] for r in runs),
    }


# -- servers ---------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def clean_env(extra: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEDGER_")}
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    return env | extra


class Server:
    """A gunicorn master in its own process group; ``stop`` ends that group only."""

    def __init__(self, name: str, command: list[str], env: dict[str, str], log: Path) -> None:
        self.name, self.command, self.env, self.log = name, command, env, log
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        command = [a.replace("{port}", str(self.port)) for a in self.command]
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(  # noqa: S603
                command,
                env=self.env,
                cwd=ROOT,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited:\n{self.log.read_text()[-3000:]}")
            with contextlib.suppress(OSError):
                if get_json(self.port, "/healthz")[0] == 200 and len(self.workers()) >= WORKERS:
                    return
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"{self.name} not healthy in 60 s:\n{self.log.read_text()[-3000:]}")

    def workers(self) -> list[int]:
        if self.proc is None:
            return []
        pid = self.proc.pid
        try:
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        except OSError:
            return []
        # Only gunicorn's workers: `ledger serve` may also run helpers (the development TSA).
        workers = []
        for child in children:
            with contextlib.suppress(OSError):
                if b"gunicorn" in Path(f"/proc/{child}/cmdline").read_bytes():
                    workers.append(int(child))
        return workers

    def cpu_seconds(self) -> float:
        """User + system CPU time of the workers so far."""
        tick, total = os.sysconf("SC_CLK_TCK"), 0.0
        for pid in self.workers():
            with contextlib.suppress(OSError):
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                total += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
        return total

    def rss_mib(self) -> dict[str, float]:
        """VmRSS of each worker, by pid."""
        result = {}
        for pid in self.workers():
            with contextlib.suppress(OSError):
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        result[str(pid)] = round(int(line.split()[1]) / 1024, 1)
        return result

    def stop(self) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(20)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(5)
        self.proc = None


def get_json(port: int, path: str, key: str | None = None) -> tuple[int, Any]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        body = response.read()
        return response.status, json.loads(body) if body[:1] in (b"{", b"[") else body
    finally:
        conn.close()


def baseline_server(database: str, workdir: Path, name: str) -> Server:
    baseline_app.create_schema(database)
    command = [sys.executable, "-m", "gunicorn", "--bind", "127.0.0.1:{port}"]
    command += ["--workers", str(WORKERS), "--worker-class", "sync"]
    command += ["--chdir", str(ROOT), "bench.baseline_app:app"]
    env = clean_env({"BASELINE_DATABASE": database})
    return Server(name, command, env, workdir / f"{name}.log")


@dataclass
class Ledger:
    """A ledger data directory, initialised with the CLI, and its keys."""

    database_url: str
    data_dir: Path
    ingest_key: str = ""
    read_key: str = ""
    extra_env: dict[str, str] = field(default_factory=dict)

    @property
    def env(self) -> dict[str, str]:
        return clean_env(
            {
                "LEDGER_DATA_DIR": str(self.data_dir),
                "LEDGER_DATABASE_URL": self.database_url,
                "LEDGER_SQLITE_SYNCHRONOUS": "NORMAL",
                "LEDGER_WORKERS": str(WORKERS),
            }
            | self.extra_env
        )

    def cli(self, *args: str) -> str:
        done = subprocess.run(  # noqa: S603
            [*CLI, *args],
            env=self.env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"ledger {' '.join(args)}: {done.stdout}{done.stderr}")
        return done.stdout

    def setup(self) -> Ledger:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.cli("init")
        self.cli("tenant", "create", TENANT)
        self.ingest_key = self._key("ingest")
        self.read_key = self._key("read")
        return self

    def _key(self, role: str) -> str:
        out = self.cli("key", "create", "--tenant", TENANT, "--role", role)
        return out.strip().splitlines()[-1].strip()

    def entries_per_checkpoint(self) -> float:
        """Entries per signed checkpoint so far: how many appends each commit carried."""
        engine = create_engine(self.database_url)
        try:
            with engine.connect() as conn:
                entries = conn.execute(text("SELECT count(*) FROM entries")).scalar_one()
                signed = conn.execute(text("SELECT count(*) FROM checkpoints")).scalar_one()
        finally:
            engine.dispose()
        return round(entries / max(1, signed - 1), 2)  # less the empty log's checkpoint

    def server(self, name: str, worker_class: str | None = None) -> Server:
        command = [*CLI, "serve", "--bind", "127.0.0.1:{port}", "--workers", str(WORKERS)]
        if worker_class:  # the worker of before issue 14, to measure against
            command += ["--worker-class", worker_class]
        return Server(name, command, self.env, self.data_dir.parent / f"{name}.log")


# -- PostgreSQL ------------------------------------------------------------------------------


@contextlib.contextmanager
def pg_schema() -> Iterator[tuple[str, str]]:
    """A fresh schema: (SQLAlchemy URL for the ledger, libpq URL for the baseline); dropped."""
    schema = f"bench_{secrets.token_hex(6)}"
    try:
        with psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=5) as conn:
            conn.execute(f"CREATE SCHEMA {schema}")
    except psycopg.OperationalError as e:
        raise RuntimeError(f"PostgreSQL is not reachable at {PG_ADMIN}: {e}") from e
    options = f"options=-csearch_path%3D{schema}"
    libpq = f"{PG_ADMIN}?{options}"
    ledger_url = f"{PG_ADMIN.replace('postgresql://', 'postgresql+psycopg://', 1)}?{options}"
    try:
        yield ledger_url, libpq
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")


# -- the measurements ------------------------------------------------------------------------


def with_cpu(
    server: Server, wrk: Wrk, seconds: float, connections: int, *args: str
) -> dict[str, Any]:
    """A wrk run, with the CPU time (user + system) the server's workers spent per request:
    what limits throughput on a box whose cores the servers and wrk share."""
    before = server.cpu_seconds()
    result = wrk.run(server.port, seconds, connections, *args)
    spent = server.cpu_seconds() - before
    result["worker_cpu_us"] = spent / max(1, result["requests"]) * 1e6
    return result


def single_append(
    config: Config,
    wrk: Wrk,
    database: str,
    baseline: Server,
    ledgers: tuple[Ledger, Ledger, Ledger],
    servers: tuple[Server, Server, Server],
) -> dict[str, Any]:
    """Alternating wrk runs, baseline, ledger, the ledger with the worker of before
    issue 14 (``bench/sync_threads.py``, on a log of its own), then the ledger with
    encryption at rest off (``LEDGER_ENCRYPTION=off``, a log of its own), on servers
    already started."""
    ours_path = "/v1/events"
    (ledger, old_ledger, plain), (server, old_server, plain_server) = ledgers, servers
    targets = (
        (baseline, "/events", ""),
        (server, ours_path, ledger.ingest_key),
        (old_server, ours_path, old_ledger.ingest_key),
        (plain_server, ours_path, plain.ingest_key),
    )
    for target, path, key in targets:
        wrk.run(target.port, 1, CONNECTIONS, "post", path, f"warm{secrets.token_hex(4)}", key)
    runs: list[list[dict[str, Any]]] = [[], [], [], []]
    names = ("baseline", "ledger", "ledger, worker before issue 14", "plain: encryption off")
    for i in range(config.runs):
        for (target, path, key), out, name in zip(targets, runs, names, strict=True):
            say(f"{database} single append run {i + 1}/{config.runs}: {name}")
            tag = f"{name[0]}{secrets.token_hex(4)}"
            out.append(with_cpu(target, wrk, config.seconds, CONNECTIONS, "post", path, tag, key))
    base_runs, ours_runs, old_runs, plain_runs = runs
    base, ours, old, off = (wrk_summary(r) for r in runs)
    for summed, each in ((base, base_runs), (ours, ours_runs), (old, old_runs), (off, plain_runs)):
        summed["worker_cpu_us_per_request"] = summary([r["worker_cpu_us"] for r in each])
    ratio = ours["requests_per_second"]["median"] / base["requests_per_second"]["median"]
    old_ratio = old["requests_per_second"]["median"] / base["requests_per_second"]["median"]
    result: dict[str, Any] = {
        "baseline": base,
        "ledger": ours,
        "ledger_worker_before_issue_14": old,
        "ratio_to_baseline": round(ratio, 3),
        "ratio_to_baseline_before_issue_14": round(old_ratio, 3),
        # What reading requests whole in one thread (ledger.serving) costs single appends.
        "after_over_before": round(ratio / old_ratio, 3),
        "ratio_per_run": [
            round(o["per_second"] / b["per_second"], 3)
            for b, o in zip(base_runs, ours_runs, strict=True)
        ],
        "ratio_per_run_before_issue_14": [
            round(o["per_second"] / b["per_second"], 3)
            for b, o in zip(base_runs, old_runs, strict=True)
        ],
        "target_ratio": TARGETS["append_ratio_to_baseline"],
        "met": ratio >= TARGETS["append_ratio_to_baseline"],
        "encryption": encryption_ratio(
            off["requests_per_second"]["median"],
            ours["requests_per_second"]["median"],
            [o["per_second"] / p["per_second"] for p, o in zip(plain_runs, ours_runs, strict=True)],
        )
        | {"ledger_encryption_off": off},
    }
    if database == "sqlite":
        result["target_per_second"] = TARGETS["append_sqlite_per_second"]
        result["met"] = (
            result["met"]
            and ours["requests_per_second"]["median"] >= TARGETS["append_sqlite_per_second"]
        )
    return result


def encryption_ratio(off: float, on: float, per_run: list[float]) -> dict[str, Any]:
    """Throughput with encryption on as a ratio to the same ledger with it off."""
    ratio = on / off if off else 0.0
    return {
        "off_per_second": round(off),
        "on_per_second": round(on),
        "ratio_on_to_off": round(ratio, 3),
        "ratio_per_run": [round(r, 3) for r in per_run],
        "target_ratio": TARGETS["encryption_ratio"],
        "met": ratio >= TARGETS["encryption_ratio"],
    }


def batch_body(tag: str, start: int) -> bytes:
    events = ",".join(
        EVENT_TEMPLATE % (f"{tag}-{i}", f"env-{tag}-{i // 10}") for i in range(start, start + BATCH)
    )
    return ('{"events":[' + events + "]}").encode()


def batch_ingest(config: Config, port: int, key: str, database: str) -> dict[str, Any]:
    """Clients post batches of 1,000 back to back for ``batch_seconds``; events/s overall."""

    def client(tag: str, deadline: float, out: dict[str, Any]) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
        body, n = batch_body(tag, 0), 0
        while time.perf_counter() < deadline:
            start = time.perf_counter()
            conn.request("POST", "/v1/events/batch", body=body, headers=headers)
            response = conn.getresponse()
            response.read()
            out["latencies"].append(time.perf_counter() - start)
            if response.status == 201:
                out["events"] += BATCH
            else:
                out["errors"] += 1
            n += 1
            body = batch_body(tag, n * BATCH)
        conn.close()

    rates, latencies, errors = [], [], 0
    warm = {"events": 0, "errors": 0, "latencies": []}
    client(f"w{secrets.token_hex(4)}", time.perf_counter() + 0.5, warm)
    for i in range(config.runs):
        say(f"{database} batch ingest run {i + 1}/{config.runs}")
        outs = [{"events": 0, "errors": 0, "latencies": []} for _ in range(config.batch_clients)]
        start = time.perf_counter()
        deadline = start + config.batch_seconds
        threads = [
            threading.Thread(target=client, args=(f"t{secrets.token_hex(4)}", deadline, out))
            for out in outs
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - start
        rates.append(sum(o["events"] for o in outs) / elapsed)
        errors += sum(o["errors"] for o in outs)
        latencies += [x for o in outs for x in o["latencies"]]
    latencies.sort()
    median = statistics.median(rates)
    return {
        "events_per_second": summary(rates),
        "batch_size": BATCH,
        "clients": config.batch_clients,
        "seconds_per_run": config.batch_seconds,
        "batch_p50_ms": round(latencies[len(latencies) // 2] * 1000, 1),
        "batch_p99_ms": round(
            latencies[min(len(latencies) - 1, len(latencies) * 99 // 100)] * 1000, 1
        ),
        "errors": errors,
        "target_per_second": TARGETS["batch_events_per_second"],
        "met": median >= TARGETS["batch_events_per_second"],
    }


class Loader:
    """Appends events in this process through the service's own appender (batches of 1,000)."""

    def __init__(self, ledger: Ledger) -> None:
        self.service = Service(load(ledger.env))
        with self.service.db.reading() as conn:
            self.tenant_id = access.tenant_id(conn, TENANT)
        self.tag = f"load{secrets.token_hex(3)}"
        self.loaded = 0

    def load_to(self, size: int) -> dict[str, Any]:
        source = Source("api", "0" * 64, "api-key")
        appender = self.service.appender
        start, first = time.perf_counter(), self.loaded
        while self.loaded < size:
            n = min(BATCH, size - self.loaded)
            subs = []
            for i in range(self.loaded, self.loaded + n):
                event = validate_event(parse_json(EVENT_TEMPLATE % (f"{self.tag}-{i}", f"e{i}")))
                subs.append(Submission(event, canonicalize(event), source))
            appender.append(self.tenant_id, TENANT, subs)
            self.loaded += n
            if self.loaded % 100_000 == 0:
                rate = (self.loaded - first) / (time.perf_counter() - start)
                say(f"loaded {self.loaded:,} entries ({rate:,.0f}/s)")
        seconds = time.perf_counter() - start
        return {
            "entries": self.loaded - first,
            "seconds": round(seconds, 1),
            "events_per_second": round((self.loaded - first) / seconds) if seconds else None,
        }

    def close(self) -> None:
        self.service.close()


def proofs_and_rss(config: Config, wrk: Wrk, workdir: Path) -> dict[str, Any]:
    """Load in-process, then proofs over one connection and worker RSS at each size."""
    ledger = Ledger(f"sqlite:///{workdir / 'proofs' / 'ledger.db'}", workdir / "proofs").setup()
    loader = Loader(ledger)
    server = ledger.server("ledger-proofs")
    # For scale: a bare Flask GET through gunicorn sync workers, also over one connection.
    baseline = baseline_server(str(workdir / "proofs-baseline.db"), workdir, "baseline-get")
    result: dict[str, Any] = {"database": "sqlite", "connections": 1, "sizes": {}}
    try:
        baseline.start()
        wrk.run(baseline.port, 1, 1, "get", "/healthz")
        runs = [
            wrk.run(baseline.port, config.proof_seconds, 1, "get", "/healthz")
            for _ in range(config.runs)
        ]
        result["baseline_bare_get"] = wrk_summary(runs)
        baseline.stop()
        for size in config.sizes:
            say(f"loading the log to {size:,} entries in-process")
            load = loader.load_to(size)
            if server.proc is None:
                server.start()
            # The workers also append a little at each size, as a live server would.
            wrk.run(server.port, 2, 8, "post", "/v1/events", f"r{size}", ledger.ingest_key)
            _, health = get_json(server.port, "/healthz")
            tree = int(health["size"])
            at: dict[str, Any] = {"load": load, "tree_size": tree}
            for kind in ("inclusion", "consistency"):
                say(f"{kind} proofs at {tree:,} entries")
                wrk.run(server.port, 1, 1, kind, str(tree), ledger.read_key)
                runs = [
                    wrk.run(server.port, config.proof_seconds, 1, kind, str(tree), ledger.read_key)
                    for _ in range(config.runs)
                ]
                at[kind] = wrk_summary(runs)
            at["worker_rss_mib"] = server.rss_mib()
            result["sizes"][str(size)] = at
    finally:
        baseline.stop()
        server.stop()
        loader.close()
    small, large = (result["sizes"][str(s)] for s in config.sizes)
    pids = set(small["worker_rss_mib"]) & set(large["worker_rss_mib"])
    growth = {p: round(large["worker_rss_mib"][p] - small["worker_rss_mib"][p], 1) for p in pids}
    worst = max(growth.values()) if growth else None
    p50s = {k: large[k]["p50_ms"]["median"] for k in ("inclusion", "consistency")}
    result["worker_rss_growth_mib"] = growth
    result["targets"] = {
        f"proof_p50_ms_at_{config.sizes[1]}": {
            "value": p50s,
            "target": TARGETS["proof_p50_ms"],
            "met": all(v <= TARGETS["proof_p50_ms"] for v in p50s.values()),
        },
        "worker_rss_growth_mib": {
            "value": worst,
            "target": TARGETS["worker_rss_growth_mib"],
            "met": worst is not None and worst <= TARGETS["worker_rss_growth_mib"],
        },
    }
    return result


def http_round(config: Config, wrk: Wrk, database: str, workdir: Path) -> dict[str, Any]:
    """Single append against the baseline, then batch ingest, on one kind of database."""
    with contextlib.ExitStack() as stack:
        if database == "sqlite":
            ledger_url = f"sqlite:///{workdir / database / 'ledger.db'}"
            (workdir / "baseline").mkdir(exist_ok=True)
            base_db = str(workdir / "baseline" / "baseline.db")
        else:
            ledger_url, base_db = stack.enter_context(pg_schema())
        if database == "sqlite":
            old_url = f"sqlite:///{workdir / (database + '-before') / 'ledger.db'}"
            plain_url = f"sqlite:///{workdir / (database + '-plain') / 'ledger.db'}"
        else:
            old_url, _ = stack.enter_context(pg_schema())
            plain_url, _ = stack.enter_context(pg_schema())
        ledger = Ledger(ledger_url, workdir / database).setup()
        old_ledger = Ledger(old_url, workdir / f"{database}-before").setup()
        # The same ledger with encryption at rest off: what encryption costs, in this run.
        off = {"LEDGER_ENCRYPTION": "off"}
        plain = Ledger(plain_url, workdir / f"{database}-plain", extra_env=off).setup()
        baseline = baseline_server(base_db, workdir, f"baseline-{database}")
        server = ledger.server(f"ledger-{database}")
        old_server = old_ledger.server(f"ledger-{database}-before", OLD_WORKER)
        plain_server = plain.server(f"ledger-{database}-plain")
        for started in (baseline, server, old_server, plain_server):
            stack.callback(started.stop)
            started.start()
        single = single_append(
            config,
            wrk,
            database,
            baseline,
            (ledger, old_ledger, plain),
            (server, old_server, plain_server),
        )
        single["ledger"]["entries_per_checkpoint"] = ledger.entries_per_checkpoint()
        baseline.stop()
        old_server.stop()
        batch = batch_ingest(config, server.port, ledger.ingest_key, database)
        # Encryption's cost on batches: single runs alternating off and on, so that load
        # from other processes hits both alike.
        one = dataclasses.replace(config, runs=1)
        offs, ons = [], []
        for _ in range(config.runs):
            for port, key, rates, name in (
                (plain_server.port, plain.ingest_key, offs, f"{database} (encryption off)"),
                (server.port, ledger.ingest_key, ons, f"{database} (encryption on)"),
            ):
                rates.append(batch_ingest(one, port, key, name)["events_per_second"]["median"])
        plain_server.stop()
        batch["encryption"] = encryption_ratio(
            statistics.median(offs),
            statistics.median(ons),
            [on / off for off, on in zip(offs, ons, strict=True)],
        )
        return {"single_append": single, "batch_ingest": batch}


def guarded(name: str, work: Any, *args: Any) -> dict[str, Any]:
    """One section; a failure is recorded in the results and the other sections still run."""
    try:
        result: dict[str, Any] = work(*args)
    except Exception as e:  # reported in the JSON under the section's name
        say(f"{name} failed: {type(e).__name__}: {e}")
        return {"error": f"{type(e).__name__}: {e}"[:4000]}
    return result


def verdicts(result: dict[str, Any], config: Config) -> dict[str, Any]:
    """Every target in one place: the measured value, the target and whether it was met."""
    out: dict[str, Any] = {}
    for database in config.databases:
        section = result.get(database, {})
        single, batch = section.get("single_append"), section.get("batch_ingest")
        if single:
            out[f"{database}_single_append"] = {
                "per_second": single["ledger"]["requests_per_second"]["median"],
                "baseline_per_second": single["baseline"]["requests_per_second"]["median"],
                "ratio_to_baseline": single["ratio_to_baseline"],
                "ratio_to_baseline_before_issue_14": single["ratio_to_baseline_before_issue_14"],
                "after_over_before": single["after_over_before"],
                "p50_ms": single["ledger"]["p50_ms"]["median"],
                "p99_ms": single["ledger"]["p99_ms"]["median"],
                "target": f"ratio >= {TARGETS['append_ratio_to_baseline']}"
                + (
                    f" and >= {TARGETS['append_sqlite_per_second']}/s"
                    if database == "sqlite"
                    else ""
                ),
                "met": single["met"],
            }
        if batch:
            out[f"{database}_batch_ingest"] = {
                "events_per_second": batch["events_per_second"]["median"],
                "target": TARGETS["batch_events_per_second"],
                "met": batch["met"],
            }
        for kind, part in (("single_append", single), ("batch_ingest", batch)):
            if part and "encryption" in part:
                cost = part["encryption"]
                out[f"{database}_{kind}_encryption"] = {
                    "ratio_on_to_off": cost["ratio_on_to_off"],
                    "on_per_second": cost["on_per_second"],
                    "off_per_second": cost["off_per_second"],
                    "target": f"ratio >= {TARGETS['encryption_ratio']}",
                    "met": cost["met"],
                }
    proofs = result.get("proofs", {})
    out.update(proofs.get("targets", {}))
    return out


def run(
    quick: bool = False, databases: tuple[str, ...] = ("sqlite", "postgresql")
) -> dict[str, Any]:
    config = Config.make(quick, databases)
    workdir = Path(tempfile.mkdtemp(prefix="ledger-bench-"))
    say(f"working in {workdir}")
    try:
        wrk = Wrk(workdir)
        result: dict[str, Any] = {
            "setup": {
                "workers": WORKERS,
                "baseline_worker_class": "sync",
                "ledger_server": f"ledger serve --workers {WORKERS} (its defaults: "
                "ledger.serving.BufferedThreads, LEDGER_THREADS 8)",
                "ledger_server_before_issue_14": f"the same with --worker-class {OLD_WORKER}",
                "wrk": f"{wrk.binary} -t1 -c{CONNECTIONS}",
                "seconds_per_run": config.seconds,
                "runs": config.runs,
                "batch_clients": config.batch_clients,
                "proof_sizes": config.sizes,
                "event_bytes": len(EVENT_TEMPLATE % ("x" * 20, "e" * 10)),
                "sqlite_synchronous": "NORMAL",
                "cpus": os.cpu_count(),
                "loadavg_at_start": os.getloadavg(),
            },
            "targets": TARGETS,
        }
        for database in databases:
            result[database] = guarded(database, http_round, config, wrk, database, workdir)
        result["proofs"] = guarded("proofs", proofs_and_rss, config, wrk, workdir)
        result["setup"]["loadavg_at_end"] = os.getloadavg()
        result["verdicts"] = verdicts(result, config)
        return result
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
