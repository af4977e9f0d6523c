"""tracking: devices, seals, positions, situations, quarantine

Revision ID: tracking_0001
Revises: 0005_documents
"""
import sqlalchemy as sa
from alembic import op

from kzreg.platform.db import UtcDateTime

revision = "tracking_0001"
down_revision = "0005_documents"
branch_labels = ("tracking",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "tracking_devices",
        sa.Column("device_id", sa.String(64), nullable=False),
        sa.Column("protocol", sa.String(20), nullable=False),
        sa.Column("seal_number", sa.String(64), nullable=True),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("first_seen", UtcDateTime(), nullable=True),
        sa.Column("last_seen", UtcDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("device_id", name=op.f("pk_tracking_devices")),
    )
    op.create_table(
        "tracking_seals",
        sa.Column("seal_number", sa.String(64), nullable=False),
        sa.Column("device_id", sa.String(64), nullable=True),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("route", sa.JSON(), nullable=True),
        sa.Column("corridor_m", sa.Integer(), nullable=True),
        sa.Column("activated_at", UtcDateTime(), nullable=True),
        sa.Column("deactivated_at", UtcDateTime(), nullable=True),
        sa.Column("escort_ref", sa.String(100), nullable=True),
        sa.Column("departure_office", sa.String(20), nullable=True),
        sa.Column("destination_office", sa.String(20), nullable=True),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["device_id"], ["tracking_devices.device_id"],
                                name=op.f("fk_tracking_seals_device_id_tracking_devices")),
        sa.PrimaryKeyConstraint("seal_number", name=op.f("pk_tracking_seals")),
        sa.UniqueConstraint("device_id", name=op.f("uq_tracking_seals_device_id")),
    )
    op.create_index(op.f("ix_tracking_seals_updated_at"), "tracking_seals", ["updated_at"])
    op.create_table(
        "tracking_positions",
        sa.Column("device", sa.String(64), nullable=False),
        sa.Column("fix_time", UtcDateTime(), nullable=False),
        sa.Column("seal", sa.String(64), nullable=True),
        sa.Column("server_time", UtcDateTime(), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("speed", sa.Float(), nullable=True),
        sa.Column("course", sa.Float(), nullable=True),
        sa.Column("valid", sa.Boolean(), nullable=False),
        sa.Column("seal_state", sa.String(8), nullable=True),
        sa.Column("battery", sa.Float(), nullable=True),
        sa.Column("archive", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("device", "fix_time", name=op.f("pk_tracking_positions")),
    )
    op.create_index("ix_tracking_positions_seal_fix_time", "tracking_positions",
                    ["seal", "fix_time"])
    op.create_index("ix_tracking_positions_server_time", "tracking_positions",
                    ["server_time"], postgresql_using="brin")
    op.create_table(
        "tracking_situations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seal", sa.String(64), nullable=False),
        sa.Column("type", sa.String(24), nullable=False),
        sa.Column("started_at", UtcDateTime(), nullable=False),
        sa.Column("occurred_at", UtcDateTime(), nullable=False),
        sa.Column("detected_at", UtcDateTime(), nullable=False),
        sa.Column("notify_by", UtcDateTime(), nullable=False),
        sa.Column("ended_at", UtcDateTime(), nullable=True),
        sa.Column("retracted_at", UtcDateTime(), nullable=True),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("escort_notified_at", UtcDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tracking_situations")),
        sa.UniqueConstraint("seal", "type", "started_at",
                            name="uq_tracking_situations_seal_type_started_at"),
    )
    op.create_index(op.f("ix_tracking_situations_seal"), "tracking_situations", ["seal"])
    op.create_index(op.f("ix_tracking_situations_escort_notified_at"), "tracking_situations",
                    ["escort_notified_at"])
    op.create_table(
        "tracking_quarantine",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("received_at", UtcDateTime(), nullable=False),
        sa.Column("device", sa.String(64), nullable=False),
        sa.Column("protocol", sa.String(20), nullable=False),
        sa.Column("reason", sa.String(300), nullable=False),
        sa.Column("fix_time", UtcDateTime(), nullable=True),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tracking_quarantine")),
    )
    op.create_index(op.f("ix_tracking_quarantine_received_at"), "tracking_quarantine",
                    ["received_at"])
    op.create_index(op.f("ix_tracking_quarantine_device"), "tracking_quarantine", ["device"])


def downgrade() -> None:
    for table in ("tracking_quarantine", "tracking_situations", "tracking_positions",
                  "tracking_seals", "tracking_devices"):
        op.drop_table(table)
