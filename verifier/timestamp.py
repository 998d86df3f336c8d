"""RFC 3161 time-stamp tokens, verified offline (docs/design/EVIDENCE-FORMAT.md §5).

``verify(token, digest, trust_roots)`` accepts a DER TimeStampToken (RFC 3161 §2.4.2: a
CMS ContentInfo whose SignedData encapsulates a TSTInfo) or a whole DER TimeStampResp
(then its PKIStatus must be granted or grantedWithMods). It checks, in this order:

1. the structure: ContentInfo of id-signedData (RFC 5652 §5.1), eContentType id-ct-TSTInfo,
   TSTInfo version 1 without critical extensions, exactly one SignerInfo (RFC 3161
   §2.4.2: "MUST NOT contain any signatures other than the signature of the TSA");
2. the message imprint equals ``digest``, hashed with SHA-256, SHA-384 or SHA-512. SHA-1
   and MD5 imprints are refused: a collision would let one token date two documents,
   which is no evidence of either;
3. the signer: the certificate named by the SignerIdentifier (issuerAndSerialNumber or
   subjectKeyIdentifier), among the token's certificates or the trust roots;
4. the signed attributes (RFC 5652 §5.3, §11): present, one content-type equal to
   id-ct-TSTInfo, one message-digest equal to the hash of the encapsulated TSTInfo, and
   an ESS signing-certificate (RFC 2634 §5.4, SHA-1) or signing-certificate-v2 (RFC 5035)
   attribute whose first ESSCertID is the hash (and issuer/serial) of the signer
   certificate: RFC 3161 §2.4.1 and RFC 5816 require one;
5. the signature over the DER SET OF signed attributes with the signer's key: RSA
   PKCS#1 v1.5, RSASSA-PSS (MGF1, hash = digest algorithm) or ECDSA, hashed with the
   SignerInfo's digest algorithm (SHA-256/384/512); RSA keys of at least 2048 bits, EC
   keys of at least 256;
6. the TSA certificate (RFC 3161 §2.3): an extended key usage extension, critical,
   holding id-kp-timeStamping and nothing else; a key usage, if present, of
   digitalSignature and/or nonRepudiation only (as OpenSSL's timestamp purpose);
7. a chain from the signer through the token's certificates to one of ``trust_roots``:
   every signature verifies (SHA-1 and MD5 certificate signatures refused), every
   issuer has basicConstraints cA and, if it has a key usage, keyCertSign, path length
   constraints hold, no certificate below the trust root has a critical extension we do
   not process, and every certificate, root included, is valid at ``at_time``;
8. the TSTInfo ``tsa`` name, if present, is the signer's subject or one of its
   subjectAltNames (RFC 3161 §2.4.2).

``at_time`` defaults to the token's genTime, so a token stays checkable after its TSA
certificate expires (the point of an archival time-stamp). Trust roots are anchors:
their own signatures are not checked. Revocation is not checked: that needs the
network (CRL, OCSP) or revocation data kept with the evidence.

Every failure raises ``TimestampError`` (``TimestampMalformedError`` when the bytes are
not a readable token) with the reason; no other exception escapes, whatever the bytes.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

from asn1crypto import cms, core, parser, tsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, ExtensionOID

from verifier.errors import MalformedError, TimestampError, TimestampMalformedError, first_line
from verifier.trust import TrustRoots, certificate_errors, load_roots, parse_certificate

SIGNED_DATA = "1.2.840.113549.1.7.2"  # RFC 5652 §5.1 id-signedData
TST_INFO = "1.2.840.113549.1.9.16.1.4"  # RFC 3161 §2.4.2 id-ct-TSTInfo
MAX_TOKEN_BYTES = 1 << 20  # real tokens with their chain have a few KiB
MAX_CERTIFICATES = 50  # in a token: bounds the work of chain building
MAX_CHAIN = 8  # certificates from the signer to the trust root, both included
MAX_ISSUER_CHECKS = 64  # candidate issuer signatures verified while building the chain
MIN_RSA_BITS = 2048
MIN_EC_BITS = 256

# The hashes evidence may rest on, by their asn1crypto names.
_HASHES: dict[str, type[hashes.HashAlgorithm]] = {
    "sha256": hashes.SHA256,
    "sha384": hashes.SHA384,
    "sha512": hashes.SHA512,
}
_WEAK = {"md2", "md4", "md5", "sha1"}
# ESSCertID (v1) is SHA-1 by definition (RFC 2634 §5.4.1); it only names the certificate.
_ESS_HASHES: dict[str, type[hashes.HashAlgorithm]] = {**_HASHES, "sha1": hashes.SHA1}
# Extensions whose criticality we can honour: we check them or they restrict nothing here.
_UNDERSTOOD = {
    ExtensionOID.BASIC_CONSTRAINTS,
    ExtensionOID.KEY_USAGE,
    ExtensionOID.EXTENDED_KEY_USAGE,
    ExtensionOID.SUBJECT_KEY_IDENTIFIER,
    ExtensionOID.AUTHORITY_KEY_IDENTIFIER,
    ExtensionOID.SUBJECT_ALTERNATIVE_NAME,
    ExtensionOID.ISSUER_ALTERNATIVE_NAME,
    ExtensionOID.CERTIFICATE_POLICIES,  # no policy is required (RFC 5280 §6.1.1 c-f)
}
# What asn1crypto (a pure-Python BER/DER parser) raises on bytes it cannot read.
_ASN1_ERRORS = (ValueError, TypeError, KeyError, IndexError, OverflowError, RecursionError)
_E = TypeVar("_E", bound=x509.ExtensionType)


@dataclass(frozen=True, slots=True)
class TimestampFacts:
    """What a verified token says (RFC 3161 §2.4.2 TSTInfo) and who signed it."""

    tsa_name: str  # the signer certificate's subject, RFC 4514
    tsa: str | None  # the TSTInfo tsa GeneralName, if present (RFC 4514 or "DNS:..." etc.)
    serial_number: int
    gen_time: datetime  # aware, UTC
    accuracy: float | None  # seconds
    policy: str  # dotted OID
    hash_algorithm: str  # of the message imprint: "sha256", "sha384" or "sha512"
    nonce: int | None
    chain: list[str]  # subjects (RFC 4514) from the signer to the trust root
    signer_certificate: bytes  # DER


# --- the token, read into plain values -------------------------------------------------


class _TimeStampResp(core.Sequence):  # type: ignore[misc]
    """RFC 3161 §2.4.2 TimeStampResp; asn1crypto makes timeStampToken mandatory, it is not."""

    _fields = [  # noqa: RUF012  asn1crypto's declaration style
        ("status", tsp.PKIStatusInfo),
        ("time_stamp_token", cms.ContentInfo, {"optional": True}),
    ]


@dataclass(frozen=True, slots=True)
class _EssCertId:
    hash_algorithm: str
    cert_hash: bytes
    serial: int | None  # issuerSerial, when present
    issuers: tuple[bytes, ...]  # DER Names of its directoryName issuers


@dataclass(frozen=True, slots=True)
class _Attributes:
    """The signed attributes of the SignerInfo that ``verify`` checks."""

    der: bytes  # as the SET OF that was signed
    types: tuple[str, ...]  # every attribute type, dotted, repeats kept
    content_types: tuple[str, ...]  # values of every content-type attribute
    message_digests: tuple[bytes, ...]
    ess: tuple[tuple[_EssCertId, ...], ...]  # one tuple of ESSCertIDs per attribute value


@dataclass(frozen=True, slots=True)
class _Signer:
    """The one SignerInfo (RFC 5652 §5.3)."""

    issuer: bytes | None  # DER Name, for issuerAndSerialNumber
    serial: int | None
    key_id: bytes | None  # for subjectKeyIdentifier
    digest_algorithm: str
    attributes: _Attributes | None
    signature_algorithm: str
    pss: tuple[str, str, str, int, int] | None  # hash, mgf, mgf hash, salt length, trailer
    signature: bytes


@dataclass(frozen=True, slots=True)
class _Token:
    """Everything ``verify`` needs from the SignedData, read out of the DER by asn1crypto."""

    econtent_type: str
    tst_info: bytes  # DER of the encapsulated TSTInfo
    certificates: tuple[bytes, ...]  # DER of the embedded X.509 certificates
    signer: _Signer


@dataclass(frozen=True, slots=True)
class _TstInfo:
    version: int
    policy: str
    hash_algorithm: str
    hashed_message: bytes
    serial_number: int
    gen_time: datetime
    gen_time_text: str
    accuracy: tuple[int | None, int | None, int | None] | None
    nonce: int | None
    tsa: tuple[str, object] | None  # GeneralName alternative name, and its value
    critical_extensions: tuple[str, ...]


@contextlib.contextmanager
def _reading(what: str) -> Iterator[None]:
    """Turns asn1crypto's exceptions into ``TimestampMalformedError`` naming ``what``."""
    try:
        yield
    except _ASN1_ERRORS as e:
        raise TimestampMalformedError(f"{what} is not valid DER: {first_line(e)}") from None


def token_of(data: bytes) -> bytes:
    """The TimeStampToken of ``data``: itself, or the token of a granted TimeStampResp
    (``TimestampError`` naming the PKIStatus when the TSA did not grant one)."""
    with _reading("the token"):
        outer = parser.parse(data, strict=True)
        if outer[0] != 0 or outer[2] != 16:  # universal SEQUENCE
            raise ValueError("not a SEQUENCE")
        first = parser.parse(outer[4])  # the first element: an OID, or a SEQUENCE
    if first[2] == 6:  # OBJECT IDENTIFIER: a ContentInfo
        return data
    if first[2] != 16:
        raise TimestampMalformedError(
            "the token is neither a TimeStampToken (ContentInfo) nor a TimeStampResp"
        )
    with _reading("the TimeStampResp"):
        response = _TimeStampResp.load(data, strict=True)
        status = response["status"]
        state = status["status"].native
        texts = status["status_string"].native or []
        fail_info = sorted(status["fail_info"].native or ())
        token = response["time_stamp_token"]
        token_der = None if isinstance(token, core.Void) else bytes(token.dump())
    if state not in ("granted", "granted_with_mods"):
        detail = "; ".join(str(t) for t in texts)
        failure = f" (failInfo {', '.join(str(f) for f in fail_info)})" if fail_info else ""
        raise TimestampError(
            f"the TSA did not grant the time-stamp: PKIStatus {state}{failure}"
            + (f": {detail}" if detail else ""),
            expected="granted",
            actual=state,
        )
    if token_der is None:
        raise TimestampError(f"the TimeStampResp has PKIStatus {state} but no token")
    return token_der


def _ess_ids(value: Any, v2: bool) -> tuple[_EssCertId, ...]:
    ids = []
    for cert_id in value["certs"]:
        algorithm = cert_id["hash_algorithm"]["algorithm"].native if v2 else "sha1"
        issuer_serial = cert_id["issuer_serial"]
        serial: int | None = None
        issuers: tuple[bytes, ...] = ()
        if not isinstance(issuer_serial, core.Void):
            serial = int(issuer_serial["serial_number"].native)
            issuers = tuple(
                bytes(name.chosen.untag().dump())
                for name in issuer_serial["issuer"]
                if name.name == "directory_name"
            )
        ids.append(_EssCertId(str(algorithm), bytes(cert_id["cert_hash"].native), serial, issuers))
    return tuple(ids)


def _read_attributes(signer: Any) -> _Attributes | None:
    attrs = signer["signed_attrs"]
    if isinstance(attrs, core.Void):
        return None
    raw = bytes(attrs.dump())
    if raw[:1] != b"\xa0":
        raise ValueError("signedAttrs is not tagged [0]")
    types, content_types, digests, ess = [], [], [], []
    for attr in attrs:
        types.append(str(attr["type"].dotted))
        name = attr["type"].native
        values = attr["values"]
        if name == "content_type":
            content_types += [str(v.dotted) for v in values]
        elif name == "message_digest":
            digests += [bytes(v.native) for v in values]
        elif name in ("signing_certificate", "signing_certificate_v2"):
            ess += [_ess_ids(v, name == "signing_certificate_v2") for v in values]
    # RFC 5652 §5.4: the signature covers the DER of the SET OF, not of the [0].
    return _Attributes(
        b"\x31" + raw[1:], tuple(types), tuple(content_types), tuple(digests), tuple(ess)
    )


def _read_pss(algorithm: Any) -> tuple[str, str, str, int, int]:
    params = algorithm["parameters"]
    mgf = params["mask_gen_algorithm"]
    return (
        str(params["hash_algorithm"]["algorithm"].native),
        str(mgf["algorithm"].native),
        str(mgf["parameters"]["algorithm"].native),
        int(params["salt_length"]),
        int(params["trailer_field"]),
    )


def _read_signer(signer: Any) -> _Signer:
    sid = signer["sid"]
    issuer = serial = key_id = None
    if sid.name == "issuer_and_serial_number":
        issuer = bytes(sid.chosen["issuer"].dump())
        serial = int(sid.chosen["serial_number"].native)
    else:
        key_id = bytes(sid.chosen.native)
    algorithm = signer["signature_algorithm"]
    name = str(algorithm["algorithm"].native)
    return _Signer(
        issuer=issuer,
        serial=serial,
        key_id=key_id,
        digest_algorithm=str(signer["digest_algorithm"]["algorithm"].native),
        attributes=_read_attributes(signer),
        signature_algorithm=name,
        pss=_read_pss(algorithm) if name == "rsassa_pss" else None,
        signature=bytes(signer["signature"].native),
    )


def _read_token(data: bytes) -> _Token:
    with _reading("the TimeStampToken"):
        info = cms.ContentInfo.load(data, strict=True)
        content_type = str(info["content_type"].dotted)
        if content_type != SIGNED_DATA:
            raise TimestampError(
                f"the token is a ContentInfo of {content_type}, not of id-signedData",
                expected=SIGNED_DATA,
                actual=content_type,
            )
        signed = info["content"]
        encap = signed["encap_content_info"]
        econtent = encap["content"]
        certificates = signed["certificates"]
        certs = () if isinstance(certificates, core.Void) else tuple(certificates)
        signers = tuple(signed["signer_infos"])
        if len(signers) != 1:
            raise TimestampError(
                f"the token has {len(signers)} SignerInfos; RFC 3161 §2.4.2 allows only "
                "the TSA's signature"
            )
        return _Token(
            econtent_type=str(encap["content_type"].dotted),
            tst_info=b"" if isinstance(econtent, core.Void) else bytes(econtent),
            certificates=tuple(bytes(c.chosen.dump()) for c in certs if c.name == "certificate"),
            signer=_read_signer(signers[0]),
        )


def _read_tst_info(data: bytes) -> _TstInfo:
    with _reading("the TSTInfo"):
        tst = tsp.TSTInfo.load(data, strict=True)
        imprint = tst["message_imprint"]
        accuracy = tst["accuracy"]
        tsa = tst["tsa"]
        extensions = tst["extensions"]
        critical: tuple[str, ...] = ()
        if not isinstance(extensions, core.Void):
            critical = tuple(e["extn_id"].dotted for e in extensions if e["critical"].native)
        tsa_value: tuple[str, object] | None = None
        if not isinstance(tsa, core.Void):
            name = tsa.name
            value = bytes(tsa.chosen.untag().dump()) if name == "directory_name" else tsa.native
            tsa_value = (str(name), value)
        return _TstInfo(
            version=int(tst["version"]),
            policy=str(tst["policy"].dotted),
            hash_algorithm=str(imprint["hash_algorithm"]["algorithm"].native),
            hashed_message=bytes(imprint["hashed_message"].native),
            serial_number=int(tst["serial_number"].native),
            gen_time=tst["gen_time"].native,
            gen_time_text=bytes(tst["gen_time"].contents).decode("ascii"),
            accuracy=None
            if isinstance(accuracy, core.Void)
            else (
                accuracy["seconds"].native,
                accuracy["millis"].native,
                accuracy["micros"].native,
            ),
            nonce=None if isinstance(tst["nonce"], core.Void) else int(tst["nonce"].native),
            tsa=tsa_value,
            critical_extensions=critical,
        )


def _names_equal(a: bytes, b: bytes) -> bool:
    """X.501 Name equality: identical DER, or equal after RFC 5280 §7.1 normalisation."""
    if a == b:
        return True
    try:
        return bool(asn1_x509.Name.load(a) == asn1_x509.Name.load(b))
    except _ASN1_ERRORS:
        return False


# --- checks ----------------------------------------------------------------------------


def _check_arguments(token: object, digest: object, at_time: object, nonce: object) -> None:
    if not isinstance(token, bytes):
        raise MalformedError(f"token must be bytes, not {type(token).__name__}")
    if not token:
        raise TimestampMalformedError("the token is empty")
    if len(token) > MAX_TOKEN_BYTES:
        raise TimestampMalformedError(
            f"the token has {len(token)} bytes, more than {MAX_TOKEN_BYTES}"
        )
    if not isinstance(digest, bytes) or not 1 <= len(digest) <= 64:
        raise MalformedError("digest must be bytes of a hash (1 to 64 bytes)")
    if at_time is not None and (not isinstance(at_time, datetime) or at_time.tzinfo is None):
        raise MalformedError("at_time must be an aware datetime (with a time zone)")
    if nonce is not None and (not isinstance(nonce, int) or isinstance(nonce, bool)):
        raise MalformedError("nonce must be an int")


def load_trust_roots(trust_roots: Sequence[bytes] | TrustRoots) -> list[x509.Certificate]:
    """The usable certificates of ``trust_roots`` (``verifier.trust.load_roots``), or
    ``MalformedError`` if there are none."""
    roots = list(load_roots(trust_roots).certificates)
    if not roots:
        raise MalformedError("no trust roots: a token can only be trusted against a root")
    return roots


def _check_content(token: _Token, tst: _TstInfo) -> None:
    if token.econtent_type != TST_INFO:
        raise TimestampError(
            f"the signed content is {token.econtent_type}, not id-ct-TSTInfo",
            expected=TST_INFO,
            actual=token.econtent_type,
        )
    if tst.version != 1:
        raise TimestampError(f"TSTInfo version is {tst.version}, not 1")
    if tst.critical_extensions:
        raise TimestampError(
            f"the TSTInfo has critical extensions {list(tst.critical_extensions)}, "
            "which this verifier does not know"
        )


def _hash_for(name: str, what: str) -> type[hashes.HashAlgorithm]:
    if name in _WEAK:
        raise TimestampError(
            f"{what} uses {name}, too weak for evidence (collisions are feasible); "
            f"accepted: {', '.join(_HASHES)}"
        )
    if name not in _HASHES:
        raise TimestampError(f"{what} uses {name}, which this verifier does not support")
    return _HASHES[name]


def _check_imprint(tst: _TstInfo, digest: bytes) -> None:
    """RFC 3161 §2.4.2: messageImprint MUST be the one of the request."""
    size = _hash_for(tst.hash_algorithm, "the message imprint")().digest_size
    if len(tst.hashed_message) != size:
        raise TimestampError(
            f"the {tst.hash_algorithm} message imprint has {len(tst.hashed_message)} bytes, "
            f"not {size}"
        )
    if tst.hashed_message != digest:
        raise TimestampError(
            f"the message imprint does not match the digest: the token time-stamps "
            f"{tst.hash_algorithm} {tst.hashed_message.hex()}, not {digest.hex()}",
            expected=digest.hex(),
            actual=tst.hashed_message.hex(),
        )


def _gen_time(tst: _TstInfo) -> datetime:
    """RFC 3161 §2.4.2: genTime is GeneralizedTime in UTC ("Z")."""
    when = tst.gen_time
    if not isinstance(when, datetime) or when.tzinfo is None or not tst.gen_time_text.endswith("Z"):
        raise TimestampError(f"genTime {tst.gen_time_text!r} is not a UTC GeneralizedTime")
    return when.astimezone(UTC)


def _accuracy(tst: _TstInfo) -> float | None:
    if tst.accuracy is None:
        return None
    seconds, millis, micros = (v or 0 for v in tst.accuracy)
    if seconds < 0 or not 0 <= millis <= 999 or not 0 <= micros <= 999:
        raise TimestampError(f"accuracy {tst.accuracy} is out of range (RFC 3161 §2.4.2)")
    return seconds + millis / 1_000 + micros / 1_000_000


def _der(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.DER)


def _extensions(cert: x509.Certificate) -> x509.Extensions:
    # a duplicate or undecodable extension
    malformed: tuple[type[BaseException], ...] = (ValueError, *certificate_errors())
    try:
        return cert.extensions
    except malformed as e:
        raise TimestampError(
            f"certificate {_subject(cert)} has malformed extensions: {first_line(e)}"
        ) from None


def _extension(cert: x509.Certificate, kind: type[_E]) -> x509.Extension[_E] | None:
    try:
        return _extensions(cert).get_extension_for_class(kind)
    except x509.ExtensionNotFound:
        return None


def _subject(cert: x509.Certificate) -> str:
    return cert.subject.rfc4514_string()


def _load_embedded(token: _Token) -> list[x509.Certificate]:
    if len(token.certificates) > MAX_CERTIFICATES:
        raise TimestampMalformedError(
            f"the token embeds {len(token.certificates)} certificates, more than {MAX_CERTIFICATES}"
        )
    certs = []
    for n, der in enumerate(token.certificates):
        try:
            certs.append(parse_certificate(der))
        except ValueError as e:
            raise TimestampMalformedError(
                f"embedded certificate {n} is not a valid certificate: {first_line(e)}"
            ) from None
    return certs


def _find_signer(si: _Signer, candidates: Sequence[x509.Certificate]) -> x509.Certificate:
    """RFC 5652 §5.3 SignerIdentifier: issuerAndSerialNumber or subjectKeyIdentifier."""
    found: dict[bytes, x509.Certificate] = {}
    for cert in candidates:
        if si.key_id is not None:
            ski = _extension(cert, x509.SubjectKeyIdentifier)
            match = ski is not None and ski.value.digest == si.key_id
        else:
            match = (
                cert.serial_number == si.serial
                and si.issuer is not None
                and _names_equal(cert.issuer.public_bytes(), si.issuer)
            )
        if match:
            found.setdefault(_der(cert), cert)
    if si.key_id is not None:
        which = f"subjectKeyIdentifier {si.key_id.hex()}"
    else:
        which = f"issuer and serial number {si.serial}"
    if not found:
        raise TimestampError(
            f"the signer certificate ({which}) is neither in the token nor a trust root"
        )
    if len(found) > 1:
        raise TimestampError(f"{len(found)} different certificates match the signer ({which})")
    return next(iter(found.values()))


def _check_ess(attributes: _Attributes, signer: x509.Certificate) -> None:
    """RFC 3161 §2.4.1, RFC 2634 §5.4, RFC 5035: the first ESSCertID names the signer."""
    if not attributes.ess:
        raise TimestampError(
            "the token has no ESS signing-certificate(-v2) attribute naming the TSA "
            "certificate (RFC 3161 §2.4.1, RFC 5816)"
        )
    der = _der(signer)
    for cert_ids in attributes.ess:
        if not cert_ids:
            raise TimestampError("an ESS signing-certificate attribute lists no certificate")
        first = cert_ids[0]
        algorithm = _ESS_HASHES.get(first.hash_algorithm)
        if algorithm is None:
            raise TimestampError(
                f"the ESSCertID uses {first.hash_algorithm}, which this verifier does not support"
            )
        digest = hashes.Hash(algorithm())
        digest.update(der)
        actual = digest.finalize()
        if actual != first.cert_hash:
            raise TimestampError(
                "the ESS signing-certificate attribute names another certificate than the "
                f"signer: {first.hash_algorithm} {first.cert_hash.hex()}, the signer's is "
                f"{actual.hex()}",
                expected=actual.hex(),
                actual=first.cert_hash.hex(),
            )
        if first.serial is not None and (
            first.serial != signer.serial_number
            or not any(_names_equal(i, signer.issuer.public_bytes()) for i in first.issuers)
        ):
            raise TimestampError(
                "the ESS signing-certificate issuerSerial does not match the signer certificate"
            )


def _check_signed_attributes(token: _Token, signer: x509.Certificate) -> hashes.HashAlgorithm:
    """RFC 5652 §5.3-5.4, §11.1-11.2: content-type and message-digest, once each."""
    si = token.signer
    algorithm = _hash_for(si.digest_algorithm, "the SignerInfo digest algorithm")()
    attributes = si.attributes
    if attributes is None:
        raise TimestampError("the SignerInfo has no signed attributes")
    for oid, what in (
        ("1.2.840.113549.1.9.3", "content-type"),
        ("1.2.840.113549.1.9.4", "message-digest"),
        ("1.2.840.113549.1.9.16.2.12", "signing-certificate"),
        ("1.2.840.113549.1.9.16.2.47", "signing-certificate-v2"),
    ):
        if attributes.types.count(oid) > 1:
            raise TimestampError(f"the signed attributes hold {what} more than once")
    if attributes.content_types != (TST_INFO,):
        raise TimestampError(
            f"the content-type attribute is {list(attributes.content_types) or 'missing'}, "
            "it must be id-ct-TSTInfo alone",
            expected=[TST_INFO],
            actual=list(attributes.content_types),
        )
    if len(attributes.message_digests) != 1:
        raise TimestampError("the signed attributes need exactly one message-digest value")
    digest = hashes.Hash(algorithm)
    digest.update(token.tst_info)
    actual = digest.finalize()
    if attributes.message_digests[0] != actual:
        raise TimestampError(
            "the message-digest attribute does not match the TSTInfo: the TSTInfo was "
            "changed after signing",
            expected=attributes.message_digests[0].hex(),
            actual=actual.hex(),
        )
    _check_ess(attributes, signer)
    return algorithm


def _signature_scheme(si: _Signer, algorithm: hashes.HashAlgorithm) -> str:
    """ "rsa", "pss" or "ecdsa", once the signature algorithm agrees with the digest one."""
    name = si.signature_algorithm
    if name == "rsassa_pkcs1v15":
        return "rsa"
    if name == "rsassa_pss":
        assert si.pss is not None  # noqa: S101  read with the algorithm
        hash_name, mgf, mgf_hash, _salt, trailer = si.pss
        if (hash_name, mgf, mgf_hash, trailer) != (algorithm.name, "mgf1", algorithm.name, 1):
            raise TimestampError(
                f"RSASSA-PSS parameters ({hash_name}, {mgf} with {mgf_hash}, trailer "
                f"{trailer}) do not use the digest algorithm {algorithm.name} throughout"
            )
        return "pss"
    if name == "ecdsa":
        return "ecdsa"
    named, _, kind = name.partition("_")
    if kind not in ("rsa", "ecdsa"):
        raise TimestampError(f"signature algorithm {name} is not supported (RSA, RSA-PSS, ECDSA)")
    if named != algorithm.name:
        raise TimestampError(
            f"signature algorithm {name} does not agree with the digest algorithm {algorithm.name}"
        )
    return kind


def _check_signature(
    si: _Signer, signer: x509.Certificate, algorithm: hashes.HashAlgorithm
) -> None:
    """RFC 5652 §5.4-5.6: the signature over the DER SET OF signed attributes."""
    scheme = _signature_scheme(si, algorithm)
    try:
        key = signer.public_key()
    except (ValueError, UnsupportedAlgorithm) as e:
        raise TimestampError(f"the signer's public key cannot be used: {first_line(e)}") from None
    data = si.attributes.der if si.attributes is not None else b""
    try:
        if isinstance(key, rsa.RSAPublicKey) and scheme in ("rsa", "pss"):
            if key.key_size < MIN_RSA_BITS:
                raise TimestampError(
                    f"the TSA's RSA key has {key.key_size} bits, fewer than {MIN_RSA_BITS}"
                )
            pad: padding.AsymmetricPadding = padding.PKCS1v15()
            if scheme == "pss":
                assert si.pss is not None  # noqa: S101  checked by _signature_scheme
                pad = padding.PSS(mgf=padding.MGF1(algorithm), salt_length=si.pss[3])
            key.verify(si.signature, data, pad, algorithm)
        elif isinstance(key, ec.EllipticCurvePublicKey) and scheme == "ecdsa":
            if key.key_size < MIN_EC_BITS:
                raise TimestampError(
                    f"the TSA's EC key has {key.key_size} bits, fewer than {MIN_EC_BITS}"
                )
            key.verify(si.signature, data, ec.ECDSA(algorithm))
        else:
            raise TimestampError(
                f"signature algorithm {si.signature_algorithm} does not fit the signer's "
                f"{type(key).__name__.removeprefix('_')} key"
            )
    except (InvalidSignature, ValueError):
        raise TimestampError(
            "the TSA's signature does not verify: the signed attributes or the signature "
            "were changed, or another key signed"
        ) from None


def _check_tsa_certificate(signer: x509.Certificate) -> None:
    """RFC 3161 §2.3: EKU critical with id-kp-timeStamping only; key usage for signing."""
    eku = _extension(signer, x509.ExtendedKeyUsage)
    who = _subject(signer)
    if eku is None:
        raise TimestampError(
            f"the TSA certificate {who} has no extended key usage; RFC 3161 §2.3 requires "
            "one, critical, with only id-kp-timeStamping"
        )
    if not eku.critical:
        raise TimestampError(
            f"the TSA certificate {who} has a non-critical extended key usage; RFC 3161 "
            "§2.3 requires it critical"
        )
    usages = [u.dotted_string for u in eku.value]
    if usages != [ExtendedKeyUsageOID.TIME_STAMPING.dotted_string]:
        raise TimestampError(
            f"the TSA certificate {who} has extended key usages {usages}; RFC 3161 §2.3 "
            "allows only id-kp-timeStamping (1.3.6.1.5.5.7.3.8)"
        )
    ku = _extension(signer, x509.KeyUsage)
    if ku is not None:
        value = ku.value
        signing = value.digital_signature or value.content_commitment
        others = (
            value.key_encipherment,
            value.data_encipherment,
            value.key_agreement,
            value.key_cert_sign,
            value.crl_sign,
        )
        if not signing or any(others):
            raise TimestampError(
                f"the TSA certificate {who} has a key usage other than digitalSignature "
                "and/or nonRepudiation"
            )


def _is_anchor(cert: x509.Certificate, roots: Sequence[x509.Certificate]) -> bool:
    der = _der(cert)
    return any(_der(root) == der for root in roots)


def _check_issuer(issuer: x509.Certificate, child: x509.Certificate) -> None:
    """``issuer`` signed ``child`` and may issue certificates (RFC 5280 §4.2.1.3, 4.2.1.9)."""
    try:
        child.verify_directly_issued_by(issuer)
    except InvalidSignature:
        raise TimestampError(
            f"the signature of {_subject(issuer)} on {_subject(child)} does not verify"
        ) from None
    except (ValueError, TypeError, UnsupportedAlgorithm) as e:
        raise TimestampError(
            f"cannot check the signature of {_subject(issuer)} on {_subject(child)}: "
            f"{first_line(e)}"
        ) from None
    bc = _extension(issuer, x509.BasicConstraints)
    if bc is None or not bc.value.ca:
        raise TimestampError(f"{_subject(issuer)} issued {_subject(child)} but is not a CA")
    ku = _extension(issuer, x509.KeyUsage)
    if ku is not None and not ku.value.key_cert_sign:
        raise TimestampError(
            f"{_subject(issuer)} issued {_subject(child)} but its key usage lacks keyCertSign"
        )


def _check_certificate(cert: x509.Certificate, when: datetime, anchor: bool) -> None:
    """Validity at ``when``; below the anchor, no SHA-1/MD5 and no unknown critical extension."""
    if not cert.not_valid_before_utc <= when <= cert.not_valid_after_utc:
        raise TimestampError(
            f"certificate {_subject(cert)} is not valid at {when.isoformat()}: valid from "
            f"{cert.not_valid_before_utc.isoformat()} to {cert.not_valid_after_utc.isoformat()}"
        )
    if anchor:
        return
    try:
        algorithm = cert.signature_hash_algorithm
    except (UnsupportedAlgorithm, ValueError) as e:
        raise TimestampError(f"certificate {_subject(cert)}: {first_line(e)}") from None
    if algorithm is not None and algorithm.name in _WEAK:
        raise TimestampError(
            f"certificate {_subject(cert)} is signed with {algorithm.name}, too weak for evidence"
        )
    for extension in _extensions(cert):
        if extension.critical and extension.oid not in _UNDERSTOOD:
            raise TimestampError(
                f"certificate {_subject(cert)} has critical extension "
                f"{extension.oid.dotted_string}, which this verifier does not process"
            )


@dataclass
class _Search:
    """The state of one path building: what was tried, why it failed, what is left."""

    pool: Sequence[x509.Certificate]
    roots: Sequence[x509.Certificate]
    when: datetime
    failures: list[str] = field(default_factory=list)
    expanded: set[bytes] = field(default_factory=set)  # DER of certificates searched from
    checks: int = 0  # issuer signatures verified


def _build_chain(path: list[x509.Certificate], search: _Search) -> list[x509.Certificate] | None:
    """Depth-first path building from ``path[-1]`` up to a trust root; None if none works.

    Each certificate is searched from once, and at most ``MAX_ISSUER_CHECKS`` signatures
    are verified: a token full of cross-signed certificates cannot make this exponential.
    """
    current = path[-1]
    der = _der(current)
    anchored = _is_anchor(current, search.roots)
    try:
        _check_certificate(current, search.when, anchored)
    except TimestampError as e:
        search.failures.append(e.message)
        return None
    if anchored:
        return path
    if len(path) >= MAX_CHAIN:
        search.failures.append(f"no trust root within {MAX_CHAIN} certificates of the signer")
        return None
    if der in search.expanded:
        return None
    search.expanded.add(der)
    issuers = [
        c
        for c in search.pool
        if c.subject == current.issuer and all(_der(c) != _der(p) for p in path)
    ]
    if not issuers:
        if current.issuer == current.subject:
            search.failures.append(
                f"the chain ends at {_subject(current)}, which is not a trust root"
            )
        else:
            search.failures.append(
                f"the chain ends at {_subject(current)}: its issuer "
                f"{current.issuer.rfc4514_string()} is neither in the token nor a trust root"
            )
        return None
    for issuer in issuers:
        search.checks += 1
        if search.checks > MAX_ISSUER_CHECKS:
            search.failures.append(f"gave up after {MAX_ISSUER_CHECKS} candidate issuers")
            return None
        try:
            _check_issuer(issuer, current)
        except TimestampError as e:
            search.failures.append(e.message)
            continue
        chain = _build_chain([*path, issuer], search)
        if chain is not None:
            return chain
    return None


def _check_path_lengths(chain: Sequence[x509.Certificate]) -> None:
    """RFC 5280 §4.2.1.9 pathLenConstraint: intermediates below each CA."""
    for n, cert in enumerate(chain[1:], start=1):
        bc = _extension(cert, x509.BasicConstraints)
        limit = bc.value.path_length if bc is not None else None
        if limit is not None and n - 1 > limit:
            raise TimestampError(
                f"{_subject(cert)} allows {limit} intermediate CAs below it, the chain has {n - 1}"
            )


def _chain(
    signer: x509.Certificate,
    embedded: Sequence[x509.Certificate],
    roots: Sequence[x509.Certificate],
    when: datetime,
) -> list[x509.Certificate]:
    pool: list[x509.Certificate] = []
    for cert in [*roots, *embedded]:  # trust roots first: the shortest way home
        if all(_der(cert) != _der(c) for c in pool):
            pool.append(cert)
    search = _Search(pool, roots, when)
    chain = _build_chain([signer], search)
    if chain is None:
        reasons = list(dict.fromkeys(search.failures))  # in order, without repeats
        raise TimestampError(
            "no valid chain from the TSA certificate to a trust root: " + "; ".join(reasons)
        )
    _check_path_lengths(chain)
    return chain


def _tsa_text(tst: _TstInfo, signer: x509.Certificate) -> str | None:
    """RFC 3161 §2.4.2: tsa, if present, MUST be one of the signer certificate's names."""
    if tst.tsa is None:
        return None
    kind, value = tst.tsa
    san = _extension(signer, x509.SubjectAlternativeName)
    alt_names = list(san.value) if san is not None else []
    if kind == "directory_name" and isinstance(value, bytes):
        names = [signer.subject] + [n.value for n in alt_names if isinstance(n, x509.DirectoryName)]
        for name in names:
            if _names_equal(value, name.public_bytes()):
                return name.rfc4514_string()
    else:
        types = {
            "dns_name": (x509.DNSName, "DNS"),
            "uniform_resource_identifier": (x509.UniformResourceIdentifier, "URI"),
            "rfc822_name": (x509.RFC822Name, "email"),
        }
        kind_class, prefix = types.get(kind, (None, kind))
        for alt in alt_names:
            if kind_class is not None and isinstance(alt, kind_class) and alt.value == value:
                return f"{prefix}:{value}"
    raise TimestampError(
        f"the TSTInfo tsa name ({kind}) is not a name of the signer certificate "
        f"{_subject(signer)} (RFC 3161 §2.4.2)"
    )


# --- the public function ---------------------------------------------------------------


def verify(
    token: bytes,
    digest: bytes,
    trust_roots: Sequence[bytes] | TrustRoots,
    at_time: datetime | None = None,
    *,
    nonce: int | None = None,
) -> TimestampFacts:
    """The facts of an RFC 3161 ``token`` over ``digest``, once every check passes.

    ``token`` is a DER TimeStampToken or TimeStampResp; ``trust_roots`` PEM (bundles
    allowed) or DER certificates, or ``TrustRoots`` loaded once for many tokens;
    ``at_time`` (aware) when the chain must be valid, default the token's genTime;
    ``nonce``, if given, must be the token's nonce.
    """
    _check_arguments(token, digest, at_time, nonce)
    roots = load_trust_roots(trust_roots)
    parsed = _read_token(token_of(token))
    tst = _read_tst_info(parsed.tst_info)
    _check_content(parsed, tst)
    _check_imprint(tst, digest)
    if nonce is not None and tst.nonce != nonce:
        raise TimestampError(
            f"the token's nonce {tst.nonce} is not the request's {nonce}",
            expected=nonce,
            actual=tst.nonce,
        )
    gen_time = _gen_time(tst)
    accuracy = _accuracy(tst)
    embedded = _load_embedded(parsed)
    signer = _find_signer(parsed.signer, [*embedded, *roots])
    algorithm = _check_signed_attributes(parsed, signer)
    _check_signature(parsed.signer, signer, algorithm)
    _check_tsa_certificate(signer)
    when = gen_time if at_time is None else at_time.astimezone(UTC)
    chain = _chain(signer, embedded, roots, when)
    return TimestampFacts(
        tsa_name=_subject(signer),
        tsa=_tsa_text(tst, signer),
        serial_number=tst.serial_number,
        gen_time=gen_time,
        accuracy=accuracy,
        policy=tst.policy,
        hash_algorithm=tst.hash_algorithm,
        nonce=tst.nonce,
        chain=[_subject(c) for c in chain],
        signer_certificate=_der(signer),
    )
