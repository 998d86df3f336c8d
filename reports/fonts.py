"""The one font of certificates: WenQuanYi Micro Hei, embedded as a TrueType subset.

Every string of a certificate may hold CJK (a signer named 张三 appears in the English
edition too), and reportlab's CID fonts (STSong-Light) are never embedded: a viewer
without them draws boxes (docs/design/CEILINGS.md, pitfall 7). So all text is set in the WQY
TrueType
faces, of which reportlab embeds the subset of glyphs a document uses, with a ToUnicode
map (text stays searchable and ``pdftotext`` reads it back). The regular face sets prose,
the monospaced one hashes, keys and notes.

Debian ships the faces in ``fonts-wqy-microhei`` (``make system-deps`` installs it).
Parsing the 5 MB collection costs about 0.3 s per face, once per process. Certificates
render side by side in a process: each document keeps its own subset state in the font
objects, but writing a subset reads the shared font file through one file position, so
that step (a few milliseconds per document) takes a lock.
"""

from __future__ import annotations

import threading
from pathlib import Path

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FONT_FILE = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
SANS = "WQYMicroHei"
MONO = "WQYMicroHeiMono"
_FACES = {SANS: 0, MONO: 1}  # subfont index in the collection
# Code points the faces lack, drawn with the glyph of a look-alike the faces have: the
# marks of a character shown by its code point (``reports.printable``), ⟨ ⟩ (U+27E8,
# U+27E9), drawn as ‹ › (U+2039, U+203A). The text layer keeps the real code points, so
# copying or ``pdftotext`` reads ⟨U+200B⟩.
ALIASES = {0x27E8: 0x2039, 0x27E9: 0x203A}
_lock = threading.Lock()
_subsetting = threading.Lock()
_loaded: set[str] = set()


class _SharedFont(TTFont):  # type: ignore[misc]  # reportlab is untyped
    """A TrueType font that several documents may use at once."""

    def addObjects(self, doc: object) -> None:  # reportlab's name
        with _subsetting:
            super().addObjects(doc)


class FontMissing(RuntimeError):
    """The CJK font file is not installed."""


def _alias(font: TTFont) -> None:
    face = font.face
    for missing, like in ALIASES.items():
        face.charToGlyph[missing] = face.charToGlyph[like]
        face.charWidths[missing] = face.charWidths[like]


def register(font_file: Path = FONT_FILE) -> tuple[str, str]:
    """Register both faces with reportlab (once per process); their names (sans, mono)."""
    with _lock:
        for name, index in _FACES.items():
            if name in _loaded:
                continue
            if not font_file.is_file():
                raise FontMissing(
                    f"{font_file} is missing: install the Debian package fonts-wqy-microhei "
                    "(make system-deps)"
                )
            font = _SharedFont(name, str(font_file), subfontIndex=index)
            _alias(font)
            pdfmetrics.registerFont(font)
            # One face for every style: the collection has no bold or italic, and a
            # <b> in a paragraph must never fall back to a font without CJK glyphs.
            for bold in (0, 1):
                for italic in (0, 1):
                    addMapping(name, bold, italic, name)
            _loaded.add(name)
    return SANS, MONO
