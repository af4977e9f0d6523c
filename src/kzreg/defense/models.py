"""The defense room's tables for the order (Law 236-VI), every row with its secrecy level
(Art 25 sub 3):

- the register of domestic producers and suppliers (Art 6-1 sub 11, Art 20 p.4) and the
  dated versions of the list of offshore zones (Art 20 p.10);
- recipients' applications (Art 25 sub 1-2) with the research pipeline's expert opinion
  and DSTC decision (Art 21 p.1), and the DSTC's specialized scientific areas (Art 21 p.2);
- the order: a draft and its lines (Art 19 p.3), approved by a Government act (Art 5
  sub 8) after which it is never edited (Art 19 p.4);
- military operational requirements (TTS) and their versions (Art 20 p.2, Art 25 sub 5);
- contractor selections with the envelope-opening record (Art 20 p.3-10);
- amendments of an approved order, each a new dated version approved by its own Government
  act (Art 23 p.1 sub 2), the approved versions never edited (Art 19 p.4);
- the expert councils of the DSTC's areas (Art 21 p.5-6) and the reports on completed
  research: examined, considered by the DSTC, approved (Art 21 p.2, p.4; Art 6-1 sub 19);
- the first head's lists and special state bodies' lists (Art 19 p.1 part 3, p.2 parts
  2-3), reserve refresh transfers (Art 20 p.3), tasks communicated to contractors
  (Art 6-1 sub 13, Art 25 sub 4), prototypes and their adoption (Art 21 p.8, Art 7
  sub 11-13); budget reallocations are versions of the order (Art 6-1 sub 16).

Exact amounts and quantities are kept as decimal text: SQLite has no exact decimal type."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
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


class DefenseResearchArea(Base):
    """A specialized scientific area approved by the DSTC (Art 21 p.2 task 2)."""

    __tablename__ = "defense_research_areas"

    code: Mapped[str] = mapped_column(String(100), primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    approved_on: Mapped[dt.date] = mapped_column(Date)
    dstc_decision: Mapped[str] = mapped_column(String(200))
    secrecy_level: Mapped[int] = mapped_column(Integer, default=0)
    recorded_by: Mapped[str] = mapped_column(String(150))
    recorded_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())


class DefenseApplication(Base):
    """A recipient's application for a need or for research (Art 25 sub 1-2)."""

    __tablename__ = "defense_applications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    recipient: Mapped[str] = mapped_column(String(300))
    category: Mapped[str] = mapped_column(String(8))
    nomenclature: Mapped[str] = mapped_column(String(300))
    quantity: Mapped[str] = mapped_column(String(40))
    unit: Mapped[str] = mapped_column(String(30))
    planning_period: Mapped[str] = mapped_column(String(40), index=True)
    justification: Mapped[str] = mapped_column(Text)
    place_of_delivery: Mapped[str] = mapped_column(String(300))
    research_area: Mapped[str | None] = mapped_column(String(100))
    in_head_list: Mapped[bool] = mapped_column(Boolean, default=False)
    special_state_body: Mapped[bool] = mapped_column(Boolean, default=False)
    submitted_on: Mapped[dt.date] = mapped_column(Date)
    problems: Mapped[list[str]] = mapped_column(JSON)          # empty: goes to the draft
    expert_opinion: Mapped[str | None] = mapped_column(Text)   # research: Art 21 p.4-5
    dstc_selected: Mapped[bool] = mapped_column(Boolean, default=False)
    dstc_decision: Mapped[str | None] = mapped_column(String(200))
    secrecy_level: Mapped[int] = mapped_column(Integer, default=0)
    recorded_by: Mapped[str] = mapped_column(String(150))
    recorded_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())


class DefenseOrder(Base):
    """A state defense order: a draft, then the Government act approving it."""

    __tablename__ = "defense_orders"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    planning_period: Mapped[str] = mapped_column(String(40))
    funds_holder: Mapped[str] = mapped_column(String(20))       # recipient | sdp_body
    allocated_funds: Mapped[str | None] = mapped_column(String(40))
    recipients: Mapped[list[str]] = mapped_column(JSON)
    contractors: Mapped[list[str]] = mapped_column(JSON)        # BINs
    status: Mapped[str] = mapped_column(String(20), default="draft")   # draft | approved
    act_number: Mapped[str | None] = mapped_column(String(100))
    act_date: Mapped[dt.date | None] = mapped_column(Date)
    approved_by: Mapped[str | None] = mapped_column(String(150))
    approved_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    secrecy_level: Mapped[int] = mapped_column(Integer, default=0)
    created_by: Mapped[str] = mapped_column(String(150))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())


class DefenseOrderLine(Base):
    """A position of the order (Art 19 p.3 sub 1-2); `status` says whether selection left it
    in the order or excluded it (Art 20 p.6)."""

    __tablename__ = "defense_order_lines"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("defense_orders.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    nomenclature: Mapped[str] = mapped_column(String(300))
    category: Mapped[str] = mapped_column(String(8))
    quantity: Mapped[str] = mapped_column(String(40))
    unit: Mapped[str] = mapped_column(String(30))
    unit_price: Mapped[str] = mapped_column(String(40))
    deadline: Mapped[dt.date | None] = mapped_column(Date)
    recipient: Mapped[str] = mapped_column(String(300))
    contractor_bin: Mapped[str | None] = mapped_column(String(12), index=True)
    section: Mapped[str] = mapped_column(String(100))
    stage: Mapped[str] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(40), default="in_order")
    application_id: Mapped[int | None] = mapped_column(ForeignKey("defense_applications.id"))
    secrecy_level: Mapped[int] = mapped_column(Integer, default=0)


class DefenseRequirement(Base):
    """The military operational requirement (TTS) for one item, by its recipient."""

    __tablename__ = "defense_requirements"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item: Mapped[str] = mapped_column(String(300))
    recipient: Mapped[str] = mapped_column(String(300))
    line_id: Mapped[int | None] = mapped_column(ForeignKey("defense_order_lines.id"))
    secrecy_level: Mapped[int] = mapped_column(Integer, default=0)
    created_by: Mapped[str] = mapped_column(String(150))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())


class DefenseRequirementVersion(Base):
    """One version of a requirement: drafted, approved, sent, frozen for a selection."""

    __tablename__ = "defense_requirement_versions"
    __table_args__ = (UniqueConstraint("requirement_id", "number",
                                       name="uq_defense_requirement_versions_number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    requirement_id: Mapped[int] = mapped_column(ForeignKey("defense_requirements.id"),
                                                index=True)
    number: Mapped[int] = mapped_column(Integer)
    characteristics: Mapped[dict[str, str]] = mapped_column(JSON)
    place_of_delivery: Mapped[str] = mapped_column(String(300))
    national_standards: Mapped[list[str]] = mapped_column(JSON)
    approved_on: Mapped[dt.date | None] = mapped_column(Date)
    sent_on: Mapped[dt.date | None] = mapped_column(Date)
    frozen_for: Mapped[str | None] = mapped_column(String(100))
    secrecy_level: Mapped[int] = mapped_column(Integer, default=0)
    recorded_by: Mapped[str] = mapped_column(String(150))
    recorded_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())


class DefenseSelection(Base):
    """A run of the Art 20 cascade for one line, on stored data, with what it was given
    (the competition and its envelope-opening meeting) and its explanation."""

    __tablename__ = "defense_selections"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    line_id: Mapped[int] = mapped_column(ForeignKey("defense_order_lines.id"), index=True)
    held_on: Mapped[dt.date] = mapped_column(Date)
    inputs: Mapped[dict[str, Any]] = mapped_column(JSON)
    participants: Mapped[list[str]] = mapped_column(JSON)      # BINs (contractors' scope)
    outcome: Mapped[str] = mapped_column(String(60))
    contractor_bin: Mapped[str | None] = mapped_column(String(12))
    review: Mapped[list[str]] = mapped_column(JSON)
    explanation: Mapped[dict[str, Any]] = mapped_column(JSON)
    secrecy_level: Mapped[int] = mapped_column(Integer, default=0)
    recorded_by: Mapped[str] = mapped_column(String(150))
    recorded_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())



class DefenseOrderAmendment(Base):
    """Version 2, 3, … of an approved order: a draft prepared from the version before it,
    then approved by its own Government act. `lines` is the whole version (each line with its
    `ref`, stable across versions: "L<line id>" for the original lines, "V<n>-<k>" for a line
    a version added) and what changed in it."""

    __tablename__ = "defense_order_amendments"
    __table_args__ = (UniqueConstraint("order_id", "number",
                                       name="uq_defense_order_amendments_number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("defense_orders.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), default="draft")   # draft | approved
    # amendment: a Government act (Art 23 p.1 sub 2); reallocation: the decision of the
    # body whose budget holds the funds (Art 6-1 sub 16; Art 25 sub 11)
    kind: Mapped[str] = mapped_column(String(20), default="amendment",
                                      server_default="amendment")
    trigger: Mapped[str | None] = mapped_column(String(40))
    deciding_body: Mapped[str | None] = mapped_column(String(40))
    reason: Mapped[str] = mapped_column(Text)
    lines: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    recipients: Mapped[list[str]] = mapped_column(JSON)
    contractors: Mapped[list[str]] = mapped_column(JSON)
    allocated_funds: Mapped[str | None] = mapped_column(String(40))
    act_number: Mapped[str | None] = mapped_column(String(100))
    act_date: Mapped[dt.date | None] = mapped_column(Date)
    secrecy_level: Mapped[int] = mapped_column(Integer, default=0)
    created_by: Mapped[str] = mapped_column(String(150))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    approved_by: Mapped[str | None] = mapped_column(String(150))
    approved_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())


class DefenseExpertCouncil(Base):
    """The expert council of a specialized scientific area (Art 21 p.5), its composition
    approved by the authorised body (Art 21 p.6; Art 6 sub 34)."""

    __tablename__ = "defense_expert_councils"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    area_code: Mapped[str] = mapped_column(ForeignKey("defense_research_areas.code"),
                                           unique=True)
    name: Mapped[str] = mapped_column(String(300))
    composition_act: Mapped[str] = mapped_column(String(200))
    composition_approved_on: Mapped[dt.date] = mapped_column(Date)
    members: Mapped[list[dict[str, str]]] = mapped_column(JSON)
    secrecy_level: Mapped[int] = mapped_column(Integer, default=0)
    recorded_by: Mapped[str] = mapped_column(String(150))
    recorded_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())


class DefenseResearchReport(Base):
    """A report on completed research: submitted, examined by the area's expert council
    (Art 21 p.4), considered by the DSTC (Art 21 p.2 task 4), approved by the body whose
    budget holds the funds (Art 6-1 sub 19; Art 7 sub 14-2)."""

    __tablename__ = "defense_research_reports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("defense_applications.id"),
                                                index=True)
    title: Mapped[str] = mapped_column(String(300))
    submitted_on: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="submitted")
    council_opinion: Mapped[str | None] = mapped_column(Text)
    examined_on: Mapped[dt.date | None] = mapped_column(Date)
    dstc_minutes: Mapped[str | None] = mapped_column(String(200))
    considered_on: Mapped[dt.date | None] = mapped_column(Date)
    approved_on: Mapped[dt.date | None] = mapped_column(Date)
    approving_body: Mapped[str | None] = mapped_column(String(40))
    approval_act: Mapped[str | None] = mapped_column(String(200))
    secrecy_level: Mapped[int] = mapped_column(Integer, default=0)
    recorded_by: Mapped[str] = mapped_column(String(150))
    recorded_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())

class DefenseItemList(Base):
    """A list deciding what a state body buys within the order, as approved (a later list
    of the same body and kind replaces it from its date):

    - `head_list`: the first head's list of items of categories 1-1, 2, 3, 7 and 12, in force
      once agreed (Art 19 p.2 parts 2-3; Art 7 sub 9);
    - `special_body_list`: a special state body's list of items it includes in the order,
      part of its budget request (Art 19 p.1 part 3)."""

    __tablename__ = "defense_item_lists"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(30))
    state_body: Mapped[str] = mapped_column(String(300), index=True)
    approved_by: Mapped[str] = mapped_column(String(300))
    approval_act: Mapped[str] = mapped_column(String(200))
    approved_on: Mapped[dt.date] = mapped_column(Date)
    agreeing_body: Mapped[str | None] = mapped_column(String(40))
    agreement_ref: Mapped[str | None] = mapped_column(String(200))
    agreed_on: Mapped[dt.date | None] = mapped_column(Date)
    effective_from: Mapped[dt.date] = mapped_column(Date, index=True)
    items: Mapped[list[dict[str, str]]] = mapped_column(JSON)    # {category, nomenclature}
    secrecy_level: Mapped[int] = mapped_column(Integer, default=0)
    recorded_by: Mapped[str] = mapped_column(String(150))
    recorded_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())


class DefenseReserveTransfer(Base):
    """The decision to transfer state material reserve assets released for their refresh
    to the recipient instead of buying the line (Art 20 p.3); the recipient pays the
    transport."""

    __tablename__ = "defense_reserve_transfers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    line_id: Mapped[int] = mapped_column(ForeignKey("defense_order_lines.id"), index=True)
    decided_on: Mapped[dt.date] = mapped_column(Date)
    decision_ref: Mapped[str] = mapped_column(String(200))
    assets: Mapped[str] = mapped_column(String(300))
    quantity: Mapped[str] = mapped_column(String(40))
    release_act: Mapped[str] = mapped_column(String(300))     # released for refresh
    requirements_met: Mapped[str] = mapped_column(Text)       # how they meet the TTS
    transport_paid_by: Mapped[str] = mapped_column(String(40))
    secrecy_level: Mapped[int] = mapped_column(Integer, default=0)
    recorded_by: Mapped[str] = mapped_column(String(150))
    recorded_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())


class DefenseTaskNotice(Base):
    """The task of an approved order communicated to its contractor: what was sent, when,
    by which body (Art 6-1 sub 13; Art 7 sub 8; Art 25 sub 4)."""

    __tablename__ = "defense_task_notices"
    __table_args__ = (UniqueConstraint("order_id", "line_ref", "version",
                                       name="uq_defense_task_notices_line_version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("defense_orders.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    line_ref: Mapped[str] = mapped_column(String(40))
    contractor_bin: Mapped[str] = mapped_column(String(12), index=True)
    communicated_on: Mapped[dt.date] = mapped_column(Date)
    communicated_by: Mapped[str] = mapped_column(String(40))     # competence body
    document_ref: Mapped[str] = mapped_column(String(200))
    contents: Mapped[dict[str, Any]] = mapped_column(JSON)
    secrecy_level: Mapped[int] = mapped_column(Integer, default=0)
    recorded_by: Mapped[str] = mapped_column(String(150))
    recorded_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())


class DefensePrototype(Base):
    """A prototype, the result of design and experimental works in the order (Art 21 p.8;
    Art 1 sub 26-2, 26-3): made, state-tested under the testing rules (Art 6-1 sub 20;
    Art 7 sub 11), accepted for introduction into service (Art 7 sub 13), its documents for
    mass production reconciled (Art 7 sub 12)."""

    __tablename__ = "defense_prototypes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("defense_applications.id"),
                                                index=True)
    name: Mapped[str] = mapped_column(String(300))
    made_on: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(30), default="made")
    testing_rules: Mapped[str | None] = mapped_column(String(300))
    tested_on: Mapped[dt.date | None] = mapped_column(Date)
    test_report: Mapped[str | None] = mapped_column(Text)
    testing_body: Mapped[str | None] = mapped_column(String(40))
    accepted_on: Mapped[dt.date | None] = mapped_column(Date)
    acceptance_act: Mapped[str | None] = mapped_column(String(200))
    accepting_body: Mapped[str | None] = mapped_column(String(40))
    documents_on: Mapped[dt.date | None] = mapped_column(Date)
    documents_ref: Mapped[str | None] = mapped_column(String(300))
    secrecy_level: Mapped[int] = mapped_column(Integer, default=0)
    recorded_by: Mapped[str] = mapped_column(String(150))
    recorded_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())


# Contracts and their execution keep their tables beside the contract rules; imported here so
# that Alembic and `Base.metadata` see them.
from kzreg.defense import contracts_models  # noqa: E402, F401
