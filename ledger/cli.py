"""The ``ledger`` command: operations on the service, calling the same code as the API."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup, FlaskGroup
from sqlalchemy import Connection, select
from sqlalchemy.exc import SQLAlchemyError

from config.settings import Settings
from ledger import access, benchmark, clock, datadir, deliveries, evidence, hooks
from ledger.adapters import PLATFORMS
from ledger.analytics_commands import analytics_command
from ledger.anchoring.setup import devtsa_for, spawn_devtsa, trust_roots
from ledger.app import create_app
from ledger.console import search, users
from ledger.errors import LedgerError
from ledger.export_commands import evidence_export, exports_group
from ledger.fsck import Fsck
from ledger.importer import Importer
from ledger.outbound.commands import deliveries as outbound_deliveries
from ledger.outbound.commands import subscription
from ledger.privacy import commands as privacy_commands
from ledger.privacy.at_rest import seal_existing
from ledger.privacy.registry_keys import seal_existing_certificates
from ledger.pseudonyms import KEY_FILE, ensure_key
from ledger.service import Ledger
from ledger.storage.console import FsckRun
from ledger.storage.migrate import upgrade
from ledger.storage.models import Tenant
from verifier.audit import audit_file

QUICKSTART_ADMIN = "admin@localhost"


def _service() -> Ledger:
    service: Ledger = current_app.extensions["ledger"]
    return service


class LedgerGroup(FlaskGroup):
    """Service errors become one-line CLI errors (exit 1) instead of tracebacks."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except LedgerError as e:
            raise click.ClickException(e.message) from e


@click.group(
    cls=LedgerGroup, create_app=create_app, add_default_commands=False, add_version_option=False
)
def cli() -> None:
    """Evidence Ledger: operate the log. Settings come from LEDGER_* variables."""


# Flask's own options (--app, --env-file, --debug) mean nothing here: the app is ours.
cli.params = [p for p in cli.params if p.name not in ("app", "env_file", "debug")]
cli.add_command(subscription)
cli.add_command(outbound_deliveries)
cli.add_command(evidence_export)
cli.add_command(exports_group)
cli.add_command(analytics_command)
cli.add_command(privacy_commands.erase_command)
cli.add_command(privacy_commands.hold)
cli.add_command(privacy_commands.retention_group)
cli.add_command(privacy_commands.subject_export)


@cli.command()
def init() -> None:
    """Create or upgrade the database, the log and its first key (idempotent)."""
    service = _service()
    datadir.private_umask()
    _secure(service.settings)
    upgrade(service.db.writer)
    with service.db.writing() as conn:
        created = service.create_log(conn)
    with service.db.writing() as conn:
        service.ensure_lease(conn)
    if ensure_key(service.settings.keys_dir):
        click.echo(f"pseudonym key created: {service.settings.keys_dir / KEY_FILE} (back it up)")
    sealed = seal_existing(service.db, service.data_keys, service.event_subject)
    if sealed:
        click.echo(f"{sealed} event bodies written in clear before were sealed (docs/privacy.md)")
    editions = seal_existing_certificates(service)
    if editions:
        click.echo(f"{editions} stored certificates sealed (docs/privacy.md)")
    state = "created" if created else "exists"
    database = service.db.writer.url.render_as_string()
    click.echo(f"log {service.settings.log_origin} {state}; database {database}")
    with service.db.reading() as conn:
        click.echo(f"verifier key: {service.keys.listing(conn)[0].vkey}")
    settings = service.settings
    if settings.issuer.cert is None:
        from ledger.devpki import ensure_dev_issuer

        made = ensure_dev_issuer(settings.issuer_dir)
        click.echo(
            f"development issuer of certificates {'created' if made else 'exists'} "
            f"(NOT FOR EVIDENCE; set LEDGER_ISSUER_CERT): {settings.issuer_dir / 'issuer.pem'}; "
            f"its CA for ledger-verify pdf --issuer-root: {settings.issuer_dir / 'ca.pem'}"
        )
    _secure(service.settings)  # what was made before the umask (the SQLite file on import)


def _secure(settings: Settings, err: bool = False) -> None:
    """The data directory private (``ledger.datadir``); each change said on one line."""
    for change in datadir.secure(settings):
        click.echo(f"permissions {change}", err=err)


@cli.command()
@click.option("--tenant", "name", default="demo", show_default=True)
def quickstart(name: str) -> None:
    """First run only: a demo tenant with an ingest key, an admin key (printed once), and
    the console's first admin user (printed once)."""
    service = _service()
    bind = service.settings.bind
    console = _console_admin(service, bind)
    with service.db.writing() as conn:
        if conn.execute(select(Tenant.id)).first():
            click.echo(
                "tenants exist: keys were printed at the first run; make more with "
                "`ledger key create --tenant T --role R`"
            )
            click.echo(console)
            return
        access.create_tenant(conn, name)
        ingest = access.create_key(conn, "ingest", name)
        read = access.create_key(conn, "read", name)
        admin = access.create_key(conn, "admin", None)
    click.echo(f"""
Keys for this ledger, shown once (store them now):
  admin key:            {admin}
  tenant {name!r} ingest key: {ingest}
  tenant {name!r} read key:   {read}

Try it:
  curl -s -X POST http://{bind}/v1/events \\
    -H 'Authorization: Bearer {ingest}' -H 'Content-Type: application/json' \\
    -d '{{"event_id": "evt-1", "type": "envelope.sent", "envelope_id": "env-1",
         "occurred_at": "2026-11-22T17:03:04+08:00"}}'
  curl -s http://{bind}/v1/log/key
  curl -s -H 'Authorization: Bearer {read}' -o certificate.pdf \\
    http://{bind}/v1/envelopes/env-1/certificate.pdf
Its QR code opens the verification page, {service.settings.verify_url}/<certificate id>.
""")
    click.echo(console)


def _console_admin(service: Ledger, bind: str) -> str:
    """What to print about the console: its URL, and its first admin user when there is
    none (created now; the password is shown this once)."""
    url = f"http://{bind}/console/"
    with service.db.writing() as conn:
        if users.has_admin(conn):
            return f"Console: {url} (sign in as one of `ledger user list`)"
        password = users.new_password()
        email = QUICKSTART_ADMIN
        if any(u.email == email for u in users.list_users(conn)):
            email = f"admin-{secrets.token_hex(3)}@localhost"
        users.create_user(conn, email, "admin", None, password)
    return f"""Console: {url}
  sign in as {email} with password {password}
  (shown once; make more users with `ledger user create`)
"""


@cli.group()
def tenant() -> None:
    """Tenants."""


@tenant.command("create")
@click.argument("name")
def tenant_create(name: str) -> None:
    """Create tenant NAME."""
    with _service().db.writing() as conn:
        access.create_tenant(conn, name)
    click.echo(f"tenant {name} created")


tenant.add_command(privacy_commands.rotate_key)


@cli.group()
def key() -> None:
    """API keys."""


@key.command("create")
@click.option("--tenant", default=None, help="required for the ingest and read roles")
@click.option("--role", required=True, type=click.Choice(access.ROLES))
def key_create(tenant: str | None, role: str) -> None:
    """Create an API key; it is printed once, alone on the last line."""
    with _service().db.writing() as conn:
        new_key = access.create_key(conn, role, tenant)
    owner = f"tenant {tenant}" if tenant else "no tenant"
    click.echo(f"{role} key for {owner} (shown once; store it now):")
    click.echo(new_key)


@key.command("list")
@click.option("--tenant", default=None, help="only this tenant's keys")
def key_list(tenant: str | None) -> None:
    """List API keys: prefix (what revoke takes), role, tenant, created, revoked."""
    with _service().db.reading() as conn:
        found = access.list_keys(conn, tenant)
    for k in found:
        revoked = f"revoked {clock.aware(k.revoked_at).isoformat()}" if k.revoked_at else "active"
        click.echo(
            f"{k.prefix}\t{k.role}\t{k.tenant or '-'}\t"
            f"{clock.aware(k.created_at).isoformat()}\t{revoked}"
        )


@key.command("revoke")
@click.argument("key_or_prefix")
def key_revoke(key_or_prefix: str) -> None:
    """Revoke a key, given whole or by its first 12 characters."""
    with _service().db.writing() as conn:
        count = access.revoke_key(conn, key_or_prefix)
    if not count:
        raise click.ClickException("no such active key")
    click.echo(f"revoked {count} key(s)")


@cli.group()
def hook() -> None:
    """Inbound webhooks of the signing platforms: POST /v1/hooks/<platform>/<hook id>."""


@hook.command("create")
@click.option("--tenant", required=True)
@click.option("--platform", required=True, type=click.Choice(PLATFORMS))
@click.option("--secret", default=None, help="the platform's key (generated for documenso)")
@click.option("--client-id", default=None, help="Adobe: the app's client id; e签宝: the app id")
@click.option(
    "--window",
    type=int,
    default=None,
    help="seconds a signed timestamp stays valid (default 300; e签宝, eSignGlobal 86400)",
)
@click.option(
    "--allow-network",
    "networks",
    multiple=True,
    help="take deliveries only from this IPv4 or IPv6 network, CIDR (repeatable)",
)
@click.option(
    "--query",
    default=None,
    help="e签宝, eSignGlobal: the query string of the URL you register (others are refused)",
)
def hook_create(
    tenant: str,
    platform: str,
    secret: str | None,
    client_id: str | None,
    window: int | None,
    networks: tuple[str, ...],
    query: str | None,
) -> None:
    """Create a hook; a generated secret is printed once, the hook id alone on the last line."""
    with _service().db.writing() as conn:
        made = hooks.create_hook(
            conn,
            tenant,
            platform,
            now=clock.now(),
            secret=secret,
            client_id=client_id,
            window=window,
            networks=networks,
            query=query,
        )
    path = f"/v1/hooks/{platform}/{made.id}" + (f"?{query.removeprefix('?')}" if query else "")
    click.echo(f"{platform} hook of tenant {tenant}: POST {path}")
    if networks:
        allowed = " ".join(str(n) for n in hooks.parse_networks(networks))
        click.echo(f"deliveries accepted only from {allowed}")
    if made.generated_secret:
        click.echo(f"secret (shown once; enter it as the webhook's secret in {platform}):")
        click.echo(made.generated_secret)
    elif secret is None and platform not in hooks.SECRETLESS:
        click.echo(
            f"{platform} issues the key: once it shows it, run "
            f"`ledger hook rotate-secret {made.id} --secret KEY --overlap 0`"
        )
    click.echo(made.id)


@hook.command("list")
@click.option("--tenant", default=None, help="only this tenant's hooks")
def hook_list(tenant: str | None) -> None:
    """List hooks: id, tenant, platform, client id, window, live secrets, created, allowed
    networks, registered query string."""
    with _service().db.reading() as conn:
        found = hooks.list_hooks(conn, clock.now(), tenant)
    for h in found:
        query = f"?{h.query}" if h.query else "-"
        click.echo(
            f"{h.id}\t{h.tenant}\t{h.platform}\t{h.client_id or '-'}\t{h.window_seconds}s"
            f"\t{h.live_secrets} live secret(s)\t{h.created_at.isoformat()}"
            f"\t{','.join(h.networks) or 'any network'}\t{query}"
        )


@hook.command("rotate-secret")
@click.argument("hook_id")
@click.option("--secret", default=None, help="the platform's new key (else one is generated)")
@click.option(
    "--overlap",
    type=int,
    default=hooks.DEFAULT_OVERLAP,
    show_default=True,
    help="seconds the current secrets stay valid beside the new one",
)
def hook_rotate_secret(hook_id: str, secret: str | None, overlap: int) -> None:
    """Add a secret to a hook; the current ones stay valid for the overlap."""
    with _service().db.writing() as conn:
        rotation = hooks.rotate_secret(
            conn, hook_id, now=clock.now(), secret=secret, overlap=overlap
        )
    click.echo(f"previous secrets of {hook_id} accepted until {rotation.old_until.isoformat()}")
    if rotation.generated:
        click.echo("new secret (shown once):")
        click.echo(rotation.secret)


@hook.command("delete")
@click.argument("hook_id")
def hook_delete(hook_id: str) -> None:
    """Stop taking deliveries at a hook (its entries stay in the log)."""
    with _service().db.writing() as conn:
        hooks.delete_hook(conn, hook_id, clock.now())
    click.echo(f"hook {hook_id} deleted")


@cli.group()
def delivery() -> None:
    """Request bodies as received (webhook deliveries, API requests): docs/api.md."""


@delivery.command("show")
@click.argument("sha256")
@click.option("--tenant", required=True, help="the tenant whose request it was")
@click.option("--output", "-o", type=click.Path(dir_okay=False), default="-", show_default=True)
def delivery_show(sha256: str, tenant: str, output: str) -> None:
    """Write the body whose SHA-256 a leaf records (source.delivery_sha256), byte for byte."""
    service = _service()
    with service.db.reading() as conn:
        tenant_id = access.tenant_id(conn, tenant)
        stored = deliveries.read_body(conn, service.data_keys, tenant_id, sha256)
    with click.open_file(output, "wb") as out:
        out.write(stored.body)
    click.echo(
        f"{len(stored.body)} bytes, {stored.content_type}, by {stored.channel}, "
        f"received {stored.received_at}",
        err=True,
    )


@cli.group()
def logkey() -> None:
    """The log's signing keys."""


@logkey.command("rotate")
@click.option(
    "--overlap",
    type=int,
    default=None,
    help="seconds both keys sign (default LEDGER_LOGKEY_OVERLAP_SECONDS)",
)
def logkey_rotate(overlap: int | None) -> None:
    """Add a new signing key; the current ones keep signing for the overlap, then retire."""
    service = _service()
    seconds = service.settings.logkey_overlap_seconds if overlap is None else overlap
    with service.db.writing() as conn:
        signer = service.keys.rotate(conn, datetime.now(UTC), timedelta(seconds=seconds))
    click.echo(f"new verifier key (old keys sign for {seconds} s more):")
    click.echo(signer.vkey)


@cli.command()
def fsck() -> None:
    """Recompute chain and tree from the database; compare with every stored checkpoint."""
    service = _service()
    log = service.log
    started = clock.now()
    with service.db.reading() as conn:
        vkeys = [k.vkey for k in service.keys.listing(conn)]
        report = Fsck(conn, log.id, log.origin, log.alg, vkeys).run()
    summary = "clean" if report.clean else "; ".join(str(f) for f in report.findings)
    try:  # the console's Log page shows the last run; fsck's verdict does not depend on it
        with service.db.writing() as conn:
            conn.execute(
                FsckRun.__table__.insert().values(
                    log_id=log.id,
                    started_at=started,
                    finished_at=clock.now(),
                    size=report.size,
                    clean=report.clean,
                    summary=(
                        f"{report.nodes} tree nodes, {report.checkpoints} checkpoints: {summary}"
                    )[:4000],
                )
            )
    except (SQLAlchemyError, LedgerError) as e:
        click.echo(
            f"(this run could not be recorded for the console: {type(e).__name__})", err=True
        )
    click.echo(
        f"{report.size} entries, {report.nodes} tree nodes, {report.checkpoints} checkpoints"
    )
    if report.clean:
        click.echo("clean")
        return
    for finding in report.findings:
        click.echo(f"BAD {finding}")
    first = report.first_bad_seq
    raise click.ClickException(f"first bad seq: {first}" if first is not None else "damaged")


@cli.command()
def anchor() -> None:
    """Anchor the newest checkpoint now with the configured TSAs (RFC 3161)."""
    service = _service()
    with devtsa_for(service.settings) as settings:
        service = Ledger(settings)
        try:
            run = service.anchorer.run(force=True)
        finally:
            service.close()
    for record in run.records:
        state = "anchored" if run.requested else "already anchored"
        click.echo(f"{state}: size {record.size} by {record.tsa} at {record.gen_time.isoformat()}")


class _CertificateGroup(AppGroup):
    """``ledger certificate ENVELOPE`` still issues: a first argument that is not one of
    the subcommands (``issue``, ``list``, ``show``) is the envelope of ``issue``."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h"):
            args = ["issue", *args]
        return super().parse_args(ctx, args)


@cli.group("certificate", cls=_CertificateGroup)
def certificate_group() -> None:
    """Certificates of evidence: issue one (ENVELOPE), list and show the registry."""


def _tenant_of(conn: Connection, tenant: str | None) -> tuple[int, str]:
    if tenant is None:
        names = list(conn.execute(select(Tenant.name)).scalars())
        if len(names) != 1:
            raise click.ClickException("name the envelope's tenant: --tenant NAME")
        tenant = names[0]
    return access.tenant_id(conn, tenant), tenant


@certificate_group.command("issue")
@click.argument("envelope")
@click.option("--tenant", default=None, help="the envelope's tenant (needed if there are several)")
@click.option("--lang", type=click.Choice(["en", "zh"]), default="en", show_default=True)
@click.option("--tz", default=None, help="the reader's IANA time zone, e.g. Asia/Shanghai")
@click.option(
    "--output", "-o", type=click.Path(dir_okay=False), default=None, help="default: ./<id>.pdf"
)
def certificate_command(
    envelope: str, tenant: str | None, lang: str, tz: str | None, output: str | None
) -> None:
    """Issue the signed certificate of evidence (PDF) of ENVELOPE (docs/certificate.md);
    for unchanged evidence, the registry's stored PDF of that edition."""
    from ledger import certificates  # reportlab, pyHanko: slow imports

    zone = certificates.parse_tz(tz)
    language = certificates.parse_lang(lang)
    with devtsa_for(_service().settings) as settings:
        service = Ledger(settings)
        try:
            with service.db.reading() as conn:
                owner = _tenant_of(conn, tenant)
            done = certificates.certificate(service, owner, envelope, lang=language, tz=zone)
        finally:
            service.close()
    path = Path(output or f"certificate-{done.certificate_id}-{lang}.pdf")
    path.write_bytes(done.pdf)
    click.echo(f"{path}: certificate {done.certificate_id}, PAdES {done.level}")
    if done.level_reason:
        click.echo(f"not B-LTA: {done.level_reason}")
    issued = done.issued
    if issued is None:
        click.echo("the registry's stored PDF of this edition (the evidence is unchanged)")
        return
    if done.supersedes:
        click.echo(f"supersedes {done.supersedes}")
    click.echo(
        f"render {issued.render_seconds * 1000:.0f} ms, sign {issued.sign_seconds * 1000:.0f} ms"
        f", TSA {issued.tsa_seconds * 1000:.0f} ms ({issued.tsa_requests} requests)"
    )


@certificate_group.command("list")
@click.option("--tenant", default=None, help="only this tenant's certificates")
@click.option("--envelope", default=None, help="only this envelope's certificates")
@click.option("--json", "as_json", is_flag=True, help="JSON Lines, one edition a line")
def certificate_list(tenant: str | None, envelope: str | None, as_json: bool) -> None:
    """The registry of issued certificates: one line per edition, oldest first."""
    from ledger.certificates import registry

    service = _service()
    with service.db.reading() as conn:
        tenant_id = access.tenant_id(conn, tenant) if tenant is not None else None
        found = registry.listing(conn, tenant_id, envelope)
    for ed in found:
        if as_json:
            click.echo(json.dumps(ed.to_json(), ensure_ascii=False))
            continue
        state = "current" if ed.current else f"superseded by {ed.superseded_by}"
        click.echo(
            f"{ed.certificate_id}  {ed.lang}  {ed.tz or 'UTC'}  {ed.tenant}  {ed.envelope_id}  "
            f"size {ed.checkpoint_size}  {ed.pades_level}  "
            f"{ed.issued_at.isoformat(timespec='seconds')}  {state}"
        )


@certificate_group.command("show")
@click.argument("certificate_id")
def certificate_show(certificate_id: str) -> None:
    """What the registry holds of CERTIFICATE_ID, every edition (JSON)."""
    from ledger.certificates import registry

    service = _service()
    with service.db.reading() as conn:
        found = registry.show(conn, certificate_id.strip().upper())
    first = found[0]
    shown = {
        key: value
        for key, value in first.to_json().items()
        if key not in ("lang", "tz", "pdf_sha256", "pades_level", "level_note", "issued_at")
    }
    shown["editions"] = [
        {
            "lang": ed.lang,
            "tz": ed.tz or None,
            "pdf_sha256": ed.pdf_sha256,
            "pades_level": ed.pades_level,
            "level_note": ed.level_note,
            "issued_at": ed.to_json()["issued_at"],
        }
        for ed in found
    ]
    shown["superseded_by"] = first.superseded_by
    click.echo(json.dumps(shown, indent=2, ensure_ascii=False))


@cli.command("export")
@click.option(
    "--from", "start", type=int, default=0, show_default=True, help="first seq (to resume)"
)
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True), default="-")
def export_command(start: int, output: str) -> None:
    """Write the log as JSON Lines (log-export/1): leaves, checkpoints, anchors."""
    service = _service()
    log = service.log
    with service.db.reading() as conn, click.open_file(output, "w", encoding="utf-8") as out:
        vkeys = [k.vkey for k in service.keys.listing(conn)]
        records = evidence.export(
            conn, log.id, log.origin, log.alg, vkeys, start, service.settings.tsa_dev
        )
        for record in records:
            out.write(json.dumps(record, separators=(",", ":"), ensure_ascii=False) + "\n")


@cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--verify/--no-verify", default=True, show_default=True, help="audit the file first")
@click.option(
    "--log-key",
    multiple=True,
    help="a verifier key of the log you trust, from a source other than the export (repeatable)",
)
@click.option(
    "--trust-export-keys",
    is_flag=True,
    help="trust the verifier keys the export itself names (only for an export you made)",
)
@click.option("--tsa-root", multiple=True, type=click.Path(exists=True), help="TSA trust root PEM")
def import_command(
    file: str,
    verify: bool,
    log_key: tuple[str, ...],
    trust_export_keys: bool,
    tsa_root: tuple[str, ...],
) -> None:
    """Load a log export into an empty database (mirror or restore), auditing it first
    against the verifier keys given with --log-key."""
    if verify and not log_key and not trust_export_keys:
        # An export names its own keys: whoever forged it signed it with them.
        raise click.UsageError(
            "name the log's verifier key: --log-key VKEY (from the operator's publication, "
            "not from the export), or --trust-export-keys to trust the keys the export names"
        )
    if log_key and trust_export_keys:
        raise click.UsageError("--log-key and --trust-export-keys exclude each other")
    service = _service()
    upgrade(service.db.writer)
    if verify:
        with open(file, encoding="utf-8") as f:
            header = json.loads(f.readline())
        roots = [Path(p).read_bytes() for p in tsa_root] or _configured_roots(service)
        report = audit_file(file, list(log_key) or header.get("vkeys", []), roots)
        if not report.valid:
            raise click.ClickException(f"refused: {report.bottom_line}")
        click.echo(report.bottom_line)
    with service.db.writing() as conn:
        size = Importer(conn, Path(file)).run()
    with service.db.writing() as conn:
        service.ensure_lease(conn)
    click.echo(f"imported {size} entries (event bodies are not part of an export)")


def _configured_roots(service: Ledger) -> list[bytes]:
    try:
        return trust_roots(service.settings)
    except LedgerError:
        return []


@cli.command("bench")
@click.option("--events", default=10_000, show_default=True)
@click.option("--batch", default=1, show_default=True, help="events per append")
@click.option("--database-url", default=None, help="a scratch database (default: temporary SQLite)")
def bench_command(events: int, batch: int, database_url: str | None) -> None:
    """Append to a scratch log (never the configured one) and report events/s."""
    result = benchmark.run(_service().settings, events, batch, database_url)
    click.echo(
        f"{result.events} events in batches of {result.batch}: {result.per_second:,.0f} events/s "
        f"({result.seconds:.2f} s); inclusion proof from the database: {result.proof_ms:.2f} ms"
    )


@cli.command()
@click.option("--bind", default=None, help="HOST:PORT (default LEDGER_BIND)")
@click.option("--workers", type=int, default=None, help="gunicorn workers (default LEDGER_WORKERS)")
@click.option(
    "--threads", type=int, default=None, help="threads per worker (default LEDGER_THREADS)"
)
@click.option(
    "--worker-class",
    default="ledger.serving.BufferedThreads",
    hidden=True,  # for make bench: the worker of before issue 14, to measure against
)
def serve(bind: str | None, workers: int | None, threads: int | None, worker_class: str) -> None:
    """Serve the API with gunicorn in the foreground; SIGTERM stops it cleanly."""
    settings = _service().settings
    # What the service creates is private (inherited by gunicorn and its workers), and
    # what an earlier run or another tool left wider is made private now.
    datadir.private_umask()
    _secure(settings, err=True)
    # One metrics directory per server (this pid becomes gunicorn's master): a second
    # server on the same data directory must not wipe the first one's counters.
    metrics_dir = settings.data_dir / "prometheus" / str(os.getpid())
    shutil.rmtree(metrics_dir, ignore_errors=True)
    metrics_dir.mkdir(parents=True)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(metrics_dir)
    os.environ["LEDGER_DATA_DIR"] = str(settings.data_dir)
    if bind:  # the workers' base URL (http://<BIND>) when LEDGER_PUBLIC_URL is not set
        os.environ["LEDGER_BIND"] = bind
    if not settings.tsa_urls:
        _, url = spawn_devtsa(settings)
        click.echo(f"no LEDGER_TSA_URLS: development TSA at {url} (untrusted, not for evidence)")
        os.environ["LEDGER_TSA_URLS"] = url
        os.environ["LEDGER_TSA_TRUST_ROOTS"] = str(settings.devtsa_dir / "root.pem")
        os.environ["LEDGER_TSA_DEV"] = "1"
    args = [
        sys.executable, "-m", "gunicorn",
        "--bind", bind or settings.bind,
        "--workers", str(workers or settings.workers),
        # One thread reads requests whole, threads answer them: slow clients hold no
        # thread, and appends waiting for the log share a commit (ledger/serving.py).
        "--worker-class", worker_class,
        "--threads", str(threads or settings.threads),
        "--graceful-timeout", "10",
        "--no-control-socket",  # gunicorn's default socket is shared by every server of a user
        "--chdir", str(Path(__file__).resolve().parent.parent),
        "wsgi:app",
    ]  # fmt: skip
    os.execv(sys.executable, args)  # noqa: S606  replaces this process: signals reach gunicorn


def main() -> None:
    cli.main(prog_name="ledger")


if __name__ == "__main__":
    main()


@cli.group()
def user() -> None:
    """Console users (docs/console.md): people who sign in at /console/."""


def _password(from_stdin: bool) -> str:
    """The first line of standard input, or a generated password."""
    return sys.stdin.readline().rstrip("\r\n") if from_stdin else users.new_password()


@user.command("create")
@click.option("--email", required=True)
@click.option("--role", required=True, type=click.Choice(users.ROLES))
@click.option("--tenant", default=None, help="required for the read role")
@click.option(
    "--password-stdin",
    is_flag=True,
    help="read the password from standard input (else one is generated and printed once)",
)
def user_create(email: str, role: str, tenant: str | None, password_stdin: bool) -> None:
    """Create a console user."""
    password = _password(password_stdin)
    with _service().db.writing() as conn:
        made = users.create_user(conn, email, role, tenant, password)
    owner = f"tenant {made.tenant}" if made.tenant else "every tenant"
    click.echo(f"{made.role} user {made.email} for {owner} created")
    if not password_stdin:
        click.echo("password (shown once; give it over a safe channel):")
        click.echo(password)


@user.command("list")
def user_list() -> None:
    """List console users: e-mail, role, tenant, created, last sign-in, state."""
    now = clock.now()
    with _service().db.reading() as conn:
        found = users.list_users(conn)
    for u in found:
        if u.disabled_at:
            state = f"disabled {u.disabled_at.isoformat()}"
        elif u.locked_until and u.locked_until > now:
            state = f"locked until {u.locked_until.isoformat()}"
        else:
            state = "active"
        last = u.last_sign_in_at.isoformat() if u.last_sign_in_at else "never"
        click.echo(
            f"{u.email}\t{u.role}\t{u.tenant or '-'}\t{u.created_at.isoformat()}\t{last}\t{state}"
        )


@user.command("disable")
@click.argument("email")
def user_disable(email: str) -> None:
    """Disable a user: they cannot sign in, and their sessions end now."""
    with _service().db.writing() as conn:
        users.disable_user(conn, email)
    click.echo(f"user {email} disabled")


@user.command("enable")
@click.argument("email")
def user_enable(email: str) -> None:
    """Enable a disabled user again (also lifts a lock-out)."""
    with _service().db.writing() as conn:
        users.enable_user(conn, email)
    click.echo(f"user {email} enabled")


@user.command("password")
@click.argument("email")
@click.option("--password-stdin", is_flag=True, help="read it from standard input")
def user_password(email: str, password_stdin: bool) -> None:
    """Set a user's password (generated and printed once unless --password-stdin)."""
    password = _password(password_stdin)
    with _service().db.writing() as conn:
        users.set_password(conn, email, password)
    click.echo(f"password of {email} set; their sessions ended")
    if not password_stdin:
        click.echo(password)


@cli.group("console")
def console_group() -> None:
    """The console's envelope search index."""


@console_group.command("reindex")
def console_reindex() -> None:
    """Rebuild the search index from the log (e.g. after the pseudonym key changed)."""
    service = _service()
    with service.db.writing() as conn:
        search.reset(conn, service.log.id)
    count = search.catch_up(service, seconds=None)
    click.echo(f"indexed {count} entries")
