"""Watching over a state defense order contract in execution (Law 236-VI Art 24 p.2-3,
Art 26 sub 1, Art 27 p.1-3, p.6).

- representatives sent to the contractor: to monitor (SDP body, recipient) or, where the
  contractor houses no military representative office, the recipient's for quality control
  and acceptance (Art 24 p.2-3);
- whether a military representative office controls the contract: one at the contractor,
  unless the contract is for the State Security Service (Art 27 p.1, p.6);
- the military representatives' list of the contract's goods under their control and
  acceptance, approved by the contract's state party (Art 27 p.2): the office certifies only
  what it lists (`execution_service.certify_lot`);
- information requested from the contractor: by the SDP body or the recipient on its
  activities (Art 26 sub 1), by the military representatives for one of their functions
  (Art 27 p.3); the Law sets no term for the reply (`defense.information_request_term`).

Conventions (transaction, audit, secrecy) are those of `contracts_service`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from kzreg.defense import secrecy
from kzreg.defense.acceptance import Representative, representative_mandate
from kzreg.defense.contracts import art
from kzreg.defense.contracts_models import (
    DefenseContract,
    DefenseControlList,
    DefenseInformationRequest,
    DefenseRepresentative,
)
from kzreg.defense.contracts_service import (
    audit_contract,
    check_executing,
    get_contract,
    instant,
    officer,
    validated,
)
from kzreg.law.calendar import local_date
from kzreg.law.citations import Citation
from kzreg.law.deadlines import deadline
from kzreg.law.errors import Conflict, Forbidden, InputError, NotFound
from kzreg.law.settings import setting
from kzreg.platform import notifications
from kzreg.platform.actors import Actor, Role
from kzreg.platform.users import users_with_role

# --- representatives (Art 24 p.2-3) ----------------------------------------------------------

class RepresentativeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    person: str = Field(min_length=3, max_length=200)
    sent_by: Literal["sdp_body", "recipient"]
    mandate: Literal["monitoring", "quality_acceptance"]
    from_on: dt.date | None = None


def add_representative(session: Session, actor: Actor, case_id: int,
                       body: dict[str, Any] | RepresentativeIn, *,
                       at: dt.datetime | None = None) -> DefenseRepresentative:
    at = instant(at)
    officer(actor)
    body = validated(RepresentativeIn, body)
    case, contract = get_contract(session, actor, case_id)
    check_executing(case)
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
    audit_contract(session, actor, "defense.contract.representative_sent", contract,
                   art("Art 24 p.3" if body.mandate == "monitoring" else "Art 24 p.2"), at,
                   representative=row.id)
    return row


def representatives(session: Session, case_id: int) -> list[DefenseRepresentative]:
    return list(session.scalars(select(DefenseRepresentative)
                                .where(DefenseRepresentative.case_id == case_id)
                                .order_by(DefenseRepresentative.id)))


# --- the military representative office's reach (Art 27 p.1, p.6) ----------------------------

def mro_applies(contract: DefenseContract) -> bool:
    """A military representative office controls and accepts this contract's goods
    (Art 27 p.1-2), unless it is for the State Security Service (p.6)."""
    return contract.mro_at_contractor and not contract.for_state_security_service


def mro_required(contract: DefenseContract, field: str) -> None:
    """Refuse what only a military representative office does (Art 27) where none controls
    the contract."""
    if contract.for_state_security_service:
        raise InputError("Art 27 does not apply to the State Security Service", field=field,
                         citation=art("Art 27 p.6"))
    if not contract.mro_at_contractor:
        raise InputError("the contractor houses no military representative office; the "
                         "recipient accepts under the contract's terms", field=field,
                         citation=art("Art 25 sub 9"))


# --- the military representatives' control list (Art 27 p.2) ---------------------------------

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
    at = instant(at)
    officer(actor)
    body = validated(ControlListIn, body)
    case, contract = get_contract(session, actor, case_id)
    mro_required(contract, "mro_at_contractor")
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
    audit_contract(session, actor, "defense.control_list.developed", contract,
                   art("Art 27 p.2"), at, items=len(names))
    return row


def approve_control_list(session: Session, actor: Actor, case_id: int, *,
                         at: dt.datetime | None = None) -> DefenseControlList:
    """Approval by the contract's state party: the SDP body or the recipient that concluded
    it (Art 27 p.2, Art 22 p.1)."""
    at = instant(at)
    officer(actor)
    _, contract = get_contract(session, actor, case_id)
    row = control_list(session, case_id)
    if row is None:
        raise NotFound("no control list developed for this contract", field="control_list")
    if row.approved_on is not None:
        raise Conflict(f"approved on {row.approved_on.isoformat()}", field="control_list")
    row.approved_on, row.approved_by = local_date(at), actor.username
    row.approver = contract.contract_party
    audit_contract(session, actor, "defense.control_list.approved", contract, art("Art 27 p.2"), at)
    return row


def control_list(session: Session, case_id: int) -> DefenseControlList | None:
    return session.get(DefenseControlList, case_id)


# --- information requested from the contractor (Art 26 sub 1, Art 27 p.3) --------------------

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
    at = instant(at)
    officer(actor)
    body = validated(InformationRequestIn, body)
    case, contract = get_contract(session, actor, case_id)
    if body.requester == "military_representatives":
        mro_required(contract, "requester")
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
    audit_contract(session, actor, "defense.information.requested", contract, basis, at,
                   request=row.id, requester=body.requester, notified=len(people))
    return row


def answer_information(session: Session, actor: Actor, request_id: int, answer: str, *,
                       case_id: int | None = None,
                       at: dt.datetime | None = None) -> DefenseInformationRequest:
    """The contractor's answer (Art 26 sub 1); an officer may record one received outside
    the system."""
    at = instant(at)
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
    audit_contract(session, actor, "defense.information.answered", contract,
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
