"""The register of Kazakhstani commodity producers (Law 86-VII Arts 51-1..51-7) as tables:
the entries (one per business entity, by BIN), their goods with the share of domestic value
printed on the extract (Art 51-1(8)), the monitoring runs (Art 51-4(1)) and the quarters
that passed without one (breaches of the duty to monitor)."""

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
