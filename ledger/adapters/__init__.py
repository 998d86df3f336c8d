"""Signing-platform adapters behind ``/v1/hooks/<platform>/<hook id>``
(docs/design/EVIDENCE-FORMAT.md §7).

One module per platform; ``ADAPTERS`` maps each slug (in URLs and ``--platform``) to
its adapter. docs/platforms/<slug>.md says what each one confirmed and assumed.
"""

from __future__ import annotations

from ledger.adapters.adobesign import AdobeSign
from ledger.adapters.base import Adapter, Credentials, Delivery
from ledger.adapters.documenso import Documenso
from ledger.adapters.docuseal import DocuSeal
from ledger.adapters.docusign import DocuSign
from ledger.adapters.esign import Esign
from ledger.adapters.esignglobal import EsignGlobal
from ledger.adapters.opensign import OpenSign

ADAPTERS: dict[str, Adapter] = {
    adapter.slug: adapter
    for adapter in (
        DocuSign(),
        AdobeSign(),
        Esign(),
        EsignGlobal(),
        Documenso(),
        DocuSeal(),
        OpenSign(),
    )
}
PLATFORMS = tuple(ADAPTERS)

__all__ = ["ADAPTERS", "PLATFORMS", "Adapter", "Credentials", "Delivery"]
