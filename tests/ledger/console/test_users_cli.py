"""``ledger user create|list|disable|enable|password``, ``quickstart``'s first admin,
``ledger fsck`` on the Log page and ``ledger console reindex``."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text

from ledger.cli import cli
from tests.conftest import Keys
from tests.ledger.console.seed import SECRET_EMAIL, seed, sign_in

PASSWORD = "a password from stdin"  # noqa: S105


def run(app: Flask, *args: str, stdin: str | None = None) -> tuple[int, str]:
    result = app.test_cli_runner().invoke(cli, list(args), input=stdin)
    return result.exit_code, result.output + (repr(result.exception) if result.exit_code else "")


def test_create_with_password_stdin_list_disable_enable(app: Flask, keys: Keys) -> None:
    code, out = run(
        app,
        *("user", "create", "--email", "Ann@Acme.example", "--role", "read"),
        *("--tenant", "acme", "--password-stdin"),
        stdin=PASSWORD + "\n",
    )
    assert code == 0, out
    assert PASSWORD not in out
    client = app.test_client()
    assert sign_in(client, "ann@acme.example", PASSWORD).status_code == 303
    code, out = run(app, "user", "list")
    assert "ann@acme.example\tread\tacme\t" in out
    assert out.strip().endswith("active")
    assert run(app, "user", "disable", "ann@acme.example")[0] == 0
    assert client.get("/console/envelopes").status_code == 302  # the session ended
    assert "disabled" in run(app, "user", "list")[1]
    assert sign_in(client, "ann@acme.example", PASSWORD).status_code == 401
    assert run(app, "user", "enable", "ann@acme.example")[0] == 0
    assert sign_in(client, "ann@acme.example", PASSWORD).status_code == 303


def test_generated_password_is_printed_once_and_works(app: Flask, keys: Keys) -> None:
    code, out = run(app, "user", "create", "--email", "aud@example.com", "--role", "audit")
    assert code == 0
    password = out.strip().splitlines()[-1]
    assert len(password) >= 20
    assert sign_in(app.test_client(), "aud@example.com", password).status_code == 303
    assert password not in run(app, "user", "list")[1]
    code, out = run(app, "user", "password", "aud@example.com")
    assert sign_in(app.test_client(), "aud@example.com", password).status_code == 401
    new = out.strip().splitlines()[-1]
    assert sign_in(app.test_client(), "aud@example.com", new).status_code == 303


def test_roles_and_tenants_are_checked(app: Flask, keys: Keys) -> None:
    code, out = run(app, "user", "create", "--email", "r@example.com", "--role", "read")
    assert code != 0
    assert "needs a tenant" in out
    code, out = run(
        app, "user", "create", "--email", "a@example.com", "--role", "admin", "--tenant", "acme"
    )
    assert code != 0
    assert "takes no tenant" in out
    code, out = run(
        app,
        "user",
        "create",
        "--email",
        "s@example.com",
        "--role",
        "audit",
        "--password-stdin",
        stdin="short\n",
    )
    assert code != 0
    assert "12 to 1024 characters" in out
    assert run(app, "user", "create", "--email", "dup@example.com", "--role", "audit")[0] == 0
    code, out = run(app, "user", "create", "--email", "DUP@example.com", "--role", "audit")
    assert code != 0
    assert "exists" in out
    assert run(app, "user", "list")[1].count("@example.com") == 1


def test_quickstart_prints_the_console_and_a_first_admin_once(app: Flask) -> None:
    code, out = run(app, "quickstart")
    assert code == 0
    assert "http://127.0.0.1:8000/console/" in out
    line = next(li for li in out.splitlines() if "sign in as" in li)
    email, password = line.split("sign in as ")[1].split(" with password ")
    assert sign_in(app.test_client(), email, password).status_code == 303
    again = run(app, "quickstart")[1]
    assert password not in again
    assert "http://127.0.0.1:8000/console/" in again


def test_fsck_is_shown_on_the_log_page(app: Flask, client: FlaskClient, keys: Keys) -> None:
    seed(client, keys)
    run(
        app,
        "user",
        "create",
        "--email",
        "a@example.com",
        "--role",
        "audit",
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )
    sign_in(client, "a@example.com", PASSWORD)
    assert "never run" in client.get("/console/log").text
    assert run(app, "fsck")[0] == 0
    page = client.get("/console/log").text
    assert "clean" in page
    assert "18 entries" in page, page[page.index("Last fsck") :][:600]


def test_reindex_rebuilds_the_search(app: Flask, client: FlaskClient, keys: Keys) -> None:
    seed(client, keys)
    code, out = run(app, "console", "reindex")
    assert code == 0
    assert "indexed 18 entries" in out
    run(
        app,
        "user",
        "create",
        "--email",
        "r@acme.example",
        "--role",
        "read",
        "--tenant",
        "acme",
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )
    sign_in(client, "r@acme.example", PASSWORD)
    assert ">env-acme-1<" in client.get(f"/console/envelopes?signer={SECRET_EMAIL}").text
    assert run(app, "console", "reindex")[1].strip() == "indexed 18 entries"


def test_fsck_whose_run_cannot_be_recorded_still_gives_its_verdict(
    app: Flask, client: FlaskClient, keys: Keys
) -> None:
    seed(client, keys)
    service = app.extensions["ledger"]
    with service.db.writing() as conn:
        conn.execute(text("DROP TABLE fsck_runs"))
    code, out = run(app, "fsck")
    assert code == 0
    assert "clean" in out
    assert "could not be recorded" in out
