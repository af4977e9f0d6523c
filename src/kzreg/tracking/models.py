"""The tracking system's tables: devices, seals, positions, situations, quarantine.

Order 407 §3(4): the national operator's information system receives and keeps the seals'
location and integrity signals; §11: it tracks them 24/7 and reports non-routine situations
(§3(8)) to both offices; §18(3): the data are kept five years. The escort room reads these
tables through `kzreg.tracking.registry`, never by writing them itself.

Positions are keyed by (device, fix_time): a device that resends a record (a lost
acknowledgement, a black-box replay) produces the same key, so storing it again is a no-op.
That key is also the table's primary key, so the hot insert path maintains one index for
identity and one for `track()` (seal, fix_time) — nothing else.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import JSON

from kzreg.platform.db import Base, UtcDateTime

DEVICE_KNOWN, DEVICE_QUARANTINED = "known", "quarantined"
SEAL_INACTIVE, SEAL_ACTIVE, SEAL_DEACTIVATED = "inactive", "active", "deactivated"
SITUATION_TYPES = ("signal_loss", "unauthorized_removal", "route_deviation")


class TrackingDevice(Base):
    """A device identity as it logs in (IMEI, EGTS terminal id, OsmAnd id)."""

    __tablename__ = "tracking_devices"

    device_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    protocol: Mapped[str] = mapped_column(String(20))
    seal_number: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(12))           # known | quarantined
    first_seen: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    last_seen: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())  # last reception


class TrackingSeal(Base):
    """A navigation seal and the escort it is activated for (§8, §9, §14)."""

    __tablename__ = "tracking_seals"

    seal_number: Mapped[str] = mapped_column(String(64), primary_key=True)
    device_id: Mapped[str | None] = mapped_column(
        ForeignKey("tracking_devices.device_id"), unique=True)
    status: Mapped[str] = mapped_column(String(12))           # inactive|active|deactivated
    route: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    corridor_m: Mapped[int | None] = mapped_column(Integer)
    activated_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    deactivated_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    escort_ref: Mapped[str | None] = mapped_column(String(100))
    departure_office: Mapped[str | None] = mapped_column(String(20))
    destination_office: Mapped[str | None] = mapped_column(String(20))
    # the live pipeline polls this column to learn of (de)activations made elsewhere
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), index=True)


class TrackingPosition(Base):
    """One stored position; (device, fix_time) makes a resent record a duplicate."""

    __tablename__ = "tracking_positions"

    device: Mapped[str] = mapped_column(String(64), primary_key=True)
    fix_time: Mapped[dt.datetime] = mapped_column(UtcDateTime(), primary_key=True)
    seal: Mapped[str | None] = mapped_column(String(64))
    server_time: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    speed: Mapped[float | None] = mapped_column(Float)        # km/h
    course: Mapped[float | None] = mapped_column(Float)
    valid: Mapped[bool] = mapped_column(Boolean)
    seal_state: Mapped[str | None] = mapped_column(String(8))
    battery: Mapped[float | None] = mapped_column(Float)
    archive: Mapped[bool] = mapped_column(Boolean)

    __table_args__ = (
        Index("ix_tracking_positions_seal_fix_time", "seal", "fix_time"),
        # a restart re-judges the last minutes received; server_time grows with insertion
        # order, so on PostgreSQL a BRIN index (a few pages) finds them for almost no cost
        Index("ix_tracking_positions_server_time", "server_time", postgresql_using="brin"),
    )


class TrackingSituation(Base):
    """A non-routine situation (§3(8)) with its §11 notice deadline."""

    __tablename__ = "tracking_situations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seal: Mapped[str] = mapped_column(String(64), index=True)
    type: Mapped[str] = mapped_column(String(24))
    started_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    occurred_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    detected_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    notify_by: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    ended_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    # later data showed there was none (the device-clock setting only): kept, marked
    retracted_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    evidence: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    escort_notified_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime(), index=True)

    __table_args__ = (UniqueConstraint("seal", "type", "started_at",
                                       name="uq_tracking_situations_seal_type_started_at"),)


class TrackingQuarantine(Base):
    """Data the pipeline would not store as a seal's position, kept with the reason:
    frames of unknown devices, positions with impossible times. Shown to the operator."""

    __tablename__ = "tracking_quarantine"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    received_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), index=True)
    device: Mapped[str] = mapped_column(String(64), index=True)
    protocol: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(String(300))
    fix_time: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    payload: Mapped[str] = mapped_column(Text)                # the position as JSON
