"""Time plausibility at the ledger (docs/evidence-format.md, "Time plausibility"; issue 13):
an ``occurred_at`` no platform can have recorded is refused on every channel with nothing
appended; a late or out-of-order one is accepted, flagged in the timeline, and reported
as a warning by the bundle verifier and ``ledger-verify bundle``.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import Keys, event
from tests.ledger.adapters.senders import compact, make_hook, send
from tests.ledger.helpers import vkeys
from verifier.bundle import verify_bundle
from verifier.cli import main as ledger_verify


def size(client: FlaskClient) -> int:
    value: int = client.get("/healthz").get_json()["size"]
    return value


def rfc3339(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


IMPLAUSIBLE = {
    "a year ahead": "2099-01-01T00:00:00Z",
    "the year 1": "0001-01-01T00:00:00Z",
    "the year 1 with an offset (beyond datetime's range in UTC)": "0001-01-01T00:00:00+08:00",
    "the year 9999": "9999-12-31T23:59:59-08:00",
    "a second before 1990": "1989-12-31T23:59:59Z",
    "1990 in Beijing, still 1989 in UTC": "1990-01-01T07:59:59+08:00",
}


def error(response: Any) -> dict[str, Any]:
    body: dict[str, Any] = response.get_json()["error"]
    return body


@pytest.mark.parametrize("occurred_at", IMPLAUSIBLE.values(), ids=IMPLAUSIBLE.keys())
def test_an_implausible_time_is_refused_by_the_api(
    client: FlaskClient, keys: Keys, occurred_at: str
) -> None:
    single = client.post(
        "/v1/events", json=event(1, occurred_at=occurred_at), headers=keys.header("ingest")
    )
    assert single.status_code == 400
    assert (error(single)["field"], error(single)["code"]) == ("occurred_at", "implausible_time")
    batch = {"events": [event(1), event(2, occurred_at=occurred_at), event(3)]}
    refused = client.post("/v1/events/batch", json=batch, headers=keys.header("ingest"))
    assert refused.status_code == 400
    assert error(refused)["field"] == "events[1].occurred_at"  # and the batch is all or nothing
    assert size(client) == 0


def test_the_limit_is_24_hours_after_receipt(client: FlaskClient, keys: Keys) -> None:
    now = datetime.now(UTC)
    late = event(1, occurred_at=rfc3339(now + timedelta(hours=24, minutes=5)))
    refused = client.post("/v1/events", json=late, headers=keys.header("ingest"))
    assert refused.status_code == 400
    assert "after the ledger received the event" in error(refused)["message"]
    early = event(2, occurred_at=rfc3339(now + timedelta(hours=23, minutes=55)))
    assert client.post("/v1/events", json=early, headers=keys.header("ingest")).status_code == 201
    assert size(client) == 1


def test_an_implausible_time_is_refused_from_a_platform(
    app: Flask, client: FlaskClient, keys: Keys
) -> None:
    """A DocuSeal signature dated 2099 (its signature is valid): 400, nothing appended."""
    hook = make_hook(app, "docuseal", "whsec_plausibility")
    body = {
        "event_type": "form.completed",
        "timestamp": "2099-01-01T00:00:00.000Z",
        "data": {"id": 7, "submission_id": 70, "completed_at": "2099-01-01T00:00:00.000Z"},
    }
    response = send(client, hook, compact(body))
    assert response.status_code == 400
    assert (error(response)["field"], error(response)["code"]) == (
        "occurred_at",
        "implausible_time",
    )
    assert size(client) == 0


def timeline(client: FlaskClient, keys: Keys, envelope: str) -> list[dict[str, Any]]:
    response = client.get(f"/v1/envelopes/{envelope}", headers=keys.header("read"))
    assert response.status_code == 200
    events: list[dict[str, Any]] = response.get_json()["events"]
    return events


def flagged_envelope(client: FlaskClient, keys: Keys) -> None:
    """sent; signed before it was sent; completed 7 h 45 min after the ledger's receipt."""
    now = datetime.now(UTC)
    sent = [
        event(1, type="envelope.sent", occurred_at=rfc3339(now - timedelta(hours=2))),
        event(2, type="recipient.signed", occurred_at=rfc3339(now - timedelta(hours=3))),
        event(3, type="envelope.completed", occurred_at=rfc3339(now + timedelta(minutes=465))),
    ]
    for e in sent:
        assert client.post("/v1/events", json=e, headers=keys.header("ingest")).status_code == 201


def test_the_timeline_flags_late_and_out_of_order_times(client: FlaskClient, keys: Keys) -> None:
    flagged_envelope(client, keys)
    flags = [row["flags"] for row in timeline(client, keys, "env-1")]
    assert flags == [[], ["out_of_order"], ["platform_time_after_receipt"]]


def test_the_timeline_allows_the_configured_clock_skew(
    app: Flask, client: FlaskClient, keys: Keys
) -> None:
    settings = app.extensions["ledger"].settings
    assert settings.clock_skew == 300
    ahead = rfc3339(datetime.now(UTC) + timedelta(seconds=240))
    client.post("/v1/events", json=event(1, occurred_at=ahead), headers=keys.header("ingest"))
    assert [row["flags"] for row in timeline(client, keys, "env-1")] == [[]]


def test_the_bundle_verifier_reports_flags_as_warnings(
    client: FlaskClient, keys: Keys, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    flagged_envelope(client, keys)
    response = client.get("/v1/envelopes/env-1/evidence", headers=keys.header("read"))
    bundle = response.get_json()
    report = verify_bundle(bundle, vkeys(client), [])
    assert report.valid  # a warning is never a failure
    warnings = [(c.name, c.seq) for c in report.warnings]
    assert warnings == [("time plausibility", 1), ("time plausibility", 2)]
    assert report.bottom_line.startswith("PENDING: ")  # not yet anchored, and valid
    assert "; 2 warnings, the first: time plausibility at seq 1: " in report.bottom_line
    path = tmp_path / "bundle.json"
    path.write_text(json.dumps(bundle), encoding="utf-8")
    args = ["bundle", str(path), *(f"--log-key={k}" for k in vkeys(client))]
    assert ledger_verify(args) == 0
    printed = capsys.readouterr().out
    assert "WARNING time plausibility at seq 2: the platform time is 7 h 4" in printed
    # With a day's clock skew allowed, the late completion is no longer a finding.
    assert ledger_verify([*args, "--clock-skew", "86400", "--json"]) == 0
    found = json.loads(capsys.readouterr().out)["warnings"]
    assert [w["reason"] for w in found if "after the ledger" in w["reason"]] == []
    assert [w["seq"] for w in found] == [1]
