"""certificates whose stored content an erasure deleted (issue 17)

``certificates.content_erased_at``: when an erasure deleted the edition's stored PDF
and bundle (``ledger.privacy.derived``); its id, hashes and dates stay.

The console's search index is emptied: its terms were e-mail addresses and names in
clear, now keyed hashes (``ledger.console.search``); the next search rebuilds it (or
``ledger console reindex``). On SQLite the deleted bytes are overwritten
(``secure_delete``); on PostgreSQL run ``VACUUM console_terms`` after upgrading.

Revision ID: 0010_derived
Revises: 0010_tenant_time_index
Create Date: 2026-12-07 09:50:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0010_derived"
down_revision = "0010_tenant_time_index"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        bind.exec_driver_sql("PRAGMA secure_delete = ON")
    for table in ("console_terms", "console_envelopes", "console_index"):
        op.execute(sa.text(f"DELETE FROM {table}"))  # noqa: S608 (a fixed name)
    with op.batch_alter_table("certificates") as batch:
        batch.add_column(sa.Column("content_erased_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("certificates") as batch:
        batch.drop_column("content_erased_at")
