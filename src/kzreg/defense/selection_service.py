"""Contractor selection on stored data (Law 236-VI Art 20): the cascade of `selection` run
for a draft line on the stored register, the offshore list, the first head's or special
state body's list (Art 19 p.1 part 3, p.2 part 2) and the reserve transfer decision
(Art 20 p.3) of the date, recorded with
what it was given (the competition and its envelope-opening meeting, Art 20 p.4 part 2) and
its explanation. Secrecy like `order_service`: a selection has its line's level; a
contractor sees the competitions it took part in."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from kzreg.defense import registers, selection
from kzreg.defense._law import art
from kzreg.defense.list_service import on_list
from kzreg.defense.models import (
    DefenseApplication,
    DefenseOrderLine,
    DefenseRegisterEntry,
    DefenseSelection,
)
from kzreg.defense.order_service import (
    IN_ORDER,
    not_found,
    officer,
    order_row,
    reader,
    record_reads,
    refuse_if_approved,
    sees,
)
from kzreg.defense.requirement_service import freeze_for_selection
from kzreg.defense.reserve_transfer_service import transfer_for
from kzreg.defense.rules import EntityInput, OpeningInput
from kzreg.law.calendar import now_utc
from kzreg.law.errors import LegalRuleError, NotInForce
from kzreg.law.explain import jsonable
from kzreg.platform import audit
from kzreg.platform.actors import Actor, Role


class SelectionIn(BaseModel):
    held_on: dt.date
    participants: list[str] = Field(default_factory=list, description="register BINs")
    winner: str | None = None
    opening: OpeningInput | None = None
    special_state_body: bool = False
    special_body_contractor: EntityInput | None = None
    reserve_supplier: EntityInput | None = None
    authorized_organization: EntityInput | None = None
    ao_can_supply: bool = True
    after_exclusion: str = "public_procurement"


OUTCOME_STATUS = {selection.Outcome.PUBLIC_PROCUREMENT: "excluded_public_procurement",
                  selection.Outcome.REDISTRIBUTED: "excluded_funds_redistributed",
                  selection.Outcome.RESERVE_TRANSFER: "reserve_refresh_transfer",
                  selection.Outcome.RESEARCH_NOT_SELECTED: "excluded_research_not_selected"}


def _zones(session: Session, on: dt.date) -> registers.OffshoreList | None:
    try:
        return registers.offshore_list(on, registers.offshore_versions(session))
    except NotInForce:
        return None     # the gate itself refuses, where one is needed


def _register_at(session: Session, level: int) -> registers.Register:
    """The register as a selection at `level` may use it: an entry classified higher would
    appear in the selection's record (its explanation lists the register's members), which
    is kept at the line's level — such an entity competes only for a line classified as
    high as its entry."""
    book = registers.load_register(session)
    levels = {r.bin: r.secrecy_level for r in session.scalars(
        select(DefenseRegisterEntry).order_by(DefenseRegisterEntry.id))}
    book.entries = {b: e for b, e in book.entries.items() if levels.get(b, 0) <= level}
    return book


def run_selection(session: Session, actor: Actor, line_id: int,
                  body: SelectionIn) -> DefenseSelection:
    """Run the cascade for a draft line on the stored register and offshore list; record
    the result, the envelope-opening meeting and the explanation; the chosen contractor is
    written into the draft (Art 19 p.3 sub 4), an excluded item leaves it (Art 20 p.6)."""
    officer(actor)
    line = session.get(DefenseOrderLine, line_id)
    if line is None or not sees(actor, line.secrecy_level):
        raise not_found("line", line_id)
    row = order_row(session, actor, line.order_id)
    refuse_if_approved(row)
    book = _register_at(session, line.secrecy_level)
    participants = []
    for n, bin_ in enumerate(body.participants):
        entry = book.entries.get(bin_)
        if entry is None:
            raise LegalRuleError(f"{bin_} is not in the register (at the line's secrecy level "
                                 "or below)", field=f"participants[{n}]",
                                 citation=art("Art 20 p.4 part 1"))
        participants.append(entry.entity)
    opening = None
    if body.opening is not None:
        opening = selection.EnvelopeOpening(**{k: tuple(v) if isinstance(v, list) else v
                                               for k, v in body.opening})
    contest = (selection.Competition(tuple(participants), body.winner, opening)
               if participants else None)

    def entity(given: EntityInput | None) -> registers.Entity | None:
        return given.to_entity() if given else None

    dstc = False
    if line.application_id is not None:
        app = session.get(DefenseApplication, line.application_id)
        dstc = bool(app and app.dstc_selected)
    # the stored decisions of the day: the list deciding the item (Art 19 p.1 part 3,
    # p.2 part 2) and a transfer of reserve assets released for refresh (Art 20 p.3)
    listed = on_list(session, line.recipient, line.category, line.nomenclature, body.held_on,
                     special_state_body=body.special_state_body)
    transfer = transfer_for(session, line.id, body.held_on)
    item = selection.Item(line.category, line.secrecy_level, body.special_state_body, dstc,
                          transfer is not None, entity(body.reserve_supplier), contest,
                          entity(body.special_body_contractor),
                          entity(body.authorized_organization), body.ao_can_supply,
                          body.after_exclusion, listed)
    result = selection.select(item, body.held_on, book, _zones(session, body.held_on))
    outcome = result.value
    at = now_utc()
    inputs = {**body.model_dump(), "on_list": listed,
              "reserve_transfer": transfer.id if transfer else None}
    record = DefenseSelection(
        line_id=line.id, held_on=body.held_on, inputs=jsonable(inputs),
        participants=list(body.participants), outcome=outcome.outcome.value,
        contractor_bin=outcome.contractor, review=list(outcome.review),
        explanation=result.to_dict(), secrecy_level=line.secrecy_level,
        recorded_by=actor.username, recorded_at=at)
    session.add(record)
    if outcome.contractor:
        line.contractor_bin = outcome.contractor
        if outcome.contractor not in row.contractors:
            row.contractors = [*row.contractors, outcome.contractor]
    line.status = OUTCOME_STATUS.get(outcome.outcome, IN_ORDER)
    session.flush()
    freeze_for_selection(session, line, f"selection-{record.id}")
    audit.append(session, actor=actor, action="defense.selection_recorded",
                 basis=art("Art 20"), at=at,
                 data={"id": record.id, "line": line.id, "outcome": outcome.outcome.value})
    return record


def _selection_visible(actor: Actor, record: DefenseSelection) -> bool:
    if not sees(actor, record.secrecy_level):
        return False
    if actor.role is Role.CONTRACTOR:    # participants see their own competition (p.4)
        return actor.bin in record.participants or actor.bin == record.contractor_bin
    return True


def get_selection(session: Session, actor: Actor, selection_id: int) -> DefenseSelection:
    reader(actor)
    record = session.get(DefenseSelection, selection_id)
    if record is None or not _selection_visible(actor, record):
        raise not_found("selection", selection_id)
    record_reads(session, actor, "selection", [(record.id, record.secrecy_level)])
    return record


def list_selections(session: Session, actor: Actor,
                    order_id: int | None = None) -> list[DefenseSelection]:
    reader(actor)
    query = select(DefenseSelection).order_by(DefenseSelection.id.desc())
    if order_id is not None:
        query = query.join(DefenseOrderLine).where(DefenseOrderLine.order_id == order_id)
    rows = [r for r in session.scalars(query) if _selection_visible(actor, r)]
    record_reads(session, actor, "selections", [(r.id, r.secrecy_level) for r in rows])
    return rows
