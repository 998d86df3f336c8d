"""Section 3: how the events reached the ledger and how they are kept (point 4), the
clock and the plausibility of platform times (point 5), and the zones (point 6)."""

from __future__ import annotations

from typing import Any

from reportlab.lib.units import mm

from reports.composer import Composer
from reports.page import WIDTH


def process(c: Composer) -> None:
    t, ev = c.t, c.ev
    c.h2(t("h_process"))
    c.h3(t("pr_channels"))  # point 4: how the events reached the ledger
    rows: list[list[Any]] = [[t("c_channel"), t("c_auth"), t("c_events")]]
    for channel, how, count in ev.channels():
        rows.append([c.value(channel, "field"), f"{how}: {t.authenticated(how)}", str(count)])
    c.add(c.table(rows, [45 * mm, 100 * mm, WIDTH - 145 * mm]))
    c.text(t("pr_channel_note"), c.s.muted)
    c.h3(t("pr_preserve"))  # point 4: how they are preserved
    c.text(t("pr_preserve_text"))
    c.h3(t("pr_clock"))  # point 5
    anchor_time = ev.anchor_time
    if anchor_time is not None:
        skew, at = c.issuer.max_skew, c.times.inline(anchor_time)
        c.text(t("pr_clock_text", skew=skew, anchor_time=at))
    else:
        c.text(t("pr_clock_pending"))
    c.h3(t("pr_plausible"))
    c.text(t("pr_plausible_text", skew=c.issuer.clock_skew))
    c.h3(t("pr_zones"))  # point 6
    tz = c.times.tz
    if tz is not None:
        c.text(t("pr_zones_tz", tz=tz.key, offset=c.times.offset(c.issued_at)))
    else:
        c.text(t("pr_zones_utc"))
