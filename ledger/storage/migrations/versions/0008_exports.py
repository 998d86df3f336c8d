"""evidence exports; entries' platform time and channel for analytics (issue 16)

``exports`` records each evidence export (``ledger.exports``): the envelopes chosen,
progress (done/total), and the ZIP's size and SHA-256 once written under
``<data dir>/exports/``.

``entries.occurred_us`` (the leaf's ``occurred_at`` as microseconds of its UTC instant)
and ``entries.channel`` (the leaf's ``source.channel``) let ``ledger.analytics`` compute
in SQL, on both databases, from two covering indexes: ``ix_entries_envelope`` widened to
(tenant, envelope, type, time, channel) and ``ix_entries_tenant_time`` (tenant, time, type,
channel, envelope). Existing entries are filled from their leaves.

Revision ID: 0008_exports
Revises: 0006_registry
Create Date: 2026-12-07 08:40:00
"""

import json

import sqlalchemy as sa
from alembic import op

from ledger.clock import occurred_micros

revision = "0008_exports"
down_revision = "0006_registry"
branch_labels = None
depends_on = None

BATCH = 5_000


def _backfill() -> None:
    conn = op.get_bind()
    entries = sa.table(
        "entries",
        sa.column("log_id", sa.Integer()),
        sa.column("seq", sa.BigInteger()),
        sa.column("leaf", sa.LargeBinary()),
        sa.column("occurred_us", sa.BigInteger()),
        sa.column("channel", sa.String()),
    )
    update = (
        entries.update()
        .where(entries.c.log_id == sa.bindparam("l"), entries.c.seq == sa.bindparam("s"))
        .values(occurred_us=sa.bindparam("o"), channel=sa.bindparam("c"))
    )
    after = (-1, -1)
    while True:
        rows = conn.execute(
            sa.select(entries.c.log_id, entries.c.seq, entries.c.leaf)
            .where(sa.tuple_(entries.c.log_id, entries.c.seq) > sa.tuple_(*after))
            .order_by(entries.c.log_id, entries.c.seq)
            .limit(BATCH)
        ).all()
        if not rows:
            return
        params = []
        for row in rows:
            leaf = json.loads(row.leaf)
            params.append(
                {
                    "l": row.log_id,
                    "s": row.seq,
                    "o": occurred_micros(leaf["event"]["occurred_at"]),
                    "c": leaf["source"]["channel"],
                }
            )
        conn.execute(update, params)
        after = (rows[-1].log_id, rows[-1].seq)


def upgrade() -> None:
    op.create_table(
        "exports",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("selection", sa.Text(), nullable=False),
        sa.Column("envelopes", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_exports_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exports")),
    )
    op.create_index("ix_exports_tenant", "exports", ["tenant_id", "created_at"])
    op.add_column("entries", sa.Column("occurred_us", sa.BigInteger(), nullable=True))
    op.add_column("entries", sa.Column("channel", sa.String(length=32), nullable=True))
    _backfill()
    op.drop_index("ix_entries_envelope", table_name="entries")
    op.create_index(
        "ix_entries_envelope",
        "entries",
        ["tenant_id", "envelope_id", "type", "occurred_us", "channel"],
    )
    op.create_index(
        "ix_entries_tenant_time",
        "entries",
        ["tenant_id", "occurred_us", "type", "channel", "envelope_id"],
    )


def downgrade() -> None:
    op.drop_index("ix_entries_tenant_time", table_name="entries")
    op.drop_index("ix_entries_envelope", table_name="entries")
    op.create_index("ix_entries_envelope", "entries", ["tenant_id", "envelope_id"])
    with op.batch_alter_table("entries") as batch:
        batch.drop_column("channel")
        batch.drop_column("occurred_us")
    op.drop_index("ix_exports_tenant", table_name="exports")
    op.drop_table("exports")
