"""producers: notices of the state register of legal entities, industrial grant funds

Revision ID: producers_0004
Revises: producers_0003
"""
import sqlalchemy as sa
from alembic import op

from kzreg.platform.db import UtcDateTime

revision = "producers_0004"
down_revision = "producers_0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "producers_legal_entity_events",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("source_ref", sa.String(120), nullable=False),
        sa.Column("bin", sa.String(12), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("reorganisation_form", sa.String(20), nullable=True),
        sa.Column("event_date", sa.Date(), nullable=False),
        sa.Column("successor_bins", sa.JSON(), nullable=False),
        sa.Column("outcome", sa.String(30), nullable=False),
        sa.Column("review", sa.Boolean(), nullable=False),
        sa.Column("trace", sa.JSON(), nullable=True),
        sa.Column("received_by", sa.String(150), nullable=False),
        sa.Column("received_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_producers_legal_entity_events")),
        sa.UniqueConstraint("source_ref", name="uq_producers_legal_entity_events_source_ref"),
    )
    op.create_index(op.f("ix_producers_legal_entity_events_bin"),
                    "producers_legal_entity_events", ["bin"])
    op.create_table(
        "producers_grant_allocations",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("amount", sa.String(30), nullable=False),
        sa.Column("reference", sa.String(300), nullable=False),
        sa.Column("recorded_by", sa.String(150), nullable=False),
        sa.Column("recorded_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_producers_grant_allocations")),
        sa.UniqueConstraint("year", name="uq_producers_grant_allocations_year"),
    )


def downgrade() -> None:
    op.drop_table("producers_grant_allocations")
    op.drop_index(op.f("ix_producers_legal_entity_events_bin"),
                  table_name="producers_legal_entity_events")
    op.drop_table("producers_legal_entity_events")
