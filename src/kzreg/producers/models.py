"""The producers room's tables (Law 86-VII).

The register of Kazakhstani commodity producers (Arts 51-1..51-7): the entries (one per
business entity, by BIN), their goods with the share of domestic value printed on the
extract (Art 51-1(8)), the monitoring runs (Art 51-4(1)) and the quarters that passed without
one (breaches of the duty to monitor). State incentives: the measures granted with their
counter-obligations (Arts 27-28). Contracts aimed at industrial development: the register of
off-take contracts and guaranteed purchase agreements with their yearly volumes (Arts 48,
48-1, 49) and the list of systemic enterprises (Art 47-1)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kzreg.platform.db import Base, UtcDateTime

INCLUDED, EXCLUDED = "included", "excluded"


class RegisterEntry(Base):
    """A Kazakhstani commodity producer (Art 1 sub 7-1) and its state in the register."""

    __tablename__ = "producers_register_entries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    bin: Mapped[str] = mapped_column(String(12), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    region: Mapped[str | None] = mapped_column(String(60))
    route: Mapped[str] = mapped_column(String(20))           # register_law.Route
    status: Mapped[str] = mapped_column(String(20), index=True)  # included | excluded
    included_on: Mapped[dt.date] = mapped_column(Date)
    excluded_on: Mapped[dt.date | None] = mapped_column(Date)
    exclusion_ground: Mapped[str | None] = mapped_column(String(30))
    application_case_id: Mapped[int | None] = mapped_column(Integer)
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())

    goods: Mapped[list[RegisterGood]] = relationship(
        back_populates="entry", order_by="RegisterGood.code", cascade="all, delete-orphan")


class RegisterGood(Base):
    """A product of a producer in the register, with the share of domestic value as the
    authorized body entered it (setting producers.domestic_value_method), exact text."""

    __tablename__ = "producers_register_goods"
    __table_args__ = (UniqueConstraint("entry_id", "code",
                                       name="uq_producers_register_goods_entry_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entry_id: Mapped[int] = mapped_column(
        ForeignKey("producers_register_entries.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(20), index=True)
    title: Mapped[str] = mapped_column(String(300))
    domestic_value_share: Mapped[str | None] = mapped_column(String(20))  # percent, exact
    status: Mapped[str] = mapped_column(String(20))

    entry: Mapped[RegisterEntry] = relationship(back_populates="goods")


class MonitoringRun(Base):
    """One digital verification of an included producer (Art 51-4(1)-(2))."""

    __tablename__ = "producers_monitoring_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entry_id: Mapped[int] = mapped_column(
        ForeignKey("producers_register_entries.id", ondelete="CASCADE"), index=True)
    run_on: Mapped[dt.date] = mapped_column(Date)
    positive: Mapped[bool] = mapped_column(Boolean)
    failed: Mapped[list[Any]] = mapped_column(JSON, default=list)
    recorded_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())


class MonitoringBreach(Base):
    """A quarter that ended with no monitoring run of an included producer (Art 51-4(1))."""

    __tablename__ = "producers_monitoring_breaches"
    __table_args__ = (UniqueConstraint("entry_id", "period_start",
                                       name="uq_producers_monitoring_breaches_entry_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entry_id: Mapped[int] = mapped_column(
        ForeignKey("producers_register_entries.id", ondelete="CASCADE"), index=True)
    period_start: Mapped[dt.date] = mapped_column(Date)
    period_end: Mapped[dt.date] = mapped_column(Date)   # exclusive
    recorded_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())


# --- state incentives (Arts 25-28) and contracts aimed at industrial development (46-49) -----

PERFORMING, FULFILLED, NOT_FULFILLED = "performing", "fulfilled", "not_fulfilled"


class IncentiveGrant(Base):
    """A measure granted under an agreement with counter-obligations (Art 27(1)); the history
    Art 28(4) is checked against (a competitiveness agreement failed through own fault)."""

    __tablename__ = "producers_incentive_grants"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(Integer, unique=True)
    bin: Mapped[str] = mapped_column(String(12), index=True)
    measure: Mapped[str] = mapped_column(String(40))
    competitiveness_agreement: Mapped[bool] = mapped_column(Boolean)   # Art 28
    agreement_no: Mapped[str] = mapped_column(String(60))
    granted_on: Mapped[dt.date] = mapped_column(Date)
    obligations_due_on: Mapped[dt.date] = mapped_column(Date)
    amount: Mapped[str] = mapped_column(String(30))                    # KZT, exact text
    directions: Mapped[list[Any]] = mapped_column(JSON, default=list)  # Art 27(3)
    status: Mapped[str] = mapped_column(String(20), index=True)        # performing | ...
    fulfilment_percent: Mapped[str | None] = mapped_column(String(20))
    beyond_control: Mapped[bool | None] = mapped_column(Boolean)       # Art 28(4)
    refund_amount: Mapped[str | None] = mapped_column(String(30))      # Art 27(4)
    closed_on: Mapped[dt.date | None] = mapped_column(Date)
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())


class IndustrialContract(Base):
    """The register of off-take contracts (Art 1 sub 8-1, Art 48(6)), with guaranteed purchase
    agreements (Art 48-1) and the offset conditions of a contract (Art 49)."""

    __tablename__ = "producers_industrial_contracts"
    __table_args__ = (UniqueConstraint("number", name="uq_producers_industrial_contracts_number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(60))
    kind: Mapped[str] = mapped_column(String(30))        # offtake | guaranteed_purchase
    customer_bin: Mapped[str] = mapped_column(String(12), index=True)
    customer_name: Mapped[str] = mapped_column(String(300))
    supplier_bin: Mapped[str] = mapped_column(String(12), index=True)
    supplier_name: Mapped[str] = mapped_column(String(300))
    goods: Mapped[list[Any]] = mapped_column(JSON, default=list)
    concluded_on: Mapped[dt.date] = mapped_column(Date)
    ends_on: Mapped[dt.date] = mapped_column(Date)
    amount: Mapped[str] = mapped_column(String(30))
    domestic_value_min: Mapped[str | None] = mapped_column(String(20))
    offset_terms: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # Art 49 result
    plan_case_id: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), index=True)        # active | terminated
    termination: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())

    years: Mapped[list[ContractYear]] = relationship(
        back_populates="contract", order_by="ContractYear.year", cascade="all, delete-orphan")


class ContractYear(Base):
    """One calendar year of an off-take contract: the volume, what the customer accepted and
    the check of Art 48(2) (100% in year one, at least 50% later)."""

    __tablename__ = "producers_contract_years"
    __table_args__ = (UniqueConstraint("contract_id", "year",
                                       name="uq_producers_contract_years_contract_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    contract_id: Mapped[int] = mapped_column(
        ForeignKey("producers_industrial_contracts.id", ondelete="CASCADE"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    contracted: Mapped[str] = mapped_column(String(30))
    accepted: Mapped[str | None] = mapped_column(String(30))
    supplier_performed: Mapped[bool] = mapped_column(Boolean, default=True)
    status: Mapped[str] = mapped_column(String(20))     # planned | compliant | breach | not_owed
    checked_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())

    contract: Mapped[IndustrialContract] = relationship(back_populates="years")


class SystemicEnterprise(Base):
    """The authorized body's list of systemic enterprises (Art 47-1(1)-(2)), per region and
    year, with the share that put an enterprise on it (or not)."""

    __tablename__ = "producers_systemic_enterprises"
    __table_args__ = (UniqueConstraint("bin", "region", "year",
                                       name="uq_producers_systemic_enterprises_bin"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    bin: Mapped[str] = mapped_column(String(12), index=True)
    name: Mapped[str] = mapped_column(String(300))
    region: Mapped[str] = mapped_column(String(60))
    year: Mapped[int] = mapped_column(Integer)
    enterprise_output: Mapped[str] = mapped_column(String(30))
    territory_output: Mapped[str] = mapped_column(String(30))
    share: Mapped[str] = mapped_column(String(40))      # exact fraction as text
    systemic: Mapped[bool] = mapped_column(Boolean)
    recorded_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())


# --- domestic raw materials (Art 60) -------------------------------------------------------

class RawSupplyAgreement(Base):
    """A tripartite agreement to supply domestic raw materials (Art 60(1), (6)-(8)): the
    producer, the manufacturing enterprise and the authorized body; the price within the
    producer's minimum export price (Art 60(7))."""

    __tablename__ = "producers_raw_agreements"
    __table_args__ = (UniqueConstraint("number", name="uq_producers_raw_agreements_number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(60))
    raw_material: Mapped[str] = mapped_column(String(200))
    producer_bin: Mapped[str] = mapped_column(String(12), index=True)
    producer_name: Mapped[str] = mapped_column(String(300))
    manufacturer_bin: Mapped[str] = mapped_column(String(12), index=True)
    manufacturer_name: Mapped[str] = mapped_column(String(300))
    concluded_on: Mapped[dt.date] = mapped_column(Date)
    price: Mapped[str] = mapped_column(String(30))                  # per unit, exact text
    price_cap: Mapped[str | None] = mapped_column(String(30))       # None: not exported
    checks: Mapped[dict[str, Any]] = mapped_column(JSON)            # the explained checks
    status: Mapped[str] = mapped_column(String(20), index=True)     # active | terminated
    terminated_on: Mapped[dt.date | None] = mapped_column(Date)
    termination: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())

    periods: Mapped[list[RawSupplyPeriod]] = relationship(
        back_populates="agreement", order_by="RawSupplyPeriod.ends_on",
        cascade="all, delete-orphan")


class RawSupplyPeriod(Base):
    """Whether the producer fulfilled its supply obligations for a period (Art 60(9))."""

    __tablename__ = "producers_raw_periods"
    __table_args__ = (UniqueConstraint("agreement_id", "ends_on",
                                       name="uq_producers_raw_periods_agreement_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agreement_id: Mapped[int] = mapped_column(
        ForeignKey("producers_raw_agreements.id", ondelete="CASCADE"), index=True)
    ends_on: Mapped[dt.date] = mapped_column(Date)
    fulfilled: Mapped[bool] = mapped_column(Boolean)
    note: Mapped[str] = mapped_column(String(1000), default="")
    recorded_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())

    agreement: Mapped[RawSupplyAgreement] = relationship(back_populates="periods")


class RawManufacturerBan(Base):
    """A manufacturer that resold raw material received under an agreement may not take part
    in such agreements (Art 60(8))."""

    __tablename__ = "producers_raw_bans"
    __table_args__ = (UniqueConstraint("bin", name="uq_producers_raw_bans_bin"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    bin: Mapped[str] = mapped_column(String(12))
    since: Mapped[dt.date] = mapped_column(Date)
    agreement_number: Mapped[str] = mapped_column(String(60))
    recorded_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())


class ExportLicence(Base):
    """A decision on a licence to export a listed raw material (Art 60(9)): issued only to a
    producer that concluded its agreements and fulfilled them for the period before."""

    __tablename__ = "producers_raw_export_licences"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    producer_bin: Mapped[str] = mapped_column(String(12), index=True)
    producer_name: Mapped[str] = mapped_column(String(300))
    raw_material: Mapped[str] = mapped_column(String(200))
    decided_on: Mapped[dt.date] = mapped_column(Date)
    issued: Mapped[bool] = mapped_column(Boolean)
    number: Mapped[str | None] = mapped_column(String(60))
    unfulfilled: Mapped[list[Any]] = mapped_column(JSON, default=list)
    trace: Mapped[dict[str, Any]] = mapped_column(JSON)
    recorded_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())


# --- notices of the state register of legal entities (Art 51-6 para 2) ---------------------

class LegalEntityEvent(Base):
    """A liquidation or reorganisation notified by the state register of legal entities,
    kept once per source reference (a re-delivery changes nothing), with what it did to the
    register: removed, kept (transformation), or nothing (not in the register)."""

    __tablename__ = "producers_legal_entity_events"
    __table_args__ = (UniqueConstraint("source_ref",
                                       name="uq_producers_legal_entity_events_source_ref"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_ref: Mapped[str] = mapped_column(String(120))
    bin: Mapped[str] = mapped_column(String(12), index=True)
    kind: Mapped[str] = mapped_column(String(20))                # liquidation | reorganisation
    reorganisation_form: Mapped[str | None] = mapped_column(String(20))
    event_date: Mapped[dt.date] = mapped_column(Date)
    successor_bins: Mapped[list[Any]] = mapped_column(JSON, default=list)
    outcome: Mapped[str] = mapped_column(String(30))
    review: Mapped[bool] = mapped_column(Boolean, default=False)  # flagged for an officer
    trace: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    received_by: Mapped[str] = mapped_column(String(150))
    received_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())


# --- industrial grants' funds (Art 42(5)) ----------------------------------------------------

class GrantFundAllocation(Base):
    """Budget funds allocated for industrial grants in a financial year (Art 42(5)); what is
    left at the year's end is carried to the next year's grants (`grant_funds`)."""

    __tablename__ = "producers_grant_allocations"
    __table_args__ = (UniqueConstraint("year", name="uq_producers_grant_allocations_year"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    amount: Mapped[str] = mapped_column(String(30))              # KZT, exact text
    reference: Mapped[str] = mapped_column(String(300))
    recorded_by: Mapped[str] = mapped_column(String(150))
    recorded_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
