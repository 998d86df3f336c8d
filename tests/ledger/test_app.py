"""The factory, settings, health and metrics."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask.testing import FlaskClient

from config.settings import SettingsError, load
from ledger.app import create_app
from tests.conftest import Keys, event


def test_factory_uses_embedded_defaults(tmp_path: Path) -> None:
    settings = load({}, base=tmp_path)
    assert settings.data_dir == tmp_path / "var"
    assert settings.database_url == f"sqlite:///{tmp_path / 'var' / 'ledger.db'}"
    assert settings.log_key_name == settings.log_origin
    app = create_app(settings)
    # Not initialised yet: the service says so instead of failing obscurely.
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert "ledger init" in response.get_json()["reason"]
    app.extensions["ledger"].close()


def test_public_url_and_the_served_address() -> None:
    served = load({"LEDGER_BIND": "127.0.0.1:9001"})
    assert (served.public_url, served.verify_url) == ("", "http://127.0.0.1:9001/verify")
    public = load({"LEDGER_PUBLIC_URL": "https://evidence.example.com/ledger/"})
    assert public.verify_url == "https://evidence.example.com/ledger/verify"


def test_postgres_urls_use_psycopg() -> None:
    settings = load({"LEDGER_DATABASE_URL": "postgresql://u@h:5432/db"})
    assert settings.database_url == "postgresql+psycopg://u@h:5432/db"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DATABASE_URL", "mysql://x"),
        ("MAX_BODY_BYTES", "ten"),
        ("MAX_BODY_BYTES", "10"),
        ("BATCH_MAX", "1001"),
        ("SQLITE_SYNCHRONOUS", "sometimes"),
        ("LOG_ORIGIN", "two\nlines"),
        ("LOG_KEY_NAME", "has space"),
        ("LOG_KEY_NAME", "a+b"),
        ("WORKERS", "0"),
        ("PUBLIC_URL", "ftp://evidence.example.com"),
        ("PUBLIC_URL", "https://evidence.example.com/?a=b"),
        ("VERIFY_RATE", "0"),
        ("VERIFY_PROXIES", "127.0.0.1/32, nginx"),
        # replaced by LEDGER_PUBLIC_URL: refused, so that no certificate points elsewhere
        ("ISSUER_VERIFY_URL", "https://verify.example.com/c"),
    ],
)
def test_bad_settings_are_refused_at_start(name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=f"LEDGER_{name}"):
        load({f"LEDGER_{name}": value})


def test_healthz_reports_the_tree(client: FlaskClient, keys: Keys) -> None:
    client.post("/v1/events", json=event(1), headers=keys.header("ingest"))
    health = client.get("/healthz")
    assert health.status_code == 200
    body = health.get_json()
    assert (body["status"], body["size"], body["signing_keys"]) == ("ok", 1, 1)
    assert body["anchoring"] == {
        "last_anchor": None,
        "last_failure": None,
        "development_tsa": False,
    }


def test_metrics_count_appends(client: FlaskClient, keys: Keys) -> None:
    client.post(
        "/v1/events/batch",
        json={"events": [event(i) for i in range(3)]},
        headers=keys.header("ingest"),
    )
    text = client.get("/metrics").text
    assert "ledger_tree_size 3.0" in text
    assert "ledger_entries_appended_total" in text
    assert 'ledger_http_requests_total{method="POST",route="/v1/events/batch",status="201"}' in text


def test_openapi_is_served_and_documented(client: FlaskClient) -> None:
    served = client.get("/openapi.json").get_json()
    assert served["openapi"].startswith("3.1")
    documented = Path(__file__).parent.parent.parent / "docs" / "openapi.json"
    import json

    assert json.loads(documented.read_text(encoding="utf-8")) == served, (
        "docs/openapi.json is stale: regenerate it with "
        "`.venv/bin/python -c 'import json; from ledger.api.openapi import spec; "
        "print(json.dumps(spec(), indent=2))' > docs/openapi.json`"
    )


def test_a_stopping_worker_s_background_jobs_end_before_its_interpreter_does(
    tmp_path: Path,
) -> None:
    """``Ledger.stop_workers`` (a gunicorn worker calls it as it exits) returns once the
    scheduler's thread has ended: no job is handed to an executor the exiting interpreter
    has shut (which logged a traceback)."""
    app = create_app(load({}, base=tmp_path))
    service = app.extensions["ledger"]
    service.start_workers()
    scheduler = service._scheduler
    assert scheduler is not None
    assert scheduler.running
    thread = scheduler._thread
    service.stop_workers()
    assert not scheduler.running
    assert not thread.is_alive()
    service.stop_workers()  # again: nothing left to stop
    service.close()
