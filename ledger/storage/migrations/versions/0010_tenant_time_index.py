"""a narrower ix_entries_tenant_time (issue 16)

Since the analytics rollup (0009) serves cohorts, ``ix_entries_tenant_time`` needs no
envelope id: it now covers only the events of a day a period cuts (tenant, time, type,
channel), a smaller index on the append path.

Revision ID: 0010_tenant_time_index
Revises: 0009_privacy
Create Date: 2026-12-07 09:30:00
"""

from alembic import op

revision = "0010_tenant_time_index"
down_revision = "0009_privacy"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_entries_tenant_time", table_name="entries")
    op.create_index(
        "ix_entries_tenant_time", "entries", ["tenant_id", "occurred_us", "type", "channel"]
    )


def downgrade() -> None:
    op.drop_index("ix_entries_tenant_time", table_name="entries")
    op.create_index(
        "ix_entries_tenant_time",
        "entries",
        ["tenant_id", "occurred_us", "type", "channel", "envelope_id"],
    )
