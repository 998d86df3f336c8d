"""The console's Analytics page: ``ledger.analytics`` for one tenant and date range (the
numbers of ``GET /v1/analytics``), with its SVG charts (``ledger.charts``) and the same
numbers as JSON and CSV. Read users see their tenant; audit and admin users choose one
(analytics come from the leaves' clear fields: no event body is read).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Response, g, jsonify, request
from markupsafe import Markup

from ledger import access, analytics, charts, periods
from ledger.console.views import bp, page, service, signed_in
from ledger.errors import LedgerError, NotFound


def _tenant(tenants: list[str]) -> tuple[int, str] | None:
    if g.who.role == "read":
        own: tuple[int, str] = g.who.own_tenant()
        asked = request.args.get("tenant")
        if asked and asked != own[1]:
            raise NotFound("no such tenant")
        return own
    name = request.args.get("tenant") or (tenants[0] if tenants else "")
    if not name:
        return None
    with service().db.reading() as conn:
        return access.tenant_id(conn, name), name


def _report() -> tuple[analytics.Report | None, list[str], str]:
    with service().db.reading() as conn:
        tenants = access.tenant_names(conn)
    tenant = _tenant(tenants)
    if tenant is None:
        return None, tenants, "no tenant yet"
    period = periods.parse(
        request.args.get("from") or None,
        request.args.get("to") or None,
        default_days=periods.DEFAULT_DAYS,
    )
    return analytics.compute(service(), tenant, period), tenants, ""


def _phone(svg: str, ident: str) -> str:
    """The phone drawing of a chart, its element ids made its own."""
    return svg.replace(f'"{ident}-', f'"{ident}-phone-').replace(
        f" {ident}-desc", f" {ident}-phone-desc"
    )


def duration(seconds: float | None) -> str:
    """Seconds as a reader takes them in: "3 d 4 h", "2 h 5 min", "40 s"."""
    if seconds is None:
        return "—"
    whole = round(seconds)
    days, rest = divmod(whole, 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {minutes} min"
    if minutes:
        return f"{minutes} min {secs} s"
    return f"{secs} s"


def percent(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.1f} %"


@bp.get("/analytics")
@signed_in()
def analytics_page() -> tuple[str, int]:
    try:
        report, tenants, note = _report()
    except LedgerError as e:
        if e.status == 404:
            raise
        with service().db.reading() as conn:
            tenants = access.tenant_names(conn)
        return page("analytics.html", 400, report=None, tenants=tenants, message=e.message)
    context: dict[str, Any] = {"report": report, "tenants": tenants, "message": note}
    if report is not None:
        context |= {
            # ledger.charts escapes every text: the SVG can go in the page as it is. A
            # narrower drawing for phones keeps its words legible (ids renamed: unique).
            "per_day": Markup(charts.events_per_day_svg(report)),  # noqa: S704
            "per_day_phone": Markup(  # noqa: S704
                _phone(charts.events_per_day_svg(report, width=360, height=220), "events-per-day")
            ),
            "funnel": Markup(charts.funnel_svg(report)),  # noqa: S704
            "funnel_phone": Markup(_phone(charts.funnel_svg(report, width=360), "funnel")),  # noqa: S704
            "duration": duration,
            "percent": percent,
            "args": {k: v for k, v in request.args.items() if v},
            "day": timedelta(days=1),
        }
    return page("analytics.html", **context)


@bp.get("/analytics.json")
@signed_in()
def analytics_json() -> Response:
    report, _, note = _report()
    if report is None:
        raise NotFound(note)
    return jsonify(report.to_json())


@bp.get("/analytics.csv")
@signed_in()
def analytics_csv() -> Response:
    report, _, note = _report()
    if report is None:
        raise NotFound(note)
    response = Response(report.to_csv(), mimetype="text/csv")
    stamp = f"{report.period.start:%Y%m%d}-{report.period.end:%Y%m%d}"
    response.headers["Content-Disposition"] = (
        f"attachment; filename=analytics-{report.tenant}-{stamp}.csv"
    )
    return response
