"""Charts of ``ledger.analytics`` reports as SVG strings drawn on the server: no
script, no external asset, every text escaped, so a page can embed them inline.

    charts.events_per_day_svg(report)  # bars: events per UTC day of the period
    charts.funnel_svg(report)          # horizontal bars: sent → viewed → signed → completed
    charts.platforms_svg(report)       # horizontal bars: events per platform, completion

Each ``<svg>`` is ``role="img"`` with a ``<title>`` and a ``<desc>`` naming every number
(screen readers), and each bar its own ``<title>`` (a tooltip). Colours reach 4.5:1
contrast against white.
"""

from __future__ import annotations

from html import escape

from ledger.analytics import Report

INK = "#1a1a1a"
BAR = "#1f4e79"
MUTED = "#595959"
FONT = 'font-family="system-ui, sans-serif"'


def _e(value: object) -> str:
    return escape(str(value), quote=True)


def _svg(width: int, height: int, title: str, desc: str, body: list[str], ident: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" aria-labelledby="{ident}-title {ident}-desc" {FONT}>'
        f'<title id="{ident}-title">{_e(title)}</title>'
        f'<desc id="{ident}-desc">{_e(desc)}</desc>' + "".join(body) + "</svg>"
    )


def events_per_day_svg(report: Report, width: int = 640, height: int = 240) -> str:
    """Events per day of the period, as vertical bars (with the largest count marked)."""
    days = report.days
    left, right, top, bottom = 48, 8, 16, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = max((d.events for d in days), default=0)
    scale = plot_h / peak if peak else 0.0
    step = plot_w / max(len(days), 1)
    bar_w = max(step * 0.8, 1.0)
    body = [
        f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" '
        f'stroke="{MUTED}" stroke-width="1"/>',
        f'<text x="{left - 6}" y="{top + 4}" text-anchor="end" font-size="11" '
        f'fill="{INK}">{peak}</text>',
        f'<text x="{left - 6}" y="{top + plot_h}" text-anchor="end" font-size="11" '
        f'fill="{INK}">0</text>',
    ]
    label_every = max(1, round(len(days) / 8))
    for i, day in enumerate(days):
        h = day.events * scale
        x = left + i * step + (step - bar_w) / 2
        y = top + plot_h - h
        label = f"{day.day.isoformat()}: {day.events} events"
        body.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}" '
            f'fill="{BAR}"><title>{_e(label)}</title></rect>'
        )
        last = i == len(days) - 1
        # the last day is labelled unless the regular label before it is too near
        if i % label_every == 0 or (last and i % label_every > label_every // 2):
            body.append(
                f'<text x="{left + i * step + step / 2:.1f}" y="{top + plot_h + 16}" '
                f'text-anchor="middle" font-size="11" fill="{INK}">'
                f"{_e(day.day.strftime('%m-%d'))}</text>"
            )
    title = f"Events per day, {report.tenant}, UTC"
    desc = "; ".join(f"{d.day.isoformat()}: {d.events}" for d in days) or "no days"
    return _svg(width, height, title, desc, body, "events-per-day")


def funnel_svg(report: Report, width: int = 640, height: int = 200) -> str:
    """The funnel sent → viewed → signed → completed, as horizontal bars."""
    steps = report.funnel
    left, right, top, row = 96, 160, 12, 44
    plot_w = width - left - right
    sent = steps[0]["envelopes"] if steps else 0
    body = []
    texts = []
    for i, step in enumerate(steps):
        count = step["envelopes"]
        share = step["share"]
        w = plot_w * count / sent if sent else 0.0
        y = top + i * row
        label = f"{step['step']}: {count}" + (f" ({share:.0%})" if share is not None else "")
        texts.append(label)
        body += [
            f'<text x="{left - 8}" y="{y + 22}" text-anchor="end" font-size="13" '
            f'fill="{INK}">{_e(step["step"])}</text>',
            f'<rect x="{left}" y="{y + 6}" width="{w:.1f}" height="24" fill="{BAR}">'
            f"<title>{_e(label)}</title></rect>",
            f'<text x="{left + w + 8:.1f}" y="{y + 22}" font-size="13" fill="{INK}">'
            f"{_e(label.split(': ', 1)[1])}</text>",
        ]
    title = f"Signing funnel, {report.tenant}: envelopes sent in the period"
    return _svg(width, max(height, top + row * len(steps)), title, "; ".join(texts), body, "funnel")


def platforms_svg(report: Report, width: int = 640, row: int = 36) -> str:
    """Per platform: the period's events as horizontal bars, with the completion rate of
    the envelopes it sent."""
    platforms = report.platforms
    left, right, top = 112, 200, 12
    plot_w = width - left - right
    peak = max((p.events for p in platforms), default=0)
    body, texts = [], []
    for i, p in enumerate(platforms):
        w = plot_w * p.events / peak if peak else 0.0
        y = top + i * row
        rate = p.completion_rate
        done = f", {rate:.0%} of {p.sent} sent completed" if rate is not None else ""
        label = f"{p.platform or 'unknown'}: {p.events} events{done}"
        texts.append(label)
        body += [
            f'<text x="{left - 8}" y="{y + 18}" text-anchor="end" font-size="13" '
            f'fill="{INK}">{_e(p.platform or "unknown")}</text>',
            f'<rect x="{left}" y="{y + 4}" width="{w:.1f}" height="20" fill="{BAR}">'
            f"<title>{_e(label)}</title></rect>",
            f'<text x="{left + w + 8:.1f}" y="{y + 18}" font-size="13" fill="{INK}">'
            f"{_e(label.split(': ', 1)[1])}</text>",
        ]
    height = max(top * 2 + row * len(platforms), 48)
    title = f"Events by platform, {report.tenant}"
    return _svg(width, height, title, "; ".join(texts) or "no events", body, "platforms")
