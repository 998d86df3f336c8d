"""Alembic migrations; ``ledger init`` applies them (ledger/storage/migrate.py)."""
