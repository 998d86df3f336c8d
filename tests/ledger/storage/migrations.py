"""Helpers of the migration tests: a database upgraded to a given Alembic revision."""

from __future__ import annotations

from alembic import command
from sqlalchemy import create_engine

from ledger.storage.migrate import alembic_config


def upgrade(url: str, revision: str) -> None:
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            config = alembic_config()
            config.attributes["connection"] = conn
            command.upgrade(config, revision)
    finally:
        engine.dispose()
