"""The escort room's tables (Order 407): reference data, escorts, their seals and records.

Reference data: customs offices (§3(1)-(2)), companies by BIN (declarants and carriers,
§7, §17), vehicles (state registration number, §8(3)), transit declarations (§7, §8(2)),
navigation seals (unique number, device, protocol; §8(1)). An escort is one decision of
the head of the departure office (§5) and one platform case; it carries its seals
(`escort_escort_seals`: affixing, activation, verification, deactivation, removal — each
with its actors, §6, §9-§14), its records (`escort_records`: inspection acts §7/§13/§15,
completion documents §13, the §8 message, each with its PDF in `documents` when one is
made), its §13 deactivation requests (one per seal) and the §11 notices of non-routine
situations sent to the two offices. Retention (§18(3)) and a legal hold are columns of
the escort; a purge keeps the row and empties its personal and tracking data.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from kzreg.platform.db import Base, UtcDateTime


class CustomsOffice(Base):
    __tablename__ = "escort_customs_offices"

    code: Mapped[str] = mapped_column(String(8), primary_key=True)   # 5 digits (or 8, EAEU)
    name: Mapped[str] = mapped_column(String(200))
    name_kk: Mapped[str | None] = mapped_column(String(200))
    control_zone: Mapped[str | None] = mapped_column(Text)          # description (§8, §12)
    zone_geometry: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # GeoJSON, optional


class Company(Base):
    """A declarant or carrier, known by its BIN (validated with its control digit)."""

    __tablename__ = "escort_companies"

    bin: Mapped[str] = mapped_column(String(12), primary_key=True)
    name: Mapped[str] = mapped_column(String(300))


class Vehicle(Base):
    __tablename__ = "escort_vehicles"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    registration_number: Mapped[str | None] = mapped_column(String(20), unique=True)
    carrier_bin: Mapped[str | None] = mapped_column(ForeignKey("escort_companies.bin"))
    compartments: Mapped[int] = mapped_column(Integer, default=1)
    purged_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())


class TransitDeclaration(Base):
    __tablename__ = "escort_transit_declarations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    electronic: Mapped[bool] = mapped_column(Boolean, default=True)  # §7: electronic or paper
    declarant_bin: Mapped[str] = mapped_column(ForeignKey("escort_companies.bin"))
    carrier_bin: Mapped[str] = mapped_column(ForeignKey("escort_companies.bin"))
    goods: Mapped[str | None] = mapped_column(Text)
    transit_period: Mapped[dt.date | None] = mapped_column(Date)


class Seal(Base):
    """A navigation seal of the national operator (returned to it after each trip, §12)."""

    __tablename__ = "escort_seals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    device_id: Mapped[str] = mapped_column(String(64), unique=True)
    protocol: Mapped[str] = mapped_column(String(20))
    escort_id: Mapped[int | None] = mapped_column(ForeignKey("escort_escorts.id"), index=True)


class Escort(Base):
    """One electronic customs escort: a decision (§5) and its platform case."""

    __tablename__ = "escort_escorts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), unique=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    rms_case: Mapped[str] = mapped_column(String(100))        # basis: the RMS case (§5)
    decided_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    decided_by: Mapped[str] = mapped_column(String(150))
    departure_office: Mapped[str] = mapped_column(ForeignKey("escort_customs_offices.code"))
    destination_office: Mapped[str] = mapped_column(ForeignKey("escort_customs_offices.code"))
    declarant_bin: Mapped[str] = mapped_column(ForeignKey("escort_companies.bin"))
    carrier_bin: Mapped[str] = mapped_column(ForeignKey("escort_companies.bin"))
    vehicle_id: Mapped[int] = mapped_column(ForeignKey("escort_vehicles.id"))
    declaration_id: Mapped[int | None] = mapped_column(
        ForeignKey("escort_transit_declarations.id"))
    transit_period: Mapped[dt.date | None] = mapped_column(Date)
    route: Mapped[list[Any] | None] = mapped_column(JSON)         # [[lon, lat], ...] or null
    corridor_m: Mapped[int | None] = mapped_column(Integer)
    # §5: each of the four actions has its own time (setting escort.decision_24h_scope)
    declarant_informed_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    carrier_informed_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    operator_informed_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    organised_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    destination_informed_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    activation_message: Mapped[dict[str, Any] | None] = mapped_column(JSON)   # §8
    findings: Mapped[dict[str, Any] | None] = mapped_column(JSON)             # §13 inspection
    high_risk: Mapped[bool] = mapped_column(Boolean, default=False)           # §15
    high_risk_grounds: Mapped[list[str] | None] = mapped_column(JSON)
    # §18(3): retention, counted from the last seal's deactivation
    last_deactivated_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    kept_through: Mapped[dt.date | None] = mapped_column(Date)
    deletable_from: Mapped[dt.date | None] = mapped_column(Date, index=True)
    deletable_marked_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    hold: Mapped[bool] = mapped_column(Boolean, default=False)
    hold_reason: Mapped[str | None] = mapped_column(Text)
    hold_by: Mapped[str | None] = mapped_column(String(150))
    hold_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    purged_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())


class EscortSeal(Base):
    """One seal on one escort, with who did what to it and when (§6, §9-§14)."""

    __tablename__ = "escort_escort_seals"
    __table_args__ = (UniqueConstraint("escort_id", "seal_id",
                                       name="uq_escort_escort_seals_escort_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    escort_id: Mapped[int] = mapped_column(ForeignKey("escort_escorts.id"), index=True)
    seal_id: Mapped[int] = mapped_column(ForeignKey("escort_seals.id"), index=True)
    seal_number: Mapped[str] = mapped_column(String(40))
    compartment: Mapped[str | None] = mapped_column(String(60))
    affixed_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    affixed_by: Mapped[str | None] = mapped_column(String(150))
    operator_person: Mapped[str | None] = mapped_column(String(200))   # present (§6, §9)
    activated_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    activated_by: Mapped[str | None] = mapped_column(String(150))
    verified_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    intact_at_arrival: Mapped[bool | None] = mapped_column(Boolean)
    deactivated_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    deactivated_by: Mapped[str | None] = mapped_column(String(150))
    deactivated_on_time: Mapped[bool | None] = mapped_column(Boolean)
    removed_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    removed_by: Mapped[str | None] = mapped_column(String(150))
    returned_to_operator: Mapped[bool] = mapped_column(Boolean, default=False)


class DeactivationRequestRow(Base):
    """A §13 request to the operator: three items, one seal."""

    __tablename__ = "escort_deactivation_requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    escort_id: Mapped[int] = mapped_column(ForeignKey("escort_escorts.id"), index=True)
    escort_seal_id: Mapped[int] = mapped_column(ForeignKey("escort_escort_seals.id"),
                                                unique=True)
    seal_number: Mapped[str] = mapped_column(String(40))
    transit_declaration_number: Mapped[str] = mapped_column(String(40))
    vehicle_registration_number: Mapped[str | None] = mapped_column(String(20))
    sent_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())   # = received by the operator
    sent_by: Mapped[str] = mapped_column(String(150))
    due_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())    # §14: one hour
    document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"))


class EscortRecord(Base):
    """A document of the escort: inspection act, completion documents, §8 message …"""

    __tablename__ = "escort_records"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    escort_id: Mapped[int] = mapped_column(ForeignKey("escort_escorts.id"), index=True)
    kind: Mapped[str] = mapped_column(String(60))
    number: Mapped[str | None] = mapped_column(String(60))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    made_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    made_by: Mapped[str] = mapped_column(String(150))
    document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"))


class SituationNotice(Base):
    """A §11 notice of a non-routine situation to one office, and whether it was in time."""

    __tablename__ = "escort_situation_notices"
    __table_args__ = (UniqueConstraint("situation_id", "office",
                                       name="uq_escort_situation_notices_situation_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    situation_id: Mapped[int] = mapped_column(Integer, index=True)   # tracking_situations.id
    escort_id: Mapped[int | None] = mapped_column(ForeignKey("escort_escorts.id"), index=True)
    seal_number: Mapped[str] = mapped_column(String(40))
    situation_type: Mapped[str] = mapped_column(String(40))
    office: Mapped[str] = mapped_column(String(8))
    role: Mapped[str] = mapped_column(String(20))                     # departure | destination
    occurred_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    notify_by: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    notified_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    on_time: Mapped[bool] = mapped_column(Boolean)
    notice_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
