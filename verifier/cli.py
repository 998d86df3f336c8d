"""``ledger-verify``: check evidence offline, without trusting the ledger.

Subcommands:

- ``receipt FILE|-``: a receipt (the answer to an append) in one step: its leaf hash, its
  checkpoint's signature with the log's verifier keys (``--log-key``, repeatable) and its
  inclusion proof (``verifier.receipt``);
- ``checkpoint``, ``inclusion``, ``consistency``: one signed checkpoint or one RFC 9162
  proof (docs/design/EVIDENCE-FORMAT.md §3-4);
- ``bundle FILE|-``: an ``evidence-bundle/1`` (§6), with the log's verifier keys and the
  TSA trust roots (``--tsa-root``, PEM or DER files, bundles allowed, repeatable);
  ``--at-time`` checks the TSA chains at another time than each genTime;
  ``--clock-skew`` (default 300 s) is how far a platform time may be after the ledger's
  receipt before it is reported as a warning (docs/evidence-format.md);
- ``log --export FILE|-``: a whole-log audit of a ``log-export/1`` file (two passes, on
  every core) or of stdin (one pass, 64 bytes per leaf); ``--signatures essential``
  verifies only the checkpoint signatures that carry weight (see
  ``verifier.audit.checkpoints``); ``log --url URL --key API_KEY`` fetches the same records
  from a running ledger (``verifier.remote``).

Other packages add commands through the entry-point group ``ledger_verify.commands``
(``PLUGINS``): the service package adds ``pdf``, which checks a certificate of evidence
with pyHanko. Such a command is loaded only when it is run.

A certificate of a trust-root file that cannot be used (a bundle such as
``/etc/ssl/certs/ca-certificates.crt`` holds some) is skipped with a warning on stderr
naming it (``verifier.trust``).

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

Each command imports what it needs when it runs, so that ``ledger-verify log`` starts
without the RFC 3161, PDF or HTTP code.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, NoReturn, TextIO

from verifier.errors import MalformedError, VerificationError
from verifier.plausibility import DEFAULT_SKEW
from verifier.report import VerificationReport

if TYPE_CHECKING:
    from importlib.metadata import EntryPoint

    from verifier.trust import TrustRoots

VALID, INVALID, UNREADABLE = 0, 1, 2
SHOWN = 20  # failures listed in the human output (--json lists every reported one)
PLUGINS = "ledger_verify.commands"
"""Entry points of commands other packages add: ``name = "module:register"``, where
``register(subparsers)`` adds the command's parser (see ``add_trust_options``) with a
``report`` default that returns a ``VerificationReport`` or raises ``Unreadable``."""
BUILTIN = ("receipt", "checkpoint", "inclusion", "consistency", "bundle", "log")
ELSEWHERE = {
    "pdf": "ledger-verify pdf checks a certificate of evidence with pyHanko and comes with "
    "the service package (evidence-ledger), not with the verifier alone; the bundle a "
    "certificate carries is checked by ledger-verify bundle (docs/auditor-guide.md)",
}
"""Commands that another package adds, and what to say when it is not installed."""


class Unreadable(Exception):
    """The input could not be read; main() turns it into exit code 2."""


# --- reading the inputs (also for commands other packages add) -------------------------------


def read_text(name: str) -> str:
    """A file's text, or stdin's for ``-``."""
    try:
        return sys.stdin.read() if name == "-" else Path(name).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise Unreadable(f"cannot read {name}: {e}") from e


def read_document(name: str, read: Callable[[BinaryIO], bytes]) -> bytes:
    """A JSON document from a file, or stdin for ``-``, through ``read`` (which refuses it
    as it streams when it passes a limit)."""
    try:
        if name == "-":
            return read(sys.stdin.buffer)
        with Path(name).open("rb") as f:
            return read(f)
    except OSError as e:
        raise Unreadable(f"cannot read {name}: {e}") from e


def read_bytes(name: str) -> bytes:
    """A file's bytes, or stdin's for ``-``."""
    try:
        return sys.stdin.buffer.read() if name == "-" else Path(name).read_bytes()
    except OSError as e:
        raise Unreadable(f"cannot read {name}: {e}") from e


def trust_roots(paths: Sequence[str]) -> TrustRoots:
    """The trust roots in these files; a certificate that cannot be used is skipped with a
    warning on stderr naming it."""
    from verifier.trust import load_roots

    roots = load_roots([read_bytes(path) for path in paths], names=list(paths))
    for reason in roots.skipped:
        print(f"warning: {reason}", file=sys.stderr)
    return roots


def at_time(value: str | None) -> datetime | None:
    """An ``--at-time`` value: ISO 8601 with a UTC offset."""
    if value is None:
        return None
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        raise Unreadable(f"--at-time {value!r} is not an ISO 8601 time") from None
    if when.tzinfo is None:
        raise Unreadable(f"--at-time {value!r} has no UTC offset (add Z or +hh:mm)")
    return when


def _hash(value: str) -> bytes:
    try:
        return bytes.fromhex(value)
    except ValueError as e:
        raise Unreadable(f"not a hex hash: {value!r}") from e


# --- the commands ----------------------------------------------------------------------------


def _check_checkpoint(args: argparse.Namespace) -> dict[str, Any]:
    from verifier import checkpoint

    cp = checkpoint.verify(read_text(args.note), args.key)
    return {"origin": cp.origin, "size": cp.size, "root": cp.root.hex()}


def _check_inclusion(args: argparse.Namespace) -> dict[str, Any]:
    from verifier import merkle

    proof = [_hash(h) for h in args.proof]
    merkle.verify_inclusion(_hash(args.leaf_hash), args.index, args.size, proof, _hash(args.root))
    return {"index": args.index, "size": args.size}


def _check_consistency(args: argparse.Namespace) -> dict[str, Any]:
    from verifier import merkle

    proof = [_hash(h) for h in args.proof]
    merkle.verify_consistency(args.size1, args.size2, proof, _hash(args.root1), _hash(args.root2))
    return {"size1": args.size1, "size2": args.size2}


def _check_receipt(args: argparse.Namespace) -> VerificationReport:
    from verifier.receipt import read_receipt, verify_receipt

    return verify_receipt(read_document(args.file, read_receipt), args.log_key)


def _seconds(value: str) -> int:
    if not value.isascii() or not value.isdigit() or int(value) > 86400:
        raise argparse.ArgumentTypeError(f"{value!r} is not 0 to 86400 seconds")
    return int(value)


def _check_bundle(args: argparse.Namespace) -> VerificationReport:
    from verifier.bundle import read_bundle, verify_bundle

    data = read_document(args.file, read_bundle)
    roots, when = trust_roots(args.tsa_root), at_time(args.at_time)
    return verify_bundle(data, args.log_key, roots, when, timedelta(seconds=args.clock_skew))


def _check_log(args: argparse.Namespace) -> VerificationReport:
    from verifier import audit

    if args.url is not None and not args.key:
        raise Unreadable("--url needs --key (an API key that may read the log)")
    # without --tsa-root nothing is loaded, nor the certificate code imported, before a
    # file audit starts its workers (verifier.audit.files)
    roots: TrustRoots | list[bytes] = trust_roots(args.tsa_root) if args.tsa_root else []
    when = at_time(args.at_time)
    bar = _ProgressBar(sys.stderr) if sys.stderr.isatty() else None
    options: dict[str, Any] = {"at_time": when, "progress": bar, "signatures": args.signatures}
    options["full_leaves"] = args.full_leaves
    try:
        if args.url is not None:
            from verifier.remote import audit_url

            return audit_url(args.url, args.key, args.hash, args.log_key, roots, **options)
        if args.export == "-":
            from verifier.audit.reader import bounded_lines

            log = audit.LogAudit(None, None, args.log_key, roots, **options)
            return log.audit_lines(bounded_lines(sys.stdin.buffer))
        try:
            return audit.audit_file(args.export, args.log_key, roots, **options)
        except OSError as e:
            raise Unreadable(f"cannot read {args.export}: {e}") from e
    finally:
        if bar is not None:
            bar.close()


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


# --- the parser ------------------------------------------------------------------------------


def _json_flag(parser: argparse.ArgumentParser) -> None:
    # SUPPRESS: the subcommand's --json must not reset a --json given before it
    parser.add_argument("--json", action="store_true", default=argparse.SUPPRESS)


def _log_keys(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--log-key", action="append", required=True, help="the log's verifier key (repeatable)"
    )


def add_trust_options(parser: argparse.ArgumentParser) -> None:
    """``--log-key``, ``--tsa-root``, ``--at-time``, ``--require-anchor`` and ``--json``."""
    _log_keys(parser)
    parser.add_argument(
        "--tsa-root",
        action="append",
        default=[],
        help="TSA trust root, PEM or DER file, bundles allowed (repeatable)",
    )
    parser.add_argument(
        "--at-time", help="check TSA chains at this ISO 8601 time (default genTime)"
    )
    parser.add_argument(
        "--require-anchor", action="store_true", help="exit 1 when the evidence is only pending"
    )
    _json_flag(parser)


def _builtin(sub: Any) -> None:
    rec = sub.add_parser("receipt", help="verify a receipt: leaf, checkpoint, inclusion")
    rec.add_argument("file", help="the receipt (JSON), or - for stdin")
    _log_keys(rec)
    _json_flag(rec)
    rec.set_defaults(report=_check_receipt, require_anchor=False)

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
    add_trust_options(bun)
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
    add_trust_options(log)
    log.set_defaults(report=_check_log)


def _plugins() -> dict[str, EntryPoint]:
    from importlib import metadata  # only when a command may come from another package

    return {ep.name: ep for ep in metadata.entry_points(group=PLUGINS) if ep.name not in BUILTIN}


def _command(argv: Sequence[str]) -> str | None:
    return next((a for a in argv if not a.startswith("-")), None)


def _parser(argv: Sequence[str], plugins: dict[str, EntryPoint]) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ledger-verify", description=__doc__.split("\n")[0])
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    sub = parser.add_subparsers(dest="command", required=True)
    _builtin(sub)
    command = _command(argv)
    for name, entry in plugins.items():
        if name == command:
            entry.load()(sub)
        else:  # listed by name only: loaded when it is the command run
            sub.add_parser(name, help=f"(added by {entry.dist.name if entry.dist else name})")
    return parser


# --- output ----------------------------------------------------------------------------------


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
    except (Unreadable, VerificationError) as e:
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
    argv = list(sys.argv[1:] if argv is None else argv)
    command = _command(argv)
    # a built-in command looks up no other package's code, let alone loads it
    plugins = {} if command in BUILTIN else _plugins()
    if command in ELSEWHERE and command not in plugins:
        print(f"CANNOT EVALUATE: {ELSEWHERE[command]}")
        return UNREADABLE
    args = _parser(argv, plugins).parse_args(argv)
    if hasattr(args, "report"):
        return _run_report(args)
    if not hasattr(args, "check"):
        print(f"CANNOT EVALUATE: {args.command}: its package is installed but gave no command")
        return UNREADABLE
    check: Callable[[argparse.Namespace], dict[str, Any]] = args.check
    result: dict[str, Any] = {"check": args.command}
    try:
        result |= {"valid": True, "facts": check(args)}
        code = VALID
    except (Unreadable, MalformedError) as e:
        result |= {"valid": False, "reason": str(e), "error": "unreadable"}
        code = UNREADABLE
    except VerificationError as e:
        result |= {"valid": False, "reason": str(e), "error": e.code}
        code = INVALID
    _emit(args.json, result)
    return code


def run() -> NoReturn:
    """The ``ledger-verify`` command: ``main``, its output flushed, then the process ends
    without tearing the interpreter down (every module, OpenSSL's state: about 11 ms at
    the end of each audit), as nothing else is pending. Output that cannot be written (a
    closed pipe) exits 120, as Python does."""
    code = main()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except OSError:
        code = 120
    os._exit(code)


if __name__ == "__main__":
    run()
