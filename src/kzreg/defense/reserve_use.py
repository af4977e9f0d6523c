"""Use of state material reserve assets to execute the order (Law 236-VI Art 24 p.4).

Only storage facilities of reserve assets and organizations with mobilization orders that
are contractors of the order may use reserve assets, to refresh them (part 1). The total
volume used may not exceed thirty percent of the assets actually available that were
transferred for storage (part 2: quantity per nomenclature item, `defense.smr_cap_unit`,
counted at each use, `defense.smr_cap_reference_time`). The same nomenclature and volume is
supplied back within twelve months of the day of use (part 3).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from kzreg.defense.contracts import Money, art
from kzreg.law.deadlines import deadline
from kzreg.law.errors import InputError
from kzreg.law.explain import Explained, Trace
from kzreg.law.settings import get_setting

CAP_SHARE = Decimal("0.30")  # Art 24 p.4 part 2: "thirty percent"
REPLENISH_WITHIN = "12 months"  # Art 24 p.4 part 3: "within twelve months of the day of use"
ALLOWED_USERS = ("storage_facility", "mobilization_order_organization")


class PastUse(BaseModel):
    model_config = ConfigDict(extra="forbid")

    quantity: Money
    used_on: dt.date
    replenished: Money = Field(Decimal(0), description="quantity supplied back so far")


class ReserveUse(BaseModel):
    model_config = ConfigDict(extra="forbid")

    user_kind: str = Field(description="storage_facility, mobilization_order_organization "
                           "or other")
    sdo_contractor: bool
    nomenclature: str = Field(min_length=1)
    actually_available: Money = Field(description="actually available, transferred for "
                                      "storage, at the time of this use")
    quantity: Money
    used_on: dt.date
    past_uses: list[PastUse] = Field(default_factory=list)


@dataclass(frozen=True)
class UseResult:
    allowed: bool
    cap: Decimal
    counted_before: Decimal
    total_after: Decimal
    replenish_by: dt.date | None
    reasons: list[str] = field(default_factory=list)


def check_use(inp: ReserveUse) -> Explained[UseResult]:
    trace = Trace("defense.contract-reserve-use", inp.used_on)
    reasons: list[str] = []
    may = inp.user_kind in ALLOWED_USERS and inp.sdo_contractor
    trace.step("only storage facilities and organizations with mobilization orders that are "
               "contractors of the order use reserve assets", may, citation=art("Art 24 p.4"),
               inputs={"user_kind": inp.user_kind, "sdo_contractor": inp.sdo_contractor})
    if not may:
        reasons.append("the user is not a storage facility or mobilization-order organization "
                       "that is a contractor of the order")
    if inp.quantity <= 0:
        raise InputError("the quantity used must be positive", field="quantity")
    unit, when = get_setting("defense.smr_cap_unit"), get_setting("defense.smr_cap_reference_time")
    counts = get_setting("defense.reserve_cap_counts_replenished")
    cap = trace.step(f"the cap is 30% of {inp.actually_available} actually available for "
                     f"{inp.nomenclature}", CAP_SHARE * inp.actually_available,
                     citation=art("Art 24 p.4"),
                     parameters=[unit.use(), when.use()])
    before = sum((u.quantity if counts.value else u.quantity - min(u.replenished, u.quantity)
                  for u in inp.past_uses), Decimal(0))
    trace.step("used before: " + ("every earlier use" if counts.value else
                                  "earlier uses not yet supplied back"), before,
               parameters=[counts.use()])
    total = before + inp.quantity
    within = trace.step(f"{before} + {inp.quantity} = {total} "
                        + ("within" if total <= cap else "EXCEEDS") + f" the cap {cap}",
                        total <= cap, citation=art("Art 24 p.4"))
    if not within:
        reasons.append(f"total used {total} exceeds 30% of the available assets ({cap})")
    due = None
    if not reasons:
        due = trace.include(deadline(inp.used_on, REPLENISH_WITHIN, roll_to_working_day=None))
        trace.step("the same nomenclature and volume is supplied back to the reserve by this "
                   "day", due, citation=art("Art 24 p.4"))
    return trace.done(UseResult(not reasons, cap, before, total, due, reasons))


class Replenishment(BaseModel):
    model_config = ConfigDict(extra="forbid")

    used_on: dt.date
    quantity_used: Money
    replenished: Money = Decimal(0)
    replenished_on: dt.date | None = None


@dataclass(frozen=True)
class ReplenishmentResult:
    due: dt.date
    outstanding: Decimal
    status: str  # replenished, due, overdue, late


def check_replenishment(inp: Replenishment, as_of: dt.date) -> Explained[ReplenishmentResult]:
    trace = Trace("defense.contract-reserve-replenishment", as_of)
    due = trace.include(deadline(inp.used_on, REPLENISH_WITHIN, roll_to_working_day=None))
    trace.step("supplied back in the nomenclature and volumes of storage within twelve months "
               "of the day of use", due, citation=art("Art 24 p.4"))
    outstanding = max(inp.quantity_used - inp.replenished, Decimal(0))
    if outstanding == 0:
        late = inp.replenished_on is not None and inp.replenished_on > due
        status = "late" if late else "replenished"
    else:
        status = "overdue" if as_of > due else "due"
    trace.step(f"outstanding {outstanding}: {status}", status, citation=art("Art 24 p.4"))
    return trace.done(ReplenishmentResult(due, outstanding, status))
