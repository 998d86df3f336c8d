"""Trust material: the log's verifier keys and the TSA trust roots (docs/design/EVIDENCE-FORMAT.md
§4-5).

The caller passes it in; nothing is discovered. A bundle check, a log audit and a receipt
check all take it from here, so that they accept and refuse the same material.

Trust roots are PEM (one certificate or a bundle of them, such as an operating system's
``/etc/ssl/certs/ca-certificates.crt``) or DER. A certificate of a PEM bundle that cannot
be used (malformed, or refused by ``parse_certificate``: Debian's bundle holds roots with a
zero serial number) is skipped and named in ``TrustRoots.skipped``, never a hard stop;
``ledger-verify`` prints each as a warning. A file that holds no certificate at all, or
no usable one, is unusable trust material: ``MalformedError``.
"""

from __future__ import annotations

import base64
import binascii
import functools
import re
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from cryptography.utils import CryptographyDeprecationWarning

from verifier.checkpoint import parse_vkey
from verifier.errors import MalformedError, first_line

if TYPE_CHECKING:
    from cryptography import x509

_NOT_POSITIVE = "its serial number is not positive (RFC 5280 §4.1.2.2)"
_PEM = re.compile(rb"-----BEGIN CERTIFICATE-----\r?\n(.*?)-----END CERTIFICATE-----", re.S)


def trusted_keys(vkeys: object, what: str = "log_keys") -> list[str]:
    """The trusted verifier keys, checked: a non-empty list of valid key strings
    (``MalformedError`` naming the bad one)."""
    if isinstance(vkeys, str) or not isinstance(vkeys, list | tuple) or not vkeys:
        raise MalformedError(f"{what} must be a non-empty list of verifier keys")
    for key in vkeys:
        parse_vkey(key)
    return list(vkeys)


@functools.cache
def certificate_errors() -> tuple[type[BaseException], ...]:
    """What cryptography raises, besides ValueError, on a certificate it cannot read. Its
    deprecation warning (a serial number that is not positive) is made an error here
    whatever the warning filters, so that no library warning reaches the terminal."""
    # cryptography.x509 is imported on first use: a log audit without anchors needs none
    # of it, and it is a fifth of the verifier's start-up.
    from cryptography import x509
    from cryptography.exceptions import UnsupportedAlgorithm

    return (
        x509.InvalidVersion,
        x509.DuplicateExtension,
        x509.UnsupportedGeneralNameType,
        UnsupportedAlgorithm,
        CryptographyDeprecationWarning,
    )


def parse_certificate(der: bytes) -> x509.Certificate:
    """A DER certificate whose fields the verifier reads are parsed (cryptography parses
    lazily), or ``ValueError`` saying why not: malformed, a serial number that is not
    positive (RFC 5280 §4.1.2.2), a validity that ends before it starts."""
    from cryptography import x509  # see certificate_errors

    errors = certificate_errors()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", CryptographyDeprecationWarning)
            cert = x509.load_der_x509_certificate(der)
            if cert.serial_number <= 0:
                raise ValueError(_NOT_POSITIVE)
            for name in (cert.subject, cert.issuer):
                name.public_bytes()
            if cert.not_valid_before_utc > cert.not_valid_after_utc:
                raise ValueError("its validity ends before it starts")
            len(cert.extensions)
    except errors as e:  # ValueError passes through as it is
        # cryptography refuses, as a warning made an error, the serial number checked above
        serial = isinstance(e, CryptographyDeprecationWarning) and "serial number" in str(e)
        raise ValueError(_NOT_POSITIVE if serial else first_line(e)) from None
    return cert


@dataclass(frozen=True, slots=True)
class TrustRoots:
    """The usable trust roots, and why each certificate that was not usable was skipped."""

    certificates: tuple[x509.Certificate, ...]
    skipped: tuple[str, ...] = ()

    def __len__(self) -> int:
        return len(self.certificates)


def load_roots(items: Sequence[bytes] | TrustRoots, names: Sequence[str] = ()) -> TrustRoots:
    """Trust roots from PEM (bundles allowed) or DER bytes; ``names`` (file names, say)
    label them in messages. See the module docstring for what is skipped and refused."""
    if isinstance(items, TrustRoots):
        return items
    given: object = items  # checked: callers are not all typed
    if isinstance(given, bytes | str) or not isinstance(given, list | tuple):
        raise MalformedError("trust_roots must be a list of PEM or DER bytes")
    certificates: list[x509.Certificate] = []
    skipped: list[str] = []
    for n, data in enumerate(items):
        label = f"trust root {n}" + (f" ({names[n]})" if n < len(names) else "")
        if not isinstance(data, bytes):
            raise MalformedError(f"{label} must be bytes, not {type(data).__name__}")
        if b"-----BEGIN" in data:
            usable, unusable = _pem_bundle(data, label)
            certificates += usable
            skipped += unusable
        else:
            try:
                certificates.append(parse_certificate(data))
            except ValueError as e:
                raise MalformedError(f"{label} is not a PEM or DER certificate: {e}") from None
    return TrustRoots(tuple(certificates), tuple(skipped))


def _pem_bundle(data: bytes, label: str) -> tuple[list[x509.Certificate], list[str]]:
    blocks = _PEM.findall(data)
    if not blocks:
        raise MalformedError(f"{label} is not a PEM or DER certificate: no PEM certificate in it")
    usable, skipped = [], []
    for k, block in enumerate(blocks):
        try:
            der = base64.b64decode(re.sub(rb"\s+", b"", block), validate=True)
            usable.append(parse_certificate(der))
        except (ValueError, binascii.Error) as e:
            name = _subject_of(block)
            skipped.append(f"{label}: certificate {k}{name} skipped: {first_line(e)}")
    if not usable:
        raise MalformedError(f"{label} holds no usable certificate: {'; '.join(skipped)}")
    return usable, skipped


def _subject_of(block: bytes) -> str:
    """`` (CN=...)`` for a certificate that could not be used, if its subject can be read."""
    from cryptography import x509  # see certificate_errors

    unreadable: tuple[type[BaseException], ...] = (
        ValueError,
        binascii.Error,
        *certificate_errors(),
    )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", CryptographyDeprecationWarning)
            der = base64.b64decode(re.sub(rb"\s+", b"", block))
            return f" ({x509.load_der_x509_certificate(der).subject.rfc4514_string()})"
    except unreadable:
        return ""
