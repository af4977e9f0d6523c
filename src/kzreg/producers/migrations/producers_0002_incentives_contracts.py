"""producers: incentive grants, industrial contracts and their years, systemic enterprises

Revision ID: producers_0002
Revises: producers_0001
"""
import sqlalchemy as sa
from alembic import op

from kzreg.platform.db import UtcDateTime

revision = "producers_0002"
down_revision = "producers_0001"
branch_labels = None
depends_on = None


def _index(table: str, column: str, unique: bool = False) -> None:
    op.create_index(op.f(f"ix_{table}_{column}"), table, [column], unique=unique)


def upgrade() -> None:
    op.create_table(
        "producers_incentive_grants",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("bin", sa.String(12), nullable=False),
        sa.Column("measure", sa.String(40), nullable=False),
        sa.Column("competitiveness_agreement", sa.Boolean(), nullable=False),
        sa.Column("agreement_no", sa.String(60), nullable=False),
        sa.Column("granted_on", sa.Date(), nullable=False),
        sa.Column("obligations_due_on", sa.Date(), nullable=False),
        sa.Column("amount", sa.String(30), nullable=False),
        sa.Column("directions", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("fulfilment_percent", sa.String(20), nullable=True),
        sa.Column("beyond_control", sa.Boolean(), nullable=True),
        sa.Column("refund_amount", sa.String(30), nullable=True),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_producers_incentive_grants")),
        sa.UniqueConstraint("case_id", name=op.f("uq_producers_incentive_grants_case_id")),
    )
    _index("producers_incentive_grants", "bin")
    _index("producers_incentive_grants", "status")
    op.create_table(
        "producers_industrial_contracts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("number", sa.String(60), nullable=False),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("customer_bin", sa.String(12), nullable=False),
        sa.Column("customer_name", sa.String(300), nullable=False),
        sa.Column("supplier_bin", sa.String(12), nullable=False),
        sa.Column("supplier_name", sa.String(300), nullable=False),
        sa.Column("goods", sa.JSON(), nullable=False),
        sa.Column("concluded_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("amount", sa.String(30), nullable=False),
        sa.Column("domestic_value_min", sa.String(20), nullable=True),
        sa.Column("offset_terms", sa.JSON(), nullable=True),
        sa.Column("plan_case_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("termination", sa.String(300), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_producers_industrial_contracts")),
        sa.UniqueConstraint("number", name="uq_producers_industrial_contracts_number"),
    )
    _index("producers_industrial_contracts", "customer_bin")
    _index("producers_industrial_contracts", "supplier_bin")
    _index("producers_industrial_contracts", "status")
    op.create_table(
        "producers_contract_years",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("contract_id", sa.Integer(),
                  sa.ForeignKey("producers_industrial_contracts.id", ondelete="CASCADE",
                                name=op.f("fk_producers_contract_years_contract_id_"
                                          "producers_industrial_contracts")),
                  nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("contracted", sa.String(30), nullable=False),
        sa.Column("accepted", sa.String(30), nullable=True),
        sa.Column("supplier_performed", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("checked_at", UtcDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_producers_contract_years")),
        sa.UniqueConstraint("contract_id", "year",
                            name="uq_producers_contract_years_contract_id"),
    )
    _index("producers_contract_years", "contract_id")
    op.create_table(
        "producers_systemic_enterprises",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("bin", sa.String(12), nullable=False),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("region", sa.String(60), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("enterprise_output", sa.String(30), nullable=False),
        sa.Column("territory_output", sa.String(30), nullable=False),
        sa.Column("share", sa.String(40), nullable=False),
        sa.Column("systemic", sa.Boolean(), nullable=False),
        sa.Column("recorded_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_producers_systemic_enterprises")),
        sa.UniqueConstraint("bin", "region", "year",
                            name="uq_producers_systemic_enterprises_bin"),
    )
    _index("producers_systemic_enterprises", "bin")


def downgrade() -> None:
    for table in ("producers_systemic_enterprises", "producers_contract_years",
                  "producers_industrial_contracts", "producers_incentive_grants"):
        op.drop_table(table)
