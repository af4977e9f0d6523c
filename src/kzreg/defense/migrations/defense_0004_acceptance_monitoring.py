"""defense: line-by-line acceptance, the MRO control list, information requests

Revision ID: defense_0004
Revises: defense_0003
"""
import sqlalchemy as sa
from alembic import op

from kzreg.platform.db import UtcDateTime

revision = "defense_0004"
down_revision = "defense_0003"
branch_labels = None
depends_on = None


def _case(primary: bool = False) -> sa.Column:
    return sa.Column("case_id", sa.Integer(), sa.ForeignKey("cases.id", ondelete="CASCADE"),
                     primary_key=primary, nullable=False)


def _str(name: str, size: int, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.String(size), nullable=nullable)


def upgrade() -> None:
    op.add_column("defense_lots", sa.Column("items", sa.JSON(), nullable=True))
    op.create_table(
        "defense_line_acceptances", sa.Column("id", sa.Integer(), primary_key=True), _case(),
        _str("item", 300), _str("lot_number", 60), sa.Column("accepted_on", sa.Date(),
                                                             nullable=False),
        _str("accepted_by", 150), sa.Column("accepted_at", UtcDateTime(), nullable=False),
        sa.UniqueConstraint("case_id", "item", name="uq_defense_line_acceptances_item"))
    op.create_table(
        "defense_control_lists", _case(primary=True),
        sa.Column("items", sa.JSON(), nullable=False), _str("developed_by", 150),
        sa.Column("developed_at", UtcDateTime(), nullable=False),
        sa.Column("approved_on", sa.Date(), nullable=True), _str("approved_by", 150, True),
        _str("approver", 20, True))
    op.create_table(
        "defense_information_requests", sa.Column("id", sa.Integer(), primary_key=True),
        _case(), _str("requester", 30), _str("purpose", 40, True), _str("basis", 60),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("asked_on", sa.Date(), nullable=False),
        sa.Column("reply_by", sa.Date(), nullable=True), _str("asked_by", 150),
        sa.Column("asked_at", UtcDateTime(), nullable=False),
        sa.Column("answered_on", sa.Date(), nullable=True),
        sa.Column("answer", sa.Text(), nullable=True), _str("answered_by", 150, True))
    for table in ("defense_line_acceptances", "defense_information_requests"):
        op.create_index(op.f(f"ix_{table}_case_id"), table, ["case_id"])


def downgrade() -> None:
    for table in ("defense_information_requests", "defense_control_lists",
                  "defense_line_acceptances"):
        op.drop_table(table)
    with op.batch_alter_table("defense_lots") as batch:
        batch.drop_column("items")
