"""The registry of issued certificates (SQLite and PostgreSQL): one id for the evidence in
every language and time zone; unchanged evidence downloads the stored PDF byte for byte
with no TSA request; new evidence a new id that supersedes the old; ``ledger certificate
list|show``; a render that runs out of time is a 503 with Retry-After."""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader
from sqlalchemy import update

from ledger import access, certificates
from ledger.certificates import registry
from ledger.cli import cli
from ledger.storage.models import Certificate
from reports import certificate as rendering
from reports.identity import certificate_id
from tests.ledger.certificates.world import ENVELOPE, World, world


def attachment(pdf: bytes) -> bytes:
    reader = PdfFileReader(io.BytesIO(pdf), strict=False)
    names = reader.root["/Names"]["/EmbeddedFiles"]["/Names"]
    data: bytes = names[1].get_object()["/EF"]["/F"].get_object().data
    return data


@pytest.fixture
def w(db_url: str, tmp_path: Path) -> Iterator[World]:
    with world(db_url, tmp_path) as found:
        found.append(3)
        found.anchor()
        yield found


def test_one_id_for_every_edition_and_stored_repeats(w: World) -> None:
    en = w.download()
    zh = w.download("?lang=zh&tz=Asia/Shanghai")
    ny = w.download("?lang=en&tz=America/New_York")
    ident = en.headers["X-Certificate-Id"]
    assert zh.headers["X-Certificate-Id"] == ny.headers["X-Certificate-Id"] == ident
    assert len({en.data, zh.data, ny.data}) == 3  # three editions, one id
    # every edition attaches the same bundle, whose evidence the id names
    bundles = {attachment(r.data) for r in (en, zh, ny)}
    assert len(bundles) == 1
    assert certificate_id(json.loads(bundles.pop())) == ident
    assert en.headers["X-PAdES-Level"] == "B-LTA"
    assert w.tsa.requests > 0
    before = w.tsa.requests
    for _ in range(2):
        again = w.download()
        assert again.data == en.data  # byte for byte
        assert again.headers["X-Certificate-Id"] == ident
        assert again.headers["X-PAdES-Level"] == en.headers["X-PAdES-Level"]
        assert w.download("?lang=zh&tz=Asia/Shanghai").data == zh.data
    assert w.tsa.requests == before  # no TSA request for a stored edition
    with w.service.db.reading() as conn:
        found = registry.editions(conn, ident)
    assert [(e.lang, e.tz) for e in found] == [
        ("en", ""),
        ("zh", "Asia/Shanghai"),
        ("en", "America/New_York"),
    ]
    for ed, response in zip(found, (en, zh, ny), strict=True):
        assert ed.pdf_sha256 == hashlib.sha256(response.data).hexdigest()
        assert ed.tenant == "acme"
        assert ed.envelope_id == ENVELOPE
        assert ed.status == "anchored"
        assert ed.checkpoint_size == 3
        assert len(ed.checkpoint_root) == 64
        assert len(ed.anchors) == 1
        assert ed.anchors[0]["tsa"] == w.settings.tsa_urls[0]
        assert ed.pades_level == "B-LTA"
        assert ed.current
        assert ed.supersedes is None
        assert ed.bundle_sha256 == hashlib.sha256(attachment(response.data)).hexdigest()


def test_new_evidence_supersedes(w: World) -> None:
    first = w.download().headers["X-Certificate-Id"]
    w.download("?lang=zh")
    w.append(1)  # pending: the bundle now rests on the newest checkpoint
    second = w.download().headers["X-Certificate-Id"]
    assert second != first
    w.anchor()  # a newer anchor: new evidence again
    third = w.download("?lang=zh").headers["X-Certificate-Id"]
    assert third not in (first, second)
    with w.service.db.reading() as conn:
        old = registry.editions(conn, first)
        middle = registry.editions(conn, second)
        new = registry.editions(conn, third)
    assert {e.superseded_by for e in old} == {second}
    assert [(e.supersedes, e.superseded_by, e.status) for e in middle] == [
        (first, third, "pending")
    ]
    assert [(e.supersedes, e.superseded_by, e.status) for e in new] == [(second, None, "anchored")]
    assert new[0].checkpoint_size == 4
    # another edition of the current id keeps its place in the chain
    w.download("?tz=Europe/Berlin")
    with w.service.db.reading() as conn:
        assert {(e.supersedes, e.superseded_by) for e in registry.editions(conn, third)} == {
            (second, None)
        }
    # an old id's stored PDF is still what the registry holds; a download is the current one
    assert w.download().headers["X-Certificate-Id"] == third


def test_list_and_show(w: World) -> None:
    ident = w.download().headers["X-Certificate-Id"]
    w.download("?lang=zh&tz=Asia/Shanghai")
    runner = w.app.test_cli_runner()
    listed = runner.invoke(cli, ["certificate", "list", "--tenant", "acme"])
    assert listed.exit_code == 0, listed.output
    lines = listed.output.splitlines()
    assert len(lines) == 2
    assert all(line.startswith(ident) and "current" in line for line in lines)
    assert "Asia/Shanghai" in lines[1]
    as_json = runner.invoke(cli, ["certificate", "list", "--envelope", ENVELOPE, "--json"])
    rows = [json.loads(line) for line in as_json.output.splitlines()]
    assert [(r["certificate_id"], r["lang"], r["tz"]) for r in rows] == [
        (ident, "en", None),
        (ident, "zh", "Asia/Shanghai"),
    ]
    assert runner.invoke(cli, ["certificate", "list", "--tenant", "globex"]).output == ""
    assert runner.invoke(cli, ["certificate", "list", "--envelope", "nope"]).output == ""
    shown = runner.invoke(cli, ["certificate", "show", ident.lower()])
    assert shown.exit_code == 0, shown.output
    facts = json.loads(shown.output)
    assert facts["certificate_id"] == ident
    assert facts["envelope_id"] == ENVELOPE
    assert facts["checkpoint"]["size"] == 3
    assert [e["lang"] for e in facts["editions"]] == ["en", "zh"]
    assert facts["superseded_by"] is None
    missing = runner.invoke(cli, ["certificate", "show", "ELC-0000-0000-0000-0000"])
    assert missing.exit_code == 1
    assert "no certificate" in missing.output
    # `ledger certificate ENVELOPE` still issues (here: the stored edition)
    issued = runner.invoke(cli, ["certificate", ENVELOPE, "--tenant", "acme", "-o", "/dev/null"])
    assert issued.exit_code == 0, issued.output
    assert ident in issued.output


def test_render_timeout_is_503_with_retry_after(w: World, monkeypatch: pytest.MonkeyPatch) -> None:
    # the real render, given no time at all: it stops after its first flowable
    assert rendering.render.__kwdefaults__ is not None
    monkeypatch.setitem(rendering.render.__kwdefaults__, "timeout", 0.0)
    response = w.client.get(f"/v1/envelopes/{ENVELOPE}/certificate.pdf", headers=w.header(w.read))
    assert response.status_code == 503
    assert response.get_json()["error"]["code"] == "render_timeout"
    assert int(response.headers["Retry-After"]) > 0
    with w.service.db.reading() as conn:
        assert registry.listing(conn) == []  # nothing recorded


def test_the_certificate_states_the_configured_clock_skew(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'var' / 'ledger.db'}"
    with world(url, tmp_path, clock_skew="900") as found:
        found.append(1)
        pdf = found.download().data
    path = tmp_path / "c.pdf"
    path.write_bytes(pdf)
    done = subprocess.run(  # noqa: S603
        ["pdftotext", "-enc", "UTF-8", str(path), "-"],  # noqa: S607
        capture_output=True,
        check=True,
    )
    assert "(allowed clock skew 900 s)" in " ".join(done.stdout.decode().split())


def test_one_edition_issued_twice_at_once_is_stored_once(w: World) -> None:
    with w.service.db.reading() as conn:
        tenant = (access.tenant_id(conn, "acme"), "acme")
    barrier = threading.Barrier(2)
    got: list[bytes] = []

    def issue() -> None:
        barrier.wait()
        got.append(certificates.certificate(w.service, tenant, ENVELOPE, lang="zh").pdf)

    threads = [threading.Thread(target=issue) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(got) == 2
    assert got[0] == got[1]  # the one stored first, for both
    with w.service.db.reading() as conn:
        found = registry.listing(conn)
    assert [(e.lang, e.pdf_sha256) for e in found] == [("zh", hashlib.sha256(got[0]).hexdigest())]


def test_an_edition_emptied_by_an_erasure_is_issued_again(w: World) -> None:
    first = w.download()
    ident = first.headers["X-Certificate-Id"]
    with w.service.db.writing() as conn:  # what ledger.privacy.erasure does to the registry
        conn.execute(update(Certificate).values(pdf=b"", bundle=b""))
    again = w.download()
    assert again.headers["X-Certificate-Id"] == ident
    assert again.data.startswith(b"%PDF-")
    assert again.data != first.data  # rendered and signed anew
    assert w.download().data == again.data  # and stored again
    with w.service.db.reading() as conn:
        (ed,) = registry.editions(conn, ident)
    assert ed.pdf_sha256 == hashlib.sha256(again.data).hexdigest()
