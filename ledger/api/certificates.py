"""The certificate of evidence of an envelope (EVIDENCE-FORMAT §7, docs/certificate.md).

``GET /v1/envelopes/<id>/certificate.pdf?lang=en|zh&tz=<IANA zone>``: the same callers
as the evidence bundle (a read key for its own tenant, an admin key with ``?tenant=``).
The PDF is signed with PAdES by the issuer; ``X-PAdES-Level`` says which level it
reached (B-LTA with a TSA, B-B without) and ``X-Certificate-Id`` its id.

``ledger.certificates`` (reportlab, pyHanko: 0.4 s of imports) is imported by the first
request that needs it, not with the app.
"""

from __future__ import annotations

from flask import Blueprint, Response, request

from ledger.api.context import caller, ledger, only_args

# The tenant and envelope id are read exactly as for the evidence bundle.
from ledger.api.envelopes import _envelope_id, _tenant

bp = Blueprint("certificates", __name__)


@bp.get("/v1/envelopes/<path:envelope_id>/certificate.pdf")
def certificate_pdf(envelope_id: str) -> Response:
    from ledger import certificates  # see the module doc

    principal = caller("read", "admin")
    only_args("tenant", "lang", "tz")
    lang = certificates.parse_lang(request.args.get("lang"))
    tz = certificates.parse_tz(request.args.get("tz"))
    tenant = _tenant(principal)
    issued = certificates.certificate(ledger(), tenant, _envelope_id(envelope_id), lang=lang, tz=tz)
    response = Response(issued.pdf, mimetype="application/pdf")
    name = f"certificate-{issued.certificate_id}-{lang}.pdf"
    response.headers["Content-Disposition"] = f"attachment; filename={name}"
    response.headers["X-Certificate-Id"] = issued.certificate_id
    response.headers["X-PAdES-Level"] = issued.level
    response.headers["Cache-Control"] = "no-store"  # personal data
    return response
