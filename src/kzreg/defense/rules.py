"""Registers the defense rules of Law 236-VI (found by convention, kzreg.platform.plugins).

Rule ids and clauses:
  defense.route               Art 19 p.1-2, Art 20 p.6   within the order or public procurement
  defense.order-content       Art 19 p.3, Art 24 p.1      a draft order's mandatory content
  defense.register-inclusion  Art 1 sub 2, 5, 24          who may be in the register
  defense.offshore-gate       Art 20 p.8-10               offshore registration or owner
  defense.selection           Art 20 p.3-9, Art 21 p.1    the contractor selection cascade
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from pydantic import BaseModel, Field

from kzreg.defense import order, registers, selection
from kzreg.defense._law import art
from kzreg.law.explain import Explained
from kzreg.law.rules import rule


class RouteInput(BaseModel):
    category: str = Field(description='Art 19 p.2 category: "1", "1-1", … "12"')
    in_head_list: bool = Field(False, description="On the first head's list (1-1, 2, 3, 7, 12)")
    special_state_body: bool = False
    ao_cannot_supply: bool = Field(False, description="The authorized organization cannot "
                                   "supply (import) it (Art 20 p.6)")


@rule("defense.route", title="Within the state defense order or public procurement",
      citation=art("Art 19 p.2"), inputs=RouteInput)
def route(inp: RouteInput, as_of: dt.date) -> Explained:
    return order.route(inp.category, in_head_list=inp.in_head_list,
                       special_state_body=inp.special_state_body,
                       ao_cannot_supply=inp.ao_cannot_supply)


class LineInput(BaseModel):
    nomenclature: str
    category: str
    quantity: Decimal
    unit_price: Decimal
    deadline: dt.date | None = None
    recipient: str
    contractor: str
    section: str = ""
    stage: str = ""
    secrecy_level: int = Field(0, ge=0, le=3)


class DraftInput(BaseModel):
    planning_period: str
    lines: list[LineInput]
    recipients: list[str] = Field(default_factory=list)
    contractors: list[str] = Field(default_factory=list)
    allocated_funds: Decimal | None = None

    def to_draft(self) -> order.Draft:
        return order.Draft(self.planning_period,
                           tuple(order.Line(**line.model_dump()) for line in self.lines),
                           tuple(self.recipients), tuple(self.contractors),
                           self.allocated_funds)


@rule("defense.order-content", title="Mandatory content of a draft state defense order",
      citation=art("Art 19 p.3"), inputs=DraftInput)
def order_content(inp: DraftInput, as_of: dt.date) -> Explained:
    return order.validate(inp.to_draft(), as_of)


class OwnerInput(BaseModel):
    name: str
    legal_entity: bool = True
    jurisdiction: str


class EntityInput(BaseModel):
    bin: str
    name: str = ""
    legal_entity: bool = True
    resident: bool = True
    jurisdiction: str = "KZ"
    production_facilities_in_kz: bool = False
    able_to_perform: bool = True
    protects_classified: bool = False
    protection_level: int = Field(0, ge=0, le=3)
    owners: list[OwnerInput] = Field(default_factory=list)

    def to_entity(self) -> registers.Entity:
        data = self.model_dump(exclude={"owners"})
        return registers.Entity(**data, owners=tuple(registers.Owner(**o.model_dump())
                                                     for o in self.owners))


class InclusionInput(BaseModel):
    entity: EntityInput
    kinds: list[registers.Kind] = Field(min_length=1)


@rule("defense.register-inclusion", title="May an entity be in the register of domestic "
      "producers and suppliers", citation=art("Art 1 sub 24"), inputs=InclusionInput)
def register_inclusion(inp: InclusionInput, as_of: dt.date) -> Explained:
    return registers.check_inclusion(inp.entity.to_entity(), tuple(inp.kinds), as_of)


class OffshoreListInput(BaseModel):
    id: str
    approved_by: str
    effective_from: dt.date
    jurisdictions: list[str]

    def to_list(self) -> registers.OffshoreList:
        return registers.OffshoreList(self.id, self.approved_by, self.effective_from,
                                      frozenset(j.upper() for j in self.jurisdictions))


class GateInput(BaseModel):
    entity: EntityInput
    purpose: selection.Purpose = selection.Purpose.EXECUTE
    research: bool = False
    special_state_body: bool = False
    offshore_list: OffshoreListInput | None = Field(None, description="The list in force; "
                                                    "default: the loaded list on the date")


@rule("defense.offshore-gate", title="Offshore registration or beneficial owner bars "
      "executing the order", citation=art("Art 20 p.10"), inputs=GateInput)
def offshore(inp: GateInput, as_of: dt.date) -> Explained:
    zones = inp.offshore_list.to_list() if inp.offshore_list else None
    return selection.offshore_gate(inp.entity.to_entity(), as_of, purpose=inp.purpose,
                                   research=inp.research,
                                   special_state_body=inp.special_state_body, zones=zones)


class MemberInput(BaseModel):
    entity: EntityInput
    categories: list[str]
    included_on: dt.date
    removed_on: dt.date | None = None


class OpeningInput(BaseModel):
    held_on: dt.date
    members: list[str]
    signed_by: list[str]
    envelopes: list[str]
    present: list[str] = Field(default_factory=list)
    audio_ref: str | None = None
    video_ref: str | None = None


class CompetitionInput(BaseModel):
    participants: list[str] = Field(description="BINs of register members taking part")
    winner: str | None = None
    opening: OpeningInput | None = None


class SelectionInput(BaseModel):
    category: str
    secrecy_level: int = Field(0, ge=0, le=3)
    special_state_body: bool = False
    dstc_selected: bool = False
    reserve_refresh_match: bool = False
    reserve_supplier: EntityInput | None = None
    members: list[MemberInput] = Field(default_factory=list, description="The register")
    competition: CompetitionInput | None = None
    special_body_contractor: EntityInput | None = None
    authorized_organization: EntityInput | None = None
    ao_can_supply: bool = True
    after_exclusion: str = "public_procurement"
    offshore_list: OffshoreListInput | None = None
    on_list: bool | None = Field(None, description="On the first head's or the special state "
                                 "body's list (None: no list decides)")


@rule("defense.selection", title="Contractor selection cascade", citation=art("Art 20"),
      inputs=SelectionInput)
def select(inp: SelectionInput, as_of: dt.date) -> Explained:
    book = registers.Register()
    for m in inp.members:
        book.entries[m.entity.bin] = registers.Entry(
            m.entity.to_entity(), (registers.Kind.PRODUCER,), tuple(m.categories),
            m.included_on, "given", m.removed_on)
    contest = None
    if inp.competition is not None:
        known = {m.entity.bin: m.entity.to_entity() for m in inp.members}
        people = tuple(known.get(b) or registers.Entity(b, b) for b in
                       inp.competition.participants)
        opening = (selection.EnvelopeOpening(**{k: tuple(v) if isinstance(v, list) else v
                                                for k, v in inp.competition.opening})
                   if inp.competition.opening else None)
        contest = selection.Competition(people, inp.competition.winner, opening)

    def entity(e: EntityInput | None) -> registers.Entity | None:
        return e.to_entity() if e else None

    item = selection.Item(inp.category, inp.secrecy_level, inp.special_state_body,
                          inp.dstc_selected, inp.reserve_refresh_match,
                          entity(inp.reserve_supplier), contest,
                          entity(inp.special_body_contractor),
                          entity(inp.authorized_organization), inp.ao_can_supply,
                          inp.after_exclusion, inp.on_list)
    zones = inp.offshore_list.to_list() if inp.offshore_list else None
    return selection.select(item, as_of, book, zones)


import kzreg.defense.contract_rules  # noqa: E402, F401
