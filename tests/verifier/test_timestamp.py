"""RFC 3161 token verification against real tokens, real openssl, and every refusal.

Tokens come from the development TSA (``openssl ts -reply``) over real HTTP on loopback,
from two public TSAs (tests/data/tsa, see its README), and, for the cases openssl's TSA
cannot be made to produce (genTime far off, SHA-1 imprint, odd attributes), from
``forge``: a TimeStampToken built here with asn1crypto and signed with cryptography by
a development TSA key. Every refusal is also put to ``openssl ts -verify``; where
openssl checks something else, the test says so (and docs/timestamping.md lists it).
"""

from __future__ import annotations

import dataclasses
import hashlib
import secrets
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import rfc3161ng
from asn1crypto import algos, cms, core, tsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ledger.anchoring.devtsa import DEV_POLICY_OID, DEV_TSA_LABEL, make_tsa_certificate
from tests.faulty_tsa import FaultyTSA, flip_signature_byte
from verifier.errors import (
    MalformedError,
    TimestampError,
    TimestampMalformedError,
    VerificationError,
)
from verifier.timestamp import TimestampFacts, verify

DATA = Path(__file__).parent.parent / "data" / "tsa"
OPENSSL = "/usr/bin/openssl"
HELLO = b"hello"
DIGEST = hashlib.sha256(b"an Evidence Ledger checkpoint\n").digest()


# --- helpers ---------------------------------------------------------------------------


def query(digest: bytes, nonce: int) -> bytes:
    """A TimeStampReq made by rfc3161ng: SHA-256 imprint, nonce, certReq
    (docs/design/EVIDENCE-FORMAT.md §5)."""
    request = rfc3161ng.make_timestamp_request(
        digest=digest, hashname="sha256", include_tsa_certificate=True, nonce=nonce
    )
    return bytes(rfc3161ng.encode_timestamp_request(request))


def post(url: str, body: bytes) -> bytes:
    request = urllib.request.Request(  # noqa: S310  loopback http only
        url, data=body, headers={"Content-Type": "application/timestamp-query"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        assert response.headers["Content-Type"] == "application/timestamp-reply"
        return bytes(response.read())


def token_of(reply: bytes) -> bytes:
    return bytes(tsp.TimeStampResp.load(reply)["time_stamp_token"].dump())


def der(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.DER)


@dataclass
class OpenSSL:
    ok: bool
    output: str


def openssl_verify(
    token: bytes,
    digest: bytes,
    root: Path,
    tmp: Path,
    *,
    token_in: bool = True,
    attime: datetime | None = None,
    queryfile: bytes | None = None,
) -> OpenSSL:
    """``openssl ts -verify`` as docs/design/EVIDENCE-FORMAT.md §5 runs it (``-digest``), or
    ``-queryfile``."""
    name = secrets.token_hex(4)
    token_file = tmp / f"{name}.der"
    token_file.write_bytes(token)
    command = [OPENSSL, "ts", "-verify", "-in", str(token_file), "-CAfile", str(root)]
    if queryfile is not None:
        (tmp / f"{name}.tsq").write_bytes(queryfile)
        command += ["-queryfile", str(tmp / f"{name}.tsq")]
    else:
        command += ["-digest", digest.hex()]
    if token_in:
        command.append("-token_in")
    if attime is not None:
        command += ["-attime", str(int(attime.timestamp()))]
    done = subprocess.run(command, capture_output=True, text=True, timeout=30, check=False)  # noqa: S603
    output = done.stdout + done.stderr
    assert ("Verification: OK" in output) == (done.returncode == 0), output
    return OpenSSL(done.returncode == 0, output)


def load_key(path: Path) -> rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey:
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    assert isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey)
    return key


@dataclass
class Signer:
    """A TSA's certificate and key, and the certificates to embed, for ``forge``."""

    cert: x509.Certificate
    key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
    certs: list[x509.Certificate]

    @classmethod
    def of(cls, tsa: FaultyTSA) -> Signer:
        cert = x509.load_pem_x509_certificate(tsa.tsa_pem.read_bytes())
        root = x509.load_pem_x509_certificate(tsa.root_pem.read_bytes())
        return cls(cert, load_key(tsa.tsa_key), [cert, root])


def forge(
    signer: Signer,
    digest: bytes,
    *,
    gen_time: datetime | None = None,
    imprint_hash: str = "sha256",
    nonce: int | None = 42,
    econtent_type: str = "tst_info",
    content_type_attr: str | None = "tst_info",
    ess: str | None = "v2",  # "v1", "v2", "other-cert", None
    signed_attrs: bool = True,
    pss: bool = False,
    sid: str = "issuer_and_serial_number",  # or "subject_key_identifier"
    signers: int = 1,
    tsa_name: bool = True,
    tsa_of: x509.Certificate | None = None,
) -> bytes:
    """A TimeStampToken built with asn1crypto and signed by ``signer`` (cryptography).

    By default it is a valid token, as openssl's TSA would make it; each argument makes
    one thing wrong. Only for tests: this is how to get genTime far off, which openssl
    ts -reply cannot fake.
    """
    cert = asn1_x509.Certificate.load(der(signer.cert))
    tst: dict[str, Any] = {
        "version": "v1",
        "policy": DEV_POLICY_OID,
        "message_imprint": {
            "hash_algorithm": {"algorithm": imprint_hash},
            "hashed_message": digest,
        },
        "serial_number": secrets.randbits(64),
        "gen_time": (gen_time or datetime.now(UTC)).replace(microsecond=0),
        "accuracy": {"seconds": 1},
        "nonce": nonce,
    }
    if tsa_name:
        named_tsa = asn1_x509.Certificate.load(der(tsa_of)) if tsa_of is not None else cert
        tst["tsa"] = asn1_x509.GeneralName(name="directory_name", value=named_tsa.subject)
    tst_der = tsp.TSTInfo(tst).dump()
    attrs: list[dict[str, Any]] = []
    if content_type_attr is not None:
        attrs.append({"type": "content_type", "values": [content_type_attr]})
    attrs.append({"type": "message_digest", "values": [hashlib.sha256(tst_der).digest()]})
    named = der(signer.cert) if ess != "other-cert" else der(signer.certs[-1])
    if ess in ("v2", "other-cert"):
        ess_id = {"cert_hash": hashlib.sha256(named).digest()}
        attrs.append({"type": "signing_certificate_v2", "values": [{"certs": [ess_id]}]})
    elif ess == "v1":
        ess_id = {"cert_hash": hashlib.sha1(named).digest()}  # noqa: S324  ESSCertID v1 is SHA-1
        attrs.append({"type": "signing_certificate", "values": [{"certs": [ess_id]}]})
    signed = cms.CMSAttributes(attrs)
    data = signed.dump() if signed_attrs else tst_der
    key = signer.key
    if isinstance(key, rsa.RSAPrivateKey):
        if pss:
            salt = 32
            pad: padding.AsymmetricPadding = padding.PSS(padding.MGF1(hashes.SHA256()), salt)
            algorithm = algos.SignedDigestAlgorithm(
                {
                    "algorithm": "rsassa_pss",
                    "parameters": {
                        "hash_algorithm": {"algorithm": "sha256"},
                        "mask_gen_algorithm": {
                            "algorithm": "mgf1",
                            "parameters": {"algorithm": "sha256"},
                        },
                        "salt_length": salt,
                    },
                }
            )
        else:
            pad = padding.PKCS1v15()
            algorithm = algos.SignedDigestAlgorithm({"algorithm": "sha256_rsa"})
        signature = key.sign(data, pad, hashes.SHA256())
    else:
        signature = key.sign(data, ec.ECDSA(hashes.SHA256()))
        algorithm = algos.SignedDigestAlgorithm({"algorithm": "sha256_ecdsa"})
    if sid == "subject_key_identifier":
        identifier = cms.SignerIdentifier(name=sid, value=cert.key_identifier)
    else:
        identifier = cms.SignerIdentifier(
            name=sid, value={"issuer": cert.issuer, "serial_number": cert.serial_number}
        )
    info: dict[str, Any] = {
        "version": "v3" if sid == "subject_key_identifier" else "v1",
        "sid": identifier,
        "digest_algorithm": {"algorithm": "sha256"},
        "signature_algorithm": algorithm,
        "signature": signature,
    }
    if signed_attrs:
        info["signed_attrs"] = signed
    signer_info = cms.SignerInfo(info)
    signed_data = cms.SignedData(
        {
            "version": "v3",
            "digest_algorithms": [{"algorithm": "sha256"}],
            "encap_content_info": {
                "content_type": econtent_type,
                "content": core.ParsableOctetString(tst_der),
            },
            "certificates": [asn1_x509.Certificate.load(der(c)) for c in signer.certs],
            "signer_infos": [signer_info] * signers,
        }
    )
    return bytes(cms.ContentInfo({"content_type": "signed_data", "content": signed_data}).dump())


def raises(token: bytes, digest: bytes, roots: list[bytes], **kwargs: Any) -> TimestampError:
    with pytest.raises(TimestampError) as caught:
        verify(token, digest, roots, **kwargs)
    return caught.value


# --- fixtures --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tsas(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, FaultyTSA]]:
    """Development TSAs over HTTP: RSA and EC, a foreign CA, and two with a bad EKU."""
    base = tmp_path_factory.mktemp("tsas")
    made = {
        "rsa": FaultyTSA.create(base / "rsa", "rsa"),
        "ec": FaultyTSA.create(base / "ec", "ec"),
        "other": FaultyTSA.create(base / "other", "rsa"),
    }
    # Same root as "rsa": the only thing wrong is the EKU.
    made["no-eku"] = FaultyTSA.create(base / "no-eku", "rsa", eku="none", ca=base / "rsa")
    made["noncritical"] = FaultyTSA.create(
        base / "noncrit", "rsa", eku="noncritical", ca=base / "rsa"
    )
    for tsa in made.values():
        tsa.start()
    yield made
    for tsa in made.values():
        tsa.stop()


@dataclass
class Stamped:
    tsa: FaultyTSA
    nonce: int
    query: bytes
    reply: bytes

    @property
    def token(self) -> bytes:
        return token_of(self.reply)

    @property
    def roots(self) -> list[bytes]:
        return [self.tsa.root_certificate]


def stamp(tsa: FaultyTSA, digest: bytes = DIGEST) -> Stamped:
    nonce = secrets.randbits(63)
    body = query(digest, nonce)
    return Stamped(tsa, nonce, body, post(tsa.url, body))


@pytest.fixture(scope="module")
def good(tsas: dict[str, FaultyTSA]) -> Stamped:
    return stamp(tsas["rsa"])


@pytest.fixture(scope="module")
def good_facts(good: Stamped) -> TimestampFacts:
    return verify(good.token, DIGEST, good.roots)


# --- tokens that verify ----------------------------------------------------------------


@pytest.mark.parametrize("key_type", ["rsa", "ec"])
def test_dev_tsa_tokens_verify_over_http(
    tsas: dict[str, FaultyTSA], key_type: str, tmp_path: Path
) -> None:
    tsa = tsas[key_type]
    before = datetime.now(UTC)
    got = stamp(tsa)
    facts = verify(got.token, DIGEST, got.roots)
    tsa_cert = x509.load_pem_x509_certificate(tsa.tsa_pem.read_bytes())
    root = x509.load_pem_x509_certificate(tsa.root_pem.read_bytes())
    assert facts.nonce == got.nonce
    assert facts.hash_algorithm == "sha256"
    assert facts.policy == DEV_POLICY_OID
    assert facts.accuracy == 1.0
    assert facts.chain == [tsa_cert.subject.rfc4514_string(), root.subject.rfc4514_string()]
    assert facts.tsa_name == facts.chain[0] == facts.tsa
    assert DEV_TSA_LABEL in facts.tsa_name
    assert facts.signer_certificate == der(tsa_cert)
    assert facts.gen_time.tzinfo is not None
    assert facts.gen_time.utcoffset() == timedelta(0)
    # genTime has whole seconds (clock_precision_digits = 0): truncated, not rounded.
    assert before - timedelta(seconds=1) <= facts.gen_time <= datetime.now(UTC)
    assert facts.serial_number > 0
    # The whole TimeStampResp is accepted too, with the same facts.
    assert verify(got.reply, DIGEST, got.roots) == facts
    # The nonce the service sent may be checked here.
    assert verify(got.token, DIGEST, got.roots, nonce=got.nonce) == facts
    # openssl agrees, on the token (as docs/design/EVIDENCE-FORMAT.md §5 runs it) and on the
    # response.
    root_file = tsa.root_pem
    assert openssl_verify(got.token, DIGEST, root_file, tmp_path).ok
    assert openssl_verify(got.reply, DIGEST, root_file, tmp_path, token_in=False).ok
    assert openssl_verify(got.token, DIGEST, root_file, tmp_path, queryfile=got.query).ok


def test_request_built_with_asn1crypto(tsas: dict[str, FaultyTSA]) -> None:
    digest = hashlib.sha512(b"another request").digest()
    request = tsp.TimeStampReq(
        {
            "version": "v1",
            "message_imprint": {
                "hash_algorithm": {"algorithm": "sha512"},
                "hashed_message": digest,
            },
            "nonce": 7,
            "cert_req": True,
        }
    )
    reply = post(tsas["ec"].url, request.dump())
    facts = verify(reply, digest, [tsas["ec"].root_certificate], nonce=7)
    assert (facts.hash_algorithm, facts.nonce) == ("sha512", 7)


def test_trust_roots_may_be_bundles_or_der(good: Stamped, tsas: dict[str, FaultyTSA]) -> None:
    bundle = tsas["other"].root_certificate + good.tsa.root_certificate
    root_der = der(x509.load_pem_x509_certificate(good.tsa.root_certificate))
    a = verify(good.token, DIGEST, [bundle])
    b = verify(good.token, DIGEST, [tsas["ec"].root_certificate, root_der])
    assert a == b


def test_at_time_inside_the_validity_is_accepted(good: Stamped, good_facts: TimestampFacts) -> None:
    later = good_facts.gen_time + timedelta(days=365)
    assert verify(good.token, DIGEST, good.roots, at_time=later) == good_facts


def test_facts_are_frozen(good_facts: TimestampFacts) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        good_facts.nonce = 1  # type: ignore[misc]


# --- refusals, each also put to openssl ------------------------------------------------


def test_wrong_digest(good: Stamped, tmp_path: Path) -> None:
    other = hashlib.sha256(b"another checkpoint\n").digest()
    error = raises(good.token, other, good.roots)
    assert "message imprint does not match" in error.message
    assert (error.expected, error.actual) == (other.hex(), DIGEST.hex())
    assert not openssl_verify(good.token, other, good.tsa.root_pem, tmp_path).ok


def test_flipped_signature_byte(good: Stamped, tmp_path: Path) -> None:
    reply = flip_signature_byte(good.reply)
    error = raises(reply, DIGEST, good.roots)
    assert "signature does not verify" in error.message
    result = openssl_verify(reply, DIGEST, good.tsa.root_pem, tmp_path, token_in=False)
    assert not result.ok
    assert "signature failure" in result.output


def test_untrusted_root(good: Stamped, tsas: dict[str, FaultyTSA], tmp_path: Path) -> None:
    error = raises(
        good.token, DIGEST, [tsas["other"].root_certificate, tsas["ec"].root_certificate]
    )
    assert "no valid chain" in error.message
    assert "which is not a trust root" in error.message
    result = openssl_verify(good.token, DIGEST, tsas["other"].root_pem, tmp_path)
    assert not result.ok
    assert "self-signed certificate in certificate chain" in result.output


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("no-eku", "has no extended key usage"),
        ("noncritical", "has a non-critical extended key usage"),
    ],
)
def test_tsa_certificate_without_critical_eku(
    tsas: dict[str, FaultyTSA], name: str, reason: str, tmp_path: Path
) -> None:
    got = stamp(tsas[name])
    root = tsas["rsa"]  # the same CA issued it: only the EKU is wrong
    error = raises(got.token, DIGEST, [root.root_certificate])
    assert reason in error.message
    result = openssl_verify(got.token, DIGEST, root.root_pem, tmp_path)
    assert not result.ok
    assert "unsuitable certificate purpose" in result.output


def test_chain_not_valid_at_at_time(good: Stamped, tmp_path: Path) -> None:
    tsa_cert = x509.load_pem_x509_certificate(good.tsa.tsa_pem.read_bytes())
    before = tsa_cert.not_valid_before_utc - timedelta(seconds=1)
    error = raises(good.token, DIGEST, good.roots, at_time=before)
    assert "is not valid at" in error.message
    result = openssl_verify(good.token, DIGEST, good.tsa.root_pem, tmp_path, attime=before)
    assert not result.ok
    assert "certificate is not yet valid" in result.output


def test_rejection_status(tsas: dict[str, FaultyTSA], tmp_path: Path) -> None:
    tsa = tsas["rsa"]
    tsa.mode = "rejection"
    try:
        reply = post(tsa.url, query(DIGEST, 1))
    finally:
        tsa.mode = "ok"
    error = raises(reply, DIGEST, [tsa.root_certificate])
    assert "PKIStatus rejection (failInfo bad_request)" in error.message
    assert "rejection mode" in error.message
    assert (error.expected, error.actual) == ("granted", "rejection")
    assert not openssl_verify(reply, DIGEST, tsa.root_pem, tmp_path, token_in=False).ok


@pytest.mark.parametrize(
    "data",
    [b"\x00", b"garbage that is no DER at all", b"\x30\x03\x02\x01\x01", b"\x30\x80\x00\x00"],
)
def test_garbage(good: Stamped, data: bytes, tmp_path: Path) -> None:
    error = raises(data, DIGEST, good.roots)
    assert isinstance(error, TimestampMalformedError)
    assert isinstance(error, MalformedError)  # both kinds of caller catch it
    assert error.code == "timestamp_malformed"
    assert not openssl_verify(data, DIGEST, good.tsa.root_pem, tmp_path).ok


@pytest.mark.parametrize("cut", [1, 10, 500])
def test_truncated(good: Stamped, cut: int, tmp_path: Path) -> None:
    short = good.token[:-cut]
    error = raises(short, DIGEST, good.roots)
    assert isinstance(error, TimestampMalformedError)
    assert "is not valid DER" in error.message
    assert not openssl_verify(short, DIGEST, good.tsa.root_pem, tmp_path).ok


def test_tst_info_changed_after_signing(
    good: Stamped, good_facts: TimestampFacts, tmp_path: Path
) -> None:
    # Move genTime back a year inside the signed TSTInfo: same length, DER intact.
    text = good_facts.gen_time.strftime("%Y%m%d%H%M%SZ").encode("ascii")
    earlier = str(good_facts.gen_time.year - 1).encode("ascii") + text[4:]
    assert good.token.count(text) == 1
    token = good.token.replace(text, earlier)
    error = raises(token, DIGEST, good.roots)
    assert "TSTInfo was changed after signing" in error.message
    result = openssl_verify(token, DIGEST, good.tsa.root_pem, tmp_path)
    assert not result.ok
    assert "PKCS7_signatureVerify:digest failure" in result.output


def test_wrong_nonce(tsas: dict[str, FaultyTSA], tmp_path: Path) -> None:
    tsa = tsas["rsa"]
    tsa.mode = "wrong-nonce"
    try:
        got = stamp(tsa)
    finally:
        tsa.mode = "ok"
    facts = verify(got.token, DIGEST, got.roots)  # a good token, for another request
    assert facts.nonce != got.nonce
    error = raises(got.token, DIGEST, got.roots, nonce=got.nonce)
    assert "nonce" in error.message
    # openssl checks the nonce only against the query (-queryfile), not with -digest.
    assert openssl_verify(got.token, DIGEST, tsa.root_pem, tmp_path).ok
    result = openssl_verify(got.token, DIGEST, tsa.root_pem, tmp_path, queryfile=got.query)
    assert not result.ok
    assert "nonce mismatch" in result.output


def test_wrong_imprint(tsas: dict[str, FaultyTSA], tmp_path: Path) -> None:
    tsa = tsas["ec"]
    tsa.mode = "wrong-imprint"
    try:
        got = stamp(tsa)
    finally:
        tsa.mode = "ok"
    error = raises(got.reply, DIGEST, got.roots)
    assert "message imprint does not match" in error.message
    assert not openssl_verify(got.reply, DIGEST, tsa.root_pem, tmp_path, token_in=False).ok


@pytest.mark.parametrize("years", [-25, 70])
def test_gen_time_outside_the_chain_validity(
    tsas: dict[str, FaultyTSA], years: int, tmp_path: Path
) -> None:
    """A TSA whose clock is decades off: genTime before its certificate, or after it all."""
    tsa = tsas["rsa"]
    tsa.clock_offset = years * 365 * 86400
    try:
        got = stamp(tsa)
    finally:
        tsa.clock_offset = 0
    year = datetime.now(UTC).year + years
    error = raises(got.token, DIGEST, got.roots)
    assert "is not valid at" in error.message
    assert f"at {year}-" in error.message or f"at {year - 1}-" in error.message
    # DISAGREEMENT: openssl checks the chain at the time of verification, never at
    # genTime, so it accepts a token dated before the TSA existed or after it expired.
    assert openssl_verify(got.token, DIGEST, tsa.root_pem, tmp_path).ok


# --- forged tokens: what openssl's TSA will not make -------------------------------------


@pytest.fixture(scope="module")
def rsa_signer(tsas: dict[str, FaultyTSA]) -> Signer:
    return Signer.of(tsas["rsa"])


@pytest.fixture(scope="module")
def ec_signer(tsas: dict[str, FaultyTSA]) -> Signer:
    return Signer.of(tsas["ec"])


@pytest.mark.parametrize(
    "variant",
    [{}, {"ess": "v1"}, {"pss": True}, {"tsa_name": False, "nonce": None}],
    ids=["plain", "ess-v1", "rsa-pss", "no-tsa-no-nonce"],
)
def test_forged_tokens_are_valid_by_default(
    rsa_signer: Signer, tsas: dict[str, FaultyTSA], variant: dict[str, Any], tmp_path: Path
) -> None:
    """The helper makes tokens that verify, so that each refusal below has one cause."""
    token = forge(rsa_signer, DIGEST, **variant)
    facts = verify(token, DIGEST, [tsas["rsa"].root_certificate])
    assert facts.nonce == variant.get("nonce", 42)
    assert (facts.tsa is None) == (variant.get("tsa_name") is False)
    result = openssl_verify(token, DIGEST, tsas["rsa"].root_pem, tmp_path)
    if variant.get("pss"):
        # DISAGREEMENT: openssl ts verifies with the PKCS7 API, which in OpenSSL 3.0
        # checks every RSA signature as PKCS#1 v1.5: a valid RSA-PSS token fails there.
        # Which of its checks fails depends on the random salt: "invalid padding" when the
        # PSS block's first byte is not 0, else "block type is not 01" (1 in 128; CI hit
        # it), else, 1 in 32,768, one after the 0x01.
        assert not result.ok
        assert "RSA_padding_check_PKCS1_type_1:" in result.output, result.output
    else:
        assert result.ok, result.output


def test_subject_key_identifier_signer(
    ec_signer: Signer, tsas: dict[str, FaultyTSA], tmp_path: Path
) -> None:
    token = forge(ec_signer, DIGEST, sid="subject_key_identifier")
    facts = verify(token, DIGEST, [tsas["ec"].root_certificate])
    assert facts.signer_certificate == der(ec_signer.cert)
    # openssl ts verifies with the PKCS7 API, whose SignerInfo has issuerAndSerialNumber
    # only: it cannot read a CMS v3 SignerInfo with a subjectKeyIdentifier.
    assert not openssl_verify(token, DIGEST, tsas["ec"].root_pem, tmp_path).ok


@pytest.mark.parametrize("name", ["sha1", "md5"])
def test_weak_imprint_hash(
    rsa_signer: Signer, tsas: dict[str, FaultyTSA], name: str, tmp_path: Path
) -> None:
    digest = hashlib.new(name, b"a document").digest()
    token = forge(rsa_signer, digest, imprint_hash=name)
    error = raises(token, digest, [tsas["rsa"].root_certificate])
    assert f"uses {name}, too weak for evidence" in error.message
    # DISAGREEMENT: openssl accepts any imprint hash it knows.
    assert openssl_verify(token, digest, tsas["rsa"].root_pem, tmp_path).ok


def test_content_type_attribute_not_tst_info(
    rsa_signer: Signer, tsas: dict[str, FaultyTSA], tmp_path: Path
) -> None:
    token = forge(rsa_signer, DIGEST, content_type_attr="data")
    error = raises(token, DIGEST, [tsas["rsa"].root_certificate])
    assert "content-type attribute" in error.message
    # DISAGREEMENT: openssl's PKCS7 verification does not compare the content-type
    # attribute with the eContentType (RFC 5652 §11.1 requires it to match).
    assert openssl_verify(token, DIGEST, tsas["rsa"].root_pem, tmp_path).ok


def test_content_type_attribute_missing(
    rsa_signer: Signer, tsas: dict[str, FaultyTSA], tmp_path: Path
) -> None:
    token = forge(rsa_signer, DIGEST, content_type_attr=None)
    error = raises(token, DIGEST, [tsas["rsa"].root_certificate])
    assert "content-type attribute is missing" in error.message
    # DISAGREEMENT, as above: RFC 5652 §5.3 requires it when there are signed attributes.
    assert openssl_verify(token, DIGEST, tsas["rsa"].root_pem, tmp_path).ok


@pytest.mark.parametrize(
    ("variant", "reason", "openssl_reason"),
    [
        ({"ess": None}, "no ESS signing-certificate", "missing signing certificate attribute"),
        (
            {"ess": "other-cert"},
            "names another certificate than the signer",
            "ess cert id wrong order",
        ),
        ({"signed_attrs": False}, "has no signed attributes", "missing signing certificate"),
        ({"econtent_type": "data"}, "not id-ct-TSTInfo", "bad pkcs7 type"),
        ({"signers": 2}, "2 SignerInfos", "there must be one signer"),
    ],
    ids=["no-ess", "ess-other-cert", "no-signed-attrs", "econtent-data", "two-signers"],
)
def test_refused_by_both(
    rsa_signer: Signer,
    tsas: dict[str, FaultyTSA],
    variant: dict[str, Any],
    reason: str,
    openssl_reason: str,
    tmp_path: Path,
) -> None:
    token = forge(rsa_signer, DIGEST, **variant)
    error = raises(token, DIGEST, [tsas["rsa"].root_certificate])
    assert reason in error.message
    result = openssl_verify(token, DIGEST, tsas["rsa"].root_pem, tmp_path)
    assert not result.ok
    assert openssl_reason in result.output


def _tsa_with_eku(tsas: dict[str, FaultyTSA], usages: list[x509.ObjectIdentifier]) -> Signer:
    """A TSA certificate from the "rsa" root with the extended key usages given."""
    root_dir = tsas["rsa"].directory
    root = x509.load_pem_x509_certificate((root_dir / "root.pem").read_bytes())
    root_key = load_key(root_dir / "root.key")
    key = ec.generate_private_key(ec.SECP256R1())
    base = make_tsa_certificate(key, root, root_key, datetime.now(UTC), eku="none")
    builder = (
        x509.CertificateBuilder()
        .subject_name(base.subject)
        .issuer_name(base.issuer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(base.not_valid_before_utc)
        .not_valid_after(base.not_valid_after_utc)
    )
    for extension in base.extensions:
        builder = builder.add_extension(extension.value, extension.critical)
    builder = builder.add_extension(x509.ExtendedKeyUsage(usages), critical=True)
    cert = builder.sign(root_key, hashes.SHA256())
    return Signer(cert, key, [cert, root])


def test_eku_with_an_unknown_usage_besides_time_stamping(
    tsas: dict[str, FaultyTSA], tmp_path: Path
) -> None:
    signer = _tsa_with_eku(
        tsas, [ExtendedKeyUsageOID.TIME_STAMPING, x509.ObjectIdentifier("1.3.6.1.4.1.99999.1")]
    )
    token = forge(signer, DIGEST)
    error = raises(token, DIGEST, [tsas["rsa"].root_certificate])
    assert "allows only id-kp-timeStamping" in error.message
    # DISAGREEMENT: openssl ignores extended key usages it does not know, so
    # timeStamping plus an unknown OID passes its timestamp purpose check.
    assert openssl_verify(token, DIGEST, tsas["rsa"].root_pem, tmp_path).ok


def test_eku_with_client_auth_besides_time_stamping(
    tsas: dict[str, FaultyTSA], tmp_path: Path
) -> None:
    signer = _tsa_with_eku(
        tsas, [ExtendedKeyUsageOID.TIME_STAMPING, ExtendedKeyUsageOID.CLIENT_AUTH]
    )
    token = forge(signer, DIGEST)
    error = raises(token, DIGEST, [tsas["rsa"].root_certificate])
    assert "allows only id-kp-timeStamping" in error.message
    assert not openssl_verify(token, DIGEST, tsas["rsa"].root_pem, tmp_path).ok


def test_tsa_name_of_another_entity(
    rsa_signer: Signer, tsas: dict[str, FaultyTSA], tmp_path: Path
) -> None:
    other = x509.load_pem_x509_certificate(tsas["other"].tsa_pem.read_bytes())
    token = forge(rsa_signer, DIGEST, tsa_of=other)
    error = raises(token, DIGEST, [tsas["rsa"].root_certificate])
    assert "tsa name (directory_name) is not a name of the signer certificate" in error.message
    result = openssl_verify(token, DIGEST, tsas["rsa"].root_pem, tmp_path)
    assert not result.ok
    assert "tsa name mismatch" in result.output


def test_cross_signed_certificates_cannot_make_chain_building_explode(
    tsas: dict[str, FaultyTSA],
) -> None:
    """40 CAs with one name and one key all issue each other: a search of 40^7 paths."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "loop CA")])
    now = datetime.now(UTC)
    cas = [
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
        for _ in range(40)
    ]
    tsa_key = ec.generate_private_key(ec.SECP256R1())
    tsa_cert = make_tsa_certificate(tsa_key, cas[0], key, now)
    token = forge(Signer(tsa_cert, tsa_key, [tsa_cert, *cas]), DIGEST)
    start = time.monotonic()
    error = raises(token, DIGEST, [tsas["rsa"].root_certificate])
    assert time.monotonic() - start < 5
    assert "gave up after 64 candidate issuers" in error.message


# --- real tokens from public TSAs (tests/data/tsa/README.md) -----------------------------


def _gen_time(token: bytes) -> datetime:
    info = tsp.TimeStampResp.load(token)["time_stamp_token"]["content"]
    value: datetime = info["encap_content_info"]["content"].parsed["gen_time"].native
    return value


def test_identrust_token(tmp_path: Path) -> None:
    """IdenTrust's public TSA, RSA, SHA-512 imprint; its TSA certificate expired 2026-01-17."""
    reply = (DATA / "identrust-sha512-hello.tsr").read_bytes()
    root = (DATA / "identrust-commercial-root-ca-1.der").read_bytes()
    digest = hashlib.sha512(HELLO).digest()
    facts = verify(reply, digest, [root])
    assert facts.gen_time == datetime(2025, 3, 11, 8, 52, 8, tzinfo=UTC)
    assert facts.hash_algorithm == "sha512"
    assert facts.chain == [
        "CN=TrustID Timestamp Authority,O=IdenTrust,C=US",
        "CN=TrustID Timestamping CA 3,O=IdenTrust,C=US",
        "CN=IdenTrust Commercial Root CA 1,O=IdenTrust,C=US",
    ]
    assert facts.tsa is None
    assert facts.policy == "2.16.840.1.113839.0.6.13.3"
    root_pem = tmp_path / "identrust.pem"
    root_pem.write_bytes(
        x509.load_der_x509_certificate(root).public_bytes(serialization.Encoding.PEM)
    )
    at = _gen_time(reply)
    assert openssl_verify(reply, digest, root_pem, tmp_path, token_in=False, attime=at).ok
    # Both refuse it at a time after the TSA certificate expired.
    after = datetime(2026, 6, 1, tzinfo=UTC)
    error = raises(reply, digest, [root], at_time=after)
    assert "TrustID Timestamp Authority" in error.message
    assert "is not valid at 2026-06-01" in error.message
    assert not openssl_verify(reply, digest, root_pem, tmp_path, token_in=False, attime=after).ok


@pytest.mark.parametrize("name", ["sha256", "sha384", "sha512"])
def test_sigstore_staging_tokens(name: str, tmp_path: Path) -> None:
    """Sigstore's public staging TSA, ECDSA P-384, ESS signing-certificate-v2."""
    reply = (DATA / f"sigstage-{name}-hello.tsr").read_bytes()
    chain = x509.load_pem_x509_certificates((DATA / "sigstage-ts-chain.pem").read_bytes())
    root = chain[-1]
    digest = hashlib.new(name, HELLO).digest()
    facts = verify(reply, digest, [der(root)])
    assert facts.chain == [
        "CN=sigstore-tsa,O=sigstore.dev",
        "CN=sigstore-tsa-selfsigned,O=sigstore.dev",
    ]
    assert facts.tsa == "CN=sigstore-tsa,O=sigstore.dev"
    assert facts.hash_algorithm == name
    assert facts.gen_time.date().isoformat() == "2025-05-09"
    assert facts.accuracy == 1.0
    assert openssl_verify(
        reply, digest, DATA / "sigstage-ts-chain.pem", tmp_path, token_in=False
    ).ok
    # Pinning the TSA certificate itself as the trust root works too: a chain of one.
    assert verify(reply, digest, [der(chain[0])]).chain == ["CN=sigstore-tsa,O=sigstore.dev"]
    assert (
        "message imprint does not match"
        in raises(reply, DIGEST[: digest.__len__()], [der(root)]).message
    )


# --- arguments -------------------------------------------------------------------------


def test_bad_arguments_raise_malformed(good: Stamped) -> None:
    with pytest.raises(MalformedError, match="token must be bytes"):
        verify(good.token.hex(), DIGEST, good.roots)  # type: ignore[arg-type]
    with pytest.raises(MalformedError, match="digest must be bytes"):
        verify(good.token, DIGEST.hex(), good.roots)  # type: ignore[arg-type]
    with pytest.raises(MalformedError, match="aware datetime"):
        verify(good.token, DIGEST, good.roots, at_time=datetime(2030, 1, 1))
    with pytest.raises(MalformedError, match="no trust roots"):
        verify(good.token, DIGEST, [])
    with pytest.raises(MalformedError, match="trust root 0 is not a PEM or DER"):
        verify(good.token, DIGEST, [b"not a certificate"])
    with pytest.raises(MalformedError, match="list of PEM or DER bytes"):
        verify(good.token, DIGEST, good.roots[0])  # type: ignore[arg-type]
    with pytest.raises(TimestampMalformedError, match="empty"):
        verify(b"", DIGEST, good.roots)


# --- whatever the bytes, only VerificationError ----------------------------------------


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.binary(max_size=3000))
def test_random_bytes_raise_only_verification_errors(good: Stamped, data: bytes) -> None:
    with pytest.raises(VerificationError):
        verify(data, DIGEST, good.roots)


@settings(
    max_examples=600, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.data())
def test_single_byte_mutations(
    good: Stamped, good_facts: TimestampFacts, data: st.DataObject
) -> None:
    """A mutated token or response is refused with a VerificationError, or says the same."""
    original = data.draw(st.sampled_from([good.token, good.reply]))
    at = data.draw(st.integers(0, len(original) - 1))
    xor = data.draw(st.integers(1, 255))
    mutated = original[:at] + bytes([original[at] ^ xor]) + original[at + 1 :]
    try:
        facts = verify(mutated, DIGEST, good.roots)
    except VerificationError:
        return
    # Unsigned bytes (an embedded copy of the root, the CMS versions) may change.
    assert facts == good_facts
