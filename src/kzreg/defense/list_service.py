"""The lists that decide what a state body buys within the state defense order (Law 236-VI),
stored and dated:

- the first head's list of items of categories 1-1, 2, 3, 7 and 12, determined "in
  agreement with the authorized body" (Art 19 p.2 part 2; Art 7 sub 9 names the SDP body:
  setting defense.category_list_agreeing_body, and before Law 211-VIII created the SDP body
  the authorised body agreed it); it applies from the later of its approval and its
  agreement; an item of those categories not on it is bought under public procurement law
  (Art 19 p.2 part 3);
- a special state body's list of the items it includes in the order as part of its budget
  request (Art 19 p.1 part 3); what is not on it the body buys under public procurement law
  (Art 19 p.1 part 2).

A later list of the same body and kind replaces the earlier one from its date; the list in
force on a date decides the application of that date and the selection held that day.
Secrecy as in `order_service`; the lists are the state bodies': a contractor sees none.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from kzreg.defense import order
from kzreg.defense._law import art
from kzreg.defense.competence import _sdp_body_on
from kzreg.defense.models import DefenseItemList
from kzreg.defense.order_service import classify, officer, reader, record_reads, sees
from kzreg.law.calendar import local_date, now_utc
from kzreg.law.errors import InputError, LegalRuleError
from kzreg.law.explain import Explained, Trace, jsonable
from kzreg.law.settings import get_setting
from kzreg.platform import audit
from kzreg.platform.actors import Actor, Role

HEAD_LIST, SPECIAL_LIST = "head_list", "special_body_list"
KINDS = {HEAD_LIST: "Art 19 p.2 part 2", SPECIAL_LIST: "Art 19 p.1 part 3"}


class ListItemIn(BaseModel):
    category: str
    nomenclature: str = Field(min_length=1, max_length=300)


class ItemListIn(BaseModel):
    kind: str = Field(HEAD_LIST, description="head_list or special_body_list")
    state_body: str = Field(min_length=1, max_length=300)
    approved_by: str = Field(min_length=1, max_length=300,
                             description="the first head of the state body")
    approval_act: str = Field(min_length=1, max_length=200)
    approved_on: dt.date
    agreement_ref: str | None = Field(None, max_length=200)
    agreed_on: dt.date | None = None
    items: list[ListItemIn] = Field(min_length=1)
    secrecy_level: int = 0


def _key(text: str) -> str:
    return " ".join(text.split()).casefold()


def agreeing_body(on: dt.date) -> Explained[str]:
    """The body that agrees the first head's list on `on` (Art 19 p.2 part 2, Art 7 sub 9)."""
    trace = Trace(rule="defense.head-list-agreement", as_of=on)
    rule = get_setting("defense.category_list_agreeing_body")
    trace.step("Art 19 p.2 names the authorized body, Art 7 sub 9 the SDP body", rule.value,
               citation=art("Art 7 sub 9"), parameters=[rule.use()])
    body = rule.value
    if body == "sdp_body":
        body = _sdp_body_on(on, trace)[0]
    return trace.done(trace.step("agreed by", body, citation=art("Art 19 p.2 part 2")))


def record_list(session: Session, actor: Actor, body: ItemListIn) -> DefenseItemList:
    """Store a list as approved (and, for the first head's list, agreed)."""
    officer(actor)
    level = classify(actor, body.secrecy_level)
    if body.kind not in KINDS:
        raise InputError("head_list or special_body_list", field="kind",
                         citation=art("Art 19 p.2 part 2"))
    today = local_date(now_utc())
    if body.approved_on > today or (body.agreed_on and body.agreed_on > today):
        raise InputError("a list is recorded once approved, not in advance", field="approved_on")
    items, seen = [], set()
    for n, item in enumerate(body.items):
        entry = order.category(item.category, f"items[{n}].category")
        if body.kind == HEAD_LIST and not entry["head_list"]:
            raise InputError(f"category {item.category} is in the order without a list; the "
                             "first head's list covers categories 1-1, 2, 3, 7 and 12",
                             field=f"items[{n}].category", citation=art("Art 19 p.2 part 2"))
        key = (item.category.strip(), _key(item.nomenclature))
        if key in seen:
            raise InputError("the item is listed twice", field=f"items[{n}].nomenclature")
        seen.add(key)
        items.append({"category": item.category.strip(),
                      "nomenclature": " ".join(item.nomenclature.split())})
    agreeing, effective = None, body.approved_on
    if body.kind == HEAD_LIST:
        if body.agreed_on is None or not (body.agreement_ref or "").strip():
            raise LegalRuleError("the first head determines the list in agreement with the "
                                 "authorized body: give the agreement and its date",
                                 field="agreed_on", citation=art("Art 19 p.2 part 2"))
        agreeing = agreeing_body(body.agreed_on).value
        effective = max(body.approved_on, body.agreed_on)
    at = now_utc()
    row = DefenseItemList(
        kind=body.kind, state_body=body.state_body.strip(), approved_by=body.approved_by.strip(),
        approval_act=body.approval_act.strip(), approved_on=body.approved_on,
        agreeing_body=agreeing, agreement_ref=(body.agreement_ref or "").strip() or None,
        agreed_on=body.agreed_on if body.kind == HEAD_LIST else None, effective_from=effective,
        items=items, secrecy_level=level, recorded_by=actor.username, recorded_at=at)
    session.add(row)
    session.flush()
    audit.append(session, actor=actor, action="defense.item_list_recorded",
                 basis=art(KINDS[body.kind]), at=at,
                 data={"id": row.id, "kind": body.kind, "state_body": row.state_body,
                       "effective_from": effective.isoformat(), "level": level})
    return row


def list_in_force(session: Session, kind: str, state_body: str,
                  on: dt.date) -> DefenseItemList | None:
    """The list of `state_body` in force on `on` (no access check: callers say only whether
    an item they may see is on it)."""
    return session.scalars(select(DefenseItemList).where(
        DefenseItemList.kind == kind, DefenseItemList.state_body == state_body.strip(),
        DefenseItemList.effective_from <= on)
        .order_by(DefenseItemList.effective_from.desc(), DefenseItemList.id.desc())).first()


def on_list(session: Session, state_body: str, category: str, nomenclature: str,
            on: dt.date, *, special_state_body: bool = False) -> bool | None:
    """Whether an item is on the list that decides it on `on` (None: no list decides it —
    a category outside 1-1, 2, 3, 7, 12 of a body that is not a special state body)."""
    if special_state_body:
        kind = SPECIAL_LIST
    elif order.category(category)["head_list"]:
        kind = HEAD_LIST
    else:
        return None
    found = list_in_force(session, kind, state_body, on)
    if found is None:
        return False
    wanted = (str(category).strip(), _key(nomenclature))
    return any((i["category"], _key(i["nomenclature"])) == wanted for i in found.items)


def list_json(row: DefenseItemList) -> dict[str, Any]:
    return jsonable({c.name: getattr(row, c.name) for c in row.__table__.columns
                     if c.name != "recorded_at"})


def lists_view(session: Session, actor: Actor) -> list[dict[str, Any]]:
    """Every list the reader may see, newest first, each saying whether it is in force."""
    reader(actor)
    if actor.role is Role.CONTRACTOR:
        return []
    rows = [r for r in session.scalars(select(DefenseItemList).order_by(
        DefenseItemList.effective_from.desc(), DefenseItemList.id.desc()))
        if sees(actor, r.secrecy_level)]
    today = local_date(now_utc())
    record_reads(session, actor, "item lists", [(r.id, r.secrecy_level) for r in rows])
    out = []
    for r in rows:
        current = list_in_force(session, r.kind, r.state_body, today)
        out.append({**list_json(r), "in_force": current is not None and current.id == r.id})
    return out
