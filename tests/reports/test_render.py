"""Both editions render to pages that are not blank, and the editions say the same things."""

from __future__ import annotations

from pathlib import Path

import pytest
from reportlab.pdfbase.pdfmetrics import stringWidth

from reports.fonts import SANS, register
from reports.lines import fit
from reports.texts import EN, EVENT_TYPES, STATUSES, ZH
from tests.reports.conftest import poppler, read_pgm


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_page_renders_with_ink(pdfs: dict[str, Path], tmp_path: Path, lang: str) -> None:
    poppler("pdftoppm", "-gray", "-r", "40", pdfs[lang], tmp_path / "page")
    pages = sorted(tmp_path.glob("page*.pgm"))
    assert len(pages) >= 5
    for page in pages:
        width, height, pixels = read_pgm(page)
        # above the footer (the last 10 % of the page holds the id and page number)
        body = pixels[: width * (height * 9 // 10)]
        dark = sum(1 for p in body if p < 160)
        # a page of text inks 2-15 % of its pixels, the sparsest one here 0.5 %;
        # a blank page only its header line
        assert dark / len(body) > 0.003, (page.name, dark / len(body))


def test_both_editions_have_every_text() -> None:
    assert set(EN) == set(ZH)
    assert set(EVENT_TYPES["en"]) == set(EVENT_TYPES["zh"])
    assert set(STATUSES["en"]) == set(STATUSES["zh"])
    for key, value in ZH.items():
        fields = [part.split("}")[0] for part in value.split("{")[1:]]
        assert sorted(fields) == sorted(part.split("}")[0] for part in EN[key].split("{")[1:]), key


def test_table_text_is_broken_to_fit_its_column() -> None:
    register()
    long_agent = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko)"
    for text in (long_agent, "租金金额有误因此拒绝签署本合同" * 3, "a" * 300, "short"):
        lines = fit(text, SANS, 7.2, 90).split("\n")
        assert all(stringWidth(line, SANS, 7.2) <= 90 for line in lines)
        assert "".join(lines).replace(" ", "") == text.replace(" ", "")
