"""The console's pages (docs/console.md): sign-in, envelopes, an envelope, the log, users.

Server-rendered (Jinja), with the package's own CSS and a little JavaScript; no asset
comes from elsewhere. Every page but sign-in needs a session (``ledger.console.sessions``);
every form carries the CSRF token. A user is an ``access.Principal``: the rules on what
a role may see are the API's (``Principal.sees_bodies_of``).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import wraps
from typing import Any, TypeVar
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from sqlalchemy import select
from werkzeug.exceptions import HTTPException

from ledger import access, clock, evidence
from ledger.access import Principal
from ledger.anchoring.anchor import list_anchors
from ledger.console import search, sessions, users
from ledger.errors import LedgerError, NotFound
from ledger.service import Ledger
from ledger.storage.console import FsckRun
from ledger.storage.models import Anchor, AnchorAttempt, Checkpoint, Entry, Log
from reports.texts import zones
from verifier.plausibility import parse_time

bp = Blueprint(
    "console",
    __name__,
    url_prefix="/console",
    template_folder="templates",
    static_folder="static",
    static_url_path="/static",
)
SESSION_COOKIE = "ledger_session"
CSRF_COOKIE = "ledger_signin_csrf"  # the sign-in form's double-submit token (no session yet)
F = TypeVar("F", bound=Callable[..., Any])
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)


def service() -> Ledger:
    found: Ledger = current_app.extensions["ledger"]
    return found


def _secure() -> bool:
    """Whether cookies get ``Secure``: the request came over TLS (to us, or to a proxy
    we are told to trust: ``LEDGER_CONSOLE_TRUST_PROXY``)."""
    if request.is_secure:
        return True
    trusted = service().settings.console_trust_proxy
    return trusted and request.headers.get("X-Forwarded-Proto", "").lower() == "https"


def safe_next(target: str | None) -> str:
    """``next=`` only to a path of this site: no scheme, no host, no ``//`` or ``\\``."""
    default = url_for("console.envelopes")
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return default
    if any(c in target for c in "\\\r\n\t") or any(ord(c) < 0x20 for c in target):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return default
    return target


def signed_in(*roles: str) -> Callable[[F], F]:
    """The view needs a session (else sign-in, coming back here) and one of ``roles``
    (else 404 for pages a role must not know of, as for another tenant's envelope)."""

    def wrap(view: F) -> F:
        @wraps(view)
        def inner(*args: Any, **kwargs: Any) -> Any:
            with service().db.reading() as conn:
                session = sessions.lookup(conn, request.cookies.get(SESSION_COOKIE))
            if session is None:
                if request.method != "GET":
                    abort(403, "your session has ended: sign in again")
                here = request.full_path if request.query_string else request.path
                return redirect(url_for("console.sign_in", next=here))
            if roles and session.user.role not in roles:
                abort(404)
            g.session, g.who = session, session.user.principal()
            if request.method == "POST" and not sessions.same(
                session.csrf, request.form.get("csrf")
            ):
                abort(400, "the form's security token is missing or wrong: reload the page")
            return view(*args, **kwargs)

        return inner  # type: ignore[return-value]

    return wrap


@bp.after_request
def _headers(response: Response) -> Response:
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "same-origin"
    if request.endpoint != "console.static":
        response.headers["Cache-Control"] = "no-store"
    return response


@bp.app_template_global()
def moment(stamp: str | datetime | None) -> dict[str, str] | None:
    """A time as the pages show it: UTC, and the user's zone when that is not UTC."""
    if stamp is None:
        return None
    at = parse_time(stamp) if isinstance(stamp, str) else clock.aware(stamp)
    tz = g.session.tz if "session" in g else "UTC"
    local = at.astimezone(ZoneInfo(tz))
    return {
        "iso": at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "utc": at.strftime("%Y-%m-%d %H:%M:%S UTC"),
        "local": "" if tz == "UTC" else f"{local.strftime('%Y-%m-%d %H:%M:%S')} {tz}",
    }


@bp.app_template_global()
def csrf() -> str:
    return g.session.csrf if "session" in g else ""


def page(template: str, code: int = 200, **context: Any) -> tuple[str, int]:
    who: Principal | None = g.get("who")
    return render_template(
        f"console/{template}", who=who, user=g.get("session") and g.session.user, **context
    ), code


@bp.errorhandler(LedgerError)
def _ledger_error(e: LedgerError) -> tuple[str, int]:
    status = 404 if e.status == 403 else e.status
    return page("error.html", status, message=e.message, status=status)


@bp.errorhandler(HTTPException)
def _http_error(e: HTTPException) -> tuple[str, int]:
    status = e.code or 500
    message = e.description if status != 404 else "There is nothing here, or not for you."
    return page("error.html", status, message=message, status=status)


# --- sign-in ---------------------------------------------------------------------------


@bp.get("/")
def home() -> Response:
    return redirect(url_for("console.envelopes"))


@bp.get("/sign-in")
def sign_in() -> Response | tuple[str, int]:
    return _sign_in_form(200)


def _sign_in_form(status: int, message: str = "", email: str = "") -> Response:
    token = request.cookies.get(CSRF_COOKIE)
    if not token or len(token) != 43:
        import secrets

        token = secrets.token_urlsafe(32)
    body, code = page(
        "sign_in.html",
        status,
        signin_csrf=token,
        next=safe_next(request.values.get("next")),
        message=message,
        email=email,
    )
    response = Response(body, code, mimetype="text/html")
    response.set_cookie(
        CSRF_COOKIE, token, httponly=True, samesite="Lax", secure=_secure(), path="/console/"
    )
    return response


@bp.post("/sign-in")
def sign_in_post() -> Response:
    if not sessions.same(request.cookies.get(CSRF_COOKIE), request.form.get("csrf")):
        return _sign_in_form(400, "The form's security token is missing or wrong: try again.")
    email, password = request.form.get("email", ""), request.form.get("password", "")
    tz = request.form.get("tz", "UTC")
    tz = tz if tz in zones() else "UTC"
    db = service().db
    with db.writing() as conn:
        user = users.sign_in(conn, email, password)
        token = sessions.create(conn, user, tz) if user is not None else None
    if token is None:
        current_app.logger.info("console sign-in refused")  # never the password
        return _sign_in_form(401, users.REFUSED, email=email.strip()[:320])
    with db.writing() as conn:
        sessions.end(conn, request.cookies.get(SESSION_COOKIE))  # whatever it brought
    response = redirect(safe_next(request.form.get("next")), 303)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=int(sessions.LIFETIME.total_seconds()),
        httponly=True,
        samesite="Lax",
        secure=_secure(),
        path="/",
    )
    response.delete_cookie(CSRF_COOKIE, path="/console/")
    return response


@bp.post("/sign-out")
@signed_in()
def sign_out() -> Response:
    with service().db.writing() as conn:
        sessions.end(conn, request.cookies.get(SESSION_COOKIE))
    response = redirect(url_for("console.sign_in"), 303)
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="Lax")
    return response


# --- envelopes -------------------------------------------------------------------------


def _query() -> search.Query:
    args = request.args
    raw_page = args.get("page", "1")
    return search.Query(
        envelope=args.get("envelope", "")[:200],
        signer=args.get("signer", "")[:400],
        sha256=args.get("sha256", ""),
        status=args.get("status", ""),
        platform=args.get("platform", "")[:32],
        tenant=args.get("tenant", "")[:64],
        date_from=args.get("from", ""),
        date_to=args.get("to", ""),
        page=int(raw_page)
        if raw_page.isascii() and raw_page.isdigit() and len(raw_page) < 7
        else 1,
    )


@bp.get("/envelopes")
@signed_in()
def envelopes() -> tuple[str, int]:
    s = service()
    log_id = s.log.id
    search.catch_up(s)
    q = _query()
    error = ""
    with s.db.reading() as conn:
        try:
            found = search.search(conn, g.who, q, s.pseudonyms)
        except LedgerError as e:
            found, error = search.Page([], 0, 1, 1), e.message
        size = conn.execute(select(Log.size).where(Log.id == log_id)).scalar_one()
        lag = search.behind(conn, log_id, size)
        platforms = search.platforms(conn)
        tenants = access.tenant_names(conn)
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return page(
        "envelopes.html",
        400 if error else 200,
        q=q,
        found=found,
        error=error,
        lag=lag,
        statuses=search.STATUSES,
        platforms=platforms,
        tenants=tenants if g.who.role != "read" else [],
        args=args,
    )


def _tenant(conn: Any, name: str) -> tuple[int, str]:
    """The tenant of an envelope page: a read user's own only (another's is 404)."""
    who: Principal = g.who
    if who.role == "read":
        if who.tenant != name:
            raise NotFound("no such envelope")
        return who.own_tenant()
    return access.tenant_id(conn, name), name


def _sources(conn: Any, log_id: int, tenant_id: int, envelope_id: str) -> dict[int, Any]:
    rows = conn.execute(
        select(Entry.seq, Entry.leaf).where(
            Entry.log_id == log_id, Entry.tenant_id == tenant_id, Entry.envelope_id == envelope_id
        )
    )
    return {row.seq: json.loads(row.leaf)["source"] for row in rows}


def _proof(conn: Any, log_id: int, newest_seq: int) -> dict[str, Any]:
    """Pending, or anchored: the first anchored checkpoint that covers the envelope."""
    size = conn.execute(
        select(Anchor.size)
        .where(Anchor.log_id == log_id, Anchor.size > newest_seq)
        .order_by(Anchor.size)
        .limit(1)
    ).scalar()
    if size is None:
        return {"status": "pending", "anchors": []}
    anchors = list_anchors(conn, log_id, size)
    return {"status": "anchored", "size": size, "anchors": anchors}


@bp.get("/envelopes/<tenant>/<path:envelope_id>")
@signed_in()
def envelope(tenant: str, envelope_id: str) -> tuple[str, int]:
    s = service()
    with s.db.reading() as conn:
        tenant_id, name = _tenant(conn, tenant)
        events = evidence.timeline(
            conn,
            s.data_keys,
            s.log.id,
            tenant_id,
            envelope_id,
            timedelta(seconds=s.settings.clock_skew),
        )
        sources = _sources(conn, s.log.id, tenant_id, envelope_id)
        proof = _proof(conn, s.log.id, events[-1]["seq"])
    bodies = g.who.sees_bodies_of(tenant_id)
    if not bodies:  # audit: the leaves' clear fields only
        events = [{k: v for k, v in e.items() if k not in ("actor", "documents")} for e in events]
    for e in events:
        e["source"] = sources[e["seq"]]
    return page(
        "envelope.html",
        tenant=name,
        envelope_id=envelope_id,
        events=events,
        proof=proof,
        bodies=bodies,
        development_tsa=s.settings.tsa_dev,
    )


@bp.get("/envelopes/<tenant>/<path:envelope_id>/certificate-<lang>.pdf")
@signed_in("read", "admin")
def certificate(tenant: str, envelope_id: str, lang: str) -> Response:
    from ledger import certificates  # reportlab, pyHanko: imported when first needed
    from reports.certificate import RenderTimeout

    s = service()
    with s.db.reading() as conn:
        owner = _tenant(conn, tenant)
    try:
        issued = certificates.certificate(
            s,
            owner,
            envelope_id,
            lang=certificates.parse_lang(lang),
            tz=certificates.parse_tz(g.session.tz),
        )
    except RenderTimeout:
        abort(503, "The certificate took too long to render: try again in a minute.")
    response = Response(issued.pdf, mimetype="application/pdf")
    name = f"certificate-{issued.certificate_id}-{lang}.pdf"
    response.headers["Content-Disposition"] = f"attachment; filename={name}"
    response.headers["X-Certificate-Id"] = issued.certificate_id
    return response


@bp.get("/envelopes/<tenant>/<path:envelope_id>/evidence-bundle.json")
@signed_in("read", "admin")
def bundle(tenant: str, envelope_id: str) -> Response:
    s = service()
    with s.db.reading() as conn:
        owner = _tenant(conn, tenant)
        body = s.bundle(conn, owner, envelope_id)
    response = jsonify(body)
    response.headers["Content-Disposition"] = "attachment; filename=evidence-bundle.json"
    return response


# --- the log ---------------------------------------------------------------------------


@bp.get("/log")
@signed_in()
def log() -> tuple[str, int]:
    s = service()
    log_id = s.log.id
    now = clock.now()
    with s.db.reading() as conn:
        head = conn.execute(select(Log.size).where(Log.id == log_id)).scalar_one()
        checkpoints = conn.execute(
            select(Checkpoint.size, Checkpoint.root, Checkpoint.created_at)
            .where(Checkpoint.log_id == log_id)
            .order_by(Checkpoint.size.desc())
            .limit(10)
        ).all()
        anchors = conn.execute(
            select(Anchor.size, Anchor.tsa, Anchor.gen_time)
            .where(Anchor.log_id == log_id)
            .order_by(Anchor.size.desc(), Anchor.id.desc())
            .limit(10)
        ).all()
        attempts = (
            conn.execute(
                select(AnchorAttempt)
                .where(AnchorAttempt.log_id == log_id)
                .order_by(AnchorAttempt.id.desc())
                .limit(10)
            )
        ).all()
        keys = s.keys.listing(conn)
        fsck = conn.execute(
            select(FsckRun).where(FsckRun.log_id == log_id).order_by(FsckRun.id.desc()).limit(1)
        ).first()
    return page(
        "log.html",
        origin=s.log.origin,
        size=head,
        checkpoints=checkpoints,
        anchors=anchors,
        attempts=attempts,
        keys=[(k, k.status(now)) for k in keys],
        fsck=fsck,
        tsa_urls=s.settings.tsa_urls,
        development_tsa=s.settings.tsa_dev,
    )


# --- users (admin) ---------------------------------------------------------------------


@bp.get("/users")
@signed_in("admin")
def users_page(
    created: tuple[str, str] | None = None, message: str = "", status: int = 200
) -> tuple[str, int]:
    with service().db.reading() as conn:
        listing = users.list_users(conn)
        tenants = access.tenant_names(conn)
    return page(
        "users.html",
        status,
        users=listing,
        tenants=tenants,
        roles=users.ROLES,
        created=created,
        message=message,
        now=clock.now(),
    )


@bp.post("/users")
@signed_in("admin")
def users_create() -> tuple[str, int]:
    form = request.form
    role = form.get("role", "")
    tenant = form.get("tenant") or None
    password = users.new_password()
    try:
        with service().db.writing() as conn:
            user = users.create_user(
                conn,
                form.get("email", ""),
                role,
                tenant if role in users.TENANT_ROLES else None,
                password,
            )
    except LedgerError as e:
        return users_page.__wrapped__(message=e.message, status=400)  # type: ignore[attr-defined]
    return users_page.__wrapped__(created=(user.email, password), status=201)  # type: ignore[attr-defined]


@bp.post("/users/<int:user_id>/<action>")
@signed_in("admin")
def users_change(user_id: int, action: str) -> Response:
    if action not in ("disable", "enable"):
        abort(404)
    with service().db.writing() as conn:
        user = users.user_by_id(conn, user_id)
        if user is None:
            abort(404)
        if action == "disable":
            if user.id == g.session.user.id:
                abort(400, "you cannot disable yourself")
            users.disable_user(conn, user.email)
        else:
            users.enable_user(conn, user.email)
    return redirect(url_for("console.users_page"), 303)


# --- API keys (admin) ------------------------------------------------------------------


@bp.get("/keys")
@signed_in("admin")
def keys_page(
    created: tuple[str, str, str] | None = None, message: str = "", code: int = 200
) -> tuple[str, int]:
    with service().db.reading() as conn:
        listing = access.list_keys(conn)
        tenants = access.tenant_names(conn)
    return page(
        "keys.html",
        code,
        keys=listing[::-1],
        tenants=tenants,
        roles=access.ROLES,
        tenant_roles=access.TENANT_ROLES,
        created=created,
        message=message,
    )


@bp.post("/keys")
@signed_in("admin")
def keys_create() -> tuple[str, int]:
    role = request.form.get("role", "")
    tenant = request.form.get("tenant") or None
    try:
        with service().db.writing() as conn:
            key = access.create_key(conn, role, tenant if role in access.TENANT_ROLES else None)
    except LedgerError as e:
        return keys_page.__wrapped__(message=e.message, code=400)  # type: ignore[attr-defined]
    owner = tenant if role in access.TENANT_ROLES and tenant else "no tenant"
    return keys_page.__wrapped__(created=(role, owner, key), code=201)  # type: ignore[attr-defined]


@bp.post("/keys/<prefix>/revoke")
@signed_in("admin")
def keys_revoke(prefix: str) -> Response:
    if len(prefix) != 12:
        abort(404)
    with service().db.writing() as conn:
        if not access.revoke_key(conn, prefix):
            abort(404)
    return redirect(url_for("console.keys_page"), 303)
