"""defense register of producers and suppliers, offshore lists

Revision ID: defense_0001
Revises: 0005_documents
"""
import sqlalchemy as sa
from alembic import op

from kzreg.platform.db import UtcDateTime

revision = "defense_0001"
down_revision = "0005_documents"
branch_labels = ("defense",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "defense_register_entries",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("bin", sa.String(12), nullable=False),
        sa.Column("entity", sa.JSON(), nullable=False),
        sa.Column("kinds", sa.JSON(), nullable=False),
        sa.Column("categories", sa.JSON(), nullable=False),
        sa.Column("included_on", sa.Date(), nullable=False),
        sa.Column("decision", sa.String(300), nullable=False),
        sa.Column("removed_on", sa.Date(), nullable=True),
        sa.Column("removal_reason", sa.String(300), nullable=True),
        sa.Column("secrecy_level", sa.Integer(), nullable=False),
        sa.Column("recorded_by", sa.String(150), nullable=False),
        sa.Column("recorded_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_defense_register_entries")),
    )
    op.create_index(op.f("ix_defense_register_entries_bin"), "defense_register_entries",
                    ["bin"])
    op.create_table(
        "defense_offshore_lists",
        sa.Column("id", sa.String(100), nullable=False),
        sa.Column("approved_by", sa.String(300), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("jurisdictions", sa.JSON(), nullable=False),
        sa.Column("loaded_by", sa.String(150), nullable=False),
        sa.Column("loaded_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_defense_offshore_lists")),
    )
    op.create_index(op.f("ix_defense_offshore_lists_effective_from"),
                    "defense_offshore_lists", ["effective_from"])


def downgrade() -> None:
    op.drop_index(op.f("ix_defense_offshore_lists_effective_from"),
                  table_name="defense_offshore_lists")
    op.drop_table("defense_offshore_lists")
    op.drop_index(op.f("ix_defense_register_entries_bin"), table_name="defense_register_entries")
    op.drop_table("defense_register_entries")
