"""The certificate of evidence of an envelope (docs/design/EVIDENCE-FORMAT.md §7,
docs/certificate.md).

``GET /v1/envelopes/<id>/certificate.pdf?lang=en|zh&tz=<IANA zone>``: the same callers
as the evidence bundle (a read key for its own tenant, an admin key with ``?tenant=``).
The PDF is signed with PAdES by the issuer; ``X-PAdES-Level`` says which level it
reached (B-LTA, B-T or B-B), ``X-PAdES-Level-Reason`` why not B-LTA, and
``X-Certificate-Id`` its id. The id names the evidence: every edition of unchanged
evidence is the registry's stored PDF, byte for byte (``ledger.certificates.issuing``). A
render that runs out of time is a 503 with ``Retry-After``.

``ledger.certificates`` (reportlab, pyHanko: 0.4 s of imports) is imported by the first
request that needs it, not with the app.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, request

from ledger.api.context import caller, ledger, only_args

# The tenant and envelope id are read exactly as for the evidence bundle.
from ledger.api.envelopes import _envelope_id, _tenant
from ledger.api.errors import error_response
from ledger.api.schemas import API_KEY, AUTH_ERRORS, ENVELOPE_ID, ERROR, TENANT
from reports.texts import zones

bp = Blueprint("certificates", __name__)
RETRY_AFTER = 30  # seconds, after a render that ran out of time (503)


@bp.get("/v1/envelopes/<path:envelope_id>/certificate.pdf")
def certificate_pdf(envelope_id: str) -> Response:
    from ledger import certificates  # see the module doc
    from reports.certificate import RenderTimeout

    principal = caller("read", "admin")
    only_args("tenant", "lang", "tz")
    lang = certificates.parse_lang(request.args.get("lang"))
    tz = certificates.parse_tz(request.args.get("tz"))
    tenant = _tenant(principal)
    try:
        issued = certificates.certificate(
            ledger(), tenant, _envelope_id(envelope_id), lang=lang, tz=tz
        )
    except RenderTimeout:
        response = error_response(
            503, "render_timeout", "the certificate took too long to render; try again later"
        )
        response.headers["Retry-After"] = str(RETRY_AFTER)
        return response
    response = Response(issued.pdf, mimetype="application/pdf")
    name = f"certificate-{issued.certificate_id}-{lang}.pdf"
    response.headers["Content-Disposition"] = f"attachment; filename={name}"
    response.headers["X-Certificate-Id"] = issued.certificate_id
    response.headers["X-PAdES-Level"] = issued.level
    if issued.level_reason:
        response.headers["X-PAdES-Level-Reason"] = _header_text(issued.level_reason)
    response.headers["Cache-Control"] = "no-store"  # personal data
    return response


def _header_text(text: str, limit: int = 500) -> str:
    """Printable ASCII on one line (HTTP headers are Latin-1; names carry em dashes)."""
    flat = " ".join(text.replace("\u2014", "-").split())
    return flat.encode("ascii", "replace").decode("ascii")[:limit]


def openapi_paths() -> dict[str, Any]:
    """This blueprint's path items of /openapi.json (ledger.api.openapi)."""
    return {
        "/v1/envelopes/{envelope_id}/certificate.pdf": {
            "get": {
                **API_KEY,
                "summary": "An envelope's certificate of evidence, a PAdES-signed PDF "
                "(read: own tenant; admin: ?tenant=)",
                "description": (
                    "The evidence bundle rendered for a court (docs/certificate.md), with the "
                    "bundle attached as evidence-bundle.json. X-PAdES-Level says which level "
                    "the signature reached (B-LTA with a TSA and the revocation data of the "
                    "issuer's and the TSA's chains; B-T with a TSA without that data; B-B "
                    "without a TSA that works) and X-PAdES-Level-Reason why not B-LTA; "
                    "X-Certificate-Id its id, which names the evidence: unchanged evidence "
                    "returns the stored PDF byte for byte (docs/certificate.md, the registry). "
                    "Verify with ledger-verify pdf or at /verify/{certificate id}. A render "
                    "that runs out of time answers 503 (code render_timeout) with Retry-After."
                ),
                "parameters": [
                    ENVELOPE_ID,
                    TENANT,
                    {
                        "name": "lang",
                        "in": "query",
                        "required": False,
                        "description": "edition: English (default) or Simplified Chinese",
                        "schema": {"enum": ["en", "zh"]},
                    },
                    {
                        "name": "tz",
                        "in": "query",
                        "required": False,
                        "description": "the reader's IANA time zone, shown beside UTC",
                        "schema": {"enum": list(zones())},
                    },
                ],
                "responses": {
                    "200": {
                        "description": "the signed certificate",
                        "headers": {
                            "X-PAdES-Level": {"schema": {"enum": ["B-LTA", "B-T", "B-B"]}},
                            "X-PAdES-Level-Reason": {
                                "description": "why not B-LTA (absent at B-LTA)",
                                "schema": {"type": "string"},
                            },
                            "X-Certificate-Id": {"schema": {"type": "string"}},
                        },
                        "content": {
                            "application/pdf": {"schema": {"type": "string", "format": "binary"}}
                        },
                    },
                    "400": ERROR,
                    "404": ERROR,
                    "503": ERROR,
                    **AUTH_ERRORS,
                },
            }
        },
    }
