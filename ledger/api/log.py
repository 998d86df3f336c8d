"""Reading the log: checkpoint, keys, entries and proofs (docs/design/EVIDENCE-FORMAT.md §7)."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, Response, jsonify
from sqlalchemy import select

from ledger.api.context import INDEX_MAX, caller, decimal, int_arg, ledger, only_args
from ledger.api.schemas import API_KEY, AUTH_ERRORS, ENTRY, ERROR, json_response, query_param
from ledger.errors import InvalidInput, NotFound
from ledger.privacy.at_rest import open_body
from ledger.storage.models import Body, Entry, Log
from ledger.storage.nodes import NodeReader
from verifier import merkle

bp = Blueprint("log", __name__)
READERS = ("read", "audit", "admin")


def _tree_size(reader: NodeReader, plan: merkle.ProofPlan | None) -> int:
    """The tree size, read with the nodes of ``plan`` in one statement (one snapshot)."""
    size = reader.prefetch(plan.nodes if plan else (), tree_size=True)
    if size is None:
        raise LookupError(f"log {reader.log_id} is missing from the database")
    return size


@bp.get("/v1/log/checkpoint")
def checkpoint() -> Response:
    caller()
    service = ledger()
    with service.db.reading() as conn:
        note = conn.execute(select(Log.checkpoint).where(Log.id == service.log.id)).scalar_one()
    return Response(note, mimetype="text/plain")


@bp.get("/v1/log/key")
def key() -> Response:
    service = ledger()
    now = datetime.now(UTC)
    with service.db.reading() as conn:
        keys = service.keys.listing(conn)
    signing = [k.vkey for k in keys if k.status(now) != "retired"]
    return jsonify(
        {
            "origin": service.log.origin,
            "hash": service.log.alg.name,
            "vkey": signing[0] if signing else None,
            "keys": [
                {
                    "vkey": k.vkey,
                    "status": k.status(now),
                    "created_at": k.created_at.isoformat(),
                    "retire_at": k.retire_at.isoformat() if k.retire_at else None,
                }
                for k in keys
            ],
        }
    )


@bp.get("/v1/log/entries/<seq>")
def entry(seq: str) -> Response:
    principal = caller(*READERS)
    index = decimal(seq, "seq")
    service = ledger()
    with service.db.reading() as conn:
        row = conn.execute(
            select(
                Entry.seq,
                Entry.tenant_id,
                Entry.leaf,
                Entry.leaf_hash,
                Entry.chain,
                Body.key_id,
                Body.sealed,
            )
            .outerjoin(Body, (Body.log_id == Entry.log_id) & (Body.seq == Entry.seq))
            .where(Entry.log_id == service.log.id, Entry.seq == index)
        ).first()
    if row is None:
        raise NotFound(f"no entry {seq}")
    if not principal.sees_leaves_of(row.tenant_id):
        # Another tenant's entry is not there for this key, as its envelopes are not.
        raise NotFound(f"no entry {seq} of tenant {principal.tenant}")
    result: dict[str, Any] = {
        "seq": row.seq,
        "leaf": base64.b64encode(row.leaf).decode(),
        "leaf_hash": row.leaf_hash.hex(),
        "chain": row.chain.hex(),
    }
    if principal.sees_bodies_of(row.tenant_id):
        with service.db.reading() as conn:
            body = open_body(
                service.data_keys,
                conn,
                row.tenant_id,
                service.log.id,
                row.seq,
                row.key_id,
                row.sealed,
            )
        result["event"] = None if body is None else json.loads(body[0])
        result["salt"] = None if body is None else body[1].hex()
        result["erased"] = body is None
    return jsonify(result)


@bp.get("/v1/log/proofs/inclusion")
def inclusion() -> Response:
    caller(*READERS)
    only_args("seq", "size")
    seq, size = int_arg("seq"), int_arg("size", 1)
    service = ledger()
    log = service.log
    # The plan needs no database; its nodes are read with the tree size they depend on.
    plan = merkle.inclusion_plan(seq, size) if seq < size else None
    with service.db.reading() as conn:
        reader = NodeReader(conn, log.id)
        current = _tree_size(reader, plan)
        if size > current:
            raise InvalidInput(f"size {size} is beyond the tree size {current}", field="size")
        if plan is None:
            raise InvalidInput(f"seq {seq} is not in a tree of size {size}", field="seq")
        proof = plan.assemble(reader, log.alg)
    return jsonify({"seq": seq, "size": size, "proof": [h.hex() for h in proof]})


@bp.get("/v1/log/proofs/consistency")
def consistency() -> Response:
    caller(*READERS)
    only_args("first", "second")
    first, second = int_arg("first", 1), int_arg("second", 1)
    service = ledger()
    log = service.log
    plan = merkle.consistency_plan(first, second) if first <= second else None
    with service.db.reading() as conn:
        reader = NodeReader(conn, log.id)
        current = _tree_size(reader, plan)
        if second > current:
            raise InvalidInput(f"second {second} is beyond the tree size {current}", field="second")
        if plan is None:
            raise InvalidInput(f"first {first} is larger than second {second}", field="first")
        proof = plan.assemble(reader, log.alg)
    return jsonify({"first": first, "second": second, "proof": [h.hex() for h in proof]})


def openapi_paths() -> dict[str, Any]:
    """This blueprint's path items of /openapi.json (ledger.api.openapi)."""
    return {
        "/v1/log/checkpoint": {
            "get": {
                **API_KEY,
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
                    "200": json_response(
                        {"type": "object", "required": ["origin", "vkey", "keys"]}, "keys"
                    )
                },
            }
        },
        "/v1/log/entries/{seq}": {
            "get": {
                **API_KEY,
                "summary": "One entry (a read key: its own tenant's); event and salt for the "
                "entry's tenant's read keys and admin keys",
                "parameters": [
                    {
                        "name": "seq",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "integer", "minimum": 0, "maximum": INDEX_MAX},
                    }
                ],
                "responses": {
                    "200": json_response(ENTRY, "the entry"),
                    "400": ERROR,
                    "404": ERROR,
                    **AUTH_ERRORS,
                },
            }
        },
        "/v1/log/proofs/inclusion": {
            "get": {
                **API_KEY,
                "summary": "RFC 9162 inclusion proof (read, audit, admin)",
                "parameters": [query_param("seq", 0), query_param("size", 1)],
                "responses": {
                    "200": json_response(
                        {"type": "object", "required": ["seq", "size", "proof"]}, "proof"
                    ),
                    "400": ERROR,
                    **AUTH_ERRORS,
                },
            }
        },
        "/v1/log/proofs/consistency": {
            "get": {
                **API_KEY,
                "summary": "RFC 9162 consistency proof (read, audit, admin)",
                "parameters": [query_param("first", 1), query_param("second", 1)],
                "responses": {
                    "200": json_response(
                        {"type": "object", "required": ["first", "second", "proof"]}, "proof"
                    ),
                    "400": ERROR,
                    **AUTH_ERRORS,
                },
            }
        },
    }
