"""The tasks of an approved state defense order communicated to its contractors (Law 236-VI
Art 6-1 sub 13; Art 7 sub 8; Art 25 sub 4): a record of what was sent, when, by which body
and under which document.

A task is a line of the version of the order in force on the day it is communicated, with
its contractor; what is sent is that line as the act set it (nomenclature, quantity,
price, deadline, recipient, the act). The body communicating it is the one
`competence.who_acts` names on that day by whose budget holds the funds: the SDP body
(Art 6-1 sub 13) or the recipient (Art 25 sub 4; Art 7 sub 8). One record per line and
version that set it: a line an amendment changes is communicated again, an unchanged one
is not.

Secrecy: the record has the higher of the order's and the line's level; the contractor
named reads its own records within its clearance, officers and auditors within theirs;
classified reads are audited.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from kzreg.defense._law import art
from kzreg.defense.competence import BODIES, Funds, who_acts
from kzreg.defense.models import DefenseOrder, DefenseTaskNotice
from kzreg.defense.order_service import (
    not_found,
    officer,
    order_row,
    order_version_on,
    reader,
    record_reads,
    sees,
)
from kzreg.law.calendar import local_date, now_utc
from kzreg.law.errors import Conflict, InputError, LegalRuleError
from kzreg.law.explain import jsonable
from kzreg.platform import audit
from kzreg.platform.actors import Actor, Role


class TaskIn(BaseModel):
    communicated_on: dt.date
    document_ref: str = Field(min_length=1, max_length=200,
                              description="the letter or notice that carried the task")


def communicate_task(session: Session, actor: Actor, order_id: int, ref: str,
                     body: TaskIn) -> DefenseTaskNotice:
    """Record that the task of line `ref` was communicated to its contractor."""
    officer(actor)
    row = order_row(session, actor, order_id)
    on = body.communicated_on
    if on > local_date(now_utc()):
        raise InputError("a task is recorded once communicated", field="communicated_on")
    version = order_version_on(session, row.id, on) if row.status == "approved" else None
    if version is None:
        raise LegalRuleError(f"order {row.id} was not approved on {on.isoformat()}: the tasks "
                             "of the approved order are communicated", field="communicated_on",
                             citation=art("Art 6-1 sub 13"))
    line = version.line(ref)
    if line is None or not sees(actor, line.secrecy_level):
        raise not_found("line", ref)
    if not line.in_order or not line.contractor_bin:
        raise LegalRuleError(f"line {ref} has no contractor in the order in force "
                             f"({line.status})", field="ref", citation=art("Art 6-1 sub 13"))
    if session.scalars(select(DefenseTaskNotice.id).where(
            DefenseTaskNotice.order_id == row.id, DefenseTaskNotice.line_ref == ref,
            DefenseTaskNotice.version == line.set_in)).first() is not None:
        raise Conflict(f"the task of line {ref} as version {line.set_in} set it was "
                       "communicated", field="ref", citation=art("Art 6-1 sub 13"))
    funds = Funds.RECIPIENT if row.funds_holder == "recipient" else Funds.SDP_BODY
    acting = who_acts(on, funds).value["functions"]["communicate_tasks"]
    act_number, act_date = version.act_of(line)
    contents = {"nomenclature": line.nomenclature, "category": line.category,
                "quantity": line.quantity, "unit": line.unit, "unit_price": line.unit_price,
                "total": line.total, "deadline": line.deadline, "recipient": line.recipient,
                "section": line.section, "stage": line.stage, "act_number": act_number,
                "act_date": act_date, "version": line.set_in}
    at = now_utc()
    notice = DefenseTaskNotice(
        order_id=row.id, version=line.set_in, line_ref=ref,
        contractor_bin=line.contractor_bin, communicated_on=on, communicated_by=acting["body"],
        document_ref=body.document_ref.strip(), contents=jsonable(contents),
        secrecy_level=max(row.secrecy_level, line.secrecy_level),
        recorded_by=actor.username, recorded_at=at)
    session.add(notice)
    session.flush()
    audit.append(session, actor=actor, action="defense.task_communicated",
                 basis=acting["basis"], at=at,
                 data={"id": notice.id, "order": row.id, "line": ref,
                       "version": line.set_in, "body": acting["body"]})
    return notice


def _visible(actor: Actor, notice: DefenseTaskNotice) -> bool:
    if not sees(actor, notice.secrecy_level):
        return False
    return actor.role is not Role.CONTRACTOR or notice.contractor_bin == actor.bin


def notice_json(notice: DefenseTaskNotice, order_title: str | None = None) -> dict[str, Any]:
    out = {c.name: getattr(notice, c.name) for c in notice.__table__.columns
           if c.name != "recorded_at"}
    out["communicated_by_name"] = BODIES.get(notice.communicated_by)
    out["order_title"] = order_title
    return jsonable(out)


def tasks_view(session: Session, actor: Actor, order_id: int | None = None) -> list[dict]:
    """The tasks communicated, as the reader may see them (a contractor: its own)."""
    reader(actor)
    query = select(DefenseTaskNotice).order_by(DefenseTaskNotice.id.desc())
    if order_id is not None:
        query = query.where(DefenseTaskNotice.order_id == order_id)
    rows = [n for n in session.scalars(query) if _visible(actor, n)]
    titles = {o.id: (o.title if sees(actor, o.secrecy_level) else None)
              for o in session.scalars(select(DefenseOrder))}
    record_reads(session, actor, "tasks", [(n.id, n.secrecy_level) for n in rows])
    return [notice_json(n, titles.get(n.order_id)) for n in rows]
