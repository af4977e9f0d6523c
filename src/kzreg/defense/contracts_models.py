"""Tables of the defense room's contracts and their execution (Law 236-VI Arts 22-29).

A contract is a `defense.contract` case (its state, timers and history); `defense_contracts`
holds its terms beside it. Execution records hang off the case: modification requests with
the validator's findings (Art 23), representatives (Art 24 p.2-3), lots presented to the
military representatives (Art 27) and the recipient's acceptance of each contract line
(Art 25 sub 6), the military representatives' control list (Art 27 p.2), information
requested from the contractor (Art 26 sub 1, Art 27 p.3), reclamations (Art 29), penalties
(Art 22 p.10) and the Art 22 p.12 notices sent. The state material reserve has its holdings
register and the uses of it (Art 24 p.4), each use a `defense.reserve_use` case with its
12-month deadline. Every row inherits or carries a secrecy level (Art 25 sub 3).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from kzreg.platform.db import Base, UtcDateTime

CASE_FK = "cases.id"


class DefenseContract(Base):
    """The terms of one state defense order contract (Art 22 p.4), one per contract case."""

    __tablename__ = "defense_contracts"

    case_id: Mapped[int] = mapped_column(ForeignKey(CASE_FK, ondelete="CASCADE"),
                                         primary_key=True)
    order_ref: Mapped[str] = mapped_column(String(100))        # the approving act's number
    order_item_ref: Mapped[str | None] = mapped_column(String(100))
    act_adopted_on: Mapped[dt.date] = mapped_column(Date)
    subject: Mapped[str] = mapped_column(String(500))
    category: Mapped[str] = mapped_column(String(10))
    recipient: Mapped[str] = mapped_column(String(300))
    contract_party: Mapped[str] = mapped_column(String(20))    # sdp_body | recipient
    contractor_bin: Mapped[str] = mapped_column(String(12), index=True)
    contractor_name: Mapped[str] = mapped_column(String(300))
    secrecy_level: Mapped[int] = mapped_column(Integer)
    value: Mapped[Decimal] = mapped_column(Numeric(18, 2))
    draft: Mapped[dict[str, Any]] = mapped_column(JSON)         # contracts.ContractDraft
    lines: Mapped[list[dict[str, Any]]] = mapped_column(JSON)   # modifications.Line
    yearly: Mapped[dict[str, Any]] = mapped_column(JSON)        # financial year -> amount
    mro_at_contractor: Mapped[bool] = mapped_column(Boolean)
    for_state_security_service: Mapped[bool] = mapped_column(Boolean)
    warranty_until: Mapped[dt.date | None] = mapped_column(Date)
    sent_on: Mapped[dt.date | None] = mapped_column(Date)
    received_on: Mapped[dt.date | None] = mapped_column(Date)
    signed_on: Mapped[dt.date | None] = mapped_column(Date)
    accepted_on: Mapped[dt.date | None] = mapped_column(Date)
    paid_on: Mapped[dt.date | None] = mapped_column(Date)
    suspended: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by: Mapped[str] = mapped_column(String(150))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())


class DefenseModification(Base):
    """A modification request and the Art 23 validator's verdict (refused ones stay too)."""

    __tablename__ = "defense_modifications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey(CASE_FK, ondelete="CASCADE"), index=True)
    ground: Mapped[str] = mapped_column(String(40))
    request: Mapped[dict[str, Any]] = mapped_column(JSON)
    allowed: Mapped[bool] = mapped_column(Boolean)
    failed: Mapped[list[str]] = mapped_column(JSON)
    value_before: Mapped[Decimal] = mapped_column(Numeric(18, 2))
    value_after: Mapped[Decimal] = mapped_column(Numeric(18, 2))
    explanation: Mapped[dict[str, Any]] = mapped_column(JSON)
    requested_by: Mapped[str] = mapped_column(String(150))
    requested_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())


class DefenseRepresentative(Base):
    """A representative sent to the contractor (Art 24 p.2-3)."""

    __tablename__ = "defense_representatives"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey(CASE_FK, ondelete="CASCADE"), index=True)
    person: Mapped[str] = mapped_column(String(200))
    sent_by: Mapped[str] = mapped_column(String(20))    # sdp_body | recipient
    mandate: Mapped[str] = mapped_column(String(30))    # monitoring | quality_acceptance
    from_on: Mapped[dt.date] = mapped_column(Date)
    recorded_by: Mapped[str] = mapped_column(String(150))
    recorded_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())


class DefenseLot(Base):
    """A lot presented to the military representatives and the recipient (Art 25, 27)."""

    __tablename__ = "defense_lots"
    __table_args__ = (UniqueConstraint("case_id", "number", name="uq_defense_lots_case_number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey(CASE_FK, ondelete="CASCADE"), index=True)
    number: Mapped[str] = mapped_column(String(60))
    lot: Mapped[dict[str, Any]] = mapped_column(JSON)               # acceptance.Lot
    suspended: Mapped[bool] = mapped_column(Boolean)
    suspension_reasons: Mapped[list[str]] = mapped_column(JSON)
    items: Mapped[list[str] | None] = mapped_column(JSON)  # the contract lines it delivers
    certificate: Mapped[str | None] = mapped_column(String(60))
    certified_on: Mapped[dt.date | None] = mapped_column(Date)
    accepted_on: Mapped[dt.date | None] = mapped_column(Date)
    recorded_by: Mapped[str] = mapped_column(String(150))
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())


class DefenseReclamation(Base):
    """A defect or failure within the warranty period and its handling (Art 29)."""

    __tablename__ = "defense_reclamations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey(CASE_FK, ondelete="CASCADE"), index=True)
    description: Mapped[str] = mapped_column(Text)
    found_on: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20))     # reported, decided, remedied
    finding: Mapped[dict[str, Any] | None] = mapped_column(JSON)    # reclamation.Finding
    outcome: Mapped[dict[str, Any] | None] = mapped_column(JSON)    # reclamation.Outcome
    reported_by: Mapped[str] = mapped_column(String(150))
    reported_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())


class DefensePenalty(Base):
    """A penalty assessed for non-performance, credited to the republican budget (Art 22 p.10)."""

    __tablename__ = "defense_penalties"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey(CASE_FK, ondelete="CASCADE"), index=True)
    amount: Mapped[Decimal] = mapped_column(Numeric(18, 2))
    reason: Mapped[str] = mapped_column(String(500))
    assessed_on: Mapped[dt.date] = mapped_column(Date)
    recovered_by: Mapped[str] = mapped_column(String(20))
    credited_to: Mapped[str] = mapped_column(String(60))
    recovered_on: Mapped[dt.date | None] = mapped_column(Date)
    recorded_by: Mapped[str] = mapped_column(String(150))
    recorded_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())


class DefenseContractNotice(Base):
    """An Art 22 p.12 notice sent to the SDP body; `key` makes each event notified once."""

    __tablename__ = "defense_contract_notices"
    __table_args__ = (UniqueConstraint("case_id", "event", "key",
                                       name="uq_defense_contract_notices_event"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey(CASE_FK, ondelete="CASCADE"), index=True)
    event: Mapped[str] = mapped_column(String(30))
    key: Mapped[str] = mapped_column(String(120))
    subject: Mapped[str] = mapped_column(String(300))
    occurred_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    sent_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    recipients: Mapped[int] = mapped_column(Integer)


class DefenseReserveHolding(Base):
    """State material reserve assets actually available, transferred for storage to a
    facility or a mobilization-order organization (Art 24 p.4; register R7-R8)."""

    __tablename__ = "defense_reserve_holdings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    holder_bin: Mapped[str] = mapped_column(String(12), index=True)
    holder_name: Mapped[str] = mapped_column(String(300))
    holder_kind: Mapped[str] = mapped_column(String(40))  # reserve_use.ALLOWED_USERS or other
    sdo_contractor: Mapped[bool] = mapped_column(Boolean)
    nomenclature: Mapped[str] = mapped_column(String(300))
    unit: Mapped[str] = mapped_column(String(20))
    available: Mapped[Decimal] = mapped_column(Numeric(18, 3))
    recorded_on: Mapped[dt.date] = mapped_column(Date)
    secrecy_level: Mapped[int] = mapped_column(Integer)
    recorded_by: Mapped[str] = mapped_column(String(150))
    recorded_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())


class DefenseReserveUse(Base):
    """A use of reserve assets to execute the order, to be supplied back within 12 months."""

    __tablename__ = "defense_reserve_uses"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    holding_id: Mapped[int] = mapped_column(ForeignKey("defense_reserve_holdings.id"),
                                            index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey(CASE_FK, ondelete="CASCADE"), unique=True)
    contract_case_id: Mapped[int | None] = mapped_column(ForeignKey(CASE_FK))
    quantity: Mapped[Decimal] = mapped_column(Numeric(18, 3))
    used_on: Mapped[dt.date] = mapped_column(Date)
    replenish_by: Mapped[dt.date] = mapped_column(Date)
    replenished: Mapped[Decimal] = mapped_column(Numeric(18, 3))
    replenished_on: Mapped[dt.date | None] = mapped_column(Date)
    explanation: Mapped[dict[str, Any]] = mapped_column(JSON)
    recorded_by: Mapped[str] = mapped_column(String(150))
    recorded_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())


class DefenseLineAcceptance(Base):
    """The recipient's acceptance of one contract line (nomenclature item), from a lot
    (Art 25 sub 6, 9, 10); the contract is fulfilled by the contractor when every line is."""

    __tablename__ = "defense_line_acceptances"
    __table_args__ = (UniqueConstraint("case_id", "item",
                                       name="uq_defense_line_acceptances_item"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey(CASE_FK, ondelete="CASCADE"), index=True)
    item: Mapped[str] = mapped_column(String(300))
    lot_number: Mapped[str] = mapped_column(String(60))
    accepted_on: Mapped[dt.date] = mapped_column(Date)
    accepted_by: Mapped[str] = mapped_column(String(150))
    accepted_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())


class DefenseControlList(Base):
    """The military representatives' list of the contract's goods, works and services subject
    to their control and acceptance, approved by the contract's state party (Art 27 p.2)."""

    __tablename__ = "defense_control_lists"

    case_id: Mapped[int] = mapped_column(ForeignKey(CASE_FK, ondelete="CASCADE"),
                                         primary_key=True)
    items: Mapped[list[dict[str, Any]]] = mapped_column(JSON)     # {item, scope}
    developed_by: Mapped[str] = mapped_column(String(150))
    developed_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    approved_on: Mapped[dt.date | None] = mapped_column(Date)
    approved_by: Mapped[str | None] = mapped_column(String(150))
    approver: Mapped[str | None] = mapped_column(String(20))       # sdp_body | recipient


class DefenseInformationRequest(Base):
    """Information requested from the contractor: by the SDP body or the recipient on its
    activities (Art 26 sub 1), or by the military representatives for a function of
    Art 27 p.3. `reply_by` is the requester's date: the Law sets no term."""

    __tablename__ = "defense_information_requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey(CASE_FK, ondelete="CASCADE"), index=True)
    requester: Mapped[str] = mapped_column(String(30))   # sdp_body | recipient | military_...
    purpose: Mapped[str | None] = mapped_column(String(40))
    basis: Mapped[str] = mapped_column(String(60))       # Citation.ref
    subject: Mapped[str] = mapped_column(Text)
    asked_on: Mapped[dt.date] = mapped_column(Date)
    reply_by: Mapped[dt.date | None] = mapped_column(Date)
    asked_by: Mapped[str] = mapped_column(String(150))
    asked_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    answered_on: Mapped[dt.date | None] = mapped_column(Date)
    answer: Mapped[str | None] = mapped_column(Text)
    answered_by: Mapped[str | None] = mapped_column(String(150))
