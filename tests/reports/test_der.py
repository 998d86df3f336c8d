"""reports.der: DER is accepted, every BER liberty and every cut is named.

The CMS objects the ledger signs with are DER (checked on real certificates in
test_signature and test_revocation); here, generated trees of elements in DER, and each
way BER (or damage) departs from it.
"""

from __future__ import annotations

import pytest
from asn1crypto import cms, core
from hypothesis import given
from hypothesis import strategies as st

from reports.der import MAX_DEPTH, problem


def tlv(identifier: int, content: bytes) -> bytes:
    """One element with its length in the shortest form."""
    n = len(content)
    if n < 0x80:
        return bytes([identifier, n]) + content
    octets = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([identifier, 0x80 | len(octets)]) + octets + content


def integer(value: int) -> bytes:
    return tlv(0x02, value.to_bytes(value.bit_length() // 8 + 1, "big", signed=True))


_leaves = st.one_of(
    st.integers(-(2**80), 2**80).map(integer),
    st.booleans().map(lambda b: tlv(0x01, b"\xff" if b else b"\x00")),
    st.just(tlv(0x05, b"")),
    st.binary(max_size=300).map(lambda b: tlv(0x04, b)),
    st.binary(max_size=40).map(lambda b: tlv(0x03, b"\x00" + b)),
    st.text(max_size=40).map(lambda t: tlv(0x0C, t.encode("utf-8"))),
    st.sampled_from(["1.2.840.113549.1.7.2", "2.16.840.1.101.3.4.2.1", "1.3.6.1.5.5.7.3.8"]).map(
        lambda oid: core.ObjectIdentifier(oid).dump()
    ),
)
_trees = st.recursive(
    _leaves,
    lambda children: st.tuples(
        st.sampled_from([0x30, 0x31, 0xA0, 0xA3]), st.lists(children, max_size=6)
    ).map(lambda t: tlv(t[0], b"".join(t[1]))),
    max_leaves=40,
)


@given(_trees)
def test_der_trees_pass_and_any_cut_or_trailing_byte_is_named(encoded: bytes) -> None:
    assert problem(encoded) is None
    assert problem(encoded[:-1]) is not None
    assert problem(encoded + b"\x00") == f"1 byte(s) follow the element (at byte {len(encoded)})"


def test_asn1crypto_s_own_encoding_is_der() -> None:
    signed = cms.ContentInfo(
        {
            "content_type": "signed_data",
            "content": {
                "version": "v1",
                "digest_algorithms": [{"algorithm": "sha256", "parameters": core.Null()}],
                "encap_content_info": {"content_type": "data"},
                "signer_infos": [],
            },
        }
    )
    assert problem(signed.dump()) is None


@pytest.mark.parametrize(
    ("encoded", "why"),
    [
        (b"\x30\x80\x02\x01\x01\x00\x00", "an indefinite length (at byte 0)"),
        (b"\x30\x81\x03\x02\x01\x01", "a length not in its shortest form (at byte 0)"),
        (b"\x04\x82\x00\x01\x00", "a length not in its shortest form (at byte 0)"),
        (b"\x30\x05\x02\x01\x01\x00\x00", "an end-of-contents marker (at byte 5)"),
        (b"\x30\x04\x02\x01\x01", "an element runs past its end (at byte 0)"),
        (b"\x30\x03\x02\x02\x01", "an element runs past its end (at byte 2)"),
        (b"\x30\x01\x02", "an element is cut short (at byte 2)"),
        (b"\x30\x85\x01\x00\x00\x00\x00", "a length that does not fit (at byte 0)"),
        (b"\x01\x01\x01", "a BOOLEAN that is not one byte 00 or FF (at byte 0)"),
        (b"\x02\x02\x00\x7f", "an INTEGER not in its shortest form (at byte 0)"),
        (b"\x02\x02\xff\x80", "an INTEGER not in its shortest form (at byte 0)"),
        (b"\x02\x00", "an empty INTEGER (at byte 0)"),
        (b"\x03\x02\x01\x01", "a BIT STRING whose unused bits are not zero (at byte 0)"),
        (b"\x03\x01\x01", "a BIT STRING whose count of unused bits is wrong (at byte 0)"),
        (b"\x03\x02\x08\x00", "a BIT STRING whose count of unused bits is wrong (at byte 0)"),
        (b"\x05\x01\x00", "a NULL with contents (at byte 0)"),
        (b"\x06\x02\x80\x01", "an OBJECT IDENTIFIER not in its shortest form (at byte 0)"),
        (b"\x06\x01\x81", "an OBJECT IDENTIFIER not in its shortest form (at byte 0)"),
        (b"\x24\x03\x04\x01\x00", "a constructed encoding of universal type 4 (at byte 0)"),
        (b"\x10\x00", "a SEQUENCE or SET in the primitive form (at byte 0)"),
        (b"\x9f\x05\x00", "a tag number not in its shortest form (at byte 0)"),
        (b"\x9f\x80\x21\x00", "a tag number not in its shortest form (at byte 0)"),
        (b"\x17\x0b9901011200Z", "a UTCTime not in the form YYMMDDHHMMSSZ (at byte 0)"),
        (
            b"\x18\x1220260101120000.50Z",
            "a GeneralizedTime not in the form YYYYMMDDHHMMSS[.f]Z (at byte 0)",
        ),
    ],
)
def test_each_departure_from_der_is_named_with_its_offset(encoded: bytes, why: str) -> None:
    assert problem(encoded) == why


def test_the_accepted_forms_of_what_der_fixes() -> None:
    for encoded in (
        b"\x9f\x1f\x00",  # tag 31, the first high tag number
        b"\x03\x02\x04\xf0",  # four unused bits, zero
        b"\x17\x0d991231235959Z",
        b"\x18\x0f20261207120000Z",
        b"\x18\x1120261207120000.5Z",
        tlv(0x04, bytes(300)),  # a long form length of two bytes
    ):
        assert problem(encoded) is None, encoded.hex()


def test_nesting_is_bounded() -> None:
    def nested(depth: int) -> bytes:
        encoded = tlv(0x05, b"")
        for _ in range(depth):
            encoded = tlv(0x30, encoded)
        return encoded

    assert problem(nested(MAX_DEPTH)) is None
    why = problem(nested(MAX_DEPTH + 1))
    assert why is not None
    assert why.startswith(f"elements nested more than {MAX_DEPTH} deep (at byte ")
