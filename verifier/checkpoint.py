"""Signed checkpoints: C2SP signed-note and tlog-checkpoint with Ed25519
(docs/design/EVIDENCE-FORMAT.md §4).

A checkpoint is a C2SP signed note (https://c2sp.org/signed-note) whose text is a C2SP
tlog-checkpoint (https://c2sp.org/tlog-checkpoint)::

    <origin>\\n<tree size>\\n<base64 root hash>\\n[<extension line>\\n...]
    \\n
    — <key name> <base64(4-byte key ID || Ed25519 signature)>\\n

Opening a note follows ``Open`` of golang.org/x/mod/sumdb/note: signatures start after
the last blank line, unknown keys (name or key ID not configured) are ignored, a
signature by a known key that does not verify rejects the whole note, and a note of
more than 100 signatures is refused. Where the specs leave room we are stricter than
golang: base64 must be canonical, key IDs lowercase hex, every known signature is
verified (golang checks only the first per key), and notes are at most 1 MiB.

Verifier keys are ``<name>+<hex key ID>+base64(0x01 || public key)``; signer keys use
the golang format ``PRIVATE+KEY+<name>+<hex key ID>+base64(0x01 || seed)``.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from verifier.errors import CheckpointError, MalformedError, SignatureError, VerificationError
from verifier.merkle import MAX_SIZE

ED25519 = 0x01  # signed-note "Signature types": the byte that names Ed25519
SIG_PREFIX = "— "  # em dash, space: every signature line starts so (signed-note "Format")
SKEY_PREFIX = "PRIVATE+KEY+"  # golang: keeps a signer key from passing for a verifier key
MAX_SIGNATURES = 100  # golang note.Open's limit; signed-note requires accepting at least 16
MAX_NOTE_BYTES = 1 << 20  # signed-note "SHOULD limit the overall size"; 100 PQ sigs fit
ROOT_SIZE = 32  # the log's root hash is SHA-256 (docs/design/EVIDENCE-FORMAT.md §2)

# signed-note: "MUST NOT contain any ASCII control characters ... other than newline".
# DEL (U+007F) is an ASCII control character too, so it is refused (golang accepts it);
# C1 controls such as U+0085 are not ASCII and are accepted.
_CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f]")
# signed-note: names have no Unicode spaces (\s is str.isspace, a superset of Go's
# unicode.IsSpace by only U+001C-U+001F) and no "+"; controls and lone surrogates could
# never appear in a valid note, so a name holding them is refused too.
_BAD_NAME = re.compile("[\\s+\x00-\x1f\ud800-\udfff]")
_HEX_ID = re.compile("[0-9a-f]{8}")
_SIZE = re.compile("0|[1-9][0-9]{0,19}")  # at most 20 digits, so int() stays cheap


def _show(value: str) -> str:
    """``repr`` of an untrusted string, cut short so a huge input gives a short message."""
    return repr(value) if len(value) <= 60 else repr(value[:60]) + "..."


def _b64decode(value: str) -> bytes | None:
    """Strict RFC 4648 §4 base64, or None: padded, no whitespace, canonical final bits."""
    try:
        raw = base64.b64decode(value, validate=True)
    except ValueError:  # binascii.Error, or a non-ASCII str
        return None
    # Unused final bits must be zero so that each value has one spelling.
    return raw if base64.b64encode(raw).decode("ascii") == value else None


def _check_name(name: object, what: str) -> str:
    if not isinstance(name, str):
        raise MalformedError(f"{what} must be str, not {type(name).__name__}")
    if not name or _BAD_NAME.search(name):
        raise MalformedError(
            f"{what} {_show(name)} is empty or contains a space, '+' or control character"
        )
    return name


def _check_bytes(value: object, size: int, what: str) -> bytes:
    if not isinstance(value, bytes):
        raise MalformedError(f"{what} must be bytes, not {type(value).__name__}")
    if len(value) != size:
        raise MalformedError(f"{what} has {len(value)} bytes, expected {size}")
    return value


def _check_str(value: object, what: str, error: type[VerificationError]) -> str:
    if not isinstance(value, str):
        raise error(f"{what} must be str, not {type(value).__name__}")
    return value


def _check_text(value: object, what: str) -> str:
    """A note or note text, checked against the signed-note "Format" rules."""
    text = _check_str(value, what, CheckpointError)
    if len(text) > MAX_NOTE_BYTES:  # before encoding: a huge str is refused cheaply
        raise CheckpointError(f"{what} has {len(text)} characters, more than {MAX_NOTE_BYTES}")
    try:
        size = len(text.encode("utf-8"))
    except UnicodeEncodeError as e:
        raise CheckpointError(f"{what} is not valid UTF-8 (lone surrogate at {e.start})") from None
    if size > MAX_NOTE_BYTES:
        raise CheckpointError(f"{what} has {size} bytes, more than {MAX_NOTE_BYTES}")
    if m := _CONTROL.search(text):
        raise CheckpointError(
            f"{what} contains control character {m.group()!r} at {m.start()}; "
            "only newline is allowed"
        )
    if not text.endswith("\n"):
        raise CheckpointError(f"{what} does not end with a newline")
    return text


def ed25519_key_id(name: str, public_key: bytes) -> bytes:
    """signed-note: ``SHA-256(key name || 0x0A || 0x01 || 32-byte public key)[:4]``."""
    return hashlib.sha256(name.encode("utf-8") + b"\n" + bytes([ED25519]) + public_key).digest()[:4]


# --- verifier keys -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class VerifierKey:
    """An Ed25519 verifier key; construction checks that ``key_id`` belongs to the key."""

    name: str
    key_id: bytes
    public_key: bytes
    _key: Ed25519PublicKey = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        _check_name(self.name, "key name")
        _check_bytes(self.key_id, 4, "key ID")
        _check_bytes(self.public_key, 32, "Ed25519 public key")
        want = ed25519_key_id(self.name, self.public_key)
        if self.key_id != want:
            raise MalformedError(
                f"key {self.name}+{self.key_id.hex()}: the key ID does not match the "
                f"public key (it should be {want.hex()})"
            )
        try:  # loaded once: a key verifies thousands of checkpoints
            key = Ed25519PublicKey.from_public_bytes(self.public_key)
        except ValueError as e:  # cryptography may refuse some encodings
            raise MalformedError(f"key {self.name}: not an Ed25519 public key: {e}") from None
        object.__setattr__(self, "_key", key)

    @property
    def vkey(self) -> str:
        """The verifier key string ``<name>+<hex key ID>+base64(0x01 || public key)``."""
        key64 = base64.b64encode(bytes([ED25519]) + self.public_key).decode("ascii")
        return f"{self.name}+{self.key_id.hex()}+{key64}"

    def verify(self, text: bytes, signature: bytes) -> bool:
        """Whether ``signature`` (without the key ID) is this key's RFC 8032 signature."""
        if len(signature) != 64:
            return False
        try:
            self._key.verify(signature, text)
        except InvalidSignature:
            return False
        return True


def parse_vkey(vkey: str) -> VerifierKey:
    """A verifier key from its string form, or ``MalformedError``."""
    return _parse_vkey(_check_str(vkey, "verifier key", MalformedError))


@functools.lru_cache(maxsize=1024)
def _parse_vkey(vkey: str) -> VerifierKey:
    # Cached: the same few keys are parsed for every checkpoint verified.
    name, _, rest = vkey.partition("+")
    hex_id, _, key64 = rest.partition("+")
    _check_name(name, f"verifier key {_show(vkey)}: name")
    if not _HEX_ID.fullmatch(hex_id):
        raise MalformedError(
            f"verifier key {_show(vkey)}: key ID {_show(hex_id)} is not 8 lowercase hex digits"
        )
    key = _b64decode(key64)
    if not key:
        raise MalformedError(f"verifier key {_show(vkey)}: key is not canonical base64")
    if key[0] != ED25519:
        raise MalformedError(
            f"verifier key {_show(vkey)}: signature type 0x{key[0]:02x} is not Ed25519 (0x01)"
        )
    return VerifierKey(name, bytes.fromhex(hex_id), key[1:])


def vkey_from_public(name: str, public_key: bytes) -> str:
    """The verifier key string for an Ed25519 public key (32 raw bytes) under ``name``."""
    _check_name(name, "key name")
    _check_bytes(public_key, 32, "Ed25519 public key")
    return VerifierKey(name, ed25519_key_id(name, public_key), public_key).vkey


def _parse_vkeys(vkeys: object) -> dict[tuple[str, bytes], VerifierKey]:
    # A str is a sequence too: refuse it rather than read one key per character.
    if not isinstance(vkeys, list | tuple):
        raise MalformedError(f"verifier keys must be a list of str, not {type(vkeys).__name__}")
    keys: dict[tuple[str, bytes], VerifierKey] = {}
    for vkey in vkeys:
        key = parse_vkey(vkey)
        # golang refuses two keys with one name and ID: a signature could not say which.
        if keys.setdefault((key.name, key.key_id), key) != key:
            raise MalformedError(f"two verifier keys are named {key.name}+{key.key_id.hex()}")
    return keys


# --- signers -------------------------------------------------------------------------


class NoteSigner:
    """Signs note texts with one Ed25519 key under one key name."""

    __slots__ = ("_key", "_prefix", "verifier")

    def __init__(self, name: str, private_key: Ed25519PrivateKey) -> None:
        if not isinstance(private_key, Ed25519PrivateKey):
            raise MalformedError(f"private key must be Ed25519, not {type(private_key).__name__}")
        _check_name(name, "key name")
        public = private_key.public_key().public_bytes_raw()
        self.verifier = VerifierKey(name, ed25519_key_id(name, public), public)
        self._key = private_key  # kept loaded: signing is on the hot path
        self._prefix = f"{SIG_PREFIX}{name} "

    @classmethod
    def generate(cls, name: str) -> NoteSigner:
        return cls(name, Ed25519PrivateKey.generate())

    @classmethod
    def from_skey(cls, skey: str) -> NoteSigner:
        """A signer from ``PRIVATE+KEY+<name>+<hex key ID>+base64(0x01 || 32-byte seed)``."""
        skey = _check_str(skey, "signer key", MalformedError)
        name, _, rest = skey.removeprefix(SKEY_PREFIX).partition("+")
        hex_id, _, seed64 = rest.partition("+")
        seed = _b64decode(seed64)
        # Never quote the input: it is a secret.
        if not skey.startswith(SKEY_PREFIX) or not _HEX_ID.fullmatch(hex_id) or not seed:
            raise MalformedError("signer key is not PRIVATE+KEY+<name>+<8 hex>+<base64 key>")
        if seed[0] != ED25519 or len(seed) != 33:
            raise MalformedError("signer key is not base64(0x01 || 32-byte Ed25519 seed)")
        signer = cls(name, Ed25519PrivateKey.from_private_bytes(seed[1:]))
        if signer.key_id.hex() != hex_id:
            raise MalformedError(f"signer key {name}+{hex_id}: the key ID does not match the key")
        return signer

    @property
    def name(self) -> str:
        return self.verifier.name

    @property
    def key_id(self) -> bytes:
        return self.verifier.key_id

    @property
    def vkey(self) -> str:
        return self.verifier.vkey

    @property
    def skey(self) -> str:
        seed = base64.b64encode(bytes([ED25519]) + self._key.private_bytes_raw()).decode("ascii")
        return f"{SKEY_PREFIX}{self.name}+{self.key_id.hex()}+{seed}"

    def signature_line(self, text: str) -> str:
        """The line ``— <name> base64(key ID || signature)\\n`` signing ``text``."""
        return self._line(_check_text(text, "note text").encode("utf-8"))

    def _line(self, data: bytes) -> str:
        sig = base64.b64encode(self.key_id + self._key.sign(data)).decode("ascii")
        return f"{self._prefix}{sig}\n"

    def __repr__(self) -> str:
        return f"NoteSigner({self.name}+{self.key_id.hex()})"  # never the private key


def sign_note(text: str, signers: Sequence[NoteSigner]) -> str:
    """The signed note of ``text`` (ending in newline) signed by every signer, in order.

    Several signers sign the same text during a key rotation (tlog-checkpoint: clients
    ignore the signature whose key they do not know yet or any more).
    """
    data = _check_text(text, "note text").encode("utf-8")
    if not isinstance(signers, list | tuple) or not 1 <= len(signers) <= MAX_SIGNATURES:
        raise MalformedError(f"signers must be a list of 1 to {MAX_SIGNATURES} NoteSigner")
    if not all(isinstance(s, NoteSigner) for s in signers):
        raise MalformedError("signers must be NoteSigner objects")
    if len({(s.name, s.key_id) for s in signers}) != len(signers):
        raise MalformedError("two signers have the same key name and key ID")
    note = text + "\n" + "".join(s._line(data) for s in signers)
    return _check_text(note, "signed note")  # only the size can fail: as open_note would


# --- opening notes -------------------------------------------------------------------


class NoteSignature(NamedTuple):
    """One signature line: key name, 4-byte key ID, and the signature after the ID."""

    name: str
    key_id: bytes
    signature: bytes

    def __str__(self) -> str:
        return f"{self.name}+{self.key_id.hex()}"


def _parse_signature_line(line: str) -> NoteSignature:
    if not line.startswith(SIG_PREFIX):
        raise CheckpointError(f"signature line {_show(line)} does not start with '— '")
    name, _, sig64 = line[len(SIG_PREFIX) :].partition(" ")
    try:
        _check_name(name, "signature key name")
    except MalformedError as e:
        raise CheckpointError(e.message) from None
    raw = _b64decode(sig64)
    if raw is None:
        raise CheckpointError(f"signature of {name} is not canonical base64: {_show(sig64)}")
    if len(raw) < 5:
        raise CheckpointError(f"signature of {name} has {len(raw)} bytes: no room for a key ID")
    return NoteSignature(name, raw[:4], raw[4:])


def signed_text(note: str) -> str:
    """The text a note's signatures sign: the note up to and including the newline before
    its *last* blank line (signed-note "Format"). An anchor time-stamps exactly this text
    (docs/design/EVIDENCE-FORMAT.md §5). ``CheckpointError`` if the note has no blank line.

    Only the split: ``open_note`` also checks the note against the format's rules.
    """
    note = _check_str(note, "note", CheckpointError)
    split = note.rfind("\n\n")
    if split < 0:
        raise CheckpointError("note has no blank line before its signatures")
    return note[: split + 1]


def _split_note(note: object) -> tuple[str, list[NoteSignature]]:
    """The text (with its final newline) and the signature lines of a signed note."""
    note = _check_text(note, "note")
    text = signed_text(note)
    block = note[len(text) + 1 :]
    if not block:
        raise CheckpointError("note has no signature lines after its last blank line")
    lines = block[:-1].split("\n")  # not splitlines(): U+0085, U+2028 are not newlines here
    if len(lines) > MAX_SIGNATURES:
        raise CheckpointError(f"note has {len(lines)} signatures, at most {MAX_SIGNATURES}")
    return text, [_parse_signature_line(line) for line in lines]


def note_signatures(note: str) -> list[NoteSignature]:
    """Every signature line of a well-formed note, unverified (for tools and reports)."""
    return _split_note(note)[1]


def open_note(note: str, vkeys: list[str]) -> str:
    """The signed text of ``note`` once a signature by one of ``vkeys`` verifies.

    Signatures by other keys are ignored (signed-note: verifiers MUST ignore them);
    a signature by a known key that does not verify rejects the note, as in golang.
    """
    keys = _parse_vkeys(vkeys)
    text, sigs = _split_note(note)
    data = text.encode("utf-8")
    verified = False
    for sig in sigs:
        key = keys.get((sig.name, sig.key_id))
        if key is None:
            continue
        if not key.verify(data, sig.signature):
            raise SignatureError(
                f"the signature by {sig} does not verify (text or signature changed)"
            )
        verified = True
    if not verified:
        expected = [f"{k.name}+{k.key_id.hex()}" for k in keys.values()]
        present = [str(s) for s in sigs]
        raise SignatureError(
            f"no signature by a trusted key: expected one of {expected or 'none (no keys)'}, "
            f"the note is signed by {present}",
            expected=expected,
            actual=present,
        )
    return text


# --- checkpoints ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """A tlog-checkpoint: the log's tree head, and the exact text that was signed."""

    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...]
    text: str


def _parse_size(line: str) -> int:
    # tlog-checkpoint: ASCII decimal, no leading zeroes; int() would also take "+5", " 5",
    # "1_0" and non-ASCII digits, hence the pattern.
    if not _SIZE.fullmatch(line) or int(line) > MAX_SIZE:
        raise CheckpointError(
            f"checkpoint tree size {_show(line)} is not a decimal in [0, 2^64-1] "
            "without sign, spaces or leading zeros"
        )
    return int(line)


def _parse_root(line: str) -> bytes:
    root = _b64decode(line)
    if root is None or len(root) != ROOT_SIZE:
        raise CheckpointError(
            f"checkpoint root hash {_show(line)} is not canonical base64 of {ROOT_SIZE} bytes"
        )
    return root


def parse_checkpoint(text: str) -> Checkpoint:
    """A tlog-checkpoint from a note text (with its final newline); does not verify it."""
    text = _check_text(text, "checkpoint")
    lines = text[:-1].split("\n")  # not splitlines(): U+0085, U+2028 are not newlines here
    if len(lines) < 3:
        raise CheckpointError(
            f"checkpoint has {len(lines)} lines, needs origin, tree size and root hash"
        )
    if "" in lines:
        n = lines.index("")
        what = ("origin", "tree size", "root hash")[n] if n < 3 else "extension"
        raise CheckpointError(f"checkpoint line {n + 1} ({what}) is empty")
    origin, size, root, *extensions = lines
    return Checkpoint(origin, _parse_size(size), _parse_root(root), tuple(extensions), text)


def verify(note: str, vkeys: list[str]) -> Checkpoint:
    """The checkpoint in ``note`` once a signature by one of ``vkeys`` verifies.

    The origin need not equal the key name (tlog-checkpoint: it SHOULD, not MUST).
    """
    return parse_checkpoint(open_note(note, vkeys))


def format_checkpoint(origin: str, size: int, root: bytes, extensions: Sequence[str] = ()) -> str:
    """The tlog-checkpoint text for a tree head, ready to be signed."""
    if not isinstance(extensions, list | tuple) or not isinstance(root, bytes):
        raise MalformedError("root must be bytes and extensions a list of str")
    if not isinstance(size, int) or isinstance(size, bool) or not 0 <= size <= MAX_SIZE:
        raise MalformedError("tree size must be an integer in [0, 2^64-1]")
    lines = [origin, str(size), base64.b64encode(root).decode("ascii"), *extensions]
    if not all(isinstance(line, str) for line in lines):
        raise MalformedError("origin and extension lines must be str")
    text = "\n".join(lines) + "\n"
    try:
        cp = parse_checkpoint(text)
    except CheckpointError as e:
        raise MalformedError(f"cannot format checkpoint: {e.message}") from None
    # A newline inside the origin or an extension would shift the lines.
    if (cp.origin, cp.root, cp.extensions) != (origin, root, tuple(extensions)):
        raise MalformedError("origin and extension lines must not contain a newline")
    return text
