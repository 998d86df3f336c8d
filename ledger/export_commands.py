"""``ledger evidence-export`` and ``ledger exports list|prune`` (registered by
``ledger/cli.py``): the evidence exports of ``ledger.exports`` from the command line."""

from __future__ import annotations

import os
import shutil
import sys
import time
from datetime import timedelta

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext

from ledger import access, exports, periods
from ledger.anchoring.setup import devtsa_for
from ledger.service import Ledger


def _service() -> Ledger:
    service: Ledger = current_app.extensions["ledger"]
    return service


class _Progress:
    """``done/total`` on stderr: rewritten in place on a terminal, else a line a second."""

    def __init__(self) -> None:
        self.tty = sys.stderr.isatty()
        self.last = 0.0

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if done < total and now - self.last < (0.2 if self.tty else 1.0):
            return
        self.last = now
        end = "" if self.tty and done < total else "\n"
        prefix = "\r" if self.tty else ""
        click.echo(f"{prefix}exported {done}/{total} envelopes", err=True, nl=False)
        click.echo(end, err=True, nl=False)


@click.command("evidence-export")
@click.option("--tenant", required=True, help="the envelopes' tenant")
@click.option("--envelope", "envelopes", multiple=True, help="an envelope id (repeatable)")
@click.option("--from", "start", default=None, help="YYYY-MM-DD or RFC 3339: first events from")
@click.option("--to", "end", default=None, help="YYYY-MM-DD (the whole day) or RFC 3339")
@click.option(
    "--out", "out", required=True, type=click.Path(dir_okay=False), help="the ZIP to write"
)
@click.option(
    "--processes",
    type=int,
    default=None,
    help="rendering processes (default: a pool sized by the cores)",
)
@with_appcontext
def evidence_export(
    tenant: str,
    envelopes: tuple[str, ...],
    start: str | None,
    end: str | None,
    out: str,
    processes: int | None,
) -> None:
    """Export certificates (en, zh), evidence bundles and a manifest of many envelopes
    as one ZIP: --envelope ID ... or --from D --to D (envelopes whose first event is in
    the range). The export is also kept under <data dir>/exports/ (ledger exports list)."""
    if bool(envelopes) == (start is not None or end is not None):
        raise click.UsageError("give --envelope ID ..., or --from and --to")
    if not envelopes and (start is None or end is None):
        raise click.UsageError("--from and --to go together")
    with devtsa_for(_service().settings) as settings:
        service = Ledger(settings)
        try:
            with service.db.reading() as conn:
                owner = (access.tenant_id(conn, tenant), tenant)
            if envelopes:
                info = exports.create(
                    service, owner, envelopes=list(envelopes), created_by="ledger evidence-export"
                )
            else:
                period = periods.parse(start, end)
                info = exports.create(
                    service, owner, period=period, created_by="ledger evidence-export"
                )
            click.echo(f"export {info.id}: {info.total} envelopes of {tenant}", err=True)
            began = time.monotonic()
            info = exports.run(service, info.id, progress=_Progress(), processes=processes)
            took = time.monotonic() - began
            if info.status != "done":
                raise click.ClickException(f"export {info.id} failed: {info.error}")
            source = exports.zip_path(service.settings, info.id)
        finally:
            service.close()
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as target, source.open("rb") as zipped:
        shutil.copyfileobj(zipped, target)
    click.echo(
        f"{out}: {info.total} envelopes, {info.size:,} bytes, sha256 {info.sha256}, in {took:.1f} s"
    )


@click.group("exports", cls=AppGroup)
def exports_group() -> None:
    """Evidence exports kept under <data dir>/exports/."""


@exports_group.command("list")
@click.option("--tenant", default=None, help="only this tenant's")
def exports_list(tenant: str | None) -> None:
    """The newest exports: id, tenant, status, progress, size, created."""
    service = _service()
    tenant_id = None
    if tenant is not None:
        with service.db.reading() as conn:
            tenant_id = access.tenant_id(conn, tenant)
    for info in exports.listing(service, tenant_id):
        size = f"{info.size:,} bytes" if info.size is not None else "-"
        click.echo(
            f"{info.id}  {info.tenant}  {info.status}  {info.done}/{info.total}  {size}  "
            f"{info.created_at:%Y-%m-%d %H:%M}Z  {info.created_by}"
        )


@exports_group.command("prune")
@click.option(
    "--older-than", "days", type=float, default=7.0, show_default=True, help="days since finished"
)
def exports_prune(days: float) -> None:
    """Remove finished and failed exports (row and ZIP) older than --older-than days."""
    removed = exports.prune(_service(), timedelta(days=days))
    click.echo(f"removed {len(removed)} exports")
