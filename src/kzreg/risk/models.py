"""The risk room's tables: the register of subjects, their controls (with the filled
checklist and the counts the indicator reads), the severities an administrator loaded and
the exemptions of fair subjects (Cr §14)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from kzreg.platform.db import Base, UtcDateTime


class RiskSubject(Base):
    """A subject of control in technical regulation (Cr §2(11)) and its Cr §15 conditions."""

    __tablename__ = "risk_subjects"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(60), unique=True)      # register id
    bin: Mapped[str | None] = mapped_column(String(12), index=True)
    name: Mapped[str] = mapped_column(String(300))
    type: Mapped[str] = mapped_column(String(40), index=True)
    region: Mapped[str | None] = mapped_column(String(60))
    insured: Mapped[bool] = mapped_column(Boolean, default=False)
    legally_exempt: Mapped[bool] = mapped_column(Boolean, default=False)
    sro_recognized: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())


class RiskControl(Base):
    """A control held on a subject: its form, date, findings and whether violations were
    fully eliminated (Cr §10)."""

    __tablename__ = "risk_controls"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("risk_subjects.id", ondelete="CASCADE"),
                                            index=True)
    kind: Mapped[str] = mapped_column(String(40))
    held_on: Mapped[dt.date] = mapped_column(Date, index=True)
    gross: Mapped[int] = mapped_column(Integer, default=0)
    considerable_found: Mapped[int] = mapped_column(Integer, default=0)
    considerable_total: Mapped[int] = mapped_column(Integer, default=0)
    insignificant_found: Mapped[int] = mapped_column(Integer, default=0)
    insignificant_total: Mapped[int] = mapped_column(Integer, default=0)
    checklist: Mapped[str | None] = mapped_column(String(20))       # "Cr-App2"
    violated: Mapped[list[str]] = mapped_column(JSON, default=list)  # requirement ids
    not_applicable: Mapped[list[str]] = mapped_column(JSON, default=list)
    items: Mapped[list[int]] = mapped_column(JSON, default=list)    # JO-App5 item numbers
    eliminated: Mapped[bool] = mapped_column(Boolean, default=False)
    explanation: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    recorded_by: Mapped[str] = mapped_column(String(150))
    recorded_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())


class RiskSeverity(Base):
    """The severity of a requirement (Cr §2(3)-(5)), loaded from the official text."""

    __tablename__ = "risk_severities"

    requirement_id: Mapped[str] = mapped_column(String(20), primary_key=True)
    severity: Mapped[str] = mapped_column(String(20))
    source: Mapped[str] = mapped_column(String(300))
    loaded_by: Mapped[str] = mapped_column(String(150))
    loaded_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())


class RiskExemption(Base):
    """An officer's decision exempting a fair subject from preventive control with visit and
    checks for a period (Cr §14), with the indicator it was decided on."""

    __tablename__ = "risk_exemptions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("risk_subjects.id", ondelete="CASCADE"),
                                            index=True)
    starts_on: Mapped[dt.date] = mapped_column(Date)
    ends_on: Mapped[dt.date] = mapped_column(Date, index=True)      # last day, inclusive
    reason: Mapped[str] = mapped_column(String(1000))
    indicator: Mapped[str] = mapped_column(String(60))              # exact, when decided
    degree: Mapped[str] = mapped_column(String(20))                 # Cr §12, when decided
    decided_by: Mapped[str] = mapped_column(String(150))
    decided_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())


class RiskOrder(Base):
    """A rapid-response order's case (Cr §16-2, §16-3) with the subject and control it
    follows, so a subject's orders are found without reading every case."""

    __tablename__ = "risk_orders"

    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"),
                                         primary_key=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("risk_subjects.id", ondelete="CASCADE"),
                                            index=True)
    control_id: Mapped[int] = mapped_column(ForeignKey("risk_controls.id", ondelete="CASCADE"))
    measure: Mapped[str] = mapped_column(String(20))               # prohibition | withdrawal
