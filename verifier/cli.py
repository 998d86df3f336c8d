"""``ledger-verify``: check evidence offline, without trusting the ledger.

Exit codes: 0 the evidence is valid, 1 it is invalid (the output says which check
failed and what was expected), 2 the input cannot be read or evaluated.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from verifier import checkpoint, merkle
from verifier.errors import MalformedError, VerificationError

VALID, INVALID, UNREADABLE = 0, 1, 2


class _Unreadable(Exception):
    """The input could not be read; main() turns it into exit code 2."""


def _read_text(name: str) -> str:
    try:
        return sys.stdin.read() if name == "-" else Path(name).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
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


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ledger-verify", description=__doc__.split("\n")[0])
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    sub = parser.add_subparsers(dest="command", required=True)

    cp = sub.add_parser("checkpoint", help="verify a signed checkpoint (C2SP signed note)")
    cp.add_argument("note", help="file with the signed note, or - for stdin")
    cp.add_argument("--key", action="append", required=True, help="verifier key (repeatable)")
    cp.set_defaults(check=_check_checkpoint)

    inc = sub.add_parser("inclusion", help="verify an RFC 9162 inclusion proof")
    inc.add_argument("--leaf-hash", required=True)
    inc.add_argument("--index", type=int, required=True)
    inc.add_argument("--size", type=int, required=True)
    inc.add_argument("--root", required=True)
    inc.add_argument("--proof", nargs="*", default=[], help="proof hashes, hex, in order")
    inc.set_defaults(check=_check_inclusion)

    con = sub.add_parser("consistency", help="verify an RFC 9162 consistency proof")
    con.add_argument("--size1", type=int, required=True)
    con.add_argument("--size2", type=int, required=True)
    con.add_argument("--root1", required=True)
    con.add_argument("--root2", required=True)
    con.add_argument("--proof", nargs="*", default=[], help="proof hashes, hex, in order")
    con.set_defaults(check=_check_consistency)
    return parser


def _emit(as_json: bool, result: dict[str, Any]) -> None:
    if as_json:
        print(json.dumps(result, indent=2))
    elif result["valid"]:
        facts = ", ".join(f"{k} {v}" for k, v in result["facts"].items())
        print(f"VALID: {result['check']} ({facts})")
    else:
        print(f"INVALID: {result['check']}: {result['reason']}")


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
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
