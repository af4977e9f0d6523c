"""Execution and acceptance of state defense order contracts, reclamation and the reserve
(Law 236-VI Arts 24, 25, 27, 29).

- representatives sent to the contractor: to monitor (SDP body, recipient) or, where the
  contractor houses no military representative office, the recipient's for quality control
  and acceptance (Art 24 p.2-3);
- the military representatives' list of the contract's goods under their control and
  acceptance, approved by the contract's state party (Art 27 p.2): the office certifies only
  what it lists;
- information requested from the contractor: by the SDP body or the recipient on its
  activities (Art 26 sub 1), by the military representatives for one of their functions
  (Art 27 p.3); the Law sets no term for the reply (`defense.information_request_term`);
- lots presented to the military representatives, each delivering named contract lines:
  acceptance and shipment suspended on the triggers of Art 27 p.4 sub 8-9; no final
  acceptance certificate for goods unfinished, incomplete, untested or not conforming (p.5);
  the recipient accepts on the certificate, or under the contract's terms without an office
  or for the State Security Service (Art 25 sub 9-10, Art 27 p.6). Each line is accepted on
  its own; when every line is, the contractor's obligations are fulfilled and the 30 days to
  pay start (Art 22 p.8, `defense.payment_term_trigger`);
- reclamation of defects within the warranty period (Art 29), notified to the SDP body, the
  military representative and the contractor;
- the state material reserve: the holdings register and uses capped at 30% of the assets
  actually available, supplied back within 12 months (Art 24 p.4; a `defense.reserve_use`
  case carries that deadline).

Same conventions as `contracts_service`: the caller's transaction, an audit entry per
operation, refusals naming field and clause, nothing above the caller's clearance.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from kzreg.defense import secrecy
from kzreg.defense.acceptance import (
    Lot,
    Representative,
    final_acceptance_certificate,
    recipient_acceptance,
    representative_mandate,
    suspension,
)
from kzreg.defense.contracts import Money, art
from kzreg.defense.contracts_models import (
    DefenseContract,
    DefenseControlList,
    DefenseInformationRequest,
    DefenseLineAcceptance,
    DefenseLot,
    DefenseReclamation,
    DefenseRepresentative,
    DefenseReserveHolding,
    DefenseReserveUse,
)
from kzreg.defense.contracts_service import (
    _at,
    _audit,
    _officer,
    accepted_items,
    get_contract,
    validated,
)
from kzreg.defense.reclamation import Finding, reclaim
from kzreg.defense.reserve_use import ALLOWED_USERS, PastUse, ReserveUse, check_use
from kzreg.defense.workflow import RESERVE_USE
from kzreg.law.calendar import ALMATY, local_date
from kzreg.law.citations import Citation
from kzreg.law.deadlines import deadline
from kzreg.law.errors import Conflict, Forbidden, InputError, NotFound
from kzreg.law.explain import jsonable
from kzreg.law.identifiers.bin_iin import validate_bin
from kzreg.law.settings import setting
from kzreg.platform import audit, notifications
from kzreg.platform.actors import Actor, Role
from kzreg.platform.cases import Case, fire, get_case_for, open_case
from kzreg.platform.users import users_with_role

# --- representatives (Art 24 p.2-3) ---------------------------------------------------------


class RepresentativeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    person: str = Field(min_length=3, max_length=200)
    sent_by: Literal["sdp_body", "recipient"]
    mandate: Literal["monitoring", "quality_acceptance"]
    from_on: dt.date | None = None


def add_representative(session: Session, actor: Actor, case_id: int,
                       body: dict[str, Any] | RepresentativeIn, *,
                       at: dt.datetime | None = None) -> DefenseRepresentative:
    at = _at(at)
    _officer(actor)
    body = validated(RepresentativeIn, body)
    case, contract = get_contract(session, actor, case_id)
    _executing(case)
    gate = representative_mandate(Representative(
        sent_by=body.sent_by, mandate=body.mandate,
        mro_at_contractor=contract.mro_at_contractor)).value
    if not gate.allowed:
        raise InputError("; ".join(gate.reasons), field="mandate", citation=art("Art 24 p.2"))
    row = DefenseRepresentative(case_id=case_id, person=body.person, sent_by=body.sent_by,
                                mandate=body.mandate, from_on=body.from_on or local_date(at),
                                recorded_by=actor.username, recorded_at=at)
    session.add(row)
    session.flush()
    _audit(session, actor, "defense.contract.representative_sent", contract,
           art("Art 24 p.3" if body.mandate == "monitoring" else "Art 24 p.2"), at,
           representative=row.id)
    return row


def representatives(session: Session, case_id: int) -> list[DefenseRepresentative]:
    return list(session.scalars(select(DefenseRepresentative)
                                .where(DefenseRepresentative.case_id == case_id)
                                .order_by(DefenseRepresentative.id)))


# --- lots: suspension, certificate, acceptance (Art 25, 27) ---------------------------------

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
    at = _at(at)
    _officer(actor)
    body = validated(LotIn, body)
    case, contract = get_contract(session, actor, case_id)
    _executing(case)
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
    _audit(session, actor, "defense.lot.suspended" if row.suspended else "defense.lot.presented",
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


def mro_applies(contract: DefenseContract) -> bool:
    """A military representative office controls and accepts this contract's goods
    (Art 27 p.1-2), unless it is for the State Security Service (p.6)."""
    return contract.mro_at_contractor and not contract.for_state_security_service


def _mro_required(contract: DefenseContract, field: str) -> None:
    if contract.for_state_security_service:
        raise InputError("Art 27 does not apply to the State Security Service", field=field,
                         citation=art("Art 27 p.6"))
    if not contract.mro_at_contractor:
        raise InputError("the contractor houses no military representative office; the "
                         "recipient accepts under the contract's terms", field=field,
                         citation=art("Art 25 sub 9"))


def certify_lot(session: Session, actor: Actor, case_id: int, number: str, certificate: str,
                *, at: dt.datetime | None = None) -> DefenseLot:
    """The quality certificate for final acceptance, refused for a suspended lot, goods
    unfinished, incomplete, untested or not conforming (Art 27 p.3 sub 3, p.4 sub 8, p.5),
    or lines missing from the approved control list (p.2)."""
    at = _at(at)
    _officer(actor)
    case, contract = get_contract(session, actor, case_id)
    _executing(case)
    _mro_required(contract, "certificate")
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
    _audit(session, actor, "defense.lot.certified", contract, art("Art 27 p.3 sub 3"), at,
           lot=row.number)
    return row


def accept(session: Session, actor: Actor, case_id: int, number: str, *,
           at: dt.datetime | None = None) -> Case:
    """The recipient accepts the lot's lines (Art 25 sub 6, 9, 10). When every line of the
    contract is accepted, the contractor's obligations are fulfilled: the contract is
    accepted and the 30 days to pay start (Art 22 p.8, `defense.payment_term_trigger`)."""
    at = _at(at)
    _officer(actor)
    case, contract = get_contract(session, actor, case_id)
    _executing(case)
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
        mro = contract.mro_at_contractor and not contract.for_state_security_service
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


def _executing(case: Case) -> None:
    if case.state != "in_execution":
        raise Conflict(f"the contract is {case.state!r}, not in execution", field="state")


# --- the military representatives' control list (Art 27 p.2) ------------------------------

class ControlItemIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    item: str = Field(min_length=1, max_length=300, description="a line of the contract")
    scope: str = Field("quality control and acceptance", min_length=3, max_length=300)


class ControlListIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    items: list[ControlItemIn] = Field(min_length=1)


def develop_control_list(session: Session, actor: Actor, case_id: int,
                         body: dict[str, Any] | ControlListIn, *,
                         at: dt.datetime | None = None) -> DefenseControlList:
    """Record the list the military representatives developed under the contract of the
    goods, works and services they control and accept (Art 27 p.2); a new version replaces
    the list and needs approval again."""
    at = _at(at)
    _officer(actor)
    body = validated(ControlListIn, body)
    case, contract = get_contract(session, actor, case_id)
    _mro_required(contract, "mro_at_contractor")
    if case.closed_at is not None:
        raise Conflict(f"the contract is {case.state!r}", field="state")
    lines = {x["item"] for x in contract.lines}
    names = [x.item.strip() for x in body.items]
    if len(set(names)) != len(names):
        raise InputError("each item once", field="items")
    for name in names:
        if name not in lines:
            raise InputError(f"{name!r} is not a line of the contract", field="items",
                             citation=art("Art 27 p.2"))
    row = session.get(DefenseControlList, case_id)
    if row is None:
        row = DefenseControlList(case_id=case_id)
        session.add(row)
    row.items = [{"item": x.item.strip(), "scope": x.scope.strip()} for x in body.items]
    row.developed_by, row.developed_at = actor.username, at
    row.approved_on = row.approved_by = row.approver = None
    session.flush()
    _audit(session, actor, "defense.control_list.developed", contract, art("Art 27 p.2"), at,
           items=len(names))
    return row


def approve_control_list(session: Session, actor: Actor, case_id: int, *,
                         at: dt.datetime | None = None) -> DefenseControlList:
    """Approval by the contract's state party: the SDP body or the recipient that concluded
    it (Art 27 p.2, Art 22 p.1)."""
    at = _at(at)
    _officer(actor)
    _, contract = get_contract(session, actor, case_id)
    row = control_list(session, case_id)
    if row is None:
        raise NotFound("no control list developed for this contract", field="control_list")
    if row.approved_on is not None:
        raise Conflict(f"approved on {row.approved_on.isoformat()}", field="control_list")
    row.approved_on, row.approved_by = local_date(at), actor.username
    row.approver = contract.contract_party
    _audit(session, actor, "defense.control_list.approved", contract, art("Art 27 p.2"), at)
    return row


def control_list(session: Session, case_id: int) -> DefenseControlList | None:
    return session.get(DefenseControlList, case_id)


# --- information requested from the contractor (Art 26 sub 1, Art 27 p.3) ------------------

# what the military representatives may ask for: the functions of Art 27 p.3 that need the
# contractor's information
MRO_PURPOSES = {
    "quality_completeness": "Art 27 p.3 sub 2", "technical_documentation": "Art 27 p.3 sub 4",
    "material_assets_records": "Art 27 p.3 sub 5", "national_standards": "Art 27 p.3 sub 6",
    "state_secrets_protection": "Art 27 p.3 sub 7", "actual_costs": "Art 27 p.3 sub 8"}
REQUESTERS = ("sdp_body", "recipient", "military_representatives")


class InformationRequestIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    requester: Literal["sdp_body", "recipient", "military_representatives"]
    purpose: Literal["quality_completeness", "technical_documentation",
                     "material_assets_records", "national_standards",
                     "state_secrets_protection", "actual_costs"] | None = None
    subject: str = Field(min_length=3, max_length=2000, description="what is asked")
    reply_by: dt.date | None = Field(None, description="the requester's date; the Law sets "
                                     "no term (defense.information_request_term)")


def reply_term_days() -> int | None:
    """The term loaded by an administrator, in calendar days; None while the setting is
    `unset` (the Law sets none)."""
    value = str(setting("defense.information_request_term")).strip()
    return None if value == "unset" else int(value)


def request_information(session: Session, actor: Actor, case_id: int,
                        body: dict[str, Any] | InformationRequestIn, *,
                        at: dt.datetime | None = None) -> DefenseInformationRequest:
    """Ask the contractor for information: the SDP body or the recipient on its activities
    (Art 26 sub 1), the military representatives for one of their functions (Art 27 p.3) —
    only where an office controls the contract (p.1, p.6). The contractor's people cleared to
    the contract are told in the system."""
    at = _at(at)
    _officer(actor)
    body = validated(InformationRequestIn, body)
    case, contract = get_contract(session, actor, case_id)
    if body.requester == "military_representatives":
        _mro_required(contract, "requester")
        if body.purpose is None:
            raise InputError("the military representatives ask for one of their functions: "
                             + ", ".join(MRO_PURPOSES), field="purpose",
                             citation=art("Art 27 p.3"))
        basis = art(MRO_PURPOSES[body.purpose])
    else:
        if body.purpose is not None:
            raise InputError("the SDP body and the recipient ask for information on the "
                             "contractor's activities; a purpose is the military "
                             "representatives'", field="purpose", citation=art("Art 26 sub 1"))
        basis = art("Art 26 sub 1")
    asked_on = local_date(at)
    reply_by, term = body.reply_by, reply_term_days()
    if reply_by is None and term is not None:
        reply_by = deadline(asked_on, f"{term} calendar days", roll_to_working_day=None).value
    if reply_by is not None and reply_by <= asked_on:
        raise InputError("a reply date after the day of the request", field="reply_by")
    row = DefenseInformationRequest(
        case_id=case_id, requester=body.requester, purpose=body.purpose, basis=basis.ref,
        subject=body.subject.strip(), asked_on=asked_on, reply_by=reply_by,
        asked_by=actor.username, asked_at=at)
    session.add(row)
    session.flush()
    people = [u.id for u in users_with_role(session, Role.CONTRACTOR, bin=contract.contractor_bin)
              if secrecy.can_see(u.clearance, contract.secrecy_level)]
    if people:
        notifications.notify(
            session, recipients=people, case_id=case_id, kind="task", at=at, basis=basis,
            subject=f"Law 236-VI {basis.locator}: information requested, contract No {case_id}",
            body="Open the contract in kzreg to read the request and answer it.",
            email=contract.secrecy_level == 0)
    _audit(session, actor, "defense.information.requested", contract, basis, at,
           request=row.id, requester=body.requester, notified=len(people))
    return row


def answer_information(session: Session, actor: Actor, request_id: int, answer: str, *,
                       case_id: int | None = None,
                       at: dt.datetime | None = None) -> DefenseInformationRequest:
    """The contractor's answer (Art 26 sub 1); an officer may record one received outside
    the system."""
    at = _at(at)
    row = session.get(DefenseInformationRequest, request_id)
    if row is None or (case_id is not None and row.case_id != case_id):
        raise NotFound(f"no information request {request_id}", field="request_id")
    _, contract = get_contract(session, actor, row.case_id)
    if actor.read_only or actor.role not in (Role.CONTRACTOR, Role.DEFENSE_OFFICER, Role.ADMIN):
        raise Forbidden(f"a {actor.role.value} may not answer", field="actor")
    text = (answer or "").strip()
    if not 1 <= len(text) <= 4000:
        raise InputError("the answer, up to 4000 characters", field="answer")
    if row.answered_on is not None:
        raise Conflict(f"answered on {row.answered_on.isoformat()}", field="request_id")
    row.answer, row.answered_on, row.answered_by = text, local_date(at), actor.username
    _audit(session, actor, "defense.information.answered", contract,
           Citation.parse(row.basis), at, request=row.id)
    return row


def information_requests(session: Session, case_id: int) -> list[DefenseInformationRequest]:
    return list(session.scalars(select(DefenseInformationRequest)
                                .where(DefenseInformationRequest.case_id == case_id)
                                .order_by(DefenseInformationRequest.id)))


def request_status(row: DefenseInformationRequest, today: dt.date) -> str:
    """answered / answered after the reply date / open / reply date passed."""
    if row.answered_on is not None:
        late = row.reply_by is not None and row.answered_on > row.reply_by
        return "answered after the reply date" if late else "answered"
    return "reply date passed" if row.reply_by and today > row.reply_by else "open"


# --- reclamation (Art 29) ---------------------------------------------------------------------

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
    at = _at(at)
    _officer(actor)
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
    _audit(session, actor, "defense.reclamation.reported", contract, art("Art 29 p.1"), at,
           reclamation=row.id, notified=len(people))
    return row


def decide_reclamation(session: Session, actor: Actor, reclamation_id: int,
                       body: dict[str, Any] | FindingIn, *,
                       at: dt.datetime | None = None) -> DefenseReclamation:
    """The commission's finding: guilt, return of units or of the whole line, penalty days."""
    at = _at(at)
    _officer(actor)
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
    _audit(session, actor, "defense.reclamation.decided", contract, art("Art 29 p.2"), at,
           reclamation=row.id, remedy=outcome.value.remedy)
    return row


def reclamations(session: Session, case_id: int) -> list[DefenseReclamation]:
    return list(session.scalars(select(DefenseReclamation)
                                .where(DefenseReclamation.case_id == case_id)
                                .order_by(DefenseReclamation.id)))


# --- the state material reserve (Art 24 p.4) ----------------------------------------------------

class HoldingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    holder_bin: str = Field(pattern=r"^\d{12}$")
    holder_name: str = Field(min_length=2, max_length=300)
    holder_kind: Literal["storage_facility", "mobilization_order_organization", "other"]
    sdo_contractor: bool
    nomenclature: str = Field(min_length=2, max_length=300)
    unit: str = Field("pcs", min_length=1, max_length=20)
    available: Money = Field(description="actually available, transferred for storage")
    recorded_on: dt.date | None = None
    secrecy_level: int = Field(0, ge=0, le=3)


class UseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    quantity: Money
    used_on: dt.date | None = None
    contract_case_id: int | None = None


def add_holding(session: Session, actor: Actor, body: dict[str, Any] | HoldingIn, *,
                at: dt.datetime | None = None) -> DefenseReserveHolding:
    at = _at(at)
    _officer(actor)
    body = validated(HoldingIn, body)
    if not secrecy.can_see(actor.clearance, body.secrecy_level):
        raise Forbidden("you may only record information within your clearance",
                        field="secrecy_level")
    validate_bin(body.holder_bin, field="holder_bin")
    if body.available <= 0:
        raise InputError("the quantity available must be positive", field="available",
                         citation=art("Art 24 p.4"))
    row = DefenseReserveHolding(**body.model_dump(exclude={"recorded_on"}),
                                recorded_on=body.recorded_on or local_date(at),
                                recorded_by=actor.username, recorded_at=at)
    session.add(row)
    session.flush()
    audit.append(session, actor=actor, action="defense.reserve.holding_recorded",
                 basis=art("Art 24 p.4"), at=at,
                 data={"holding": row.id, "secrecy_level": row.secrecy_level})
    return row


def holdings(session: Session, actor: Actor) -> list[DefenseReserveHolding]:
    """The holdings the caller may see: within clearance; a contractor only its own."""
    query = select(DefenseReserveHolding).where(
        DefenseReserveHolding.secrecy_level <= actor.clearance)
    if actor.role.is_business:
        query = query.where(DefenseReserveHolding.holder_bin == (actor.bin or ""))
    rows = list(session.scalars(query.order_by(DefenseReserveHolding.id)))
    classified = [r for r in rows if r.secrecy_level]
    if classified:
        secrecy.record_read(session, actor, "reserve holdings: " + ", ".join(
            str(r.id) for r in classified), max(r.secrecy_level for r in classified))
    return rows


def get_holding(session: Session, actor: Actor, holding_id: int) -> DefenseReserveHolding:
    row = session.get(DefenseReserveHolding, holding_id)
    if row is None or not secrecy.can_see(actor.clearance, row.secrecy_level) or (
            actor.role.is_business and row.holder_bin != actor.bin):
        raise NotFound(f"no holding {holding_id}", field="holding_id")
    secrecy.record_read(session, actor, f"reserve holding {holding_id}", row.secrecy_level)
    return row


def uses(session: Session, holding_id: int) -> list[DefenseReserveUse]:
    return list(session.scalars(select(DefenseReserveUse)
                                .where(DefenseReserveUse.holding_id == holding_id)
                                .order_by(DefenseReserveUse.id)))


def use_reserve(session: Session, actor: Actor, holding_id: int, body: dict[str, Any] | UseIn,
                *, at: dt.datetime | None = None) -> DefenseReserveUse:
    """Use reserve assets: only a storage facility or mobilization-order organization that is
    a contractor, Σ uses ≤ 30% of those actually available; back within 12 months."""
    at = _at(at)
    body = validated(UseIn, body)
    holding = get_holding(session, actor, holding_id)
    if actor.role not in (Role.DEFENSE_OFFICER, Role.ADMIN, Role.CONTRACTOR):
        raise Forbidden(f"a {actor.role.value} may not use reserve assets", field="actor")
    used_on = body.used_on or local_date(at)
    if used_on > local_date(at):
        raise InputError("a use cannot be dated in the future", field="used_on")
    if body.contract_case_id is not None:
        get_contract(session, actor, body.contract_case_id)
    past = [PastUse(quantity=u.quantity, used_on=u.used_on, replenished=u.replenished)
            for u in uses(session, holding_id)]
    result = check_use(ReserveUse(
        user_kind=holding.holder_kind, sdo_contractor=holding.sdo_contractor,
        nomenclature=holding.nomenclature, actually_available=holding.available,
        quantity=body.quantity, used_on=used_on, past_uses=past))
    verdict = result.value
    if not verdict.allowed:
        who = holding.holder_kind not in ALLOWED_USERS or not holding.sdo_contractor
        raise InputError("; ".join(verdict.reasons), field="holder_kind" if who else "quantity",
                         citation=art("Art 24 p.4"))
    case = open_case(session, RESERVE_USE, actor=actor,
                     title=f"Reserve use: {holding.nomenclature}",
                     party_bins=[holding.holder_bin], clearance=holding.secrecy_level,
                     data={"holding_id": holding.id},
                     at=dt.datetime.combine(used_on, dt.time(9), ALMATY))
    row = DefenseReserveUse(holding_id=holding.id, case_id=case.id,
                            contract_case_id=body.contract_case_id, quantity=body.quantity,
                            used_on=used_on, replenish_by=verdict.replenish_by,
                            replenished=Decimal(0), explanation=jsonable(result.to_dict()),
                            recorded_by=actor.username, recorded_at=at)
    session.add(row)
    session.flush()
    audit.append(session, actor=actor, action="defense.reserve.used", case_id=case.id,
                 case_type=RESERVE_USE, basis=art("Art 24 p.4"), at=at,
                 data={"holding": holding.id, "use": row.id,
                       "secrecy_level": holding.secrecy_level})
    return row


def replenish(session: Session, actor: Actor, use_id: int, quantity: Decimal | str,
              on: dt.date | None = None, *, at: dt.datetime | None = None) -> DefenseReserveUse:
    """Record assets supplied back; the use closes when its whole volume is back."""
    at = _at(at)
    row = session.get(DefenseReserveUse, use_id)
    if row is None:
        raise NotFound(f"no reserve use {use_id}", field="use_id")
    case = get_case_for(session, actor, row.case_id)  # scope and clearance
    amount = validated(UseIn, {"quantity": quantity}).quantity
    on = on or local_date(at)
    if amount <= 0 or row.replenished + amount > row.quantity:
        raise InputError(f"between 0 and the {row.quantity - row.replenished} still to supply "
                         "back", field="quantity", citation=art("Art 24 p.4"))
    if on < row.used_on or on > local_date(at):
        raise InputError("between the day of use and today", field="replenished_on")
    row.replenished += amount
    row.replenished_on = on
    if row.replenished == row.quantity:
        fire(session, case.id, "replenish", actor=actor, at=at,
             basis=art("Art 24 p.4"))
    else:
        audit.append(session, actor=actor, action="defense.reserve.partly_replenished",
                     case_id=case.id, case_type=RESERVE_USE, basis=art("Art 24 p.4"), at=at,
                     data={"use": row.id})
    return row


def replenish_status(row: DefenseReserveUse, today: dt.date) -> str:
    if row.replenished >= row.quantity:
        return "late" if row.replenished_on and row.replenished_on > row.replenish_by \
            else "replenished"
    return "overdue" if today > row.replenish_by else "due"
