"""Signed notes and checkpoints: C2SP vectors, round trips, and every way to be malformed.

Vectors: tests/data/vectors/signed-note.json (golang/mod, transparency-dev/formats, C2SP;
see its README for licences). Real Ed25519 throughout, no mocks.
"""

from __future__ import annotations

import base64
import contextlib
import re
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.vectors import cases, load
from verifier.checkpoint import (
    MAX_NOTE_BYTES,
    MAX_SIGNATURES,
    Checkpoint,
    NoteSigner,
    ed25519_key_id,
    format_checkpoint,
    note_signatures,
    open_note,
    parse_checkpoint,
    parse_vkey,
    sign_note,
    verify,
    vkey_from_public,
)
from verifier.errors import CheckpointError, MalformedError, SignatureError, VerificationError

VECTORS = load("signed-note.json")
KEYS = VECTORS["signing_keys"]
SIGNER = NoteSigner.from_skey(KEYS["example.com/testlog"]["skey"])
VKEY = KEYS["example.com/testlog"]["vkey"]
PETER = NoteSigner.from_skey(KEYS["PeterNeumann"]["skey"])
PETER_VKEY = KEYS["PeterNeumann"]["vkey"]

ROOT = bytes.fromhex("5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328")
TEXT = format_checkpoint("example.com/testlog", 8, ROOT)
LINE = SIGNER.signature_line(TEXT)
NOTE = TEXT + "\n" + LINE
ROOT64 = base64.b64encode(ROOT).decode()


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def sig_line(name: str, raw: bytes) -> str:
    return f"— {name} {b64(raw)}\n"


def raw_sig(line: str) -> bytes:
    """The decoded bytes (key ID || signature) of a signature line."""
    return base64.b64decode(line.rstrip("\n").rsplit(" ", 1)[1])


def flip(raw: bytes, bit: int) -> bytes:
    data = bytearray(raw)
    data[bit // 8] ^= 1 << (bit % 8)
    return bytes(data)


def noncanonical(b64text: str) -> str:
    """The same bytes with an unused bit set in the last character before the padding."""
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    data = b64text.rstrip("=")
    assert len(data) < len(b64text), "needs padding, so that the last character has spare bits"
    last = alphabet[alphabet.index(data[-1]) ^ 1]
    return data[:-1] + last + b64text[len(data) :]


# --- vectors -------------------------------------------------------------------------


@pytest.mark.parametrize("c", cases("signed-note.json"), ids=lambda c: c["id"])
def test_vectors_verify(c: dict[str, Any]) -> None:
    assert c["expected"] == "valid"
    if c["kind"] == "note":
        assert open_note(c["note"], [c["vkey"]]) == c["text"]
        return
    cp = verify(c["note"], [c["vkey"]])
    want = c["checkpoint"]
    assert (cp.origin, cp.size, cp.root.hex()) == (
        want["origin"],
        want["tree_size"],
        want["root_hex"],
    )
    assert cp.extensions == ()
    assert c["note"].startswith(cp.text + "\n— ")


@pytest.mark.parametrize("c", VECTORS["signing"], ids=lambda c: c["id"])
def test_signing_vectors_reproduce_the_note(c: dict[str, Any]) -> None:
    signer = NoteSigner.from_skey(c["skey"])
    assert sign_note(c["text"], [signer]) == c["note"]
    assert signer.skey == c["skey"]


@pytest.mark.parametrize("name", sorted(KEYS))
def test_signing_keys_give_their_verifier_keys(name: str) -> None:
    signer = NoteSigner.from_skey(KEYS[name]["skey"])
    assert signer.vkey == KEYS[name]["vkey"]
    assert vkey_from_public(name, signer.verifier.public_key) == KEYS[name]["vkey"]
    assert parse_vkey(KEYS[name]["vkey"]) == signer.verifier


def test_key_id_is_the_c2sp_formula() -> None:
    # c2sp-signed-note-example: example.com/foo+530d903a
    key = parse_vkey("example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k")
    assert ed25519_key_id("example.com/foo", key.public_key) == bytes.fromhex("530d903a")


def test_sumdb_origin_need_not_match_key_name() -> None:
    c = next(c for c in cases("signed-note.json") if c["id"] == "sumdb-checkpoint")
    assert verify(c["note"], [c["vkey"]]).origin == "go.sum database tree"


def test_note_signatures_lists_every_line() -> None:
    c = next(c for c in cases("signed-note.json") if c["id"].endswith("with-cosignatures"))
    sigs = note_signatures(c["note"])
    assert [s.name for s in sigs] == ["sum.golang.org", "monkeys", "bananas", "witness"]
    assert all(len(s.key_id) == 4 for s in sigs)
    assert str(sigs[0]) == "sum.golang.org+" + sigs[0].key_id.hex()


# --- round trips, rotation, unknown signatures ----------------------------------------


def test_round_trip_with_a_new_key() -> None:
    signer = NoteSigner.generate("log.example/evidence")
    text = format_checkpoint("log.example/evidence", 2**64 - 1, bytes(32), ["ext one", "x"])
    note = sign_note(text, [signer])
    cp = verify(note, [signer.vkey])
    assert cp == Checkpoint("log.example/evidence", 2**64 - 1, bytes(32), ("ext one", "x"), text)
    assert cp == parse_checkpoint(text)
    assert NoteSigner.from_skey(signer.skey).vkey == signer.vkey
    assert "PRIVATE" not in repr(signer)


def test_rotation_both_keys_sign_and_either_verifies() -> None:
    old, new = NoteSigner.generate("log.example"), NoteSigner.generate("log.example")
    note = sign_note(TEXT, [old, new])
    assert [s.key_id for s in note_signatures(note)] == [old.key_id, new.key_id]
    for vkeys in ([old.vkey], [new.vkey], [old.vkey, new.vkey], [new.vkey, VKEY]):
        assert verify(note, vkeys).text == TEXT


def test_unknown_signatures_are_ignored() -> None:
    # A known name with another ID, another name with the known ID, and a non-Ed25519
    # length: all unknown, so all ignored (signed-note: MUST ignore them).
    other_id = sig_line(SIGNER.name, b"\x00\x00\x00\x00" + bytes(64))
    other_name = sig_line("other", SIGNER.key_id + bytes(7))
    note = TEXT + "\n" + other_id + PETER.signature_line(TEXT) + LINE + other_name
    assert open_note(note, [VKEY]) == TEXT
    assert open_note(note, [PETER_VKEY, VKEY]) == TEXT


def test_repeated_and_duplicate_keys_are_fine() -> None:
    assert open_note(NOTE + LINE, [VKEY, VKEY]) == TEXT


def test_the_limit_of_signatures_is_accepted() -> None:
    unknown = sig_line("other", bytes(68))
    note = TEXT + "\n" + unknown * (MAX_SIGNATURES - 1) + LINE
    assert open_note(note, [VKEY]) == TEXT


def test_text_may_hold_blank_lines_and_signature_like_lines() -> None:
    text = "a\n\n— example.com/testlog AAAAAAAA\n\n"
    assert open_note(sign_note(text, [SIGNER]), [VKEY]) == text


@pytest.mark.parametrize("char", ["\x85", "\x9f", "\u2028", "\u2029", "\ufeff", "é—"])
def test_characters_the_spec_allows(char: str) -> None:
    # signed-note forbids ASCII controls (but newline); U+0085 and U+2028
    # must not be taken for line breaks.
    text = format_checkpoint(f"log{char}", 1, ROOT, [f"ext{char}ext"])
    cp = verify(sign_note(text, [SIGNER]), [VKEY])
    assert (cp.origin, cp.extensions) == (f"log{char}", (f"ext{char}ext",))


# --- malformed notes -----------------------------------------------------------------

BAD_LINE = sig_line(SIGNER.name, flip(raw_sig(LINE), 8 * 10))
FORGED = sig_line(SIGNER.name, SIGNER.key_id + raw_sig(PETER.signature_line(TEXT))[4:])
UNKNOWN = sig_line("other", bytes(68))
FLIPPED_TEXT = TEXT.replace("8", "9", 1)

BAD_NOTES = [
    ("missing final newline", NOTE[:-1], CheckpointError, "does not end with a newline"),
    ("no blank line", TEXT + LINE, CheckpointError, "no blank line"),
    ("no signatures", TEXT + "\n", CheckpointError, "no signature lines"),
    ("empty last signature line", NOTE + "\n", CheckpointError, "no signature lines"),
    ("blank line among signatures", NOTE + "\n" + UNKNOWN, SignatureError, "no signature by"),
    ("only text", TEXT, CheckpointError, "no blank line"),
    ("empty", "", CheckpointError, "does not end with a newline"),
    ("only a newline", "\n", CheckpointError, "no blank line"),
    ("hyphen for em dash", NOTE.replace("—", "-"), CheckpointError, "does not start with"),
    ("en dash for em dash", NOTE.replace("—", "–"), CheckpointError, "does not start with"),
    ("no space after dash", NOTE.replace("— ", "—"), CheckpointError, "does not start with"),
    ("two spaces after dash", NOTE.replace("— ", "—  "), CheckpointError, "empty or contains"),
    ("no signature after name", TEXT + "\n— example.com/testlog\n", CheckpointError, "no room"),
    ("space at line end", NOTE[:-1] + " \n", CheckpointError, "not canonical base64"),
    ("text after signatures", NOTE + "trailer\n", CheckpointError, "does not start with"),
    ("bad base64", NOTE.replace(LINE[-6:], "!!!!=\n"), CheckpointError, "not canonical base64"),
    ("unpadded base64", NOTE.replace("=\n", "\n"), CheckpointError, "not canonical base64"),
    (
        "non-canonical base64",
        TEXT + "\n" + LINE[:-1].rsplit(" ", 1)[0] + " " + noncanonical(b64(raw_sig(LINE))) + "\n",
        CheckpointError,
        "not canonical base64",
    ),
    ("short signature", TEXT + "\n" + sig_line("x", bytes(4)), CheckpointError, "no room"),
    ("name with plus", TEXT + "\n" + sig_line("a+b", bytes(68)), CheckpointError, "'+'"),
    ("name with nbsp", TEXT + "\n" + sig_line("a\xa0b", bytes(68)), CheckpointError, "space"),
    (
        "ed25519 signature of 63 bytes",
        TEXT + "\n" + sig_line(SIGNER.name, raw_sig(LINE)[:-1]),
        SignatureError,
        "does not verify",
    ),
    (
        "wrong key id",
        TEXT + "\n" + sig_line(SIGNER.name, b"\xff" * 4 + raw_sig(LINE)[4:]),
        SignatureError,
        "no signature by a trusted key",
    ),
    ("flipped signature bit", TEXT + "\n" + BAD_LINE, SignatureError, "does not verify"),
    ("flipped text", FLIPPED_TEXT + "\n" + LINE, SignatureError, "does not verify"),
    ("signature by another key", TEXT + "\n" + FORGED, SignatureError, "does not verify"),
    ("bad known sig before good", TEXT + "\n" + BAD_LINE + LINE, SignatureError, "not verify"),
    ("bad known sig after good", NOTE + BAD_LINE, SignatureError, "does not verify"),
    ("only unknown signatures", TEXT + "\n" + UNKNOWN, SignatureError, "expected one of"),
    ("carriage return", NOTE.replace("\n", "\r\n"), CheckpointError, "control character"),
    ("tab", "a\tb\n\n" + LINE, CheckpointError, "control character '\\t'"),
    ("nul", "a\x00\n\n" + LINE, CheckpointError, "control character"),
    ("unit separator", "a\x1f\n\n" + LINE, CheckpointError, "control character"),
    ("delete", "a\x7fb\n\n" + LINE, CheckpointError, "control character"),
    ("escape in signature", NOTE.replace(" ", " \x1b", 1), CheckpointError, "control"),
    ("lone surrogate", "a\ud800\n\n" + LINE, CheckpointError, "not valid UTF-8"),
    (
        "too many signatures",
        TEXT + "\n" + UNKNOWN * MAX_SIGNATURES + LINE,
        CheckpointError,
        f"at most {MAX_SIGNATURES}",
    ),
    ("too big", "a" * MAX_NOTE_BYTES + "\n\n" + LINE, CheckpointError, "more than"),
    ("too big in UTF-8", "é" * MAX_NOTE_BYTES + "\n\n" + LINE, CheckpointError, "more than"),
    ("None", None, CheckpointError, "must be str, not NoneType"),
    ("int", 5, CheckpointError, "must be str, not int"),
    ("bytes", NOTE.encode(), CheckpointError, "must be str, not bytes"),
    ("list", [NOTE], CheckpointError, "must be str, not list"),
]


@pytest.mark.parametrize(
    ("note", "error", "message"), [pytest.param(*c[1:], id=c[0]) for c in BAD_NOTES]
)
def test_malformed_notes_are_refused(note: object, error: type[Exception], message: str) -> None:
    with pytest.raises(error) as info:
        open_note(note, [VKEY])  # type: ignore[arg-type]
    assert message in str(info.value)
    with pytest.raises(error):
        verify(note, [VKEY])  # type: ignore[arg-type]


def test_no_verifying_signature_says_what_was_expected_and_present() -> None:
    with pytest.raises(SignatureError) as info:
        open_note(TEXT + "\n" + PETER.signature_line(TEXT), [VKEY])
    assert info.value.expected == ["example.com/testlog+d1ee829b"]
    assert info.value.actual == ["PeterNeumann+c74f20a3"]
    assert "example.com/testlog+d1ee829b" in str(info.value)
    assert "PeterNeumann+c74f20a3" in str(info.value)


def test_no_keys_at_all() -> None:
    with pytest.raises(SignatureError, match="no keys"):
        open_note(NOTE, [])


# --- malformed verifier keys ---------------------------------------------------------

KEY64 = VKEY.rsplit("+", 1)[1]
PUBLIC = base64.b64decode(KEY64)[1:]


def vkey_of(name: str, type_byte: int, public: bytes) -> str:
    """A verifier key with a correctly computed ID for whatever is passed."""
    key = bytes([type_byte]) + public
    return f"{name}+{ed25519_key_id(name, public).hex()}+{b64(key)}"


BAD_VKEYS = [
    ("None list", None, "must be a list"),
    ("a single str", VKEY, "must be a list"),
    ("a dict", {VKEY: 1}, "must be a list"),
    ("a set", {VKEY}, "must be a list"),
    ("an int", 1, "must be a list"),
    ("bytes", VKEY.encode(), "must be a list"),
    ("None in list", [None], "must be str"),
    ("bytes in list", [VKEY.encode()], "must be str"),
    ("int in list", [VKEY, 5], "must be str"),
    ("empty", [""], "empty"),
    ("garbage", ["garbage"], "not 8 lowercase hex"),
    ("three pluses", ["a+b+c"], "not 8 lowercase hex"),
    ("empty name", ["+" + VKEY.split("+", 1)[1]], "empty"),
    ("name with space", ["a b+d1ee829b+" + KEY64], "space"),
    ("uppercase id", [VKEY.replace("d1ee829b", "D1EE829B")], "lowercase hex"),
    ("short id", [VKEY.replace("d1ee829b", "d1ee829")], "lowercase hex"),
    ("long id", [VKEY.replace("d1ee829b", "d1ee829b0")], "lowercase hex"),
    ("signed id", [VKEY.replace("d1ee829b", "+1ee829b")], "lowercase hex"),
    ("wrong id", [VKEY.replace("d1ee829b", "d1ee829c")], "does not match"),
    ("other name", [VKEY.replace("example.com/testlog", "example.com/other")], "not match"),
    ("no key", ["example.com/testlog+d1ee829b+"], "not canonical base64"),
    ("bad base64", [VKEY + "!"], "not canonical base64"),
    ("extra padding", [VKEY + "="], "not canonical base64"),
    ("type 0x02", [vkey_of("k", 2, PUBLIC)], "0x02 is not Ed25519"),
    ("type 0x00", [vkey_of("k", 0, PUBLIC)], "0x00 is not Ed25519"),
    ("31-byte key", [vkey_of("k", 1, PUBLIC[:31])], "31 bytes, expected 32"),
    ("33-byte key", [vkey_of("k", 1, PUBLIC + b"\0")], "33 bytes, expected 32"),
    ("lone surrogate", ["a\ud800+d1ee829b+" + KEY64], "control character"),
    ("huge", ["x" * 10_000_000], "not 8 lowercase hex"),
    ("skey given", [KEYS["example.com/testlog"]["skey"]], "not 8 lowercase hex"),
]


@pytest.mark.parametrize(("vkeys", "message"), [pytest.param(*c[1:], id=c[0]) for c in BAD_VKEYS])
def test_malformed_verifier_keys_are_refused(vkeys: object, message: str) -> None:
    with pytest.raises(MalformedError) as info:
        open_note(NOTE, vkeys)  # type: ignore[arg-type]
    assert message in str(info.value)
    with pytest.raises(MalformedError):
        verify(NOTE, vkeys)  # type: ignore[arg-type]


def test_parse_vkey_refuses_non_str() -> None:
    with pytest.raises(MalformedError, match="must be str"):
        parse_vkey(b"x")  # type: ignore[arg-type]


# --- malformed checkpoint texts (validly signed) ---------------------------------------

MAX = str(2**64 - 1)
URLSAFE = base64.urlsafe_b64encode(b"\xff" * 32).decode()
BAD_CHECKPOINTS = [
    ("two lines", f"log\n{ROOT64}\n", "2 lines"),
    ("one line", "log\n", "1 lines"),
    ("empty origin", f"\n8\n{ROOT64}\n", "line 1 (origin) is empty"),
    ("empty size", f"log\n\n{ROOT64}\n", "line 2 (tree size) is empty"),
    ("empty line before extension", f"log\n8\n{ROOT64}\n\next\n", "line 4 (extension)"),
    ("empty last extension", f"log\n8\n{ROOT64}\next\n\n", "line 5 (extension)"),
    ("leading zero", f"log\n08\n{ROOT64}\n", "tree size '08'"),
    ("zero zero", f"log\n00\n{ROOT64}\n", "tree size"),
    ("plus sign", f"log\n+5\n{ROOT64}\n", "tree size"),
    ("minus one", f"log\n-1\n{ROOT64}\n", "tree size"),
    ("leading space", f"log\n 5\n{ROOT64}\n", "tree size"),
    ("trailing space", f"log\n5 \n{ROOT64}\n", "tree size"),
    ("underscore", f"log\n1_0\n{ROOT64}\n", "tree size"),
    ("arabic digit", f"log\n\u0665\n{ROOT64}\n", "tree size"),
    ("fullwidth digit", f"log\n\uff15\n{ROOT64}\n", "tree size"),
    ("hex", f"log\n0x10\n{ROOT64}\n", "tree size"),
    ("decimal point", f"log\n5.0\n{ROOT64}\n", "tree size"),
    ("2^64", f"log\n{2**64}\n{ROOT64}\n", "tree size"),
    ("huge size", f"log\n{'9' * 5000}\n{ROOT64}\n", "tree size"),
    ("root of 31 bytes", f"log\n8\n{b64(ROOT[:31])}\n", "root hash"),
    ("root of 33 bytes", f"log\n8\n{b64(ROOT + ROOT[:1])}\n", "root hash"),
    ("root of 0 bytes", "log\n8\n=\n", "root hash"),
    ("root non-canonical", f"log\n8\n{noncanonical(ROOT64)}\n", "root hash"),
    ("root unpadded", f"log\n8\n{ROOT64.rstrip('=')}\n", "root hash"),
    ("root url-safe", f"log\n8\n{URLSAFE}\n", "root hash"),
    ("root hex", f"log\n8\n{ROOT.hex()}\n", "root hash"),
    ("root with space", f"log\n8\n {ROOT64}\n", "root hash"),
]


@pytest.mark.parametrize(
    ("text", "message"), [pytest.param(*c[1:], id=c[0]) for c in BAD_CHECKPOINTS]
)
def test_malformed_checkpoints_are_refused(text: str, message: str) -> None:
    with pytest.raises(CheckpointError) as info:
        parse_checkpoint(text)
    assert message in str(info.value)
    note = sign_note(text, [SIGNER])
    assert open_note(note, [VKEY]) == text  # a fine note, just not a checkpoint
    with pytest.raises(CheckpointError, match=re.escape(message)):
        verify(note, [VKEY])


@pytest.mark.parametrize(
    "text", [TEXT[:-1], TEXT.replace("\n", "\r\n"), "log\n8\x00\n" + ROOT64 + "\n", None, 8]
)
def test_parse_checkpoint_checks_the_text(text: object) -> None:
    with pytest.raises(CheckpointError):
        parse_checkpoint(text)  # type: ignore[arg-type]


def test_largest_size_and_empty_tree() -> None:
    assert parse_checkpoint(f"log\n{MAX}\n{ROOT64}\n").size == 2**64 - 1
    assert parse_checkpoint(f"log\n0\n{ROOT64}\n").size == 0


# --- building and signing: bad input ---------------------------------------------------

BAD_FORMATS: list[tuple[str, tuple[Any, ...]]] = [
    ("empty origin", ("", 1, ROOT)),
    ("origin with newline", ("a\nb", 1, ROOT)),
    ("origin shifting lines", ("a\n1", 1, ROOT)),
    ("origin None", (None, 1, ROOT)),
    ("origin with cr", ("a\r", 1, ROOT)),
    ("negative size", ("log", -1, ROOT)),
    ("size 2^64", ("log", 2**64, ROOT)),
    ("huge size", ("log", 10**5000, ROOT)),
    ("bool size", ("log", True, ROOT)),
    ("str size", ("log", "5", ROOT)),
    ("float size", ("log", 5.0, ROOT)),
    ("root 31 bytes", ("log", 1, ROOT[:31])),
    ("root str", ("log", 1, ROOT64)),
    ("root bytearray", ("log", 1, bytearray(ROOT))),
    ("extensions str", ("log", 1, ROOT, "ext")),
    ("empty extension", ("log", 1, ROOT, [""])),
    ("extension with newline", ("log", 1, ROOT, ["a\nb"])),
    ("extension int", ("log", 1, ROOT, [5])),
    ("extension with tab", ("log", 1, ROOT, ["a\tb"])),
]


@pytest.mark.parametrize("args", [pytest.param(c[1], id=c[0]) for c in BAD_FORMATS])
def test_format_checkpoint_refuses_bad_input(args: tuple[Any, ...]) -> None:
    with pytest.raises(MalformedError):
        format_checkpoint(*args)


@pytest.mark.parametrize(
    ("text", "signers"),
    [
        pytest.param("", [SIGNER], id="empty text"),
        pytest.param("no newline", [SIGNER], id="no final newline"),
        pytest.param("a\x00\n", [SIGNER], id="control character"),
        pytest.param(None, [SIGNER], id="text None"),
        pytest.param(TEXT, [], id="no signers"),
        pytest.param(TEXT, SIGNER, id="signer not in a list"),
        pytest.param(TEXT, [None], id="not a signer"),
        pytest.param(TEXT, [SIGNER, SIGNER], id="same signer twice"),
        pytest.param(TEXT, [SIGNER] * (MAX_SIGNATURES + 1), id="too many signers"),
        pytest.param("a" * MAX_NOTE_BYTES + "\n", [SIGNER], id="note too big"),
    ],
)
def test_sign_note_refuses_bad_input(text: Any, signers: Any) -> None:
    with pytest.raises(VerificationError):
        sign_note(text, signers)


SECRET_SEED = KEYS["example.com/testlog"]["skey"].rsplit("+", 1)[1]


@pytest.mark.parametrize(
    "skey",
    [
        "",
        VKEY,
        f"PRIVATE+KEY+example.com/testlog+d1ee829c+{SECRET_SEED}",
        f"PRIVATE+KEY+example.com/other+d1ee829b+{SECRET_SEED}",
        f"PRIVATE+KEY+example.com/testlog+D1EE829B+{SECRET_SEED}",
        f"PRIVATE+KEY+example.com/testlog+d1ee829b+{SECRET_SEED[:-1]}",
        f"PRIVATE+KEY+example.com/testlog+d1ee829b+{SECRET_SEED.replace('A', 'B', 1)}",
        f"PRIVATE+KEY+a b+d1ee829b+{SECRET_SEED}",
        f"private+key+example.com/testlog+d1ee829b+{SECRET_SEED}",
        None,
    ],
)
def test_from_skey_refuses_bad_keys_without_quoting_them(skey: Any) -> None:
    with pytest.raises(MalformedError) as info:
        NoteSigner.from_skey(skey)
    assert SECRET_SEED[1:20] not in str(info.value)


def test_signer_and_vkey_constructors_refuse_bad_input() -> None:
    key = Ed25519PrivateKey.generate()
    for name in ["", "a b", "a+b", "a\nb", None]:
        with pytest.raises(MalformedError):
            NoteSigner(name, key)  # type: ignore[arg-type]
        with pytest.raises(MalformedError):
            vkey_from_public(name, PUBLIC)  # type: ignore[arg-type]
    with pytest.raises(MalformedError):
        NoteSigner("log", "not a key")  # type: ignore[arg-type]
    with pytest.raises(MalformedError):
        vkey_from_public("log", PUBLIC[:31])
    with pytest.raises(VerificationError):
        SIGNER.signature_line("no newline")


# --- properties ----------------------------------------------------------------------

TWO_SIGNED = sign_note(format_checkpoint("example.com/testlog", 8, ROOT, ["ext"]), [PETER, SIGNER])
TWO_SIGNED_TEXT = TWO_SIGNED.split("\n\n")[0] + "\n"
SPECIAL = st.sampled_from(
    [
        *("\n", "\n\n", "—", "— ", " ", "+", "=", "/", "A", "0", "\x00", "\r", "\t"),
        *("\x7f", "\x85", "\u2028", "\ud800", "é", "example.com/testlog", "\n— x AAAAAAA=\n"),
    ]
)
EDIT_TEXT = st.one_of(SPECIAL, st.text(max_size=3))
ANY_OBJECT = st.one_of(
    st.none(),
    st.integers(),
    st.floats(),
    st.binary(max_size=50),
    st.text(max_size=50),
    st.lists(st.text(max_size=20), max_size=3),
    st.lists(st.binary(max_size=20), max_size=3),
    st.dictionaries(st.text(max_size=5), st.text(max_size=5), max_size=2),
)


@st.composite
def mutated(draw: st.DrawFn, original: str) -> str:
    """``original`` after one to three insertions, deletions or replacements."""
    value = original
    for _ in range(draw(st.integers(1, 3))):
        start = draw(st.integers(0, len(value)))
        end = draw(st.integers(start, min(len(value), start + 4)))
        value = value[:start] + draw(EDIT_TEXT) + value[end:]
    return value


def opens_to_original_or_refuses(note: object, vkeys: object, original: str) -> None:
    try:
        text = open_note(note, vkeys)  # type: ignore[arg-type]
    except VerificationError:
        return
    assert text == original


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=200), mutated(NOTE)))
def test_random_notes_never_raise_anything_else(note: str) -> None:
    opens_to_original_or_refuses(note, [VKEY], TEXT)
    with contextlib.suppress(VerificationError):
        verify(note, [VKEY])


@settings(max_examples=300, deadline=None)
@given(mutated(TWO_SIGNED))
def test_mutated_notes_never_verify_another_text(note: str) -> None:
    opens_to_original_or_refuses(note, [VKEY], TWO_SIGNED_TEXT)
    opens_to_original_or_refuses(note, [PETER_VKEY, VKEY], TWO_SIGNED_TEXT)


@settings(max_examples=200, deadline=None)
@given(ANY_OBJECT, ANY_OBJECT)
def test_any_python_values_raise_only_verification_errors(note: object, vkeys: object) -> None:
    for args in [(note, vkeys), (note, [VKEY]), (NOTE, vkeys), (NOTE, [vkeys])]:
        opens_to_original_or_refuses(*args, TEXT)
        with contextlib.suppress(VerificationError):
            verify(*args)  # type: ignore[arg-type]


@settings(max_examples=200, deadline=None)
@given(st.one_of(mutated(VKEY), st.text(max_size=100)))
def test_mutated_vkeys_are_refused(vkey: str) -> None:
    try:
        key = parse_vkey(vkey)
    except MalformedError:
        return
    assert key.vkey == VKEY == vkey


LINE_CHARS = st.characters(codec="utf-8", exclude_categories=["Cc"])


@settings(max_examples=100, deadline=None)
@given(
    st.text(LINE_CHARS, min_size=1, max_size=40),
    st.integers(0, 2**64 - 1),
    st.binary(min_size=32, max_size=32),
    st.lists(st.text(LINE_CHARS, min_size=1, max_size=20), max_size=3),
)
def test_checkpoints_round_trip(origin: str, size: int, root: bytes, ext: list[str]) -> None:
    text = format_checkpoint(origin, size, root, ext)
    cp = verify(sign_note(text, [SIGNER]), [VKEY])
    assert cp == Checkpoint(origin, size, root, tuple(ext), text)
