"""The console through the Flask test client, on SQLite and PostgreSQL: sign-in and its
defences (CSRF, fixation, open redirects, lock-out), tenants, roles, search, pages."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient

from ledger import clock
from ledger.console import users
from ledger.service import Ledger
from tests.conftest import Keys
from tests.ledger.console.seed import (
    DOC,
    PASSWORD,
    SECRET_EMAIL,
    SECRET_NAME,
    form_token,
    make_user,
    sign_in,
)


def test_root_and_console_lead_to_sign_in(client: FlaskClient) -> None:
    assert client.get("/").headers["Location"] == "/console/"
    to = client.get("/console/envelopes")
    assert to.status_code == 302
    assert to.headers["Location"].startswith("/console/sign-in?next=/console/envelopes")


def test_read_user_signs_in_searches_and_reads_an_envelope(seeded: FlaskClient) -> None:
    done = sign_in(seeded, "Reader@Acme.example", next_="/console/envelopes?status=completed")
    assert done.status_code == 303
    assert done.headers["Location"] == "/console/envelopes?status=completed"
    cookie = seeded.get_cookie("ledger_session")
    assert cookie is not None
    assert cookie.http_only
    assert cookie.same_site == "Lax"
    assert not cookie.secure  # plain HTTP here
    page = seeded.get("/console/envelopes")
    assert page.status_code == 200
    assert "3 envelopes" in page.text
    assert "env-acme-1" in page.text
    assert "env-globex-1" not in page.text
    envelope = seeded.get("/console/envelopes/acme/env-acme-1")
    assert envelope.status_code == 200
    for shown in (SECRET_NAME, SECRET_EMAIL, DOC, "recipient.signed", "SMS OTP", "anchored"):
        assert shown in envelope.text or shown == "anchored", shown
    assert "Asia/Shanghai" in envelope.text  # the browser's zone beside UTC
    assert "authenticated by api-key" in envelope.text  # each event's source
    assert "certificate-en.pdf" in envelope.text
    assert "evidence-bundle.json" in envelope.text


SEARCHES = [
    ("signer=li.na@acme.example", {"env-acme-2"}),
    ("signer=wang", {"env-acme-3"}),
    ("signer=Wei-Confidential", {"env-acme-1"}),  # whole words of a name, any case
    ("signer=confidential zhang", {"env-acme-1"}),
    ("signer=WEI-CONF", set()),  # part of a word finds nothing (a blind index)
    ("signer=zhang fang", set()),  # every word, of one envelope
    ("signer=ZHANG.SECRET@ACME.EXAMPLE", {"env-acme-1"}),  # an address: exact, any case
    ("signer=secret@acme.example", set()),
    (f"sha256={DOC.upper()}", {"env-acme-1", "env-acme-2", "env-acme-3"}),
    ("status=completed", {"env-acme-1"}),
    ("status=declined", {"env-acme-2"}),
    ("status=signing", {"env-acme-3"}),
    ("envelope=acme-2", {"env-acme-2"}),
    ("platform=api", {"env-acme-1", "env-acme-2", "env-acme-3"}),
    ("platform=docusign", set()),
    ("from=2026-11-04&to=2026-11-09", {"env-acme-2", "env-acme-3"}),
    ("from=2026-11-10", set()),
    ("signer=hank", set()),  # another tenant's signer
]


def test_search(seeded: FlaskClient) -> None:
    sign_in(seeded, "reader@acme.example")
    for query, expected in SEARCHES:
        page = seeded.get(f"/console/envelopes?{query}")
        assert page.status_code == 200
        names = ("env-acme-1", "env-acme-2", "env-acme-3", "env-globex-1")
        found = {e for e in names if f">{e}<" in page.text}
        assert found == expected, query


def test_search_pages(app: Flask, client: FlaskClient, keys: Keys) -> None:
    events = [
        {
            "event_id": f"e-{i}",
            "type": "envelope.sent",
            "occurred_at": f"2026-11-20T10:{i:02d}:00Z",
            "envelope_id": f"paged-{i:02d}",
        }
        for i in range(30)
    ]
    client.post("/v1/events/batch", json={"events": events}, headers=keys.header("ingest"))
    make_user(app, "boss@example.com", "admin")
    sign_in(client, "boss@example.com")
    first = client.get("/console/envelopes?status=sent")
    assert "30 envelopes, page 1 of 2" in first.text
    assert ">paged-29<" in first.text
    assert ">paged-04<" not in first.text
    second = client.get("/console/envelopes?status=sent&page=2")
    assert ">paged-04<" in second.text
    assert ">paged-29<" not in second.text
    assert 'href="/console/envelopes?page=1&amp;status=sent"' in second.text


def test_bad_search_input_is_a_clear_400(seeded: FlaskClient) -> None:
    sign_in(seeded, "reader@acme.example")
    page = seeded.get("/console/envelopes?sha256=xyz")
    assert page.status_code == 400
    assert "64 hexadecimal digits" in page.text
    assert seeded.get("/console/envelopes?from=tomorrow").status_code == 400
    assert seeded.get("/console/envelopes?status=nonsense").status_code == 400


def test_another_tenants_envelope_is_404(seeded: FlaskClient) -> None:
    sign_in(seeded, "reader@acme.example")
    for path in (
        "/console/envelopes/globex/env-globex-1",
        "/console/envelopes/acme/env-globex-1",
        "/console/envelopes/globex/env-globex-1/certificate-en.pdf",
        "/console/envelopes/globex/env-globex-1/evidence-bundle.json",
        "/console/envelopes/nosuch/env-globex-1",
        "/console/users",  # admin only
    ):
        response = seeded.get(path)
        assert response.status_code == 404, path
        assert "Hank" not in response.text


def test_forms_without_their_csrf_token_are_refused(seeded: FlaskClient) -> None:
    page = seeded.get("/console/sign-in")
    good = form_token(page.text)
    refused = seeded.post(
        "/console/sign-in", data={"email": "boss@example.com", "password": PASSWORD}
    )
    assert refused.status_code == 400
    assert seeded.get_cookie("ledger_session") is None
    wrong = seeded.post(
        "/console/sign-in",
        data={"csrf": good + "x", "email": "boss@example.com", "password": PASSWORD},
    )
    assert wrong.status_code == 400
    assert sign_in(seeded, "boss@example.com").status_code == 303
    users_page = seeded.get("/console/users")
    token = form_token(users_page.text)
    made = seeded.post("/console/users", data={"email": "x@example.com", "role": "audit"})
    assert made.status_code == 400
    assert "x@example.com" not in seeded.get("/console/users").text
    out = seeded.post("/console/sign-out", data={})
    assert out.status_code == 400
    assert seeded.get("/console/envelopes").status_code == 200  # still signed in
    made = seeded.post(
        "/console/users", data={"email": "x@example.com", "role": "audit", "csrf": token}
    )
    assert made.status_code == 201
    assert "x@example.com" in made.text
    assert seeded.post("/console/sign-out", data={"csrf": token}).status_code == 303
    assert seeded.get("/console/envelopes").status_code == 302


def test_session_id_is_new_at_sign_in(seeded: FlaskClient) -> None:
    planted = "attacker-chosen-session-id"
    seeded.set_cookie("ledger_session", planted, path="/")
    sign_in(seeded, "reader@acme.example")
    given = seeded.get_cookie("ledger_session")
    assert given is not None
    assert given.value != planted
    other = seeded.application.test_client()
    other.set_cookie("ledger_session", planted, path="/")
    assert other.get("/console/envelopes").status_code == 302  # the planted id is nothing
    # signing in again gives another id, and the first one stops working
    first = given.value
    sign_in(seeded, "reader@acme.example")
    second = seeded.get_cookie("ledger_session")
    assert second is not None
    assert second.value != first
    other.set_cookie("ledger_session", first, path="/")
    assert other.get("/console/envelopes").status_code == 302


EVIL_NEXT = [
    "//evil.example/x",
    "https://evil.example/",
    "/\\evil.example",
    "\\\\evil.example",
    "javascript:alert(1)",
    "/%0d%0aLocation:https://evil.example",
    "evil.example",
]


def test_next_goes_only_to_local_paths(seeded: FlaskClient) -> None:
    for target in EVIL_NEXT:
        done = sign_in(seeded, "reader@acme.example", next_=target)
        assert done.status_code == 303
        location = done.headers["Location"]
        assert location.startswith("/"), target
        assert not location.startswith(("//", "/\\")), target
        assert "evil" not in location or location.startswith("/%0d"), target
        assert "\r" not in location
        assert "\n" not in location


def test_lock_out_after_five_failures(app: Flask, seeded: FlaskClient) -> None:
    for _ in range(users.MAX_FAILURES):
        assert sign_in(seeded, "reader@acme.example", "wrong password!").status_code == 401
    refused = sign_in(seeded, "reader@acme.example")  # the right password, while locked
    assert refused.status_code == 401
    assert users.REFUSED in refused.text
    unknown = sign_in(seeded, "nobody@acme.example")
    assert unknown.text.count(users.REFUSED) == refused.text.count(users.REFUSED)
    service: Ledger = app.extensions["ledger"]
    later = clock.now() + users.LOCK + timedelta(seconds=1)
    with service.db.writing() as conn:
        assert users.sign_in(conn, "reader@acme.example", PASSWORD, now=later) is not None


def test_failures_spread_out_do_not_lock(app: Flask, seeded: FlaskClient) -> None:
    service: Ledger = app.extensions["ledger"]
    start = clock.now()
    for i in range(users.MAX_FAILURES + 2):
        at = start + i * (users.WINDOW / 3)
        with service.db.writing() as conn:
            assert users.sign_in(conn, "reader@acme.example", "nope nope nope", now=at) is None
        if i % 3 == 2:
            with service.db.writing() as conn:
                assert users.sign_in(conn, "reader@acme.example", PASSWORD, now=at) is not None


def test_an_audit_user_sees_no_body_anywhere(seeded: FlaskClient) -> None:
    sign_in(seeded, "auditor@example.com")
    pages = [
        seeded.get("/console/envelopes"),
        seeded.get("/console/envelopes?tenant=acme"),
        seeded.get("/console/envelopes/acme/env-acme-1"),
        seeded.get("/console/envelopes/globex/env-globex-1"),
        seeded.get("/console/log"),
    ]
    for page in pages:
        assert page.status_code == 200
    assert "env-globex-1" in pages[0].text
    assert "env-acme-1" in pages[0].text
    assert "recipient.signed" in pages[2].text  # the leaves' clear fields
    for page in pages:
        for secret in (SECRET_NAME, SECRET_EMAIL, DOC, "Hank", "SMS OTP", "203.0.113.7"):
            assert secret not in page.text
    assert seeded.get(f"/console/envelopes?signer={SECRET_EMAIL}").status_code == 400
    assert seeded.get(f"/console/envelopes?sha256={DOC}").status_code == 400
    for download in ("certificate-en.pdf", "certificate-zh.pdf", "evidence-bundle.json"):
        assert seeded.get(f"/console/envelopes/acme/env-acme-1/{download}").status_code == 404
    assert seeded.get("/console/users").status_code == 404


def test_admin_sees_every_tenant_and_manages_users(app: Flask, seeded: FlaskClient) -> None:
    sign_in(seeded, "boss@example.com")
    assert "Hank Scorpio" in seeded.get("/console/envelopes/globex/env-globex-1").text
    page = seeded.get("/console/users")
    token = form_token(page.text)
    made = seeded.post(
        "/console/users",
        data={"email": "new@acme.example", "role": "read", "tenant": "acme", "csrf": token},
    )
    assert made.status_code == 201
    password = made.text.split('<code class="secret">')[1].split("<")[0]
    other = app.test_client()
    assert sign_in(other, "new@acme.example", password).status_code == 303
    service: Ledger = app.extensions["ledger"]
    with service.db.reading() as conn:
        new_id = users.get_user(conn, "new@acme.example").id
    off = seeded.post(f"/console/users/{new_id}/disable", data={"csrf": token})
    assert off.status_code == 303
    assert other.get("/console/envelopes").status_code == 302  # their session ended
    assert sign_in(other, "new@acme.example", password).status_code == 401
    bad = seeded.post(
        "/console/users", data={"email": "r@acme.example", "role": "read", "csrf": token}
    )
    assert bad.status_code == 400
    assert "needs a tenant" in bad.text


def test_secure_cookie_behind_tls_and_a_trusted_proxy_only(app: Flask, seeded: FlaskClient) -> None:
    tls = app.test_client()
    page = tls.get("/console/sign-in", base_url="https://console.example")
    tls.post(
        "/console/sign-in",
        base_url="https://console.example",
        data={"csrf": form_token(page.text), "email": "boss@example.com", "password": PASSWORD},
    )
    cookie = tls.get_cookie("ledger_session", domain="console.example")
    assert cookie is not None
    assert cookie.secure
    proxied = app.test_client()
    page = proxied.get("/console/sign-in")
    response = proxied.post(
        "/console/sign-in",
        headers={"X-Forwarded-Proto": "https"},
        data={"csrf": form_token(page.text), "email": "boss@example.com", "password": PASSWORD},
    )
    assert "Secure" not in response.headers["Set-Cookie"]  # not configured to trust it


def test_passwords_are_never_logged(seeded: FlaskClient, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    sign_in(seeded, "reader@acme.example", "a wrong password here")
    sign_in(seeded, "reader@acme.example")
    assert "a wrong password here" not in caplog.text
    assert PASSWORD not in caplog.text


def test_pages_send_security_headers(seeded: FlaskClient) -> None:
    page = seeded.get("/console/sign-in")
    assert "default-src 'none'" in page.headers["Content-Security-Policy"]
    assert page.headers["X-Frame-Options"] == "DENY"
    assert page.headers["Cache-Control"] == "no-store"
    with seeded.get("/console/static/console.css") as css:
        assert css.status_code == 200
        assert "text/css" in css.headers["Content-Type"]


def test_admin_makes_and_revokes_api_keys(app: Flask, seeded: FlaskClient) -> None:
    sign_in(seeded, "boss@example.com")
    page = seeded.get("/console/keys")
    token = form_token(page.text)
    assert seeded.post("/console/keys", data={"role": "read", "tenant": "acme"}).status_code == 400
    made = seeded.post("/console/keys", data={"role": "read", "tenant": "acme", "csrf": token})
    assert made.status_code == 201
    key = made.text.split('<code class="secret wrap">')[1].split("<")[0]
    bearer = {"Authorization": f"Bearer {key}"}
    assert seeded.get("/v1/envelopes/env-acme-1", headers=bearer).status_code == 200
    assert key not in seeded.get("/console/keys").text  # shown once
    refused = seeded.post("/console/keys", data={"role": "ingest", "csrf": token})
    assert refused.status_code == 400
    assert "needs a tenant" in refused.text
    revoked = seeded.post(f"/console/keys/{key[:12]}/revoke", data={"csrf": token})
    assert revoked.status_code == 303
    assert seeded.get("/v1/envelopes/env-acme-1", headers=bearer).status_code == 401
    reader = app.test_client()
    sign_in(reader, "reader@acme.example")
    assert reader.get("/console/keys").status_code == 404


def test_the_timeline_shows_time_plausibility_flags(
    app: Flask, client: FlaskClient, keys: Keys
) -> None:
    ahead = (clock.now() + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
    events = [
        {"event_id": "f-1", "type": "envelope.sent", "occurred_at": ahead, "envelope_id": "late"},
        {
            "event_id": "f-2",
            "type": "recipient.signed",
            "occurred_at": "2026-11-01T00:00:00Z",
            "envelope_id": "late",
        },
    ]
    response = client.post(
        "/v1/events/batch", json={"events": events}, headers=keys.header("ingest")
    )
    assert response.status_code == 201
    make_user(app, "reader@acme.example", "read", "acme")
    sign_in(client, "reader@acme.example")
    page = client.get("/console/envelopes/acme/late").text
    assert page.count(">platform_time_after_receipt<") == 1
    assert page.count(">out_of_order<") == 1
