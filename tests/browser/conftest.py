"""The console in a real browser: Debian's chromium (``/usr/bin/chromium``) driven by
Playwright for Python, against ``ledger serve`` (gunicorn, tests/server.py) on a seeded
SQLite database. ``make test`` installs chromium and axe-core (package.json here).

A browser that cannot start is a failure, never a skip.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, Playwright, sync_playwright

from tests.ledger.console.seed import lifecycle
from tests.server import ROOT, LedgerServer

CHROMIUM = Path("/usr/bin/chromium")
AXE = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"
SCREENS = ROOT / "bench" / "screens"
PASSWORD = "browser test password"  # noqa: S105
VIEWPORTS = {"laptop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LedgerServer]:
    """The service with three acme envelopes and one of globex, anchored, and users."""
    base = tmp_path_factory.mktemp("browser")
    server = LedgerServer(f"sqlite:///{base / 'var' / 'ledger.db'}", base / "var", workers=1)
    with server:
        server.cli("tenant", "create", "globex")
        globex = server.cli("key", "create", "--tenant", "globex", "--role", "ingest")
        admin_key = server.cli("key", "create", "--role", "admin").stdout.strip().splitlines()[-1]
        acme = (
            lifecycle("env-acme-1", 2, "Zhang Wei", "zhang.wei@acme.example", "envelope.completed")
            + lifecycle("env-acme-2", 5, "Li Na", "li.na@acme.example", "envelope.declined")
            + lifecycle("env-acme-3", 9, "Wang Fang", "wang@acme.example", None)
        )
        client = server.client()
        status, body = client.post("/v1/events/batch", {"events": acme})
        assert status == 201, body
        other = globex.stdout.strip().splitlines()[-1]
        events = lifecycle("env-globex-1", 3, "Hank Scorpio", "hank@globex.example", None)
        assert client.post("/v1/events/batch", {"events": events}, key=other)[0] == 201
        assert client.post("/v1/log/anchors", {}, key=admin_key)[0] in (200, 201)
        for email, role, tenant in (
            ("admin@example.com", "admin", None),
            ("reader@acme.example", "read", "acme"),
            ("auditor@example.com", "audit", None),
        ):
            args = ["user", "create", "--email", email, "--role", role, "--password-stdin"]
            server.cli(*args, *(["--tenant", tenant] if tenant else []), stdin=PASSWORD + "\n")
        server.admin_key = admin_key  # type: ignore[attr-defined]
        yield server


@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="module")
def browser(playwright: Playwright) -> Iterator[Browser]:
    assert CHROMIUM.exists(), "Debian's chromium is missing: make test-system-deps"
    browser = playwright.chromium.launch(
        executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-dev-shm-usage"]
    )
    yield browser
    browser.close()


@pytest.fixture
def page(browser: Browser, server: LedgerServer) -> Iterator[Page]:
    """A fresh context: Shanghai time, downloads allowed, CSP bypassed for axe's injection."""
    context = browser.new_context(
        base_url=f"http://127.0.0.1:{server.port}",
        viewport=VIEWPORTS["laptop"],
        timezone_id="Asia/Shanghai",
        accept_downloads=True,
        bypass_csp=True,
    )
    context.set_default_timeout(30_000)
    page = context.new_page()
    yield page
    context.close()


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """axe-core's serious and critical violations on the page as it is."""
    assert AXE.exists(), f"axe-core is missing: npm ci --prefix {AXE.parents[2]}"
    page.add_script_tag(path=str(AXE))
    found: list[dict[str, Any]] = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
    )
    return [v for v in found if v.get("impact") in ("serious", "critical")]


def check_page(page: Page, name: str) -> None:
    """axe-core at laptop and phone widths, and a screenshot of each (bench/screens/)."""
    SCREENS.mkdir(parents=True, exist_ok=True)
    for width, size in VIEWPORTS.items():
        page.set_viewport_size(size)
        bad = axe_violations(page)
        summary = [
            {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
            for v in bad
        ]
        assert not bad, f"{name} at {width}: {json.dumps(summary, indent=1)}"
        page.screenshot(path=str(SCREENS / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size(VIEWPORTS["laptop"])
