"""``POST /v1/hooks/<platform>/<hook id>`` (and Adobe's ``GET``): platforms' webhooks
(docs/design/EVIDENCE-FORMAT.md §7, docs/platforms/).

Order of checks: unknown platform or hook (or a hook of another platform) → 404; a
method the platform does not use → 405; a client address outside the hook's allowed
networks → 403; authentication by the platform's own scheme, over the raw body before
any parsing → 401; a body that cannot be mapped, or a platform time no platform can
have recorded → 400. Then the events are appended synchronously with the body as
received (the log answers well inside every platform's timeout) and the answer is 200
with the receipts, the originals for a redelivery, so that the platform stops retrying.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint, Response, jsonify, request
from werkzeug.exceptions import MethodNotAllowed

from ledger import clock, hooks
from ledger.adapters import ADAPTERS, PLATFORMS, Adapter, Delivery
from ledger.api.context import ledger
from ledger.api.ingest import refuse_implausible
from ledger.api.schemas import ERROR, json_response
from ledger.appender import Source, Submission
from ledger.errors import InvalidInput, NotFound
from ledger.metrics import APPENDED
from verifier.event import EventError, validate_event
from verifier.jcs import canonicalize

bp = Blueprint("hooks", __name__)


def _adapter(platform: str) -> Adapter:
    adapter = ADAPTERS.get(platform)
    if adapter is None:
        raise NotFound(f"no platform {platform!r}; platforms: {', '.join(ADAPTERS)}")
    if request.method not in adapter.methods:
        raise MethodNotAllowed(valid_methods=sorted(adapter.methods))
    return adapter


def _submission(value: dict[str, Any], source: Source, received: datetime) -> Submission:
    try:
        event = validate_event(value)
    except EventError as e:
        raise InvalidInput(
            f"the delivery maps to an invalid event: {e.message}",
            field=e.field,
            code="malformed_delivery",
        ) from e
    refuse_implausible(event, received)
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
    hooks.check_source(hook, request.remote_addr)
    delivery = Delivery.received(
        request.method,
        request.headers.items(),
        request.get_data(cache=True),
        request.query_string.decode("utf-8", errors="replace"),
        now,
        service.pseudonyms,
    )
    how = adapter.authenticate(delivery, hook.credentials)
    answer = adapter.answer(delivery, hook.credentials)
    body: dict[str, Any] = {}
    if request.method == "POST":
        source = Source.received(platform, how, delivery.body, request.content_type)
        subs = [_submission(e, source, now) for e in adapter.parse(delivery)]
        receipts = service.appender.append(hook.tenant_id, hook.tenant, subs) if subs else []
        appended = sum(r.created for r in receipts)
        APPENDED.inc(appended)
        body = {"appended": appended, "receipts": [r.to_json() for r in receipts]}
    response = jsonify(body | answer.body)
    response.headers.update(answer.headers)
    return response


def _operations() -> dict[str, Any]:
    """Platforms' webhooks: no API key, each platform's own scheme (docs/platforms/)."""

    def parameters(platforms: list[str]) -> list[dict[str, Any]]:
        return [
            {"name": "platform", "in": "path", "required": True, "schema": {"enum": platforms}},
            {
                "name": "hook_id",
                "in": "path",
                "required": True,
                "description": "printed by `ledger hook create`",
                "schema": {
                    "type": "string",
                    "minLength": 1,
                    "maxLength": 64,
                    "pattern": "^[A-Za-z0-9_-]+$",
                },
            },
        ]

    answer = {
        "type": "object",
        "properties": {
            "appended": {"type": "integer", "minimum": 0},
            "receipts": {"type": "array", "items": {"$ref": "#/components/schemas/Receipt"}},
            "xAdobeSignClientId": {"type": "string", "description": "Adobe's client-id echo"},
        },
    }
    refused = {"401": ERROR, "403": ERROR, "404": ERROR, "405": ERROR, "503": ERROR}
    return {
        "post": {
            "security": [],
            "summary": "A signing platform's webhook delivery, authenticated by its own scheme",
            "description": (
                "HMAC (DocuSign, e签宝, eSignGlobal, DocuSeal, OpenSign), shared secret "
                "(Documenso) or client-id echo (Adobe). 200 with the receipts of what the "
                "delivery appended, the original receipts for a redelivery. 403 "
                "network_not_allowed from outside the hook's allowed networks; 400 "
                "implausible_time for an event dated before 1990 or over 24 h ahead. "
                "The body is kept as received (GET /v1/deliveries/{sha256})."
            ),
            "parameters": parameters(list(PLATFORMS)),
            "requestBody": {
                "required": False,
                "content": {"application/json": {"schema": {"type": "object"}}},
            },
            "responses": {
                "200": json_response(answer, "authenticated and appended (or already appended)"),
                "400": ERROR,
                **refused,
                "409": ERROR,
                "413": ERROR,
            },
        },
        "get": {
            "security": [],
            "summary": "Adobe Acrobat Sign's verification of intent: echoes X-AdobeSign-ClientId",
            "parameters": parameters(["adobesign"]),
            "responses": {
                "200": json_response(answer, "client id recognised and echoed"),
                **refused,
            },
        },
    }


def openapi_paths() -> dict[str, Any]:
    """This blueprint's path items of /openapi.json (ledger.api.openapi)."""
    return {"/v1/hooks/{platform}/{hook_id}": _operations()}
