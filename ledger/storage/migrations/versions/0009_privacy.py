"""personal data: data keys, tenant key versions, holds, retention; sealed bodies

``bodies.event`` and ``bodies.salt`` become one ``sealed`` column (``salt || event``),
``bodies.key_id``, ``delivery_bodies.key_id`` and ``certificates.key_id`` name the data
key that sealed them.
Rows already there are kept as plaintext (``key_id`` NULL) by this migration, and
encrypted by ``ledger init`` right after it (``ledger.privacy.at_rest``), which has the
keys: docs/privacy.md, "Upgrading". ``logs.key_epoch`` counts erasures and rotations.

Revision ID: 0009_privacy
Revises: 0009_analytics_rollup
Create Date: 2026-12-07 08:45:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0009_privacy"
down_revision = "0007_console"
branch_labels = None
depends_on = None

SEQ = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "data_keys",
        sa.Column("id", SEQ, autoincrement=False, nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("subject_id", sa.LargeBinary(), nullable=False),
        sa.Column("wrapped", sa.LargeBinary(), nullable=True),
        sa.Column("key_version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.Column("destroyed_at", sa.String(length=32), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_keys")),
    )
    op.create_index("ix_data_keys_subject", "data_keys", ["tenant_id", "subject_id"])
    op.create_table(
        "tenant_keys",
        sa.Column("tenant_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("rotated_at", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", name=op.f("pk_tenant_keys")),
    )
    op.create_table(
        "holds",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(length=16), nullable=False),
        sa.Column("target", sa.String(length=200), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.Column("released_at", sa.String(length=32), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_holds")),
    )
    op.create_index("ix_holds_target", "holds", ["tenant_id", "scope", "target"])
    op.create_table(
        "retention",
        sa.Column("tenant_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("min_days", sa.Integer(), nullable=True),
        sa.Column("max_days", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", name=op.f("pk_retention")),
    )
    with op.batch_alter_table("logs") as batch:
        batch.add_column(sa.Column("key_epoch", sa.Integer(), nullable=False, server_default="0"))
    with op.batch_alter_table("delivery_bodies") as batch:
        batch.add_column(sa.Column("key_id", sa.BigInteger(), nullable=True))
    with op.batch_alter_table("certificates") as batch:
        batch.add_column(sa.Column("key_id", sa.BigInteger(), nullable=True))
    with op.batch_alter_table("bodies") as batch:
        batch.add_column(sa.Column("key_id", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("sealed", sa.LargeBinary(), nullable=True))
    bodies = sa.table(
        "bodies",
        sa.column("log_id", sa.Integer()),
        sa.column("seq", SEQ),
        sa.column("event", sa.Text()),
        sa.column("salt", sa.LargeBinary()),
        sa.column("sealed", sa.LargeBinary()),
    )
    conn = op.get_bind()
    rows = conn.execute(sa.select(bodies.c.log_id, bodies.c.seq, bodies.c.event, bodies.c.salt))
    updates = [
        {"l": r.log_id, "s": r.seq, "sealed": bytes(r.salt) + r.event.encode("utf-8")} for r in rows
    ]
    if updates:
        conn.execute(
            bodies.update()
            .where(bodies.c.log_id == sa.bindparam("l"), bodies.c.seq == sa.bindparam("s"))
            .values(sealed=sa.bindparam("sealed")),
            updates,
        )
    with op.batch_alter_table("bodies") as batch:
        batch.alter_column("sealed", existing_type=sa.LargeBinary(), nullable=False)
        batch.drop_column("event")
        batch.drop_column("salt")


def downgrade() -> None:
    raise NotImplementedError("sealed bodies cannot go back to plaintext columns")
