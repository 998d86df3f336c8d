"""Real evidence without the service: an in-memory log, signed checkpoints, RFC 3161 tokens.

``Log`` appends events the way the ledger does (docs/design/EVIDENCE-FORMAT.md §2: salt, commitment,
canonical leaf, leaf hash, chain, RFC 9162 tree), signs checkpoints with a real Ed25519
``NoteSigner`` and builds ``evidence-bundle/1`` documents and ``log-export/1`` lines
exactly as docs/evidence-format.md describes them. ``Stamper`` gets real tokens from the
development TSA over HTTP (``openssl ts -reply`` behind loopback).
"""

from __future__ import annotations

import atexit
import base64
import hashlib
import json
import secrets
import shutil
import subprocess
import tempfile
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from ledger.anchoring.devtsa import DevTSA
from ledger.anchoring.stamper import timestamp_request
from tests.faulty_tsa import flip_signature_byte
from verifier import merkle
from verifier.checkpoint import NoteSigner, format_checkpoint, sign_note, signed_text
from verifier.compact import MemoryTree
from verifier.hashing import SHA256
from verifier.leaf import commitment, leaf_bytes, new_salt
from verifier.timestamp import token_of, verify

ORIGIN = "test.example/evidence-ledger"
TENANT = "acme"
START = datetime(2026, 11, 22, 17, 3, 4, tzinfo=UTC)
SOURCE = {"channel": "api", "delivery_sha256": "ab" * 32, "authenticated": "api-key"}


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def event(envelope_id: str, n: int, **extra: Any) -> dict[str, Any]:
    """A valid §1 event; ``n`` makes the event id unique."""
    return {
        "event_id": f"{envelope_id}-ev-{n}",
        "type": "recipient.signed" if n % 2 else "envelope.sent",
        "occurred_at": (START + timedelta(seconds=n)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "envelope_id": envelope_id,
        "actor": {"name": f"Signer {n}", "email": f"s{n}@example.com"},
        "documents": [{"name": "contract.pdf", "sha256": "cd" * 32, "size": 1234 + n}],
        "data": {"n": n, **extra},
    }


@dataclass
class Log:
    """An append-only log in memory, built as the ledger builds it."""

    signer: NoteSigner = field(default_factory=lambda: NoteSigner.generate("test.example-log"))
    origin: str = ORIGIN
    leaves: list[bytes] = field(default_factory=list)
    events: list[dict[str, Any] | None] = field(default_factory=list)
    salts: list[bytes | None] = field(default_factory=list)
    tenants: list[str] = field(default_factory=list)
    chains: list[bytes] = field(default_factory=list)
    tree: MemoryTree = field(default_factory=MemoryTree)

    @property
    def size(self) -> int:
        return self.tree.size

    @property
    def vkey(self) -> str:
        return self.signer.vkey

    def append(self, body: dict[str, Any], tenant: str = TENANT) -> int:
        seq = self.size
        salt = new_salt()
        received = (START + timedelta(seconds=seq, microseconds=123)).strftime(
            "%Y-%m-%dT%H:%M:%S.%fZ"
        )
        leaf = leaf_bytes(
            log=self.origin,
            seq=seq,
            received_at=received,
            tenant=tenant,
            source=SOURCE,
            event=body,
            commitment=commitment(salt, body),
        )
        leaf_hash = SHA256.leaf_hash(leaf)
        prev = self.chains[-1] if self.chains else SHA256.chain_start
        self.leaves.append(leaf)
        self.events.append(body)
        self.salts.append(salt)
        self.tenants.append(tenant)
        self.chains.append(SHA256.chain_next(prev, leaf_hash))
        self.tree.append(leaf_hash)
        return seq

    def fill(self, n: int, envelope_id: str = "env-filler") -> None:
        """Append ``n`` small events quickly (leaves only matter for audits)."""
        for _ in range(n):
            self.append(event(envelope_id, self.size))

    def erase(self, seq: int) -> None:
        self.events[seq] = None
        self.salts[seq] = None

    def leaf_hash(self, seq: int) -> bytes:
        return SHA256.leaf_hash(self.leaves[seq])

    def checkpoint(self, size: int, signers: list[NoteSigner] | None = None) -> str:
        text = format_checkpoint(self.origin, size, self.tree.root(size))
        return sign_note(text, signers or [self.signer])

    def entry(self, seq: int, size: int) -> dict[str, Any]:
        salt = self.salts[seq]
        return {
            "seq": seq,
            "leaf": b64(self.leaves[seq]),
            "leaf_hash": self.leaf_hash(seq).hex(),
            "chain": self.chains[seq].hex(),
            "prev_chain": (self.chains[seq - 1] if seq else SHA256.chain_start).hex(),
            "inclusion": [h.hex() for h in merkle.inclusion_proof(seq, size, self.tree.nodes)],
            "event": self.events[seq],
            "salt": salt.hex() if salt is not None else None,
        }

    def seqs_of(self, envelope_id: str) -> list[int]:
        return [
            seq
            for seq, leaf in enumerate(self.leaves)
            if json.loads(leaf)["event"]["envelope_id"] == envelope_id
        ]

    def bundle(
        self,
        envelope_id: str,
        size: int,
        anchors: list[dict[str, Any]],
        latest: int | None = None,
        status: str = "anchored",
    ) -> dict[str, Any]:
        """The ``evidence-bundle/1`` of an envelope: proofs to the checkpoint at ``size``."""
        seqs = [s for s in self.seqs_of(envelope_id) if s < size]
        doc: dict[str, Any] = {
            "format": "evidence-bundle/1",
            "generated_at": "2026-11-29T06:50:00.123456Z",
            "envelope_id": envelope_id,
            "tenant": self.tenants[seqs[0]],
            "status": status,
            "log": {
                "origin": self.origin,
                "hash": "sha-256",
                "vkey": self.vkey,
                "vkeys": [self.vkey],
            },
            "checkpoint": self.checkpoint(size),
            "anchors": anchors,
            "entries": [self.entry(seq, size) for seq in seqs],
        }
        if latest is not None:
            proof = merkle.consistency_proof(size, latest, self.tree.nodes)
            doc["latest"] = {
                "checkpoint": self.checkpoint(latest),
                "consistency": [h.hex() for h in proof],
            }
        return doc

    def export(
        self,
        checkpoints: list[int],
        anchors: dict[int, list[dict[str, Any]]] | None = None,
        compact: bool = True,
    ) -> list[bytes]:
        """``log-export/1`` JSON Lines, as ``ledger export`` writes them."""
        separators = (",", ":") if compact else (", ", ": ")

        def line(record: dict[str, Any]) -> bytes:
            text = json.dumps(record, separators=separators, ensure_ascii=False)
            return (text + "\n").encode("utf-8")

        header = {
            "type": "log",
            "format": "log-export/1",
            "origin": self.origin,
            "hash": "sha-256",
            "vkeys": [self.vkey],
            "from": 0,
            "size": self.size,
        }
        lines = [line(header)]
        for seq, leaf in enumerate(self.leaves):
            record = {
                "type": "leaf",
                "seq": seq,
                "leaf": b64(leaf),
                "leaf_hash": self.leaf_hash(seq).hex(),
                "chain": self.chains[seq].hex(),
            }
            lines.append(line(record))
        for size in checkpoints:
            lines.append(line({"type": "checkpoint", "size": size, "note": self.checkpoint(size)}))
        for size, records in sorted((anchors or {}).items()):
            lines += [line({"type": "anchor", **record, "size": size}) for record in records]
        return lines


# --- the development TSA ----------------------------------------------------------------

_ROOT = Path(tempfile.mkdtemp(prefix="bundles-tsa-"))
atexit.register(shutil.rmtree, _ROOT, True)


class Stamper:
    """A running development TSA: real RFC 3161 tokens over loopback HTTP."""

    def __init__(self, tsa: DevTSA) -> None:
        self.tsa = tsa
        self.root_pem = tsa.root_pem.read_bytes()

    def reply(self, digest: bytes) -> bytes:
        request = urllib.request.Request(  # noqa: S310  loopback http only
            self.tsa.url,
            data=timestamp_request(digest, secrets.randbits(63)),
            headers={"Content-Type": "application/timestamp-query"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return bytes(response.read())

    def anchor(self, note: str, *, forge: bool = False) -> dict[str, Any]:
        """The bundle's anchor object for a token over ``note``'s signed text."""
        digest = hashlib.sha256(signed_text(note).encode("utf-8")).digest()
        reply = self.reply(digest)
        facts = verify(reply, digest, [self.root_pem])
        if forge:
            reply = flip_signature_byte(reply)
        return {
            "tsa": self.tsa.url,
            "token": b64(token_of(reply)),
            "gen_time": facts.gen_time.isoformat().replace("+00:00", "Z"),
            "development_tsa": True,
        }


@contextmanager
def stamper(name: str = "trusted") -> Iterator[Stamper]:
    """A development TSA (made once per process under ``name``), serving while in use."""
    tsa = DevTSA.create(_ROOT / name)
    with tsa:
        yield Stamper(tsa)


def zero_serial_root(directory: Path) -> bytes:
    """A self-signed root (PEM) with serial number 0, as some operating systems still ship
    (Debian's ca-certificates.crt holds several): openssl makes it, cryptography refuses to."""
    subprocess.run(  # noqa: S603
        ["openssl", "req", "-x509", "-set_serial", "0", "-newkey", "ec",  # noqa: S607
         "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", str(directory / "key.pem"),
         "-out", str(directory / "cert.pem"), "-subj", "/CN=Zero Serial Root", "-days", "2"],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return (directory / "cert.pem").read_bytes()


# --- big exports, fast -------------------------------------------------------------------


def write_export(
    path: Path,
    n: int,
    checkpoints: int = 100,
    signer: NoteSigner | None = None,
    origin: str = ORIGIN,
) -> NoteSigner:
    """A ``log-export/1`` file of ``n`` leaves, quickly: one canonical leaf template with
    its seq (and so its bytes) varied, ``checkpoints`` signed checkpoints evenly spread
    (the last at ``n``). The leaves, hashes, chain and tree are real; returns the signer."""
    signer = signer or NoteSigner.generate("test.example-log")
    body = event("env-bench", 0)
    template = leaf_bytes(
        log=origin,
        seq=0,
        received_at="2026-11-22T17:03:04.123456Z",
        tenant=TENANT,
        source=SOURCE,
        event=body,
        commitment=commitment(bytes(32), body),
    )
    before, after = template.split(b',"seq":0,', 1)
    every = max(1, n // max(1, checkpoints))
    sizes = {size for size in range(every, n + 1, every)} | {n}
    sha = hashlib.sha256
    chain, compact, notes_ = bytes(32), [], []
    with path.open("wb") as out:
        header = {
            "type": "log",
            "format": "log-export/1",
            "origin": origin,
            "hash": "sha-256",
            "vkeys": [signer.vkey],
            "from": 0,
            "size": n,
        }
        out.write(json.dumps(header, separators=(",", ":")).encode() + b"\n")
        for seq in range(n):
            leaf = b'%s,"seq":%d,%s' % (before, seq, after)
            leaf_hash = sha(b"\x00" + leaf).digest()
            chain = sha(b"\x02" + chain + leaf_hash).digest()
            value, size = leaf_hash, seq
            while size & 1:
                value = sha(b"\x01" + compact.pop() + value).digest()
                size >>= 1
            compact.append(value)
            out.write(
                b'{"type":"leaf","seq":%d,"leaf":"%s","leaf_hash":"%s","chain":"%s"}\n'
                % (seq, base64.b64encode(leaf), leaf_hash.hex().encode(), chain.hex().encode())
            )
            if seq + 1 in sizes:
                root = compact[-1]
                for left in reversed(compact[:-1]):
                    root = sha(b"\x01" + left + root).digest()
                notes_.append(
                    (seq + 1, sign_note(format_checkpoint(origin, seq + 1, root), [signer]))
                )
        for size, note in notes_:
            record = {"type": "checkpoint", "size": size, "note": note}
            out.write(
                json.dumps(record, separators=(",", ":"), ensure_ascii=False).encode() + b"\n"
            )
    return signer
