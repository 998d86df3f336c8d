"""An ETSI EN 319 102-1 style validation of a certificate's PAdES signature, with
pyHanko's AdES validator, and the PAdES baseline level (ETSI EN 319 142-1) it finds.

``baseline(pdf, roots)`` trusts ``roots`` (the development issuer's CA and TSA root)
and nothing else, requires revocation data for every certificate below a root, and
fetches nothing: what the file itself carries decides. The level is the highest whose
requirements hold:

- PAdES-BASELINE-B: the signature is intact, valid and chains to a root;
- PAdES-BASELINE-T: and its signature time-stamp is valid and trusted;
- PAdES-BASELINE-LT: and the long-term validation (``ades_lta_validation``) PASSES
  from the file's own validation data, revocation data required;
- PAdES-BASELINE-LTA: and a document time-stamp covers that validation data.
"""

from __future__ import annotations

import asyncio
import io
from dataclasses import dataclass
from pathlib import Path

from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.validation import ades, validate_pdf_signature
from pyhanko.sign.validation.policy_decl import (
    PdfSignatureValidationSpec,
    RevinfoOnlineFetchingRule,
    RevocationInfoGatheringSpec,
    SignatureValidationSpec,
)
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.context import CertValidationPolicySpec
from pyhanko_certvalidator.policy_decl import REQUIRE_REVINFO, CertRevTrustPolicy
from pyhanko_certvalidator.registry import SimpleTrustManager


@dataclass(frozen=True)
class Baseline:
    level: str  # "PAdES-BASELINE-LTA", ... or "none"
    indication: str  # the long-term validation's: "PASSED/OK", "INDETERMINATE/TRY_LATER"...
    docmdp_ok: bool
    modification: ModificationLevel | None


def baseline(pdf: bytes, roots: list[Path]) -> Baseline:
    certs = [load_cert_from_pemder(str(r)) for r in roots]
    reader = PdfFileReader(io.BytesIO(pdf))
    signature = reader.embedded_regular_signatures[0]
    lenient = ValidationContext(trust_roots=certs, allow_fetching=False, revocation_mode="none")
    basic = validate_pdf_signature(signature, lenient, ts_validation_context=lenient)
    policy = CertValidationPolicySpec(
        trust_manager=SimpleTrustManager.build(trust_roots=certs),
        revinfo_policy=CertRevTrustPolicy(REQUIRE_REVINFO),
    )
    spec = PdfSignatureValidationSpec(
        SignatureValidationSpec(
            cert_validation_policy=policy,
            revinfo_gathering_policy=RevocationInfoGatheringSpec(
                online_fetching_rule=RevinfoOnlineFetchingRule.LOCAL_ONLY
            ),
        )
    )
    lta = asyncio.run(ades.ades_lta_validation(signature, spec))
    sub = lta.ades_subindic
    indication = f"{sub.status.name}/{sub.standard_name}"
    level = "none"
    if basic.intact and basic.valid and basic.trusted:
        level = "PAdES-BASELINE-B"
        stamp = basic.timestamp_validity
        if stamp is not None and stamp.intact and stamp.valid and stamp.trusted:
            level = "PAdES-BASELINE-T"
            if sub.status.name == "PASSED":
                level = "PAdES-BASELINE-LT"
                if lta.oldest_evidence_record_timestamp is not None:
                    level = "PAdES-BASELINE-LTA"
    return Baseline(level, indication, basic.docmdp_ok, basic.modification_level)
