"""Trust material (verifier.trust): verifier keys, and trust roots read from PEM bundles
such as an operating system's, where a certificate that cannot be used (a zero serial
number, as in Debian's ca-certificates.crt) is skipped and named, never a hard stop."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from tests.bundles import stamper, zero_serial_root
from verifier.checkpoint import NoteSigner
from verifier.errors import MalformedError
from verifier.trust import TrustRoots, load_roots, trusted_keys


@pytest.fixture(scope="module")
def zero_serial(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    return zero_serial_root(tmp_path_factory.mktemp("zero"))


@pytest.fixture(scope="module")
def tsa_root() -> Iterator[bytes]:
    with stamper() as tsa:
        yield tsa.root_pem


def test_a_bundle_with_an_unusable_certificate_skips_it_and_names_it(
    zero_serial: bytes, tsa_root: bytes
) -> None:
    roots = load_roots([zero_serial + tsa_root], names=["ca-bundle.pem"])
    assert len(roots) == 1
    assert roots.certificates[0].public_bytes(serialization.Encoding.PEM) == tsa_root
    assert roots.skipped == (
        "trust root 0 (ca-bundle.pem): certificate 0 (CN=Zero Serial Root) skipped: its "
        "serial number is not positive (RFC 5280 §4.1.2.2)",
    )


def test_the_systems_bundle_is_usable_if_there_is_one() -> None:
    system = Path("/etc/ssl/certs/ca-certificates.crt")
    if not system.exists():  # the test above covers the rule with a generated bundle
        return
    roots = load_roots([system.read_bytes()])
    assert len(roots) > 50
    assert all("skipped" in reason for reason in roots.skipped)


@pytest.mark.parametrize(
    ("items", "message"),
    [
        ([b"not a certificate"], "trust root 0 is not a PEM or DER certificate"),
        ([b"-----BEGIN nothing-----"], "no PEM certificate in it"),
        (b"raw bytes", "trust_roots must be a list of PEM or DER bytes"),
        (["text"], "trust root 0 must be bytes"),
    ],
)
def test_unusable_trust_roots_are_refused(items: object, message: str) -> None:
    with pytest.raises(MalformedError, match=message):
        load_roots(items)  # type: ignore[arg-type]


def test_a_bundle_of_unusable_certificates_only_is_refused(zero_serial: bytes) -> None:
    with pytest.raises(MalformedError, match=r"holds no usable certificate: .*Zero Serial"):
        load_roots([zero_serial])


def test_der_and_loaded_roots(tsa_root: bytes) -> None:
    der = x509.load_pem_x509_certificate(tsa_root).public_bytes(serialization.Encoding.DER)
    roots = load_roots([der])
    assert len(roots) == 1
    assert load_roots(roots) is roots
    assert load_roots([]) == TrustRoots(())


def test_trusted_keys_are_a_non_empty_list_of_valid_keys() -> None:
    key = NoteSigner.generate("test").vkey
    assert trusted_keys([key]) == [key]
    for bad in ([], key, ["nope"], None):
        with pytest.raises(MalformedError):
            trusted_keys(bad)
