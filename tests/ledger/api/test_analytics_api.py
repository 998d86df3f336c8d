"""``GET /v1/analytics`` (SQLite and PostgreSQL): the hand-computed figures as JSON and
CSV, who may read which tenant's, and bad parameters refused."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import Keys
from tests.ledger.analytics_helpers import EXPECTED, seed

URL = "/v1/analytics?from=2026-11-01&to=2026-11-03"


def test_json_and_csv(app: Flask, client: FlaskClient, keys: Keys) -> None:
    seed(app, keys)
    answer = client.get(URL, headers=keys.header("read"))
    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert answer.get_json() == EXPECTED
    for how in ({"query": "&format=csv"}, {"accept": "text/csv"}):
        headers = keys.header("read")
        if "accept" in how:
            headers["Accept"] = how["accept"]
        answer = client.get(URL + how.get("query", ""), headers=headers)
        assert answer.status_code == 200
        assert answer.mimetype == "text/csv"
        assert (
            (answer.headers["Content-Disposition"])
            == "attachment; filename=analytics-acme-20261101-20261104.csv"
        )
        assert "completion_rate,,0.6" in answer.get_data(as_text=True).splitlines()
    # times with offsets: the same period
    same = client.get(
        "/v1/analytics?from=2026-11-01T08:00:00%2B08:00&to=2026-11-04T00:00:00Z",
        headers=keys.header("read"),
    )
    assert same.get_json() == EXPECTED


def test_who_reads_which_tenant(app: Flask, client: FlaskClient, keys: Keys) -> None:
    seed(app, keys)
    other = client.get(URL, headers=keys.header("other_read")).get_json()
    assert (other["tenant"], other["envelopes"]["sent"]) == ("globex", 1)
    assert client.get(URL + "&tenant=acme", headers=keys.header("other_read")).status_code == 403
    for role in ("audit", "admin"):
        assert client.get(URL + "&tenant=acme", headers=keys.header(role)).get_json() == EXPECTED
        missing = client.get(URL, headers=keys.header(role))
        assert missing.status_code == 400
        assert missing.get_json()["error"]["field"] == "tenant"
    assert client.get(URL + "&tenant=nobody", headers=keys.header("admin")).status_code == 404
    assert client.get(URL, headers=keys.header("ingest")).status_code == 403
    assert client.get(URL).status_code == 401


def test_default_period_and_bad_parameters(app: Flask, client: FlaskClient, keys: Keys) -> None:
    read = keys.header("read")
    recent = client.get("/v1/analytics", headers=read).get_json()
    assert len(recent["events_per_day"]) == 30
    for query, field in (
        ("?from=2026-13-01&to=2026-12-01", "from"),
        ("?from=2026-11-05&to=2026-11-01", "to"),
        ("?from=yesterday", "from"),
        ("?from=1900-01-01T00:00:00Z", "from"),
        ("?from=2000-01-01&to=2026-01-01", "from"),  # over ten years
        ("?format=xml", "format"),
        ("?period=week", "period"),
    ):
        answer = client.get(f"/v1/analytics{query}", headers=read)
        assert answer.status_code == 400, query
        assert answer.get_json()["error"]["field"] == field, query
