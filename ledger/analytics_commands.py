"""``ledger analytics`` (registered by ``ledger/cli.py``): a tenant's signing analytics
(``ledger.analytics``) on the command line, as ``GET /v1/analytics`` answers them."""

from __future__ import annotations

import json

import click
from flask import current_app
from flask.cli import with_appcontext

from ledger import access, analytics, periods
from ledger.service import Ledger


@click.command("analytics")
@click.option("--tenant", required=True)
@click.option("--from", "start", default=None, help="YYYY-MM-DD or RFC 3339 (default: 30 days)")
@click.option("--to", "end", default=None, help="YYYY-MM-DD, inclusive (default: today, UTC)")
@click.option("--format", "form", type=click.Choice(["json", "csv"]), default="json")
@with_appcontext
def analytics_command(tenant: str, start: str | None, end: str | None, form: str) -> None:
    """Completion, decline and expiry rates, times, funnel, events per day and by
    platform of TENANT's envelopes sent in the period (docs/api.md, "Analytics")."""
    service: Ledger = current_app.extensions["ledger"]
    with service.db.reading() as conn:
        owner = (access.tenant_id(conn, tenant), tenant)
    period = periods.parse(start, end, default_days=periods.DEFAULT_DAYS)
    report = analytics.compute(service, owner, period)
    if form == "csv":
        click.echo(report.to_csv(), nl=False)
    else:
        click.echo(json.dumps(report.to_json(), ensure_ascii=False, indent=2))
