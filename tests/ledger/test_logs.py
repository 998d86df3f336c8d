"""Every log line is one line of safe text (ledger.logs), and hook ids never reach it."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from ledger import clock, hooks, logs
from ledger.service import Ledger
from tests.conftest import Keys

FORGED = "ok\n[2026-12-07 08:00:00 +0000] [1] [CRITICAL] forged\x1b[2J\x00\u2028end"


@pytest.fixture
def captured() -> Iterator[io.StringIO]:
    """A real handler and formatter on the root logger, as an operator's setup has."""
    logs.install()
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(logging.Formatter("[%(levelname)s] %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield out
    finally:
        root.removeHandler(handler)


def test_messages_and_arguments_are_escaped(captured: io.StringIO) -> None:
    logging.getLogger("ledger.outbound.delivery").warning("receiver said: %s", FORGED)
    logging.getLogger("gunicorn.error").warning(FORGED)
    lines = captured.getvalue().splitlines()
    assert len(lines) == 2
    assert lines[0] == (
        "[WARNING] ledger.outbound.delivery: receiver said: ok\\x0a[2026-12-07 08:00:00 +0000]"
        " [1] [CRITICAL] forged\\x1b[2J\\x00\\u2028end"
    )
    assert "CRITICAL" not in lines[1].split(":", 1)[0]


def test_an_exception_message_cannot_forge_lines(captured: io.StringIO) -> None:
    def read() -> None:
        raise ValueError(FORGED)

    def job() -> None:
        try:
            read()
        except ValueError as e:
            raise RuntimeError("while reading hk_secretid123\r\nmore") from e

    try:
        job()
    except RuntimeError:
        logging.getLogger("ledger.workers").exception("job crashed")
    text = captured.getvalue()
    lines = text.splitlines()
    assert lines[0] == "[ERROR] ledger.workers: job crashed"
    assert not any(line.startswith("[2026") for line in lines)
    assert "ValueError: ok\\x0a[2026-12-07 08:00:00 +0000] [1] [CRITICAL] forged" in text
    assert "RuntimeError: while reading hk_<redacted>\\x0d\\x0amore" in text
    assert "The above exception was the direct cause" in text
    assert "\x1b" not in text
    assert "\x00" not in text
    assert "hk_secretid123" not in text


def test_a_fault_at_a_hook_logs_neither_its_id_nor_raw_text(
    app: Flask, client: FlaskClient, keys: Keys, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Flask logs "Exception on <path>": the hook's id (its only secret for some
    platforms) is redacted, and the exception's text escaped."""
    service: Ledger = app.extensions["ledger"]
    with service.db.writing() as conn:
        made = hooks.create_hook(conn, "acme", "docuseal", now=clock.now(), secret="k3y")  # noqa: S106
    app.testing = False  # Flask then answers 500 and logs the exception

    def broken(*_: object) -> None:
        raise RuntimeError(FORGED)

    monkeypatch.setattr(hooks, "check_source", broken)
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    app.logger.addHandler(handler)
    try:
        response = client.post(f"/v1/hooks/docuseal/{made.id}", data=b"{}")
    finally:
        app.logger.removeHandler(handler)
    assert response.status_code == 500
    assert response.get_json()["error"]["code"] == "internal_server_error"
    text = out.getvalue()
    assert "Exception on /v1/hooks/docuseal/hk_<redacted> [POST]" in text
    assert made.id not in text
    assert "RuntimeError: ok\\x0a[2026-12-07" in text
    assert "\n[2026-12-07" not in text


def test_clean() -> None:
    assert logs.clean("a\\b") == "a\\\\b"  # a backslash is doubled: escapes read back
    assert (
        logs.clean("GET /v1/hooks/esign/hk_AbC-1_x?x=1") == "GET /v1/hooks/esign/hk_<redacted>?x=1"
    )
    assert logs.clean("/v1/hooks/docusign/whatever") == "/v1/hooks/docusign/hk_<redacted>"
    assert logs.clean("plain text, 中文, é") == "plain text, 中文, é"
    assert logs.clean("\t\x7f\x9f") == "\\x09\\x7f\\x9f"
