"""assembly: Letters of Confirmation and benefits

Revision ID: assembly_0001
Revises: 0005_documents
"""
import sqlalchemy as sa
from alembic import op

import kzreg.platform.db

revision = "assembly_0001"
down_revision = "0005_documents"
branch_labels = ("assembly",)
depends_on = None

UTC = kzreg.platform.db.UtcDateTime


def upgrade() -> None:
    op.create_table(
        "assembly_letters",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("total", sa.Numeric(14, 2), nullable=False),
        sa.Column("threshold", sa.Integer(), nullable=True),
        sa.Column("meets_threshold", sa.Boolean(), nullable=True),
        sa.Column("lines", sa.JSON(), nullable=False),
        sa.Column("basis", sa.String(200), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=True),
        sa.Column("issued_at", UTC(), nullable=False),
        sa.Column("issued_by", sa.String(150), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], ondelete="CASCADE",
                                name=op.f("fk_assembly_letters_case_id_cases")),
        sa.ForeignKeyConstraint(["document_id"], ["documents.id"],
                                name=op.f("fk_assembly_letters_document_id_documents")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assembly_letters")),
        sa.UniqueConstraint("case_id", "version", name=op.f("uq_assembly_letters_case_id")),
    )
    op.create_index(op.f("ix_assembly_letters_case_id"), "assembly_letters", ["case_id"])
    op.create_table(
        "assembly_benefits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("granted_on", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(200), nullable=False),
        sa.Column("amount", sa.Numeric(18, 2), nullable=False),
        sa.Column("recorded_at", UTC(), nullable=False),
        sa.Column("recorded_by", sa.String(150), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], ondelete="CASCADE",
                                name=op.f("fk_assembly_benefits_case_id_cases")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assembly_benefits")),
    )
    op.create_index(op.f("ix_assembly_benefits_case_id"), "assembly_benefits", ["case_id"])


def downgrade() -> None:
    op.drop_table("assembly_benefits")
    op.drop_table("assembly_letters")
