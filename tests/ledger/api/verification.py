"""Helpers of the verification tests: an HTML page read back, a PDF with one byte changed."""

from __future__ import annotations

from html.parser import HTMLParser


class Page(HTMLParser):
    """An HTML page read back: its visible text, elements by id, links, forms, rows."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.texts: list[str] = []
        self.by_id: dict[str, str] = {}
        self.links: dict[str, str] = {}  # id or text: href
        self.forms: list[dict[str, str]] = []
        self.rows: list[dict[str, str]] = []  # the checklist: data-name, data-status
        self.lang = ""
        self.scripts = 0
        self._open: list[tuple[str, str | None, list[str]]] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "html":
            self.lang = a.get("lang", "")
        if tag == "script" or (tag in ("link", "img") and "//" in a.get("href", a.get("src", ""))):
            self.scripts += 1
        if tag == "form":
            self.forms.append(a)
        if tag == "tr" and "data-name" in a:
            self.rows.append(a)
        if tag in ("input",) and self.forms:
            self.forms[-1]["input:" + a.get("name", "")] = a.get("type", "")
        if tag not in ("input", "meta", "br", "link"):
            self._open.append((tag, a.get("id") or None, []))
            if tag == "a":
                self._open[-1][2].append("\0" + a.get("href", ""))

    def handle_endtag(self, tag: str) -> None:
        while self._open:
            name, ident, parts = self._open.pop()
            text = " ".join(p for p in parts if not p.startswith("\0")).strip()
            if ident:
                self.by_id[ident] = text
            if name == "a":
                href = next(p[1:] for p in parts if p.startswith("\0"))
                self.links[ident or text] = href
            if self._open:
                self._open[-1][2].extend(parts)
            if name == tag:
                break

    def handle_data(self, data: str) -> None:
        if data.strip():
            self.texts.append(data.strip())
            if self._open:
                self._open[-1][2].append(data.strip())

    @property
    def text(self) -> str:
        return " ".join(self.texts)


def changed(pdf: bytes) -> bytes:
    """One byte of the signed document changed: a digit of its first page's media box."""
    at = pdf.index(b"/MediaBox [ 0 0 ") + len(b"/MediaBox [ 0 0 ")
    digit = pdf[at : at + 1]
    assert digit.isdigit()
    return pdf[:at] + (b"4" if digit != b"4" else b"3") + pdf[at + 1 :]
