"""The pieces of /openapi.json that several blueprints share: schemas, parameters,
responses (``ledger.api.openapi`` assembles the document from each blueprint's
``openapi_paths()``).
"""

from __future__ import annotations

from typing import Any

from ledger.api.context import INDEX_MAX
from verifier.event import ACTOR_FIELDS, DOCUMENTS_MAX, ID_MAX, TEXT_MAX, TYPE_MAX, VOCABULARY

HEX32 = {"type": "string", "pattern": "^[0-9a-f]{64}$"}
# What verifier.event.check_time accepts: RFC 3339 with an upper-case T, an explicit offset
# (Z or ±hh:mm, at most ±18:00), seconds 00-59 (no leap second); and of the years, those
# verifier.plausibility does not always refuse (1990 to 2099: the rest of its rule, at most
# 24 h after receipt and not before 1990-01-01 UTC, depends on the clock and the offset).
OCCURRED_AT = (
    r"^(199[0-9]|20[0-9]{2})-(0[1-9]|1[0-2])-"
    r"(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]{1,9})?"
    r"(Z|[+-]((0[0-9]|1[0-7]):[0-5][0-9]|18:00))$"
)
ERROR = {"$ref": "#/components/responses/Error"}
# What any operation may answer whatever its own responses say: the HTTP server's refusals,
# before the app sees the request (ledger/serving.py: 400 malformed, 408 too slow, 414
# request line over 4,094 bytes, 431 headers too large), and 503 with Retry-After when the
# database is unavailable or its disk full (ledger/storage/faults.py). Same JSON as the rest.
SERVER_REFUSAL = {"$ref": "#/components/responses/ServerRefusal"}
SERVER_STATUSES = ("400", "408", "414", "431", "503")
AUTH_ERRORS = {"401": ERROR, "403": ERROR}
API_KEY: dict[str, Any] = {"security": [{"apiKey": []}]}


def event_schema() -> dict[str, Any]:
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
                "description": (
                    "RFC 3339 with an explicit offset (Z or ±hh:mm, at most ±18:00), the "
                    "platform's time of the act; refused (400 implausible_time) before "
                    "1990-01-01T00:00:00Z or more than 24 hours after the ledger receives it"
                ),
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
# An I-JSON value (verifier.ijson.parse_json): numbers of magnitude above 2**53-1 are
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


def json_response(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def query_param(name: str, minimum: int) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": True,
        "schema": {"type": "integer", "minimum": minimum, "maximum": INDEX_MAX},
    }


ERROR_SCHEMA = {
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
}


def components() -> dict[str, Any]:
    """The ``components`` of the document."""
    return {
        "securitySchemes": {"apiKey": {"type": "http", "scheme": "bearer"}},
        "schemas": {
            "Event": event_schema(),
            "Value": VALUE,
            "Receipt": RECEIPT,
            "Anchor": ANCHOR,
            "Error": ERROR_SCHEMA,
        },
        "responses": {
            "Error": json_response({"$ref": "#/components/schemas/Error"}, "an error"),
            "ServerRefusal": {
                "description": "refused before the app saw the request (400 malformed, 408 "
                "not received within LEDGER_CLIENT_TIMEOUT, 414 request line over 4,094 bytes, "
                "431 headers too large), or 503 with Retry-After: the database is unavailable "
                "(database_unavailable) or its disk is full (storage_full)",
                "headers": {
                    "Retry-After": {
                        "description": "seconds to wait before trying again (503 only)",
                        "schema": {"type": "integer", "minimum": 1},
                    }
                },
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
            },
        },
    }
