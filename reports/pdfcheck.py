"""``ledger-verify pdf FILE``: the command that checks a certificate of evidence.

The verifier (``verifier/``, the ``evidence-ledger-verify`` distribution) depends on
nothing that reads PDFs; this command needs pyHanko, so the service package adds it to
``ledger-verify`` through the entry-point group ``ledger_verify.commands``
(pyproject.toml), and ``ledger-verify`` loads it only when ``pdf`` is run. Certificates
already issued tell their reader to run ``ledger-verify pdf``: with the service package
installed, that command keeps working.

It checks the PDF with ``reports.validation.verify_pdf``: its PAdES signature
(``--issuer-root``, PEM, repeatable), time-stamps and validation data, then the
``evidence-bundle.json`` it carries, as ``ledger-verify bundle`` checks it (``--log-key``,
``--tsa-root``); ``--extract-bundle OUT`` saves the bundle.

pyHanko logs what it finds wrong in a hostile PDF (thousands of revisions, a Flate bomb)
with its exception's traceback; those are silenced while it runs, since the report
already says which check failed.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.serialization import Encoding

from verifier.cli import Unreadable, add_trust_options, at_time, read_bytes, trust_roots
from verifier.report import VerificationReport

LOGGERS = ("pyhanko", "pyhanko_certvalidator")


def register(sub: Any) -> None:
    """Add ``pdf`` to ``ledger-verify``'s subcommands (the entry point's target)."""
    pdf = sub.add_parser("pdf", help="verify a certificate of evidence (PDF) and its bundle")
    pdf.add_argument("file", help="the certificate (PDF), or - for stdin")
    pdf.add_argument(
        "--issuer-root",
        action="append",
        default=[],
        help="trust root of the PDF signer (the issuer's CA), PEM file (repeatable)",
    )
    pdf.add_argument("--extract-bundle", help="write the embedded evidence-bundle.json here")
    add_trust_options(pdf)
    pdf.set_defaults(report=check_pdf)


@contextlib.contextmanager
def quiet() -> Iterator[None]:
    """pyHanko's loggers handled and not propagated: nothing of theirs reaches stderr."""
    loggers = [logging.getLogger(name) for name in LOGGERS]
    saved = [(x.propagate, list(x.handlers)) for x in loggers]
    for x in loggers:
        x.propagate = False
        x.handlers = [logging.NullHandler()]
    try:
        yield
    finally:
        for x, (propagate, handlers) in zip(loggers, saved, strict=True):
            x.propagate, x.handlers = propagate, handlers


def _der(paths: list[str]) -> list[bytes]:
    """The usable certificates of these trust-root files (the others are warned about)."""
    return [cert.public_bytes(Encoding.DER) for cert in trust_roots(paths).certificates]


def check_pdf(args: argparse.Namespace) -> VerificationReport:
    """``ledger-verify pdf``: the PDF's checks and its bundle's, as one report."""
    from reports import validation  # pyHanko: loaded only for this command

    data = read_bytes(args.file)
    tsa, issuers = _der(args.tsa_root), _der(args.issuer_root)
    with quiet():
        result = validation.verify_pdf(data, args.log_key, tsa, issuers, at_time(args.at_time))
    if args.extract_bundle and result.bundle is not None:
        try:
            Path(args.extract_bundle).write_bytes(result.bundle)
        except OSError as e:
            raise Unreadable(f"cannot write {args.extract_bundle}: {e}") from e
    return result.report
