"""``GET /v1/analytics?from=&to=&tenant=&format=json|csv``: a tenant's signing
analytics over a period (``ledger.analytics``): completion, decline and expiry rates,
times to complete and to first view, the funnel, events per day and by platform.

``from``/``to``: days ``YYYY-MM-DD`` (``to`` inclusive) or RFC 3339 times; by default
the last 30 UTC days up to today. CSV with ``?format=csv`` or ``Accept: text/csv``.
Read keys see their own tenant; audit and admin keys name it (``?tenant=``): the
figures come from the leaves' clear fields, which audit keys may read.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request

from ledger import access, analytics, periods
from ledger.api.context import caller, ledger, only_args
from ledger.api.schemas import API_KEY, AUTH_ERRORS, ERROR
from ledger.errors import Forbidden, InvalidInput

bp = Blueprint("analytics", __name__)


def _wants_csv() -> bool:
    chosen = request.args.get("format")
    if chosen is not None:
        if chosen not in ("json", "csv"):
            raise InvalidInput("format takes json or csv", field="format")
        return chosen == "csv"
    best = request.accept_mimetypes.best_match(["application/json", "text/csv"])
    return best == "text/csv"


@bp.get("/v1/analytics")
def analytics_view() -> Response:
    principal = caller("read", "audit", "admin")
    only_args("from", "to", "tenant", "format")
    name = request.args.get("tenant")
    service = ledger()
    if principal.role == "read":
        tenant = principal.own_tenant()
        if name is not None and name != tenant[1]:
            raise Forbidden("a read key sees its own tenant's analytics only")
    else:
        if not name:
            raise InvalidInput(
                f"an {principal.role} key names the tenant: ?tenant=NAME",
                field="tenant",
                code="missing_field",
            )
        with service.db.reading() as conn:
            tenant = (access.tenant_id(conn, name), name)
    csv_wanted = _wants_csv()
    period = periods.parse(
        request.args.get("from"), request.args.get("to"), default_days=periods.DEFAULT_DAYS
    )
    report = analytics.compute(service, tenant, period)
    if csv_wanted:
        response = Response(report.to_csv(), mimetype="text/csv")
        stamp = f"{period.start:%Y%m%d}-{period.end:%Y%m%d}"
        response.headers["Content-Disposition"] = (
            f"attachment; filename=analytics-{tenant[1]}-{stamp}.csv"
        )
        return response
    return jsonify(report.to_json())


RATE = {"type": ["number", "null"], "minimum": 0, "maximum": 1}
DURATION = {
    "type": "object",
    "required": ["count", "median_s", "p90_s"],
    "properties": {
        "count": {"type": "integer", "minimum": 0},
        "median_s": {"type": ["number", "null"]},
        "p90_s": {"type": ["number", "null"]},
    },
}
COUNT = {"type": "integer", "minimum": 0}
REPORT = {
    "type": "object",
    "required": [
        "tenant",
        "from",
        "to",
        "envelopes",
        "rates",
        "times",
        "funnel",
        "events",
        "events_per_day",
        "platforms",
    ],
    "properties": {
        "tenant": {"type": "string"},
        "from": {"type": "string"},
        "to": {"type": "string", "description": "exclusive"},
        "time_zone": {"const": "UTC"},
        "envelopes": {
            "type": "object",
            "description": "the cohort: envelopes whose first envelope.sent is in the period",
            "properties": {
                k: COUNT
                for k in ("sent", "viewed", "signed", "completed", "declined", "expired", "voided")
            },
        },
        "rates": {
            "type": "object",
            "properties": {"completion": RATE, "decline": RATE, "expiry": RATE},
        },
        "times": {
            "type": "object",
            "properties": {"sent_to_completed": DURATION, "sent_to_first_view": DURATION},
        },
        "funnel": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "step": {"enum": list(analytics.STEPS)},
                    "envelopes": COUNT,
                    "share": RATE,
                },
            },
        },
        "events": COUNT,
        "events_per_day": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "date": {"type": "string", "format": "date"},
                    "events": COUNT,
                    "sent": COUNT,
                    "completed": COUNT,
                },
            },
        },
        "platforms": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "platform": {"type": "string"},
                    "events": COUNT,
                    "sent": COUNT,
                    "completed": COUNT,
                    "completion_rate": RATE,
                },
            },
        },
    },
}


def openapi_paths() -> dict[str, Any]:
    """This blueprint's path items of /openapi.json (ledger.api.openapi)."""
    from ledger.api.exports import DAY_OR_TIME

    def bound(name: str, what: str) -> dict[str, Any]:
        return {
            "name": name,
            "in": "query",
            "required": False,
            "description": what,
            "schema": DAY_OR_TIME,
        }

    return {
        "/v1/analytics": {
            "get": {
                **API_KEY,
                "summary": "A tenant's signing analytics over a period, as JSON or CSV "
                "(read: own tenant; audit, admin: ?tenant=)",
                "description": (
                    "Completion, decline and expiry rates; median and 90th percentile time "
                    "from sent to completed and to first view; the funnel sent → viewed → "
                    "signed → completed; events per UTC day; by platform. docs/api.md says "
                    "what each counts."
                ),
                "parameters": [
                    bound("from", "first day (default: 30 days before to)"),
                    bound("to", "last day, inclusive (default: today, UTC)"),
                    {
                        "name": "tenant",
                        "in": "query",
                        "required": False,
                        "description": "required with an audit or admin key",
                        "schema": {"type": "string"},
                    },
                    {
                        "name": "format",
                        "in": "query",
                        "required": False,
                        "schema": {"enum": ["json", "csv"]},
                        "description": "csv: rows metric,dimension,value (also Accept: text/csv)",
                    },
                ],
                "responses": {
                    "200": {
                        "description": "the figures",
                        "content": {
                            "application/json": {"schema": REPORT},
                            "text/csv": {"schema": {"type": "string"}},
                        },
                    },
                    "400": ERROR,
                    "404": ERROR,
                    **AUTH_ERRORS,
                },
            }
        },
    }
