"""the analytics rollup: per-envelope facts and per-day counts (issue 16)

``analytics_envelopes`` (an envelope's first time of each step, the channel of its
first ``envelope.sent``, declined/expired/voided), ``analytics_days`` (a tenant's events
per UTC day and channel) and ``analytics_state`` (the next seq to read), kept up to date
from ``entries`` by ``ledger.rollup``: analytics then read one row per envelope and
per day instead of every event. Filled on first use (and by every worker once a minute).

Revision ID: 0009_analytics_rollup
Revises: 0008_exports
Create Date: 2026-12-07 09:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0009_analytics_rollup"
down_revision = "0008_exports"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "analytics_envelopes",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("envelope_id", sa.String(length=200), nullable=False),
        sa.Column("sent_us", sa.BigInteger(), nullable=True),
        sa.Column("channel", sa.String(length=32), nullable=True),
        sa.Column("viewed_us", sa.BigInteger(), nullable=True),
        sa.Column("signed_us", sa.BigInteger(), nullable=True),
        sa.Column("completed_us", sa.BigInteger(), nullable=True),
        sa.Column("declined", sa.SmallInteger(), nullable=False),
        sa.Column("expired", sa.SmallInteger(), nullable=False),
        sa.Column("voided", sa.SmallInteger(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "envelope_id", name=op.f("pk_analytics_envelopes")),
    )
    op.create_index(
        "ix_analytics_envelopes_sent",
        "analytics_envelopes",
        [
            "tenant_id",
            "sent_us",
            "channel",
            "viewed_us",
            "signed_us",
            "completed_us",
            "declined",
            "expired",
            "voided",
        ],
    )
    op.create_table(
        "analytics_days",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("events", sa.BigInteger(), nullable=False),
        sa.Column("sent", sa.BigInteger(), nullable=False),
        sa.Column("completed", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "day", "channel", name=op.f("pk_analytics_days")),
    )
    op.create_table(
        "analytics_state",
        sa.Column("log_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("next_seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.PrimaryKeyConstraint("log_id", name=op.f("pk_analytics_state")),
    )


def downgrade() -> None:
    op.drop_table("analytics_state")
    op.drop_table("analytics_days")
    op.drop_index("ix_analytics_envelopes_sent", table_name="analytics_envelopes")
    op.drop_table("analytics_envelopes")
