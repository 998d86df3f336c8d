"""Code and docs cite documents that exist in the repository (issue 15.7).

A reader who follows ``docs/design/EVIDENCE-FORMAT.md §5`` in a docstring, or a link in
the operator guide, must find the file in a clone: nothing may point outside the
repository (``../shared/...``) or name a design note without its path.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ("ledger", "verifier", "reports", "config", "bench", "tests", "docs")
CITED = re.compile(r"(?<![/\w.-])docs/[\w./-]+\.(?:md|json)\b")
BARE = re.compile(r"(?<!design/)\b(?:EVIDENCE-FORMAT|CEILINGS|CERTIFICATE\.md|ARCHITECTURE\.md)")


def texts() -> list[tuple[Path, str]]:
    found = [ROOT / "README.md", ROOT / "CHANGELOG.md", ROOT / "Makefile"]
    for top in SOURCES:
        for path in (ROOT / top).rglob("*"):
            if path.suffix in {".py", ".md"} and "data" not in path.relative_to(ROOT).parts:
                found.append(path)
    return [(p, p.read_text(encoding="utf-8")) for p in found if p != Path(__file__)]


def test_every_cited_document_exists() -> None:
    missing = {
        f"{path.relative_to(ROOT)}: {cited}"
        for path, text in texts()
        for cited in CITED.findall(text)
        if not (ROOT / cited).exists() and "<" not in cited
    }
    assert not missing, sorted(missing)


def test_nothing_cites_outside_the_repository() -> None:
    outside = [
        f"{path.relative_to(ROOT)}:{n}"
        for path, text in texts()
        if path.parent.name != "design"
        for n, line in enumerate(text.splitlines(), 1)
        if "../shared" in line or BARE.search(line)
    ]
    assert not outside, outside
