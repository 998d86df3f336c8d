"""What every section of a certificate shares: the evidence, the issuer, the edition's
words and times, and the rules for showing what a platform sent.

Every value from an event goes through ``value``: made visible (``reports.printable``)
and cut to its limit (``reports.limits``) with a note of what the bundle holds beyond.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from reports import facts
from reports.blocks import Run
from reports.entries import Entry
from reports.issuer import IssuerInfo, Signing
from reports.layout import Layout
from reports.limits import FIELDS, LISTS
from reports.lines import Face
from reports.model import Evidence
from reports.page import VERDICT_COLORS
from reports.printable import clipped
from reports.texts import Lang, Texts
from reports.times import Times


class Composer(Layout):
    """The story of one edition of one certificate, and what its sections share."""

    def __init__(
        self,
        ev: Evidence,
        issuer: IssuerInfo,
        signing: Signing,
        lang: Lang,
        tz: ZoneInfo | None,
        issued_at: datetime,
        url: str,
    ) -> None:
        super().__init__()
        self.ev, self.issuer, self.signing = ev, issuer, signing
        self.t = Texts(lang)
        self.lang = lang
        self.times = Times(tz)
        self.issued_at = issued_at
        self.url = url
        self.flags = facts.findings(ev.entries, issuer.clock_skew)
        failed = {c.seq for c in ev.report.checks if c.status == "fail" and c.seq is not None}
        self.listing = facts.listing(ev.entries, set(self.flags) | failed)

    def value(self, text: str | None, kind: str) -> str:
        """What a platform sent, visible and cut to the limit of its ``kind``."""
        if text is None:
            return ""
        shown, more = clipped(text, FIELDS[kind])
        return shown + self.t("clipped", n=more) if more else shown

    def values(self, items: list[str], kind: str, limit: str) -> str:
        """A list of values, each cut to its kind's limit, at most ``LISTS[limit]``."""
        shown = [self.value(item, kind) for item in items[: LISTS[limit]]]
        more = len(items) - len(shown)
        return ", ".join(shown) + (" " + self.t("list_more", n=more) if more else "")

    def more(self, total: int, limit: str) -> str | None:
        """The note after a list cut at ``LISTS[limit]``, or None if nothing was cut."""
        hidden = total - LISTS[limit]
        return self.t("list_more", n=hidden) if hidden > 0 else None

    def or_missing(self, value: str, setting: str) -> str:
        return value or self.t("not_configured", setting=setting)

    def who(self, e: Entry) -> str:
        if e.actor is not None:
            return self.value(e.actor.label, "name")
        return self.t("erased" if e.erased else "not_reported")

    def contact(self, email: str | None, phone: str | None) -> str:
        parts = [self.value(email, "email"), self.value(phone, "phone")]
        return " / ".join(p for p in parts if p)

    def verdict(self, size: float) -> Run:
        """The verdict word in its colour (valid, invalid, pending)."""
        report = self.ev.report
        color = VERDICT_COLORS[report.verdict]
        return self.t(f"verdict_{report.verdict}"), Face(self.s.sans, size, color)

    def when(self, value: datetime | str | None) -> str:
        """A time a platform reported in ``data``: with its zones, or as written."""
        if isinstance(value, datetime):
            return self.times.inline(value)
        return self.value(value, "field") if value else "?"
