"""Breaking text into lines that fit a width, in time linear in its length.

One line breaker for every text of a certificate, prose and table cells, English and
Chinese (docs/certificate.md, "Layout and cost"). It follows the parts of Unicode's line
breaking rules (UAX #14) that our text needs:

- a line may break at a space (the space is dropped at the break), and between two
  East Asian wide characters (Chinese has no spaces between words);
- never inside a run of other characters: an identifier (``LEDGER_ISSUER_PERSON_TITLE``,
  an e-mail address, a URL, an id, a hash group) stays whole on its line;
- never before closing punctuation (``。，、）`` ...) nor after opening punctuation
  (``（「`` ...), so a line never starts with ``）`` and ``角色`` in ``（角色）`` stays
  with its brackets;
- only a run wider than a whole line is split: after ``/ - _ . @`` or another separator
  where one fits, else between two characters.

Text comes as runs, each in its own ``Face`` (font, size, colour); a line is a list of
``Piece`` s to draw one after the other.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from reportlab.pdfbase.pdfmetrics import stringWidth

_WIDE = (
    "\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua960-\ua97f"
    "\uac00-\ud7a3\uf900-\ufaff\ufe10-\ufe19\ufe30-\ufe6f\uff00-\uff60\uffe0-\uffe6"
    "\U00020000-\U0003fffd"
)
# A newline, a run of other white space, one wide character, or a run of anything else.
_ATOM = re.compile(rf"(\n)|([^\S\n]+)|([{_WIDE}])|([^\s{_WIDE}]+)")
_WIDE_CHAR = re.compile(f"[{_WIDE}]")
NO_BREAK_BEFORE = frozenset(")]}>,.;:!?%、。，．：；！？）」』】〕〉》〗〙〛”’…‥・·ー›")
NO_BREAK_AFTER = frozenset("([{<（「『【〔〈《〖〘〚“‘‹")
SOFT_AFTER = frozenset("/-_.@?&=:;,+|\\")
CJK_BREAK_AFTER = frozenset("、。，：；！？）」』】〕〉》")


@dataclass(frozen=True, slots=True)
class Face:
    """A font at a size, in a colour (None: the flowable's own)."""

    font: str
    size: float
    color: Any = None


@dataclass(slots=True)
class Piece:
    """Text in one face, to be drawn at ``x`` points from the line's start."""

    text: str
    face: Face
    x: float = 0.0
    width: float = 0.0


@dataclass(slots=True)
class _Unit:
    """What cannot be broken (unless wider than a line): pieces, and a space before."""

    pieces: list[Piece] = field(default_factory=list)
    space: float = 0.0  # width of the space before it (0: none, or a line start)
    width: float = 0.0
    newlines: int = 0  # forced breaks before it


def width(text: str, face: Face) -> float:
    return float(stringWidth(text, face.font, face.size))


def _atoms(runs: Iterable[tuple[str, Face]]) -> Iterator[tuple[int, str, Face]]:
    """(kind, text, face): kind 1 newline, 2 space, 3 wide character, 4 other run."""
    for text, face in runs:
        for match in _ATOM.finditer(text):
            kind = match.lastindex or 4
            yield kind, match.group(kind), face


def _may_break(last: str, first: str, words: bool) -> bool:
    """Whether a line may break between two adjacent characters (no space between)."""
    if last in NO_BREAK_AFTER or first in NO_BREAK_BEFORE:
        return False
    if words:  # labels: Chinese breaks only after its punctuation or before a bracket
        return last in CJK_BREAK_AFTER or first in NO_BREAK_AFTER
    return bool(_WIDE_CHAR.match(last) or _WIDE_CHAR.match(first))


def _units(runs: Iterable[tuple[str, Face]], words: bool) -> Iterator[_Unit]:
    unit = _Unit()
    before = 0  # the kind of the previous atom
    space_face: Face | None = None
    newlines = 0
    for kind, text, face in _atoms(runs):
        if kind == 1:
            newlines, space_face, before = newlines + 1, None, 1
            continue
        if kind == 2:
            space_face, before = face, 2
            continue
        glued = before in (3, 4) and not _may_break(unit.pieces[-1].text[-1], text[0], words)
        if not glued and unit.pieces:
            yield unit
            unit = _Unit()
        if not unit.pieces:
            unit.newlines = newlines
            unit.space = width(" ", space_face) if space_face is not None else 0.0
            newlines, space_face = 0, None
        piece = Piece(text, face, width=width(text, face))
        unit.pieces.append(piece)
        unit.width += piece.width
        before = kind
    if unit.pieces:
        yield unit


def _split_wide(unit: _Unit, limit: float) -> Iterator[list[Piece]]:
    """A unit wider than a line, as lines: broken after a separator or between wide
    characters where one fits (never before closing punctuation), else between any two
    characters; a closing punctuation mark that does not fit hangs in the margin."""
    chars = [(c, p.face) for p in unit.pieces for c in p.text]
    widths: dict[tuple[str, Face], float] = {}
    start, used, soft = 0, 0.0, -1  # soft: the last index a line may end after
    for i, key in enumerate(chars):
        w = widths.get(key)
        if w is None:
            w = widths[key] = width(*key)
        if i > start and _soft(chars[i - 1][0], key[0]):
            soft = i - 1
        while used + w > limit and i > start:  # each pass moves ``start`` on
            hang = key[0] in NO_BREAK_BEFORE and soft < start
            cut = soft + 1 if soft >= start else i + 1 if hang else i
            yield _pieces(chars[start:cut])
            used = sum(widths[k] for k in chars[cut:i]) if cut <= i else -w
            start = cut
            soft = next(
                (j - 1 for j in range(i, start, -1) if _soft(chars[j - 1][0], chars[j][0])), -1
            )
        used += w
    if start < len(chars):
        yield _pieces(chars[start:])


def _soft(last: str, first: str) -> bool:
    """Whether a run too wide for a line may be broken between these two characters."""
    if last in NO_BREAK_AFTER or first in NO_BREAK_BEFORE:
        return False
    return last in SOFT_AFTER or bool(_WIDE_CHAR.match(last) or _WIDE_CHAR.match(first))


def _pieces(chars: Sequence[tuple[str, Face]]) -> list[Piece]:
    pieces: list[Piece] = []
    for char, face in chars:
        if pieces and pieces[-1].face == face:
            pieces[-1].text += char
        else:
            pieces.append(Piece(char, face))
    for piece in pieces:
        piece.width = width(piece.text, piece.face)
    return pieces


def break_lines(
    runs: Iterable[tuple[str, Face]], limit: float, words: bool = False
) -> list[list[Piece]]:
    """The runs laid out in lines no wider than ``limit`` points (see the module doc).
    ``words``: as for a label or a column head, Chinese is broken only after its
    punctuation (、，：）...) or before a bracket, so that no word of it is split."""
    lines: list[list[Piece]] = [[]]
    used = 0.0
    for unit in _units(runs, words):
        for _ in range(unit.newlines):
            lines.append([])
            used = 0.0
        gap = unit.space if lines[-1] else 0.0
        if used + gap + unit.width <= limit:
            _place(lines[-1], unit.pieces, used + gap)
            used += gap + unit.width
            continue
        if lines[-1]:
            lines.append([])
        if unit.width <= limit:
            _place(lines[-1], unit.pieces, 0.0)
            used = unit.width
            continue
        parts = list(_split_wide(unit, limit))
        for n, part in enumerate(parts):
            if n:
                lines.append([])
            _place(lines[-1], part, 0.0)
        used = sum(p.width for p in parts[-1])
    return lines


def _place(line: list[Piece], pieces: Sequence[Piece], x: float) -> None:
    """Append ``pieces`` at ``x``, merged into the last piece when the face is the same."""
    for piece in pieces:
        if line and line[-1].face == piece.face:
            last = line[-1]
            gap = x - (last.x + last.width)
            if gap > 0.01:
                last.text += " "
            last.text += piece.text
            last.width = x + piece.width - last.x
        else:
            line.append(Piece(piece.text, piece.face, x, piece.width))
        x += piece.width


def fit(
    text: str, font: str, size: float, limit: float, max_lines: int = 0, words: bool = False
) -> str:
    """``text`` in lines no wider than ``limit`` points, joined by newlines (a table
    cell's text); at most ``max_lines`` lines (0: no limit), the last ending in "…"."""
    face = Face(font, size)
    given = text.split("\n")
    if (not max_lines or len(given) <= max_lines) and all(width(x, face) <= limit for x in given):
        return text  # the common case: every line fits as it is
    broken = break_lines([(text, face)], limit, words)
    lines = ["".join(p.text for p in line) for line in broken]
    if max_lines and len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1][: max(1, len(lines[-1]) - 2)] + "…"
    return "\n".join(lines)
