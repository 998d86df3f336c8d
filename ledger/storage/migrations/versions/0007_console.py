"""the compliance console: users, sessions, the envelope search index, fsck runs

``console_users`` and ``console_sessions`` are the console's sign-in (issue 16);
``console_envelopes`` and ``console_terms`` index envelopes for the console's search
(derived from entries and bodies, rebuilt by ``ledger console reindex``), and
``console_index`` says how far; ``fsck_runs`` records each ``ledger fsck``.

Revision ID: 0007_console
Revises: 0009_analytics_rollup
Create Date: 2026-12-07 08:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_console"
down_revision = "0009_analytics_rollup"
branch_labels = None
depends_on = None

Seq = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "console_users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=True),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("disabled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("failure_window_start", sa.DateTime(timezone=True), nullable=True),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_sign_in_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_console_users_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_console_users")),
        sa.UniqueConstraint("email", name=op.f("uq_console_users_email")),
    )
    op.create_table(
        "console_sessions",
        sa.Column("id_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("csrf", sa.String(length=64), nullable=False),
        sa.Column("tz", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["console_users.id"],
            name=op.f("fk_console_sessions_user_id_console_users"),
        ),
        sa.PrimaryKeyConstraint("id_hash", name=op.f("pk_console_sessions")),
    )
    op.create_index("ix_console_sessions_user", "console_sessions", ["user_id"])
    op.create_table(
        "console_envelopes",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("envelope_id", sa.String(length=200), nullable=False),
        sa.Column("platform", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("first_at", sa.String(length=32), nullable=False),
        sa.Column("last_at", sa.String(length=32), nullable=False),
        sa.Column("last_received", sa.String(length=32), nullable=False),
        sa.Column("events", sa.Integer(), nullable=False),
        sa.Column("last_seq", Seq, nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "envelope_id", name=op.f("pk_console_envelopes")),
    )
    op.create_index("ix_console_envelopes_first_at", "console_envelopes", ["tenant_id", "first_at"])
    op.create_index("ix_console_envelopes_all_first_at", "console_envelopes", ["first_at"])
    op.create_index("ix_console_envelopes_envelope", "console_envelopes", ["envelope_id"])
    op.create_table(
        "console_terms",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("value", sa.String(length=400), nullable=False),
        sa.Column("envelope_id", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint(
            "tenant_id", "kind", "value", "envelope_id", name=op.f("pk_console_terms")
        ),
    )
    op.create_index("ix_console_terms_kind_value", "console_terms", ["kind", "value"])
    op.create_table(
        "console_index",
        sa.Column("log_id", sa.Integer(), nullable=False),
        sa.Column("next_seq", Seq, nullable=False),
        sa.PrimaryKeyConstraint("log_id", name=op.f("pk_console_index")),
    )
    op.create_table(
        "fsck_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("log_id", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("size", Seq, nullable=False),
        sa.Column("clean", sa.Boolean(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fsck_runs")),
    )


def downgrade() -> None:
    op.drop_table("fsck_runs")
    op.drop_table("console_index")
    op.drop_index("ix_console_terms_kind_value", table_name="console_terms")
    op.drop_table("console_terms")
    op.drop_index("ix_console_envelopes_envelope", table_name="console_envelopes")
    op.drop_index("ix_console_envelopes_all_first_at", table_name="console_envelopes")
    op.drop_index("ix_console_envelopes_first_at", table_name="console_envelopes")
    op.drop_table("console_envelopes")
    op.drop_index("ix_console_sessions_user", table_name="console_sessions")
    op.drop_table("console_sessions")
    op.drop_table("console_users")
