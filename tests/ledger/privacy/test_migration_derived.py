"""Migration 0010_derived (SQLite and PostgreSQL): the console's search terms kept in
clear by earlier versions are deleted (the next search rebuilds them as keyed hashes),
and certificates gain ``content_erased_at``."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import create_engine, inspect, text

from tests.ledger.storage.migrations import upgrade


def test_clear_terms_are_deleted(db_url: str, tmp_path: Path) -> None:
    if db_url.startswith("sqlite"):
        (tmp_path / "var").mkdir(exist_ok=True)
    upgrade(db_url, "0009_privacy")
    engine = create_engine(db_url)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO console_terms (tenant_id, kind, value, envelope_id) "
                "VALUES (1, 'email', 'zhang@example.com', 'env-1')"
            )
        )
        conn.execute(text("INSERT INTO console_index (log_id, next_seq) VALUES (1, 7)"))
    engine.dispose()
    upgrade(db_url, "head")
    engine = create_engine(db_url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM console_terms")).scalar() == 0
        assert conn.execute(text("SELECT count(*) FROM console_index")).scalar() == 0
        columns = {c["name"] for c in inspect(conn).get_columns("certificates")}
    engine.dispose()
    assert "content_erased_at" in columns
    if db_url.startswith("sqlite"):  # secure_delete: the address's bytes are gone
        path = Path(db_url.removeprefix("sqlite:///"))
        stored = b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))
        assert b"zhang@example.com" not in stored
