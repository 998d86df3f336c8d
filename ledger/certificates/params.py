"""A certificate's edition as a caller names it: ``lang`` and ``tz``."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from ledger.errors import InvalidInput
from reports.texts import LANGS, Lang, zones


def parse_lang(raw: str | None) -> Lang:
    if raw is None or raw == "en":
        return "en"
    if raw == "zh":
        return "zh"
    raise InvalidInput(f"lang takes {' or '.join(LANGS)}", field="lang")


def parse_tz(raw: str | None) -> ZoneInfo | None:
    if raw is None:
        return None
    if raw not in zones():
        raise InvalidInput("tz takes an IANA time zone name such as Asia/Shanghai", field="tz")
    return ZoneInfo(raw)
