"""``/metrics`` labels come from fixed sets (ledger.metrics): no request adds a series.

Random HTTP methods grew ``/metrics`` from 2.4 KB to 602 KB in 8,000 requests, without a
key. Now an unknown method counts as ``OTHER``, a path no route matches as
``unmatched``, and a matched one by its route template.
"""

from __future__ import annotations

import http.client
import re
import secrets
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient

from ledger.metrics import METHODS
from tests.conftest import Keys
from tests.server import LedgerServer

SERIES = re.compile(r"^ledger_http_requests_total\{(.*)\} ", re.M)


def series(text: str) -> set[str]:
    return set(SERIES.findall(text))


def test_labels_of_random_methods_and_paths_are_a_fixed_set(
    app: Flask, client: FlaskClient, keys: Keys
) -> None:
    # Counters are the process's (other tests' requests count too): compare before, after.
    before = series(client.get("/metrics").get_data(as_text=True))
    client.get("/metrics")
    for n in range(200):
        method = "X" + secrets.token_hex(4).upper()
        client.open(f"/v1/{secrets.token_hex(6)}", method=method)
        client.open("/v1/log/checkpoint", method=method)
        client.get(f"/v1/log/entries/{n}", headers=keys.header("read"))
        client.get(f"/v1/nothing/{secrets.token_hex(6)}")
    after = series(client.get("/metrics").get_data(as_text=True))
    routes = {rule.rule for rule in app.url_map.iter_rules()} | {"unmatched"}
    for labels in after:
        method, route, _status = re.fullmatch(
            r'method="(.*)",route="(.*)",status="(\d{3})"', labels
        ).groups()  # type: ignore[union-attr]
        assert method in (*METHODS, "OTHER"), labels
        assert route in routes, labels
    added = after - before
    assert 'method="GET",route="/v1/log/entries/<seq>",status="404"' in after
    assert 'method="GET",route="unmatched",status="404"' in after
    assert any(s.startswith('method="OTHER"') for s in after)
    assert len(added) <= 6, added  # 800 requests of random methods and paths


def test_metrics_stay_small_on_a_served_instance(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'var' / 'ledger.db'}"
    with LedgerServer(url, tmp_path / "var") as server:

        def scrape() -> str:
            conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
            conn.request("GET", "/metrics")
            text = conn.getresponse().read().decode()
            conn.close()
            return text

        def junk(count: int) -> None:
            conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
            for _ in range(count):
                method = "M" + secrets.token_hex(5).upper()
                conn.request(method, f"/{secrets.token_hex(8)}")
                conn.getresponse().read()
                conn.close()

        junk(20)
        scrape()  # counted once answered: the next scrape shows its series
        before = scrape()
        junk(500)
        after = scrape()
    assert series(after) == series(before)
    assert any('method="OTHER"' in s for s in series(after))
    assert len(after) < len(before) + 500  # counters' digits grow, nothing else
