"""Proofs from the database equal the RFC 9162 reference (SQLite and PostgreSQL).

A log of a few thousand entries, appended in batches of uneven sizes (so the stored
nodes come from many compact-range states), then inclusion and consistency proofs at
many (seq, size) pairs: read in-process through ``NodeReader`` and over HTTP, each
compared with ``tests/reference.py`` over the leaf hashes recomputed from the leaves.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from ledger.service import Ledger
from ledger.storage import queries
from ledger.storage.models import Entry
from ledger.storage.nodes import NodeReader
from tests import reference
from tests.conftest import Keys, event
from verifier import merkle

SIZE = 2_500
BATCHES = (1, 2, 3, 5, 8, 13, 64, 1, 127, 255, 256, 1000, 7, 333)  # cycled


@dataclass(frozen=True)
class Tree:
    service: Ledger
    client: FlaskClient
    keys: Keys
    hashes: list[bytes]  # leaf hashes, recomputed from the stored leaves


@pytest.fixture
def tree(app: Flask, client: FlaskClient, keys: Keys) -> Tree:
    done, i = 0, 0
    while done < SIZE:
        n = min(BATCHES[i % len(BATCHES)], SIZE - done)
        batch = {"events": [event(done + j) for j in range(n)]}
        response = client.post("/v1/events/batch", json=batch, headers=keys.header("ingest"))
        assert response.status_code == 201, response.get_json()
        done, i = done + n, i + 1
    service: Ledger = app.extensions["ledger"]
    with service.db.reading() as conn:
        leaves = conn.execute(select(Entry.seq, Entry.leaf).order_by(Entry.seq)).all()
    assert [row.seq for row in leaves] == list(range(SIZE))
    return Tree(service, client, keys, [reference.leaf_hash(row.leaf) for row in leaves])


def _powers() -> list[int]:
    near = [p + d for p in (1 << k for k in range(12)) for d in (-1, 0, 1)]
    return sorted({n for n in near if 1 <= n <= SIZE})


def inclusion_pairs(count: int, seed: int) -> Iterator[tuple[int, int]]:
    """(seq, size): the edges (first, last, powers of two and their neighbours), then random."""
    rnd = random.Random(seed)
    for size in [*_powers(), SIZE - 1, SIZE]:
        yield from {(0, size), (size - 1, size), (size // 2, size)}
    for _ in range(count):
        size = rnd.randint(1, SIZE)
        yield rnd.randrange(size), size


def consistency_pairs(count: int, seed: int, grid: bool = True) -> Iterator[tuple[int, int]]:
    """(first, second) with 1 <= first <= second <= SIZE: every pair of edge sizes (or
    each edge size with the whole tree), then random."""
    rnd = random.Random(seed)
    sizes = [*_powers(), SIZE - 1, SIZE]
    for second in sizes if grid else [SIZE]:
        for first in sizes:
            if first <= second:
                yield first, second
    for _ in range(count):
        second = rnd.randint(1, SIZE)
        yield rnd.randint(1, second), second


def test_database_proofs_equal_the_reference(tree: Tree) -> None:
    service, alg = tree.service, tree.service.log.alg
    with service.db.reading() as conn:
        for seq, size in inclusion_pairs(300, seed=1):
            got = merkle.inclusion_proof(seq, size, NodeReader(conn, service.log.id), alg)
            assert got == reference.path(seq, tree.hashes[:size]), (seq, size)
        for first, second in consistency_pairs(300, seed=2):
            got = merkle.consistency_proof(first, second, NodeReader(conn, service.log.id), alg)
            assert got == reference.proof(first, tree.hashes[:second]), (first, second)


def test_http_proofs_equal_the_reference(tree: Tree) -> None:
    client, header = tree.client, tree.keys.header("read")
    for seq, size in inclusion_pairs(60, seed=3):
        response = client.get(f"/v1/log/proofs/inclusion?seq={seq}&size={size}", headers=header)
        assert response.status_code == 200, (seq, size, response.get_json())
        want = [h.hex() for h in reference.path(seq, tree.hashes[:size])]
        assert response.get_json() == {"seq": seq, "size": size, "proof": want}
    for first, second in consistency_pairs(60, seed=4, grid=False):
        url = f"/v1/log/proofs/consistency?first={first}&second={second}"
        response = client.get(url, headers=header)
        assert response.status_code == 200, (first, second, response.get_json())
        want = [h.hex() for h in reference.proof(first, tree.hashes[:second])]
        assert response.get_json() == {"first": first, "second": second, "proof": want}
    # Beyond the tree: refused against the size read with the nodes, whatever else is wrong.
    for url, field in (
        (f"/v1/log/proofs/inclusion?seq={SIZE}&size={SIZE + 1}", "size"),
        (f"/v1/log/proofs/inclusion?seq={SIZE + 5}&size={SIZE + 1}", "size"),
        (f"/v1/log/proofs/inclusion?seq={SIZE}&size={SIZE}", "seq"),
        (f"/v1/log/proofs/consistency?first=1&second={SIZE + 1}", "second"),
        (f"/v1/log/proofs/consistency?first={SIZE + 2}&second={SIZE + 1}", "second"),
        (f"/v1/log/proofs/consistency?first={SIZE}&second={SIZE - 1}", "first"),
    ):
        response = client.get(url, headers=header)
        assert response.status_code == 400, url
        assert response.get_json()["error"]["field"] == field, url


def test_node_reads_in_many_statements_equal_the_reference(tree: Tree) -> None:
    """Every stored node of a range at once: more ids than one SQLite statement takes."""
    service = tree.service
    ids = [
        merkle.NodeID(level, index)
        for level in range(12)
        for index in range(SIZE >> level)
        if (index + 1) << level <= SIZE and index % 7 in (0, 3)
    ]
    leaves = sum(1 for n in ids if n.level == 0)
    assert leaves > queries.TREE_READ_MAX
    assert len(ids) - leaves > queries.TREE_READ_MAX
    with service.db.reading() as conn:
        reader = NodeReader(conn, service.log.id)
        assert reader.prefetch([], tree_size=True) == SIZE
        got = reader(ids)
    assert got == [reference.mth(tree.hashes[n.begin : n.end]) for n in ids]
    with service.db.reading() as conn, pytest.raises(LookupError):
        NodeReader(conn, service.log.id)([merkle.NodeID(3, SIZE)])


def test_upper_nodes_are_cached_and_dropped_when_the_log_shrinks(tree: Tree) -> None:
    service = tree.service
    top = merkle.NodeID(11, 0)  # leaves [0, 2048)
    want = reference.mth(tree.hashes[: 1 << 11])
    with service.db.reading() as conn:
        reader = NodeReader(conn, service.log.id)
        assert reader([top]) == [want]
        assert reader.upper.nodes[top] == want
        # As if this process had seen a larger tree and cached a node that a restored
        # database no longer has: the smaller size read with the nodes drops the cache.
        reader.upper.size, reader.upper.nodes[top] = SIZE + 100, bytes(32)
        again = NodeReader(conn, service.log.id)
        assert again.prefetch([top], tree_size=True) == SIZE
        assert again([top]) == [want]
        assert again.upper.nodes == {top: want}
        assert again.upper.size == SIZE
