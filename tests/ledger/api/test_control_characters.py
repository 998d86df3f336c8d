"""A control character in a path or query parameter is a 400, before any query
(``ledger.api.context.refuse_control_characters``), on SQLite and PostgreSQL.

PostgreSQL refuses a NUL in a string with an error: a NUL in a hook id, an envelope id
or ``?tenant=`` was a 500 with a traceback. Every caller gets the same JSON 400, the
log does not change, and ``/metrics`` gains no label from the request.
"""

from __future__ import annotations

import http.client
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from tests.conftest import Keys, event
from tests.server import LedgerServer

# (method, URL with the control character percent-encoded): every place ids arrive.
BAD = [
    ("GET", "/v1/envelopes/env%00x?tenant=acme"),
    ("GET", "/v1/envelopes/env-1%00/evidence?tenant=acme"),
    ("GET", "/v1/envelopes/env-1/certificate.pdf?tenant=acme%00"),
    ("GET", "/v1/envelopes/env-1?tenant=ac%00me"),
    ("GET", "/v1/envelopes/env-1?ten%00ant=acme"),
    ("GET", "/v1/envelopes/env%01?tenant=acme"),
    ("GET", "/v1/envelopes/env%1b%5b2J?tenant=acme"),  # ESC [2J: clear the screen
    ("GET", "/v1/envelopes/env%7f?tenant=acme"),
    ("GET", "/v1/envelopes/env%c2%85?tenant=acme"),  # U+0085, a C1 control
    ("GET", f"/v1/deliveries/{'0' * 63}%00?tenant=acme"),
    ("GET", "/v1/log/entries/0%00"),
    ("GET", "/v1/log/leaves?start=0&end=1%0a"),
    ("GET", "/v1/log/proofs/inclusion?seq=0%00&size=1"),
    ("POST", "/v1/hooks/docusign/hk_%00abc"),
    ("POST", "/v1/hooks/esign/hk_abc?sign=%00"),
    ("GET", "/v1/hooks/adobesign/hk_%0d%0aabc"),
    ("POST", "/v1/events?x=%00"),
    ("POST", "/v1/events/batch?x=%09"),
    ("GET", "/v1/unknown%00path"),
]


@pytest.mark.parametrize(("method", "url"), BAD)
def test_control_characters_are_400_before_any_query(
    client: FlaskClient, keys: Keys, method: str, url: str
) -> None:
    assert (
        client.post("/v1/events", json=event(1), headers=keys.header("ingest")).status_code == 201
    )
    for who in ("admin", "read", "ingest"):
        body = {"events": [event(2)]} if "batch" in url else event(2)
        sent = keys.header(who)
        response = (
            client.get(url, headers=sent)
            if method == "GET"
            else client.post(url, json=body, headers=sent)
        )
        assert response.status_code == 400, (who, response.get_data(as_text=True)[:300])
        assert response.headers["Content-Type"] == "application/json"
        error = response.get_json()["error"]
        assert error["code"] == "control_character"
        assert "\x00" not in error["message"]
    assert client.get("/healthz").get_json()["size"] == 1


def test_control_characters_on_a_served_instance(db_url: str, tmp_path: Path) -> None:
    with LedgerServer(db_url, tmp_path / "var") as server:
        admin = server.cli("key", "create", "--role", "admin").stdout.split()[-1]
        for method, url in BAD:
            conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
            headers = {"Authorization": f"Bearer {admin}", "Content-Type": "application/json"}
            conn.request(method, url, body=b"{}" if method == "POST" else None, headers=headers)
            response = conn.getresponse()
            text = response.read().decode()
            conn.close()
            assert response.status == 400, (url, text[:300])
            assert '"control_character"' in text
        log = server.log_path.read_text(errors="replace")
    assert "Traceback" not in log
    assert "hk_abc" not in log
