"""Evidence exports (``ledger.exports``), SQLite and PostgreSQL: three envelopes in one
ZIP whose manifest hashes match its files, whose PDFs parse and whose bundles verify;
the choice by list or by period; another tenant's envelope refused with nothing
recorded; the ZIP private on disk; pruning."""

from __future__ import annotations

import hashlib
import stat
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import update

from ledger import clock, exports, periods
from ledger.errors import InvalidInput, NotFound
from ledger.storage.models import Export
from tests.conftest import Keys
from tests.ledger.exports_helpers import ENVELOPES, acme, check_zip, count_exports, seed
from tests.ledger.helpers import run, wait_for


def test_three_envelopes_in_one_zip(app: Flask, client: FlaskClient, keys: Keys) -> None:
    seed(client, keys)
    service, tenant = acme(app)
    info = exports.create(service, tenant, envelopes=list(ENVELOPES), created_by="test")
    assert (info.status, info.done, info.total) == ("queued", 0, 3)
    seen: list[tuple[int, int]] = []
    done = exports.run(service, info.id, progress=lambda d, t: seen.append((d, t)))
    assert done.status == "done", done.error
    assert seen == [(1, 3), (2, 3), (3, 3)]
    path = exports.download_path(service, info.id, tenant[0])
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert hashlib.sha256(path.read_bytes()).hexdigest() == done.sha256
    assert path.stat().st_size == done.size
    manifest = check_zip(path, client, ENVELOPES)
    assert manifest["tenant"] == "acme"
    with zipfile.ZipFile(path) as z:  # a safe folder name for an id with / and spaces
        assert any(n.startswith("envelopes/00002-ENV-B_2026/") for n in z.namelist())


def test_a_period_chooses_envelopes_by_their_first_event(
    app: Flask, client: FlaskClient, keys: Keys
) -> None:
    seed(client, keys)
    service, tenant = acme(app)
    period = periods.parse("2026-11-02", "2026-11-03")
    info = exports.create(service, tenant, period=period, created_by="test")
    assert info.total == 2
    assert info.selection == {"from": "2026-11-02T00:00:00Z", "to": "2026-11-04T00:00:00Z"}
    assert exports.run(service, info.id).status == "done"
    check_zip(exports.download_path(service, info.id, None), client, ENVELOPES[1:])


def test_bad_choices_record_nothing(app: Flask, client: FlaskClient, keys: Keys) -> None:
    seed(client, keys)
    service, tenant = acme(app)
    with pytest.raises(NotFound, match="GLOBEX-1"):
        exports.create(service, tenant, envelopes=["ENV-A", "GLOBEX-1"], created_by="t")
    for bad in ([], "ENV-A", [1], ["x" * 201]):
        with pytest.raises(InvalidInput):
            exports.create(service, tenant, envelopes=bad, created_by="t")
    with pytest.raises(InvalidInput, match="no envelope"):
        exports.create(
            service, tenant, period=periods.parse("2025-01-01", "2025-01-31"), created_by="t"
        )
    assert count_exports(service) == 0
    info = exports.create(service, tenant, envelopes=["ENV-A"], created_by="t")
    with pytest.raises(NotFound):  # another tenant's export
        exports.get(service, info.id, tenant[0] + 1)
    assert exports.listing(service, tenant[0] + 1) == []


def test_prune_removes_old_exports_and_their_files(
    app: Flask, client: FlaskClient, keys: Keys
) -> None:
    seed(client, keys)
    service, tenant = acme(app)
    info = exports.run(
        service, exports.create(service, tenant, envelopes=["ENV-A"], created_by="t").id
    )
    path = exports.zip_path(service.settings, info.id)
    assert path.is_file()
    assert exports.prune(service, timedelta(days=1)) == []
    assert exports.prune(service, timedelta(seconds=-1)) == [info.id]
    assert not path.exists()
    assert count_exports(service) == 0


def test_the_command_line_with_a_pool_of_processes(
    app: Flask, client: FlaskClient, keys: Keys, tmp_path: Path
) -> None:
    seed(client, keys)
    out = tmp_path / "out.zip"
    args = ["evidence-export", "--tenant", "acme", "--out", str(out), "--processes", "2"]
    code, text = run(app, *args, *(x for e in ENVELOPES for x in ("--envelope", e)))
    assert code == 0, text
    assert "exported 3/3 envelopes" in text
    assert f"{out}: 3 envelopes" in text
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    check_zip(out, client, ENVELOPES)
    code, text = run(app, "exports", "list", "--tenant", "acme")
    assert code == 0, text
    assert " acme  done  3/3 " in text, text
    # by range; and the refusals
    code, text = run(app, *args[:5], "--from", "2026-11-03", "--to", "2026-11-03")
    assert code == 0, text
    check_zip(out, client, ENVELOPES[2:])
    code, text = run(app, *args[:5], "--envelope", "GLOBEX-1")
    assert code == 1, text
    assert "no envelope 'GLOBEX-1'" in text, text
    code, text = run(app, *args[:5], "--envelope", "ENV-A", "--from", "2026-11-01")
    assert code == 2, text
    code, text = run(app, "exports", "prune", "--older-than", "0")
    assert code == 0, text
    assert "removed 2 exports" in text, text


def test_recovery_fails_orphans_and_starts_waiting_exports(
    app: Flask, client: FlaskClient, keys: Keys
) -> None:
    seed(client, keys)
    service, tenant = acme(app)
    orphan = exports.create(service, tenant, envelopes=["ENV-A"], created_by="t")
    waiting = exports.create(service, tenant, envelopes=["ENV-B/2026 合同"], created_by="t")
    fresh = exports.create(service, tenant, envelopes=["ENV-C"], created_by="t")
    long_ago = clock.now() - timedelta(hours=1)
    with service.db.writing() as conn:
        conn.execute(
            update(Export)
            .where(Export.id == orphan.id)
            .values(status="running", updated_at=long_ago)
        )
        conn.execute(update(Export).where(Export.id == waiting.id).values(created_at=long_ago))
    failed, started = exports.recover(service)
    assert (failed, started) == ([orphan.id], [waiting.id])
    assert exports.get(service, orphan.id, None).status == "failed"
    assert "interrupted" in (exports.get(service, orphan.id, None).error or "")
    wait_for(lambda: exports.get(service, waiting.id, None).status == "done", "the export")
    assert exports.get(service, fresh.id, None).status == "queued"  # its own thread's
