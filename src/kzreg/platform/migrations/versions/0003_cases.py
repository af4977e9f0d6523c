"""cases, transitions and durable timers

Revision ID: 0003_cases
Revises: 0002_audit
"""
import sqlalchemy as sa
from alembic import op

import kzreg.platform.db  # noqa: F401  (UtcDateTime)

revision = "0003_cases"
down_revision = "0002_audit"
branch_labels = None
depends_on = None

UTC = kzreg.platform.db.UtcDateTime


def upgrade() -> None:
    op.create_table(
        "cases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_type", sa.String(60), nullable=False),
        sa.Column("state", sa.String(100), nullable=False),
        sa.Column("title", sa.String(500), nullable=False),
        sa.Column("party_bins", sa.JSON(), nullable=False),
        sa.Column("office_codes", sa.JSON(), nullable=False),
        sa.Column("clearance", sa.Integer(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("opened_at", UTC(), nullable=False),
        sa.Column("updated_at", UTC(), nullable=False),
        sa.Column("closed_at", UTC(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cases")),
    )
    op.create_index(op.f("ix_cases_case_type"), "cases", ["case_type"])
    op.create_index(op.f("ix_cases_state"), "cases", ["state"])

    op.create_table(
        "case_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("transition", sa.String(100), nullable=False),
        sa.Column("from_state", sa.String(100), nullable=True),
        sa.Column("to_state", sa.String(100), nullable=False),
        sa.Column("actor", sa.String(150), nullable=False),
        sa.Column("role", sa.String(40), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("at", UTC(), nullable=False),
        sa.Column("basis", sa.String(300), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], ondelete="CASCADE",
                                name=op.f("fk_case_events_case_id_cases")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_events")),
        sa.UniqueConstraint("case_id", "seq", name=op.f("uq_case_events_case_id_seq")),
    )
    op.create_index(op.f("ix_case_events_case_id"), "case_events", ["case_id"])

    op.create_table(
        "timers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("state", sa.String(100), nullable=False),
        sa.Column("title", sa.String(500), nullable=False),
        sa.Column("duration", sa.String(100), nullable=False),
        sa.Column("citation", sa.String(200), nullable=False),
        sa.Column("on_expiry", sa.String(100), nullable=True),
        sa.Column("due_at", UTC(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("started_at", UTC(), nullable=False),
        sa.Column("fired_at", UTC(), nullable=True),
        sa.Column("outcome", sa.String(100), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("explanation", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], ondelete="CASCADE",
                                name=op.f("fk_timers_case_id_cases")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_timers")),
    )
    op.create_index(op.f("ix_timers_case_id"), "timers", ["case_id"])
    # the worker's query: pending timers due by now, soonest first
    op.create_index("ix_timers_status_due_at", "timers", ["status", "due_at"])

    op.create_table(
        "breaches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("timer_id", sa.Integer(), nullable=False),
        sa.Column("case_type", sa.String(60), nullable=False),
        sa.Column("state", sa.String(100), nullable=False),
        sa.Column("deadline", sa.String(100), nullable=False),
        sa.Column("title", sa.String(500), nullable=False),
        sa.Column("citation", sa.String(200), nullable=False),
        sa.Column("due_at", UTC(), nullable=False),
        sa.Column("recorded_at", UTC(), nullable=False),
        sa.Column("resolved_at", UTC(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], ondelete="CASCADE",
                                name=op.f("fk_breaches_case_id_cases")),
        sa.ForeignKeyConstraint(["timer_id"], ["timers.id"], ondelete="CASCADE",
                                name=op.f("fk_breaches_timer_id_timers")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_breaches")),
        sa.UniqueConstraint("timer_id", name=op.f("uq_breaches_timer_id")),
    )
    op.create_index(op.f("ix_breaches_case_id"), "breaches", ["case_id"])
    op.create_index(op.f("ix_breaches_case_type"), "breaches", ["case_type"])
    op.create_index(op.f("ix_breaches_recorded_at"), "breaches", ["recorded_at"])


def downgrade() -> None:
    op.drop_table("breaches")
    op.drop_table("timers")
    op.drop_table("case_events")
    op.drop_table("cases")
