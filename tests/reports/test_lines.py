"""The line breaker (reports/lines.py): lines fit, nothing is lost, identifiers and
Chinese words stay whole where they can, and the work is linear in the text."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reports.fonts import MONO, SANS, register
from reports.lines import NO_BREAK_BEFORE, Face, break_lines, fit, width


@pytest.fixture(scope="module", autouse=True)
def fonts() -> None:
    register()


def lines(text: str, limit: float, words: bool = False) -> list[str]:
    return fit(text, SANS, 7.2, limit, words=words).split("\n")


def test_identifiers_stay_whole_on_their_line() -> None:
    text = "（未配置：请设置 LEDGER_ISSUER_PERSON_TITLE）的人员 alice@example.com 已签署"
    found = lines(text, 130)
    assert any("LEDGER_ISSUER_PERSON_TITLE" in line for line in found)
    assert any("alice@example.com" in line for line in found)
    assert all(width(line, Face(SANS, 7.2)) <= 130 for line in found)


def test_no_line_starts_with_closing_punctuation() -> None:
    for limit in range(20, 200, 7):
        for line in lines(
            "签发者是保全本证据的账本的运营者，并非当事方（甲方、乙方）。" * 3, limit
        ):
            assert line[:1] not in "，。、）：；", (limit, line)


def test_a_label_breaks_only_after_its_punctuation() -> None:
    assert lines("行为人（姓名、邮箱/电话、角色）", 100, words=True) == [
        "行为人（姓名、邮箱/电话、",
        "角色）",
    ]


def test_a_run_wider_than_a_line_breaks_after_a_separator() -> None:
    url = "https://verify.keeping.example/c/ELC-5B40-25E1-B0FF-59DB"
    found = lines(url, 90)
    assert "".join(found) == url
    assert all(line[-1] in "/.-" for line in found[:-1])


def test_a_cell_has_at_most_its_lines() -> None:
    found = fit("张" * 2000, SANS, 7.2, 60, max_lines=5).split("\n")
    assert len(found) == 5
    assert found[-1].endswith("…")


def test_runs_keep_their_faces() -> None:
    mono, sans = Face(MONO, 7), Face(SANS, 7)
    (line,) = break_lines([("open ", sans), ("https://x.example/c/ELC-1", mono), ("。", sans)], 500)
    assert [(p.text, p.face) for p in line] == [
        ("open", sans),
        ("https://x.example/c/ELC-1", mono),
        ("。", sans),
    ]
    assert line[1].x > line[0].width  # the space between


@settings(max_examples=200, deadline=None)
@given(
    st.text(
        st.sampled_from(["a", "b", " ", "\n", "张", "三", "，", "（", "）", "-", "/", "@", "😀"]),
        max_size=300,
    ),
    st.integers(8, 300),
    st.booleans(),
)
def test_every_line_fits_and_nothing_is_lost(text: str, limit: int, words: bool) -> None:
    found = lines(text, limit, words)
    face = Face(SANS, 7.2)
    for line in found:  # a closing mark may hang in the margin
        body = line[:-1] if line[-1:] in NO_BREAK_BEFORE else line
        assert width(body, face) <= limit or len(body) <= 1
    assert "".join("".join(found).split()) == "".join(text.split())
