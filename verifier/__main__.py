"""``python -m verifier`` is ``ledger-verify``."""

from verifier.cli import run

run()
