"""Layout primitives of a certificate: styles, text blocks, headings, tables.

``Layout`` builds the story (the flowables) of one edition; the sections
(``reports.sections``) call its primitives and never reportlab's paragraph markup.
Table cells given as strings are broken into lines here (``reports.lines.fit``) and
drawn as plain text, an order of magnitude faster than a flowable per cell; a cell that
needs two faces (an id in the monospaced face) is a ``TextBlock``. No cell can grow
taller than ``reports.limits.MAX_CELL_LINES`` lines, so no row is taller than a page (reportlab
cannot split a row, and raises ``LayoutError``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, Table, TableStyle

from reports import fonts
from reports.blocks import BlockStyle, Run, TextBlock
from reports.limits import MAX_CELL_LINES
from reports.lines import Face, fit
from reports.page import ACCENT, INK, MUTED, RULE, SHADE, STATUS_COLORS, WARN, WIDTH

CELL, CELL_LEADING = 7.2, 9.2  # table text, points
MONO_SIZE = 6.5
PAD = 3  # cell padding left and right, points


class Styles:
    """The block styles of one edition (every face is WQY, ``reports.fonts``)."""

    def __init__(self) -> None:
        sans, mono = fonts.register()
        self.sans, self.mono = sans, mono
        self.body = BlockStyle(sans, 8.6, 12, INK, space_after=1.5)
        self.small = BlockStyle(sans, 7.4, 9.8, INK, space_after=1)
        self.muted = BlockStyle(sans, 7.4, 9.8, MUTED, space_after=1)
        self.title = BlockStyle(sans, 21, 26, ACCENT)
        self.subtitle = BlockStyle(sans, 9.5, 13, MUTED)
        self.h2 = BlockStyle(sans, 12.5, 16, ACCENT, space_before=10, space_after=4, words=True)
        self.h3 = BlockStyle(sans, 9.6, 13, ACCENT, space_before=6, space_after=2, words=True)
        self.cell = BlockStyle(sans, CELL, CELL_LEADING, INK)
        self.cell_head = BlockStyle(sans, CELL, CELL_LEADING, ACCENT, words=True)
        self.code = BlockStyle(mono, 6.9, 8.8, INK, space_after=1)
        self.note = BlockStyle(mono, 6.9, 8.8, INK, padding=4)
        self.warning = BlockStyle(
            sans, 8.6, 11.5, WARN, space_before=4, space_after=8, border=WARN, padding=4
        )
        self.verdict = BlockStyle(sans, 10.5, 14, INK)
        self.mono_face = Face(mono, 7.2)


@dataclass(frozen=True)
class Wide:
    """A table row whose text spans the columns from ``first`` to the last (notes under
    a row: an event's facts, its time flags, the entries a long list leaves out)."""

    content: str | Flowable
    first: int = 1
    color: Any = None
    keep: bool = True  # on the same page as the row above


def hash_text(value: str, per_line: int = 4) -> str:
    """A hex hash as plain text for a table cell: groups of 8, ``per_line`` to a line
    (0: one line)."""
    groups = [value[i : i + 8] for i in range(0, len(value), 8)]
    if not per_line:
        return " ".join(groups)
    return "\n".join(" ".join(groups[i : i + per_line]) for i in range(0, len(groups), per_line))


class Layout:
    """The story of one edition and the primitives that add to it."""

    def __init__(self) -> None:
        self.s = Styles()
        self.story: list[Flowable] = []

    def add(self, *flowables: Flowable) -> None:
        self.story.extend(flowables)

    def block(self, text: str, style: BlockStyle | None = None) -> TextBlock:
        """Plain text in one face."""
        return TextBlock([(text, None)], style or self.s.body)

    def runs(self, runs: Sequence[Run], style: BlockStyle | None = None) -> TextBlock:
        return TextBlock(runs, style or self.s.body)

    def text(self, text: str, style: BlockStyle | None = None) -> None:
        self.add(self.block(text, style))

    def mono(self, text: str) -> Run:
        return text, self.s.mono_face

    def h2(self, text: str) -> None:
        heading = self.block(text, self.s.h2)
        heading.keepWithNext = 1
        self.add(CondPageBreak(40 * mm), heading)

    def h3(self, text: str) -> None:
        heading = self.block(text, self.s.h3)
        heading.keepWithNext = 1
        self.add(CondPageBreak(25 * mm), heading)

    def cell(self, text: str, width: float, mono: bool = False) -> str:
        """A body cell's text, broken to its column and at most ``MAX_CELL_LINES``; a
        Chinese word is split only where a run between punctuation is wider than the cell."""
        font, size = (self.s.mono, MONO_SIZE) if mono else (self.s.sans, CELL)
        return fit(text, font, size, width - 2 * PAD, MAX_CELL_LINES, words=True)

    def table(
        self,
        rows: Sequence[Sequence[Any] | Wide],
        widths: Sequence[float],
        header: bool = True,
        style: Iterable[tuple[Any, ...]] = (),
        mono: Sequence[int] = (),
    ) -> Table:
        """A table: header cells are column heads (``words``: never split inside a
        Chinese word); body strings are fitted here; ``Wide`` rows span columns."""
        cells: list[list[Any]] = []
        commands: list[tuple[Any, ...]] = []
        for r, row in enumerate(rows):
            if isinstance(row, Wide):
                cells.append(self._wide(row, widths, r, commands))
                continue
            line: list[Any] = []
            for col, c in enumerate(row):
                if isinstance(c, str) and header and r == 0:
                    c = self.block(c, self.s.cell_head)
                elif isinstance(c, str):
                    c = self.cell(c, widths[col], col in mono)
                line.append(c)
            cells.append(line)
        table = Table(cells, colWidths=list(widths), repeatRows=1 if header else 0)
        table.setStyle(TableStyle([*self._commands(header, mono), *commands, *style]))
        return table

    def _wide(
        self, row: Wide, widths: Sequence[float], r: int, commands: list[tuple[Any, ...]]
    ) -> list[Any]:
        span = sum(widths[row.first :])
        content = row.content
        if isinstance(content, str):
            content = fit(content, self.s.sans, CELL, span - 2 * PAD, MAX_CELL_LINES, words=True)
        commands.append(("SPAN", (row.first, r), (-1, r)))
        if row.keep:
            commands.append(("NOSPLIT", (0, r - 1), (-1, r)))
        if row.color is not None:
            commands.append(("TEXTCOLOR", (row.first, r), (-1, r), row.color))
        commands.append(("TOPPADDING", (0, r), (-1, r), 0))
        return [""] * row.first + [content] + [""] * (len(widths) - row.first - 1)

    def _commands(self, header: bool, mono: Sequence[int]) -> list[tuple[Any, ...]]:
        first = 1 if header else 0
        commands: list[tuple[Any, ...]] = [
            ("FONTNAME", (0, 0), (-1, -1), self.s.sans),
            ("FONTSIZE", (0, 0), (-1, -1), CELL),
            ("LEADING", (0, 0), (-1, -1), CELL_LEADING),
            ("TEXTCOLOR", (0, 0), (-1, -1), INK),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LINEBELOW", (0, 0), (-1, -1), 0.25, RULE),
            ("LEFTPADDING", (0, 0), (-1, -1), PAD),
            ("RIGHTPADDING", (0, 0), (-1, -1), PAD),
            ("TOPPADDING", (0, 0), (-1, -1), 2),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
        ]
        for col in mono:
            commands += [
                ("FONTNAME", (col, first), (col, -1), self.s.mono),
                ("FONTSIZE", (col, first), (col, -1), MONO_SIZE),
                ("LEADING", (col, first), (col, -1), MONO_SIZE + 1.9),
            ]
        if header:
            commands += [
                ("BACKGROUND", (0, 0), (-1, 0), SHADE),
                ("LINEABOVE", (0, 0), (-1, 0), 0.6, ACCENT),
            ]
        return commands

    def status_colors(self, column: int, statuses: Sequence[str], first: int = 1) -> list[Any]:
        """Table commands colouring a column of status words (rows from ``first``)."""
        return [
            ("TEXTCOLOR", (column, row), (column, row), STATUS_COLORS.get(status, MUTED))
            for row, status in enumerate(statuses, start=first)
        ]

    def pairs(self, rows: Sequence[tuple[str, Any]], label_width: float = 42 * mm) -> Table:
        """A two-column table of labels and values (no header); values wrap."""
        labels = [(self.block(label, self.s.cell_head), value) for label, value in rows]
        return self.table(
            [[label, value] for label, value in labels],
            [label_width, WIDTH - label_width],
            header=False,
        )

    def warning(self, text: str) -> None:
        self.add(self.block(text, self.s.warning))

    def flagged(self, text: str) -> TextBlock:
        """A finding in red, in a table cell."""
        return TextBlock([(text, None)], BlockStyle(self.s.sans, CELL, CELL_LEADING, WARN))
