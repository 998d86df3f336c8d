"""The OpenAPI 3.1 description of the API, served at ``/openapi.json``.

Tests run schemathesis against it, so it must say exactly what the service does.
"""

from __future__ import annotations

from typing import Any

from ledger.adapters import PLATFORMS
from reports.texts import zones
from verifier.event import ACTOR_FIELDS, DOCUMENTS_MAX, ID_MAX, TEXT_MAX, TYPE_MAX, VOCABULARY

HEX32 = {"type": "string", "pattern": "^[0-9a-f]{64}$"}
INDEX_MAX = 2**63 - 1  # seq, size, first, second: what a BIGINT holds (ledger/api/context.py)
# What verifier.event.check_time accepts: RFC 3339 with an upper-case T, an explicit offset
# (Z or ±hh:mm, at most ±18:00), seconds 00-59 (no leap second) and a year from 0001.
OCCURRED_AT = (
    r"^([1-9][0-9]{3}|0[1-9][0-9]{2}|00[1-9][0-9]|000[1-9])-(0[1-9]|1[0-2])-"
    r"(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]{1,9})?"
    r"(Z|[+-]((0[0-9]|1[0-7]):[0-5][0-9]|18:00))$"
)
ERROR = {"$ref": "#/components/responses/Error"}
AUTH_ERRORS = {"401": ERROR, "403": ERROR}


def _event_schema() -> dict[str, Any]:
    text = {"type": "string", "maxLength": TEXT_MAX}
    identifier = {
        "type": "string",
        "minLength": 1,
        "maxLength": ID_MAX,
        "pattern": "^[^\\u0000-\\u001f\\u007f]*$",
        "description": "no control characters",
    }
    return {
        "type": "object",
        "additionalProperties": False,
        "required": ["event_id", "type", "occurred_at", "envelope_id"],
        "properties": {
            "event_id": identifier,
            "type": {
                "type": "string",
                "maxLength": TYPE_MAX,
                "anyOf": [
                    {"enum": sorted(VOCABULARY)},
                    {"pattern": r"^x-[a-z0-9][a-z0-9-]{0,39}\.[a-z0-9][a-z0-9._-]{0,79}$"},
                ],
            },
            "occurred_at": {
                "type": "string",
                "format": "date-time",
                "pattern": OCCURRED_AT,
                "description": "RFC 3339 with an explicit offset (Z or ±hh:mm, at most ±18:00)",
            },
            "envelope_id": identifier,
            "actor": {
                "type": "object",
                "additionalProperties": False,
                "properties": {name: text for name in sorted(ACTOR_FIELDS)},
            },
            "documents": {
                "type": "array",
                "maxItems": DOCUMENTS_MAX,
                "items": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["name", "sha256", "size"],
                    "properties": {
                        "name": {"type": "string", "minLength": 1, "maxLength": TEXT_MAX},
                        "sha256": HEX32,
                        "size": {"type": "integer", "minimum": 0, "maximum": 2**53 - 1},
                    },
                },
            },
            "data": {
                "type": "object",
                "additionalProperties": {"$ref": "#/components/schemas/Value"},
                "description": (
                    "any I-JSON object (RFC 7493): no duplicate keys, no lone surrogates, "
                    "no number of magnitude above 2**53-1 and below 1e21, at most 64 deep"
                ),
            },
        },
    }


SAFE = 2**53 - 1
# An I-JSON value (verifier.canonical.parse_json): numbers of magnitude above 2**53-1 are
# refused up to 1e21, from where RFC 8785 writes them with an exponent.
VALUE = {
    "anyOf": [
        {"type": ["null", "boolean", "string"]},
        {"type": "number", "minimum": -SAFE, "maximum": SAFE},
        {"type": "number", "minimum": 1e21},
        {"type": "number", "maximum": -1e21},
        {"type": "array", "items": {"$ref": "#/components/schemas/Value"}},
        {"type": "object", "additionalProperties": {"$ref": "#/components/schemas/Value"}},
    ]
}

RECEIPT = {
    "type": "object",
    "required": ["seq", "leaf", "leaf_hash", "chain", "received_at", "checkpoint", "inclusion"],
    "properties": {
        "seq": {"type": "integer", "minimum": 0},
        "leaf": {"type": "string", "contentEncoding": "base64"},
        "leaf_hash": HEX32,
        "chain": HEX32,
        "received_at": {"type": "string"},
        "checkpoint": {"type": "string", "description": "C2SP signed note covering the entry"},
        "inclusion": {"type": "array", "items": HEX32},
    },
}


ENTRY = {
    "type": "object",
    "required": ["seq", "leaf", "leaf_hash", "chain"],
    "properties": {
        "seq": {"type": "integer", "minimum": 0},
        "leaf": {"type": "string", "contentEncoding": "base64"},
        "leaf_hash": HEX32,
        "chain": HEX32,
        "event": {
            "type": ["object", "null"],
            "description": "the event as accepted; only for the entry's tenant's read keys "
            "and admin keys; null once erased",
        },
        "salt": {"anyOf": [HEX32, {"type": "null"}]},
        "erased": {"type": "boolean"},
    },
}
BATCH_RECEIPTS = {
    "type": "object",
    "required": ["receipts"],
    "properties": {
        "receipts": {"type": "array", "items": {"$ref": "#/components/schemas/Receipt"}}
    },
}


ANCHOR = {
    "type": "object",
    "required": ["tsa", "token", "gen_time", "checkpoint", "size", "development_tsa"],
    "properties": {
        "tsa": {"type": "string"},
        "token": {
            "type": "string",
            "contentEncoding": "base64",
            "description": "DER TimeStampToken",
        },
        "gen_time": {"type": "string"},
        "checkpoint": {"type": "string", "description": "the signed note the token covers"},
        "size": {"type": "integer", "minimum": 1},
        "development_tsa": {"type": "boolean", "description": "true: untrusted, not for evidence"},
    },
}


ENVELOPE_ID = {
    "name": "envelope_id",
    "in": "path",
    "required": True,
    # as event envelope ids (no control characters: the router would not even match them)
    "schema": {
        "type": "string",
        "minLength": 1,
        "maxLength": 200,
        "pattern": "^[^\\u0000-\\u001f\\u007f]*$",
    },
}
TENANT = {
    "name": "tenant",
    "in": "query",
    "required": False,
    "description": "required with an admin key",
    "schema": {"type": "string"},
}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _query(name: str, minimum: int) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": True,
        "schema": {"type": "integer", "minimum": minimum, "maximum": INDEX_MAX},
    }


def _hook_operations() -> dict[str, Any]:
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
    refused = {"401": ERROR, "404": ERROR, "405": ERROR}
    return {
        "post": {
            "security": [],
            "summary": "A signing platform's webhook delivery, authenticated by its own scheme",
            "description": (
                "HMAC (DocuSign, e签宝, eSignGlobal, DocuSeal, OpenSign), shared secret "
                "(Documenso) or client-id echo (Adobe). 200 with the receipts of what the "
                "delivery appended, the original receipts for a redelivery."
            ),
            "parameters": parameters(list(PLATFORMS)),
            "requestBody": {
                "required": False,
                "content": {"application/json": {"schema": {"type": "object"}}},
            },
            "responses": {
                "200": _json(answer, "authenticated and appended (or already appended)"),
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
            "responses": {"200": _json(answer, "client id recognised and echoed"), **refused},
        },
    }


def _paths() -> dict[str, Any]:
    body = {
        "required": True,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Event"}}},
    }
    batch = {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["events"],
                    "properties": {
                        "events": {
                            "type": "array",
                            "minItems": 1,
                            "maxItems": 1000,
                            "items": {"$ref": "#/components/schemas/Event"},
                        }
                    },
                }
            }
        },
    }
    append_errors = {**AUTH_ERRORS, "400": ERROR, "409": ERROR, "413": ERROR, "415": ERROR}
    read: dict[str, Any] = {"security": [{"apiKey": []}]}
    return {
        "/v1/events": {
            "post": {
                **read,
                "summary": "Append one event (ingest key)",
                "requestBody": body,
                "responses": {
                    "201": _json({"$ref": "#/components/schemas/Receipt"}, "appended"),
                    "200": _json(
                        {"$ref": "#/components/schemas/Receipt"},
                        "already appended: the original receipt",
                    ),
                    **append_errors,
                },
            }
        },
        "/v1/events/batch": {
            "post": {
                **read,
                "summary": "Append up to 1,000 events, all or nothing (ingest key)",
                "requestBody": batch,
                "responses": {
                    "201": _json(BATCH_RECEIPTS, "appended; a receipt per event, in order"),
                    "200": _json(BATCH_RECEIPTS, "every event was already appended"),
                    **append_errors,
                },
            }
        },
        "/v1/log/checkpoint": {
            "get": {
                **read,
                "summary": "The newest signed checkpoint (any key)",
                "responses": {
                    "200": {
                        "description": "C2SP signed note",
                        "content": {"text/plain": {"schema": {"type": "string"}}},
                    },
                    "401": ERROR,
                },
            }
        },
        "/v1/log/key": {
            "get": {
                "summary": "The log's verifier keys (public)",
                "responses": {
                    "200": _json({"type": "object", "required": ["origin", "vkey", "keys"]}, "keys")
                },
            }
        },
        "/v1/log/entries/{seq}": {
            "get": {
                **read,
                "summary": "One entry; event and salt for the caller's tenant only",
                "parameters": [
                    {
                        "name": "seq",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "integer", "minimum": 0, "maximum": INDEX_MAX},
                    }
                ],
                "responses": {
                    "200": _json(ENTRY, "the entry"),
                    "400": ERROR,
                    "404": ERROR,
                    **AUTH_ERRORS,
                },
            }
        },
        "/v1/log/proofs/inclusion": {
            "get": {
                **read,
                "summary": "RFC 9162 inclusion proof (read, audit, admin)",
                "parameters": [_query("seq", 0), _query("size", 1)],
                "responses": {
                    "200": _json({"type": "object", "required": ["seq", "size", "proof"]}, "proof"),
                    "400": ERROR,
                    **AUTH_ERRORS,
                },
            }
        },
        "/v1/log/proofs/consistency": {
            "get": {
                **read,
                "summary": "RFC 9162 consistency proof (read, audit, admin)",
                "parameters": [_query("first", 1), _query("second", 1)],
                "responses": {
                    "200": _json(
                        {"type": "object", "required": ["first", "second", "proof"]}, "proof"
                    ),
                    "400": ERROR,
                    **AUTH_ERRORS,
                },
            }
        },
        "/v1/log/leaves": {
            "get": {
                **read,
                "summary": "Leaves by range, for mirrors and audits (read, audit, admin)",
                "parameters": [_query("start", 0), _query("end", 1)],
                "responses": {
                    "200": _json(
                        {
                            "type": "object",
                            "required": ["start", "end", "size", "leaves"],
                            "properties": {
                                "leaves": {
                                    "type": "array",
                                    "maxItems": 10000,
                                    "items": {
                                        "type": "object",
                                        "required": ["seq", "leaf", "leaf_hash", "chain"],
                                    },
                                }
                            },
                        },
                        "leaves [start, end), at most 10,000",
                    ),
                    "400": ERROR,
                    **AUTH_ERRORS,
                },
            }
        },
        "/v1/envelopes/{envelope_id}": {
            "get": {
                **read,
                "summary": "An envelope's timeline (read key: own tenant; admin: ?tenant=)",
                "parameters": [ENVELOPE_ID, TENANT],
                "responses": {
                    "200": _json(
                        {"type": "object", "required": ["envelope_id", "tenant", "events"]},
                        "events in log order, times in UTC beside the reported offset",
                    ),
                    "400": ERROR,
                    "404": ERROR,
                    **AUTH_ERRORS,
                },
            }
        },
        "/v1/envelopes/{envelope_id}/evidence": {
            "get": {
                **read,
                "summary": "An envelope's evidence-bundle/1 (read: own tenant; admin: ?tenant=)",
                "parameters": [
                    ENVELOPE_ID,
                    TENANT,
                    {
                        "name": "anchor",
                        "in": "query",
                        "required": False,
                        "schema": {"enum": ["now"]},
                    },
                ],
                "responses": {
                    "200": _json(
                        {
                            "type": "object",
                            "required": [
                                "format",
                                "status",
                                "log",
                                "checkpoint",
                                "anchors",
                                "entries",
                            ],
                        },
                        "the bundle, verifiable offline with ledger-verify bundle",
                    ),
                    "400": ERROR,
                    "404": ERROR,
                    "502": ERROR,
                    "503": ERROR,
                    **AUTH_ERRORS,
                },
            }
        },
        "/v1/envelopes/{envelope_id}/certificate.pdf": {
            "get": {
                **read,
                "summary": "An envelope's certificate of evidence, a PAdES-signed PDF "
                "(read: own tenant; admin: ?tenant=)",
                "description": (
                    "The evidence bundle rendered for a court (docs/certificate.md), with the "
                    "bundle attached as evidence-bundle.json. X-PAdES-Level says which level "
                    "the signature reached (B-LTA with a TSA, B-B without); X-Certificate-Id "
                    "its id. Verify with ledger-verify pdf."
                ),
                "parameters": [
                    ENVELOPE_ID,
                    TENANT,
                    {
                        "name": "lang",
                        "in": "query",
                        "required": False,
                        "description": "edition: English (default) or Simplified Chinese",
                        "schema": {"enum": ["en", "zh"]},
                    },
                    {
                        "name": "tz",
                        "in": "query",
                        "required": False,
                        "description": "the reader's IANA time zone, shown beside UTC",
                        "schema": {"enum": list(zones())},
                    },
                ],
                "responses": {
                    "200": {
                        "description": "the signed certificate",
                        "headers": {
                            "X-PAdES-Level": {"schema": {"enum": ["B-LTA", "B-B"]}},
                            "X-Certificate-Id": {"schema": {"type": "string"}},
                        },
                        "content": {
                            "application/pdf": {"schema": {"type": "string", "format": "binary"}}
                        },
                    },
                    "400": ERROR,
                    "404": ERROR,
                    "503": ERROR,
                    **AUTH_ERRORS,
                },
            }
        },
        "/v1/log/anchors": {
            "get": {
                **read,
                "summary": "RFC 3161 anchors, newest first (read, audit, admin)",
                "responses": {
                    "200": _json(
                        {
                            "type": "object",
                            "required": ["anchors"],
                            "properties": {
                                "anchors": {
                                    "type": "array",
                                    "items": {"$ref": "#/components/schemas/Anchor"},
                                }
                            },
                        },
                        "anchors",
                    ),
                    **AUTH_ERRORS,
                },
            },
            "post": {
                **read,
                "summary": "Anchor the newest checkpoint now (admin key)",
                "responses": {
                    "201": _json({"$ref": "#/components/schemas/Anchor"}, "anchored now"),
                    "200": _json({"$ref": "#/components/schemas/Anchor"}, "already anchored"),
                    "409": ERROR,
                    "502": ERROR,
                    "503": ERROR,
                    **AUTH_ERRORS,
                },
            },
        },
        "/v1/log/tsa-roots": {
            "get": {
                "summary": "The configured TSA trust roots (public)",
                "responses": {
                    "200": {
                        "description": "PEM certificates",
                        "content": {"application/x-pem-file": {"schema": {"type": "string"}}},
                    },
                    "503": ERROR,
                },
            }
        },
        "/healthz": {
            "get": {
                "summary": "Health",
                "responses": {
                    "200": _json({"type": "object"}, "ok"),
                    "503": _json({"type": "object"}, "unavailable"),
                },
            }
        },
        "/metrics": {
            "get": {
                "summary": "Prometheus metrics",
                "responses": {
                    "200": {
                        "description": "Prometheus text",
                        "content": {"text/plain": {"schema": {"type": "string"}}},
                    }
                },
            }
        },
        "/v1/hooks/{platform}/{hook_id}": _hook_operations(),
        "/openapi.json": {
            "get": {
                "summary": "This document",
                "responses": {"200": _json({"type": "object"}, "OpenAPI 3.1")},
            }
        },
    }


def spec() -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Evidence Ledger",
            "version": "1",
            "description": "Append signing events to a verifiable log; get receipts with proofs.",
        },
        "paths": _paths(),
        "components": {
            "securitySchemes": {"apiKey": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Event": _event_schema(),
                "Value": VALUE,
                "Receipt": RECEIPT,
                "Anchor": ANCHOR,
            },
            "responses": {
                "Error": _json(
                    {
                        "type": "object",
                        "required": ["error"],
                        "properties": {
                            "error": {
                                "type": "object",
                                "required": ["code", "message"],
                                "properties": {
                                    "code": {"type": "string"},
                                    "message": {"type": "string"},
                                    "field": {"type": "string"},
                                },
                            }
                        },
                    },
                    "an error",
                )
            },
        },
    }
