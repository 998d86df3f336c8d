"""delivery bodies; hooks' allowed networks and registered query strings

``delivery_bodies`` keeps every request body that produced events, exactly as received,
by tenant and SHA-256 (the leaf's ``source.delivery_sha256``), so that the original
message can be produced (issue 13). ``hooks.networks`` restricts a hook to source
networks, ``hooks.query`` is the query string an e签宝 or eSignGlobal hook was
registered with (issue 14).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07 09:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "delivery_bodies",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.LargeBinary(), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("content_type", sa.String(length=200), nullable=True),
        sa.Column("received_at", sa.String(length=32), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "sha256", name=op.f("pk_delivery_bodies")),
    )
    with op.batch_alter_table("hooks") as batch:
        batch.add_column(sa.Column("networks", sa.Text(), nullable=True))
        batch.add_column(sa.Column("query", sa.String(length=2000), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("hooks") as batch:
        batch.drop_column("query")
        batch.drop_column("networks")
    op.drop_table("delivery_bodies")
