"""Tables of the industrial assembly room: Letters of Confirmation and recorded benefits.

The agreement itself is a platform case (`assembly.agreement`, see `workflow.py`); these
tables keep what the Rules make a register of its own:

* `assembly_letters` — every Letter of Confirmation with the points it states (R §26) and
  each update (R §27-29): one row per version, never changed.
* `assembly_benefits` — the state support received under the agreement's FEACN code, the
  sum a manufacturer reimburses when the agreement ends for its failure (R §22; Law 86-VII
  Art 62(6)); setting assembly.benefit_reimbursement_basis.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from kzreg.platform.db import Base, UtcDateTime


class ConfirmationLetter(Base):
    """One version of a Letter of Confirmation (R §26; updates R §27-29)."""

    __tablename__ = "assembly_letters"
    __table_args__ = (UniqueConstraint("case_id", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    issued_on: Mapped[dt.date] = mapped_column(Date)
    total: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    threshold: Mapped[int | None] = mapped_column(Integer)
    meets_threshold: Mapped[bool | None] = mapped_column(Boolean)
    lines: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    basis: Mapped[str] = mapped_column(String(200))           # Citation.ref
    document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"))
    issued_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    issued_by: Mapped[str] = mapped_column(String(150))


class Benefit(Base):
    """A benefit (state support) provided under the agreement's FEACN code (R §22)."""

    __tablename__ = "assembly_benefits"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    granted_on: Mapped[dt.date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(200))
    amount: Mapped[Decimal] = mapped_column(Numeric(18, 2))  # tenge
    recorded_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    recorded_by: Mapped[str] = mapped_column(String(150))
