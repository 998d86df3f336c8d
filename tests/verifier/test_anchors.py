"""Anchors (verifier.anchors): the two checks a bundle and a log audit make of each RFC
3161 token, with a real development TSA."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from tests.bundles import Log, stamper
from verifier import anchors
from verifier.checkpoint import signed_text
from verifier.errors import CheckpointError, VerificationError
from verifier.trust import TrustRoots, load_roots


@dataclass(frozen=True)
class World:
    note: str
    token: bytes
    gen_time: str
    roots: TrustRoots


@pytest.fixture(scope="module")
def world() -> Iterator[World]:
    log = Log()
    log.fill(5)
    note = log.checkpoint(5)
    with stamper() as tsa:
        anchor = tsa.anchor(note)
        yield World(
            note, base64.b64decode(anchor["token"]), anchor["gen_time"], load_roots([tsa.root_pem])
        )


def test_a_token_verifies_and_covers_its_checkpoint(world: World) -> None:
    anchor = anchors.verify_anchor(world.token, world.gen_time, True, world.roots)
    assert anchor.development
    assert anchor.describe().endswith("; development TSA, not for evidence")
    imprint = anchors.token_imprint(world.token)
    assert imprint == ("sha256", anchors.text_digest(world.note))
    anchors.check_covers(imprint, [anchors.text_digest(world.note)], "this checkpoint")


def test_the_digest_is_of_the_signed_text(world: World) -> None:
    text = signed_text(world.note)
    assert world.note.startswith(text)
    assert text.endswith("\n")
    assert "— " not in text
    assert anchors.text_digest(world.note) == hashlib.sha256(text.encode()).digest()
    with pytest.raises(CheckpointError):
        anchors.text_digest("no blank line\n")


@pytest.mark.parametrize(
    ("gen_time", "roots", "reason"),
    [
        ("2020-01-01T00:00:00Z", None, "gen_time is not the token's genTime"),
        (None, None, "gen_time is not the token's genTime"),
        ("2026-01-01T00:00:00", None, "gen_time is not the token's genTime"),
        ("same", TrustRoots(()), "no TSA trust roots were given"),
    ],
)
def test_what_fails_the_anchor_token(
    world: World, gen_time: str | None, roots: TrustRoots | None, reason: str
) -> None:
    stated = world.gen_time if gen_time == "same" else gen_time
    with pytest.raises(VerificationError, match=reason):
        anchors.verify_anchor(world.token, stated, None, world.roots if roots is None else roots)


def test_a_token_over_another_text_does_not_cover_the_checkpoint(world: World) -> None:
    imprint = anchors.token_imprint(world.token)
    assert imprint is not None
    with pytest.raises(VerificationError, match="another text, not the checkpoint") as raised:
        anchors.check_covers(imprint, [bytes(32)], "the checkpoint")
    assert raised.value.actual == f"sha256 {imprint[1].hex()}"


@pytest.mark.parametrize("token", [b"", b"\x30\x03\x02\x01\x00", b"garbage"])
def test_an_unreadable_token_has_no_imprint(token: bytes) -> None:
    assert anchors.token_imprint(token) is None
