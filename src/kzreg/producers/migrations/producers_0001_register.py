"""producers: register of Kazakhstani commodity producers

Revision ID: producers_0001
Revises: 0005_documents
"""
import sqlalchemy as sa
from alembic import op

from kzreg.platform.db import UtcDateTime

revision = "producers_0001"
down_revision = "0005_documents"
branch_labels = ("producers",)
depends_on = None


def _entry_fk() -> sa.Column:
    return sa.Column("entry_id", sa.Integer(),
                     sa.ForeignKey("producers_register_entries.id", ondelete="CASCADE"),
                     nullable=False)


def upgrade() -> None:
    op.create_table(
        "producers_register_entries",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("bin", sa.String(12), nullable=False),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("region", sa.String(60), nullable=True),
        sa.Column("route", sa.String(20), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("included_on", sa.Date(), nullable=False),
        sa.Column("excluded_on", sa.Date(), nullable=True),
        sa.Column("exclusion_ground", sa.String(30), nullable=True),
        sa.Column("application_case_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_producers_register_entries")),
        sa.UniqueConstraint("bin", name=op.f("uq_producers_register_entries_bin")),
    )
    op.create_index(op.f("ix_producers_register_entries_status"),
                    "producers_register_entries", ["status"])
    op.create_table(
        "producers_register_goods",
        sa.Column("id", sa.Integer(), primary_key=True),
        _entry_fk(),
        sa.Column("code", sa.String(20), nullable=False),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("domestic_value_share", sa.String(20), nullable=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_producers_register_goods")),
        sa.UniqueConstraint("entry_id", "code", name="uq_producers_register_goods_entry_id"),
    )
    op.create_index(op.f("ix_producers_register_goods_entry_id"), "producers_register_goods",
                    ["entry_id"])
    op.create_index(op.f("ix_producers_register_goods_code"), "producers_register_goods",
                    ["code"])
    op.create_table(
        "producers_monitoring_runs",
        sa.Column("id", sa.Integer(), primary_key=True),
        _entry_fk(),
        sa.Column("run_on", sa.Date(), nullable=False),
        sa.Column("positive", sa.Boolean(), nullable=False),
        sa.Column("failed", sa.JSON(), nullable=False),
        sa.Column("recorded_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_producers_monitoring_runs")),
    )
    op.create_index(op.f("ix_producers_monitoring_runs_entry_id"), "producers_monitoring_runs",
                    ["entry_id"])
    op.create_table(
        "producers_monitoring_breaches",
        sa.Column("id", sa.Integer(), primary_key=True),
        _entry_fk(),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("recorded_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_producers_monitoring_breaches")),
        sa.UniqueConstraint("entry_id", "period_start",
                            name="uq_producers_monitoring_breaches_entry_id"),
    )
    op.create_index(op.f("ix_producers_monitoring_breaches_entry_id"),
                    "producers_monitoring_breaches", ["entry_id"])


def downgrade() -> None:
    for table in ("producers_monitoring_breaches", "producers_monitoring_runs",
                  "producers_register_goods", "producers_register_entries"):
        op.drop_table(table)
