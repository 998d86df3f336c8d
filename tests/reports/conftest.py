"""Ledgers for the certificate tests, each built once per session: the real service
(SQLite) with the development TSA, filled by a flow of ``tests/reports/flow.py``:

- ``world``: the 20-event signing flow, anchored, with one later entry so that the
  certificate shows a consistency proof; ``pdfs`` and ``texts``: the certificates the
  API issues for it, in English and in Chinese (read back with pdftotext);
- ``facts_world``: the envelope with every fact and every time finding, anchored;
  ``facts_pdfs`` and ``facts_texts`` likewise.
"""

from __future__ import annotations

import io
import subprocess
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from asn1crypto import x509 as asn1_x509
from flask import Flask
from flask.testing import FlaskClient
from pyhanko.keys import load_cert_from_pemder
from reportlab.pdfgen import canvas

from config.settings import Settings
from ledger import access
from ledger.anchoring.devtsa import DevTSA
from ledger.app import create_app
from ledger.service import Ledger
from reports.validation import verify_pdf
from tests.conftest import initialise, make_settings
from tests.reports.flow import ENVELOPE, FACTS_ENVELOPE, append_facts, append_flow
from verifier.errors import MalformedError

ISSUER = {
    "issuer_name": "Evidence Keeping Services Ltd. 证据保管服务有限公司",
    "issuer_address": "1 Court Street, Springfield; 上海市黄浦区中山东一路 1 号",
    "issuer_contact": "evidence@keeping.example, +44 20 7946 0000",
    "issuer_person": "Maria Gonzalez 冈萨雷斯",
    "issuer_person_title": "Records Custodian",
    "public_url": "https://verify.keeping.example",
}
ZONE = "Asia/Shanghai"


@dataclass
class World:
    app: Flask
    client: FlaskClient
    settings: Settings
    admin: str
    read: str
    ingest: str
    vkey: str
    tsa_root: Path | None  # the development TSA's root: --tsa-root (None: no TSA)
    issuer_ca: Path  # the development issuer's CA: --issuer-root
    directory: Path

    def certificate(
        self, query: str = "", key: str | None = None, envelope: str = ENVELOPE
    ) -> bytes:
        response = self.client.get(
            f"/v1/envelopes/{envelope}/certificate.pdf{query}",
            headers={"Authorization": f"Bearer {key or self.read}"},
        )
        assert response.status_code == 200, response.get_data(as_text=True)[:500]
        assert response.mimetype == "application/pdf"
        return response.data


def poppler(*args: str | Path) -> str:
    """Run a poppler-utils command (pdftotext, pdfdetach, pdfinfo, pdffonts, pdfsig...);
    its standard output. pdfsig exits 0 whatever it finds: read what it says."""
    command = [str(a) for a in args]
    done = subprocess.run(command, capture_output=True, check=True)  # noqa: S603
    return done.stdout.decode("utf-8")


def pdftotext(path: Path, page: int | None = None) -> str:
    pages = ["-f", str(page), "-l", str(page)] if page is not None else []
    return poppler("pdftotext", "-enc", "UTF-8", *pages, path, "-")


def read_pgm(path: Path) -> tuple[int, int, bytes]:
    """A binary PGM (P5) image: width, height, one byte per pixel."""
    data = path.read_bytes()
    fields = data.split(maxsplit=4)
    assert fields[0] == b"P5"
    width, height, depth = int(fields[1]), int(fields[2]), int(fields[3])
    assert depth == 255
    pixels = fields[4]
    assert len(pixels) == width * height
    return width, height, pixels


@contextmanager
def served(
    directory: Path,
    populate: Callable[[Flask, FlaskClient, str, str], None],
    tsa: bool = True,
    **extra: str,
) -> Iterator[World]:
    """A ledger served by the Flask test client, with the development TSA unless ``tsa``
    is false (then certificates are B-B and bundles pending), tenants acme and globex and
    their keys, filled by ``populate(app, client, ingest key, admin key)``; ``extra``:
    more settings (``issuer_cert="..."`` for LEDGER_ISSUER_CERT)."""
    with DevTSA.create(directory / "tsa") if tsa else nullcontext() as dev:
        anchoring = (
            {"tsa_urls": dev.url, "tsa_trust_roots": str(dev.root_pem), "tsa_dev": "1"}
            if dev is not None
            else {}
        )
        settings = make_settings(
            f"sqlite:///{directory / 'var' / 'ledger.db'}",
            directory / "var",
            anchor_interval="0",
            **anchoring,
            **(ISSUER | extra),
        )
        initialise(settings)
        app = create_app(settings)
        app.config["TESTING"] = True
        service: Ledger = app.extensions["ledger"]
        with service.db.writing() as conn:
            access.create_tenant(conn, "acme")
            access.create_tenant(conn, "globex")
            ingest = access.create_key(conn, "ingest", "acme")
            read = access.create_key(conn, "read", "acme")
            admin = access.create_key(conn, "admin", None)
        client = app.test_client()
        populate(app, client, ingest, admin)
        vkey = client.get("/v1/log/key").get_json()["vkey"]
        yield World(
            app,
            client,
            settings,
            admin,
            read,
            ingest,
            vkey,
            Path(dev.root_pem) if dev is not None else None,
            settings.issuer_dir / "ca.pem",
            directory,
        )
        service.close()


def nothing(app: Flask, client: FlaskClient, ingest: str, admin: str) -> None:
    """A flow that appends nothing: the test appends its own events."""


def editions(world: World, name: str, query: str = "", envelope: str = ENVELOPE) -> dict[str, Path]:
    """The certificate of ``envelope`` in both editions, as the API issues them."""
    found = {}
    for lang in ("en", "zh"):
        path = world.directory / f"{name}-{lang}.pdf"
        path.write_bytes(world.certificate(f"?lang={lang}{query}", envelope=envelope))
        found[lang] = path
    return found


def flat(text: str) -> str:
    """Runs of white space made one space: phrases broken across lines join again."""
    return " ".join(text.split())


def dense(text: str) -> str:
    """No white space: hashes broken across lines, and Chinese text, join again."""
    return "".join(text.split())


def one_page_pdf() -> bytes:
    """A one-page PDF to sign."""
    out = io.BytesIO()
    page = canvas.Canvas(out)
    page.drawString(72, 720, "a page")
    page.save()
    return out.getvalue()


def flip_in_newest_contents(pdf: bytes, der: bytes, offset: int) -> bytes:
    """``pdf`` with the lowest bit of byte ``offset`` of ``der`` changed where its newest
    signature's ``/Contents`` holds ``der``: a place no signature covers."""
    start = pdf.rindex(b"/Contents <") + len(b"/Contents <")
    end = pdf.index(b">", start)
    contents = bytearray(newest_contents(pdf))
    contents[contents.index(der) + offset] ^= 0x01
    hexed = contents.hex().encode("ascii")
    changed = pdf[:start] + (hexed.upper() if pdf[start:end].isupper() else hexed) + pdf[end:]
    assert len(changed) == len(pdf)
    return changed


def newest_contents(pdf: bytes) -> bytes:
    """The CMS object of the newest signature, as its ``/Contents`` holds it (padded)."""
    start = pdf.rindex(b"/Contents <") + len(b"/Contents <")
    return bytes.fromhex(pdf[start : pdf.index(b">", start)].decode("ascii"))


def unsigned_small_fields(pdf: bytes) -> list[int]:
    """Offsets in ``newest_contents(pdf)`` of the bytes RFC 5652 leaves unsigned that a
    lenient reader ignores: the high byte of the outer length, the tag and the value of
    every small INTEGER (``02 01 0x``: the versions, among others) and the tag of every
    NULL (``05 00``: algorithm parameters). Bit 0 changed in any of them once left a
    certificate VALID."""
    contents = newest_contents(pdf)
    found = [2]
    for at in range(len(contents) - 2):
        if contents[at : at + 2] == b"\x02\x01" and contents[at + 2] <= 5:
            found += [at, at + 2]
        elif contents[at : at + 2] == b"\x05\x00":
            found.append(at)
    return found


def still_valid_after_flips(world: World, pdf: bytes, offsets: list[int]) -> list[int]:
    """The ``offsets`` in ``newest_contents(pdf)`` where bit 0 changed leaves ``pdf``
    valid to ``reports.validation.verify_pdf`` (with the world's trust): none, if sound."""
    assert world.tsa_root is not None
    contents = newest_contents(pdf)
    trust = [world.tsa_root.read_bytes()], [world.issuer_ca.read_bytes()]
    valid = []
    for at in offsets:
        try:
            found = verify_pdf(flip_in_newest_contents(pdf, contents, at), [world.vkey], *trust)
        except MalformedError:
            continue
        if found.valid:
            valid.append(at)
    return valid


def damage_certificate(pdf: bytes, pem: Path, *, readable: bool = False) -> bytes:
    """``pdf`` with the certificate of the file ``pem`` damaged where its newest
    signature embeds it (``flip_in_newest_contents``): in its last byte, its signature
    (it still parses), if ``readable``; else in the length of its signature algorithm's
    OID, one more than it is (it no longer parses)."""
    cert = asn1_x509.Certificate.load(load_cert_from_pemder(str(pem)).dump())
    der = cert.dump()
    if readable:
        return flip_in_newest_contents(pdf, der, len(der) - 1)
    algorithm = len(der) - len(cert.contents) + len(cert["tbs_certificate"].dump())
    assert der[algorithm : algorithm + 4] == b"\x30\x0a\x06\x08"  # SEQUENCE { OID (8 bytes)
    return flip_in_newest_contents(pdf, der, algorithm + 3)  # 8 -> 9


def anchor(client: FlaskClient, admin: str) -> None:
    anchored = client.post("/v1/log/anchors", headers={"Authorization": f"Bearer {admin}"})
    assert anchored.status_code == 201, anchored.get_data(as_text=True)


def _main_flow(app: Flask, client: FlaskClient, ingest: str, admin: str) -> None:
    """The 20 events, anchored, and one later entry so that the certificate shows a
    consistency proof."""
    append_flow(app, client, ingest)
    anchor(client, admin)
    later = {
        "event_id": "later-1",
        "type": "envelope.sent",
        "occurred_at": "2026-11-21T08:00:00Z",
        "envelope_id": "ENV-LATER",
    }
    response = client.post("/v1/events", json=later, headers={"Authorization": f"Bearer {ingest}"})
    assert response.status_code == 201


@pytest.fixture(scope="session")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    with served(tmp_path_factory.mktemp("certificates"), _main_flow) as found:
        yield found


@pytest.fixture(scope="session")
def pdfs(world: World) -> dict[str, Path]:
    """The certificate in both editions, with the reader's zone Asia/Shanghai."""
    return editions(world, "certificate", f"&tz={ZONE}")


@pytest.fixture(scope="session")
def texts(pdfs: dict[str, Path]) -> dict[str, str]:
    return {lang: pdftotext(path) for lang, path in pdfs.items()}


def _facts_flow(app: Flask, client: FlaskClient, ingest: str, admin: str) -> None:
    append_facts(app, client, ingest, datetime.now(UTC))
    anchor(client, admin)


@pytest.fixture(scope="session")
def facts_world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    with served(tmp_path_factory.mktemp("facts"), _facts_flow) as found:
        yield found


@pytest.fixture(scope="session")
def facts_pdfs(facts_world: World) -> dict[str, Path]:
    return editions(facts_world, "facts", envelope=FACTS_ENVELOPE)


@pytest.fixture(scope="session")
def facts_texts(facts_pdfs: dict[str, Path]) -> dict[str, str]:
    return {lang: pdftotext(path) for lang, path in facts_pdfs.items()}
