"""defense: the order, applications, requirements, research areas, selections

Revision ID: defense_0002
Revises: defense_0001
"""
import sqlalchemy as sa
from alembic import op

from kzreg.platform.db import UtcDateTime

revision = "defense_0002"
down_revision = "defense_0001"
branch_labels = None
depends_on = None


def _recorded() -> list[sa.Column]:
    return [sa.Column("recorded_by", sa.String(150), nullable=False),
            sa.Column("recorded_at", UtcDateTime(), nullable=False)]


def upgrade() -> None:
    op.create_table(
        "defense_research_areas",
        sa.Column("code", sa.String(100), nullable=False),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("approved_on", sa.Date(), nullable=False),
        sa.Column("dstc_decision", sa.String(200), nullable=False),
        sa.Column("secrecy_level", sa.Integer(), nullable=False),
        *_recorded(),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_defense_research_areas")),
    )
    op.create_table(
        "defense_applications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("recipient", sa.String(300), nullable=False),
        sa.Column("category", sa.String(8), nullable=False),
        sa.Column("nomenclature", sa.String(300), nullable=False),
        sa.Column("quantity", sa.String(40), nullable=False),
        sa.Column("unit", sa.String(30), nullable=False),
        sa.Column("planning_period", sa.String(40), nullable=False),
        sa.Column("justification", sa.Text(), nullable=False),
        sa.Column("place_of_delivery", sa.String(300), nullable=False),
        sa.Column("research_area", sa.String(100), nullable=True),
        sa.Column("in_head_list", sa.Boolean(), nullable=False),
        sa.Column("special_state_body", sa.Boolean(), nullable=False),
        sa.Column("submitted_on", sa.Date(), nullable=False),
        sa.Column("problems", sa.JSON(), nullable=False),
        sa.Column("expert_opinion", sa.Text(), nullable=True),
        sa.Column("dstc_selected", sa.Boolean(), nullable=False),
        sa.Column("dstc_decision", sa.String(200), nullable=True),
        sa.Column("secrecy_level", sa.Integer(), nullable=False),
        *_recorded(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_defense_applications")),
    )
    op.create_index(op.f("ix_defense_applications_planning_period"), "defense_applications",
                    ["planning_period"])
    op.create_table(
        "defense_orders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("planning_period", sa.String(40), nullable=False),
        sa.Column("funds_holder", sa.String(20), nullable=False),
        sa.Column("allocated_funds", sa.String(40), nullable=True),
        sa.Column("recipients", sa.JSON(), nullable=False),
        sa.Column("contractors", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("act_number", sa.String(100), nullable=True),
        sa.Column("act_date", sa.Date(), nullable=True),
        sa.Column("approved_by", sa.String(150), nullable=True),
        sa.Column("approved_at", UtcDateTime(), nullable=True),
        sa.Column("secrecy_level", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.String(150), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_defense_orders")),
    )
    op.create_table(
        "defense_order_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("nomenclature", sa.String(300), nullable=False),
        sa.Column("category", sa.String(8), nullable=False),
        sa.Column("quantity", sa.String(40), nullable=False),
        sa.Column("unit", sa.String(30), nullable=False),
        sa.Column("unit_price", sa.String(40), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=True),
        sa.Column("recipient", sa.String(300), nullable=False),
        sa.Column("contractor_bin", sa.String(12), nullable=True),
        sa.Column("section", sa.String(100), nullable=False),
        sa.Column("stage", sa.String(100), nullable=False),
        sa.Column("status", sa.String(40), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=True),
        sa.Column("secrecy_level", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["order_id"], ["defense_orders.id"],
                                name=op.f("fk_defense_order_lines_order_id_defense_orders")),
        sa.ForeignKeyConstraint(
            ["application_id"], ["defense_applications.id"],
            name=op.f("fk_defense_order_lines_application_id_defense_applications")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_defense_order_lines")),
    )
    op.create_index(op.f("ix_defense_order_lines_order_id"), "defense_order_lines",
                    ["order_id"])
    op.create_index(op.f("ix_defense_order_lines_contractor_bin"), "defense_order_lines",
                    ["contractor_bin"])
    op.create_table(
        "defense_requirements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item", sa.String(300), nullable=False),
        sa.Column("recipient", sa.String(300), nullable=False),
        sa.Column("line_id", sa.Integer(), nullable=True),
        sa.Column("secrecy_level", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.String(150), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["line_id"], ["defense_order_lines.id"],
                                name=op.f("fk_defense_requirements_line_id_defense_order_lines")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_defense_requirements")),
    )
    op.create_table(
        "defense_requirement_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("requirement_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("characteristics", sa.JSON(), nullable=False),
        sa.Column("place_of_delivery", sa.String(300), nullable=False),
        sa.Column("national_standards", sa.JSON(), nullable=False),
        sa.Column("approved_on", sa.Date(), nullable=True),
        sa.Column("sent_on", sa.Date(), nullable=True),
        sa.Column("frozen_for", sa.String(100), nullable=True),
        sa.Column("secrecy_level", sa.Integer(), nullable=False),
        *_recorded(),
        sa.ForeignKeyConstraint(
            ["requirement_id"], ["defense_requirements.id"],
            name=op.f("fk_defense_requirement_versions_requirement_id_defense_requirements")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_defense_requirement_versions")),
        sa.UniqueConstraint("requirement_id", "number",
                            name="uq_defense_requirement_versions_number"),
    )
    op.create_index(op.f("ix_defense_requirement_versions_requirement_id"),
                    "defense_requirement_versions", ["requirement_id"])
    op.create_table(
        "defense_selections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("line_id", sa.Integer(), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("inputs", sa.JSON(), nullable=False),
        sa.Column("participants", sa.JSON(), nullable=False),
        sa.Column("outcome", sa.String(60), nullable=False),
        sa.Column("contractor_bin", sa.String(12), nullable=True),
        sa.Column("review", sa.JSON(), nullable=False),
        sa.Column("explanation", sa.JSON(), nullable=False),
        sa.Column("secrecy_level", sa.Integer(), nullable=False),
        *_recorded(),
        sa.ForeignKeyConstraint(["line_id"], ["defense_order_lines.id"],
                                name=op.f("fk_defense_selections_line_id_defense_order_lines")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_defense_selections")),
    )
    op.create_index(op.f("ix_defense_selections_line_id"), "defense_selections", ["line_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_defense_selections_line_id"), table_name="defense_selections")
    op.drop_table("defense_selections")
    op.drop_index(op.f("ix_defense_requirement_versions_requirement_id"),
                  table_name="defense_requirement_versions")
    op.drop_table("defense_requirement_versions")
    op.drop_table("defense_requirements")
    op.drop_index(op.f("ix_defense_order_lines_contractor_bin"),
                  table_name="defense_order_lines")
    op.drop_index(op.f("ix_defense_order_lines_order_id"), table_name="defense_order_lines")
    op.drop_table("defense_order_lines")
    op.drop_table("defense_orders")
    op.drop_index(op.f("ix_defense_applications_planning_period"),
                  table_name="defense_applications")
    op.drop_table("defense_applications")
    op.drop_table("defense_research_areas")
