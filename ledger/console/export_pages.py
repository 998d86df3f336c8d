"""The console's Export pages: one ZIP of the certificates (both editions), bundles and
manifest of chosen envelopes, built in the background by ``ledger.exports`` with its
progress shown. Envelopes are chosen on the Envelopes page (ticked, or every result of
a search) or by a date range here. Read users export their tenant's envelopes, admins
any one tenant's at a time; audit users see no bodies, so they export nothing.
"""

from __future__ import annotations

from typing import Any

from flask import Response, g, jsonify, redirect, request, send_file, url_for

from ledger import access, exports, periods
from ledger.console import search
from ledger.console.views import bp, page, service, signed_in
from ledger.errors import InvalidInput, LedgerError, NotFound

EXPORTERS = ("read", "admin")


def _created_by() -> str:
    return f"console user {g.session.user.email}"


def _seen_tenant() -> int | None:
    """Whose exports the user sees: a read user's tenant; None (every tenant) for admins."""
    return g.who.own_tenant()[0] if g.who.role == "read" else None


def _tenant_named(name: str) -> tuple[int, str]:
    if g.who.role == "read":
        own = g.who.own_tenant()
        if name and name != own[1]:
            raise NotFound("no such tenant")
        return own
    if not name:
        raise InvalidInput("an export holds one tenant's envelopes: choose the tenant")
    with service().db.reading() as conn:
        return access.tenant_id(conn, name), name


def _chosen() -> tuple[tuple[int, str], list[str]]:
    """The tenant and envelopes ticked on the Envelopes page, or every result of its
    search (``all``)."""
    form = request.form
    if form.get("all"):
        q = search.Query(
            envelope=form.get("envelope", ""),
            signer=form.get("signer", ""),
            sha256=form.get("sha256", ""),
            status=form.get("status", ""),
            platform=form.get("platform", ""),
            tenant=form.get("tenant", ""),
            date_from=form.get("from", ""),
            date_to=form.get("to", ""),
        )
        s = service()
        with s.db.reading() as conn:
            picked = search.matching(conn, g.who, q, exports.MAX_ENVELOPES, s.pseudonyms)
        if len(picked) > exports.MAX_ENVELOPES:
            raise InvalidInput(
                f"the search finds more than {exports.MAX_ENVELOPES} envelopes, the most an "
                "export holds: narrow it"
            )
    else:
        picked = []
        for value in form.getlist("pick"):
            tenant, _, envelope_id = value.partition("/")
            picked.append((tenant, envelope_id))
    if not picked:
        raise InvalidInput("tick the envelopes to export, or export every result of a search")
    tenants = {tenant for tenant, _ in picked}
    if len(tenants) > 1:
        raise InvalidInput(
            "an export holds one tenant's envelopes: search one tenant (the Tenant field)"
        )
    return _tenant_named(tenants.pop()), [envelope_id for _, envelope_id in picked]


@bp.post("/exports")
@signed_in(*EXPORTERS)
def export_create() -> Response | tuple[str, int]:
    s = service()
    try:
        if request.form.get("by") == "dates":
            tenant = _tenant_named(request.form.get("export_tenant", ""))
            period = periods.parse(request.form.get("from") or None, request.form.get("to") or None)
            info = exports.create(s, tenant, period=period, created_by=_created_by())
        else:
            tenant, envelopes = _chosen()
            info = exports.create(s, tenant, envelopes=envelopes, created_by=_created_by())
    except LedgerError as e:
        if e.status == 404:  # another tenant's, or no such envelope: as on every page
            raise
        return _exports_page(message=e.message, code=400)
    exports.start(s, info.id)
    return redirect(url_for("console.export_page", export_id=info.id), 303)


def _exports_page(message: str = "", code: int = 200) -> tuple[str, int]:
    s = service()
    found = exports.listing(s, _seen_tenant(), limit=50)
    with s.db.reading() as conn:
        tenants = access.tenant_names(conn)
    return page(
        "exports.html",
        code,
        exports=found,
        tenants=tenants if g.who.role != "read" else [],
        message=message,
        limit=exports.MAX_ENVELOPES,
    )


@bp.get("/exports")
@signed_in(*EXPORTERS)
def exports_page() -> tuple[str, int]:
    return _exports_page()


def _info(export_id: str) -> exports.ExportInfo:
    return exports.get(service(), export_id, _seen_tenant())


def _json(info: exports.ExportInfo) -> dict[str, Any]:
    body = info.to_json()
    if info.status == "done":
        body["download"] = url_for("console.export_download", export_id=info.id)
    return body


@bp.get("/exports/<export_id>")
@signed_in(*EXPORTERS)
def export_page(export_id: str) -> tuple[str, int]:
    return page("export.html", info=_info(export_id))


@bp.get("/exports/<export_id>/progress.json")
@signed_in(*EXPORTERS)
def export_json(export_id: str) -> Response:
    return jsonify(_json(_info(export_id)))


@bp.get("/exports/<export_id>/download")
@signed_in(*EXPORTERS)
def export_download(export_id: str) -> Response:
    path = exports.download_path(service(), export_id, _seen_tenant())
    return send_file(
        path,
        mimetype="application/zip",
        as_attachment=True,
        download_name=f"evidence-export-{export_id}.zip",
        conditional=False,
        etag=False,
    )
