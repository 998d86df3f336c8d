"""``ledger import``: load a ``log-export/1`` file into an empty database (a mirror, or a
restore of the log without event bodies), after auditing it with ``verifier.audit``.

Event bodies are never exported, so an imported log reports every entry as "content
erased"; restore bodies from a database backup (docs/operator-guide.md, "Backups").
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, insert, select, update

from ledger import clock
from ledger.errors import Conflict, InvalidInput
from ledger.storage.models import Anchor, Checkpoint, Entry, Log, Node, SigningKey, Tenant
from verifier.compact import CompactRange
from verifier.hashing import algorithm
from verifier.leaf import parse_leaf
from verifier.merkle import NodeID

CHUNK = 5_000


def _records(path: Path) -> Iterator[dict[str, Any]]:
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            if line.strip():
                try:
                    yield json.loads(line)
                except ValueError as e:
                    raise InvalidInput(f"line {number} is not JSON: {e}", field="file") from e


class Importer:
    def __init__(self, conn: Connection, path: Path) -> None:
        self.conn, self.path = conn, path
        self.tenants: dict[str, int] = {}
        self.entries: list[dict[str, Any]] = []
        self.nodes: list[dict[str, Any]] = []

    def run(self) -> int:
        records = _records(self.path)
        header = next(records, None)
        if not header or header.get("type") != "log" or header.get("from") != 0:
            raise InvalidInput(
                "the file must be a whole log-export/1 (header, from 0)", field="file"
            )
        log_id = self._empty_log(header)
        alg = algorithm(header["hash"])
        state, chain, newest = CompactRange(alg=alg), alg.chain_start, ""
        for record in records:
            kind = record.get("type")
            if kind == "leaf":
                chain = bytes.fromhex(record["chain"])
                self._leaf(log_id, record, state)
            elif kind == "checkpoint":
                self._flush()
                self.conn.execute(
                    insert(Checkpoint).values(
                        log_id=log_id,
                        size=record["size"],
                        root=base64.b64decode(record["note"].split("\n")[2]),  # audited already
                        note=record["note"],
                        created_at=clock.now(),
                    )
                )
                newest = record["note"]
            elif kind == "anchor":
                gen_time = datetime.fromisoformat(record["gen_time"].replace("Z", "+00:00"))
                token = base64.b64decode(record["token"])
                self.conn.execute(
                    insert(Anchor).values(
                        log_id=log_id,
                        size=record["size"],
                        tsa=record["tsa"],
                        token=token,
                        gen_time=gen_time,
                        created_at=clock.now(),
                    )
                )
        self._flush()
        head = {"size": state.size, "chain": chain, "compact": b"".join(state.hashes)}
        self.conn.execute(update(Log).where(Log.id == log_id).values(**head, checkpoint=newest))
        return state.size

    def _empty_log(self, header: dict[str, Any]) -> int:
        row = self.conn.execute(
            select(Log.id, Log.size).where(Log.origin == header["origin"])
        ).first()
        if self.conn.execute(select(Entry.seq).limit(1)).first() is not None:
            raise Conflict("the database already holds entries: import needs an empty one")
        if row is None:
            alg = algorithm(header["hash"])
            result = self.conn.execute(
                insert(Log).values(
                    origin=header["origin"],
                    hash_alg=alg.name,
                    size=0,
                    chain=alg.chain_start,
                    compact=b"",
                    checkpoint="",
                )
            )
            log_id = int(result.inserted_primary_key[0])  # type: ignore[index]
        else:
            log_id = int(row.id)
        known = set(self.conn.execute(select(SigningKey.vkey)).scalars())
        for vkey in header.get("vkeys", []):
            if vkey not in known:  # a mirror holds verifier keys only: it never signs with them
                self.conn.execute(
                    insert(SigningKey).values(
                        log_id=log_id,
                        vkey=vkey,
                        file="",
                        created_at=clock.now(),
                        retire_at=clock.now(),
                    )
                )
        return log_id

    def _tenant(self, name: str) -> int:
        if name not in self.tenants:
            found = self.conn.execute(select(Tenant.id).where(Tenant.name == name)).scalar()
            if found is None:
                found = self.conn.execute(
                    insert(Tenant).values(name=name, created_at=clock.now())
                ).inserted_primary_key[0]  # type: ignore[index]
            self.tenants[name] = int(found)
        return self.tenants[name]

    def _leaf(self, log_id: int, record: dict[str, Any], state: CompactRange) -> None:
        leaf = base64.b64decode(record["leaf"])
        parsed = parse_leaf(leaf)
        self.entries.append(
            {
                "log_id": log_id,
                "seq": record["seq"],
                "tenant_id": self._tenant(parsed.tenant),
                "event_id": parsed.event.event_id,
                "envelope_id": parsed.event.envelope_id,
                "type": parsed.event.type,
                "received_at": parsed.received_at,
                "leaf": leaf,
                "leaf_hash": bytes.fromhex(record["leaf_hash"]),
                "chain": bytes.fromhex(record["chain"]),
                "occurred_us": clock.occurred_micros(parsed.event.occurred_at),
                "channel": parsed.source.channel,
            }
        )

        def keep(node: NodeID, value: bytes) -> None:
            if node.level > 0:
                self.nodes.append(
                    {"log_id": log_id, "level": node.level, "idx": node.index, "hash": value}
                )

        state.append(bytes.fromhex(record["leaf_hash"]), keep)
        if len(self.entries) >= CHUNK:
            self._flush()

    def _flush(self) -> None:
        if self.entries:
            self.conn.execute(insert(Entry), self.entries)
        if self.nodes:
            self.conn.execute(insert(Node), self.nodes)
        self.entries, self.nodes = [], []
