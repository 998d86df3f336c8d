"""``POST /v1/hooks/<platform>/<hook id>`` (and Adobe's ``GET``): platforms' webhooks
(EVIDENCE-FORMAT §7, docs/platforms/).

Order of checks: unknown platform or hook (or a hook of another platform) → 404; a
method the platform does not use → 405; authentication by the platform's own scheme,
over the raw body before any parsing → 401; a body that cannot be mapped → 400. Then
the events are appended synchronously (the log answers well inside every platform's
timeout) and the answer is 200 with the receipts, the originals for a redelivery, so
that the platform stops retrying.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request
from werkzeug.exceptions import MethodNotAllowed

from ledger import clock, hooks
from ledger.adapters import ADAPTERS, Adapter, Delivery
from ledger.api.context import ledger
from ledger.appender import Source, Submission
from ledger.errors import InvalidInput, NotFound
from ledger.metrics import APPENDED
from verifier.canonical import canonicalize
from verifier.event import EventError, validate_event

bp = Blueprint("hooks", __name__)


def _adapter(platform: str) -> Adapter:
    adapter = ADAPTERS.get(platform)
    if adapter is None:
        raise NotFound(f"no platform {platform!r}; platforms: {', '.join(ADAPTERS)}")
    if request.method not in adapter.methods:
        raise MethodNotAllowed(valid_methods=sorted(adapter.methods))
    return adapter


def _submission(value: dict[str, Any], source: Source) -> Submission:
    try:
        event = validate_event(value)
    except EventError as e:
        raise InvalidInput(
            f"the delivery maps to an invalid event: {e.message}",
            field=e.field,
            code="malformed_delivery",
        ) from e
    return Submission(event, canonicalize(event), source)


@bp.route("/v1/hooks/<platform>/<hook_id>", methods=["GET", "POST"])
def deliver(platform: str, hook_id: str) -> Response:
    adapter = _adapter(platform)
    now = clock.now()
    service = ledger()
    with service.db.reading() as conn:
        hook = hooks.live_hook(conn, hook_id, now)
    if hook is None or hook.platform != platform:
        raise NotFound(f"no {platform} hook {hook_id!r}")
    delivery = Delivery.received(
        request.method,
        request.headers.items(),
        request.get_data(cache=True),
        request.query_string.decode("utf-8", errors="replace"),
        now,
    )
    how = adapter.authenticate(delivery, hook.credentials)
    answer = adapter.answer(delivery, hook.credentials)
    body: dict[str, Any] = {}
    if request.method == "POST":
        source = Source(platform, delivery.sha256, how)
        subs = [_submission(e, source) for e in adapter.parse(delivery)]
        receipts = service.appender.append(hook.tenant_id, hook.tenant, subs) if subs else []
        appended = sum(r.created for r in receipts)
        APPENDED.inc(appended)
        body = {"appended": appended, "receipts": [r.to_json() for r in receipts]}
    response = jsonify(body | answer.body)
    response.headers.update(answer.headers)
    return response
