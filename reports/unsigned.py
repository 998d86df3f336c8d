"""What no signature covers in a certificate's PDF signatures, and whether it is sound.

A PDF signature's byte range leaves out its own ``/Contents``, the CMS object; the next
revision's signature covers it, and the newest one is covered by none. Within a CMS
SignedData (RFC 5652), its own signature covers the signed attributes only: the
certificates and CRLs, the list of digest algorithms, the versions, the signer's
digest and signature algorithm identifiers, its unsigned attributes and the encoding
itself are outside it. So that a byte changed in the newest ``/Contents`` is still
caught (docs/certificate.md: any changed byte makes ``ledger-verify pdf`` exit 1),
``unsound(sig, roots, ours)`` says why the newest CMS object is not sound, if it is not:

- ``/Contents`` holds one DER element (``reports.der``; ISO 32000-2 §12.8.3.3 asks for
  DER), then zeros (``padding``, which older signatures are held to as well);
- each SignedData has one signer; its versions are those RFC 5652 §5.1 and §5.3
  compute; its list of digest algorithms is the signer's; digest algorithms have no
  parameters but NULL, nor has the signature algorithm (but RSASSA-PSS);
- every certificate is signed by its issuer (an embedded or trusted one, or itself),
  every CRL by an embedded or trusted certificate, each with the algorithm its signed
  part names and a signature of whole bytes;
- in the issuer's signature (``ours``), the only unsigned attribute is the signature
  time-stamp token, whose SignedData is held to the same. A TSA's own token (a
  document time-stamp) may carry unsigned attributes of its own: left as they are.
"""

from __future__ import annotations

from asn1crypto import algos, cms
from asn1crypto import x509 as asn1_x509
from asn1crypto.core import Asn1Value, Void
from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature

from reports import der

# The keys that can sign a CRL (cryptography's CertificateIssuerPublicKeyTypes).
_CRL_KEYS = (
    dsa.DSAPublicKey,
    ec.EllipticCurvePublicKey,
    ed25519.Ed25519PublicKey,
    ed448.Ed448PublicKey,
    rsa.RSAPublicKey,
)
_NO_PARAMETERS = (b"", b"\x05\x00")  # absent, or NULL


def _cms_end(data: bytes) -> int | None:
    """Where the CMS object at the start of ``data`` ends, by its outer length."""
    if len(data) < 2 or data[0] != 0x30:
        return None
    if data[1] < 0x80:
        return 2 + data[1]
    width = data[1] & 0x7F
    return 2 + width + int.from_bytes(data[2 : 2 + width], "big")


def padding(sig: EmbeddedPdfSignature) -> str | None:
    """Why the bytes after the CMS object in ``/Contents`` are not all zero, if they are
    not: no signature covers them (the signed byte ranges leave ``/Contents`` out), so
    without this check a byte changed there would go unnoticed."""
    data = bytes(sig.pkcs7_content)
    end = _cms_end(data)
    if end is None:
        return "the signature is not a DER SEQUENCE"
    if any(data[end:]):
        return "the space reserved for the signature holds bytes after it (not zeros)"
    return None


def unsound(
    sig: EmbeddedPdfSignature, roots: list[asn1_x509.Certificate], ours: bool
) -> str | None:
    """Why the newest signature's CMS object is not sound where its own signature does
    not cover it, if it is not (see the module doc); ``roots``: the trusted
    certificates; ``ours``: the issuer's PAdES signature (not a TSA's token)."""
    why = padding(sig)
    if why is not None:
        return why
    data = bytes(sig.pkcs7_content)
    why = der.problem(data[: _cms_end(data)])
    if why is not None:
        return f"the signature is not DER: {why}"
    try:  # asn1crypto parses lazily: a part pyHanko never read may not parse
        return _unsound(sig, roots, ours)
    except (ValueError, TypeError, KeyError) as e:
        return f"a part of the signature cannot be read: {e}"


def _unsound(
    sig: EmbeddedPdfSignature, roots: list[asn1_x509.Certificate], ours: bool
) -> str | None:
    why = _signed_data(sig.signed_data, roots)
    if why is not None:
        return f"the signature's {why}"
    attributes = sig.signer_info["unsigned_attrs"]
    for attribute in [] if isinstance(attributes, Void) or not ours else attributes:
        kind = attribute["type"].native
        if kind != "signature_time_stamp_token":
            return f"the signature carries an unsigned attribute no check covers ({kind})"
        for token in attribute["values"]:
            why = _signed_data(token["content"], roots)
            if why is not None:
                return f"the signature time-stamp's {why}"
    return None


def _signed_data(signed_data: cms.SignedData, roots: list[asn1_x509.Certificate]) -> str | None:
    """Why one SignedData's parts outside its signature are unsound, if they are."""
    signers = signed_data["signer_infos"]
    if len(signers) != 1:
        return f"signed data has {len(signers)} signers, not one"
    signer = signers[0]
    certificates, crls = (
        [] if isinstance(signed_data[name], Void) else list(signed_data[name])
        for name in ("certificates", "crls")
    )
    if any(c.name != "certificate" for c in certificates):
        return "signed data carries a certificate that is not an X.509 certificate"
    if any(c.name != "crl" for c in crls):
        return "signed data carries revocation data that is not a CRL"
    why = _versions(signed_data, signer) or _algorithms(signed_data, signer)
    if why is not None:
        return why
    try:  # ValueError: not DER, or not what it says, e.g. a length changed
        embedded = [x509.load_der_x509_certificate(c.chosen.dump()) for c in certificates]
    except ValueError as e:
        return f"embedded certificate is damaged (it cannot be read: {e})"
    try:
        lists = [x509.load_der_x509_crl(c.chosen.dump()) for c in crls]
    except ValueError as e:
        return f"embedded CRL is damaged (it cannot be read: {e})"
    pool = embedded + [x509.load_der_x509_certificate(r.dump()) for r in roots]
    for parsed, cert in zip((c.chosen for c in certificates), embedded, strict=True):
        issuers = [c for c in pool if c.subject == cert.issuer]
        if not _whole(parsed, "signature_value", parsed["tbs_certificate"]) or not any(
            _issued(cert, issuer) for issuer in issuers
        ):
            return f"embedded certificate ({cert.subject.rfc4514_string()}) is damaged"
    for parsed, crl in zip((c.chosen for c in crls), lists, strict=True):
        issuers = [c for c in pool if c.subject == crl.issuer]
        if not _whole(parsed, "signature", parsed["tbs_cert_list"]) or not any(
            _crl_signed(crl, issuer) for issuer in issuers
        ):
            return f"embedded CRL ({crl.issuer.rfc4514_string()}) is damaged"
    return None


def _versions(signed_data: cms.SignedData, signer: cms.SignerInfo) -> str | None:
    """RFC 5652 §5.3: a signer named by issuer and serial number is v1, by subject key
    identifier v3; §5.1: the SignedData is v3 if a signer is v3 or the content is not
    id-data, else v1 (no attribute or other certificates, no other revocation data)."""
    by_key = signer["sid"].name == "subject_key_identifier"
    if signer["version"].native != ("v3" if by_key else "v1"):
        return f"signer version {signer['version'].native} is not RFC 5652's"
    data = signed_data["encap_content_info"]["content_type"].native == "data"
    if signed_data["version"].native != ("v1" if data and not by_key else "v3"):
        return f"signed data version {signed_data['version'].native} is not RFC 5652's"
    return None


def _algorithms(signed_data: cms.SignedData, signer: cms.SignerInfo) -> str | None:
    """The list of digest algorithms is the signer's; no parameters but NULL."""
    wanted = signer["digest_algorithm"]
    listed = list(signed_data["digest_algorithms"])
    if [a["algorithm"].dotted for a in listed] != [wanted["algorithm"].dotted]:
        return "list of digest algorithms is not its signer's"
    signature: algos.SignedDigestAlgorithm = signer["signature_algorithm"]
    identifiers = [*listed, wanted]
    if signature["algorithm"].native != "rsassa_pss":
        identifiers.append(signature)
    if any(_parameters(a) not in _NO_PARAMETERS for a in identifiers):
        return "algorithm identifier has parameters where none belong"
    return None


def _parameters(identifier: Asn1Value) -> bytes:
    found: bytes = identifier["parameters"].dump()
    return found


def _whole(signed: Asn1Value, signature: str, tbs: Asn1Value) -> bool:
    """A certificate's or CRL's signature is a BIT STRING of whole bytes, made with the
    algorithm its signed part names (RFC 5280 §4.1.1.2, §5.1.1.2)."""
    bits = signed[signature].contents
    return (
        bool(bits)
        and bits[0] == 0
        and signed["signature_algorithm"].dump() == tbs["signature"].dump()
    )


def _issued(cert: x509.Certificate, issuer: x509.Certificate) -> bool:
    try:
        cert.verify_directly_issued_by(issuer)
    except (InvalidSignature, ValueError, TypeError, UnsupportedAlgorithm):
        return False
    return True


def _crl_signed(crl: x509.CertificateRevocationList, issuer: x509.Certificate) -> bool:
    try:
        key = issuer.public_key()
        return isinstance(key, _CRL_KEYS) and crl.is_signature_valid(key)
    except (ValueError, TypeError, UnsupportedAlgorithm):
        return False
