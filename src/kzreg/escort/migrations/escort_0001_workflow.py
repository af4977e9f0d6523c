"""escort workflow: offices, companies, vehicles, declarations, seals, escorts, records

Revision ID: escort_0001
Revises: 0005_documents
"""
import sqlalchemy as sa
from alembic import op

from kzreg.platform.db import UtcDateTime

revision = "escort_0001"
down_revision = "0005_documents"
branch_labels = ("escort",)
depends_on = None


def _pk(table: str) -> sa.PrimaryKeyConstraint:
    return sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}"))


def _fk(table: str, column: str, target: str, target_col: str = "id") -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [f"{target}.{target_col}"],
                                   name=op.f(f"fk_{table}_{column}_{target}"))


def upgrade() -> None:
    op.create_table(
        "escort_customs_offices",
        sa.Column("code", sa.String(8), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("name_kk", sa.String(200), nullable=True),
        sa.Column("control_zone", sa.Text(), nullable=True),
        sa.Column("zone_geometry", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_escort_customs_offices")),
    )
    op.create_table(
        "escort_companies",
        sa.Column("bin", sa.String(12), nullable=False),
        sa.Column("name", sa.String(300), nullable=False),
        sa.PrimaryKeyConstraint("bin", name=op.f("pk_escort_companies")),
    )
    op.create_table(
        "escort_vehicles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("registration_number", sa.String(20), nullable=True),
        sa.Column("carrier_bin", sa.String(12), nullable=True),
        sa.Column("compartments", sa.Integer(), nullable=False),
        sa.Column("purged_at", UtcDateTime(), nullable=True),
        _fk("escort_vehicles", "carrier_bin", "escort_companies", "bin"),
        _pk("escort_vehicles"),
        sa.UniqueConstraint("registration_number",
                            name=op.f("uq_escort_vehicles_registration_number")),
    )
    op.create_table(
        "escort_transit_declarations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(40), nullable=False),
        sa.Column("electronic", sa.Boolean(), nullable=False),
        sa.Column("declarant_bin", sa.String(12), nullable=False),
        sa.Column("carrier_bin", sa.String(12), nullable=False),
        sa.Column("goods", sa.Text(), nullable=True),
        sa.Column("transit_period", sa.Date(), nullable=True),
        _fk("escort_transit_declarations", "declarant_bin", "escort_companies", "bin"),
        _fk("escort_transit_declarations", "carrier_bin", "escort_companies", "bin"),
        _pk("escort_transit_declarations"),
        sa.UniqueConstraint("number", name=op.f("uq_escort_transit_declarations_number")),
    )
    op.create_table(
        "escort_escorts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(40), nullable=False),
        sa.Column("rms_case", sa.String(100), nullable=False),
        sa.Column("decided_at", UtcDateTime(), nullable=False),
        sa.Column("decided_by", sa.String(150), nullable=False),
        sa.Column("departure_office", sa.String(8), nullable=False),
        sa.Column("destination_office", sa.String(8), nullable=False),
        sa.Column("declarant_bin", sa.String(12), nullable=False),
        sa.Column("carrier_bin", sa.String(12), nullable=False),
        sa.Column("vehicle_id", sa.Integer(), nullable=False),
        sa.Column("declaration_id", sa.Integer(), nullable=True),
        sa.Column("transit_period", sa.Date(), nullable=True),
        sa.Column("route", sa.JSON(), nullable=True),
        sa.Column("corridor_m", sa.Integer(), nullable=True),
        sa.Column("declarant_informed_at", UtcDateTime(), nullable=True),
        sa.Column("carrier_informed_at", UtcDateTime(), nullable=True),
        sa.Column("operator_informed_at", UtcDateTime(), nullable=True),
        sa.Column("organised_at", UtcDateTime(), nullable=True),
        sa.Column("destination_informed_at", UtcDateTime(), nullable=True),
        sa.Column("activation_message", sa.JSON(), nullable=True),
        sa.Column("findings", sa.JSON(), nullable=True),
        sa.Column("high_risk", sa.Boolean(), nullable=False),
        sa.Column("high_risk_grounds", sa.JSON(), nullable=True),
        sa.Column("last_deactivated_at", UtcDateTime(), nullable=True),
        sa.Column("kept_through", sa.Date(), nullable=True),
        sa.Column("deletable_from", sa.Date(), nullable=True),
        sa.Column("deletable_marked_at", UtcDateTime(), nullable=True),
        sa.Column("hold", sa.Boolean(), nullable=False),
        sa.Column("hold_reason", sa.Text(), nullable=True),
        sa.Column("hold_by", sa.String(150), nullable=True),
        sa.Column("hold_at", UtcDateTime(), nullable=True),
        sa.Column("purged_at", UtcDateTime(), nullable=True),
        _fk("escort_escorts", "case_id", "cases"),
        _fk("escort_escorts", "departure_office", "escort_customs_offices", "code"),
        _fk("escort_escorts", "destination_office", "escort_customs_offices", "code"),
        _fk("escort_escorts", "declarant_bin", "escort_companies", "bin"),
        _fk("escort_escorts", "carrier_bin", "escort_companies", "bin"),
        _fk("escort_escorts", "vehicle_id", "escort_vehicles"),
        _fk("escort_escorts", "declaration_id", "escort_transit_declarations"),
        _pk("escort_escorts"),
        sa.UniqueConstraint("case_id", name=op.f("uq_escort_escorts_case_id")),
        sa.UniqueConstraint("number", name=op.f("uq_escort_escorts_number")),
    )
    op.create_index(op.f("ix_escort_escorts_deletable_from"), "escort_escorts",
                    ["deletable_from"])
    op.create_table(
        "escort_seals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(40), nullable=False),
        sa.Column("device_id", sa.String(64), nullable=False),
        sa.Column("protocol", sa.String(20), nullable=False),
        sa.Column("escort_id", sa.Integer(), nullable=True),
        _fk("escort_seals", "escort_id", "escort_escorts"),
        _pk("escort_seals"),
        sa.UniqueConstraint("number", name=op.f("uq_escort_seals_number")),
        sa.UniqueConstraint("device_id", name=op.f("uq_escort_seals_device_id")),
    )
    op.create_index(op.f("ix_escort_seals_escort_id"), "escort_seals", ["escort_id"])
    op.create_table(
        "escort_escort_seals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("escort_id", sa.Integer(), nullable=False),
        sa.Column("seal_id", sa.Integer(), nullable=False),
        sa.Column("seal_number", sa.String(40), nullable=False),
        sa.Column("compartment", sa.String(60), nullable=True),
        sa.Column("affixed_at", UtcDateTime(), nullable=True),
        sa.Column("affixed_by", sa.String(150), nullable=True),
        sa.Column("operator_person", sa.String(200), nullable=True),
        sa.Column("activated_at", UtcDateTime(), nullable=True),
        sa.Column("activated_by", sa.String(150), nullable=True),
        sa.Column("verified_at", UtcDateTime(), nullable=True),
        sa.Column("intact_at_arrival", sa.Boolean(), nullable=True),
        sa.Column("deactivated_at", UtcDateTime(), nullable=True),
        sa.Column("deactivated_by", sa.String(150), nullable=True),
        sa.Column("deactivated_on_time", sa.Boolean(), nullable=True),
        sa.Column("removed_at", UtcDateTime(), nullable=True),
        sa.Column("removed_by", sa.String(150), nullable=True),
        sa.Column("returned_to_operator", sa.Boolean(), nullable=False),
        _fk("escort_escort_seals", "escort_id", "escort_escorts"),
        _fk("escort_escort_seals", "seal_id", "escort_seals"),
        _pk("escort_escort_seals"),
        sa.UniqueConstraint("escort_id", "seal_id", name="uq_escort_escort_seals_escort_id"),
    )
    op.create_index(op.f("ix_escort_escort_seals_escort_id"), "escort_escort_seals",
                    ["escort_id"])
    op.create_index(op.f("ix_escort_escort_seals_seal_id"), "escort_escort_seals",
                    ["seal_id"])
    op.create_table(
        "escort_deactivation_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("escort_id", sa.Integer(), nullable=False),
        sa.Column("escort_seal_id", sa.Integer(), nullable=False),
        sa.Column("seal_number", sa.String(40), nullable=False),
        sa.Column("transit_declaration_number", sa.String(40), nullable=False),
        sa.Column("vehicle_registration_number", sa.String(20), nullable=True),
        sa.Column("sent_at", UtcDateTime(), nullable=False),
        sa.Column("sent_by", sa.String(150), nullable=False),
        sa.Column("due_at", UtcDateTime(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=True),
        _fk("escort_deactivation_requests", "escort_id", "escort_escorts"),
        _fk("escort_deactivation_requests", "escort_seal_id", "escort_escort_seals"),
        _fk("escort_deactivation_requests", "document_id", "documents"),
        _pk("escort_deactivation_requests"),
        sa.UniqueConstraint("escort_seal_id",
                            name=op.f("uq_escort_deactivation_requests_escort_seal_id")),
    )
    op.create_index(op.f("ix_escort_deactivation_requests_escort_id"),
                    "escort_deactivation_requests", ["escort_id"])
    op.create_table(
        "escort_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("escort_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(60), nullable=False),
        sa.Column("number", sa.String(60), nullable=True),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("made_at", UtcDateTime(), nullable=False),
        sa.Column("made_by", sa.String(150), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=True),
        _fk("escort_records", "escort_id", "escort_escorts"),
        _fk("escort_records", "document_id", "documents"),
        _pk("escort_records"),
    )
    op.create_index(op.f("ix_escort_records_escort_id"), "escort_records", ["escort_id"])
    op.create_table(
        "escort_situation_notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("situation_id", sa.Integer(), nullable=False),
        sa.Column("escort_id", sa.Integer(), nullable=True),
        sa.Column("seal_number", sa.String(40), nullable=False),
        sa.Column("situation_type", sa.String(40), nullable=False),
        sa.Column("office", sa.String(8), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("occurred_at", UtcDateTime(), nullable=False),
        sa.Column("notify_by", UtcDateTime(), nullable=False),
        sa.Column("notified_at", UtcDateTime(), nullable=False),
        sa.Column("on_time", sa.Boolean(), nullable=False),
        sa.Column("notice_ids", sa.JSON(), nullable=False),
        _fk("escort_situation_notices", "escort_id", "escort_escorts"),
        _pk("escort_situation_notices"),
        sa.UniqueConstraint("situation_id", "office",
                            name="uq_escort_situation_notices_situation_id"),
    )
    op.create_index(op.f("ix_escort_situation_notices_situation_id"),
                    "escort_situation_notices", ["situation_id"])
    op.create_index(op.f("ix_escort_situation_notices_escort_id"),
                    "escort_situation_notices", ["escort_id"])


def downgrade() -> None:
    for table in ("escort_situation_notices", "escort_records", "escort_deactivation_requests",
                  "escort_escort_seals", "escort_seals", "escort_escorts",
                  "escort_transit_declarations", "escort_vehicles", "escort_companies",
                  "escort_customs_offices"):
        op.drop_table(table)
