"""Misbehaving time-stamping authorities for the fault-injection tests.

``FaultyTSA`` is the development TSA (``ledger.anchoring.devtsa.DevTSA``: real openssl,
real HTTP on loopback) answering as ``mode`` says; ``mode`` may be changed while it
runs. ``clock_offset`` shifts genTime (the TSTInfo is then assembled by ``DevTSA``'s
``cms_reply`` and signed by openssl). A TSA that is down is a URL where nothing
listens: ``refused_url()``. ``flip_signature_byte`` forges a reply.
"""

from __future__ import annotations

import hashlib
import secrets
import socket
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal, get_args

from asn1crypto import tsp

from ledger.anchoring.devtsa import REPLY_TYPE, DevTSA, DevTSAError, rejection

Mode = Literal[
    "ok",  # answer with what openssl made
    "slow",  # sleep ``delay`` seconds first
    "http500",  # HTTP 500, no reply
    "garbage",  # HTTP 200 with random bytes
    "rejection",  # a TimeStampResp with PKIStatus rejection and no token
    "wrong-nonce",  # a good token for the query with another nonce
    "wrong-imprint",  # a good token for the query with another message imprint
    "bad-signature",  # a good reply with one byte of the CMS signature flipped
]
MODES: tuple[str, ...] = get_args(Mode)


class FaultyTSA(DevTSA):
    """A development TSA that answers as ``mode`` says; ``delay`` is how long "slow"
    waits (``stop()`` ends the wait at once)."""

    def __init__(
        self,
        directory: Path,
        *,
        mode: Mode = "ok",
        delay: float = 5.0,
        clock_offset: float = 0.0,
        **kwargs: Any,
    ) -> None:
        super().__init__(directory, **kwargs)
        if mode not in MODES:
            raise DevTSAError(f"mode must be one of {MODES}, not {mode!r}")
        self.mode: Mode = mode
        self.delay = delay
        self.clock_offset = clock_offset

    def answer(self, query: bytes) -> tuple[int, str, bytes] | None:
        if self.mode == "slow" and self.stopping.wait(self.delay):
            return None  # stopping: drop the connection
        if self.mode == "http500":
            return 500, "text/plain; charset=utf-8", b"development TSA in http500 mode\n"
        if self.mode == "garbage":
            return 200, REPLY_TYPE, secrets.token_bytes(64)
        return super().answer(query)

    def reply(self, query: bytes) -> bytes:
        if self.mode == "rejection":
            return rejection("development TSA in rejection mode")
        if self.mode == "wrong-nonce":
            query = other_query(query, nonce=True)
        elif self.mode == "wrong-imprint":
            query = other_query(query, nonce=False)
        if self.clock_offset:  # openssl ts -reply stamps the present only
            reply = self.cms_reply(query, datetime.now(UTC) + timedelta(seconds=self.clock_offset))
        else:
            reply = super().reply(query)
        if self.mode == "bad-signature":
            reply = flip_signature_byte(reply)
        return reply


def other_query(query: bytes, *, nonce: bool) -> bytes:
    """The same query with another nonce, or with another message imprint."""
    try:
        request = tsp.TimeStampReq.load(query)
        if nonce:
            old = request["nonce"].native
            request["nonce"] = (old or 0) + 1 + secrets.randbelow(1 << 32)
        else:
            imprint = request["message_imprint"]
            old_hash = bytes(imprint["hashed_message"].native)
            other = hashlib.sha512(b"another message" + old_hash).digest()[: len(old_hash)]
            request["message_imprint"] = tsp.MessageImprint(
                {"hash_algorithm": imprint["hash_algorithm"].native, "hashed_message": other}
            )
        return bytes(request.dump(force=True))
    except (ValueError, TypeError, KeyError) as e:
        raise DevTSAError(f"cannot read the query: {e}") from e


def flip_signature_byte(reply: bytes) -> bytes:
    """``reply`` (a TimeStampResp) with the middle byte of its CMS signature inverted."""
    try:
        token = tsp.TimeStampResp.load(reply)["time_stamp_token"]
        signature = bytes(token["content"]["signer_infos"][0]["signature"].native)
    except (ValueError, TypeError, KeyError, IndexError) as e:
        raise DevTSAError(f"cannot find the signature of the reply: {e}") from e
    at = reply.rindex(signature) + len(signature) // 2
    return reply[:at] + bytes([reply[at] ^ 0xFF]) + reply[at + 1 :]


def refused_url() -> str:
    """A loopback URL where nothing listens: a TSA that is down."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/"
