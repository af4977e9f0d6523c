"""The state defense order on the database (Law 236-VI): recipients' applications and the
research pipeline (Art 25 sub 1-2, Art 21), the draft order, its content check and its
approval by a Government act, after which it is never edited (Art 19 p.3-4, Art 5 sub 8);
its versions — the approved order and each amendment approved by a later Government act —
and `order_version_on`, the version that applied on a date (Art 23 p.1 sub 2). Selection,
requirements (TTS), amendments and research reports are beside it: `selection_service`,
`requirement_service`, `version_service`, `research_service`.

Each operation runs in the caller's transaction (one `unit_of_work`, one request) and
audits what it changes. Who may act — the access rules all the services use: the SDP
body's officers and administrators (DEFENSE_OFFICER, ADMIN) write; auditors read; a
contractor reads only the approved order's tasks addressed to its BIN (Art 6-1 sub 13)
and the selections it took part in (Art 20 p.4 part 2). Secrecy (Art 25 sub 3): nothing
above the reader's clearance leaves these modules — a hidden record is "not found", a
hidden line of a visible order is redacted, and every read of classified data is audited
(`secrecy.record_read`).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from kzreg.defense import applications, order, secrecy
from kzreg.defense._law import art
from kzreg.defense.models import (
    DefenseApplication,
    DefenseOrder,
    DefenseOrderAmendment,
    DefenseOrderLine,
    DefenseRegisterEntry,
    DefenseResearchArea,
    DefenseSelection,
)
from kzreg.law.calendar import now_utc
from kzreg.law.errors import Forbidden, InputError, LegalRuleError, NotFound
from kzreg.law.explain import jsonable
from kzreg.law.numbers import exact
from kzreg.platform import audit
from kzreg.platform.actors import Actor, Role

OFFICERS = frozenset({Role.DEFENSE_OFFICER, Role.ADMIN, Role.SYSTEM})
READERS = OFFICERS | {Role.AUDITOR, Role.CONTRACTOR}
IN_ORDER = "in_order"
FUNDS_HOLDERS = ("sdp_body", "recipient")


# --- who may do what ------------------------------------------------------------------------

def reader(actor: Actor) -> None:
    if actor.role not in READERS:
        raise Forbidden(f"the role {actor.role.value} has no access to the state defense "
                        "order", field="actor", citation=secrecy.BASIS)


def officer(actor: Actor) -> None:
    if actor.role not in OFFICERS or actor.read_only:
        raise Forbidden("only the SDP body's officers and administrators change the order",
                        field="actor", citation=art("Art 6-1 sub 13"))


def officer_or_none(actor: Actor) -> bool:
    return actor.role in OFFICERS and not actor.read_only


def sees(actor: Actor, level: int) -> bool:
    return secrecy.can_see(actor.clearance, level)


def classify(actor: Actor, value: Any, field: str = "secrecy_level") -> int:
    """The level the recipient sets (Art 25 sub 3); nobody files above their own clearance,
    since they could not read it back."""
    level = secrecy.level_of(value, field)
    if not sees(actor, level):
        raise InputError("a record cannot be classified above your own clearance",
                         field=field, citation=secrecy.BASIS)
    return level


def record_reads(session: Session, actor: Actor, what: str,
                 shown: list[tuple[Any, int]]) -> None:
    """One audit entry for the classified records a reply shows (none if all are open)."""
    classified = [(ident, level) for ident, level in shown if level > 0]
    if classified:
        ids = ", ".join(str(i) for i, _ in classified)
        secrecy.record_read(session, actor, f"{what}: {ids}"[:300],
                            max(level for _, level in classified))


def _amount(value: Any, field: str) -> Decimal:
    number = exact(value, field)
    if not isinstance(number, Decimal):
        raise InputError("give a decimal amount, not a fraction", field=field)
    return number


def _text(number: Decimal) -> str:
    return format(number.normalize(), "f")


def not_found(what: str, ident: Any) -> NotFound:
    # The same words whether the record is missing, classified above the reader or
    # outside a contractor's scope: no answer confirms that a hidden record exists.
    return NotFound(f"no {what} {ident}", field="id")


# --- research areas and applications (Art 25 sub 1-2, Art 21) ----------------------------

class AreaIn(BaseModel):
    code: str = Field(min_length=1, max_length=100)
    title: str = Field(min_length=1, max_length=300)
    approved_on: dt.date
    dstc_decision: str = Field(min_length=1, max_length=200)
    secrecy_level: int = 0


def approve_area(session: Session, actor: Actor, body: AreaIn) -> DefenseResearchArea:
    """Record a specialized scientific area approved by the DSTC (Art 21 p.2 task 2)."""
    officer(actor)
    level = classify(actor, body.secrecy_level)
    if session.get(DefenseResearchArea, body.code) is not None:
        raise InputError(f"area {body.code} is already approved", field="code")
    at = now_utc()
    row = DefenseResearchArea(code=body.code, title=body.title, approved_on=body.approved_on,
                              dstc_decision=body.dstc_decision, secrecy_level=level,
                              recorded_by=actor.username, recorded_at=at)
    session.add(row)
    audit.append(session, actor=actor, action="defense.research_area_approved",
                 basis=art("Art 21 p.2"), at=at, data={"code": body.code})
    return row


def approved_areas(session: Session, on: dt.date) -> frozenset[str]:
    return frozenset(session.scalars(select(DefenseResearchArea.code)
                                     .where(DefenseResearchArea.approved_on <= on)))


class ApplicationIn(BaseModel):
    recipient: str = Field(min_length=1, max_length=300)
    category: str
    nomenclature: str = Field(min_length=1, max_length=300)
    quantity: str | int
    unit: str = Field("pcs", max_length=30)
    planning_period: str = Field(min_length=4, max_length=40)
    justification: str = ""
    place_of_delivery: str = Field("", max_length=300)
    research_area: str | None = None
    special_state_body: bool = False
    submitted_on: dt.date
    secrecy_level: int = 0


def submit_application(session: Session, actor: Actor,
                       body: ApplicationIn) -> DefenseApplication:
    """Record a recipient's application and what the Law finds in it (Art 25 sub 1-2)."""
    officer(actor)
    level = classify(actor, body.secrecy_level)
    quantity = _amount(body.quantity, "quantity")
    from kzreg.defense.list_service import on_list

    # the first head's list in force on the day decides categories 1-1, 2, 3, 7, 12
    # (Art 19 p.2 parts 2-3)
    listed = bool(on_list(session, body.recipient, body.category, body.nomenclature,
                          body.submitted_on))
    need = applications.Application(
        body.recipient, body.category, body.nomenclature, quantity, body.planning_period,
        body.justification, body.place_of_delivery, body.research_area, listed,
        body.special_state_body, level)
    problems = applications.check_application(
        need, approved_areas(session, body.submitted_on), body.submitted_on).value
    at = now_utc()
    row = DefenseApplication(
        recipient=body.recipient, category=body.category, nomenclature=body.nomenclature,
        quantity=_text(quantity), unit=body.unit, planning_period=body.planning_period,
        justification=body.justification, place_of_delivery=body.place_of_delivery,
        research_area=body.research_area, in_head_list=listed,
        special_state_body=body.special_state_body, submitted_on=body.submitted_on,
        problems=problems, dstc_selected=False, secrecy_level=level,
        recorded_by=actor.username, recorded_at=at)
    session.add(row)
    session.flush()
    audit.append(session, actor=actor, action="defense.application_submitted",
                 basis=art("Art 25 sub 1"), at=at,
                 data={"id": row.id, "admissible": not problems, "level": level})
    return row


def application_row(session: Session, actor: Actor, app_id: int) -> DefenseApplication:
    reader(actor)
    row = session.get(DefenseApplication, app_id)
    # Applications are the recipients' and the SDP body's; a contractor has none.
    if row is None or actor.role is Role.CONTRACTOR or not sees(actor, row.secrecy_level):
        raise not_found("application", app_id)
    return row


def get_application(session: Session, actor: Actor, app_id: int) -> DefenseApplication:
    row = application_row(session, actor, app_id)
    record_reads(session, actor, "application", [(row.id, row.secrecy_level)])
    return row


def list_applications(session: Session, actor: Actor, q: str | None = None,
                      limit: int = 500) -> list[DefenseApplication]:
    reader(actor)
    if actor.role is Role.CONTRACTOR:
        return []
    query = select(DefenseApplication).order_by(DefenseApplication.id.desc())
    rows = [r for r in session.scalars(query) if sees(actor, r.secrecy_level)]
    if q:
        needle = q.strip().lower()
        rows = [r for r in rows if needle in r.nomenclature.lower()
                or needle in r.recipient.lower()]
    rows = rows[:limit]
    record_reads(session, actor, "applications", [(r.id, r.secrecy_level) for r in rows])
    return rows


class ResearchDecisionIn(BaseModel):
    expert_opinion: str | None = Field(None, max_length=5000)
    dstc_selected: bool | None = None
    dstc_decision: str | None = Field(None, max_length=200)
    on: dt.date


def decide_research(session: Session, actor: Actor, app_id: int,
                    body: ResearchDecisionIn) -> dict:
    """The expert council's opinion (Art 21 p.4-5) and the DSTC's selection (Art 21 p.1) of
    a research application; the answer says whether it may enter the draft order."""
    officer(actor)
    row = application_row(session, actor, app_id)
    if row.category != applications.RESEARCH:
        raise InputError("only research applications go through the DSTC", field="id",
                         citation=art("Art 21 p.1"))
    if body.expert_opinion is not None:
        from kzreg.defense.research_service import council_on

        if body.expert_opinion.strip() and council_on(session, row.research_area,
                                                      body.on) is None:
            raise LegalRuleError(f"area {row.research_area} has no expert council on "
                                 f"{body.on.isoformat()}: the opinion is its council's",
                                 field="expert_opinion", citation=art("Art 21 p.4-5"))
        row.expert_opinion = body.expert_opinion.strip() or None
    if body.dstc_selected is not None:
        if body.dstc_selected and not row.expert_opinion:
            raise LegalRuleError("the DSTC selects research on the basis of the expert "
                                 "council's opinion; record it first", field="dstc_selected",
                                 citation=art("Art 21 p.1"))
        row.dstc_selected = body.dstc_selected
        row.dstc_decision = body.dstc_decision
    result = applications.research_included(row.research_area or "",
                                            approved_areas(session, body.on),
                                            row.expert_opinion, row.dstc_selected, body.on)
    audit.append(session, actor=actor, action="defense.research_decided",
                 basis=art("Art 21 p.1"), data={"id": row.id, "included": result.value})
    return {"included": result.value, "explanation": result.to_dict()}


# --- the order (Art 19) -------------------------------------------------------------------------

class OrderIn(BaseModel):
    title: str = Field(min_length=1, max_length=300)
    planning_period: str = Field(min_length=4, max_length=40)
    funds_holder: str = Field("sdp_body", description="sdp_body or recipient (Art 6-1 sub 12-19)")
    allocated_funds: str | int | None = None
    recipients: list[str] = Field(default_factory=list)
    contractors: list[str] = Field(default_factory=list, description="BINs")
    secrecy_level: int = 0


def create_order(session: Session, actor: Actor, body: OrderIn) -> DefenseOrder:
    """Open a draft order for a planning period (Art 20 p.1)."""
    officer(actor)
    level = classify(actor, body.secrecy_level)
    if body.funds_holder not in FUNDS_HOLDERS:
        raise InputError("the funds are in the SDP body's or the recipient's budget",
                         field="funds_holder", citation=art("Art 6-1 sub 12"))
    funds = (None if body.allocated_funds in (None, "")
             else _text(_amount(body.allocated_funds, "allocated_funds")))
    at = now_utc()
    row = DefenseOrder(title=body.title, planning_period=body.planning_period,
                       funds_holder=body.funds_holder, allocated_funds=funds,
                       recipients=[r.strip() for r in body.recipients if r.strip()],
                       contractors=[c.strip() for c in body.contractors if c.strip()],
                       status="draft", secrecy_level=level, created_by=actor.username,
                       created_at=at)
    session.add(row)
    session.flush()
    audit.append(session, actor=actor, action="defense.order_drafted",
                 basis=art("Art 20 p.1"), at=at, data={"id": row.id, "level": level})
    return row


def order_row(session: Session, actor: Actor, order_id: int) -> DefenseOrder:
    reader(actor)
    row = session.get(DefenseOrder, order_id)
    if row is None or not sees(actor, row.secrecy_level):
        raise not_found("order", order_id)
    if actor.role is Role.CONTRACTOR and not _own_lines(session, actor, row):
        raise not_found("order", order_id)
    return row


def lines_of(session: Session, order_id: int) -> list[DefenseOrderLine]:
    return list(session.scalars(select(DefenseOrderLine).where(
        DefenseOrderLine.order_id == order_id).order_by(DefenseOrderLine.position)))


def _own_lines(session: Session, actor: Actor, row: DefenseOrder) -> list[DefenseOrderLine]:
    """A contractor's tasks: lines of an approved order naming its BIN, within clearance."""
    if row.status != "approved" or not actor.bin:
        return []
    return [ln for ln in lines_of(session, row.id)
            if ln.contractor_bin == actor.bin and sees(actor, ln.secrecy_level)]


def refuse_if_approved(row: DefenseOrder) -> None:
    if row.status == "approved":
        raise LegalRuleError(
            f"order {row.id} was approved by Government act {row.act_number} of "
            f"{row.act_date}: it is changed only by a Government act amending it, and never "
            "for a contract modification under Art 23 p.2", field="order",
            citation=art("Art 19 p.4"))


class LineIn(BaseModel):
    application_id: int | None = None
    nomenclature: str | None = Field(None, max_length=300)
    category: str | None = None
    quantity: str | int | None = None
    unit: str | None = Field(None, max_length=30)
    unit_price: str | int
    deadline: dt.date | None = None
    recipient: str | None = Field(None, max_length=300)
    contractor_bin: str | None = None
    section: str = Field("", max_length=100)
    stage: str = Field("", max_length=100)
    secrecy_level: int | None = None


def add_line(session: Session, actor: Actor, order_id: int, body: LineIn) -> DefenseOrderLine:
    """A position of the draft, from an admissible application or as given."""
    officer(actor)
    row = order_row(session, actor, order_id)
    refuse_if_approved(row)
    base: dict[str, Any] = {}
    if body.application_id is not None:
        app = application_row(session, actor, body.application_id)
        if app.problems:
            raise LegalRuleError("the application is not admissible: " + "; ".join(
                app.problems), field="application_id", citation=art("Art 20 p.1"))
        if app.category == applications.RESEARCH and not app.dstc_selected:
            raise LegalRuleError("research enters the draft order only when the DSTC "
                                 "selected it", field="application_id",
                                 citation=art("Art 21 p.1"))
        base = {"nomenclature": app.nomenclature, "category": app.category,
                "quantity": app.quantity, "unit": app.unit, "recipient": app.recipient,
                "secrecy_level": app.secrecy_level}
    given = {k: v for k, v in body.model_dump().items() if v is not None}
    values = {**base, **given}
    for name in ("nomenclature", "category", "quantity", "recipient"):
        if not str(values.get(name) or "").strip():
            raise InputError(f"give the {name} (or an application)", field=name,
                             citation=art("Art 19 p.3"))
    order.category(values["category"])
    level = classify(actor, values.get("secrecy_level", 0))
    quantity = _amount(values["quantity"], "quantity")
    price = _amount(values["unit_price"], "unit_price")
    bin_ = (values.get("contractor_bin") or "").strip() or None
    position = len(lines_of(session, row.id)) + 1
    line = DefenseOrderLine(
        order_id=row.id, position=position, nomenclature=values["nomenclature"].strip(),
        category=str(values["category"]).strip(), quantity=_text(quantity),
        unit=values.get("unit") or "pcs", unit_price=_text(price),
        deadline=values.get("deadline"), recipient=values["recipient"].strip(),
        contractor_bin=bin_, section=values.get("section", ""), stage=values.get("stage", ""),
        status=IN_ORDER, application_id=body.application_id, secrecy_level=level)
    session.add(line)
    session.flush()
    audit.append(session, actor=actor, action="defense.order_line_added",
                 basis=art("Art 19 p.3"), data={"order": row.id, "line": line.id,
                                                "level": level})
    return line


def remove_line(session: Session, actor: Actor, order_id: int, line_id: int) -> None:
    officer(actor)
    row = order_row(session, actor, order_id)
    refuse_if_approved(row)
    line = session.get(DefenseOrderLine, line_id)
    if line is None or line.order_id != row.id or not sees(actor, line.secrecy_level):
        raise not_found("line", line_id)
    if session.scalars(select(DefenseSelection.id).where(
            DefenseSelection.line_id == line.id)).first() is not None:
        raise LegalRuleError("a line with a recorded selection stays; its outcome may "
                             "exclude it (Art 20 p.6)", field="line", citation=art("Art 20"))
    session.delete(line)
    session.flush()
    for n, other in enumerate(lines_of(session, row.id), start=1):
        other.position = n
    audit.append(session, actor=actor, action="defense.order_line_removed",
                 basis=art("Art 19 p.3"), data={"order": row.id, "line": line_id})


def _draft(row: DefenseOrder, lines: list[DefenseOrderLine]) -> order.Draft:
    kept = [ln for ln in lines if ln.status == IN_ORDER]
    return order.Draft(
        row.planning_period,
        tuple(order.Line(ln.nomenclature, ln.category, Decimal(ln.quantity),
                         Decimal(ln.unit_price), ln.deadline, ln.recipient,
                         ln.contractor_bin or "", ln.section, ln.stage, ln.secrecy_level)
              for ln in kept),
        tuple(row.recipients), tuple(row.contractors),
        Decimal(row.allocated_funds) if row.allocated_funds else None)


_FINDING = re.compile(r"^(?P<field>[^:]+): (?P<message>.*) \((?P<clause>Art [^()]+)\)$")
_LINE = re.compile(r"^lines\[(\d+)\]")


def check_order(session: Session, actor: Actor, order_id: int, on: dt.date) -> dict:
    """The content check of Art 19 p.3 as the reader may see it: each finding with its
    clause; a finding about a line above the reader's clearance, and the explanation and
    totals when any line is, are withheld."""
    row = order_row(session, actor, order_id)
    if actor.role is Role.CONTRACTOR:
        raise Forbidden("the content check is the SDP body's", field="actor",
                        citation=art("Art 6-1 sub 13"))
    lines = lines_of(session, row.id)
    kept = [ln for ln in lines if ln.status == IN_ORDER]
    result = order.validate(_draft(row, lines), on)
    top = max([row.secrecy_level, *(ln.secrecy_level for ln in kept)])
    findings = []
    for problem in result.value:
        m = _FINDING.match(problem)
        field, message, clause = (m["field"], m["message"], m["clause"]) if m else (
            "order", problem, "Art 19 p.3")
        index = _LINE.match(field)
        level = kept[int(index[1])].secrecy_level if index else top
        if index:   # the line's position in the order, not in the draft's in-order list
            rest = field[index.end():].lstrip(".")
            field = f"line {kept[int(index[1])].position}" + (f": {rest}" if rest else "")
        findings.append({"field": field, "message": message,
                         "basis": art(clause).to_dict(), "level": level})
    shown = [f for f in findings if sees(actor, f["level"])]
    explained = secrecy.guard(result, actor, top)
    read = max([row.secrecy_level, *(f["level"] for f in shown)])
    record_reads(session, actor, "order check", [(row.id, top if sees(actor, top) else read)])
    return {"order": row.id, "as_of": on.isoformat(), "complete": not findings,
            "findings": [{k: v for k, v in f.items() if k != "level"} for f in shown],
            "withheld_findings": len(findings) - len(shown),
            "explanation": explained.to_dict()}


class ApprovalIn(BaseModel):
    act_number: str = Field(min_length=1, max_length=100)
    act_date: dt.date


def approve_order(session: Session, actor: Actor, order_id: int,
                  body: ApprovalIn) -> DefenseOrder:
    """Record the Government act approving the order (Art 5 sub 8; Art 1 sub 22): refused
    while mandatory content is missing (Art 19 p.3); afterwards the order is immutable."""
    officer(actor)
    row = order_row(session, actor, order_id)
    refuse_if_approved(row)
    lines = lines_of(session, row.id)
    if any(not sees(actor, ln.secrecy_level) for ln in lines):
        raise Forbidden("recording the approval needs clearance for every line of the order",
                        field="actor", citation=secrecy.BASIS)
    order.approve(_draft(row, lines), body.act_number, body.act_date)
    at = now_utc()
    row.status, row.act_number, row.act_date = "approved", body.act_number.strip(), body.act_date
    row.approved_by, row.approved_at = actor.username, at
    audit.append(session, actor=actor, action="defense.order_approved",
                 basis=art("Art 5 sub 8"), at=at,
                 data={"id": row.id, "act": row.act_number,
                       "act_date": body.act_date.isoformat()})
    return row


def list_orders(session: Session, actor: Actor, q: str | None = None) -> list[dict]:
    """The orders the reader may see, searched in titles and in the lines it may see."""
    reader(actor)
    rows = [r for r in session.scalars(select(DefenseOrder).order_by(DefenseOrder.id.desc()))
            if sees(actor, r.secrecy_level)]
    out = []
    for row in rows:
        view = _view(session, actor, row)
        if view is None:
            continue
        if q:
            needle = q.strip().lower()
            words = [row.title, *(ln["nomenclature"] for ln in view["lines"]
                                  if ln["nomenclature"] != secrecy.WITHHELD)]
            if not any(needle in str(w).lower() for w in words):
                continue
        out.append(view)
    record_reads(session, actor, "orders", [(v["id"], v["_read_level"]) for v in out])
    return [_public(v) for v in out]


def get_order(session: Session, actor: Actor, order_id: int) -> dict:
    row = order_row(session, actor, order_id)
    view = _view(session, actor, row)
    if view is None:
        raise not_found("order", order_id)
    record_reads(session, actor, "order", [(row.id, view["_read_level"])])
    return _public(view)


def _public(view: dict) -> dict:
    return {k: v for k, v in view.items() if not k.startswith("_")}


def _names(session: Session) -> dict[str, tuple[str, int]]:
    """BIN -> (name, the entry's secrecy level), from the register."""
    found: dict[str, tuple[str, int]] = {}
    for entry in session.scalars(select(DefenseRegisterEntry).order_by(DefenseRegisterEntry.id)):
        found[entry.bin] = (str(entry.entity.get("name") or entry.bin), entry.secrecy_level)
    return found


def line_record(ln: DefenseOrderLine) -> dict[str, Any]:
    """A line of the approved order (version 1) as a version's line: `ref` names it in every
    later version (Art 19 p.3 sub 1-2)."""
    return {"ref": f"L{ln.id}", "line_id": ln.id, "position": ln.position,
            "nomenclature": ln.nomenclature, "category": ln.category, "quantity": ln.quantity,
            "unit": ln.unit, "unit_price": ln.unit_price,
            "deadline": ln.deadline.isoformat() if ln.deadline else None,
            "recipient": ln.recipient, "contractor_bin": ln.contractor_bin,
            "section": ln.section, "stage": ln.stage, "status": ln.status,
            "application_id": ln.application_id, "secrecy_level": ln.secrecy_level,
            "set_in": 1, "change": "unchanged"}


OPEN_KEYS = ("id", "ref", "position")     # kept when a line is withheld: they say nothing


def present_lines(session: Session, actor: Actor, lines: list[dict[str, Any]],
                  base_level: int) -> tuple[list[dict], int, Decimal | None]:
    """Lines as `actor` may see them: a line above the clearance is redacted in place; the
    total is None when any line is hidden (it would reveal the hidden cost). Returns the
    lines, the highest level shown and the total of the lines in the order."""
    names = _names(session)
    shown, read_level, total, complete = [], base_level, Decimal(0), True
    for ln in lines:
        quantity, price = Decimal(ln["quantity"]), Decimal(ln["unit_price"])
        name, entry_level = names.get(ln.get("contractor_bin") or "", (None, 0))
        record = {"id": ln.get("line_id"), **ln, "quantity": quantity, "unit_price": price,
                  "total": quantity * price,
                  "contractor": name if sees(actor, entry_level) else None}
        record.pop("line_id", None)
        if sees(actor, ln["secrecy_level"]):
            read_level = max(read_level, ln["secrecy_level"])
            if ln["status"] == IN_ORDER:
                total += quantity * price
        else:
            complete = False
            record = secrecy.redact(record, actor, {k: ln["secrecy_level"] for k in record
                                                    if k not in OPEN_KEYS})
        shown.append(jsonable(record))
    return shown, read_level, (total if complete else None)


def _view(session: Session, actor: Actor, row: DefenseOrder) -> dict | None:
    """The order as `actor` may see it (None: a contractor with no task in it)."""
    lines = lines_of(session, row.id)
    if actor.role is Role.CONTRACTOR:
        lines = _own_lines(session, actor, row)
        if not lines:
            return None
    hidden_bins = {ln.contractor_bin for ln in lines if not sees(actor, ln.secrecy_level)}
    shown, read_level, total = present_lines(session, actor, [line_record(ln) for ln in lines],
                                             row.secrecy_level)
    if actor.role is Role.CONTRACTOR:
        total = None
    visible_bins = {ln["contractor_bin"] for ln in shown}
    contractors = [c for c in row.contractors
                   if c in visible_bins or c not in hidden_bins]
    return {
        "id": row.id, "title": row.title, "planning_period": row.planning_period,
        "funds_holder": row.funds_holder, "status": row.status,
        "act_number": row.act_number, "act_date": jsonable(row.act_date),
        "allocated_funds": row.allocated_funds, "recipients": row.recipients,
        "contractors": contractors if actor.role is not Role.CONTRACTOR else [actor.bin],
        "secrecy_level": row.secrecy_level,
        "marking": secrecy.LEVELS[read_level],
        "total": jsonable(total) if total is not None else secrecy.WITHHELD,
        "lines": shown, "_read_level": read_level}


# --- versions of the approved order (Art 19 p.4, Art 23 p.1 sub 2) --------------------------

@dataclass(frozen=True)
class VersionLine:
    """A line as a version of the order states it; `set_in` is the version whose act last
    set it (1: the approving act)."""

    ref: str
    line_id: int | None
    position: int
    nomenclature: str
    category: str
    quantity: Decimal
    unit: str
    unit_price: Decimal
    deadline: dt.date | None
    recipient: str
    contractor_bin: str | None
    section: str
    stage: str
    status: str
    secrecy_level: int
    set_in: int

    @property
    def total(self) -> Decimal:
        return self.quantity * self.unit_price

    @property
    def in_order(self) -> bool:
        return self.status == IN_ORDER


@dataclass(frozen=True)
class OrderVersion:
    """The approved order as one Government act left it: version 1 is the approving act,
    each later version an act amending it."""

    order_id: int
    number: int
    act_number: str
    act_date: dt.date
    funds_holder: str
    recipients: tuple[str, ...]
    contractors: tuple[str, ...]
    allocated_funds: Decimal | None
    secrecy_level: int
    lines: tuple[VersionLine, ...]
    acts: dict[int, tuple[str, dt.date]]     # every version's act up to this one

    def line(self, ref: str) -> VersionLine | None:
        return next((ln for ln in self.lines if ln.ref == ref), None)

    def act_of(self, line: VersionLine) -> tuple[str, dt.date]:
        """The act that set the line as it stands (its contract's clock, Art 22 p.5)."""
        return self.acts[line.set_in]

    @property
    def total(self) -> Decimal:
        return sum((ln.total for ln in self.lines if ln.in_order), Decimal(0))


def _version_line(raw: dict[str, Any]) -> VersionLine:
    deadline = raw.get("deadline")
    return VersionLine(
        raw["ref"], raw.get("line_id"), int(raw["position"]), raw["nomenclature"],
        raw["category"], Decimal(raw["quantity"]), raw["unit"], Decimal(raw["unit_price"]),
        dt.date.fromisoformat(deadline) if deadline else None, raw["recipient"],
        raw.get("contractor_bin"), raw.get("section", ""), raw.get("stage", ""), raw["status"],
        int(raw["secrecy_level"]), int(raw.get("set_in", 1)))


def amendments_of(session: Session, order_id: int) -> list[DefenseOrderAmendment]:
    return list(session.scalars(select(DefenseOrderAmendment).where(
        DefenseOrderAmendment.order_id == order_id).order_by(DefenseOrderAmendment.number)))


def version_lines(session: Session, row: DefenseOrder,
                  number: int | None = None) -> list[dict[str, Any]]:
    """The lines (stored form) of version `number` (default: the latest approved)."""
    latest = [line_record(ln) for ln in lines_of(session, row.id)]
    for amendment in amendments_of(session, row.id):
        if amendment.status != "approved" or (number is not None and amendment.number > number):
            break
        latest = list(amendment.lines)
    return latest


def approved_versions(session: Session, row: DefenseOrder) -> list[OrderVersion]:
    """Every approved version of an approved order, oldest first (none for a draft)."""
    if row.status != "approved" or row.act_date is None:
        return []
    funds = Decimal(row.allocated_funds) if row.allocated_funds else None
    acts = {1: (row.act_number or "", row.act_date)}
    found = [OrderVersion(row.id, 1, row.act_number or "", row.act_date, row.funds_holder,
                          tuple(row.recipients), tuple(row.contractors), funds,
                          row.secrecy_level,
                          tuple(_version_line(line_record(ln)) for ln in lines_of(session, row.id)),
                          dict(acts))]
    for amendment in amendments_of(session, row.id):
        if amendment.status != "approved" or amendment.act_date is None:
            continue
        acts[amendment.number] = (amendment.act_number or "", amendment.act_date)
        found.append(OrderVersion(
            row.id, amendment.number, amendment.act_number or "", amendment.act_date,
            row.funds_holder, tuple(amendment.recipients), tuple(amendment.contractors),
            Decimal(amendment.allocated_funds) if amendment.allocated_funds else None,
            row.secrecy_level, tuple(_version_line(ln) for ln in amendment.lines),
            dict(acts)))
    return found


def order_version_on(session: Session, order_id: int, on: dt.date) -> OrderVersion | None:
    """The version of an approved order that applied on `on`: the latest whose Government
    act was adopted by then (None: the order was not approved by then). For the contracts:
    no access check here — the caller shows nothing above its reader's clearance; each line
    carries its `secrecy_level`."""
    row = session.get(DefenseOrder, order_id)
    if row is None:
        raise not_found("order", order_id)
    applying = [v for v in approved_versions(session, row) if v.act_date <= on]
    return applying[-1] if applying else None
