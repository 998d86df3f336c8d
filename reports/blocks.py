"""The two flowables a certificate is written with: text blocks and verbatim notes.

``TextBlock`` lays out runs of text in one or more faces with ``reports.lines`` (linear,
identifiers never broken, Chinese broken between characters) and draws each line as
plain strings: no markup is parsed, so nothing a platform sent can be read as markup,
and a block splits across pages line by line. ``NoteBlock`` prints a signed note
verbatim: each line of the note on one line of the page, in a size that fits, so that
the text copied out of the PDF (``pdftotext``) is the note and verifies.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from reportlab.lib import colors
from reportlab.platypus import Flowable

from reports.lines import Face, Piece, break_lines, width

ASCENT = 0.88  # of the font size: the WQY faces' ascender, for the first baseline


@dataclass(frozen=True)
class BlockStyle:
    """How a block looks: its face and leading, spacing, an optional frame."""

    font: str
    size: float
    leading: float
    color: Any
    space_before: float = 0.0
    space_after: float = 0.0
    border: Any = None  # a colour: a frame around the block (warnings)
    padding: float = 0.0
    words: bool = False  # labels and column heads: Chinese words are not split
    background: Any = None

    @property
    def face(self) -> Face:
        return Face(self.font, self.size, self.color)


Run = tuple[str, Face | None]  # text, in a face of its own or (None) the block's


class TextBlock(Flowable):  # type: ignore[misc]  # reportlab is untyped
    """Runs of text broken into lines at the width the frame or cell offers."""

    def __init__(
        self,
        runs: Sequence[Run],
        style: BlockStyle,
        lines: list[list[Piece]] | None = None,
    ) -> None:
        super().__init__()
        self.runs = [(text, face or style.face) for text, face in runs]
        self.style = style
        self._lines = lines or []
        self._fixed = lines is not None  # the rest of a split block: laid out already
        self._laid_width: float | None = None

    def _layout(self, avail: float) -> list[list[Piece]]:
        if not self._fixed and self._laid_width != avail:
            inner = max(avail - 2 * self.style.padding, 1.0)
            self._lines = break_lines(self.runs, inner, self.style.words)
            self._laid_width = avail
        return self._lines

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        lines = self._layout(avail_width)
        self.width = avail_width
        self.height = len(lines) * self.style.leading + 2 * self.style.padding
        return self.width, self.height

    def split(self, avail_width: float, avail_height: float) -> list[Flowable]:
        lines = self._layout(avail_width)
        room = int((avail_height - 2 * self.style.padding) // self.style.leading)
        if room < 1 or room >= len(lines):
            return []
        head = replace(self.style, space_after=0.0)
        tail = replace(self.style, space_before=0.0)
        return [TextBlock([], head, lines[:room]), TextBlock([], tail, lines[room:])]

    def getSpaceBefore(self) -> float:  # reportlab's name
        return self.style.space_before

    def getSpaceAfter(self) -> float:
        return self.style.space_after

    def draw(self) -> None:
        style, canvas = self.style, self.canv
        if style.background is not None or style.border is not None:
            canvas.saveState()
            if style.background is not None:
                canvas.setFillColor(style.background)
            if style.border is not None:
                canvas.setStrokeColor(style.border)
                canvas.setLineWidth(0.8)
            canvas.rect(
                0,
                0,
                self.width,
                self.height,
                stroke=int(style.border is not None),
                fill=int(style.background is not None),
            )
            canvas.restoreState()
        top = self.height - style.padding
        drop = 0.5 * (style.leading - style.size) + ASCENT * style.size
        for n, line in enumerate(self._lines):
            y = top - n * style.leading - drop
            for piece in line:
                canvas.setFont(piece.face.font, piece.face.size)
                canvas.setFillColor(piece.face.color or style.color)
                canvas.drawString(style.padding + piece.x, y, piece.text)


class NoteBlock(Flowable):  # type: ignore[misc]
    """A signed note, verbatim, one line of the note per line on the page, in a box.

    The size is the largest up to ``style.size`` at which the longest line fits; below
    ``MIN_SIZE`` (a note no log of ours signs) the lines are broken after all. The blank
    line before the signatures is drawn twice as high as a line, so that ``pdftotext``
    reads it as a blank line and the copied note verifies.
    """

    MIN_SIZE = 4.0
    BLANK = 2.0  # a blank line is this many lines high: pdftotext then keeps it
    SHADE = colors.HexColor("#f7f7f7")

    def __init__(self, note: str, style: BlockStyle, rule: Any) -> None:
        super().__init__()
        self.lines = note.rstrip("\n").split("\n")
        self.style = style
        self.rule = rule

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        inner = avail_width - 2 * self.style.padding
        widest = max(width(line, Face(self.style.font, 1.0)) for line in self.lines) or 1.0
        size = min(self.style.size, inner / widest)
        if size < self.MIN_SIZE:
            size = self.MIN_SIZE
            face = Face(self.style.font, size)
            broken = [break_lines([(line, face)], inner) for line in self.lines]
            self.lines = ["".join(p.text for p in part) for parts in broken for part in parts]
        self.size, self.leading = size, size * 1.3
        self.width = avail_width
        steps = [self.leading * (self.BLANK if not line else 1) for line in self.lines]
        self.height = sum(steps) + 2 * self.style.padding
        return self.width, self.height

    def draw(self) -> None:
        canvas, pad = self.canv, self.style.padding
        canvas.saveState()
        canvas.setFillColor(self.SHADE)
        canvas.setStrokeColor(self.rule)
        canvas.setLineWidth(0.4)
        canvas.rect(0, 0, self.width, self.height, stroke=1, fill=1)
        canvas.setFillColor(self.style.color)
        canvas.setFont(self.style.font, self.size)
        y = self.height - pad - ASCENT * self.size
        for line in self.lines:
            if line:
                canvas.drawString(pad, y, line)
                y -= self.leading
            else:
                y -= self.leading * self.BLANK
        canvas.restoreState()
