"""The development TSA: its files, its HTTP server, its misbehaving modes, its command line.

Real openssl, real HTTP on loopback. Tokens are checked with ``verifier.timestamp``.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import rfc3161ng
from asn1crypto import cms, core, tsp
from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from ledger.anchoring.devtsa import (
    DEV_POLICY_OID,
    DEV_ROOT_LABEL,
    DEV_TSA_LABEL,
    HEADER,
    HEADER_VALUE,
    DevTSA,
    DevTSAError,
)
from tests.faulty_tsa import MODES, FaultyTSA, refused_url
from verifier.errors import TimestampError
from verifier.timestamp import verify

ROOT = Path(__file__).resolve().parent.parent.parent.parent
DIGEST = hashlib.sha256(b"checkpoint text\n").digest()


def query(digest: bytes = DIGEST, nonce: int | None = None, algorithm: str = "sha256") -> bytes:
    """A TimeStampReq built with asn1crypto (RFC 3161 §2.4.1), certReq true."""
    request = {
        "version": "v1",
        "message_imprint": {"hash_algorithm": {"algorithm": algorithm}, "hashed_message": digest},
        "cert_req": True,
    }
    if nonce is not None:
        request["nonce"] = nonce
    return bytes(tsp.TimeStampReq(request).dump())


def post(
    url: str, body: bytes, content_type: str = "application/timestamp-query", timeout: float = 10
) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, data=body, headers={"Content-Type": content_type})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310  loopback
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as e:
        with e:
            return e.code, dict(e.headers), e.read()


class TimeStampResp(core.Sequence):  # type: ignore[misc]
    """RFC 3161 §2.4.2: the token is OPTIONAL (asn1crypto's class requires it)."""

    _fields = [  # noqa: RUF012
        ("status", tsp.PKIStatusInfo),
        ("time_stamp_token", cms.ContentInfo, {"optional": True}),
    ]


def status_of(reply: bytes) -> str:
    return str(TimeStampResp.load(reply)["status"]["status"].native)


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("devtsa")


@pytest.fixture(scope="module")
def tsa(base: Path) -> Iterator[FaultyTSA]:
    with FaultyTSA.create(base / "rsa", "rsa") as running:
        yield running


# --- files -----------------------------------------------------------------------------


@pytest.mark.parametrize("key_type", ["rsa", "ec"])
def test_create_writes_labelled_certificates_and_private_keys(base: Path, key_type: str) -> None:
    made = DevTSA.create(base / f"files-{key_type}", key_type)  # type: ignore[arg-type]
    directory = made.directory
    for name in ("root.pem", "root.key", "tsa.pem", "tsa.key", "tsa.cnf", "README.txt"):
        assert (directory / name).is_file(), name
    assert (directory / "tsa.key").stat().st_mode & 0o777 == 0o600
    assert (directory / "root.key").stat().st_mode & 0o777 == 0o600
    assert DEV_TSA_LABEL in (directory / "README.txt").read_text(encoding="utf-8")
    assert DEV_TSA_LABEL in (directory / "tsa.cnf").read_text(encoding="utf-8")
    root = x509.load_pem_x509_certificate(made.root_certificate)
    cert = x509.load_pem_x509_certificate(made.tsa_pem.read_bytes())
    assert root.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == DEV_ROOT_LABEL
    assert cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == DEV_TSA_LABEL
    assert cert.issuer == root.subject
    root_bc = root.extensions.get_extension_for_class(x509.BasicConstraints)
    assert root_bc.critical
    assert root_bc.value.ca
    assert root.extensions.get_extension_for_class(x509.KeyUsage).value.key_cert_sign
    eku = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage)
    assert eku.critical
    assert list(eku.value) == [ExtendedKeyUsageOID.TIME_STAMPING]
    assert not cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    cert.verify_directly_issued_by(root)


def test_create_is_idempotent(base: Path) -> None:
    first = DevTSA.create(base / "again")
    before = {p.name: p.read_bytes() for p in first.directory.iterdir() if p.name != "serial"}
    second = DevTSA.create(base / "again")
    after = {p.name: p.read_bytes() for p in second.directory.iterdir() if p.name != "serial"}
    assert before == after
    with pytest.raises(DevTSAError, match="use another directory"):
        DevTSA.create(base / "again", "rsa")
    with pytest.raises(DevTSAError, match="use another directory"):
        DevTSA.create(base / "again", eku="none")


@pytest.mark.parametrize(("eku", "critical"), [("none", None), ("noncritical", False)])
def test_bad_eku_options_and_a_shared_ca(base: Path, eku: str, critical: bool | None) -> None:
    good = DevTSA.create(base / "ca-owner")
    bad = DevTSA.create(base / f"eku-{eku}", eku=eku, ca=base / "ca-owner")  # type: ignore[arg-type]
    assert bad.root_certificate == good.root_certificate
    cert = x509.load_pem_x509_certificate(bad.tsa_pem.read_bytes())
    try:
        found = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage)
    except x509.ExtensionNotFound:
        assert critical is None
    else:
        assert found.critical is critical
    # openssl ts -reply refuses such a certificate; the TSA still answers (openssl cms).
    reply = bad.reply(query(nonce=5))
    assert status_of(reply) == "granted"
    with pytest.raises(TimestampError, match="extended key usage"):
        verify(reply, DIGEST, [good.root_certificate])


def test_bad_arguments(base: Path, tsa: FaultyTSA) -> None:
    with pytest.raises(DevTSAError, match="letters, digits"):
        DevTSA.create(base / "with space")
    with pytest.raises(DevTSAError, match="missing"):
        DevTSA(base / "nothing-here")
    with pytest.raises(DevTSAError, match="mode must be one of"):
        FaultyTSA(tsa.directory, mode="sideways")  # type: ignore[arg-type]


# --- answering -------------------------------------------------------------------------


def test_reply_over_http(tsa: FaultyTSA) -> None:
    status, headers, reply = post(tsa.url, query(nonce=99))
    assert status == 200
    assert headers["Content-Type"] == "application/timestamp-reply"
    assert headers[HEADER] == HEADER_VALUE
    facts = verify(reply, DIGEST, [tsa.root_certificate], nonce=99)
    assert facts.policy == DEV_POLICY_OID
    assert abs(facts.gen_time - datetime.now(UTC)) < timedelta(seconds=30)


def test_rfc3161ng_client_interoperates(tsa: FaultyTSA) -> None:
    """rfc3161ng's own client gets a token; it checks only the RSA signature
    (docs/design/CEILINGS.md)."""
    stamper = rfc3161ng.RemoteTimestamper(
        tsa.url,
        certificate=tsa.tsa_pem.read_bytes(),
        hashname="sha256",
        include_tsa_certificate=True,
    )
    nonce = secrets.randbits(62)
    reply = stamper(digest=DIGEST, nonce=nonce, return_tsr=True)
    der = rfc3161ng.encode_timestamp_response(reply)
    facts = verify(bytes(der), DIGEST, [tsa.root_certificate])
    assert facts.nonce == nonce


@pytest.mark.parametrize(
    ("content_type", "body", "status"),
    [
        ("application/json", b"{}", 415),
        ("application/timestamp-query", b"x" * (64 * 1024 + 1), 413),
    ],
)
def test_http_errors(tsa: FaultyTSA, content_type: str, body: bytes, status: int) -> None:
    got, headers, _ = post(tsa.url, body, content_type)
    assert got == status
    assert headers[HEADER] == HEADER_VALUE


def test_other_paths_and_methods(tsa: FaultyTSA) -> None:
    assert post(tsa.url + "other", query())[0] == 404
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(tsa.url, timeout=5)  # noqa: S310
    assert caught.value.code == 405
    caught.value.close()


def test_a_bad_query_gets_a_rejection_from_openssl(tsa: FaultyTSA) -> None:
    status, _, reply = post(tsa.url, b"\x30\x03\x02\x01\x01")
    assert status == 200
    assert status_of(reply) == "rejection"


def test_concurrent_requests_get_distinct_serial_numbers(tsa: FaultyTSA) -> None:
    serials: list[int] = []
    errors: list[BaseException] = []

    def one(n: int) -> None:
        try:
            _, _, reply = post(tsa.url, query(nonce=n))
            serials.append(verify(reply, DIGEST, [tsa.root_certificate], nonce=n).serial_number)
        except BaseException as e:
            errors.append(e)

    threads = [threading.Thread(target=one, args=(n,)) for n in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert len(set(serials)) == 16


# --- modes -----------------------------------------------------------------------------


def test_every_mode_is_tested() -> None:
    tested = {"ok", "slow", "http500", "garbage", "rejection"}
    tested |= {"wrong-nonce", "wrong-imprint", "bad-signature"}
    assert set(MODES) == tested


def test_http500_and_garbage(tsa: FaultyTSA) -> None:
    tsa.mode = "http500"
    try:
        assert post(tsa.url, query())[0] == 500
        tsa.mode = "garbage"
        status, headers, body = post(tsa.url, query())
    finally:
        tsa.mode = "ok"
    assert status == 200
    assert headers["Content-Type"] == "application/timestamp-reply"
    with pytest.raises(TimestampError):
        verify(body, DIGEST, [tsa.root_certificate])


def test_rejection(tsa: FaultyTSA) -> None:
    tsa.mode = "rejection"
    try:
        _, _, reply = post(tsa.url, query())
    finally:
        tsa.mode = "ok"
    with pytest.raises(TimestampError, match="PKIStatus rejection"):
        verify(reply, DIGEST, [tsa.root_certificate])


@pytest.mark.parametrize(
    ("mode", "reason"),
    [
        ("wrong-nonce", "nonce"),
        ("wrong-imprint", "message imprint does not match"),
        ("bad-signature", "signature does not verify"),
    ],
)
def test_wrong_answers(tsa: FaultyTSA, mode: str, reason: str) -> None:
    tsa.mode = mode  # type: ignore[assignment]
    try:
        _, _, reply = post(tsa.url, query(nonce=1234))
    finally:
        tsa.mode = "ok"
    with pytest.raises(TimestampError, match=reason):
        verify(reply, DIGEST, [tsa.root_certificate], nonce=1234)


def test_slow_times_out_and_stops_at_once(tsa: FaultyTSA) -> None:
    slow = FaultyTSA(tsa.directory, mode="slow", delay=30)
    url = slow.start()
    try:
        start = time.monotonic()
        with pytest.raises(TimeoutError):
            post(url, query(), timeout=0.3)
        assert time.monotonic() - start < 5
    finally:
        start = time.monotonic()
        slow.stop()
        assert time.monotonic() - start < 5  # the sleeping handler does not hold stop()


def test_clock_offset(tsa: FaultyTSA) -> None:
    off = FaultyTSA(tsa.directory, clock_offset=3 * 86400)
    reply = off.reply(query(nonce=3))
    facts = verify(reply, DIGEST, [off.root_certificate], nonce=3)
    assert timedelta(days=2.9) < facts.gen_time - datetime.now(UTC) < timedelta(days=3.1)


def test_down_is_a_port_where_nothing_listens() -> None:
    with pytest.raises(urllib.error.URLError) as caught:
        post(refused_url(), query(), timeout=2)
    assert isinstance(caught.value.reason, ConnectionRefusedError)


def test_openssl_missing_is_an_http_500(tsa: FaultyTSA) -> None:
    with DevTSA(tsa.directory, openssl="/nonexistent/openssl") as broken:
        status, _, body = post(broken.url, query())
    assert status == 500
    assert b"/nonexistent/openssl ts -reply failed" in body


def test_stopped_and_restarted(tsa: FaultyTSA) -> None:
    other = DevTSA(tsa.directory)
    with pytest.raises(DevTSAError, match="not started"):
        _ = other.url
    first = other.start()
    assert other.start() == first  # idempotent
    other.stop()
    other.stop()
    second = other.start()
    assert status_of(post(second, query())[2]) == "granted"
    other.stop()
    with pytest.raises(urllib.error.URLError):
        post(first, query(), timeout=2)


# --- the command line ------------------------------------------------------------------


def test_python_m_serves_until_terminated(base: Path) -> None:
    directory = base / "cli"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "ledger.anchoring.devtsa", "--dir", str(directory)]
    with subprocess.Popen(  # noqa: S603
        [*command, "--port", "0", "--key-type", "ec"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        cwd=ROOT,
        env=env,
    ) as process:
        try:
            assert process.stdout is not None
            line = process.stdout.readline()
            assert DEV_TSA_LABEL in line
            found = re.search(r"(http://127\.0\.0\.1:\d+/)", line)
            assert found, line
            status, _, reply = post(found.group(1), query(nonce=8))
            assert status == 200
            roots = [(directory / "root.pem").read_bytes()]
            assert verify(reply, DIGEST, roots, nonce=8).nonce == 8
            assert json.loads((directory / "devtsa.json").read_text())["key_type"] == "ec"
        finally:
            process.terminate()
            process.wait(timeout=10)
