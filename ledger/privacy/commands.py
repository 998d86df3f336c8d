"""``ledger erase``, ``ledger hold``, ``ledger retention``, ``ledger subject-export`` and
``ledger tenant rotate-key`` (registered by ``ledger/cli.py``; docs/privacy.md)."""

from __future__ import annotations

import json

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext

from ledger.privacy import holds, retention
from ledger.privacy.erasure import erase
from ledger.privacy.export import export_subject
from ledger.privacy.holds import Target
from ledger.privacy.keys import rotate_tenant_key
from ledger.service import Ledger

CLI_ACTOR = "ledger CLI"


def _service() -> Ledger:
    service: Ledger = current_app.extensions["ledger"]
    return service


def _echo(value: object) -> None:
    click.echo(json.dumps(value, ensure_ascii=False))


@click.command("erase")
@click.option("--tenant", required=True)
@click.option("--subject", default=None, help="the data subject's e-mail address or phone number")
@click.option("--envelope", default=None, help="an envelope id: every body of the envelope")
@click.option("--reason", required=True, help="why (recorded in the log: no personal data)")
@with_appcontext
def erase_command(tenant: str, subject: str | None, envelope: str | None, reason: str) -> None:
    """Erase a subject's or an envelope's personal data; the proofs stay valid."""
    service = _service()
    _echo(erase(service, tenant, Target.of(service, subject, envelope), reason, CLI_ACTOR))


@click.group("hold", cls=AppGroup)
def hold() -> None:
    """Legal holds: held data is neither erased nor expired."""


@hold.command("add")
@click.option("--tenant", required=True)
@click.option("--subject", default=None, help="an e-mail address or phone number")
@click.option("--envelope", default=None)
@click.option("--reason", required=True, help="e.g. the case number (no personal data)")
def hold_add(tenant: str, subject: str | None, envelope: str | None, reason: str) -> None:
    """Place a hold on an envelope or a subject."""
    service = _service()
    _echo(holds.add(service, tenant, Target.of(service, subject, envelope), reason))


@hold.command("release")
@click.argument("hold_id")
@click.option("--tenant", required=True)
@click.option("--reason", required=True)
def hold_release(hold_id: str, tenant: str, reason: str) -> None:
    """Release hold HOLD_ID."""
    _echo(holds.release(_service(), tenant, hold_id, reason))


@hold.command("list")
@click.option("--tenant", required=True)
def hold_list(tenant: str) -> None:
    """The tenant's holds, released ones included."""
    for row in holds.listing(_service(), tenant):
        _echo(row)


@click.group("retention", cls=AppGroup)
def retention_group() -> None:
    """A tenant's retention: minimum and maximum after an envelope's newest entry."""


@retention_group.command("set")
@click.option("--tenant", required=True)
@click.option("--min", "minimum", default=None, help="e.g. 5y or 90d; none: no minimum")
@click.option("--max", "maximum", default=None, help="e.g. 10y; none: kept until erased")
def retention_set(tenant: str, minimum: str | None, maximum: str | None) -> None:
    """Set the tenant's retention."""
    low = retention.parse_period(minimum, "min")
    high = retention.parse_period(maximum, "max")
    _echo(retention.set_policy(_service(), tenant, low, high))


@retention_group.command("show")
@click.option("--tenant", required=True)
def retention_show(tenant: str) -> None:
    _echo(retention.show(_service(), tenant))


@retention_group.command("run")
def retention_run() -> None:
    """Run the retention job now (it also runs in the workers every
    LEDGER_RETENTION_INTERVAL seconds, once across them)."""
    run = retention.run_once(_service(), interval=0)
    if run is None:
        raise click.ClickException("another process is running the retention job")
    _echo({"erased": [e["envelope_id"] for e in run.erased], "held": run.held})


@click.command("subject-export")
@click.option("--tenant", required=True)
@click.option("--subject", required=True, help="the data subject's e-mail address or phone number")
@click.option("--out", "output", type=click.Path(dir_okay=False), default="-", show_default=True)
@with_appcontext
def subject_export(tenant: str, subject: str, output: str) -> None:
    """Every body concerning a subject, decrypted, as JSON (subject-export/1)."""
    document = export_subject(_service(), tenant, subject)
    with click.open_file(output, "w", encoding="utf-8") as out:
        json.dump(document, out, ensure_ascii=False, indent=1)
        out.write("\n")
    click.echo(f"{len(document['events'])} events written", err=True)


@click.command("rotate-key")
@click.option("--tenant", required=True)
@with_appcontext
def rotate_key(tenant: str) -> None:
    """A new version of the tenant's key: every data key rewrapped, older versions destroyed
    (back up keys/tenants afterwards: docs/privacy.md)."""
    version = rotate_tenant_key(_service(), tenant)
    click.echo(f"tenant {tenant}: key version {version}; older versions destroyed")
