"""PAdES signing of certificates with pyHanko (ETSI EN 319 142-1).

``IssuerSigner.load(cert_file, key_file)`` reads the issuer's certificate chain and key
once; keep the object (``ledger.certificates`` caches it per process): pyHanko's
``SimpleSigner`` parses its key again for every signature, twice per PDF, which costs
45 ms for RSA (docs/design/CEILINGS.md, pitfall 4), so this signer keeps the parsed key. ECDSA
P-256 is
the recommended key; RSA works; Ed25519 is refused, because poppler cannot verify
Ed25519 PDF signatures (pitfall 5).

``sign(pdf, attachment, signer, timestamper=...)`` embeds the evidence bundle as the
file attachment ``evidence-bundle.json`` and certifies the document (DocMDP: no
changes but PAdES validation data and document time-stamps), in one incremental
update, so the signature covers the attachment. With a time-stamper it reaches PAdES
B-LTA: a signature time-stamp (B-T), the validation data of the signer's and the TSA's
chains in the DSS (B-LT) and a document time-stamp over all of it (B-LTA). Without one,
B-B.
"""

from __future__ import annotations

import io
import threading
import time
import urllib.parse
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from asn1crypto import keys as asn1_keys
from asn1crypto import tsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from pyhanko.keys import load_certs_from_pemder_data
from pyhanko.pdf_utils.embed import EmbeddedFileObject, EmbeddedFileParams, FileSpec, embed_file
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko.sign.signers.pdf_signer import (
    DSSContentSettings,
    PdfSignatureMetadata,
    PdfSigner,
    TimestampDSSContentSettings,
)
from pyhanko.sign.timestamps import HTTPTimeStamper
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore

from reports.model import ATTACHMENT_NAME

FIELD_NAME = "CertificateOfEvidence"
B_LTA, B_B = "B-LTA", "B-B"
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


class TimedTimeStamper(HTTPTimeStamper):
    """pyHanko's RFC 3161 HTTP client, adding up the time spent waiting for the TSA.

    One per TSA URL and process: it keeps the dummy token pyHanko asks for once (to
    size the signature). ``lock`` serialises its use; ``seconds`` and ``requests``
    count the round trips since ``reset()``.
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


def sign(
    pdf: bytes,
    attachment: bytes,
    signer: IssuerSigner,
    *,
    issued_at: datetime,
    timestamper: HTTPTimeStamper | None = None,
    tsa_roots: Sequence[bytes] = (),
    name: str | None = None,
    location: str | None = None,
    contact: str | None = None,
) -> bytes:
    """Embed ``attachment`` as ``evidence-bundle.json`` and sign: PAdES B-LTA with a
    time-stamper (``tsa_roots`` trust its tokens), B-B without. Raises pyHanko's errors
    (a TSA that fails raises ``TimestampRequestError``, an ``OSError``)."""
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    _embed_bundle(writer, attachment, issued_at)
    lta = timestamper is not None
    context = None
    if lta:
        roots = [asn1_x509.Certificate.load(r) for r in signer.roots]
        roots += [c for data in tsa_roots for c in load_certs_from_pemder_data(data)]
        context = ValidationContext(
            trust_roots=roots,
            other_certs=[
                asn1_x509.Certificate.load(c.public_bytes(serialization.Encoding.DER))
                for c in signer.chain
            ],
            allow_fetching=True,  # revocation data named in real certificates (OCSP, CRL)
            revocation_mode="soft-fail",
        )
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
        embed_validation_info=lta,
        use_pades_lta=lta,
        validation_context=context,
        # The validation data go in with the document time-stamp, before it (no VRI
        # dictionaries, which PAdES no longer needs): the time-stamp then covers the
        # whole file, and no byte of the certificate is left unsigned.
        dss_settings=DSSContentSettings(
            include_vri=False,
            next_ts_settings=TimestampDSSContentSettings(include_vri=False, update_before_ts=True),
        ),
    )
    pdf_signer = PdfSigner(metadata, signer=signer.signer, timestamper=timestamper)
    # B-B: a fixed reservation saves pyHanko's dry-run signature (the CMS object is about
    # 2 KB). B-LTA: the TSA's token and chain vary in size, so pyHanko measures them.
    out = pdf_signer.sign_pdf(writer, bytes_reserved=None if lta else B_B_RESERVED)
    data: bytes = out.getvalue()
    return data
