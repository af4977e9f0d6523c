"""defense: amendments of an approved order, expert councils, research reports

Revision ID: defense_0005
Revises: defense_0004
"""
import sqlalchemy as sa
from alembic import op

from kzreg.platform.db import UtcDateTime

revision = "defense_0005"
down_revision = "defense_0004"
branch_labels = None
depends_on = None


def _recorded() -> list[sa.Column]:
    return [sa.Column("recorded_by", sa.String(150), nullable=False),
            sa.Column("recorded_at", UtcDateTime(), nullable=False)]


def upgrade() -> None:
    op.create_table(
        "defense_order_amendments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("lines", sa.JSON(), nullable=False),
        sa.Column("recipients", sa.JSON(), nullable=False),
        sa.Column("contractors", sa.JSON(), nullable=False),
        sa.Column("allocated_funds", sa.String(40), nullable=True),
        sa.Column("act_number", sa.String(100), nullable=True),
        sa.Column("act_date", sa.Date(), nullable=True),
        sa.Column("secrecy_level", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.String(150), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("approved_by", sa.String(150), nullable=True),
        sa.Column("approved_at", UtcDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["order_id"], ["defense_orders.id"],
                                name=op.f("fk_defense_order_amendments_order_id_defense_orders")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_defense_order_amendments")),
        sa.UniqueConstraint("order_id", "number", name="uq_defense_order_amendments_number"),
    )
    op.create_index(op.f("ix_defense_order_amendments_order_id"), "defense_order_amendments",
                    ["order_id"])
    op.create_table(
        "defense_expert_councils",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("area_code", sa.String(100), nullable=False),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("composition_act", sa.String(200), nullable=False),
        sa.Column("composition_approved_on", sa.Date(), nullable=False),
        sa.Column("members", sa.JSON(), nullable=False),
        sa.Column("secrecy_level", sa.Integer(), nullable=False),
        *_recorded(),
        sa.ForeignKeyConstraint(
            ["area_code"], ["defense_research_areas.code"],
            name=op.f("fk_defense_expert_councils_area_code_defense_research_areas")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_defense_expert_councils")),
        sa.UniqueConstraint("area_code", name=op.f("uq_defense_expert_councils_area_code")),
    )
    op.create_table(
        "defense_research_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("submitted_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("council_opinion", sa.Text(), nullable=True),
        sa.Column("examined_on", sa.Date(), nullable=True),
        sa.Column("dstc_minutes", sa.String(200), nullable=True),
        sa.Column("considered_on", sa.Date(), nullable=True),
        sa.Column("approved_on", sa.Date(), nullable=True),
        sa.Column("approving_body", sa.String(40), nullable=True),
        sa.Column("approval_act", sa.String(200), nullable=True),
        sa.Column("secrecy_level", sa.Integer(), nullable=False),
        *_recorded(),
        sa.ForeignKeyConstraint(
            ["application_id"], ["defense_applications.id"],
            name=op.f("fk_defense_research_reports_application_id_defense_applications")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_defense_research_reports")),
    )
    op.create_index(op.f("ix_defense_research_reports_application_id"),
                    "defense_research_reports", ["application_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_defense_research_reports_application_id"),
                  table_name="defense_research_reports")
    op.drop_table("defense_research_reports")
    op.drop_table("defense_expert_councils")
    op.drop_index(op.f("ix_defense_order_amendments_order_id"),
                  table_name="defense_order_amendments")
    op.drop_table("defense_order_amendments")
