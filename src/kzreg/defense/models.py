"""The defense room's tables for the order's registers (Law 236-VI): the register of domestic
producers and suppliers (Art 6-1 sub 11, Art 20 p.4) and the versions of the list of
offshore zones (Art 20 p.10). Every row carries a secrecy level (Art 25 sub 3)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Date, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from kzreg.platform.db import Base, UtcDateTime


class DefenseRegisterEntry(Base):
    """One inclusion of an entity in the register, closed by its removal."""

    __tablename__ = "defense_register_entries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    bin: Mapped[str] = mapped_column(String(12), index=True)
    entity: Mapped[dict[str, Any]] = mapped_column(JSON)        # registers.Entity, with owners
    kinds: Mapped[list[str]] = mapped_column(JSON)
    categories: Mapped[list[str]] = mapped_column(JSON)
    included_on: Mapped[dt.date] = mapped_column(Date)
    decision: Mapped[str] = mapped_column(String(300))
    removed_on: Mapped[dt.date | None] = mapped_column(Date)
    removal_reason: Mapped[str | None] = mapped_column(String(300))
    secrecy_level: Mapped[int] = mapped_column(Integer, default=0)
    recorded_by: Mapped[str] = mapped_column(String(150))
    recorded_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())


class DefenseOffshoreList(Base):
    """A version of the list of offshore zones as approved, with the day it took effect."""

    __tablename__ = "defense_offshore_lists"

    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    approved_by: Mapped[str] = mapped_column(String(300))
    effective_from: Mapped[dt.date] = mapped_column(Date, index=True)
    jurisdictions: Mapped[list[str]] = mapped_column(JSON)
    loaded_by: Mapped[str] = mapped_column(String(150))
    loaded_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
