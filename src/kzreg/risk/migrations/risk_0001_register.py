"""risk register, controls, severities

Revision ID: risk_0001
Revises: 0005_documents
"""
import sqlalchemy as sa
from alembic import op

from kzreg.platform.db import UtcDateTime

revision = "risk_0001"
down_revision = "0005_documents"
branch_labels = ("risk",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "risk_subjects",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("code", sa.String(60), nullable=False),
        sa.Column("bin", sa.String(12), nullable=True),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("type", sa.String(40), nullable=False),
        sa.Column("region", sa.String(60), nullable=True),
        sa.Column("insured", sa.Boolean(), nullable=False),
        sa.Column("legally_exempt", sa.Boolean(), nullable=False),
        sa.Column("sro_recognized", sa.Boolean(), nullable=False),
        sa.Column("exempt_until", sa.Date(), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_subjects")),
        sa.UniqueConstraint("code", name=op.f("uq_risk_subjects_code")),
    )
    op.create_index(op.f("ix_risk_subjects_bin"), "risk_subjects", ["bin"])
    op.create_index(op.f("ix_risk_subjects_type"), "risk_subjects", ["type"])
    op.create_table(
        "risk_controls",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("gross", sa.Integer(), nullable=False),
        sa.Column("considerable_found", sa.Integer(), nullable=False),
        sa.Column("considerable_total", sa.Integer(), nullable=False),
        sa.Column("insignificant_found", sa.Integer(), nullable=False),
        sa.Column("insignificant_total", sa.Integer(), nullable=False),
        sa.Column("checklist", sa.String(20), nullable=True),
        sa.Column("violated", sa.JSON(), nullable=False),
        sa.Column("not_applicable", sa.JSON(), nullable=False),
        sa.Column("items", sa.JSON(), nullable=False),
        sa.Column("eliminated", sa.Boolean(), nullable=False),
        sa.Column("explanation", sa.JSON(), nullable=True),
        sa.Column("recorded_by", sa.String(150), nullable=False),
        sa.Column("recorded_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["subject_id"], ["risk_subjects.id"], ondelete="CASCADE",
                                name=op.f("fk_risk_controls_subject_id_risk_subjects")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_controls")),
    )
    op.create_index(op.f("ix_risk_controls_subject_id"), "risk_controls", ["subject_id"])
    op.create_index(op.f("ix_risk_controls_held_on"), "risk_controls", ["held_on"])
    op.create_table(
        "risk_severities",
        sa.Column("requirement_id", sa.String(20), nullable=False),
        sa.Column("severity", sa.String(20), nullable=False),
        sa.Column("source", sa.String(300), nullable=False),
        sa.Column("loaded_by", sa.String(150), nullable=False),
        sa.Column("loaded_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("requirement_id", name=op.f("pk_risk_severities")),
    )


def downgrade() -> None:
    op.drop_table("risk_severities")
    op.drop_table("risk_controls")
    op.drop_table("risk_subjects")
