"""What a platform sent is shown, never hidden: reports/printable.py and the limits the
documentation states (docs/certificate.md, "Limits on the page")."""

from __future__ import annotations

import re
from pathlib import Path

from reports.limits import FIELDS, LISTS
from reports.printable import clipped, visible

DOCS = Path(__file__).resolve().parents[2] / "docs" / "certificate.md"


def test_invisible_and_reordering_characters_are_shown() -> None:
    assert visible("alice@exam\u200bple.com") == "alice@exam⟨U+200B⟩ple.com"
    assert visible("abc\u202edef\u2066g\u2069") == "abc⟨U+202E⟩def⟨U+2066⟩g⟨U+2069⟩"
    assert visible("a\nb\tc\x00") == "a⟨U+000A⟩b⟨U+0009⟩c⟨U+0000⟩"
    assert visible("\u00ad\ufeff\u2028\ue000") == "⟨U+00AD⟩⟨U+FEFF⟩⟨U+2028⟩⟨U+E000⟩"


def test_what_is_visible_stays_as_it_is() -> None:
    for text in ("张三", "Zoë", "مرحبا", "नमस्ते", "e\u0301", "😀", "a\u3000b", "a\u00a0b"):
        assert visible(text) == text


def test_no_text_passes_itself_off_as_a_shown_character() -> None:
    # The marks, and the look-alikes they are drawn with (reports.fonts.ALIASES).
    assert visible("⟨U+200B⟩") == "⟨U+27E8⟩U+200B⟨U+27E9⟩"
    assert visible("\u2039U+200B\u203a") == "⟨U+2039⟩U+200B⟨U+203A⟩"
    for imitation in ("alice@exam⟨U+200B⟩ple.com", "alice@exam\u2039U+200B\u203aple.com"):
        assert visible(imitation) != visible("alice@exam\u200bple.com")


def test_a_long_value_is_cut_and_says_how_much() -> None:
    assert clipped("abc", 3) == ("abc", 0)
    assert clipped("abcdef", 4) == ("abcd", 2)
    assert clipped("\u200b" * 10, 2) == ("⟨U+200B⟩⟨U+200B⟩", 8)


def test_the_documented_limits_are_the_limits() -> None:
    section = DOCS.read_text(encoding="utf-8").split("### Limits on the page", 1)[1]
    section = section.split("\n#", 1)[0]
    rows = dict(re.findall(r"^\| (\w+) \| (\d+) \|$", section, re.MULTILINE))
    assert {k: int(v) for k, v in rows.items()} == FIELDS | LISTS
