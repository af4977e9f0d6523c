"""producers: domestic raw material supply agreements, their periods, bans, export licences

Revision ID: producers_0003
Revises: producers_0002
"""
import sqlalchemy as sa
from alembic import op

from kzreg.platform.db import UtcDateTime

revision = "producers_0003"
down_revision = "producers_0002"
branch_labels = None
depends_on = None


def _index(table: str, column: str) -> None:
    op.create_index(op.f(f"ix_{table}_{column}"), table, [column])


def upgrade() -> None:
    op.create_table(
        "producers_raw_agreements",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("number", sa.String(60), nullable=False),
        sa.Column("raw_material", sa.String(200), nullable=False),
        sa.Column("producer_bin", sa.String(12), nullable=False),
        sa.Column("producer_name", sa.String(300), nullable=False),
        sa.Column("manufacturer_bin", sa.String(12), nullable=False),
        sa.Column("manufacturer_name", sa.String(300), nullable=False),
        sa.Column("concluded_on", sa.Date(), nullable=False),
        sa.Column("price", sa.String(30), nullable=False),
        sa.Column("price_cap", sa.String(30), nullable=True),
        sa.Column("checks", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("terminated_on", sa.Date(), nullable=True),
        sa.Column("termination", sa.String(300), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_producers_raw_agreements")),
        sa.UniqueConstraint("number", name="uq_producers_raw_agreements_number"),
    )
    for column in ("producer_bin", "manufacturer_bin", "status"):
        _index("producers_raw_agreements", column)
    op.create_table(
        "producers_raw_periods",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("agreement_id", sa.Integer(),
                  sa.ForeignKey("producers_raw_agreements.id", ondelete="CASCADE",
                                name=op.f("fk_producers_raw_periods_agreement_id_"
                                          "producers_raw_agreements")),
                  nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("fulfilled", sa.Boolean(), nullable=False),
        sa.Column("note", sa.String(1000), nullable=False),
        sa.Column("recorded_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_producers_raw_periods")),
        sa.UniqueConstraint("agreement_id", "ends_on",
                            name="uq_producers_raw_periods_agreement_id"),
    )
    _index("producers_raw_periods", "agreement_id")
    op.create_table(
        "producers_raw_bans",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("bin", sa.String(12), nullable=False),
        sa.Column("since", sa.Date(), nullable=False),
        sa.Column("agreement_number", sa.String(60), nullable=False),
        sa.Column("recorded_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_producers_raw_bans")),
        sa.UniqueConstraint("bin", name="uq_producers_raw_bans_bin"),
    )
    op.create_table(
        "producers_raw_export_licences",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("producer_bin", sa.String(12), nullable=False),
        sa.Column("producer_name", sa.String(300), nullable=False),
        sa.Column("raw_material", sa.String(200), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=False),
        sa.Column("issued", sa.Boolean(), nullable=False),
        sa.Column("number", sa.String(60), nullable=True),
        sa.Column("unfulfilled", sa.JSON(), nullable=False),
        sa.Column("trace", sa.JSON(), nullable=False),
        sa.Column("recorded_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_producers_raw_export_licences")),
    )
    _index("producers_raw_export_licences", "producer_bin")


def downgrade() -> None:
    for table in ("producers_raw_export_licences", "producers_raw_bans",
                  "producers_raw_periods", "producers_raw_agreements"):
        op.drop_table(table)
