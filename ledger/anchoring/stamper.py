"""Time-stamping authorities: the ``TimeStamper`` interface and its HTTP client.

The request is built with rfc3161ng (SHA-256 imprint, a random nonce, ``certReq``
true); the exchange is plain HTTP with our own timeout, retries and headers, because
rfc3161ng's client neither checks PKIStatus nor reports why a TSA failed.

Redirects are never followed: a 3xx is a failed attempt that says so. urllib would
follow a 302 to a POST as a GET to wherever ``Location`` says, with the TSA's basic-auth
credentials and ``LEDGER_TSA_HEADERS``; the TSA is the URL the operator configured.
"""

from __future__ import annotations

import base64
import urllib.error
import urllib.parse
import urllib.request
from typing import Protocol

import rfc3161ng

MAX_REPLY_BYTES = 1024 * 1024


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """Every 3xx stays an ``HTTPError``: nothing is sent to a ``Location``."""

    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirects)


class TsaError(Exception):
    """A TSA could not be reached or answered unusably; ``reason`` says how."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class TimeStamper(Protocol):
    name: str

    def timestamp(self, digest: bytes, nonce: int) -> bytes:
        """The DER TimeStampResp for a SHA-256 ``digest`` (not yet validated)."""
        ...


def timestamp_request(digest: bytes, nonce: int) -> bytes:
    """RFC 3161 §2.4.1 TimeStampReq: SHA-256 imprint, nonce, certReq."""
    request = rfc3161ng.make_timestamp_request(
        digest=digest, hashname="sha256", include_tsa_certificate=True, nonce=nonce
    )
    return bytes(rfc3161ng.encode_timestamp_request(request))


class HTTPTimeStamper:
    """RFC 3161 over HTTP (§3.4): POST application/timestamp-query."""

    def __init__(
        self, url: str, timeout: float, retries: int, headers: dict[str, str] | None = None
    ) -> None:
        parts = urllib.parse.urlsplit(url)
        self.headers = {"Content-Type": "application/timestamp-query", **(headers or {})}
        if parts.username is not None:  # https://user:password@tsa/ → basic auth
            user, password = parts.username, parts.password or ""
            credentials = f"{urllib.parse.unquote(user)}:{urllib.parse.unquote(password)}"
            self.headers["Authorization"] = (
                "Basic " + base64.b64encode(credentials.encode()).decode()
            )
            netloc = parts.hostname + (f":{parts.port}" if parts.port else "")
            url = urllib.parse.urlunsplit(parts._replace(netloc=netloc))
        self.url, self.name = url, url
        self.timeout, self.retries = timeout, retries

    def timestamp(self, digest: bytes, nonce: int) -> bytes:
        body = timestamp_request(digest, nonce)
        failure = "no attempt"
        for _ in range(self.retries + 1):
            try:
                return self._post(body)
            except TsaError as e:
                failure = e.reason
        raise TsaError(failure)

    def _post(self, body: bytes) -> bytes:
        request = urllib.request.Request(self.url, data=body, headers=self.headers, method="POST")  # noqa: S310  the operator's configured TSA
        try:
            with _OPENER.open(request, timeout=self.timeout) as response:
                reply = response.read(MAX_REPLY_BYTES + 1)
        except urllib.error.HTTPError as e:
            if 300 <= e.code < 400:
                raise TsaError(
                    f"HTTP {e.code} from the TSA: a redirect, not followed "
                    "(configure the TSA's final URL)"
                ) from e
            raise TsaError(f"HTTP {e.code} from the TSA") from e
        except (urllib.error.URLError, TimeoutError, OSError) as e:
            reason = getattr(e, "reason", e)
            raise TsaError(f"TSA unreachable: {reason}") from e
        if len(reply) > MAX_REPLY_BYTES:
            raise TsaError("the TSA's reply is over 1 MiB")
        return reply
