"""Is a byte string one element in the Distinguished Encoding Rules (ITU-T X.690 §10)?

``problem(data)`` says why ``data`` is not, or None. ISO 32000-2 §12.8.3.3 asks the
``/Contents`` of a PDF signature to be a DER-encoded CMS object, and it matters where no
signature covers the bytes (``reports.unsigned``): BER gives one value many encodings
(an indefinite length closed by the zeros that pad ``/Contents``, a length in more bytes
than it needs), and the lenient parsers of pyHanko and asn1crypto read them all alike,
so a byte changed that way would change nothing they report.

Checked on the structure, without a schema: definite lengths in their shortest form,
tags in theirs, no end-of-contents, constructed encodings for SEQUENCE and SET only among
the universal types, children that fill their parent exactly, and the DER form of the
universal primitives whose encoding DER fixes (BOOLEAN, INTEGER, ENUMERATED, BIT STRING,
NULL, OBJECT IDENTIFIER, UTCTime, GeneralizedTime). Not checked: the order of SET OF
components (an implicitly tagged SET OF cannot be told from a SEQUENCE without a schema).
Primitive contents, such as an OCTET STRING that holds an encoding of its own (a
certificate extension), are not descended into.
"""

from __future__ import annotations

import re

MAX_DEPTH = 64
MAX_LENGTH_OCTETS = 4  # 4 GiB: more than a PDF signature can hold

_BOOLEAN, _INTEGER, _BIT_STRING, _NULL, _OID, _ENUMERATED = 1, 2, 3, 5, 6, 10
_SEQUENCE, _SET, _UTC_TIME, _GENERALIZED_TIME = 16, 17, 23, 24
# universal types that may be constructed: EXTERNAL, EMBEDDED PDV, SEQUENCE, SET,
# CHARACTER STRING (DER encodes every string type in the primitive form)
_CONSTRUCTED = frozenset({8, 11, _SEQUENCE, _SET, 29})
_UTC = re.compile(rb"[0-9]{12}Z")
_GENERALIZED = re.compile(rb"[0-9]{14}(\.[0-9]*[1-9])?Z")


class _NotDer(Exception):
    pass


def problem(data: bytes) -> str | None:
    """None if ``data`` is exactly one DER element, else why not (with a byte offset)."""
    try:
        end = _element(data, 0, len(data), 0)
    except _NotDer as e:
        return str(e)
    if end != len(data):
        return f"{len(data) - end} byte(s) follow the element (at byte {end})"
    return None


def _element(data: bytes, pos: int, limit: int, depth: int) -> int:
    """Check the element at ``pos``, which must end by ``limit``; where it ends."""
    if depth > MAX_DEPTH:
        raise _NotDer(f"elements nested more than {MAX_DEPTH} deep (at byte {pos})")
    start = pos
    if pos >= limit:
        raise _NotDer(f"an element is cut short (at byte {start})")
    identifier = data[pos]
    pos += 1
    universal, constructed, tag = identifier >> 6 == 0, bool(identifier & 0x20), identifier & 0x1F
    if tag == 0x1F:  # high tag number form: base 128, shortest
        tag, pos = _tag_number(data, pos, limit, start)
    if pos >= limit:
        raise _NotDer(f"an element is cut short (at byte {start})")
    first = data[pos]
    pos += 1
    if first == 0x80:
        raise _NotDer(f"an indefinite length (at byte {start})")
    if first < 0x80:
        length = first
    else:
        count = first & 0x7F
        if count > MAX_LENGTH_OCTETS or pos + count > limit:
            raise _NotDer(f"a length that does not fit (at byte {start})")
        length = int.from_bytes(data[pos : pos + count], "big")
        if data[pos] == 0 or length < 0x80:
            raise _NotDer(f"a length not in its shortest form (at byte {start})")
        pos += count
    end = pos + length
    if end > limit:
        raise _NotDer(f"an element runs past its end (at byte {start})")
    if universal and tag == 0:
        raise _NotDer(f"an end-of-contents marker (at byte {start})")
    if constructed:
        if universal and tag not in _CONSTRUCTED:
            raise _NotDer(f"a constructed encoding of universal type {tag} (at byte {start})")
        while pos < end:
            pos = _element(data, pos, end, depth + 1)
        return end
    if universal:
        why = _primitive(tag, data[pos:end])
        if why is not None:
            raise _NotDer(f"{why} (at byte {start})")
    return end


def _tag_number(data: bytes, pos: int, limit: int, start: int) -> tuple[int, int]:
    tag = 0
    for count in range(5):
        if pos >= limit:
            break
        octet = data[pos]
        pos += 1
        if count == 0 and octet == 0x80:
            break
        tag = tag << 7 | octet & 0x7F
        if not octet & 0x80:
            if tag < 0x1F:
                break
            return tag, pos
    raise _NotDer(f"a tag number not in its shortest form (at byte {start})")


def _primitive(tag: int, content: bytes) -> str | None:
    """Why ``content`` is not the DER of a universal primitive of type ``tag``."""
    if tag in (_SEQUENCE, _SET):
        return "a SEQUENCE or SET in the primitive form"
    if tag == _BOOLEAN and (len(content) != 1 or content[0] not in (0x00, 0xFF)):
        return "a BOOLEAN that is not one byte 00 or FF"
    if tag in (_INTEGER, _ENUMERATED):
        if not content:
            return "an empty INTEGER"
        if len(content) > 1 and (
            (content[0] == 0x00 and content[1] < 0x80)
            or (content[0] == 0xFF and content[1] >= 0x80)
        ):
            return "an INTEGER not in its shortest form"
    if tag == _BIT_STRING:
        if not content or content[0] > 7 or (len(content) == 1 and content[0]):
            return "a BIT STRING whose count of unused bits is wrong"
        if content[0] and content[-1] & ((1 << content[0]) - 1):
            return "a BIT STRING whose unused bits are not zero"
    if tag == _NULL and content:
        return "a NULL with contents"
    if tag == _OID and (not content or content[-1] & 0x80 or _leading_0x80(content)):
        return "an OBJECT IDENTIFIER not in its shortest form"
    if tag == _UTC_TIME and not _UTC.fullmatch(content):
        return "a UTCTime not in the form YYMMDDHHMMSSZ"
    if tag == _GENERALIZED_TIME and not _GENERALIZED.fullmatch(content):
        return "a GeneralizedTime not in the form YYYYMMDDHHMMSS[.f]Z"
    return None


def _leading_0x80(content: bytes) -> bool:
    """A subidentifier that starts with 0x80 (a needless leading zero group)."""
    return any(
        octet == 0x80 and (i == 0 or not content[i - 1] & 0x80) for i, octet in enumerate(content)
    )
