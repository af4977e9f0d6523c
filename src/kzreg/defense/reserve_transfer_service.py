"""The transfer of state material reserve assets released for their refresh (Law 236-VI
Art 20 p.3), as a stored decision on a draft line: when the list of reserve assets holds
military or dual-use goods released under the civil protection legislation for their
refresh and they meet the recipient's requirements, they "shall be transferred" to the
recipient, who pays the transport. The selection held on or after the decision's date
ends in that transfer instead of a contractor (`selection_service`).

Not for research (Art 20 p.8) nor special state bodies (p.9, the selection skips p.3 for
them); p.3 applies from 1 September 2019 (Art 32 p.1). One decision per line, covering the
line's whole quantity (a part is transferred by splitting the line). Secrecy: the decision
has its line's level; a contractor sees none.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from kzreg.defense import order
from kzreg.defense._law import art
from kzreg.defense.models import DefenseOrderLine, DefenseReserveTransfer
from kzreg.defense.order_service import (
    _amount,
    _text,
    not_found,
    officer,
    order_row,
    reader,
    record_reads,
    refuse_if_approved,
    sees,
)
from kzreg.law.acts import explain_provision_in_force
from kzreg.law.calendar import local_date, now_utc
from kzreg.law.errors import Conflict, InputError, LegalRuleError, NotInForce
from kzreg.law.explain import jsonable
from kzreg.platform import audit
from kzreg.platform.actors import Actor, Role

TRANSPORT_PAID_BY = "recipient"     # Art 20 p.3: "paid by the state defense order recipient"


class TransferIn(BaseModel):
    decided_on: dt.date
    decision_ref: str = Field(min_length=1, max_length=200)
    assets: str = Field(min_length=1, max_length=300, description="the reserve assets")
    quantity: str | int
    release_act: str = Field(min_length=1, max_length=300,
                             description="the act releasing them for their refresh")
    requirements_met: str = Field(min_length=1, max_length=5000,
                                  description="how they meet the recipient's requirements")


def record_transfer(session: Session, actor: Actor, line_id: int,
                    body: TransferIn) -> DefenseReserveTransfer:
    """Decide that a draft line is met by reserve assets released for refresh (Art 20 p.3)."""
    officer(actor)
    line = session.get(DefenseOrderLine, line_id)
    if line is None or not sees(actor, line.secrecy_level):
        raise not_found("line", line_id)
    refuse_if_approved(order_row(session, actor, line.order_id))
    if order.category(line.category)["route"] == "research":
        raise LegalRuleError("the provisions of Art 20 do not apply to scientific research",
                             field="line", citation=art("Art 20 p.8"))
    if body.decided_on > local_date(now_utc()):
        raise InputError("the decision cannot be dated in the future", field="decided_on")
    if explain_provision_in_force("law-236-VI", "Art 20 p.3", body.decided_on).value is False:
        raise NotInForce("Art 20 p.3 applies from 1 September 2019", field="decided_on",
                         citation=art("Art 32 p.1"))
    quantity = _amount(body.quantity, "quantity")
    if quantity != Decimal(line.quantity):
        raise InputError(f"the transfer covers the line's whole quantity ({line.quantity}); "
                         "to transfer a part, split the line", field="quantity",
                         citation=art("Art 20 p.3"))
    if session.scalars(select(DefenseReserveTransfer.id).where(
            DefenseReserveTransfer.line_id == line.id)).first() is not None:
        raise Conflict(f"line {line.id} has its transfer decision", field="line",
                       citation=art("Art 20 p.3"))
    at = now_utc()
    row = DefenseReserveTransfer(
        line_id=line.id, decided_on=body.decided_on, decision_ref=body.decision_ref.strip(),
        assets=body.assets.strip(), quantity=_text(quantity),
        release_act=body.release_act.strip(), requirements_met=body.requirements_met.strip(),
        transport_paid_by=TRANSPORT_PAID_BY, secrecy_level=line.secrecy_level,
        recorded_by=actor.username, recorded_at=at)
    session.add(row)
    session.flush()
    audit.append(session, actor=actor, action="defense.reserve_transfer_decided",
                 basis=art("Art 20 p.3"), at=at,
                 data={"id": row.id, "line": line.id, "on": body.decided_on.isoformat()})
    return row


def transfer_for(session: Session, line_id: int, on: dt.date) -> DefenseReserveTransfer | None:
    """The line's transfer decision taken by `on` (no access check: the selection's)."""
    return session.scalars(select(DefenseReserveTransfer).where(
        DefenseReserveTransfer.line_id == line_id,
        DefenseReserveTransfer.decided_on <= on)).first()


def transfer_json(row: DefenseReserveTransfer) -> dict[str, Any]:
    return jsonable({c.name: getattr(row, c.name) for c in row.__table__.columns
                     if c.name != "recorded_at"})


def transfers_view(session: Session, actor: Actor) -> list[dict[str, Any]]:
    reader(actor)
    if actor.role is Role.CONTRACTOR:
        return []
    rows = [r for r in session.scalars(select(DefenseReserveTransfer)
                                       .order_by(DefenseReserveTransfer.id.desc()))
            if sees(actor, r.secrecy_level)]
    record_reads(session, actor, "reserve transfers", [(r.id, r.secrecy_level) for r in rows])
    return [transfer_json(r) for r in rows]
