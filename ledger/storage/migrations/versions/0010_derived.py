"""certificates whose stored content an erasure deleted (issue 17)

``certificates.content_erased_at``: when an erasure deleted the edition's stored PDF
and bundle (``ledger.privacy.derived``); its id, hashes and dates stay.

Revision ID: 0010_derived
Revises: 0009_privacy
Create Date: 2026-12-07 09:50:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0010_derived"
down_revision = "0009_privacy"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("certificates") as batch:
        batch.add_column(sa.Column("content_erased_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("certificates") as batch:
        batch.drop_column("content_erased_at")
