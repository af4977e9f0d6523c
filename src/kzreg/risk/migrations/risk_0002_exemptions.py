"""risk: exemptions of fair subjects (Cr §14) get their own register; orders their subject

The subject's single `exempt_until` date becomes a row of `risk_exemptions` (an officer's
decision with its period, reason and the indicator it was decided on); the column is left
empty and unused. `risk_orders` links
each rapid-response case to its subject and control.

Revision ID: risk_0002
Revises: risk_0001
"""
import sqlalchemy as sa
from alembic import op

from kzreg.platform.db import UtcDateTime

revision = "risk_0002"
down_revision = "risk_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "risk_exemptions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("reason", sa.String(1000), nullable=False),
        sa.Column("indicator", sa.String(60), nullable=False),
        sa.Column("degree", sa.String(20), nullable=False),
        sa.Column("decided_by", sa.String(150), nullable=False),
        sa.Column("decided_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["subject_id"], ["risk_subjects.id"], ondelete="CASCADE",
                                name=op.f("fk_risk_exemptions_subject_id_risk_subjects")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_exemptions")),
    )
    op.create_index(op.f("ix_risk_exemptions_subject_id"), "risk_exemptions", ["subject_id"])
    op.create_index(op.f("ix_risk_exemptions_ends_on"), "risk_exemptions", ["ends_on"])
    op.create_table(
        "risk_orders",
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("control_id", sa.Integer(), nullable=False),
        sa.Column("measure", sa.String(20), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], ondelete="CASCADE",
                                name=op.f("fk_risk_orders_case_id_cases")),
        sa.ForeignKeyConstraint(["subject_id"], ["risk_subjects.id"], ondelete="CASCADE",
                                name=op.f("fk_risk_orders_subject_id_risk_subjects")),
        sa.ForeignKeyConstraint(["control_id"], ["risk_controls.id"], ondelete="CASCADE",
                                name=op.f("fk_risk_orders_control_id_risk_controls")),
        sa.PrimaryKeyConstraint("case_id", name=op.f("pk_risk_orders")),
    )
    op.create_index(op.f("ix_risk_orders_subject_id"), "risk_orders", ["subject_id"])
    # earlier orders: their subject and control from the case data
    cases = sa.table("cases", sa.column("id", sa.Integer()), sa.column("case_type", sa.String()),
                     sa.column("data", sa.JSON()))
    codes = dict(op.get_bind().execute(sa.text("SELECT code, id FROM risk_subjects")).all())
    earlier = op.get_bind().execute(sa.select(cases).where(
        cases.c.case_type.in_(("risk.prohibition", "risk.withdrawal")))).all()
    orders = sa.table("risk_orders", *(sa.column(n, sa.Integer()) for n in (
        "case_id", "subject_id", "control_id")), sa.column("measure", sa.String()))
    linked = [{"case_id": c.id, "subject_id": codes[c.data["subject"]],
               "control_id": c.data["control_id"], "measure": c.case_type.split(".")[1]}
              for c in earlier if c.data.get("subject") in codes]
    if linked:
        op.bulk_insert(orders, linked)
    # earlier single dates: decisions from the day the subject was registered
    subjects = sa.table("risk_subjects", sa.column("id", sa.Integer()),
                        sa.column("exempt_until", sa.Date()),
                        sa.column("created_at", UtcDateTime()))
    rows = op.get_bind().execute(sa.select(subjects).where(
        subjects.c.exempt_until.is_not(None))).all()
    exemptions = sa.table(
        "risk_exemptions", sa.column("subject_id", sa.Integer()),
        sa.column("starts_on", sa.Date()), sa.column("ends_on", sa.Date()),
        *(sa.column(n, sa.String()) for n in ("reason", "indicator", "degree", "decided_by")),
        sa.column("decided_at", UtcDateTime()))
    if rows:
        op.bulk_insert(exemptions, [
            {"subject_id": r.id, "starts_on": min(r.created_at.date(), r.exempt_until),
             "ends_on": r.exempt_until, "indicator": "", "degree": "",
             "reason": "recorded before exemptions had their own register",
             "decided_by": "migration", "decided_at": r.created_at} for r in rows])
    # The column stays, empty and unmapped: dropping it on SQLite rebuilds risk_subjects,
    # and dropping the old table would cascade-delete every control, exemption and order.
    op.execute("UPDATE risk_subjects SET exempt_until = NULL")


def downgrade() -> None:
    op.execute("UPDATE risk_subjects SET exempt_until = (SELECT max(e.ends_on) FROM "
               "risk_exemptions e WHERE e.subject_id = risk_subjects.id)")
    op.drop_table("risk_exemptions")
    op.drop_table("risk_orders")
