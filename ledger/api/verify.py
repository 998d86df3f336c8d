"""The public verification page (docs/certificate.md, "Verification page"): no key, no
JavaScript, nothing from another site; English and Chinese (``?lang=en|zh``, else the
browser's Accept-Language), with a link to switch.

- ``GET /verify``: the upload form;
- ``GET /verify/<certificate id>``: what the registry knows of a certificate (issued by
  this ledger: log origin, issuer; the envelope id; the evidence it rests on; PAdES level;
  each edition's SHA-256; current, or superseded with a link to the newer one) and the
  upload form. No names, e-mail addresses or titles: the page is public. An unknown id is
  a 404 page;
- ``POST /verify`` (multipart, field ``file``): a certificate PDF or an evidence bundle of
  at most 20 MB (else 413), checked as ``ledger-verify pdf``/``bundle`` check it with this
  ledger's trust (``ledger.certificates.checking``), shown as a checklist;
- ``POST /v1/verify`` (the raw file as ``application/pdf`` or ``application/json``): the
  same as JSON ``{"valid", "checks": [{"name", "status", "detail", "seq"}], "registered",
  ...}``.

The POST routes are rate limited per client address (``LEDGER_VERIFY_RATE`` a minute,
``LEDGER_VERIFY_BURST`` at once; ``ledger.ratelimit``; behind the proxies of
``LEDGER_VERIFY_PROXIES`` the client their ``X-Forwarded-For`` names): 429 with
``Retry-After``.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, render_template, request, url_for
from werkzeug.exceptions import RequestEntityTooLarge

from ledger.api.context import ledger
from ledger.api.errors import error_response
from ledger.api.verify_words import PDF_CHECKS_ZH, WORDS
from ledger.errors import InvalidInput, PayloadTooLarge, UnsupportedMediaType
from ledger.ratelimit import RateLimit, client
from reports.texts import Lang, Texts

bp = Blueprint("verify", __name__)

MAX_UPLOAD = 20 * 1024 * 1024  # bytes, for a PDF or a bundle (docs/certificate.md)
MULTIPART_SLACK = 64 * 1024  # the form's boundaries and headers around the file
ID = re.compile(r"ELC(-[0-9A-F]{4}){4}")
TYPES = {"application/pdf": "pdf", "application/json": "bundle"}


# --- language, limits -------------------------------------------------------------------


def page_lang() -> Lang:
    """``?lang=`` if it is en or zh, else the best of the browser's Accept-Language."""
    asked = request.args.get("lang")
    if asked in WORDS:
        return "zh" if asked == "zh" else "en"
    best = request.accept_languages.best_match(["en", "zh"], default="en")
    return "zh" if best == "zh" else "en"


def _limiter() -> RateLimit:
    found = current_app.extensions.get("verify_rate_limit")
    if found is None:
        settings = ledger().settings
        found = RateLimit(settings.verify_rate, settings.verify_burst)
        current_app.extensions["verify_rate_limit"] = found
    limit: RateLimit = found
    return limit


def _wait() -> int:
    """0, or the seconds this client must wait before its next check."""
    proxies = ledger().settings.verify_proxies
    who = client(request.remote_addr, request.headers.get("X-Forwarded-For"), proxies)
    return _limiter().take(who)


def stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _page(template: str, lang: Lang, status: int = 200, **values: Any) -> Response:
    settings = ledger().settings
    other = WORDS[lang]["other_lang"]
    if request.method == "GET" and request.endpoint is not None:
        switch = url_for(request.endpoint, **(request.view_args or {}), lang=other)
    else:
        switch = url_for("verify.index", lang=other)
    html = render_template(
        f"verify/{template}",
        w=WORDS[lang],
        lang=lang,
        public=bool(settings.public_url),
        switch_url=switch,
        stamp=stamp,
        **values,
    )
    response = Response(html, status=status, mimetype="text/html")
    response.headers["Content-Language"] = WORDS[lang]["html_lang"]
    response.headers["Vary"] = "Accept-Language"
    response.headers["Cache-Control"] = "no-cache"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Content-Security-Policy"] = (
        "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; "
        "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    )
    return response


def _message(lang: Lang, status: int, key: str, **values: Any) -> Response:
    w = WORDS[lang]
    return _page(
        "message.html", lang, status, heading=w[key], message=w[f"{key}_text"].format(**values)
    )


# --- the pages ---------------------------------------------------------------------------


@bp.get("/verify")
def index() -> Response:
    return _page("message.html", page_lang(), heading=WORDS[page_lang()]["title"], message="")


@bp.get("/verify/<path:certificate_id>")
def page(certificate_id: str) -> Response:
    from ledger.certificates import registry

    lang = page_lang()
    ident = certificate_id.strip().upper()
    found = []
    if ID.fullmatch(ident):
        with ledger().db.reading() as conn:
            found = registry.editions(conn, ident)
    if not found:
        return _message(lang, 404, "not_found", id=certificate_id[:40])
    settings = ledger().settings
    issuer = settings.issuer
    w = WORDS[lang]
    development = issuer.cert is None
    shown_issuer = w["dev_issuer"] if development else issuer.name or w["issuer_unnamed"]
    levels = ", ".join(dict.fromkeys(e.pades_level for e in found))
    return _page(
        "certificate.html",
        lang,
        first=found[0],
        editions=found,
        origin=settings.log_origin,
        issuer=shown_issuer,
        levels=levels,
    )


def check_name(t: Texts, name: str) -> str:
    """A check's name in the page's language (in Chinese with its id in parentheses)."""
    if t.zh and name in PDF_CHECKS_ZH:
        return f"{PDF_CHECKS_ZH[name]}（{name}）"
    return t.check(name)


def _checklist(checked: Any, lang: Lang) -> list[dict[str, Any]]:
    t = Texts(lang)
    rows = []
    for check in checked.report.checks:
        name = check_name(t, check.name)
        if check.seq is not None:
            name += f" · seq {check.seq}"
        rows.append(
            {
                "id": check.name,
                "name": name,
                "status": check.status,
                "status_text": t.status(check.status),
                "detail": t.detail(check),
            }
        )
    return rows


@bp.post("/verify")
def upload() -> Response:
    from ledger.certificates.checking import check_upload

    lang = page_lang()
    wait = _wait()
    if wait:
        response = _message(lang, 429, "too_many", seconds=wait)
        response.headers["Retry-After"] = str(wait)
        return response
    if (request.content_length or 0) > MAX_UPLOAD + MULTIPART_SLACK:
        return _message(lang, 413, "too_large")
    request.max_content_length = MAX_UPLOAD + MULTIPART_SLACK
    try:
        data = b""
        for name, sent in request.files.items(multi=True):
            try:  # werkzeug spools a large part to a temporary file: closed here
                if name == "file" and not data:
                    data = sent.read(MAX_UPLOAD + 1)
            finally:
                sent.close()
    except RequestEntityTooLarge:
        return _message(lang, 413, "too_large")
    if len(data) > MAX_UPLOAD:
        return _message(lang, 413, "too_large")
    if not data:
        return _message(lang, 400, "no_file")
    checked = check_upload(ledger(), data)
    t = Texts(lang)
    failures = checked.report.failures
    return _page(
        "result.html",
        lang,
        checked=checked,
        checks=_checklist(checked, lang),
        bottom_line=t.bottom_line(checked.report),
        failed=check_name(t, failures[0].name) if failures else None,
    )


@bp.post("/v1/verify")
def verify_json() -> Response:
    from ledger.certificates.checking import check_upload

    wait = _wait()
    if wait:
        response = error_response(
            429, "too_many_requests", f"too many checks from this address: retry in {wait} s"
        )
        response.headers["Retry-After"] = str(wait)
        return response
    mimetype = request.mimetype
    if mimetype not in TYPES:
        raise UnsupportedMediaType(
            "send the file as application/pdf (a certificate) or application/json (a bundle)"
        )
    if (request.content_length or 0) > MAX_UPLOAD:
        raise PayloadTooLarge(f"the file is larger than {MAX_UPLOAD} bytes")
    request.max_content_length = MAX_UPLOAD
    data = request.get_data(cache=False)
    if not data:
        raise InvalidInput("the body is empty: send the file itself")
    checked = check_upload(ledger(), data, TYPES[mimetype])
    registered = checked.registered
    body = {
        "valid": checked.valid,
        "kind": checked.kind,
        "sha256": checked.sha256,
        "certificate_id": checked.certificate_id,
        "pades_level": checked.level,
        "registered": registered is not None,
        "certificate": None
        if registered is None
        else {
            "certificate_id": registered.certificate_id,
            "current": registered.current,
            "superseded_by": registered.superseded_by,
            "url": f"{ledger().settings.verify_url}/{registered.certificate_id}",
        },
        "bottom_line": checked.report.bottom_line,
        "checks": [
            {"name": c.name, "status": c.status, "detail": c.describe(), "seq": c.seq}
            for c in checked.report.checks
        ],
    }
    response = jsonify(body)
    response.headers["Cache-Control"] = "no-store"
    return response


# --- /openapi.json -----------------------------------------------------------------------

HTML = {"text/html": {"schema": {"type": "string"}}}
RETRY_AFTER = {"Retry-After": {"schema": {"type": "integer", "minimum": 1}}}
LANG = {
    "name": "lang",
    "in": "query",
    "required": False,
    "description": "the page's language (else Accept-Language)",
    "schema": {"type": "string"},
}
CHECK = {
    "type": "object",
    "required": ["name", "status", "detail"],
    "properties": {
        "name": {"type": "string"},
        "status": {"enum": ["pass", "fail", "erased", "pending", "skipped", "warning"]},
        "detail": {"type": "string"},
        "seq": {"type": ["integer", "null"]},
    },
}
RESULT = {
    "type": "object",
    "required": ["valid", "kind", "sha256", "registered", "checks"],
    "properties": {
        "valid": {"type": "boolean"},
        "kind": {"enum": ["pdf", "bundle"]},
        "sha256": {"type": "string"},
        "certificate_id": {"type": ["string", "null"]},
        "pades_level": {"type": ["string", "null"]},
        "registered": {"type": "boolean"},
        "certificate": {
            "type": ["object", "null"],
            "properties": {
                "certificate_id": {"type": "string"},
                "current": {"type": "boolean"},
                "superseded_by": {"type": ["string", "null"]},
                "url": {"type": "string"},
            },
        },
        "bottom_line": {"type": "string"},
        "checks": {"type": "array", "items": CHECK},
    },
}


def openapi_paths() -> dict[str, Any]:
    """This blueprint's path items of /openapi.json (ledger.api.openapi)."""
    from ledger.api.schemas import ERROR

    public: dict[str, Any] = {"security": []}
    return {
        "/verify": {
            "get": {
                **public,
                "summary": "The public verification page: the upload form (HTML)",
                "parameters": [LANG],
                "responses": {"200": {"description": "the page", "content": HTML}},
            },
            "post": {
                **public,
                "summary": "Check an uploaded certificate PDF or evidence bundle (HTML)",
                "description": (
                    "multipart/form-data with the file in field `file`, at most 20 MB; "
                    "checked as ledger-verify pdf / bundle check it, with this ledger's log "
                    "keys, TSA roots and issuer roots; says whether the registry holds it. "
                    "Rate limited per client address (429 with Retry-After)."
                ),
                "parameters": [LANG],
                "requestBody": {
                    "required": True,
                    "content": {
                        "multipart/form-data": {
                            "schema": {
                                "type": "object",
                                "required": ["file"],
                                "properties": {"file": {"type": "string", "format": "binary"}},
                            }
                        }
                    },
                },
                "responses": {
                    "200": {"description": "the checklist", "content": HTML},
                    "400": {"description": "no file", "content": HTML},
                    "413": {"description": "larger than 20 MB", "content": HTML},
                    "429": {"description": "too many", "headers": RETRY_AFTER, "content": HTML},
                },
            },
        },
        "/verify/{certificate_id}": {
            "get": {
                **public,
                "summary": "What the registry knows of a certificate (HTML, public)",
                "description": (
                    "Issued by this ledger (log origin, issuer), the envelope id, the "
                    "checkpoint and anchors it rests on, PAdES level, each edition's SHA-256, "
                    "current or superseded (with a link to the newer one), and the upload "
                    "form. No names, e-mail addresses or titles."
                ),
                "parameters": [
                    {
                        "name": "certificate_id",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "string", "maxLength": 100},
                    },
                    LANG,
                ],
                "responses": {
                    "200": {"description": "the certificate's page", "content": HTML},
                    "404": {
                        "description": "no such certificate (the page; JSON for a path "
                        "that no route takes, such as one with a newline)",
                        "content": {**HTML, "application/json": {"schema": {"type": "object"}}},
                    },
                },
            }
        },
        "/v1/verify": {
            "post": {
                **public,
                "summary": "Check a certificate PDF or evidence bundle (JSON report)",
                "description": (
                    "The raw file as the body: application/pdf for a certificate, "
                    "application/json for an evidence bundle; at most 20 MB. The same checks "
                    "as POST /verify. Rate limited per client address (429 with Retry-After)."
                ),
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/pdf": {"schema": {"type": "string", "format": "binary"}},
                        "application/json": {"schema": {}},
                    },
                },
                "responses": {
                    "200": {
                        "description": "the report",
                        "content": {"application/json": {"schema": RESULT}},
                    },
                    "400": ERROR,
                    "413": ERROR,
                    "415": ERROR,
                    "429": {
                        "description": "too many checks from this address",
                        "headers": RETRY_AFTER,
                        "content": {"application/json": {"schema": {"type": "object"}}},
                    },
                },
            }
        },
    }
