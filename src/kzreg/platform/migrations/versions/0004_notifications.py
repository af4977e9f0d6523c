"""notification outbox and in-app inbox

Revision ID: 0004_notifications
Revises: 0003_cases
"""
import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

from kzreg.platform.db import UtcDateTime

revision = "0004_notifications"
down_revision = "0003_cases"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "notices",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("subject", sa.String(300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("basis", sa.String(300), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("emailed_at", UtcDateTime(), nullable=True),
        sa.Column("read_at", UtcDateTime(), nullable=True),
        sa.Column("acknowledged_at", UtcDateTime(), nullable=True),
        sa.Column("ack_due_at", UtcDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE",
                                name=op.f("fk_notices_user_id_users")),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"],
                                name=op.f("fk_notices_case_id_cases")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notices")),
    )
    op.create_index(op.f("ix_notices_user_id"), "notices", ["user_id"])
    op.create_index(op.f("ix_notices_case_id"), "notices", ["case_id"])
    op.create_index(op.f("ix_notices_ack_due_at"), "notices", ["ack_due_at"])

    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("notice_id", sa.Integer(), nullable=True),
        sa.Column("to_address", sa.String(200), nullable=False),
        sa.Column("subject", sa.String(300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("message_id", sa.String(200), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("next_attempt_at", UtcDateTime(), nullable=False),
        sa.Column("claimed_by", sa.String(40), nullable=True),
        sa.Column("claimed_until", UtcDateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("sent_at", UtcDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["notice_id"], ["notices.id"], ondelete="SET NULL",
                                name=op.f("fk_outbox_notice_id_notices")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
        sa.UniqueConstraint("message_id", name=op.f("uq_outbox_message_id")),
    )
    op.create_index(op.f("ix_outbox_notice_id"), "outbox", ["notice_id"])
    # the delivery pass looks for due pending rows
    op.create_index("ix_outbox_status_next_attempt_at", "outbox",
                    ["status", "next_attempt_at"])


def downgrade() -> None:
    op.drop_table("outbox")
    op.drop_table("notices")
