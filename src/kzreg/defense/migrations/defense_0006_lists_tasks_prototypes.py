"""defense: item lists, reserve refresh transfers, task notices, prototypes; reallocations

Revision ID: defense_0006
Revises: defense_0005
"""
import sqlalchemy as sa
from alembic import op

from kzreg.platform.db import UtcDateTime

revision = "defense_0006"
down_revision = "defense_0005"
branch_labels = None
depends_on = None


def _recorded() -> list[sa.Column]:
    return [sa.Column("secrecy_level", sa.Integer(), nullable=False),
            sa.Column("recorded_by", sa.String(150), nullable=False),
            sa.Column("recorded_at", UtcDateTime(), nullable=False)]


def upgrade() -> None:
    op.create_table(
        "defense_item_lists",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("state_body", sa.String(300), nullable=False),
        sa.Column("approved_by", sa.String(300), nullable=False),
        sa.Column("approval_act", sa.String(200), nullable=False),
        sa.Column("approved_on", sa.Date(), nullable=False),
        sa.Column("agreeing_body", sa.String(40), nullable=True),
        sa.Column("agreement_ref", sa.String(200), nullable=True),
        sa.Column("agreed_on", sa.Date(), nullable=True),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("items", sa.JSON(), nullable=False),
        *_recorded(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_defense_item_lists")),
    )
    op.create_index(op.f("ix_defense_item_lists_state_body"), "defense_item_lists",
                    ["state_body"])
    op.create_index(op.f("ix_defense_item_lists_effective_from"), "defense_item_lists",
                    ["effective_from"])
    op.create_table(
        "defense_reserve_transfers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("line_id", sa.Integer(), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=False),
        sa.Column("decision_ref", sa.String(200), nullable=False),
        sa.Column("assets", sa.String(300), nullable=False),
        sa.Column("quantity", sa.String(40), nullable=False),
        sa.Column("release_act", sa.String(300), nullable=False),
        sa.Column("requirements_met", sa.Text(), nullable=False),
        sa.Column("transport_paid_by", sa.String(40), nullable=False),
        *_recorded(),
        sa.ForeignKeyConstraint(
            ["line_id"], ["defense_order_lines.id"],
            name=op.f("fk_defense_reserve_transfers_line_id_defense_order_lines")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_defense_reserve_transfers")),
    )
    op.create_index(op.f("ix_defense_reserve_transfers_line_id"), "defense_reserve_transfers",
                    ["line_id"])
    op.create_table(
        "defense_task_notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("line_ref", sa.String(40), nullable=False),
        sa.Column("contractor_bin", sa.String(12), nullable=False),
        sa.Column("communicated_on", sa.Date(), nullable=False),
        sa.Column("communicated_by", sa.String(40), nullable=False),
        sa.Column("document_ref", sa.String(200), nullable=False),
        sa.Column("contents", sa.JSON(), nullable=False),
        *_recorded(),
        sa.ForeignKeyConstraint(["order_id"], ["defense_orders.id"],
                                name=op.f("fk_defense_task_notices_order_id_defense_orders")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_defense_task_notices")),
        sa.UniqueConstraint("order_id", "line_ref", "version",
                            name="uq_defense_task_notices_line_version"),
    )
    op.create_index(op.f("ix_defense_task_notices_order_id"), "defense_task_notices",
                    ["order_id"])
    op.create_index(op.f("ix_defense_task_notices_contractor_bin"), "defense_task_notices",
                    ["contractor_bin"])
    op.create_table(
        "defense_prototypes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("made_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(30), nullable=False),
        sa.Column("testing_rules", sa.String(300), nullable=True),
        sa.Column("tested_on", sa.Date(), nullable=True),
        sa.Column("test_report", sa.Text(), nullable=True),
        sa.Column("testing_body", sa.String(40), nullable=True),
        sa.Column("accepted_on", sa.Date(), nullable=True),
        sa.Column("acceptance_act", sa.String(200), nullable=True),
        sa.Column("accepting_body", sa.String(40), nullable=True),
        sa.Column("documents_on", sa.Date(), nullable=True),
        sa.Column("documents_ref", sa.String(300), nullable=True),
        *_recorded(),
        sa.ForeignKeyConstraint(
            ["application_id"], ["defense_applications.id"],
            name=op.f("fk_defense_prototypes_application_id_defense_applications")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_defense_prototypes")),
    )
    op.create_index(op.f("ix_defense_prototypes_application_id"), "defense_prototypes",
                    ["application_id"])
    with op.batch_alter_table("defense_order_amendments") as batch:
        batch.add_column(sa.Column("kind", sa.String(20), nullable=False,
                                   server_default="amendment"))
        batch.add_column(sa.Column("trigger", sa.String(40), nullable=True))
        batch.add_column(sa.Column("deciding_body", sa.String(40), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("defense_order_amendments") as batch:
        batch.drop_column("deciding_body")
        batch.drop_column("trigger")
        batch.drop_column("kind")
    op.drop_index(op.f("ix_defense_prototypes_application_id"), table_name="defense_prototypes")
    op.drop_table("defense_prototypes")
    op.drop_index(op.f("ix_defense_task_notices_contractor_bin"),
                  table_name="defense_task_notices")
    op.drop_index(op.f("ix_defense_task_notices_order_id"), table_name="defense_task_notices")
    op.drop_table("defense_task_notices")
    op.drop_index(op.f("ix_defense_reserve_transfers_line_id"),
                  table_name="defense_reserve_transfers")
    op.drop_table("defense_reserve_transfers")
    op.drop_index(op.f("ix_defense_item_lists_effective_from"), table_name="defense_item_lists")
    op.drop_index(op.f("ix_defense_item_lists_state_body"), table_name="defense_item_lists")
    op.drop_table("defense_item_lists")
