"""The approved order after its approval (Law 236-VI): amendments by later Government acts
and the contracts opened from its lines.

- An approved order is never edited (Art 19 p.4). A Government act may amend it
  (Art 23 p.1 sub 2): the SDP body prepares the amendment as a draft of the next version,
  built from the version in force and checked for the mandatory content (Art 19 p.3); the
  act's number and date approve it. Every version stays readable; `order_service.
  order_version_on` says which applied on a date. An amendment prompted by a contract
  modification on an Art 23 p.2 ground is refused: those leave the order as it is (Art 19
  p.4; `order.check_change`).
- A line added by an amendment goes through the Art 20 cascade as a draft line does
  (the lists of Art 19 p.1-2, the register competition with its envelope opening, the
  authorized organization as fallback, exclusion, the offshore gate); on the act's date
  its register contractor must still be a member for the category, and whoever was chosen
  must pass that date's offshore gate (Art 20 p.4, p.5, p.10).
- A reallocation of funds (Art 6-1 sub 16; Art 25 sub 11) is a version too, decided by the
  body whose budget holds the funds (`who_acts`) rather than by a Government act: on one
  of the closed triggers, it changes only quantities and unit prices of the lines, within
  the funds allocated for the planning period; the lines keep the act that set them.
- `open_contract` makes the contract of a line of the version in force: the contract side's
  `PlacedItem` from the stored line and the act that set it (its adoption starts the 10
  days of Art 22 p.5); the party that concludes it is the one `competence.who_acts` names
  for the funds' budget on that date (Art 22 p.1, Art 6-1 sub 14, Art 25 sub 6, Art 31 p.2).

Secrecy as in `order_service`: a version's line above the reader's clearance is redacted,
its total withheld; changing or contracting a line needs clearance for it; classified reads
are audited.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from kzreg.defense import order, registers, secrecy, selection
from kzreg.defense._law import art
from kzreg.defense.competence import Funds, who_acts
from kzreg.defense.models import DefenseOrder, DefenseOrderAmendment, DefenseSelection
from kzreg.defense.order_service import (
    IN_ORDER,
    _amount,
    _text,
    amendments_of,
    approved_versions,
    classify,
    not_found,
    officer,
    order_row,
    order_version_on,
    present_lines,
    record_reads,
    sees,
    version_lines,
)
from kzreg.defense.rules import EntityInput, OpeningInput
from kzreg.law.calendar import local_date, now_utc
from kzreg.law.errors import (
    Conflict,
    Forbidden,
    InputError,
    KzregError,
    LegalRuleError,
    NotInForce,
)
from kzreg.law.explain import jsonable
from kzreg.platform import audit
from kzreg.platform.actors import Actor, Role

REMOVED = "removed_by_amendment"


class ChangeIn(BaseModel):
    ref: str = Field(min_length=2, max_length=40, description='a line: "L12", "V2-1"')
    quantity: str | int | None = None
    unit_price: str | int | None = None
    deadline: dt.date | None = None
    section: str | None = Field(None, max_length=100)
    stage: str | None = Field(None, max_length=100)
    remove: bool = False


class AdditionSelectionIn(BaseModel):
    """The Art 20 selection held for a line an amendment adds (as for a draft line)."""

    held_on: dt.date
    participants: list[str] = Field(default_factory=list, description="register BINs")
    winner: str | None = None
    opening: OpeningInput | None = None
    special_state_body: bool = False
    special_body_contractor: EntityInput | None = None
    reserve_supplier: EntityInput | None = None
    authorized_organization: EntityInput | None = None
    ao_can_supply: bool = True


class AdditionIn(BaseModel):
    nomenclature: str = Field(min_length=1, max_length=300)
    category: str
    quantity: str | int
    unit: str = Field("pcs", max_length=30)
    unit_price: str | int
    deadline: dt.date
    recipient: str = Field(min_length=1, max_length=300)
    selection: AdditionSelectionIn
    section: str = Field("", max_length=100)
    stage: str = Field("", max_length=100)
    secrecy_level: int = 0


KINDS = ("amendment", "reallocation")
# Art 6-1 sub 16 / Art 25 sub 11 (a closed list), and Art 20 p.6 (funds of an item the
# authorized organization cannot supply "may be redistributed")
TRIGGERS = {"savings": "Art 6-1 sub 16", "contract_decrease": "Art 6-1 sub 16",
            "contract_increase": "Art 6-1 sub 16", "term_extension": "Art 6-1 sub 16",
            "ao_cannot_supply": "Art 20 p.6"}


class AmendmentIn(BaseModel):
    kind: str = Field("amendment", description="amendment (a Government act, Art 23 p.1 "
                      "sub 2) or reallocation (Art 6-1 sub 16, Art 25 sub 11)")
    trigger: str | None = Field(None, description="reallocation: " + ", ".join(TRIGGERS))
    reason: str = Field(min_length=1, max_length=5000)
    contract_ground: str | None = Field(
        None, description="the Art 23 p.2 ground of a contract modification prompting it")
    changes: list[ChangeIn] = Field(default_factory=list)
    additions: list[AdditionIn] = Field(default_factory=list)
    allocated_funds: str | int | None = None


class ActIn(BaseModel):
    act_number: str = Field(min_length=1, max_length=100)
    act_date: dt.date


def _approved(session: Session, actor: Actor, order_id: int) -> DefenseOrder:
    row = order_row(session, actor, order_id)
    if row.status != "approved":
        raise LegalRuleError("a draft is edited directly; only an approved order is amended "
                             "by a Government act", field="order",
                             citation=art("Art 23 p.1 sub 2"))
    return row


def _draft_of(session: Session, row: DefenseOrder) -> DefenseOrderAmendment | None:
    return next((a for a in amendments_of(session, row.id) if a.status == "draft"), None)


def propose_amendment(session: Session, actor: Actor, order_id: int,
                      body: AmendmentIn) -> DefenseOrderAmendment:
    """Draft the next version of an approved order from the latest approved one."""
    officer(actor)
    row = _approved(session, actor, order_id)
    if body.kind not in KINDS:
        raise InputError("amendment or reallocation", field="kind",
                         citation=art("Art 23 p.1 sub 2"))
    if body.kind == "reallocation":
        _reallocation_allowed(session, row, body)
    if body.contract_ground is not None:
        versions = approved_versions(session, row)
        current = order.Approved(order.Draft(row.planning_period, (), (), ()),
                                 versions[-1].act_number, versions[-1].act_date)
        allowed = order.check_change(current, local_date(now_utc()),
                                     contract_ground=body.contract_ground,
                                     government_act="pending").value
        if not allowed:
            raise LegalRuleError(
                f"a contract modified on the ground {body.contract_ground} of Art 23 p.2 "
                "leaves the approved order unchanged", field="contract_ground",
                citation=art("Art 19 p.4"))
    if _draft_of(session, row) is not None:
        raise Conflict("a draft amendment of this order is open: approve or discard it",
                       field="order", citation=art("Art 23 p.1 sub 2"))
    if not body.changes and not body.additions and body.allocated_funds is None:
        raise InputError("an amendment changes, removes or adds a line, or the funds",
                         field="changes", citation=art("Art 23 p.1 sub 2"))
    number = max([1, *(a.number for a in amendments_of(session, row.id))]) + 1
    # the version in force, each line as it stands (what changed is this version's own)
    lines = [{**ln, "change": "unchanged"} for ln in version_lines(session, row)]
    by_ref = {ln["ref"]: ln for ln in lines}
    by_ref_before = {ln["ref"]: ln.get("set_in", 1) for ln in lines}
    for n, change in enumerate(body.changes):
        _apply_change(actor, by_ref, change, number, f"changes[{n}]")
        if body.kind == "reallocation":   # the line keeps the act that set it (Art 22 p.5)
            line = by_ref[change.ref]
            line.update(set_in=by_ref_before[change.ref], change="reallocated",
                        reallocated_in=number)
    for n, added in enumerate(body.additions):
        lines.append(_addition(session, actor, added, number, len(lines) + 1, n,
                               f"additions[{n}]"))
    funds = row.allocated_funds
    for version in amendments_of(session, row.id):
        if version.status == "approved":
            funds = version.allocated_funds
    if body.allocated_funds is not None:
        funds = _text(_amount(body.allocated_funds, "allocated_funds"))
    if body.kind == "reallocation":
        _within_limits(lines, funds)
    recipients = list(dict.fromkeys([*version_recipients(session, row),
                                     *(a.recipient.strip() for a in body.additions)]))
    contractors = list(dict.fromkeys([*version_contractors(session, row),
                                      *(ln["contractor_bin"] for ln in lines
                                        if ln["change"] == "added")]))
    at = now_utc()
    draft = DefenseOrderAmendment(
        order_id=row.id, number=number, status="draft", kind=body.kind,
        trigger=body.trigger if body.kind == "reallocation" else None,
        reason=body.reason.strip(),
        lines=jsonable(lines), recipients=recipients, contractors=contractors,
        allocated_funds=funds, secrecy_level=row.secrecy_level, created_by=actor.username,
        created_at=at)
    session.add(draft)
    session.flush()
    audit.append(session, actor=actor, action=f"defense.order_{body.kind}_drafted",
                 basis=art(TRIGGERS[body.trigger] if body.kind == "reallocation"
                           else "Art 23 p.1 sub 2"), at=at,
                 data={"order": row.id, "version": number,
                       "changed": [c.ref for c in body.changes],
                       "added": len(body.additions)})
    return draft


def version_recipients(session: Session, row: DefenseOrder) -> list[str]:
    versions = approved_versions(session, row)
    return list(versions[-1].recipients) if versions else list(row.recipients)


def version_contractors(session: Session, row: DefenseOrder) -> list[str]:
    versions = approved_versions(session, row)
    return list(versions[-1].contractors) if versions else list(row.contractors)


def _apply_change(actor: Actor, by_ref: dict[str, dict], change: ChangeIn, number: int,
                  where: str) -> None:
    line = by_ref.get(change.ref)
    if line is None or not sees(actor, line["secrecy_level"]):
        raise not_found("line", change.ref)
    if line["status"] != IN_ORDER:
        raise LegalRuleError(f"line {change.ref} is not in the order ({line['status']})",
                             field=f"{where}.ref", citation=art("Art 19 p.3"))
    if change.remove:
        line.update(status=REMOVED, set_in=number, change="removed")
        return
    edits: dict[str, Any] = {}
    if change.quantity is not None:
        edits["quantity"] = _text(_positive(change.quantity, f"{where}.quantity"))
    if change.unit_price is not None:
        edits["unit_price"] = _text(_positive(change.unit_price, f"{where}.unit_price"))
    if change.deadline is not None:
        edits["deadline"] = change.deadline.isoformat()
    for name in ("section", "stage"):
        if getattr(change, name) is not None:
            edits[name] = getattr(change, name)
    edits = {k: v for k, v in edits.items() if line.get(k) != v}
    if not edits:
        raise InputError(f"the change leaves line {change.ref} as it is", field=where)
    line.update(edits, set_in=number, change="changed")


def _positive(value: Any, field: str) -> Decimal:
    number = _amount(value, field)
    if number <= 0:
        raise InputError("must be positive", field=field, citation=art("Art 19 p.3 sub 1-2"))
    return number


def _addition(session: Session, actor: Actor, added: AdditionIn, number: int, position: int,
              n: int, where: str) -> dict[str, Any]:
    order.category(added.category, f"{where}.category")
    level = classify(actor, added.secrecy_level, f"{where}.secrecy_level")
    chosen = _select_addition(session, added, level, where)
    return {"ref": f"V{number}-{n + 1}", "line_id": None, "position": position,
            "nomenclature": added.nomenclature.strip(), "category": added.category.strip(),
            "quantity": _text(_positive(added.quantity, f"{where}.quantity")),
            "unit": added.unit, "unit_price": _text(_positive(added.unit_price,
                                                              f"{where}.unit_price")),
            "deadline": added.deadline.isoformat(), "recipient": added.recipient.strip(),
            "contractor_bin": chosen["contractor"], "section": added.section,
            "stage": added.stage, "status": IN_ORDER, "application_id": None,
            "secrecy_level": level, "set_in": number, "change": "added",
            "selection": chosen}


def _select_addition(session: Session, added: AdditionIn, level: int,
                     where: str) -> dict[str, Any]:
    """Run the Art 20 cascade for a line an amendment adds, on the register, the offshore
    list and the lists (Art 19 p.1 part 3, p.2 part 2) of the day it was held. An item the
    cascade leaves out of the order cannot be added (Art 20 p.6, Art 19 p.2 part 3)."""
    from kzreg.defense.list_service import on_list
    from kzreg.defense.selection_service import _register_at, _zones

    given = added.selection
    on = given.held_on
    if on > local_date(now_utc()):
        raise InputError("the selection cannot be held in the future",
                         field=f"{where}.selection.held_on")
    book = _register_at(session, level)
    participants = []
    for k, bin_ in enumerate(given.participants):
        entry = book.entries.get(bin_)
        if entry is None:
            raise LegalRuleError(f"{bin_} is not in the register (at the line's secrecy level "
                                 "or below)", field=f"{where}.selection.participants[{k}]",
                                 citation=art("Art 20 p.4 part 1"))
        participants.append(entry.entity)
    opening = (selection.EnvelopeOpening(**{k: tuple(v) if isinstance(v, list) else v
                                            for k, v in given.opening})
               if given.opening is not None else None)
    contest = (selection.Competition(tuple(participants), given.winner, opening)
               if participants else None)

    def entity(e: EntityInput | None) -> registers.Entity | None:
        return e.to_entity() if e else None

    listed = on_list(session, added.recipient, added.category, added.nomenclature, on,
                     special_state_body=given.special_state_body)
    item = selection.Item(added.category.strip(), level, given.special_state_body, False,
                          False, entity(given.reserve_supplier), contest,
                          entity(given.special_body_contractor),
                          entity(given.authorized_organization), given.ao_can_supply,
                          "public_procurement", listed)
    try:
        result = selection.select(item, on, book, _zones(session, on))
    except KzregError as exc:
        exc.field = f"{where}.selection.{exc.field}" if exc.field else f"{where}.selection"
        raise
    outcome = result.value
    if not outcome.contractor:
        clause = {selection.Outcome.PUBLIC_PROCUREMENT: "Art 20 p.6"}.get(
            outcome.outcome, "Art 20")
        if listed is False:
            clause = "Art 19 p.1 part 2" if given.special_state_body else "Art 19 p.2 part 3"
        raise LegalRuleError(f"the selection leaves the item out of the order "
                             f"({outcome.outcome.value}): it cannot be added",
                             field=f"{where}.selection", citation=art(clause))
    return jsonable({"held_on": on, "outcome": outcome.outcome.value,
                     "contractor": outcome.contractor, "review": list(outcome.review),
                     "on_list": listed, "inputs": given.model_dump(),
                     "explanation": result.to_dict()})


def _amendment(session: Session, actor: Actor, order_id: int,
               number: int) -> tuple[DefenseOrder, DefenseOrderAmendment]:
    row = _approved(session, actor, order_id)
    found = next((a for a in amendments_of(session, row.id) if a.number == number), None)
    if found is None:
        raise not_found("version", number)
    return row, found


def _as_draft(row: DefenseOrder, amendment: DefenseOrderAmendment) -> order.Draft:
    kept = [ln for ln in amendment.lines if ln["status"] == IN_ORDER]
    return order.Draft(
        row.planning_period,
        tuple(order.Line(ln["nomenclature"], ln["category"], Decimal(ln["quantity"]),
                         Decimal(ln["unit_price"]),
                         dt.date.fromisoformat(ln["deadline"]) if ln["deadline"] else None,
                         ln["recipient"], ln["contractor_bin"] or "", ln["section"],
                         ln["stage"], ln["secrecy_level"]) for ln in kept),
        tuple(amendment.recipients), tuple(amendment.contractors),
        Decimal(amendment.allocated_funds) if amendment.allocated_funds else None)


def _check_added_contractors(session: Session, amendment: DefenseOrderAmendment,
                             on: dt.date) -> None:
    """A contractor the amendment names is a register member for the category on the act's
    date (Art 20 p.4) and passes the offshore gate of that date (Art 20 p.10)."""
    book = registers.load_register(session)
    zones = registers.offshore_list(on, registers.offshore_versions(session))
    for n, line in enumerate(ln for ln in amendment.lines if ln["change"] == "added"):
        chosen = line.get("selection") or {}
        key = OUTSIDE_REGISTER.get(chosen.get("outcome", ""))
        if key:    # the authorized organization, a special body's or reserve supplier
            entity = EntityInput(**chosen["inputs"][key]).to_entity()
            gate = selection.offshore_gate(
                entity, on, zones=zones,
                special_state_body=key == "special_body_contractor").value
            if gate is selection.Gate.INELIGIBLE:
                raise LegalRuleError(f"{entity.bin}: offshore gate {gate.value}",
                                     field=f"additions[{n}].selection",
                                     citation=art("Art 20 p.10"))
            continue
        entry = book.entries.get(line["contractor_bin"])
        if entry is None or not entry.active(on) or line["category"] not in entry.categories:
            raise LegalRuleError(f"{line['contractor_bin']} is not in the register for "
                                 f"category {line['category']} on {on.isoformat()}",
                                 field=f"additions[{n}].contractor_bin",
                                 citation=art("Art 20 p.4 part 1"))
        gate = selection.offshore_gate(entry.entity, on, zones=zones).value
        if gate is not selection.Gate.ELIGIBLE:
            raise LegalRuleError(f"{line['contractor_bin']}: offshore gate {gate.value}",
                                 field=f"additions[{n}].contractor_bin",
                                 citation=art("Art 20 p.10"))


OUTSIDE_REGISTER = {"authorized_organization": "authorized_organization",
                    "special_body_route": "special_body_contractor",
                    "reserve_supplier_selected": "reserve_supplier"}


def _reallocation_allowed(session: Session, row: DefenseOrder, body: AmendmentIn) -> None:
    """A reallocation of funds within the order: on a trigger of the closed list, moving
    funds between its lines (their quantities and unit prices) within the limits allocated
    for the planning period (Art 6-1 sub 16; Art 25 sub 11; Art 20 p.6)."""
    if body.trigger not in TRIGGERS:
        raise InputError(f"the ground of the reallocation: one of {', '.join(TRIGGERS)}",
                         field="trigger", citation=art("Art 6-1 sub 16"))
    if body.contract_ground is not None or body.additions or body.allocated_funds is not None:
        raise LegalRuleError("a reallocation moves funds between the order's lines within the "
                             "limits allocated; lines and allocated funds are changed by a "
                             "Government act", field="kind", citation=art("Art 6-1 sub 16"))
    for n, change in enumerate(body.changes):
        if change.remove or change.deadline or change.section is not None \
                or change.stage is not None:
            raise LegalRuleError("a reallocation changes quantities and unit prices only",
                                 field=f"changes[{n}]", citation=art("Art 6-1 sub 16"))
    if not body.changes:
        raise InputError("name the lines whose funds change", field="changes",
                         citation=art("Art 6-1 sub 16"))
    if body.trigger == "ao_cannot_supply" and not any(
            ln["status"] == "excluded_funds_redistributed" for ln in version_lines(session, row)):
        raise LegalRuleError("no item of the order was excluded with its funds redistributed",
                             field="trigger", citation=art("Art 20 p.6"))


def _within_limits(lines: list[dict[str, Any]], funds: str | None) -> None:
    if funds is None:
        raise LegalRuleError("the order states no allocated funds: the limits of a "
                             "reallocation are unknown", field="kind",
                             citation=art("Art 6-1 sub 16"))
    total = sum((Decimal(ln["quantity"]) * Decimal(ln["unit_price"]) for ln in lines
                 if ln["status"] == IN_ORDER), Decimal(0))
    if total > Decimal(funds):
        raise LegalRuleError(f"the reallocated total {_text(total)} exceeds the funds "
                             f"allocated for the planning period {funds}", field="changes",
                             citation=art("Art 6-1 sub 16"))


def approve_amendment(session: Session, actor: Actor, order_id: int, number: int,
                      body: ActIn) -> DefenseOrderAmendment:
    """Record the Government act amending the order: the draft version must have the
    mandatory content (Art 19 p.3) and the act comes no earlier than the version before."""
    officer(actor)
    row, amendment = _amendment(session, actor, order_id, number)
    if amendment.status != "draft":
        raise LegalRuleError(f"version {number} was approved by Government act "
                             f"{amendment.act_number} of {amendment.act_date}: it is never "
                             "edited", field="version", citation=art("Art 19 p.4"))
    if any(not sees(actor, ln["secrecy_level"]) for ln in amendment.lines):
        raise Forbidden("recording the act needs clearance for every line of the order",
                        field="actor", citation=secrecy.BASIS)
    previous = approved_versions(session, row)[-1]
    if body.act_date < previous.act_date:
        raise InputError(f"the amending act cannot precede act {previous.act_number} of "
                         f"{previous.act_date} (version {previous.number})", field="act_date",
                         citation=art("Art 23 p.1 sub 2"))
    if body.act_date > local_date(now_utc()):
        raise InputError("the act cannot be adopted in the future", field="act_date")
    order.approve(_as_draft(row, amendment), body.act_number, body.act_date)
    _check_added_contractors(session, amendment, body.act_date)
    basis = art("Art 23 p.1 sub 2")
    if amendment.kind == "reallocation":   # the decision of the body holding the funds
        funds = Funds.RECIPIENT if row.funds_holder == "recipient" else Funds.SDP_BODY
        deciding = who_acts(body.act_date, funds).value["functions"]["reallocate_funds"]
        amendment.deciding_body, basis = deciding["body"], deciding["basis"]
    at = now_utc()
    amendment.status, amendment.act_number = "approved", body.act_number.strip()
    amendment.act_date, amendment.approved_by, amendment.approved_at = (
        body.act_date, actor.username, at)
    audit.append(session, actor=actor, action=(
        "defense.order_reallocated" if amendment.kind == "reallocation"
        else "defense.order_amended"), basis=basis, at=at,
                 data={"order": row.id, "version": number, "act": amendment.act_number,
                       "act_date": body.act_date.isoformat(),
                       "deciding_body": amendment.deciding_body})
    return amendment


def discard_amendment(session: Session, actor: Actor, order_id: int, number: int) -> None:
    officer(actor)
    row, amendment = _amendment(session, actor, order_id, number)
    if amendment.status != "draft":
        raise LegalRuleError(f"version {number} is approved: it is never edited or removed",
                             field="version", citation=art("Art 19 p.4"))
    if any(not sees(actor, ln["secrecy_level"]) for ln in amendment.lines
           if ln["change"] != "unchanged"):
        raise not_found("version", number)
    session.delete(amendment)
    audit.append(session, actor=actor, action="defense.order_amendment_discarded",
                 basis=art("Art 23 p.1 sub 2"), data={"order": row.id, "version": number})


def versions_view(session: Session, actor: Actor, order_id: int) -> dict[str, Any]:
    """The history of the order's versions as `actor` may see it: each version's act, its
    lines (redacted above the clearance; a contractor sees only its own lines of approved
    versions), what changed, and which version is in force today."""
    row = order_row(session, actor, order_id)
    today = local_date(now_utc())
    current = order_version_on(session, row.id, today)
    out, read = [], row.secrecy_level
    entries: list[tuple[int, str, str | None, Any, str, list[dict], dict]] = []
    if row.status == "approved":
        entries.append((1, "approved", row.act_number, row.act_date,
                        "approved by the Government act", version_lines(session, row, 1),
                        {"kind": "approval"}))
    for a in amendments_of(session, row.id):
        entries.append((a.number, a.status, a.act_number, a.act_date, a.reason, list(a.lines),
                        {"kind": a.kind, "trigger": a.trigger,
                         "deciding_body": a.deciding_body}))
    for number, status, act, date, reason, lines, kind in entries:
        if actor.role is Role.CONTRACTOR:
            if status != "approved":
                continue
            lines = [ln for ln in lines if ln.get("contractor_bin") == actor.bin
                     and sees(actor, ln["secrecy_level"])]
            if not lines:
                continue
        shown, level, total = present_lines(session, actor, lines, row.secrecy_level)
        read = max(read, level)
        out.append({"number": number, "status": status, "act_number": act, **kind,
                    "act_date": jsonable(date), "reason": reason,
                    "in_force": current is not None and current.number == number,
                    "total": jsonable(total) if total is not None and actor.role
                    is not Role.CONTRACTOR else secrecy.WITHHELD,
                    "changes": [shown[i] for i, ln in enumerate(lines)
                                if ln["change"] != "unchanged"
                                and sees(actor, ln["secrecy_level"])],
                    "lines": shown})
    record_reads(session, actor, "order versions", [(row.id, read)])
    return {"order": row.id, "on": today.isoformat(),
            "in_force": current.number if current else None, "versions": out,
            "marking": secrecy.LEVELS[read]}


def check_amendment(session: Session, actor: Actor, order_id: int, number: int) -> dict:
    """The content check of a draft version (Art 19 p.3), findings within clearance."""
    row, amendment = _amendment(session, actor, order_id, number)
    if actor.role is Role.CONTRACTOR:
        raise not_found("version", number)
    today = local_date(now_utc())
    draft = _as_draft(row, amendment)
    result = order.validate(draft, today)
    top = max([row.secrecy_level, *(ln.secrecy_level for ln in draft.lines)])
    visible = sees(actor, top)
    return {"version": number, "complete": not result.value,
            "findings": result.value if visible else [],
            "withheld_findings": 0 if visible else len(result.value)}


# --- the contract of a line (Art 22 p.1, p.5) -------------------------------------------------

class ContractIn(BaseModel):
    mro_at_contractor: bool = True
    for_state_security_service: bool = False
    warranty_until: dt.date | None = None


def contract_ref(order_id: int, ref: str) -> str:
    return f"order {order_id} {ref}"


def contracts_of(session: Session, order_id: int) -> dict[str, int]:
    """Line ref -> the contract opened from it."""
    from kzreg.defense.contracts_models import DefenseContract

    prefix = contract_ref(order_id, "")
    found = session.execute(select(DefenseContract.order_item_ref, DefenseContract.case_id)
                            .where(DefenseContract.order_item_ref.like(f"{prefix}%"))).all()
    return {str(ref)[len(prefix):]: case for ref, case in found}


def contract_party(act_date: dt.date, funds_holder: str) -> dict[str, Any]:
    """Who concludes the contract for the funds' budget on the act's date: the answer of
    `competence.who_acts` (Art 22 p.1; Art 6-1 sub 14; Art 25 sub 6; Art 31 p.2)."""
    funds = Funds.RECIPIENT if funds_holder == "recipient" else Funds.SDP_BODY
    answer = who_acts(act_date, funds).value
    concluding = answer["functions"]["conclude_contract"]
    return {"body": concluding["body"], "inferred": concluding["inferred"],
            "flagged": answer["flagged"], "basis": concluding["basis"],
            # the contract records the state's side: the recipient or the SDP body's place
            "party": "recipient" if concluding["body"] == "recipient" else "sdp_body"}


def _contractor_name(session: Session, line_bin: str, ref: str,
                     chosen: dict[str, Any] | None = None) -> str:
    entry = registers.load_register(session).entries.get(line_bin)
    if entry is not None and entry.entity.name.strip():
        return entry.entity.name
    key = OUTSIDE_REGISTER.get((chosen or {}).get("outcome", ""))
    if key and str((chosen["inputs"].get(key) or {}).get("name") or "").strip():
        return str(chosen["inputs"][key]["name"])   # named in the added line's selection
    if ref.startswith("L"):   # the authorized organization, named in its selection
        chosen = session.scalars(select(DefenseSelection).where(
            DefenseSelection.line_id == int(ref[1:]),
            DefenseSelection.contractor_bin == line_bin)
            .order_by(DefenseSelection.id.desc())).first()
        ao = ((chosen.inputs or {}).get("authorized_organization") or {}) if chosen else {}
        if str(ao.get("name") or "").strip():
            return str(ao["name"])
    return line_bin


def open_contract(session: Session, actor: Actor, order_id: int, ref: str,
                  body: ContractIn) -> dict[str, Any]:
    """Create the contract of a line of the version in force today from the stored line
    (contract side: `contracts_service.create_contract`)."""
    from kzreg.defense import contracts_service

    officer(actor)
    row = _approved(session, actor, order_id)
    today = local_date(now_utc())
    version = order_version_on(session, row.id, today)
    line = version.line(ref) if version else None
    if version is None or line is None or not sees(actor, line.secrecy_level):
        raise not_found("line", ref)
    if not line.in_order:
        raise LegalRuleError(f"line {ref} is not in the order in force ({line.status})",
                             field="ref", citation=art("Art 20 p.6"))
    if not line.contractor_bin or line.deadline is None:
        raise LegalRuleError("a contract is made from a line with its contractor and "
                             "deadline", field="ref", citation=art("Art 19 p.3"))
    existing = contracts_of(session, row.id).get(ref)
    if existing is not None:
        raise Conflict(f"contract {existing} was opened from line {ref}", field="ref",
                       citation=art("Art 22 p.1"))
    act_number, act_date = version.act_of(line)
    try:
        party = contract_party(act_date, row.funds_holder)
    except NotInForce as exc:
        exc.field = "act_date"
        raise
    level = max(row.secrecy_level, line.secrecy_level)
    item = contracts_service.PlacedItem(
        order_ref=act_number[:100], order_item_ref=contract_ref(row.id, ref),
        act_adopted_on=act_date, subject=line.nomenclature, category=line.category,
        recipient=line.recipient, contract_party=party["party"],
        contractor_bin=line.contractor_bin,
        contractor_name=_contractor_name(session, line.contractor_bin, ref, next(
            (ln.get("selection") for ln in version_lines(session, row, version.number)
             if ln["ref"] == ref), None))[:300],
        secrecy_level=level,
        lines=[{"item": line.nomenclature, "quantity": line.quantity,
                "unit_price": line.unit_price, "deadline": line.deadline}],
        mro_at_contractor=body.mro_at_contractor,
        for_state_security_service=body.for_state_security_service,
        warranty_until=body.warranty_until)
    case = contracts_service.create_contract(session, actor, item)
    audit.append(session, actor=actor, action="defense.order_line_contracted",
                 basis=art("Art 22 p.1"), case_id=case.id,
                 data={"order": row.id, "line": ref, "version": version.number,
                       "party": party["body"], "level": level})
    return jsonable({"contract": case.id, "order": row.id, "line": ref,
                     "version": version.number, "act_number": act_number,
                     "act_adopted_on": act_date, "contract_party": party})


def applicable_view(session: Session, actor: Actor, order_id: int,
                    on: dt.date) -> dict[str, Any]:
    """The version in force on `on`, as `actor` may see it."""
    version = order_version_on(session, order_row(session, actor, order_id).id, on)
    if version is None:
        raise NotInForce(f"order {order_id} was not approved on {on.isoformat()}",
                         field="on", citation=art("Art 5 sub 8"))
    view = versions_view(session, actor, order_id)
    found = next((v for v in view["versions"] if v["number"] == version.number), None)
    if found is None:         # a contractor with no line in that version
        raise not_found("order", order_id)
    return {"order": order_id, "on": on.isoformat(), "marking": view["marking"], **found,
            "in_force": True}
