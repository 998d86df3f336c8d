"""``ledger-verify pdf`` (reports/pdfcheck.py): added to ledger-verify by the service
package, and quiet on hostile PDFs: pyHanko logs what it finds wrong with a traceback,
and none reaches the terminal; the verdict says which check failed, in bounded time and
memory. The PDFs are real certificates with hostile revisions appended here."""

from __future__ import annotations

import re
import zlib
from pathlib import Path

import pytest

from tests.measure import measured
from tests.reports.conftest import World

REVISIONS = 2_000  # the report's case had 10,000: 6 s and 100 MB here, no traceback
BOMB_MB = 2_000  # the report's case was 10 GB: the stream is never inflated


def _tail(data: bytes) -> tuple[int, int, int, bytes]:
    """The catalog's object number, the next free number, the last xref, the catalog."""
    root = int(re.findall(rb"/Root (\d+) 0 R", data)[-1])
    size = int(re.findall(rb"/Size (\d+)", data)[-1])
    xref = int(re.findall(rb"startxref\s+(\d+)", data)[-1])
    catalog = re.findall(rb"\n%d 0 obj\n?(.*?)endobj" % root, data, re.S)[-1].rstrip()
    assert catalog.endswith(b">>")
    return root, size, xref, catalog[:-2]


def _update(out: bytearray, objects: dict[int, bytes], size: int, root: int, prev: int) -> int:
    """Append an incremental update (ISO 32000 §7.5.6) of ``objects``; its xref offset."""
    offsets = {}
    for number, body in objects.items():
        offsets[number] = len(out)
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 1\n0000000000 65535 f \n"
    for number, at in sorted(offsets.items()):
        out += b"%d 1\n%010d 00000 n \n" % (number, at)
    out += b"trailer\n<< /Size %d /Root %d 0 R /Prev %d >>\n" % (size, root, prev)
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return xref


def with_revisions(data: bytes, n: int) -> bytes:
    root, size, prev, catalog = _tail(data)
    out = bytearray(data)
    for k in range(n):
        prev = _update(out, {root: catalog + b" /Revision %d >>" % k}, size, root, prev)
    return bytes(out)


def with_flate_bomb(data: bytes, megabytes: int) -> bytes:
    root, size, prev, catalog = _tail(data)
    squeeze = zlib.compressobj(9)
    zeros = bytes(1 << 20)
    bomb = b"".join(squeeze.compress(zeros) for _ in range(megabytes)) + squeeze.flush()
    stream = b"<< /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream" % (len(bomb), bomb)
    out = bytearray(data)
    _update(out, {size: stream, root: catalog + b" /Bomb %d 0 R >>" % size}, size + 1, root, prev)
    return bytes(out)


@pytest.mark.parametrize(
    ("name", "make"),
    [
        ("revisions", lambda data: with_revisions(data, REVISIONS)),
        ("flate bomb", lambda data: with_flate_bomb(data, BOMB_MB)),
    ],
)
def test_a_hostile_pdf_fails_cleanly_without_a_traceback(
    world: World, pdfs: dict[str, Path], tmp_path: Path, name: str, make: object
) -> None:
    path = tmp_path / "hostile.pdf"
    path.write_bytes(make(pdfs["en"].read_bytes()))  # type: ignore[operator]
    run = measured(
        ["-m", "verifier", "pdf", str(path), "--log-key", world.vkey,
         "--tsa-root", str(world.tsa_root), "--issuer-root", str(world.issuer_ca)]
    )  # fmt: skip
    assert run.code == 1, run.stdout + run.stderr
    assert run.stdout.startswith("INVALID: pdf unmodified: the document was changed after")
    assert run.stderr == ""  # no pyHanko traceback, no log line
    assert run.seconds < 120
    assert run.peak_mb < 400  # the bomb inflated would be 2,000 MB


def test_the_pdf_command_is_the_service_packages_entry_point() -> None:
    from importlib import metadata

    (entry,) = metadata.entry_points(group="ledger_verify.commands", name="pdf")
    assert entry.value == "reports.pdfcheck:register"
    assert entry.dist is not None
    assert entry.dist.name == "evidence-ledger"
