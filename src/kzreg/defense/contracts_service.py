"""The life of a state defense order contract as the system runs it (Law 236-VI Art 22).

A contract is opened from a placed order item at the instant of the Government act approving
the order, so its terms run from there (`defense.contract` case): sent within 10 calendar
days (Art 22 p.5), signed within 20 of receipt (p.6), paid within 30 of the documented
acceptance (p.8); a term that runs out records a breach. Sending needs a draft with the
content of p.4 and a payment term of at most 30 days (p.8). The contractor refuses only on
the three grounds of p.7. Refusals, late conclusion, termination, amendments and missed
delivery deadlines are notified at once to the SDP body's people (p.12). Penalties are
credited to the republican budget (p.10), each marked when recovered. The board is searched
and exported within the caller's clearance.

The other contract services build on this module's conventions (`instant`, `validated`,
`officer`, `audit_contract`, `get_contract`): modifications (Art 23) in
`modification_service`; lots, acceptance line by line and reclamation (Arts 25, 27, 29) in
`execution_service`; representatives, the control list and information requests (Arts 24,
26, 27) in `monitoring_service`; the state material reserve (Art 24 p.4) in
`reserve_service`.

Every operation runs in the caller's transaction, is audited, and refuses with a
`KzregError` naming the field and the clause. Contracts carry a secrecy level (Art 25 sub 3)
as the case's clearance: a contract above the caller's clearance is "not found", and a
classified contract's subject and terms stay out of the audit log. Money is exact: amounts
are whole tiyn, shown with two decimals (`tenge`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from kzreg.defense import secrecy
from kzreg.defense.contracts import (
    NOTICE_WORDS,
    ContractDraft,
    Money,
    NoticeEvent,
    Refusal,
    Term,
    art,
    check_content,
    check_refusal,
    penalty_recovery,
    term_deadline,
)
from kzreg.defense.contracts_models import (
    DefenseContract,
    DefenseContractNotice,
    DefenseLineAcceptance,
    DefensePenalty,
)
from kzreg.defense.modifications import Line
from kzreg.defense.workflow import CONTRACT, OFFICERS
from kzreg.law import calendar
from kzreg.law.calendar import ALMATY, local_date
from kzreg.law.citations import Citation
from kzreg.law.errors import Conflict, Forbidden, InputError, NotFound, NotInForce
from kzreg.law.explain import jsonable
from kzreg.law.identifiers.bin_iin import validate_bin
from kzreg.platform import audit, notifications
from kzreg.platform.actors import SYSTEM, Actor, Role
from kzreg.platform.cases import Case, fire, get_case_for, open_case, visible_cases
from kzreg.platform.timers import PENDING, Breach, Timer
from kzreg.platform.users import users_with_role

OPEN_STATES = ("approved", "sent", "received", "in_execution", "accepted")
CENT = Decimal("0.01")


# --- conventions of every contract service ---------------------------------------------------

def tenge(value: Decimal | str | int | None) -> str | None:
    """Money as this room's responses show it: exact, with two decimals ("5000.00"); an
    amount with more decimals (a unit price) is shown in full rather than rounded."""
    if value is None:
        return None
    amount = value if isinstance(value, Decimal) else Decimal(str(value))
    return f"{amount:.2f}" if amount == amount.quantize(CENT) else str(amount)


def whole_tiyn(amount: Decimal, field: str) -> Decimal:
    """Refuse an amount finer than the tiyn: sums are kept to two decimals, never rounded."""
    if amount != amount.quantize(CENT):
        raise InputError(f"{amount} is not a whole number of tiyn (two decimals)", field=field)
    return amount


def now_utc() -> dt.datetime:
    """The service's clock (tests move it)."""
    return calendar.now_utc()


def instant(at: dt.datetime | None) -> dt.datetime:
    """The operation's instant: `at` in UTC, or now."""
    return calendar.to_utc(at, field="at") if at is not None else now_utc()


def validated(model: type[BaseModel], data: Any, prefix: str = "") -> Any:
    """A pydantic model from user data; the first error as an InputError naming the field."""
    if isinstance(data, model):
        return data
    try:
        return model.model_validate(data or {})
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise InputError(first["msg"], field=prefix + where if where else prefix or "body") \
            from None


def officer(actor: Actor) -> None:
    """Refuse anyone but a defense officer or an administrator."""
    if actor.role not in OFFICERS:
        raise Forbidden(f"a {actor.role.value} may not do this: defense officers act for the "
                        "state", field="actor")


def audit_contract(session: Session, actor: Actor, action: str, contract: DefenseContract,
                   basis: Citation, at: dt.datetime, **data: Any) -> None:
    """Audit an operation; the entry names the contract and its level, never its content."""
    audit.append(session, actor=actor, action=action, case_id=contract.case_id,
                 case_type=CONTRACT, basis=basis, at=at,
                 data={"secrecy_level": contract.secrecy_level, **data})


def check_executing(case: Case) -> None:
    """Refuse unless the contract is in execution (signed, not yet accepted)."""
    if case.state != "in_execution":
        raise Conflict(f"the contract is {case.state!r}, not in execution", field="state")


# --- creating a contract from a placed order item --------------------------------------------

class PlacedItem(BaseModel):
    """An item of the approved order with its selected contractor: what a contract is made
    from (Art 19 p.3, Art 22 p.1, p.4)."""

    model_config = ConfigDict(extra="forbid")

    order_ref: str = Field(min_length=1, max_length=100,
                           description="number of the Government act approving the order")
    order_item_ref: str | None = Field(None, max_length=100)
    act_adopted_on: dt.date = Field(description="adoption of the approving act (Art 22 p.5)")
    subject: str = Field(min_length=3, max_length=500)
    category: str = Field(min_length=1, max_length=10, description="Art 19 p.2 category")
    recipient: str = Field(min_length=2, max_length=300)
    contract_party: Literal["sdp_body", "recipient"] = Field(
        "sdp_body", description="who concludes: the SDP body, or the recipient when the funds "
        "are in its budget (Art 22 p.1; Art 25 sub 6)")
    contractor_bin: str = Field(pattern=r"^\d{12}$")
    contractor_name: str = Field(min_length=2, max_length=300)
    secrecy_level: int = Field(0, ge=0, le=3, description="set by the recipient (Art 25 sub 3)")
    lines: list[Line] = Field(min_length=1)
    yearly: dict[int, Money] = Field(default_factory=dict)
    mro_at_contractor: bool = True
    for_state_security_service: bool = False
    warranty_until: dt.date | None = None
    draft: ContractDraft = Field(default_factory=ContractDraft)

    @field_validator("contractor_bin", mode="before")
    @classmethod
    def _strip(cls, value: Any) -> Any:
        return value.strip() if isinstance(value, str) else value


def lines_value(lines: list[Line] | list[dict[str, Any]]) -> Decimal:
    items = [x if isinstance(x, Line) else Line.model_validate(x) for x in lines]
    return sum((x.quantity * x.unit_price for x in items), Decimal(0))


def create_contract(session: Session, actor: Actor, item: PlacedItem | dict[str, Any], *,
                    at: dt.datetime | None = None) -> Case:
    """Open the contract case at the approving act's adoption, so the 10-day term to send
    it runs from there (Art 22 p.5); the terms are kept in `defense_contracts`."""
    item = validated(PlacedItem, item)
    at = instant(at)
    officer(actor)
    from kzreg.defense.order import category

    category(item.category)
    validate_bin(item.contractor_bin, field="contractor_bin")
    if item.act_adopted_on > local_date(at):
        raise InputError("the approving act cannot be adopted in the future",
                         field="act_adopted_on", citation=art("Art 22 p.5"))
    try:  # Arts 22-23 apply from 1 January 2020 (Art 32 p.1)
        term_deadline(Term.SEND, item.act_adopted_on)
    except NotInForce as exc:
        exc.field = "act_adopted_on"
        raise
    items = {line.item for line in item.lines}
    if len(items) != len(item.lines):
        raise InputError("each item appears once in the lines", field="lines")
    value = whole_tiyn(lines_value(item.lines), "lines")
    draft = item.draft.model_copy(update={"value": item.draft.value or value})
    if draft.value != value:
        raise InputError(f"the draft's value {draft.value} differs from the lines' {value}",
                         field="draft.value", citation=art("Art 22 p.4"))
    if item.yearly and sum(item.yearly.values()) != value:
        raise InputError("the yearly amounts do not add up to the contract value",
                         field="yearly", citation=art("Art 22 p.3"))
    adopted = dt.datetime.combine(item.act_adopted_on, dt.time(9), ALMATY)
    # the case keeps its real title for cleared readers; a classified one stays out of the
    # audit log, which names the case and its level only
    case = open_case(session, CONTRACT, actor=actor, title=item.subject,
                     party_bins=[item.contractor_bin], clearance=item.secrecy_level,
                     data={"order_ref": item.order_ref, "category": item.category},
                     at=adopted, audit_title=item.secrecy_level == 0)
    contract = DefenseContract(
        case_id=case.id, order_ref=item.order_ref, order_item_ref=item.order_item_ref,
        act_adopted_on=item.act_adopted_on, subject=item.subject, category=item.category,
        recipient=item.recipient, contract_party=item.contract_party,
        contractor_bin=item.contractor_bin, contractor_name=item.contractor_name,
        secrecy_level=item.secrecy_level, value=value,
        draft=jsonable(draft.model_dump(exclude_none=True)),
        lines=jsonable([x.model_dump() for x in item.lines]),
        yearly=jsonable({str(k): v for k, v in item.yearly.items()}),
        mro_at_contractor=item.mro_at_contractor,
        for_state_security_service=item.for_state_security_service,
        warranty_until=item.warranty_until, suspended=False, created_by=actor.username,
        created_at=at)
    session.add(contract)
    session.flush()
    audit_contract(session, actor, "defense.contract.created", contract, art("Art 22 p.1"), at,
                   order_ref=item.order_ref, order_item_ref=item.order_item_ref)
    return case


# --- reading ---------------------------------------------------------------------------------

def get_contract(session: Session, actor: Actor, case_id: int) -> tuple[Case, DefenseContract]:
    """The contract, or NotFound when it is not one or lies outside the caller's scope or
    clearance (its existence is not revealed)."""
    case = get_case_for(session, actor, case_id)
    contract = session.get(DefenseContract, case_id) if case.case_type == CONTRACT else None
    if contract is None:
        raise NotFound(f"no contract {case_id}", field="case_id")
    return case, contract


def read_contract(session: Session, actor: Actor, case_id: int,
                  what: str = "contract") -> tuple[Case, DefenseContract]:
    """`get_contract`, recording the read of a classified contract (Art 25 sub 3)."""
    case, contract = get_contract(session, actor, case_id)
    secrecy.record_read(session, actor, f"{what} {case_id}", contract.secrecy_level)
    return case, contract


@dataclass(frozen=True)
class BoardRow:
    case: Case
    contract: DefenseContract
    next_due: dt.datetime | None       # the nearest running term or delivery deadline
    next_what: str
    next_citation: str | None
    breaches: int


def board(session: Session, actor: Actor, q: str = "", state: str | None = None, *,
          purpose: str | None = None) -> list[BoardRow]:
    """The contracts the caller may see, the nearest deadline first (finished ones last);
    `q` searches number, subject, order, contractor and BIN, `state` filters. The search runs
    inside the caller's scope in SQL, so nothing above the clearance can match. A classified
    row shown is a classified read (`purpose` names it in the audit log)."""
    query = (visible_cases(session, actor).add_columns(DefenseContract)
             .join(DefenseContract, DefenseContract.case_id == Case.id)
             .where(Case.case_type == CONTRACT).order_by(Case.id))
    rows = session.execute(_filtered(query, q, state)).all()
    ids = [case.id for case, _ in rows]
    accepted = accepted_items(session, ids)
    timers: dict[int, Timer] = {}
    for timer in session.scalars(select(Timer).where(Timer.case_id.in_(ids),
                                                     Timer.status == PENDING)
                                 .order_by(Timer.due_at)):
        timers.setdefault(timer.case_id, timer)
    counts: dict[int, int] = {}
    running_late: dict[int, Breach] = {}   # a term ran out and the act is still not done
    for breach in session.scalars(select(Breach).where(Breach.case_id.in_(ids))
                                  .order_by(Breach.due_at)):
        counts[breach.case_id] = counts.get(breach.case_id, 0) + 1
        if breach.resolved_at is None:
            running_late.setdefault(breach.case_id, breach)
    out = []
    for case, contract in rows:
        due, what, basis = None, "", None
        found = timers.get(case.id) or running_late.get(case.id)
        if found is not None:
            due, what, basis = found.due_at, found.title or found.name, found.citation
        if case.state == "in_execution":
            for line in contract.lines:
                if line["item"] in accepted.get(case.id, {}):
                    continue
                end = calendar.end_of_day_utc(dt.date.fromisoformat(line["deadline"]))
                if due is None or end < due:
                    due, what = end, f"delivery: {line['item']}"
                    basis = art("Art 22 p.12").ref
        out.append(BoardRow(case, contract, due, what, basis, counts.get(case.id, 0)))
    far = dt.datetime.max.replace(tzinfo=dt.UTC)
    out.sort(key=lambda r: (r.case.closed_at is not None, r.next_due or far, r.case.id))
    levels = [r.contract.secrecy_level for r in out if r.contract.secrecy_level]
    if levels:
        purpose = purpose or ("contracts search" if q or state else "contracts board")
        secrecy.record_read(session, actor, f"{purpose}: " + ", ".join(
            str(r.case.id) for r in out if r.contract.secrecy_level), max(levels))
    return out


def _filtered(query, q: str, state: str | None):
    from kzreg.platform.casetypes import get_case_type

    if state:
        if state not in {s.name for s in get_case_type(CONTRACT).states}:
            raise InputError(f"no contract state {state!r}", field="state")
        query = query.where(Case.state == state)
    text = (q or "").strip()
    if len(text) > 100:
        raise InputError("search for at most 100 characters", field="q")
    if text:
        like = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        found = [column.ilike(like, escape="\\") for column in (
            DefenseContract.subject, DefenseContract.contractor_name, DefenseContract.order_ref,
            DefenseContract.order_item_ref, DefenseContract.recipient)]
        found.append(DefenseContract.contractor_bin == text)
        if text.isdigit() and len(text) < 10:
            found.append(Case.id == int(text))
        query = query.where(or_(*found))
    return query


def accepted_items(session: Session, case_ids: list[int]
                   ) -> dict[int, dict[str, DefenseLineAcceptance]]:
    """Per contract, its accepted lines by item (Art 25 sub 6)."""
    found: dict[int, dict[str, DefenseLineAcceptance]] = {}
    if case_ids:
        for row in session.scalars(select(DefenseLineAcceptance).where(
                DefenseLineAcceptance.case_id.in_(case_ids))):
            found.setdefault(row.case_id, {})[row.item] = row
    return found


def terms(contract: DefenseContract, case: Case, today: dt.date) -> list[dict[str, Any]]:
    """The three terms of Art 22 with their due days, whether met, and the clause."""
    rows = []
    steps = ((Term.SEND, contract.act_adopted_on, contract.sent_on),
             (Term.SIGN, contract.received_on, contract.signed_on),
             (Term.PAY, contract.accepted_on, contract.paid_on))
    for term, trigger, done in steps:
        if trigger is None:
            rows.append({"term": term.value, "trigger_on": None, "due": None, "done_on": None,
                         "status": "not started", "citation": _term_locator(term)})
            continue
        result = term_deadline(term, trigger, done, today).value
        status = ("on time" if result.on_time else "late") if done else \
            ("overdue" if result.overdue_on else "running")
        if done is None and case.closed_at is not None:
            status = "not applicable"
        rows.append({"term": term.value, "trigger_on": trigger, "due": result.due,
                     "done_on": done, "status": status, "citation": _term_locator(term)})
    return rows


def _term_locator(term: Term) -> str:
    return art({Term.SEND: "Art 22 p.5", Term.SIGN: "Art 22 p.6",
                Term.PAY: "Art 22 p.8"}[term]).ref


def content(contract: DefenseContract):
    """The Art 22 p.4 / p.8 check of the contract's draft."""
    return check_content(ContractDraft.model_validate(contract.draft))


# --- conclusion: draft, send, receive, sign, refuse ------------------------------------------

def update_draft(session: Session, actor: Actor, case_id: int, draft: dict[str, Any], *,
                 at: dt.datetime | None = None) -> DefenseContract:
    """Replace the draft before it is sent (Art 22 p.4); the value stays the lines' total."""
    at = instant(at)
    officer(actor)
    case, contract = get_contract(session, actor, case_id)
    if case.state != "approved":
        raise Conflict("the draft is fixed once the contract is sent", field="state")
    new = validated(ContractDraft, draft, "draft.")
    if new.value is not None and new.value != contract.value:
        raise InputError(f"the value is the lines' total {contract.value}; change it by a "
                         "modification", field="draft.value", citation=art("Art 22 p.4"))
    contract.draft = jsonable(new.model_copy(update={"value": contract.value})
                              .model_dump(exclude_none=True))
    audit_contract(session, actor, "defense.contract.draft_updated", contract,
                   art("Art 22 p.4"), at)
    return contract


def send(session: Session, actor: Actor, case_id: int, *,
         at: dt.datetime | None = None) -> Case:
    """Send the contract (Art 22 p.5): only a draft with the content of p.4 and p.8."""
    at = instant(at)
    case, contract = get_contract(session, actor, case_id)
    findings = content(contract).value.findings
    if findings:
        first = findings[0]
        raise InputError(f"the draft cannot be sent: {first.problem}"
                         + (f" (and {len(findings) - 1} more)" if len(findings) > 1 else ""),
                         field=f"draft.{first.field}", citation=Citation.parse(first.citation))
    case = fire(session, case_id, "send", actor=actor, at=at)
    contract.sent_on = local_date(at)
    _late(session, case, contract, Term.SEND, contract.act_adopted_on, contract.sent_on, at)
    return case


def receive(session: Session, actor: Actor, case_id: int, *,
            at: dt.datetime | None = None) -> Case:
    """Record the contractor's receipt: the 20 days to sign start (Art 22 p.6)."""
    at = instant(at)
    _, contract = get_contract(session, actor, case_id)
    case = fire(session, case_id, "receive", actor=actor, at=at)
    contract.received_on = local_date(at)
    return case


def sign(session: Session, actor: Actor, case_id: int, *,
         at: dt.datetime | None = None) -> Case:
    """The contractor signs (Art 22 p.6); a late signature is an untimely conclusion (p.12)."""
    at = instant(at)
    _, contract = get_contract(session, actor, case_id)
    if contract.received_on is None:
        raise Conflict("the contract has not been received", field="state")
    case = fire(session, case_id, "sign", actor=actor, at=at)
    contract.signed_on = local_date(at)
    _late(session, case, contract, Term.SIGN, contract.received_on, contract.signed_on, at)
    return case


def refuse(session: Session, actor: Actor, case_id: int, refusal: dict[str, Any] | Refusal,
           *, at: dt.datetime | None = None) -> Case:
    """The contractor refuses to conclude: only on a ground of Art 22 p.7, notified (p.12)."""
    at = instant(at)
    refusal = validated(Refusal, refusal)
    case, contract = get_contract(session, actor, case_id)
    if actor.role != Role.CONTRACTOR:
        raise Forbidden("only the contractor refuses to conclude", field="actor")
    if case.state != "received":
        raise Conflict(f"cannot refuse: the contract is {case.state!r}, not 'received'",
                       field="state")
    result = check_refusal(refusal).value
    if not result.valid:
        why = ("the specification matches the TTS of the selection"
               if refusal.ground.value == "spec_mismatch" else
               "no link of the event to this contract is recorded"
               if refusal.ground.value == "sanctions_embargo_force_majeure" else
               f"{refusal.ground.value!r} is not one of the three grounds")
        raise InputError(f"refusal not valid: {why}; the contract is to be signed within 20 "
                         "calendar days of receipt", field="ground", citation=art("Art 22 p.7"))
    case = fire(session, case_id, "refuse", actor=actor, at=at, payload=refusal,
                audit_payload=contract.secrecy_level == 0)
    notify_sdp_body(session, case, contract, NoticeEvent.REFUSAL, "refusal", at,
                    f"ground {refusal.ground.value}")
    return case


def _late(session: Session, case: Case, contract: DefenseContract, term: Term,
          trigger: dt.date, done: dt.date, at: dt.datetime) -> None:
    result = term_deadline(term, trigger, done).value
    if result.on_time is False:
        notify_sdp_body(session, case, contract, NoticeEvent.LATE_CONCLUSION, term.value, at,
                        f"{term.value}: due {result.due.isoformat()}, done {done.isoformat()}")


# --- missed delivery, termination, payment ---------------------------------------------------

def record_missed_delivery(session: Session, actor: Actor, case_id: int, item: str,
                           deadline: dt.date, *, at: dt.datetime | None = None) -> bool:
    """Record a delivery deadline missed and notify the SDP body once (Art 22 p.12).
    False when it was already recorded."""
    at = instant(at)
    case, contract = get_contract(session, actor, case_id)
    key = f"{item}@{deadline.isoformat()}"
    if _notice_sent(session, case_id, NoticeEvent.MISSED_DELIVERY, key):
        return False
    fire(session, case_id, "record_missed_delivery", actor=actor, at=at,
         payload={"note": f"delivery of {item} due {deadline.isoformat()} missed"},
         audit_payload=contract.secrecy_level == 0)
    notify_sdp_body(session, case, contract, NoticeEvent.MISSED_DELIVERY, key, at,
                    f"item {item}, due {deadline.isoformat()}")
    return True


def missed_deliveries(session: Session, actor: Actor, today: dt.date
                      ) -> list[tuple[int, str, dt.date]]:
    """(case, item, deadline) of contracts in execution whose line, not yet accepted, had its
    deadline pass."""
    query = (visible_cases(session, actor).add_columns(DefenseContract)
             .join(DefenseContract, DefenseContract.case_id == Case.id)
             .where(Case.case_type == CONTRACT, Case.state == "in_execution")
             .order_by(Case.id))
    rows = session.execute(query).all()
    accepted = accepted_items(session, [case.id for case, _ in rows])
    found = []
    for case, contract in rows:
        for line in contract.lines:
            deadline = dt.date.fromisoformat(line["deadline"])
            if deadline < today and line["item"] not in accepted.get(case.id, {}):
                found.append((case.id, line["item"], deadline))
    return found


def terminate(session: Session, actor: Actor, case_id: int, note: str, *,
              at: dt.datetime | None = None) -> Case:
    """Terminate on a ground of the contract (Art 22 p.4) and notify the SDP body (p.12)."""
    at = instant(at)
    _, contract = get_contract(session, actor, case_id)
    case = fire(session, case_id, "terminate", actor=actor, at=at, payload={"note": note},
                audit_payload=contract.secrecy_level == 0)
    notify_sdp_body(session, case, contract, NoticeEvent.TERMINATION, "termination", at, note)
    return case


def pay(session: Session, actor: Actor, case_id: int, *, at: dt.datetime | None = None) -> Case:
    """Record full payment: the contract is fulfilled when both parties performed (p.8-9)."""
    at = instant(at)
    _, contract = get_contract(session, actor, case_id)
    case = fire(session, case_id, "pay", actor=actor, at=at)
    contract.paid_on = local_date(at)
    return case


# --- penalties (Art 22 p.10) -----------------------------------------------------------------

class PenaltyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    amount: Money
    reason: str = Field(min_length=3, max_length=500)
    assessed_on: dt.date | None = None


def assess_penalty(session: Session, actor: Actor, case_id: int,
                   body: dict[str, Any] | PenaltyIn, *,
                   at: dt.datetime | None = None) -> DefensePenalty:
    """A penalty for non-performance, recovered by the contract party and credited to the
    republican budget (Art 22 p.10); the amount is the contract's (Art 29 p.6)."""
    at = instant(at)
    officer(actor)
    body = validated(PenaltyIn, body)
    case, contract = get_contract(session, actor, case_id)
    if body.amount <= 0:
        raise InputError("a penalty is a positive amount", field="amount",
                         citation=art("Art 22 p.10"))
    whole_tiyn(body.amount, "amount")
    recovery = penalty_recovery(body.amount, contract.contract_party).value
    row = DefensePenalty(case_id=case_id, amount=body.amount, reason=body.reason,
                         assessed_on=body.assessed_on or local_date(at),
                         recovered_by=recovery.recovered_by, credited_to=recovery.credited_to,
                         recorded_by=actor.username, recorded_at=at)
    session.add(row)
    session.flush()
    audit_contract(session, actor, "defense.contract.penalty_assessed", contract,
                   art("Art 22 p.10"), at, penalty=row.id)
    return row


def recover_penalty(session: Session, actor: Actor, penalty_id: int,
                    on: dt.date | None = None, *, case_id: int | None = None,
                    at: dt.datetime | None = None) -> DefensePenalty:
    """Mark a penalty recovered (on `on`, default today): the SDP body or the recipient
    ensures the recovery and the sum goes to the republican budget (Art 22 p.10). With
    `case_id`, a penalty of another contract is "not found"."""
    at = instant(at)
    officer(actor)
    row = session.get(DefensePenalty, penalty_id)
    if row is None or (case_id is not None and row.case_id != case_id):
        raise NotFound(f"no penalty {penalty_id}", field="penalty_id")
    _, contract = get_contract(session, actor, row.case_id)
    on = on or local_date(at)
    if row.recovered_on is not None:
        raise Conflict("the penalty was already recovered", field="penalty_id")
    if on < row.assessed_on or on > local_date(at):
        raise InputError("recovered between the assessment and today", field="recovered_on")
    row.recovered_on = on
    audit_contract(session, actor, "defense.contract.penalty_recovered", contract,
                   art("Art 22 p.10"), at, penalty=row.id)
    return row


def penalties(session: Session, case_id: int) -> list[DefensePenalty]:
    return list(session.scalars(select(DefensePenalty).where(DefensePenalty.case_id == case_id)
                                .order_by(DefensePenalty.id)))


@dataclass(frozen=True)
class PenaltySums:
    """What was assessed, recovered to the republican budget and is still owed (Art 22 p.10)."""

    assessed: Decimal
    recovered: Decimal
    outstanding: Decimal


def penalty_sums(rows: list[DefensePenalty]) -> PenaltySums:
    assessed = sum((p.amount for p in rows), Decimal(0))
    recovered = sum((p.amount for p in rows if p.recovered_on is not None), Decimal(0))
    return PenaltySums(assessed, recovered, assessed - recovered)


# --- Art 22 p.12 notices ---------------------------------------------------------------------

def _notice_sent(session: Session, case_id: int, event: NoticeEvent, key: str) -> bool:
    return session.scalars(select(DefenseContractNotice.id).where(
        DefenseContractNotice.case_id == case_id, DefenseContractNotice.event == event.value,
        DefenseContractNotice.key == key)).first() is not None


def sdp_body_users(session: Session, level: int) -> list[int]:
    """The SDP body's people cleared to the contract's level (no one else is told)."""
    return [u.id for u in users_with_role(session, Role.DEFENSE_OFFICER)
            if secrecy.can_see(u.clearance, level)]


def notify_sdp_body(session: Session, case: Case, contract: DefenseContract,
                    event: NoticeEvent, key: str, at: dt.datetime,
                    detail: str = "") -> DefenseContractNotice | None:
    """Tell the SDP body at once (Art 22 p.12), once per (event, key). A classified contract's
    notice stays in the in-app inbox: no e-mail leaves the system with it."""
    if _notice_sent(session, case.id, event, key):
        return None
    words = NOTICE_WORDS[event]
    subject = f"Law 236-VI Art 22 p.12: {words}, contract No {case.id}"
    classified = contract.secrecy_level > 0
    body = (f"Contract No {case.id} ({secrecy.LEVELS[contract.secrecy_level]}): {words}. "
            "Open the contract in kzreg for the details." if classified else
            f"Contract No {case.id} \"{contract.subject}\" with {contract.contractor_name} "
            f"(BIN {contract.contractor_bin}): {words}. {detail}".strip())
    recipients = sdp_body_users(session, contract.secrecy_level)
    if recipients:
        notifications.notify(session, recipients=recipients, subject=subject, body=body,
                             case_id=case.id, kind="alert", basis=art("Art 22 p.12"),
                             email=not classified, at=at)
    row = DefenseContractNotice(case_id=case.id, event=event.value, key=key[:120],
                                subject=subject, occurred_at=at, sent_at=at,
                                recipients=len(recipients))
    session.add(row)
    session.flush()
    audit.append(session, actor=SYSTEM, action="defense.contract.notice_sent",
                 case_id=case.id, case_type=CONTRACT, basis=art("Art 22 p.12"), at=at,
                 data={"event": event.value, "key": key, "recipients": len(recipients)})
    return row


def notices(session: Session, case_id: int) -> list[DefenseContractNotice]:
    return list(session.scalars(select(DefenseContractNotice)
                                .where(DefenseContractNotice.case_id == case_id)
                                .order_by(DefenseContractNotice.id)))
