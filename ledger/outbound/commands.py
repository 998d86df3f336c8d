"""``ledger subscription`` and ``ledger deliveries`` (registered by ``ledger/cli.py``)."""

from __future__ import annotations

import json

import click
from flask import current_app
from flask.cli import AppGroup

from ledger.outbound import outbox, subscriptions
from ledger.service import Ledger


def _service() -> Ledger:
    service: Ledger = current_app.extensions["ledger"]
    return service


def _echo_json(rows: list[dict[str, object]]) -> None:
    for row in rows:
        click.echo(json.dumps(row, ensure_ascii=False))


@click.group(cls=AppGroup)
def subscription() -> None:
    """Outbound webhooks: a tenant's receivers and the events they get."""


@subscription.command("create")
@click.option("--tenant", required=True)
@click.option("--url", required=True, help="the receiver, http(s)://...")
@click.option(
    "--events",
    "events",
    required=True,
    multiple=True,
    help=f"comma-separated, repeatable: {', '.join(outbox.EVENT_TYPES)}",
)
@click.option("--secret", default=None, help="a whsec_<base64> secret (default: generated)")
def subscription_create(tenant: str, url: str, events: tuple[str, ...], secret: str | None) -> None:
    """Create a subscription; prints a generated secret, then the id alone on the last line."""
    service = _service()
    with service.db.writing() as conn:
        made = subscriptions.create_subscription(
            conn,
            tenant,
            url,
            events,
            secret,
            allow_private=service.settings.outbound_allow_private,
        )
    if made.generated:
        click.echo("signing secret (shown once; give it to the receiver):")
        click.echo(made.secret)
    click.echo(f"subscription of tenant {tenant} to {url}:")
    click.echo(made.id)


@subscription.command("list")
@click.option("--tenant", default=None)
@click.option("--deleted", is_flag=True, help="include deleted subscriptions")
def subscription_list(tenant: str | None, deleted: bool) -> None:
    """Subscriptions as JSON lines (secrets are never shown again)."""
    with _service().db.reading() as conn:
        _echo_json(subscriptions.list_subscriptions(conn, tenant, deleted))


@subscription.command("delete")
@click.argument("subscription_id")
def subscription_delete(subscription_id: str) -> None:
    """Delete a subscription; its pending deliveries become dead."""
    with _service().db.writing() as conn:
        dropped = subscriptions.delete_subscription(conn, subscription_id)
    click.echo(f"deleted {subscription_id}; {dropped} pending deliveries moved to dead")


@click.group(cls=AppGroup)
def deliveries() -> None:
    """Outbound webhook deliveries: the queue and the dead-letter list."""


@deliveries.command("list")
@click.option("--dead", is_flag=True, help="only the dead-letter list")
@click.option("--status", type=click.Choice(["pending", "delivered", "dead"]), default=None)
@click.option("--subscription", "subscription_id", default=None)
@click.option("--limit", type=click.IntRange(1, 100_000), default=100, show_default=True)
def deliveries_list(
    dead: bool, status: str | None, subscription_id: str | None, limit: int
) -> None:
    """Deliveries as JSON lines, newest first."""
    with _service().db.reading() as conn:
        rows = subscriptions.list_deliveries(
            conn, "dead" if dead else status, subscription_id, limit
        )
    _echo_json(rows)


@deliveries.command("retry")
@click.argument("delivery_id")
def deliveries_retry(delivery_id: str) -> None:
    """Requeue a dead delivery now, with a fresh count of attempts."""
    with _service().db.writing() as conn:
        subscriptions.retry_delivery(conn, delivery_id)
    click.echo(f"requeued {delivery_id}")
