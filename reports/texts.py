"""The words of a certificate, in English and Simplified Chinese (``lang=en|zh``).

The sentences are in ``reports.words.en`` and ``reports.words.zh`` (the same keys, a
test checks it), the vocabularies in ``reports.words.terms``, the Chinese of the
verifier's reasons in ``reports.words.reasons``. ``Texts`` is what the layout asks: one
edition's words, with every term of the Chinese edition in Chinese (the glossary of
docs/certificate.md lists them).
"""

from __future__ import annotations

import functools
from typing import Literal
from zoneinfo import available_timezones

from reports.words import en, reasons, terms, zh
from reports.words.terms import EVENT_TYPES, STATUSES
from verifier.plausibility import Flag
from verifier.report import Check, VerificationReport

Lang = Literal["en", "zh"]
LANGS: tuple[Lang, ...] = ("en", "zh")
EN = en.WORDS
ZH = zh.WORDS
TEXTS: dict[Lang, dict[str, str]] = {"en": EN, "zh": ZH}

__all__ = ["EN", "EVENT_TYPES", "LANGS", "STATUSES", "TEXTS", "ZH", "Lang", "Texts", "zones"]


@functools.cache
def zones() -> tuple[str, ...]:
    """The IANA time zone names a reader may choose (``tz=``), sorted."""
    return tuple(sorted(available_timezones()))


class Texts:
    """The words of one edition: ``t("key", name=value)``."""

    def __init__(self, lang: Lang) -> None:
        if lang not in TEXTS:
            raise ValueError(f"lang must be one of {LANGS}, not {lang!r}")
        self.lang: Lang = lang
        self._words = TEXTS[lang]

    def __call__(self, key: str, **values: object) -> str:
        return self._words[key].format(**values) if values else self._words[key]

    @property
    def zh(self) -> bool:
        return self.lang == "zh"

    def event_type(self, name: str) -> str:
        return EVENT_TYPES[self.lang].get(name, name)

    def check(self, name: str) -> str:
        """A check's name; in Chinese followed by the verifier's id, as it prints it."""
        return f"{terms.CHECKS[name]}（{name}）" if self.zh and name in terms.CHECKS else name

    def status(self, status: str) -> str:
        return STATUSES[self.lang].get(status, status)

    def authenticated(self, how: str) -> str:
        """How a channel authenticated its deliveries (the leaf's ``source``)."""
        return self._words.get(f"auth_{how}", how)

    def role(self, word: str) -> str:
        return terms.translated(word, terms.ROLES) if self.zh else word

    def auth_method(self, word: str) -> str:
        return terms.translated(word, terms.AUTH_METHODS) if self.zh else word

    def recipient_status(self, word: str) -> str:
        return terms.translated(word, terms.RECIPIENT_STATUSES) if self.zh else word

    def recipient_time(self, name: str) -> str:
        return terms.RECIPIENT_TIMES[self.lang].get(name, name)

    def count(self, key: str, n: int) -> str:
        """``n_<key>`` or its plural ``n_<key>s``: "1 event", "20 events"."""
        return self(f"n_{key}", n=n) if n == 1 else self(f"n_{key}s", n=n)

    def duration(self, seconds: int) -> str:
        hours, rest = divmod(seconds, 3600)
        minutes = rest // 60
        if hours:
            return self("dur_hm", h=hours, m=minutes)
        return self("dur_ms", m=minutes, s=rest % 60) if minutes else self("dur_s", s=seconds)

    def flag(self, flag: Flag, skew: int) -> str:
        """A time-plausibility finding (``verifier.plausibility``) in plain words."""
        return self(
            f"flag_{flag.rule}",
            other=flag.other,
            duration=self.duration(flag.seconds or 0),
            skew=skew,
        )

    def reason(self, check: Check) -> str:
        """A check's reason: the verifier's English, or in Chinese where it is known."""
        if not self.zh:
            return check.reason
        zh_text = reasons.translate(check.name, check.reason)
        return zh_text if zh_text is not None else self("v_original", text=check.reason)

    def detail(self, check: Check) -> str:
        """A check's reason, with what was expected and found when it failed."""
        text = self.reason(check)
        if check.expected is None and check.actual is None:
            return text
        return text + self("v_expected", expected=check.expected, actual=check.actual)

    def bottom_line(self, report: VerificationReport) -> str:
        """The report's one sentence: the verifier's own in English, translated in Chinese."""
        if not self.zh:
            return report.bottom_line
        failures = report.failures
        first = failures[0] if failures else None
        return reasons.bottom_line(
            report,
            self.reason(first) if first is not None else "",
            self.check(first.name) if first is not None else "",
            self._words["v_original"],
        )
