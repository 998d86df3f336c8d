"""Certificates of evidence for the service (docs/certificate.md).

- ``issuer``: the issuer's settings, its files (or the development issuer) and signer;
- ``tsa``: the TSAs that time-stamp the signature, and their trust roots;
- ``params``: an edition as a caller names it (``lang``, ``tz``);
- ``registry``: the table of issued certificates and its queries;
- ``issuing``: ``certificate(service, tenant, envelope_id, lang=, tz=)``, the stored PDF
  for unchanged evidence, else a new edition issued and recorded; ``editions(...,
  langs)``, several languages from one reading of the evidence (exports).

The API (``GET /v1/envelopes/<id>/certificate.pdf``), the verification page and
``ledger certificate`` call them. The names below are loaded on first use: ``issuer``
and ``issuing`` import reportlab and pyHanko (0.4 s), which the registry does not need.
"""

from __future__ import annotations

import importlib
from typing import Any

_NAMES = {
    "certificate": "issuing",
    "editions": "issuing",
    "Delivered": "issuing",
    "Editions": "issuing",
    "ensure_dev_issuer": "issuer",
    "issuer_files": "issuer",
    "issuer_info": "issuer",
    "issuer_signer": "issuer",
    "timestampers": "tsa",
    "tsa_roots": "tsa",
    "parse_lang": "params",
    "parse_tz": "params",
}


def __getattr__(name: str) -> Any:
    module = _NAMES.get(name)
    if module is None:
        raise AttributeError(f"module 'ledger.certificates' has no attribute {name!r}")
    return getattr(importlib.import_module(f"ledger.certificates.{module}"), name)
