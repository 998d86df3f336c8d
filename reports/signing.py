"""PAdES signing of certificates with pyHanko (ETSI EN 319 142-1).

``IssuerSigner.load(cert_file, key_file)`` reads the issuer's certificate chain and key
once; keep the object (``ledger.certificates`` caches it per process): pyHanko's
``SimpleSigner`` parses its key again for every signature, twice per PDF, which costs
45 ms for RSA (docs/design/CEILINGS.md, pitfall 4), so this signer keeps the parsed key.
ECDSA P-256 is the recommended key; RSA works; Ed25519 is refused, because poppler cannot verify
Ed25519 PDF signatures (pitfall 5).

``sign(pdf, attachment, signer, level=..., timestamper=..., revocation=...)`` embeds the
evidence bundle as the file attachment ``evidence-bundle.json`` and certifies the
document (DocMDP P=1: no changes but PAdES validation data and document time-stamps), in
one incremental update, so the signature covers the attachment. B-B is that signature;
B-T adds a signature time-stamp; B-LTA adds one more update holding the DSS (the
issuer's and the TSA's chains and the revocation data of every certificate below their
roots, gathered in pyHanko's "require" mode from ``Revocation``) and a document
time-stamp over the whole file, and nothing else (no metadata refresh). Without that
revocation data ``sign`` raises ``RevocationUnavailable``: never B-LTA without it; nor
when pyHanko's AdES long-term validation of the result (ETSI EN 319 102-1, the roots
trusted, nothing fetched) does not pass.
``check_revocation`` asks the same question before a certificate is rendered, so that
its text states the level it will reach (``reports.issuing``).
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import io
import ssl
import threading
import time
import urllib.parse
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
import certifi
from asn1crypto import cms, tsp
from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from pyhanko.keys import load_certs_from_pemder_data
from pyhanko.pdf_utils.embed import EmbeddedFileObject, EmbeddedFileParams, FileSpec, embed_file
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.general import SigningError, find_unique_cms_attribute
from pyhanko.sign.signers.pdf_cms import PdfCMSSignedAttributes
from pyhanko.sign.signers.pdf_signer import PdfSignatureMetadata, PdfSigner, PdfTimeStamper
from pyhanko.sign.timestamps import HTTPTimeStamper, TimeStamper
from pyhanko.sign.timestamps.common_utils import dummy_digest, extract_ts_certs
from pyhanko.sign.validation import DocumentSecurityStore
from pyhanko.sign.validation.ades import ades_lta_validation
from pyhanko.sign.validation.errors import ValidationInfoReadingError
from pyhanko.sign.validation.policy_decl import (
    PdfSignatureValidationSpec,
    RevinfoOnlineFetchingRule,
    RevocationInfoGatheringSpec,
    SignatureValidationSpec,
)
from pyhanko_certvalidator import CertificateValidator, ValidationContext
from pyhanko_certvalidator.context import CertValidationPolicySpec
from pyhanko_certvalidator.errors import PathError, ValidationError
from pyhanko_certvalidator.fetchers.requests_fetchers import RequestsFetcherBackend
from pyhanko_certvalidator.path import ValidationPath
from pyhanko_certvalidator.policy_decl import REQUIRE_REVINFO, CertRevTrustPolicy
from pyhanko_certvalidator.registry import SimpleCertificateStore, SimpleTrustManager

from reports import unsigned
from reports.model import ATTACHMENT_NAME

FIELD_NAME = "CertificateOfEvidence"
B_LTA, B_T, B_B = "B-LTA", "B-T", "B-B"
DOC_TIMESTAMP_FIELD = "DocumentTimeStamp"
B_B_RESERVED = 8192  # bytes for the CMS signature without time-stamps


class SigningSetupError(ValueError):
    """The issuer's certificate or key cannot be used to sign certificates."""


def _digest_name(digest_algorithm: str) -> hashes.HashAlgorithm:
    known: dict[str, hashes.HashAlgorithm] = {
        "sha256": hashes.SHA256(),
        "sha384": hashes.SHA384(),
        "sha512": hashes.SHA512(),
    }
    return known[digest_algorithm]


class _LoadedKeySigner(signers.SimpleSigner):
    """A SimpleSigner that signs with a key parsed once, not once per signature."""

    def __init__(self, key: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._key = key

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        digest = _digest_name(digest_algorithm)
        if isinstance(self._key, ec.EllipticCurvePrivateKey):
            return self._key.sign(data, ec.ECDSA(digest))
        return self._key.sign(data, padding.PKCS1v15(), digest)


@dataclass(frozen=True)
class IssuerSigner:
    """The issuer's signing certificate, its chain and key, loaded once."""

    signer: signers.SimpleSigner
    certificate: x509.Certificate  # the signing certificate
    chain: tuple[x509.Certificate, ...]  # the certificates after it, up to the root
    roots: tuple[bytes, ...]  # DER of the self-signed certificates of the chain

    @classmethod
    def load(cls, cert_file: Path, key_file: Path) -> IssuerSigner:
        """From a PEM file with the signing certificate first, then its chain, and a PEM
        (or DER) unencrypted private key."""
        try:
            cert_data = Path(cert_file).read_bytes()
            key_data = Path(key_file).read_bytes()
        except OSError as e:
            raise SigningSetupError(f"cannot read the issuer certificate or key: {e}") from e
        try:
            certs = [
                x509.load_der_x509_certificate(c.dump())
                for c in load_certs_from_pemder_data(cert_data)
            ]
        except ValueError as e:
            raise SigningSetupError(f"{cert_file}: not PEM/DER certificates: {e}") from e
        if not certs:
            raise SigningSetupError(f"{cert_file} holds no certificate")
        try:
            if b"-----BEGIN" in key_data:
                key = serialization.load_pem_private_key(key_data, password=None)
            else:
                key = serialization.load_der_private_key(key_data, password=None)
        except (ValueError, TypeError) as e:
            raise SigningSetupError(f"{key_file}: not an unencrypted private key: {e}") from e
        if not isinstance(key, ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey):
            raise SigningSetupError(
                f"{key_file}: use an ECDSA (P-256) or RSA key; {type(key).__name__} PDF "
                "signatures cannot be checked by common viewers (poppler refuses Ed25519)"
            )
        leaf = certs[0]
        if leaf.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        ) != key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        ):
            raise SigningSetupError(
                f"{key_file} is not the key of the first certificate in {cert_file}"
            )
        der = [c.public_bytes(serialization.Encoding.DER) for c in certs]
        asn1 = [asn1_x509.Certificate.load(d) for d in der]
        pyhanko_key = asn1_keys.PrivateKeyInfo.load(
            key.private_bytes(
                serialization.Encoding.DER,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        signer = _LoadedKeySigner(
            key,
            signing_cert=asn1[0],
            signing_key=pyhanko_key,
            cert_registry=SimpleCertificateStore.from_certs(asn1[1:]),  # type: ignore[no-untyped-call]
        )
        roots = tuple(d for c, d in zip(certs, der, strict=True) if c.issuer == c.subject)
        return cls(signer, leaf, tuple(certs[1:]), roots)


@functools.cache
def _tls_context() -> ssl.SSLContext:
    """The TLS settings of pyHanko's own TSA client (the system's defaults, certifi's
    roots), made once per process: loading certifi's roots costs 27 ms of CPU, which
    pyHanko spends again for every request (two per certificate)."""
    return ssl.create_default_context(cafile=certifi.where())


class TimedTimeStamper(HTTPTimeStamper):
    """pyHanko's RFC 3161 HTTP client, adding up the time spent waiting for the TSA.

    One per TSA URL and process: it keeps the dummy token pyHanko asks for (to size
    the signature), and ``async_fresh_dummy`` asks for it again: each revocation check
    does, because another certificate may answer at the URL by then (a renewed TSA
    certificate, a new CA). ``lock`` serialises its use; ``seconds`` and ``requests``
    count the round trips since ``reset()``. Each request has its own HTTP session, as
    in pyHanko (a session belongs to the event loop of one ``asyncio.run``), but all
    share one TLS context (``_tls_context``).
    """

    def __init__(self, url: str, timeout: float, headers: dict[str, str] | None = None) -> None:
        parts = urllib.parse.urlsplit(url)
        auth = None
        if parts.username is not None:  # https://user:password@tsa/ → basic auth
            auth = (
                urllib.parse.unquote(parts.username),
                urllib.parse.unquote(parts.password or ""),
            )
            netloc = (parts.hostname or "") + (f":{parts.port}" if parts.port else "")
            url = urllib.parse.urlunsplit(parts._replace(netloc=netloc))
        super().__init__(url, timeout=timeout, auth=auth, headers=headers)
        self.name = url
        self.lock = threading.Lock()
        self.seconds = 0.0
        self.requests = 0

    def reset(self) -> None:
        self.seconds, self.requests = 0.0, 0

    @asynccontextmanager
    async def _acquire_session(self) -> AsyncIterator[aiohttp.ClientSession]:
        """pyHanko's session for one request (``HTTPTimeStamper._acquire_session``
        without a session of its own), with the process's TLS context."""
        connector = aiohttp.TCPConnector(ssl=_tls_context())
        async with aiohttp.ClientSession(connector=connector) as session:
            yield session

    async def async_fresh_dummy(self, md_algorithm: str = "sha256") -> cms.ContentInfo:
        """A new dummy token from the TSA, kept instead of the one before, with the
        certificates it carries (pyHanko's ``_register_dummy``, on a clean slate)."""
        dummy: cms.ContentInfo = await self.async_timestamp(
            dummy_digest(md_algorithm), md_algorithm
        )
        self._dummy_response_cache.clear()
        self._certs.clear()
        self.cert_registry = SimpleCertificateStore()  # type: ignore[no-untyped-call]
        self._register_dummy(md_algorithm, dummy)  # type: ignore[no-untyped-call]
        return dummy

    async def async_request_tsa_response(self, req: tsp.TimeStampReq) -> tsp.TimeStampResp:
        started = time.perf_counter()
        try:
            return await super().async_request_tsa_response(req)
        finally:
            self.seconds += time.perf_counter() - started
            self.requests += 1


def _embed_bundle(writer: IncrementalPdfFileWriter, attachment: bytes, when: datetime) -> None:
    data = EmbeddedFileObject.from_file_data(
        writer,
        attachment,
        params=EmbeddedFileParams(
            embed_size=True, embed_checksum=False, creation_date=when, modification_date=when
        ),
        mime_type="application/json",
    )
    embed_file(
        writer,
        FileSpec(
            file_spec_string=ATTACHMENT_NAME,
            file_name=ATTACHMENT_NAME,
            embedded_data=data,
            description="evidence-bundle/1: the evidence this certificate shows, "
            "verifiable offline with ledger-verify",
        ),
    )


@dataclass(frozen=True)
class Revocation:
    """Where the revocation data of the issuer's and the TSA's chains come from.

    ``crls()`` gives CRLs to embed as they are (the development CAs issue them when
    asked, ``ledger.devpki``); with ``fetch``, the CRLs and OCSP responses that real
    certificates name are fetched, each request within ``timeout`` seconds.
    """

    crls: Callable[[], Sequence[bytes]] = tuple
    fetch: bool = True
    timeout: float = 10.0


class RevocationUnavailable(Exception):
    """The revocation data B-LT needs cannot be had; the message says for what."""


def _roots(signer: IssuerSigner, tsa_roots: Sequence[bytes]) -> list[asn1_x509.Certificate]:
    return list(_parsed(signer.roots) + _parsed(tuple(tsa_roots)))


@functools.lru_cache(maxsize=32)
def _parsed(data: tuple[bytes, ...]) -> tuple[asn1_x509.Certificate, ...]:
    """The certificates in ``data`` (PEM or DER), parsed once per process: asn1crypto
    keeps the normalised names it compares on the certificate object, and normalising
    them again for every validation context was a third of making one. Parsed in full
    here (``native``), so that threads sharing them only read them."""
    certs = tuple(c for item in data for c in load_certs_from_pemder_data(item))
    for cert in certs:
        _ = cert.native, cert.subject.hashable, cert.issuer.hashable
    return certs


def _context(
    signer: IssuerSigner, tsa_roots: Sequence[bytes], revocation: Revocation
) -> ValidationContext:
    """Revocation data required for every certificate below a root ("require"): the
    given CRLs, and those fetched (within the timeout) when fetching is allowed."""
    backend = RequestsFetcherBackend(per_request_timeout=revocation.timeout)
    chain = tuple(c.public_bytes(serialization.Encoding.DER) for c in signer.chain)
    return ValidationContext(
        trust_roots=_roots(signer, tsa_roots),
        other_certs=list(_parsed(chain)),
        crls=list(revocation.crls()),
        allow_fetching=revocation.fetch,
        fetcher_backend=backend if revocation.fetch else None,
        revocation_mode="require",
    )


def _subject(cert: asn1_x509.Certificate) -> str:
    return str(cert.subject.human_friendly)


async def _paths(
    signer: IssuerSigner, context: ValidationContext, token: cms.ContentInfo
) -> list[ValidationPath]:
    """The validation paths of the issuer's and the TSA's certificates, each with its
    revocation data; ``RevocationUnavailable`` names the chain that lacks it. The TSA's
    certificates are those of ``token``: the signature time-stamp, or, before signing,
    a token the TSA gave now (``_checked_paths``)."""
    paths = []
    cert = signer.signer.signing_cert
    try:
        validator = CertificateValidator(
            cert,
            intermediate_certs=signer.signer.cert_registry,
            validation_context=context,
        )
        paths.append(await validator.async_validate_usage(set()))  # type: ignore[no-untyped-call]
    except (PathError, ValidationError) as e:
        raise RevocationUnavailable(f"the issuer's certificate chain: {e}") from e
    store = SimpleCertificateStore()  # type: ignore[no-untyped-call]
    try:
        for leaf in list(extract_ts_certs(token, store)):
            validator = CertificateValidator(
                leaf, intermediate_certs=store, validation_context=context
            )
            usage = validator.async_validate_usage(set(), {"time_stamping"})  # type: ignore[no-untyped-call]
            paths.append(await usage)
    except (PathError, ValidationError) as e:
        raise RevocationUnavailable(f"the TSA's certificate chain: {e}") from e
    return paths


def _signature_timestamp(signed: bytes) -> cms.ContentInfo:
    """The signature time-stamp token of the issuer's signature in ``signed``."""
    reader = PdfFileReader(io.BytesIO(signed))
    signature = reader.embedded_regular_signatures[0]
    attrs = signature.signer_info["unsigned_attrs"]
    token: cms.ContentInfo = find_unique_cms_attribute(attrs, "signature_time_stamp_token")
    return token


class _KeptToken(TimeStamper):
    """``timestamper`` as pyHanko signs with it, keeping the tokens it obtains (not the
    dummy one that sizes the signature), so that the signature time-stamp token need
    not be read back from the signed PDF (pyHanko parses the signature's hex string a
    byte at a time: 5% of a certificate's CPU). ``token`` is that token when exactly
    one was obtained; ``_signature_timestamp`` reads it from the file otherwise."""

    def __init__(self, timestamper: HTTPTimeStamper) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.timestamper = timestamper
        self.tokens: list[cms.ContentInfo] = []

    @property
    def token(self) -> cms.ContentInfo | None:
        return self.tokens[0] if len(self.tokens) == 1 else None

    async def async_dummy_response(self, md_algorithm: str) -> cms.ContentInfo:
        token: cms.ContentInfo = await self.timestamper.async_dummy_response(md_algorithm)
        return token

    async def async_timestamp(self, message_digest: bytes, md_algorithm: str) -> cms.ContentInfo:
        token: cms.ContentInfo = await self.timestamper.async_timestamp(
            message_digest, md_algorithm
        )
        self.tokens.append(token)
        return token


CHECK_SECONDS = 60.0  # how long a check that found the revocation data stands


async def _checked_paths(
    signer: IssuerSigner, timestamper: TimedTimeStamper, context: ValidationContext
) -> list[ValidationPath]:
    """``_paths`` before signing, with the TSA asked now (its certificate may have
    changed since the token kept to size signatures). A TSA that cannot be reached
    raises its own error (the TSA failed, not the revocation data)."""
    return await _paths(signer, context, await timestamper.async_fresh_dummy())


# When a check found the revocation data, by signer, time-stamper, TSA roots and
# revocation sources (each compared as the object it is, or by value).
_found: dict[tuple[object, ...], float] = {}
_found_lock = threading.Lock()


def check_revocation(
    signer: IssuerSigner,
    timestamper: TimedTimeStamper,
    tsa_roots: Sequence[bytes],
    revocation: Revocation,
) -> str | None:
    """None when the revocation data of the issuer's and the TSA's chains can be had
    (B-LTA can be reached), else why not. A TSA that fails raises its own error.

    It only predicts the level the certificate will state: ``sign`` gathers and
    validates that data again (issued then) and the long-term validation checks the
    result, and ``reports.issuing`` renders again at B-T when they fail. So a check
    that found the data stands for ``CHECK_SECONDS`` for the same signer, TSA, roots and
    revocation sources: the second edition of a certificate, and the certificates
    issued after it, skip its path validation (4% of a certificate's CPU). A check
    that did not find them, or whose data ``sign`` did not find, is made again next
    time."""
    key = (signer, timestamper, tuple(tsa_roots), revocation)
    now = time.monotonic()
    with _found_lock:
        found = _found.get(key)
    if found is not None and now - found < CHECK_SECONDS:
        return None
    try:
        asyncio.run(_checked_paths(signer, timestamper, _context(signer, tsa_roots, revocation)))
    except RevocationUnavailable as e:
        _forget_check(signer, timestamper, tsa_roots, revocation)
        return f"no revocation data for {e}"
    with _found_lock:
        if len(_found) >= 32:
            _found.clear()
        _found[key] = now
    return None


def _forget_check(
    signer: IssuerSigner,
    timestamper: HTTPTimeStamper,
    tsa_roots: Sequence[bytes],
    revocation: Revocation,
) -> None:
    """The revocation data was not found (checking, or signing): check again next time."""
    with _found_lock:
        _found.pop((signer, timestamper, tuple(tsa_roots), revocation), None)


def revocation_counts(pdf: bytes) -> tuple[int, int, int]:
    """Certificates, CRLs and OCSP responses in the document security store."""
    reader = PdfFileReader(io.BytesIO(pdf))
    try:
        dss = DocumentSecurityStore.read_dss(reader)
    except ValidationInfoReadingError:
        return 0, 0, 0
    return len(dss.certs), len(dss.crls), len(dss.ocsps)


def _covered(paths: Sequence[ValidationPath], context: ValidationContext) -> str | None:
    """None if every certificate below a root in ``paths`` has a CRL by its issuer or
    an OCSP response among the revocation data to embed, else the first one that has not."""
    crl_issuers = {c["tbs_cert_list"]["issuer"].dump() for c in context.crls}
    ocsp_serials = set()
    for response in context.ocsps:
        basic = response["response_bytes"]["response"].parsed
        for single in basic["tbs_response_data"]["responses"]:
            ocsp_serials.add(single["cert_id"]["serial_number"].native)
    for path in paths:
        for cert in list(path)[1:]:  # the root is trusted as it is
            if cert.issuer.dump() in crl_issuers or cert.serial_number in ocsp_serials:
                continue
            return _subject(cert)
    return None


def _embed_validation_data_and_stamp(
    signed: bytes,
    signer: IssuerSigner,
    timestamper: HTTPTimeStamper,
    tsa_roots: Sequence[bytes],
    revocation: Revocation,
    token: cms.ContentInfo | None = None,
) -> bytes:
    """B-T → B-LTA: one incremental update with the DSS (the chains and their CRLs or
    OCSP responses, revocation data issued now, after the signature time-stamp) and a
    document time-stamp over the whole file. It changes nothing else: no metadata (the
    certification signature's DocMDP P=1 allows validation data and time-stamps only).
    ``token``: the signature time-stamp token, if the caller kept it (else read from
    ``signed``); the long-term validation of the result checks the one in the file."""
    context = _context(signer, tsa_roots, revocation)
    token = token or _signature_timestamp(signed)
    try:
        paths = asyncio.run(_paths(signer, context, token))
    except RevocationUnavailable as e:
        raise RevocationUnavailable(f"no revocation data for {e}") from e
    missing = _covered(paths, context)
    if missing is not None:
        raise RevocationUnavailable(f"no revocation data for {missing}")
    writer = IncrementalPdfFileWriter(io.BytesIO(signed))
    # pyHanko refreshes the Info dictionary and the XMP stream in every revision; this
    # one may only add validation data and a time-stamp (pyHanko issue #223).
    writer._update_meta = lambda: None  # type: ignore[method-assign]
    DocumentSecurityStore.supply_dss_in_writer(
        writer, sig_contents=None, paths=paths, validation_context=context, embed_roots=True
    )
    out = PdfTimeStamper(timestamper, field_name=DOC_TIMESTAMP_FIELD).timestamp_pdf(
        writer, "sha256", validation_context=None, in_place=True
    )
    data: bytes = out.getvalue()
    verdict = asyncio.run(_long_term_validation(data, _roots(signer, tsa_roots)))
    if verdict is not None:
        raise RevocationUnavailable(f"a long-term validation of the result found {verdict}")
    return data


def _check_newest(signed: bytes, signer: IssuerSigner, tsa_roots: Sequence[bytes]) -> None:
    """Raise ``SigningError`` if ``ledger-verify pdf`` would find the B-T signature's
    unsigned parts unsound (``reports.unsigned``): the TSA's token is not DER or not as
    RFC 5652 builds it. ``reports.issuing`` then tries the next TSA, at last B-B."""
    newest = PdfFileReader(io.BytesIO(signed)).embedded_signatures[-1]
    why = unsigned.unsound(newest, _roots(signer, tsa_roots), ours=True)
    if why is not None:
        raise SigningError(f"the TSA's token would not verify: {why}")


async def _long_term_validation(pdf: bytes, roots: list[asn1_x509.Certificate]) -> str | None:
    """None if pyHanko's AdES long-term validation (ETSI EN 319 102-1), with ``roots``
    trusted, revocation data required and nothing fetched, PASSES on ``pdf``; else its
    indication (e.g. "INDETERMINATE/NO_POE": an OCSP response its time-slide cannot
    place). First, the newest document time-stamp must be sound where no signature
    covers it (``reports.unsigned``), as ``ledger-verify pdf`` checks it."""
    policy = CertValidationPolicySpec(
        trust_manager=SimpleTrustManager.build(trust_roots=roots),
        revinfo_policy=CertRevTrustPolicy(REQUIRE_REVINFO),
    )
    spec = PdfSignatureValidationSpec(
        SignatureValidationSpec(
            cert_validation_policy=policy,
            revinfo_gathering_policy=RevocationInfoGatheringSpec(
                online_fetching_rule=RevinfoOnlineFetchingRule.LOCAL_ONLY
            ),
        )
    )
    reader = PdfFileReader(io.BytesIO(pdf))
    why = unsigned.unsound(reader.embedded_signatures[-1], roots, ours=False)
    if why is not None:  # what ledger-verify pdf checks beyond pyHanko
        return f"the document time-stamp unsound ({why})"
    signature = reader.embedded_regular_signatures[0]
    result = await ades_lta_validation(signature, spec)
    sub = result.ades_subindic
    if sub.status.name == "PASSED":
        return None
    return f"{sub.status.name}/{sub.standard_name}"


# pyHanko's estimates of the space a time-stamped signature needs, by the digests of the
# signer's certificates and of the TSA's dummy token: all the CMS object's size depends on.
_reservations: dict[tuple[bytes, bytes], int] = {}
_reservations_lock = threading.Lock()


async def _reservation(signer: IssuerSigner, timestamper: TimeStamper) -> int:
    """The bytes to reserve for a time-stamped signature: what pyHanko reserves when it
    estimates them itself (``PdfSigningSession.estimate_signature_container_size``: a
    dry-run CMS object with the TSA's dummy token, in hex, and half again for tokens
    that vary), made once per signer and dummy token (which pyHanko keeps per
    time-stamper) instead of once per signature: the dry run is half of pyHanko's
    signing time."""
    dummy = await timestamper.async_dummy_response("sha256")
    certs = [signer.signer.signing_cert, *signer.signer.cert_registry]
    key = (
        hashlib.sha256(b"".join(c.dump() for c in certs)).digest(),
        hashlib.sha256(dummy.dump()).digest(),
    )
    with _reservations_lock:
        known = _reservations.get(key)
    if known is not None:
        return known
    test = await signer.signer.async_sign(
        hashlib.sha256(b"").digest(),
        "sha256",
        dry_run=True,
        use_pades=True,
        timestamper=timestamper,
        signed_attr_settings=PdfCMSSignedAttributes(signing_time=datetime.now(UTC)),
    )
    hex_length = len(test.dump()) * 2
    reserved = hex_length + 2 * (hex_length // 4)
    with _reservations_lock:
        if len(_reservations) >= 16:
            _reservations.clear()
        _reservations[key] = reserved
    return reserved


def sign(
    pdf: bytes,
    attachment: bytes,
    signer: IssuerSigner,
    *,
    issued_at: datetime,
    level: str = B_B,
    timestamper: HTTPTimeStamper | None = None,
    tsa_roots: Sequence[bytes] = (),
    revocation: Revocation | None = None,
    name: str | None = None,
    location: str | None = None,
    contact: str | None = None,
) -> bytes:
    """Embed ``attachment`` as ``evidence-bundle.json`` and sign at ``level``:

    - B-B: the issuer's signature alone;
    - B-T: and a signature time-stamp from ``timestamper``;
    - B-LTA: and, in a second revision, the validation data of the issuer's and the
      TSA's chains with their revocation data (``revocation``; ``tsa_roots`` trust the
      TSA) and a document time-stamp. Raises ``RevocationUnavailable`` if that data
      cannot be had: never B-LTA without it.

    Raises pyHanko's errors (a TSA that fails raises ``TimestampRequestError``, an
    ``OSError``)."""
    if level not in (B_B, B_T, B_LTA):
        raise ValueError(f"level must be {B_B}, {B_T} or {B_LTA}, not {level!r}")
    if level != B_B and timestamper is None:
        raise ValueError(f"{level} needs a time-stamper")
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    _embed_bundle(writer, attachment, issued_at)
    metadata = PdfSignatureMetadata(
        field_name=FIELD_NAME,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason="Certificate of evidence: the issuer attests its content and the embedded "
        "evidence bundle",
        name=name,
        location=location,
        contact_info=contact,
        certify=True,
        docmdp_permissions=fields.MDPPerm.NO_CHANGES,
    )
    stamper = _KeptToken(timestamper) if timestamper is not None and level != B_B else None
    pdf_signer = PdfSigner(metadata, signer=signer.signer, timestamper=stamper)
    # B-B: a fixed reservation saves pyHanko's dry-run signature (the CMS object is about
    # 2 KB). With a time-stamp: the TSA's token and chain vary in size, so the space is
    # pyHanko's estimate, made once per signer and TSA token (``_reservation``).
    reserved = B_B_RESERVED if stamper is None else asyncio.run(_reservation(signer, stamper))
    out = pdf_signer.sign_pdf(writer, bytes_reserved=reserved)
    signed: bytes = out.getvalue()
    if level == B_T:
        _check_newest(signed, signer, tsa_roots)
    if level != B_LTA:
        return signed
    assert stamper is not None  # noqa: S101  checked above
    revocation = revocation or Revocation()
    try:
        return _embed_validation_data_and_stamp(
            signed, signer, stamper.timestamper, tsa_roots, revocation, stamper.token
        )
    except RevocationUnavailable:
        _forget_check(signer, stamper.timestamper, tsa_roots, revocation)
        raise
