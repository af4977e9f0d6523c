"""defense: contracts, execution, acceptance, reclamation, the state material reserve

Revision ID: defense_0003
Revises: defense_0002
"""
import sqlalchemy as sa
from alembic import op

from kzreg.platform.db import UtcDateTime

revision = "defense_0003"
down_revision = "defense_0002"
branch_labels = None
depends_on = None


def _case(name: str, *, primary: bool = False, unique: bool = False) -> sa.Column:
    return sa.Column(name, sa.Integer(), sa.ForeignKey("cases.id", ondelete="CASCADE"),
                     primary_key=primary, nullable=False, unique=unique)


def _money(name: str, scale: int = 2, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.Numeric(18, scale), nullable=nullable)


def _str(name: str, size: int, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.String(size), nullable=nullable)


def _date(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.Date(), nullable=nullable)


def _json(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.JSON(), nullable=nullable)


def _bool(name: str) -> sa.Column:
    return sa.Column(name, sa.Boolean(), nullable=False)


def _at(name: str) -> sa.Column:
    return sa.Column(name, UtcDateTime(), nullable=False)


def _id() -> sa.Column:
    return sa.Column("id", sa.Integer(), primary_key=True)


def upgrade() -> None:
    op.create_table(
        "defense_contracts", _case("case_id", primary=True), _str("order_ref", 100),
        _str("order_item_ref", 100, True), _date("act_adopted_on"), _str("subject", 500),
        _str("category", 10), _str("recipient", 300), _str("contract_party", 20),
        _str("contractor_bin", 12), _str("contractor_name", 300),
        sa.Column("secrecy_level", sa.Integer(), nullable=False), _money("value"),
        _json("draft"), _json("lines"), _json("yearly"), _bool("mro_at_contractor"),
        _bool("for_state_security_service"), _date("warranty_until", True),
        _date("sent_on", True), _date("received_on", True), _date("signed_on", True),
        _date("accepted_on", True), _date("paid_on", True), _bool("suspended"),
        _str("created_by", 150), _at("created_at"))
    op.create_index(op.f("ix_defense_contracts_contractor_bin"), "defense_contracts",
                    ["contractor_bin"])
    op.create_table(
        "defense_modifications", _id(), _case("case_id"), _str("ground", 40),
        _json("request"), _bool("allowed"), _json("failed"), _money("value_before"),
        _money("value_after"), _json("explanation"), _str("requested_by", 150),
        _at("requested_at"))
    op.create_table(
        "defense_representatives", _id(), _case("case_id"), _str("person", 200),
        _str("sent_by", 20), _str("mandate", 30), _date("from_on"), _str("recorded_by", 150),
        _at("recorded_at"))
    op.create_table(
        "defense_lots", _id(), _case("case_id"), _str("number", 60), _json("lot"),
        _bool("suspended"), _json("suspension_reasons"), _str("certificate", 60, True),
        _date("certified_on", True), _date("accepted_on", True), _str("recorded_by", 150),
        _at("updated_at"),
        sa.UniqueConstraint("case_id", "number", name="uq_defense_lots_case_number"))
    op.create_table(
        "defense_reclamations", _id(), _case("case_id"), sa.Column("description", sa.Text(),
                                                                    nullable=False),
        _date("found_on"), _str("status", 20), _json("finding", True), _json("outcome", True),
        _str("reported_by", 150), _at("reported_at"), _at("updated_at"))
    op.create_table(
        "defense_penalties", _id(), _case("case_id"), _money("amount"), _str("reason", 500),
        _date("assessed_on"), _str("recovered_by", 20), _str("credited_to", 60),
        _date("recovered_on", True), _str("recorded_by", 150), _at("recorded_at"))
    op.create_table(
        "defense_contract_notices", _id(), _case("case_id"), _str("event", 30),
        _str("key", 120), _str("subject", 300), _at("occurred_at"), _at("sent_at"),
        sa.Column("recipients", sa.Integer(), nullable=False),
        sa.UniqueConstraint("case_id", "event", "key",
                            name="uq_defense_contract_notices_event"))
    op.create_table(
        "defense_reserve_holdings", _id(), _str("holder_bin", 12), _str("holder_name", 300),
        _str("holder_kind", 40), _bool("sdo_contractor"), _str("nomenclature", 300),
        _str("unit", 20), _money("available", 3), _date("recorded_on"),
        sa.Column("secrecy_level", sa.Integer(), nullable=False), _str("recorded_by", 150),
        _at("recorded_at"))
    op.create_index(op.f("ix_defense_reserve_holdings_holder_bin"), "defense_reserve_holdings",
                    ["holder_bin"])
    op.create_table(
        "defense_reserve_uses", _id(),
        sa.Column("holding_id", sa.Integer(), sa.ForeignKey("defense_reserve_holdings.id"),
                  nullable=False),
        _case("case_id", unique=True),
        sa.Column("contract_case_id", sa.Integer(), sa.ForeignKey("cases.id"), nullable=True),
        _money("quantity", 3), _date("used_on"), _date("replenish_by"), _money("replenished", 3),
        _date("replenished_on", True), _json("explanation"), _str("recorded_by", 150),
        _at("recorded_at"))
    for table in ("defense_modifications", "defense_representatives", "defense_lots",
                  "defense_reclamations", "defense_penalties", "defense_contract_notices"):
        op.create_index(op.f(f"ix_{table}_case_id"), table, ["case_id"])
    op.create_index(op.f("ix_defense_reserve_uses_holding_id"), "defense_reserve_uses",
                    ["holding_id"])


def downgrade() -> None:
    for table in ("defense_reserve_uses", "defense_reserve_holdings",
                  "defense_contract_notices", "defense_penalties", "defense_reclamations",
                  "defense_lots", "defense_representatives", "defense_modifications",
                  "defense_contracts"):
        op.drop_table(table)
