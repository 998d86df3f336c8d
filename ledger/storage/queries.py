"""The statements of the hot paths, built once with bind parameters.

Building a SQLAlchemy expression costs more than running it on SQLite; these are built
at import and hit the compiled cache on every call.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from sqlalchemy import (
    Boolean,
    Executable,
    Integer,
    LargeBinary,
    Select,
    SmallInteger,
    String,
    bindparam,
    cast,
    literal_column,
    null,
    select,
    text,
    union_all,
)

from ledger.storage.models import ApiKey, Body, Checkpoint, Entry, Lease, Log, Node, Tenant

logs, entries, bodies, nodes = Log.__table__, Entry.__table__, Body.__table__, Node.__table__
checkpoints, api_keys, tenants = Checkpoint.__table__, ApiKey.__table__, Tenant.__table__

ENTRY = select(entries.c.leaf, entries.c.leaf_hash, entries.c.chain, entries.c.received_at).where(
    entries.c.log_id == bindparam("log_id"), entries.c.seq == bindparam("seq")
)
COVERING_CHECKPOINT = (
    select(checkpoints.c.size, checkpoints.c.note)
    .where(checkpoints.c.log_id == bindparam("log_id"), checkpoints.c.size > bindparam("seq"))
    .order_by(checkpoints.c.size)
    .limit(1)
)
# Proofs read the tree with one statement (``tree_reads``): the leaf hashes (entries),
# the node hashes (nodes) and optionally the tree size, so a proof and the size it is
# checked against come from one snapshot in one round trip. Rows are (level, idx, hash);
# the size row has level SIZE_LEVEL and the size in idx.
#
# SQLite 3.40 plans ``(level, idx) IN (...)`` as a search on ``log_id`` alone, a scan of
# every node of the log (137 ms a proof at 1M entries). On SQLite the statement is a
# UNION ALL of primary-key point lookups, one arm per leaf or node; arm counts are rounded
# up (the padding matches no row) so a few statement shapes serve every proof and stay in
# the compiled caches. On PostgreSQL it is one fixed text joining the primary key with
# arrays of ids (a nested loop of index probes): one prepared statement whatever the
# count, and psycopg need not re-parse a long text each time (it caches short ones only).
TREE_READ_MAX = 64  # leaves, and nodes, per SQLite statement
NODE_STEP = 8
SIZE_LEVEL = -1
NO_SEQ, NO_NODE = -1, (-1, -1)

TREE_READ_POSTGRESQL = text(
    "SELECT -1 AS level, size AS idx, NULL::bytea AS hash FROM logs"
    " WHERE id = :log_id AND :with_size"
    " UNION ALL SELECT 0, seq, leaf_hash FROM entries"
    " WHERE log_id = :log_id AND seq = ANY(CAST(:seqs AS bigint[]))"
    " UNION ALL SELECT n.level, n.idx, n.hash"
    " FROM unnest(CAST(:levels AS smallint[]), CAST(:idxs AS bigint[])) AS k(level, idx)"
    " JOIN nodes n ON n.log_id = :log_id AND n.level = k.level AND n.idx = k.idx"
).bindparams(
    bindparam("log_id", type_=Integer),
    bindparam("with_size", type_=Boolean),
    # Array literals as text ('{1,2}'): one parameter type, so one prepared statement.
    bindparam("seqs", type_=String),
    bindparam("levels", type_=String),
    bindparam("idxs", type_=String),
)


def _array(values: Iterable[int]) -> str:
    return "{" + ",".join(map(str, values)) + "}"


def _leaf_arms(count: int) -> int:
    return 0 if count == 0 else 1 << (count - 1).bit_length()


def _node_arms(count: int) -> int:
    return -(-count // NODE_STEP) * NODE_STEP


@functools.cache
def _tree_read_sqlite(size: bool, leaves: int, inner: int) -> Executable:
    arms: list[Select[Any]] = []
    if size:
        arms.append(
            select(
                literal_column(str(SIZE_LEVEL), SmallInteger).label("level"),
                logs.c.size.label("idx"),
                cast(null(), LargeBinary).label("hash"),
            ).where(logs.c.id == bindparam("log_id"))
        )
    arms += [
        select(
            literal_column("0", SmallInteger).label("level"),
            entries.c.seq.label("idx"),
            entries.c.leaf_hash.label("hash"),
        ).where(entries.c.log_id == bindparam("log_id"), entries.c.seq == bindparam(f"seq_{i}"))
        for i in range(leaves)
    ]
    arms += [
        select(nodes.c.level, nodes.c.idx, nodes.c.hash).where(
            nodes.c.log_id == bindparam("log_id"),
            nodes.c.level == bindparam(f"level_{i}"),
            nodes.c.idx == bindparam(f"idx_{i}"),
        )
        for i in range(inner)
    ]
    return arms[0] if len(arms) == 1 else union_all(*arms)


def tree_reads(
    dialect: str,
    log_id: int,
    seqs: Sequence[int],
    ids: Sequence[tuple[int, int]],
    size: bool = False,
) -> Iterator[tuple[Executable, dict[str, Any]]]:
    """Statements and parameters reading the leaf hashes of ``seqs``, the node hashes of
    the (level, idx) ``ids`` and, if ``size``, the tree size (in the first statement)."""
    if not (size or seqs or ids):
        return
    if dialect == "postgresql":
        yield (
            TREE_READ_POSTGRESQL,
            {
                "log_id": log_id,
                "with_size": size,
                "seqs": _array(seqs),
                "levels": _array(level for level, _ in ids),
                "idxs": _array(idx for _, idx in ids),
            },
        )
        return
    done = 0
    while size or done < max(len(seqs), len(ids)):
        leaves = list(seqs[done : done + TREE_READ_MAX])
        inner = list(ids[done : done + TREE_READ_MAX])
        shape = (size, _leaf_arms(len(leaves)), _node_arms(len(inner)))
        leaves += [NO_SEQ] * (shape[1] - len(leaves))
        inner += [NO_NODE] * (shape[2] - len(inner))
        params: dict[str, Any] = {"log_id": log_id}
        for i, seq in enumerate(leaves):
            params[f"seq_{i}"] = seq
        for i, (level, idx) in enumerate(inner):
            params[f"level_{i}"], params[f"idx_{i}"] = level, idx
        yield _tree_read_sqlite(*shape), params
        size, done = False, done + TREE_READ_MAX


API_KEY = (
    select(api_keys.c.id, api_keys.c.role, api_keys.c.tenant_id, tenants.c.name)
    .outerjoin(tenants, tenants.c.id == api_keys.c.tenant_id)
    .where(api_keys.c.key_hash == bindparam("key_hash"), api_keys.c.revoked_at.is_(None))
)

LEASE = select(Lease.__table__).where(Lease.__table__.c.name == bindparam("name"))
