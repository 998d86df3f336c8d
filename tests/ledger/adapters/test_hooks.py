"""``ledger hook create | list | rotate-secret | delete`` (ledger/hooks.py) on SQLite and
PostgreSQL, and what they do to deliveries."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import Keys
from tests.ledger.adapters.flows import FLOWS
from tests.ledger.adapters.senders import Hook, compact, send, tree_size
from tests.ledger.helpers import run


def body(platform: str, n: int = 0) -> bytes:
    return compact(FLOWS[platform]()[n].body)


def test_create_generates_the_secret_where_the_receiver_chooses_it(
    app: Flask, client: FlaskClient, keys: Keys
) -> None:
    code, out = run(app, "hook", "create", "--tenant", "acme", "--platform", "documenso")
    assert code == 0, out
    lines = out.strip().splitlines()
    hook_id, secret = lines[-1], lines[-2]
    assert hook_id.startswith("hk_")
    assert " " not in hook_id
    assert f"/v1/hooks/documenso/{hook_id}" in out
    assert len(secret) >= 40
    hook = Hook("documenso", hook_id, secret)
    assert send(client, hook, body("documenso")).status_code == 200


def test_platform_issued_keys_are_added_with_rotate_secret(
    app: Flask, client: FlaskClient, keys: Keys
) -> None:
    code, out = run(app, "hook", "create", "--tenant", "acme", "--platform", "docuseal")
    hook_id = out.strip().splitlines()[-1]
    assert code == 0
    assert "rotate-secret" in out
    issued = "whsec_dGVzdC1vbmx5LWRvY3VzZWFsLWtleTI0"
    assert send(client, Hook("docuseal", hook_id, issued), body("docuseal")).status_code == 401
    code, out = run(app, "hook", "rotate-secret", hook_id, "--secret", issued, "--overlap", "0")
    assert code == 0, out
    assert send(client, Hook("docuseal", hook_id, issued), body("docuseal")).status_code == 200


def test_create_with_a_given_secret_prints_no_secret(app: Flask, keys: Keys) -> None:
    code, out = run(
        app, "hook", "create", "--tenant", "acme", "--platform", "opensign", "--secret", "k3y"
    )
    assert code == 0
    assert "k3y" not in out
    assert len(out.strip().splitlines()) == 2


def test_adobe_needs_the_client_id_and_has_no_secret(app: Flask, keys: Keys) -> None:
    code, out = run(app, "hook", "create", "--tenant", "acme", "--platform", "adobesign")
    assert code != 0
    assert "client id" in out
    code, out = run(
        app,
        "hook",
        "create",
        "--tenant",
        "acme",
        "--platform",
        "adobesign",
        "--client-id",
        "UB7E5BXCXY",
    )
    assert code == 0, out
    hook_id = out.strip().splitlines()[-1]
    code, out = run(app, "hook", "rotate-secret", hook_id)
    assert code != 0
    assert "no secret" in out


def test_bad_input_is_refused(app: Flask, keys: Keys) -> None:
    for args, message in (
        (("--tenant", "nobody", "--platform", "docusign"), "no tenant"),
        (("--tenant", "acme", "--platform", "hellosign"), "Invalid value"),
        (("--tenant", "acme", "--platform", "docuseal", "--window", "0"), "window"),
        (("--tenant", "acme", "--platform", "docusign", "--secret", "a\tb"), "printable"),
    ):
        code, out = run(app, "hook", "create", *args)
        assert code != 0, args
        assert message in out, out


def test_list_rotate_and_delete(app: Flask, client: FlaskClient, keys: Keys) -> None:
    made = {}
    for tenant, platform in (("acme", "esign"), ("globex", "docusign")):
        code, out = run(
            app, "hook", "create", "--tenant", tenant, "--platform", platform, "--secret", "old"
        )
        made[platform] = out.strip().splitlines()[-1]
    code, out = run(app, "hook", "list")
    assert code == 0
    assert made["esign"] in out
    assert made["docusign"] in out
    assert "86400s" in out  # e签宝's default window
    code, out = run(app, "hook", "list", "--tenant", "globex")
    assert made["esign"] not in out
    assert "1 live secret(s)" in out
    code, out = run(app, "hook", "rotate-secret", made["docusign"], "--overlap", "600")
    assert code == 0
    new = out.strip().splitlines()[-1]
    assert "accepted until" in out
    assert "2 live secret(s)" in run(app, "hook", "list", "--tenant", "globex")[1]
    for n, secret in enumerate(("old", new)):
        hook = Hook("docusign", made["docusign"], secret)
        assert send(client, hook, body("docusign", n)).status_code == 200
    assert run(app, "hook", "delete", made["docusign"])[0] == 0
    gone = send(client, Hook("docusign", made["docusign"], new), body("docusign", 2))
    assert gone.status_code == 404
    assert made["docusign"] not in run(app, "hook", "list")[1]
    code, out = run(app, "hook", "delete", made["docusign"])
    assert code != 0
    assert "no hook" in out
    assert tree_size(client) == 2


def test_the_registered_query_is_set_and_shown_by_the_cli(app: Flask, keys: Keys) -> None:
    args = ["hook", "create", "--tenant", "acme", "--secret", "k3y", "--query"]
    code, out = run(app, *args, "?orderNo=001&belong=pinjie", "--platform", "esign")
    assert code == 0, out
    hook_id = out.strip().splitlines()[-1]
    assert f"POST /v1/hooks/esign/{hook_id}?orderNo=001&belong=pinjie" in out
    listed = run(app, "hook", "list", "--tenant", "acme")[1]
    assert "?orderNo=001&belong=pinjie" in listed
    # Only the platforms whose signature covers the query take one.
    code, out = run(app, *args, "a=1", "--platform", "docusign")
    assert code != 0
    assert "only esign, esignglobal hooks take a query string" in out
    code, out = run(app, *args, "a=1 b", "--platform", "esignglobal")
    assert code != 0
