"""The page of a certificate: A4 geometry, colours, the QR code and the running footer.

The QR code sits at a fixed place (the first page's top right, 30 mm with its quiet
zone) so that a reader, and tests/reports/test_points.py, find it there; every page
carries the certificate id and "page x of y", which a canvas that holds its pages back
until the end can write.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN_X = 16 * mm
MARGIN_TOP = 16 * mm
MARGIN_BOTTOM = 17 * mm
WIDTH = PAGE_WIDTH - 2 * MARGIN_X
BODY_HEIGHT = PAGE_HEIGHT - MARGIN_TOP - MARGIN_BOTTOM
QR_SIZE = 30 * mm  # the QR code, border included, at the first page's top right
QR_X = PAGE_WIDTH - MARGIN_X - QR_SIZE
QR_Y = PAGE_HEIGHT - MARGIN_TOP - QR_SIZE
QR_LEVEL = "M"
QR_BORDER = 4  # quiet zone, modules

INK = colors.HexColor("#1a1a1a")
MUTED = colors.HexColor("#555555")
RULE = colors.HexColor("#9a9a9a")
SHADE = colors.HexColor("#eeeeee")
ACCENT = colors.HexColor("#1f3a5f")
WARN = colors.HexColor("#a00000")
GOOD = colors.HexColor("#1b5e20")
STATUS_COLORS = {"pass": GOOD, "fail": WARN, "pending": ACCENT}
VERDICT_COLORS = {"valid": GOOD, "invalid": WARN, "pending": ACCENT}


def numbered_canvas(footer: Callable[[Canvas, int, int], None], font: str) -> type[Canvas]:
    """A canvas that holds its pages back until the end, to write "page x of y"; its
    initial font (which reportlab selects on every page) is ours, not Helvetica, which
    would be a font the PDF does not embed."""

    class NumberedCanvas(Canvas):  # type: ignore[misc]  # reportlab is untyped
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            kwargs["initialFontName"] = font
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:  # reportlab's name
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for number, state in enumerate(self._pages, start=1):
                self.__dict__.update(state)
                footer(self, number, total)
                super().showPage()
            super().save()

    return NumberedCanvas


@functools.lru_cache(maxsize=8)
def qr_modules(value: str) -> tuple[tuple[bool, ...], ...]:
    """The QR code of ``value`` (reportlab's encoder, level M): rows of dark modules.
    Kept for the last few values: both editions of a certificate show the same URL, and
    encoding it is a tenth of rendering an edition."""
    qr = QrCodeWidget(value, barLevel=QR_LEVEL).qr
    qr.make()
    return tuple(tuple(bool(m) for m in row) for row in qr.modules)


def draw_qr(canvas: Canvas, value: str, x: float, y: float, size: float) -> None:
    """The QR code with a quiet zone of 4 modules, ``size`` points square, drawn as one
    rectangle per run of dark modules (reportlab's widget draws through its graphics
    layer, 0.1 s per code)."""
    modules = qr_modules(value)
    count = len(modules)
    box = size / (count + 2 * QR_BORDER)
    canvas.saveState()
    canvas.setFillColor(colors.black)
    for r, row in enumerate(modules):
        top = y + size - (r + QR_BORDER + 1) * box
        c = 0
        while c < count:
            if not row[c]:
                c += 1
                continue
            start = c
            while c < count and row[c]:
                c += 1
            canvas.rect(x + (start + QR_BORDER) * box, top, (c - start) * box, box, 0, 1)
    canvas.restoreState()


def draw_footer(
    canvas: Canvas, font: str, left: str, right: str, development: bool, warning: str
) -> None:
    """The rule, the certificate id at the left, "page x of y" at the right, and the
    red warning of a development issuer or TSA below them."""
    canvas.saveState()
    canvas.setStrokeColor(RULE)
    canvas.setLineWidth(0.4)
    canvas.line(MARGIN_X, MARGIN_BOTTOM - 4 * mm, PAGE_WIDTH - MARGIN_X, MARGIN_BOTTOM - 4 * mm)
    canvas.setFillColor(MUTED)
    canvas.setFont(font, 7.5)
    canvas.drawString(MARGIN_X, MARGIN_BOTTOM - 8 * mm, left)
    canvas.drawRightString(PAGE_WIDTH - MARGIN_X, MARGIN_BOTTOM - 8 * mm, right)
    if development:
        canvas.setFillColor(WARN)
        canvas.drawCentredString(PAGE_WIDTH / 2, MARGIN_BOTTOM - 11.5 * mm, warning)
    canvas.restoreState()


def draw_header(canvas: Canvas, sans: str, mono: str, title: str, envelope: str) -> None:
    """The running head of every page but the first: the title and the envelope id."""
    canvas.saveState()
    canvas.setFillColor(MUTED)
    canvas.setFont(sans, 7.5)
    canvas.drawString(MARGIN_X, PAGE_HEIGHT - 10 * mm, title)
    canvas.setFont(mono, 7.5)
    canvas.drawRightString(PAGE_WIDTH - MARGIN_X, PAGE_HEIGHT - 10 * mm, envelope)
    canvas.restoreState()
