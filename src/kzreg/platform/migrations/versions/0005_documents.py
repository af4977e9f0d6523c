"""case documents

Revision ID: 0005_documents
Revises: 0004_notifications
"""
import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

from kzreg.platform.db import UtcDateTime

revision = "0005_documents"
down_revision = "0004_notifications"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "documents",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("uid", sa.String(32), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(60), nullable=False),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("number", sa.String(60), nullable=True),
        sa.Column("language", sa.String(2), nullable=False),
        sa.Column("template", sa.String(200), nullable=False),
        sa.Column("template_sha256", sa.String(64), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("rules_version", sa.String(80), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.String(150), nullable=False),
        sa.Column("created_by_role", sa.String(40), nullable=False),
        sa.Column("supersedes_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("html", sa.Text(), nullable=False),
        sa.Column("pdf", sa.LargeBinary(), nullable=False),
        sa.Column("pdf_sha256", sa.String(64), nullable=False),
        sa.Column("pdf_size", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"],
                                name=op.f("fk_documents_case_id_cases")),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"],
                                name=op.f("fk_documents_created_by_id_users")),
        sa.ForeignKeyConstraint(["supersedes_id"], ["documents.id"],
                                name=op.f("fk_documents_supersedes_id_documents")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_documents")),
        sa.UniqueConstraint("uid", name=op.f("uq_documents_uid")),
    )
    op.create_index(op.f("ix_documents_case_id"), "documents", ["case_id"])


def downgrade() -> None:
    op.drop_table("documents")
