"""the registry of issued certificates of evidence (issue 13)

``certificates`` keeps every edition (language, time zone) of every certificate issued,
with the PDF as issued: a download of unchanged evidence returns it byte for byte.

Revision ID: 0006_registry
Revises: 0005
Create Date: 2026-12-07 08:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_registry"
down_revision = "0005"
branch_labels = None
depends_on = None

SEQ = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "certificates",
        sa.Column("certificate_id", sa.String(length=32), nullable=False),
        sa.Column("lang", sa.String(length=8), nullable=False),
        sa.Column("tz", sa.String(length=64), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("envelope_id", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("checkpoint_size", SEQ, nullable=False),
        sa.Column("checkpoint_root", sa.String(length=128), nullable=False),
        sa.Column("anchors", sa.Text(), nullable=False),
        sa.Column("evidence_sha256", sa.String(length=64), nullable=False),
        sa.Column("bundle_sha256", sa.String(length=64), nullable=False),
        sa.Column("pdf_sha256", sa.String(length=64), nullable=False),
        sa.Column("pades_level", sa.String(length=16), nullable=False),
        sa.Column("level_note", sa.Text(), nullable=True),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("supersedes", sa.String(length=32), nullable=True),
        sa.Column("superseded_by", sa.String(length=32), nullable=True),
        sa.Column("bundle", sa.LargeBinary(), nullable=False),
        sa.Column("pdf", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_certificates_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("certificate_id", "lang", "tz", name=op.f("pk_certificates")),
    )
    op.create_index("ix_certificates_envelope", "certificates", ["tenant_id", "envelope_id"])
    op.create_index("ix_certificates_pdf_sha256", "certificates", ["pdf_sha256"])


def downgrade() -> None:
    op.drop_index("ix_certificates_pdf_sha256", table_name="certificates")
    op.drop_index("ix_certificates_envelope", table_name="certificates")
    op.drop_table("certificates")
