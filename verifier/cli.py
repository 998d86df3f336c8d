"""``ledger-verify``: check evidence offline, without trusting the ledger.

Subcommands:

- ``checkpoint``, ``inclusion``, ``consistency``: one signed checkpoint or one RFC 9162
  proof (EVIDENCE-FORMAT §3-4);
- ``bundle FILE|-``: an ``evidence-bundle/1`` (§6), with the log's verifier keys
  (``--log-key``, repeatable) and the TSA trust roots (``--tsa-root``, PEM files,
  repeatable); ``--at-time`` checks the TSA chains at another time than each genTime;
  ``--clock-skew`` (default 300 s) is how far a platform time may be after the ledger's
  receipt before it is reported as a warning (docs/evidence-format.md);
- ``log --export FILE|-``: a whole-log audit of a ``log-export/1`` file (two passes,
  O(log n) memory) or of stdin (one pass, 64 bytes per leaf); ``--signatures
  essential`` verifies only the checkpoint signatures that carry weight (see
  ``verifier.audit.LogAudit``); ``log --url URL --key
  API_KEY`` fetches the same records from a running ledger (``GET /v1/log/anchors``,
  ``GET /v1/log/checkpoint``, then ``GET /v1/log/leaves`` in pages of 10,000) with
  ``Authorization: Bearer API_KEY``;
- ``pdf FILE``: a certificate of evidence (docs/certificate.md): its PAdES signature
  (``--issuer-root``, PEM, repeatable), time-stamps and validation data, then the
  ``evidence-bundle.json`` it carries, as ``bundle`` checks it (``--log-key``,
  ``--tsa-root``); ``--extract-bundle OUT`` saves the bundle. This one subcommand needs
  pyHanko: it runs ``reports.validation``, loaded only here, so that ``verifier`` itself
  stays free of it (tests/test_layering.py).

Output: the verdict in one line (``VALID``, ``PENDING``, ``INVALID``), then every check
that did not pass (failures, then warnings, erased, pending and skipped checks), naming
the check, the seq and what was expected against what was found; ``--json`` prints the
whole report instead. Warnings never change the verdict or the exit code. A progress bar
goes to stderr, and only when stderr is a terminal.

Exit codes: 0 the evidence is valid, 1 it is invalid (the output says which check
failed and what was expected), 2 the input cannot be read or evaluated (unreadable or
malformed file, bad key or trust root, unreachable URL). A ``PENDING`` bundle or log
(valid, but its newest entries not yet anchored by a TSA) exits 0: nothing is wrong,
and the bottom line says it is pending; ``--require-anchor`` makes it exit 1.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TextIO

from verifier import audit, bundle, checkpoint, merkle
from verifier.errors import MalformedError, VerificationError
from verifier.plausibility import DEFAULT_SKEW
from verifier.report import VerificationReport

VALID, INVALID, UNREADABLE = 0, 1, 2
PAGE = 10_000  # leaves per GET /v1/log/leaves
TIMEOUT = 60.0  # seconds per HTTP request
SHOWN = 20  # failures listed in the human output (--json lists every reported one)


class _Unreadable(Exception):
    """The input could not be read; main() turns it into exit code 2."""


def _read_text(name: str) -> str:
    try:
        return sys.stdin.read() if name == "-" else Path(name).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise _Unreadable(f"cannot read {name}: {e}") from e


def _read_bytes(name: str) -> bytes:
    try:
        return sys.stdin.buffer.read() if name == "-" else Path(name).read_bytes()
    except OSError as e:
        raise _Unreadable(f"cannot read {name}: {e}") from e


def _hash(value: str) -> bytes:
    try:
        return bytes.fromhex(value)
    except ValueError as e:
        raise _Unreadable(f"not a hex hash: {value!r}") from e


def _check_checkpoint(args: argparse.Namespace) -> dict[str, Any]:
    cp = checkpoint.verify(_read_text(args.note), args.key)
    return {"origin": cp.origin, "size": cp.size, "root": cp.root.hex()}


def _check_inclusion(args: argparse.Namespace) -> dict[str, Any]:
    proof = [_hash(h) for h in args.proof]
    merkle.verify_inclusion(_hash(args.leaf_hash), args.index, args.size, proof, _hash(args.root))
    return {"index": args.index, "size": args.size}


def _check_consistency(args: argparse.Namespace) -> dict[str, Any]:
    proof = [_hash(h) for h in args.proof]
    merkle.verify_consistency(args.size1, args.size2, proof, _hash(args.root1), _hash(args.root2))
    return {"size1": args.size1, "size2": args.size2}


# --- bundle and log: reports ------------------------------------------------------------


def _tsa_roots(paths: list[str]) -> list[bytes]:
    return [_read_bytes(path) for path in paths]


def _at_time(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        raise _Unreadable(f"--at-time {value!r} is not an ISO 8601 time") from None
    if when.tzinfo is None:
        raise _Unreadable(f"--at-time {value!r} has no UTC offset (add Z or +hh:mm)")
    return when


def _seconds(value: str) -> int:
    if not value.isascii() or not value.isdigit() or int(value) > 86400:
        raise argparse.ArgumentTypeError(f"{value!r} is not 0 to 86400 seconds")
    return int(value)


def _check_bundle(args: argparse.Namespace) -> VerificationReport:
    data = _read_bytes(args.file)
    roots = _tsa_roots(args.tsa_root)
    skew = timedelta(seconds=args.clock_skew)
    return bundle.verify_bundle(data, args.log_key, roots, _at_time(args.at_time), skew)


def _check_pdf(args: argparse.Namespace) -> VerificationReport:
    try:  # not an import statement: verifier does not depend on reports (see the doc)
        validation = importlib.import_module("reports.validation")
    except ImportError as e:
        raise _Unreadable(
            f"ledger-verify pdf needs the reports package and pyHanko ({e}): "
            "pip install evidence-ledger"
        ) from e
    data = _read_bytes(args.file)
    result = validation.verify_pdf(
        data,
        args.log_key,
        _tsa_roots(args.tsa_root),
        _tsa_roots(args.issuer_root),
        _at_time(args.at_time),
    )
    if args.extract_bundle and result.bundle is not None:
        try:
            Path(args.extract_bundle).write_bytes(result.bundle)
        except OSError as e:
            raise _Unreadable(f"cannot write {args.extract_bundle}: {e}") from e
    report: VerificationReport = result.report
    return report


class _ProgressBar:
    """A one-line progress bar on a terminal: leaves done, of how many, how fast."""

    WIDTH = 30

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.started = time.monotonic()
        self.shown = 0.0
        self.drawn = False

    def __call__(self, done: int, total: int | None) -> None:
        now = time.monotonic()
        if now - self.shown < 0.1 and done != total:
            return
        self.shown = now
        rate = done / max(now - self.started, 1e-9)
        if total:
            filled = min(self.WIDTH, self.WIDTH * done // total)
            bar = "#" * filled + "-" * (self.WIDTH - filled)
            text = f"[{bar}] {done:,}/{total:,} leaves, {rate:,.0f}/s"
        else:
            text = f"{done:,} leaves, {rate:,.0f}/s"
        self.stream.write(f"\r{text}")
        self.stream.flush()
        self.drawn = True

    def close(self) -> None:
        if self.drawn:
            self.stream.write("\n")
            self.stream.flush()


def _progress() -> _ProgressBar | None:
    return _ProgressBar(sys.stderr) if sys.stderr.isatty() else None


def _check_log(args: argparse.Namespace) -> VerificationReport:
    if args.url is not None and not args.key:
        raise _Unreadable("--url needs --key (an API key that may read the log)")
    roots = _tsa_roots(args.tsa_root)
    at_time = _at_time(args.at_time)
    bar = _progress()
    try:
        if args.url is not None:
            return _audit_url(args, roots, at_time, bar)
        options: dict[str, Any] = {"at_time": at_time, "progress": bar}
        options |= {"full_leaves": args.full_leaves, "signatures": args.signatures}
        if args.export == "-":
            log = audit.LogAudit(None, None, args.log_key, roots, **options)
            return log.audit_lines(sys.stdin.buffer)
        try:
            return audit.audit_file(args.export, args.log_key, roots, **options)
        except OSError as e:
            raise _Unreadable(f"cannot read {args.export}: {e}") from e
    finally:
        if bar is not None:
            bar.close()


# --- log --url: the same records from a running ledger -----------------------------------


def _get(url: str, key: str) -> bytes:
    request = urllib.request.Request(  # noqa: S310  the auditor's own URL, http(s) only
        url, headers={"Authorization": f"Bearer {key}", "User-Agent": "ledger-verify"}
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310
            return bytes(response.read())
    except urllib.error.HTTPError as e:
        raise _Unreadable(f"GET {url}: HTTP {e.code} {e.reason}") from e
    except (urllib.error.URLError, OSError, ValueError) as e:
        raise _Unreadable(f"GET {url}: {e}") from e


def _get_json(url: str, key: str) -> Any:
    try:
        return json.loads(_get(url, key))
    except ValueError as e:
        raise _Unreadable(f"GET {url}: not JSON: {e}") from e


def _listing(value: Any, key: str, url: str) -> list[Any]:
    items = value.get(key) if isinstance(value, dict) else None
    if not isinstance(items, list):
        raise _Unreadable(f"GET {url}: no {key!r} list in the answer")
    return items


def _leaf_pages(base: str, key: str, size: int) -> Iterator[dict[str, Any]]:
    """Leaves 0..size-1 as log-export/1 leaf records, a page of up to 10,000 at a time."""
    start = 0
    while start < size:
        end = min(size, start + PAGE)
        url = f"{base}/v1/log/leaves?start={start}&end={end}"
        leaves = _listing(_get_json(url, key), "leaves", url)
        if not leaves:
            return  # the audit reports the missing seqs
        for leaf in leaves:
            yield {"type": "leaf", **leaf} if isinstance(leaf, dict) else {"type": "leaf"}
        start += len(leaves)


def _audit_url(
    args: argparse.Namespace,
    roots: list[bytes],
    at_time: datetime | None,
    bar: _ProgressBar | None,
) -> VerificationReport:
    base = args.url.rstrip("/")
    if urllib.parse.urlsplit(base).scheme not in ("http", "https"):
        raise _Unreadable(f"--url {args.url!r} is not an http(s) URL")
    anchors_url = f"{base}/v1/log/anchors"
    anchors = _listing(_get_json(anchors_url, args.key), "anchors", anchors_url)
    note = _get(f"{base}/v1/log/checkpoint", args.key).decode("utf-8", "replace")
    head = _head(note)
    anchor_sizes = {a.get("size") for a in anchors if isinstance(a, dict)}
    log = audit.LogAudit(
        head.origin,
        args.hash,
        args.log_key,
        roots,
        checkpoint_sizes=(),
        anchor_sizes={s for s in anchor_sizes if isinstance(s, int)},
        at_time=at_time,
        progress=bar,
        full_leaves=args.full_leaves,
        signatures=args.signatures,
    )
    header = {"type": "log", "format": audit.FORMAT, "origin": head.origin, "hash": args.hash}
    log.feed(header | {"vkeys": [], "from": 0, "size": head.size})
    # checkpoints first: each waits for the leaves to reach its size
    log.feed({"type": "checkpoint", "size": head.size, "note": note})
    for anchor in anchors:
        if isinstance(anchor, dict) and "checkpoint" in anchor and "size" in anchor:
            log.feed({"type": "checkpoint", "size": anchor["size"], "note": anchor["checkpoint"]})
    for record in _leaf_pages(base, args.key, head.size):
        log.feed(record)
    for anchor in anchors:
        if isinstance(anchor, dict):
            log.feed({"type": "anchor"} | {k: v for k, v in anchor.items() if k != "checkpoint"})
    return log.finish()


def _head(note: str) -> checkpoint.Checkpoint:
    """The newest checkpoint's origin and size (its signature is checked by the audit)."""
    try:
        return checkpoint.parse_checkpoint(note[: note.rfind("\n\n") + 1])
    except VerificationError as e:
        raise _Unreadable(f"GET /v1/log/checkpoint: not a checkpoint: {e}") from e


# --- the parser ---------------------------------------------------------------------------


def _json_flag(parser: argparse.ArgumentParser) -> None:
    # SUPPRESS: the subcommand's --json must not reset a --json given before it
    parser.add_argument("--json", action="store_true", default=argparse.SUPPRESS)


def _trust_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--log-key", action="append", required=True, help="the log's verifier key (repeatable)"
    )
    parser.add_argument(
        "--tsa-root", action="append", default=[], help="TSA trust root, PEM file (repeatable)"
    )
    parser.add_argument(
        "--at-time", help="check TSA chains at this ISO 8601 time (default genTime)"
    )
    parser.add_argument(
        "--require-anchor", action="store_true", help="exit 1 when the evidence is only pending"
    )
    _json_flag(parser)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ledger-verify", description=__doc__.split("\n")[0])
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    sub = parser.add_subparsers(dest="command", required=True)

    cp = sub.add_parser("checkpoint", help="verify a signed checkpoint (C2SP signed note)")
    cp.add_argument("note", help="file with the signed note, or - for stdin")
    cp.add_argument("--key", action="append", required=True, help="verifier key (repeatable)")
    _json_flag(cp)
    cp.set_defaults(check=_check_checkpoint)

    inc = sub.add_parser("inclusion", help="verify an RFC 9162 inclusion proof")
    inc.add_argument("--leaf-hash", required=True)
    inc.add_argument("--index", type=int, required=True)
    inc.add_argument("--size", type=int, required=True)
    inc.add_argument("--root", required=True)
    inc.add_argument("--proof", nargs="*", default=[], help="proof hashes, hex, in order")
    _json_flag(inc)
    inc.set_defaults(check=_check_inclusion)

    con = sub.add_parser("consistency", help="verify an RFC 9162 consistency proof")
    con.add_argument("--size1", type=int, required=True)
    con.add_argument("--size2", type=int, required=True)
    con.add_argument("--root1", required=True)
    con.add_argument("--root2", required=True)
    con.add_argument("--proof", nargs="*", default=[], help="proof hashes, hex, in order")
    _json_flag(con)
    con.set_defaults(check=_check_consistency)

    bun = sub.add_parser("bundle", help="verify an evidence-bundle/1 offline")
    bun.add_argument("file", help="the bundle (JSON), or - for stdin")
    bun.add_argument(
        "--clock-skew",
        type=_seconds,
        default=int(DEFAULT_SKEW.total_seconds()),
        help="seconds a platform time may be after the ledger's receipt before it is a "
        "warning (default %(default)s, as the ledger's LEDGER_CLOCK_SKEW)",
    )
    _trust_options(bun)
    bun.set_defaults(report=_check_bundle)

    log = sub.add_parser("log", help="audit a whole log: leaves, chain, tree, checkpoints, anchors")
    source = log.add_mutually_exclusive_group(required=True)
    source.add_argument("--export", help="a log-export/1 file (ledger export), or - for stdin")
    source.add_argument("--url", help="the ledger's base URL, to fetch the log from")
    log.add_argument("--key", help="API key for --url (a read or audit key)")
    log.add_argument("--hash", default="sha-256", help="the log's hash algorithm, for --url")
    log.add_argument(
        "--full-leaves", action="store_true", help="parse every leaf strictly (slower)"
    )
    log.add_argument(
        "--signatures",
        choices=("all", "essential"),
        default="all",
        help="verify every checkpoint signature (default), or only the newest, the anchored "
        "and the inconsistent ones (much faster when the log signed one per append)",
    )
    _trust_options(log)
    log.set_defaults(report=_check_log)

    pdf = sub.add_parser("pdf", help="verify a certificate of evidence (PDF) and its bundle")
    pdf.add_argument("file", help="the certificate (PDF), or - for stdin")
    pdf.add_argument(
        "--issuer-root",
        action="append",
        default=[],
        help="trust root of the PDF signer (the issuer's CA), PEM file (repeatable)",
    )
    pdf.add_argument("--extract-bundle", help="write the embedded evidence-bundle.json here")
    _trust_options(pdf)
    pdf.set_defaults(report=_check_pdf)
    return parser


# --- output ------------------------------------------------------------------------------


def _emit(as_json: bool, result: dict[str, Any]) -> None:
    if as_json:
        print(json.dumps(result, indent=2))
    elif result["valid"]:
        facts = ", ".join(f"{k} {v}" for k, v in result["facts"].items())
        print(f"VALID: {result['check']} ({facts})")
    else:
        print(f"INVALID: {result['check']}: {result['reason']}")


def _emit_report(as_json: bool, report: VerificationReport) -> None:
    if as_json:
        print(report.to_json())
        return
    print(report.bottom_line)
    failures = report.failures
    for check in failures[:SHOWN]:
        print(f"  FAIL {check.describe()}")
    if len(failures) > SHOWN:
        print(f"  ... and {len(failures) - SHOWN} more failures (--json lists them)")
    for check in report.checks:
        if check.status in ("warning", "erased", "pending", "skipped"):
            print(f"  {check.status.upper()} {check.describe()}")


def _run_report(args: argparse.Namespace) -> int:
    make: Callable[[argparse.Namespace], VerificationReport] = args.report
    try:
        report = make(args)
    except (_Unreadable, VerificationError) as e:
        # VerificationError here is MalformedError: the evidence cannot be evaluated
        reason = str(e)
        if args.json:
            print(json.dumps({"valid": False, "verdict": "unreadable", "reason": reason}, indent=2))
        else:
            print(f"CANNOT EVALUATE: {reason}")
        return UNREADABLE
    _emit_report(args.json, report)
    if not report.valid or (args.require_anchor and report.pending):
        return INVALID
    return VALID


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if hasattr(args, "report"):
        return _run_report(args)
    check: Callable[[argparse.Namespace], dict[str, Any]] = args.check
    result: dict[str, Any] = {"check": args.command}
    try:
        result |= {"valid": True, "facts": check(args)}
        code = VALID
    except (_Unreadable, MalformedError) as e:
        result |= {"valid": False, "reason": str(e), "error": "unreadable"}
        code = UNREADABLE
    except VerificationError as e:
        result |= {"valid": False, "reason": str(e), "error": e.code}
        code = INVALID
    _emit(args.json, result)
    return code


if __name__ == "__main__":
    sys.exit(main())
