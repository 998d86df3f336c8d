"""The Evidence Ledger verifier: pure, offline checks of everything the ledger produces.

It implements docs/design/EVIDENCE-FORMAT.md §2-4 (leaves, hash chain, RFC 9162 tree, checkpoints)
and
depends on nothing but the standard library, ``cryptography`` and ``rfc8785``. Trust
material (verifier keys, trust roots) is always passed in; nothing is discovered.
"""
