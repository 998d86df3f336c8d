"""The ``ledger`` CLI: keys, rotation and fsck on a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Connection, delete, update

from ledger.service import Ledger
from ledger.storage.models import Checkpoint, Entry, Log, Node
from tests.conftest import Keys, event
from tests.ledger.helpers import run
from verifier import checkpoint


def fill(client: FlaskClient, keys: Keys, n: int = 40) -> None:
    for start in range(0, n, 10):
        batch = {"events": [event(i) for i in range(start, min(n, start + 10))]}
        assert (
            client.post("/v1/events/batch", json=batch, headers=keys.header("ingest")).status_code
            == 201
        )


def test_key_create_prints_the_key_alone_on_the_last_line(app: Flask, client: FlaskClient) -> None:
    assert run(app, "tenant", "create", "initech")[0] == 0
    code, out = run(app, "key", "create", "--tenant", "initech", "--role", "ingest")
    key = out.strip().splitlines()[-1]
    assert code == 0
    assert key.startswith("elk_")
    assert " " not in key
    response = client.post("/v1/events", json=event(1), headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 201
    assert run(app, "key", "revoke", key[:12])[0] == 0
    again = client.post("/v1/events", json=event(2), headers={"Authorization": f"Bearer {key}"})
    assert again.status_code == 401


def test_tenant_roles_need_a_tenant(app: Flask) -> None:
    code, out = run(app, "key", "create", "--role", "ingest")
    assert code != 0
    assert "needs a tenant" in out


def test_operator_roles_take_no_tenant(app: Flask) -> None:
    assert run(app, "tenant", "create", "x")[0] == 0
    code, out = run(app, "key", "create", "--role", "admin", "--tenant", "x")
    assert code != 0
    assert "the admin role takes no tenant" in out
    assert "no a tenant" not in out


def test_key_list_shows_prefixes_roles_and_revocations_never_keys(app: Flask) -> None:
    assert run(app, "tenant", "create", "initech")[0] == 0
    made = run(app, "key", "create", "--tenant", "initech", "--role", "read")[1]
    key = made.strip().splitlines()[-1]
    admin = run(app, "key", "create", "--role", "admin")[1].strip().splitlines()[-1]
    assert run(app, "key", "revoke", admin[:12])[0] == 0
    code, out = run(app, "key", "list")
    assert code == 0
    rows = {line.split("\t")[0]: line.split("\t") for line in out.strip().splitlines()}
    assert rows[key[:12]][1:3] == ["read", "initech"]
    assert rows[key[:12]][4] == "active"
    assert rows[admin[:12]][1:3] == ["admin", "-"]
    assert rows[admin[:12]][4].startswith("revoked ")
    assert key not in out
    assert admin not in out
    only = run(app, "key", "list", "--tenant", "initech")[1]
    assert [line.split("\t")[0] for line in only.strip().splitlines()] == [key[:12]]


def test_help_shows_our_options_only(app: Flask) -> None:
    code, out = run(app, "--help")
    assert code == 0
    for flask_option in ("--app", "-A,", "--env-file", "--debug"):
        assert flask_option not in out
    assert "key" in out
    assert "serve" in out


def test_init_is_idempotent(app: Flask) -> None:
    first, second = run(app, "init"), run(app, "init")
    assert (first[0], second[0]) == (0, 0)
    assert "exists" in second[1]


def test_logkey_rotation_signs_with_both_keys(app: Flask, client: FlaskClient, keys: Keys) -> None:
    old = client.get("/v1/log/key").get_json()["vkey"]
    code, out = run(app, "logkey", "rotate", "--overlap", "3600")
    new = out.strip().splitlines()[-1]
    assert code == 0
    app.extensions["ledger"].keys._loaded_at = -1e9  # this test cannot wait out the cache
    note = client.post("/v1/events", json=event(1), headers=keys.header("ingest")).get_json()[
        "checkpoint"
    ]
    assert checkpoint.verify(note, [old]).size == 1
    assert checkpoint.verify(note, [new]).size == 1
    listing = client.get("/v1/log/key").get_json()
    assert listing["vkey"] == new
    assert {k["status"] for k in listing["keys"]} == {"active", "retiring"}


def test_fsck_clean_log(app: Flask, client: FlaskClient, keys: Keys) -> None:
    fill(client, keys)
    code, out = run(app, "fsck")
    assert code == 0, out
    assert "40 entries" in out
    assert "clean" in out


def _edit_leaf(conn: Connection) -> None:
    conn.execute(update(Entry).where(Entry.seq == 17).values(leaf=b'{"v":1}'))


def _edit_chain(conn: Connection) -> None:
    conn.execute(update(Entry).where(Entry.seq == 23).values(chain=bytes(32)))


def _delete_row(conn: Connection) -> None:
    conn.execute(delete(Entry).where(Entry.seq == 11))


def _swap_rows(conn: Connection) -> None:
    rows = {r.seq: r for r in conn.execute(Entry.__table__.select().where(Entry.seq.in_([5, 6])))}
    for seq, other in ((5, 6), (6, 5)):
        values = {k: getattr(rows[other], k) for k in ("leaf", "leaf_hash", "chain")}
        conn.execute(update(Entry).where(Entry.seq == seq).values(**values))


def _truncate(conn: Connection) -> None:
    conn.execute(delete(Entry).where(Entry.seq >= 30))


def _edit_node(conn: Connection) -> None:
    conn.execute(update(Node).where(Node.level == 2, Node.idx == 3).values(hash=bytes(32)))


def _edit_checkpoint(conn: Connection) -> None:
    note = conn.execute(Checkpoint.__table__.select().where(Checkpoint.size == 20)).one().note
    conn.execute(
        update(Checkpoint).where(Checkpoint.size == 20).values(note=note.replace("20\n", "21\n", 1))
    )


def _orphan_tenant(conn: Connection) -> None:
    conn.execute(update(Entry).where(Entry.seq == 7).values(tenant_id=999_999))


def _edit_head(conn: Connection) -> None:
    conn.execute(update(Log).values(size=39))


TAMPERING: list[tuple[str, Callable[[Connection], None], str, int | None]] = [
    ("edit a leaf", _edit_leaf, "leaf", 17),
    ("edit a chain value", _edit_chain, "chain", 23),
    ("delete a row", _delete_row, "missing entry", 11),
    ("swap two rows", _swap_rows, "chain", 5),
    ("truncate the log", _truncate, "truncated", 30),
    ("edit a tree node", _edit_node, "tree node", None),
    ("edit a checkpoint", _edit_checkpoint, "checkpoint signature", 19),
    ("edit the head", _edit_head, "log head", 39),
    ("give an entry a tenant that does not exist", _orphan_tenant, "tenant", 7),
]


@pytest.mark.parametrize(
    ("name", "tamper", "check", "seq"), TAMPERING, ids=[t[0] for t in TAMPERING]
)
def test_fsck_finds_tampering(
    app: Flask,
    client: FlaskClient,
    keys: Keys,
    name: str,
    tamper: Callable[[Connection], None],
    check: str,
    seq: int | None,
) -> None:
    fill(client, keys)
    service: Ledger = app.extensions["ledger"]
    with service.db.writing() as conn:
        tamper(conn)
    code, out = run(app, "fsck")
    assert code != 0, out
    where = "log" if seq is None else f"seq {seq}"
    assert f"{where}: {check}" in out, out
    assert f"first bad seq: {seq}" in out if seq is not None else "damaged" in out
