"""Untrusted text made safe to print: what a platform sent, shown as it is, never hidden.

Every value a certificate shows from an event (names, addresses, titles, reasons,
document names, ids) passes through here before it is laid out (docs/certificate.md,
"Words a platform sent"):

- characters that draw nothing or reorder what follows (format characters such as
  U+200B ZERO WIDTH SPACE, the bidi embeddings, overrides and isolates U+202A-U+202E and
  U+2066-U+2069; control characters, including line breaks; line and paragraph
  separators; private-use, surrogate and unassigned code points) are shown as
  ``⟨U+200B⟩``, so ``alice@exam\\u200bple.com`` never prints like ``alice@example.com``.
  The marks U+27E8 and U+27E9 are drawn with the glyphs of ‹ › (the font has no ⟨ ⟩:
  ``reports.fonts.ALIASES``); a platform's own ``⟨``, ``⟩``, ``‹`` or ``›`` is shown as its
  code point too, so that no text can pass itself off as a shown character;
- a value longer than its field's limit (``reports.limits``) is cut there; the caller
  says how many characters the attached bundle holds beyond it.
"""

from __future__ import annotations

import unicodedata

# Unicode general categories shown as code points: Cc control, Cf format, Co private
# use, Cs surrogate, Cn unassigned, Zl line separator, Zp paragraph separator.
HIDDEN = frozenset({"Cc", "Cf", "Co", "Cs", "Cn", "Zl", "Zp"})
OPEN, CLOSE = "\u27e8", "\u27e9"  # ⟨ ⟩, drawn as ‹ ›
MARKS = frozenset({OPEN, CLOSE, "\u2039", "\u203a"})  # and what they are drawn as


def code_point(char: str) -> str:
    """``⟨U+200B⟩``: how a character that would not show is shown."""
    return f"{OPEN}U+{ord(char):04X}{CLOSE}"


def visible(text: str) -> str:
    """``text`` with every character of a ``HIDDEN`` category, and the marks themselves,
    shown as code points."""
    if text.isprintable() and MARKS.isdisjoint(text):
        return text  # the common case: one pass at C speed
    category = unicodedata.category
    return "".join(code_point(c) if c in MARKS or category(c) in HIDDEN else c for c in text)


def clipped(text: str, limit: int) -> tuple[str, int]:
    """``text`` cut to ``limit`` characters and made visible; how many were cut."""
    if len(text) <= limit:
        return visible(text), 0
    return visible(text[:limit]), len(text) - limit
