"""The state material reserve held by state defense order contractors (Law 236-VI
Art 24 p.4).

The holdings register records the assets transferred for storage and actually available.
Only a storage facility or mobilization-order organization that is a contractor of the order
may use them, and the uses not supplied back stay within 30% of the quantity actually
available (`defense.reserve_cap_counts_replenished`); the assets come back within 12 months
of the day of use — each use is a `defense.reserve_use` case carrying that deadline, closed
when its whole volume is back. A holding carries its own secrecy level (Art 25 sub 3): above
the caller's clearance it is "not found"; a contractor sees its own holdings only.
Conventions (transaction, audit) are those of `contracts_service`.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from kzreg.defense import secrecy
from kzreg.defense.contracts import Money, art
from kzreg.defense.contracts_models import DefenseReserveHolding, DefenseReserveUse
from kzreg.defense.contracts_service import get_contract, instant, officer, validated
from kzreg.defense.reserve_use import ALLOWED_USERS, CAP_SHARE, PastUse, ReserveUse, check_use
from kzreg.defense.workflow import RESERVE_USE
from kzreg.law.calendar import ALMATY, local_date
from kzreg.law.errors import Forbidden, InputError, NotFound
from kzreg.law.explain import jsonable
from kzreg.law.identifiers.bin_iin import validate_bin
from kzreg.platform import audit
from kzreg.platform.actors import Actor, Role
from kzreg.platform.cases import fire, get_case_for, open_case

# --- the holdings register -------------------------------------------------------------------

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


def add_holding(session: Session, actor: Actor, body: dict[str, Any] | HoldingIn, *,
                at: dt.datetime | None = None) -> DefenseReserveHolding:
    at = instant(at)
    officer(actor)
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


def cap(holding: DefenseReserveHolding) -> Decimal:
    """The most of the holding that may be in use at once: 30% of the quantity actually
    available (Art 24 p.4 part 2)."""
    return holding.available * CAP_SHARE


# --- uses and their replenishment ------------------------------------------------------------

class UseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    quantity: Money
    used_on: dt.date | None = None
    contract_case_id: int | None = None


def uses(session: Session, holding_id: int) -> list[DefenseReserveUse]:
    return list(session.scalars(select(DefenseReserveUse)
                                .where(DefenseReserveUse.holding_id == holding_id)
                                .order_by(DefenseReserveUse.id)))


def use_reserve(session: Session, actor: Actor, holding_id: int, body: dict[str, Any] | UseIn,
                *, at: dt.datetime | None = None) -> DefenseReserveUse:
    """Use reserve assets: only a storage facility or mobilization-order organization that is
    a contractor, Σ uses ≤ 30% of those actually available; back within 12 months."""
    at = instant(at)
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
    at = instant(at)
    row = session.get(DefenseReserveUse, use_id)
    missing = NotFound(f"no reserve use {use_id}", field="use_id")
    if row is None:
        raise missing
    try:
        case = get_case_for(session, actor, row.case_id)  # scope and clearance
    except NotFound:
        raise missing from None    # the same answer as for no use at all: no case id leaks
    # a partial return writes without a transition, so the transition's roles are checked
    # here (the access matrix found auditors recording returns)
    allowed = case.type.transition("replenish").roles
    if actor.read_only or actor.role not in allowed:
        raise Forbidden(f"a {actor.role} may not record assets supplied back",
                        field="role", citation=art("Art 24 p.4"))
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
