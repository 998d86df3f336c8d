"""The statements of the hot paths, built once with bind parameters.

Building a SQLAlchemy expression costs more than running it on SQLite; these are built
at import and hit the compiled cache on every call.
"""

from __future__ import annotations

from sqlalchemy import bindparam, insert, select, tuple_, update

from ledger.storage.models import ApiKey, Body, Checkpoint, Entry, Lease, Log, Node, Tenant

logs, entries, bodies, nodes = Log.__table__, Entry.__table__, Body.__table__, Node.__table__
checkpoints, api_keys, tenants = Checkpoint.__table__, ApiKey.__table__, Tenant.__table__

HEAD = select(logs).where(logs.c.id == bindparam("log_id"))
HEAD_FOR_UPDATE = HEAD.with_for_update()

SEEN = (
    select(entries.c.event_id, entries.c.seq, bodies.c.content_sha256)
    .outerjoin(bodies, (bodies.c.log_id == entries.c.log_id) & (bodies.c.seq == entries.c.seq))
    .where(
        entries.c.log_id == bindparam("log_id"),
        entries.c.tenant_id == bindparam("tenant_id"),
        entries.c.event_id.in_(bindparam("event_ids", expanding=True)),
    )
)

INSERT_ENTRIES = insert(entries)
INSERT_BODIES = insert(bodies)
INSERT_NODES = insert(nodes)
INSERT_CHECKPOINT = insert(checkpoints)
UPDATE_HEAD = (
    update(logs)
    .where(logs.c.id == bindparam("head_id"))
    .values(
        size=bindparam("size"),
        chain=bindparam("chain"),
        compact=bindparam("compact"),
        checkpoint=bindparam("checkpoint"),
    )
)

ENTRY = select(entries.c.leaf, entries.c.leaf_hash, entries.c.chain, entries.c.received_at).where(
    entries.c.log_id == bindparam("log_id"), entries.c.seq == bindparam("seq")
)
COVERING_CHECKPOINT = (
    select(checkpoints.c.size, checkpoints.c.note)
    .where(checkpoints.c.log_id == bindparam("log_id"), checkpoints.c.size > bindparam("seq"))
    .order_by(checkpoints.c.size)
    .limit(1)
)
LEAF_HASHES = select(entries.c.seq, entries.c.leaf_hash).where(
    entries.c.log_id == bindparam("log_id"), entries.c.seq.in_(bindparam("seqs", expanding=True))
)
NODE_HASHES = select(nodes.c.level, nodes.c.idx, nodes.c.hash).where(
    nodes.c.log_id == bindparam("log_id"),
    tuple_(nodes.c.level, nodes.c.idx).in_(bindparam("ids", expanding=True)),
)
TREE_SIZE = select(logs.c.size).where(logs.c.id == bindparam("log_id"))
NEWEST_NOTE = select(logs.c.checkpoint).where(logs.c.id == bindparam("log_id"))

API_KEY = (
    select(api_keys.c.id, api_keys.c.role, api_keys.c.tenant_id, tenants.c.name)
    .outerjoin(tenants, tenants.c.id == api_keys.c.tenant_id)
    .where(api_keys.c.key_hash == bindparam("key_hash"), api_keys.c.revoked_at.is_(None))
)

LEASE = select(Lease.__table__).where(Lease.__table__.c.name == bindparam("name"))
