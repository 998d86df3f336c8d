"""Certificates of evidence rendered from evidence bundles (docs/certificate.md).

- ``reports.issuing.issue``: render an ``evidence-bundle/1`` and its
  ``VerificationReport`` into a PDF (``reports.certificate``, reportlab Platypus),
  embed the bundle and sign it with PAdES (``reports.signing``, pyHanko);
- ``reports.validation``: check such a PDF back: its signature and time-stamps, and the
  embedded bundle (``ledger-verify pdf``).

The package reads no database and no environment: its callers (``ledger.certificates``,
``ledger-verify``) hand it the bundle, the report, the trust material and the settings'
values. Layering: verifier ← reports ← ledger; reports imports ``verifier``, never
``ledger`` or ``config`` (tests/test_layering.py).
"""
