"""entries without foreign keys

Entries are written only by the appender, which takes the log and the tenant from their
own rows (the log row locked, the tenant from an authenticated key). PostgreSQL checked
both foreign keys on every inserted entry, inside the log lock: 21 of the 31 ms that a
1,000-event append spent copying its entries (make bench, 2026-11-29). `ledger fsck`
reports an entry whose tenant is missing instead.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 11:00:00
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("entries") as batch:  # SQLite: the table is rebuilt
        batch.drop_constraint("fk_entries_log_id_logs", type_="foreignkey")
        batch.drop_constraint("fk_entries_tenant_id_tenants", type_="foreignkey")


def downgrade() -> None:
    with op.batch_alter_table("entries") as batch:
        batch.create_foreign_key("fk_entries_log_id_logs", "logs", ["log_id"], ["id"])
        batch.create_foreign_key("fk_entries_tenant_id_tenants", "tenants", ["tenant_id"], ["id"])
