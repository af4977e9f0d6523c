"""Delivery, acceptance and reclamation of state defense order contracts (Law 236-VI
Art 22 p.8, p.11; Art 25 sub 6, 9-10; Art 27 p.3-6; Art 29).

- lots presented to the military representatives, each delivering named contract lines:
  acceptance and shipment suspended on the triggers of Art 27 p.4 sub 8-9; no final
  acceptance certificate for goods unfinished, incomplete, untested or not conforming (p.5),
  nor for lines missing from the approved control list (p.2, `monitoring_service`);
- the recipient accepts on the certificate, or under the contract's terms without an office
  or for the State Security Service (Art 25 sub 9-10, Art 27 p.6). Each line is accepted on
  its own; when every line is, the contractor's obligations are fulfilled and the 30 days to
  pay start (Art 22 p.8, `defense.payment_term_trigger`);
- reclamation of defects within the warranty period (Art 29), notified to the SDP body, the
  military representative and the contractor.

Conventions (transaction, audit, secrecy) are those of `contracts_service`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from kzreg.defense import secrecy
from kzreg.defense.acceptance import (
    Lot,
    final_acceptance_certificate,
    recipient_acceptance,
    suspension,
)
from kzreg.defense.contracts import art
from kzreg.defense.contracts_models import (
    DefenseContract,
    DefenseLineAcceptance,
    DefenseLot,
    DefenseReclamation,
)
from kzreg.defense.contracts_service import (
    accepted_items,
    audit_contract,
    check_executing,
    get_contract,
    instant,
    officer,
    validated,
)
from kzreg.defense.monitoring_service import control_list, mro_applies, mro_required
from kzreg.defense.reclamation import Finding, reclaim
from kzreg.law.calendar import local_date
from kzreg.law.errors import Conflict, InputError, NotFound
from kzreg.law.explain import jsonable
from kzreg.platform import notifications
from kzreg.platform.actors import Actor, Role
from kzreg.platform.cases import Case, fire
from kzreg.platform.users import users_with_role

# --- lots: suspension, certificate, acceptance (Art 25, Art 27 p.3-6) ------------------------

class LotIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    number: str = Field(min_length=1, max_length=60)
    items: list[str] = Field(default_factory=list, description="the contract lines the lot "
                             "delivers; empty: every line not yet accepted")
    lot: Lot = Field(default_factory=Lot)


def present_lot(session: Session, actor: Actor, case_id: int, body: dict[str, Any] | LotIn,
                *, at: dt.datetime | None = None) -> DefenseLot:
    """The military representatives' findings on a lot (presented again: updated). A trigger
    of Art 27 p.4 sub 8-9 suspends acceptance and shipment."""
    at = instant(at)
    officer(actor)
    body = validated(LotIn, body)
    case, contract = get_contract(session, actor, case_id)
    check_executing(case)
    lot = body.lot.model_copy(update={
        "mro_at_contractor": contract.mro_at_contractor,
        "for_state_security_service": contract.for_state_security_service})
    gate = suspension(lot).value
    row = session.scalars(select(DefenseLot).where(DefenseLot.case_id == case_id,
                                                   DefenseLot.number == body.number)).first()
    if row is not None and row.accepted_on is not None:
        raise Conflict(f"lot {body.number} was accepted already", field="number")
    items = _lot_lines(session, contract, body.items)
    if row is None:
        row = DefenseLot(case_id=case_id, number=body.number)
        session.add(row)
    row.items = items
    row.lot = jsonable(lot.model_dump())
    row.suspended, row.suspension_reasons = not gate.allowed, list(gate.reasons)
    row.certificate, row.certified_on = None, None  # new findings need a new certificate
    row.recorded_by, row.updated_at = actor.username, at
    session.flush()
    contract.suspended = any(x.suspended for x in lots(session, case_id))
    locator = "Art 27 p.4 sub 8" if lot.subject.value == "goods" else "Art 27 p.4 sub 9"
    audit_contract(session, actor,
                   "defense.lot.suspended" if row.suspended else "defense.lot.presented",
                   contract, art(locator), at, lot=row.number, reasons=row.suspension_reasons)
    return row


def _lot_lines(session: Session, contract: DefenseContract, named: list[str]) -> list[str]:
    """The contract lines a lot delivers: those named, or every line not yet accepted; each
    a line of the contract (Art 22 p.11) not accepted before."""
    lines = [x["item"] for x in contract.lines]
    accepted = accepted_items(session, [contract.case_id]).get(contract.case_id, {})
    items = [x.strip() for x in named] or [x for x in lines if x not in accepted]
    if not items:
        raise Conflict("every line of the contract is accepted", field="items")
    if len(set(items)) != len(items):
        raise InputError("each line once", field="items")
    for item in items:
        if item not in lines:
            raise InputError(f"{item!r} is not a line of the contract", field="items",
                             citation=art("Art 22 p.11"))
        if item in accepted:
            raise Conflict(f"the line {item!r} was accepted on "
                           f"{accepted[item].accepted_on.isoformat()}", field="items")
    return items


def lot_items(row: DefenseLot, contract: DefenseContract) -> list[str]:
    return list(row.items) if row.items else [x["item"] for x in contract.lines]


def certify_lot(session: Session, actor: Actor, case_id: int, number: str, certificate: str,
                *, at: dt.datetime | None = None) -> DefenseLot:
    """The quality certificate for final acceptance, refused for a suspended lot, goods
    unfinished, incomplete, untested or not conforming (Art 27 p.3 sub 3, p.4 sub 8, p.5),
    or lines missing from the approved control list (p.2)."""
    at = instant(at)
    officer(actor)
    case, contract = get_contract(session, actor, case_id)
    check_executing(case)
    mro_required(contract, "certificate")
    row = _lot(session, case_id, number)
    if not certificate or not certificate.strip() or len(certificate) > 60:
        raise InputError("the certificate number (up to 60 characters)", field="certificate",
                         citation=art("Art 27 p.3 sub 3"))
    if row.suspended:
        raise InputError("acceptance and shipment of this lot are suspended: "
                         + "; ".join(row.suspension_reasons), field="lot",
                         citation=art("Art 27 p.4 sub 8"))
    gate = final_acceptance_certificate(Lot.model_validate(row.lot)).value
    if not gate.allowed:
        raise InputError("no final acceptance certificate: " + "; ".join(gate.reasons),
                         field="lot", citation=art("Art 27 p.5"))
    listed = control_list(session, case_id)
    if listed is None or listed.approved_on is None:
        raise InputError("the military representatives' control list of this contract is "
                         "not approved", field="control_list", citation=art("Art 27 p.2"))
    missing = [x for x in lot_items(row, contract)
               if x not in {i["item"] for i in listed.items}]
    if missing:
        raise InputError("not on the approved control list: " + ", ".join(missing),
                         field="control_list", citation=art("Art 27 p.2"))
    row.certificate, row.certified_on = certificate.strip(), local_date(at)
    row.updated_at = at
    audit_contract(session, actor, "defense.lot.certified", contract, art("Art 27 p.3 sub 3"), at,
                   lot=row.number)
    return row


def accept(session: Session, actor: Actor, case_id: int, number: str, *,
           at: dt.datetime | None = None) -> Case:
    """The recipient accepts the lot's lines (Art 25 sub 6, 9, 10). When every line of the
    contract is accepted, the contractor's obligations are fulfilled: the contract is
    accepted and the 30 days to pay start (Art 22 p.8, `defense.payment_term_trigger`)."""
    at = instant(at)
    officer(actor)
    case, contract = get_contract(session, actor, case_id)
    check_executing(case)
    row = _lot(session, case_id, number)
    if row.accepted_on is not None:
        raise Conflict(f"lot {number} was accepted already", field="number")
    if row.suspended:
        raise InputError("acceptance of this lot is suspended: "
                         + "; ".join(row.suspension_reasons), field="lot",
                         citation=art("Art 27 p.4 sub 8"))
    lot = Lot.model_validate({**row.lot, "quality_certificate": row.certificate})
    gate = recipient_acceptance(lot).value
    if not gate.allowed:
        mro = mro_applies(contract)
        raise InputError("the recipient cannot accept: " + "; ".join(gate.reasons),
                         field="quality_certificate" if mro else "lot",
                         citation=art("Art 25 sub 10" if mro else "Art 22 p.11"))
    items = _lot_lines(session, contract, lot_items(row, contract))
    today = local_date(at)
    for item in items:
        session.add(DefenseLineAcceptance(case_id=case_id, item=item, lot_number=row.number,
                                          accepted_on=today, accepted_by=actor.username,
                                          accepted_at=at))
    row.accepted_on = today
    session.flush()
    case = fire(session, case_id, "accept_line", actor=actor, at=at,
                payload={"lot": row.number, "items": items},
                audit_payload=contract.secrecy_level == 0)
    accepted = accepted_items(session, [case_id]).get(case_id, {})
    if all(x["item"] in accepted for x in contract.lines):
        case = fire(session, case_id, "accept", actor=actor, at=at)
        contract.accepted_on = today
    return case


def lots(session: Session, case_id: int) -> list[DefenseLot]:
    return list(session.scalars(select(DefenseLot).where(DefenseLot.case_id == case_id)
                                .order_by(DefenseLot.id)))


def _lot(session: Session, case_id: int, number: str) -> DefenseLot:
    row = session.scalars(select(DefenseLot).where(DefenseLot.case_id == case_id,
                                                   DefenseLot.number == number)).first()
    if row is None:
        raise NotFound(f"no lot {number!r} on this contract", field="number")
    return row


# --- reclamation (Art 29) --------------------------------------------------------------------

class DefectIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    description: str = Field(min_length=3, max_length=2000)
    found_on: dt.date


class FindingIn(BaseModel):
    """The joint commission's finding (Art 29 p.2-7); dates for the penalty days (p.6)."""

    model_config = ConfigDict(extra="forbid")

    improper_operation: bool = False
    contractor_at_fault: bool = False
    counterfeit: bool = False
    not_self_produced_when_required: bool = False
    irreparable: bool = False
    hidden_factory_only: bool = False
    all_units_suspected: bool = False
    voluntary_recall: bool = False
    notice_received_on: dt.date | None = None
    remedied_on: dt.date | None = None


def report_defect(session: Session, actor: Actor, case_id: int,
                  body: dict[str, Any] | DefectIn, *,
                  at: dt.datetime | None = None) -> DefenseReclamation:
    """A defect or failure within the warranty period: the goods are taken out of service and
    the SDP body, the military representative and the contractor are notified (Art 29 p.1)."""
    at = instant(at)
    officer(actor)
    body = validated(DefectIn, body)
    case, contract = get_contract(session, actor, case_id)
    if case.state not in ("accepted", "fulfilled"):
        raise Conflict("reclamation concerns goods accepted under the contract",
                       field="state")
    if contract.warranty_until is None:
        raise InputError("the contract records no warranty period", field="warranty_until",
                         citation=art("Art 29 p.1"))
    if body.found_on > local_date(at):
        raise InputError("a defect cannot be found in the future", field="found_on")
    if body.found_on > contract.warranty_until:
        raise InputError(f"found after the warranty period ended on "
                         f"{contract.warranty_until.isoformat()}: Art 29 does not apply",
                         field="found_on", citation=art("Art 29 p.1"))
    row = DefenseReclamation(case_id=case_id, description=body.description,
                             found_on=body.found_on, status="reported", reported_by=actor.username,
                             reported_at=at, updated_at=at)
    session.add(row)
    session.flush()
    people = [u.id for u in users_with_role(session, Role.DEFENSE_OFFICER)
              + users_with_role(session, Role.CONTRACTOR, bin=contract.contractor_bin)
              if secrecy.can_see(u.clearance, contract.secrecy_level)]
    if people:
        notifications.notify(
            session, recipients=people, case_id=case_id, kind="alert", at=at,
            subject=f"Law 236-VI Art 29 p.1: defect within warranty, contract No {case_id}",
            body="The goods are taken out of service and stored until the joint commission "
                 "establishes the cause. Open the contract in kzreg for the details.",
            basis=art("Art 29 p.1"), email=contract.secrecy_level == 0)
    audit_contract(session, actor, "defense.reclamation.reported", contract, art("Art 29 p.1"), at,
                   reclamation=row.id, notified=len(people))
    return row


def decide_reclamation(session: Session, actor: Actor, reclamation_id: int,
                       body: dict[str, Any] | FindingIn, *,
                       at: dt.datetime | None = None) -> DefenseReclamation:
    """The commission's finding: guilt, return of units or of the whole line, penalty days."""
    at = instant(at)
    officer(actor)
    body = validated(FindingIn, body)
    row = session.get(DefenseReclamation, reclamation_id)
    if row is None:
        raise NotFound(f"no reclamation {reclamation_id}", field="reclamation_id")
    case, contract = get_contract(session, actor, row.case_id)
    for name in ("notice_received_on", "remedied_on"):
        day = getattr(body, name)
        if day is not None and (day < row.found_on or day > local_date(at)):
            raise InputError("between the day the defect was found and today", field=name,
                             citation=art("Art 29 p.6"))
    finding = Finding(found_on=row.found_on, warranty_until=contract.warranty_until,
                      **body.model_dump())
    outcome = reclaim(finding)
    row.finding = jsonable(body.model_dump())
    row.outcome = jsonable(outcome.to_dict())
    row.status = "remedied" if body.remedied_on else "decided"
    row.updated_at = at
    audit_contract(session, actor, "defense.reclamation.decided", contract, art("Art 29 p.2"), at,
                   reclamation=row.id, remedy=outcome.value.remedy)
    return row


def reclamations(session: Session, case_id: int) -> list[DefenseReclamation]:
    return list(session.scalars(select(DefenseReclamation)
                                .where(DefenseReclamation.case_id == case_id)
                                .order_by(DefenseReclamation.id)))
