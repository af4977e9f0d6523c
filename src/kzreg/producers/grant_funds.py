"""The funds for industrial grants year by year (Law 86-VII Art 42(5)).

"The balances on the current account at the end of the financial year shall not be subject
to return to the authorized body … and, accordingly, to the state budget, but shall be spent
on the provision of industrial grants in the next financial year" (Art 42(5) para 2). So a
year's funds are its allocation plus what the year before left: opening balance + allocated
− granted = closing balance, carried into the next year.

The Law speaks of the balance on the development institute's account; the system records
the authorized body's allocations (`producers_grant_allocations`) and the grants decided
(`producers_incentive_grants`, measure `industrial_grant`), so a grant counts in the year of
its decision (setting producers.grant_funds_spent_basis). The funds are shown, not a ground
of refusal: the grounds of refusing a measure are only those of Art 25(5)-(6); a year whose
grants exceed its funds is flagged.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from kzreg.law.calendar import now_utc
from kzreg.law.errors import Conflict, Forbidden, InputError
from kzreg.law.explain import Explained, Trace
from kzreg.law.numbers import exact
from kzreg.law.rules import rule
from kzreg.law.settings import get_setting
from kzreg.platform import audit
from kzreg.platform.actors import Actor, Role
from kzreg.producers.incentives import art
from kzreg.producers.models import GrantFundAllocation, IncentiveGrant

MEASURE = "industrial_grant"


class FundsInput(BaseModel):
    year: int = Field(ge=2022, le=2100)
    allocated: dict[int, Decimal] = Field(description="KZT allocated per financial year")
    granted: dict[int, Decimal] = Field(default_factory=dict, description="KZT of industrial "
                                        "grants decided per financial year")


@dataclass(frozen=True)
class FundsYear:
    year: int
    opening: Decimal      # carried over from the year before (Art 42(5))
    allocated: Decimal
    granted: Decimal
    closing: Decimal      # carried into the next year
    overcommitted: bool


@rule("producers.industrial-grant-funds", title="Industrial grant funds of a year: the "
      "year-end balance is not returned but spent on grants the next year",
      citation=art("Art 42(5)"), inputs=FundsInput)
def funds(inp: FundsInput, as_of: dt.date) -> Explained[tuple[FundsYear, ...]]:
    trace = Trace("producers.industrial-grant-funds", as_of)
    basis = get_setting("producers.grant_funds_spent_basis")
    years = [y for y in sorted(set(inp.allocated) | set(inp.granted)) if y <= inp.year]
    if not years:
        raise InputError(f"no funds allocated for industrial grants up to {inp.year}",
                         field="year", citation=art("Art 42(5)"))
    rows: list[FundsYear] = []
    carried = Decimal(0)
    for year in range(years[0], inp.year + 1):
        allocated = inp.allocated.get(year, Decimal(0))
        granted = inp.granted.get(year, Decimal(0))
        if allocated < 0 or granted < 0:
            raise InputError("amounts are not negative", field=f"{year}")
        available = carried + allocated
        closing = available - granted
        trace.step(f"{year}: carried {carried} + allocated {allocated} − granted {granted} = "
                   f"{closing}", closing, citation=art("Art 42(5)"),
                   parameters=[basis.use()] if year == years[0] else ())
        if closing < 0:
            trace.step(f"{year}: grants exceed the funds by {-closing} (flagged; not a "
                       "ground of refusal)", False, citation=art("Art 25(6)"))
        rows.append(FundsYear(year, carried, allocated, granted, closing, closing < 0))
        carried = max(closing, Decimal(0))
        if year < inp.year:
            trace.step(f"the balance {carried} at the end of {year} is not returned to the "
                       f"budget but spent on industrial grants in {year + 1}", carried,
                       citation=art("Art 42(5)"))
    return trace.done(tuple(rows))


# --- the record ------------------------------------------------------------------------------

def record_allocation(session: Session, actor: Actor, *, year: int, amount: Any,
                      reference: str, at: dt.datetime | None = None) -> GrantFundAllocation:
    """The authorized body records a year's budget funds for industrial grants."""
    if actor.read_only or actor.role not in (Role.INDUSTRY_OFFICER, Role.ADMIN):
        raise Forbidden("the authorized body records the funds", field="actor",
                        citation=art("Art 42(1)"))
    if not 2022 <= int(year) <= 2100:
        raise InputError("a financial year 2022-2100", field="year")
    value = exact(str(amount), "amount")
    if value <= 0:
        raise InputError("a positive amount in KZT", field="amount")
    if len(reference.strip()) < 3:
        raise InputError("the budget act or agreement the funds come from", field="reference")
    if session.scalars(select(GrantFundAllocation).where(
            GrantFundAllocation.year == int(year))).first() is not None:
        raise Conflict(f"the funds of {year} are already recorded", field="year")
    at = at or now_utc()
    row = GrantFundAllocation(year=int(year), amount=str(value), reference=reference.strip(),
                              recorded_by=actor.username, recorded_at=at)
    session.add(row)
    session.flush()
    audit.append(session, actor=actor, action="producers.grant_funds.allocated", at=at,
                 basis=art("Art 42(5)"), data={"year": row.year, "amount": row.amount,
                                               "reference": row.reference})
    return row


def stored_funds(session: Session, year: int, as_of: dt.date) -> Explained[tuple[FundsYear, ...]]:
    """The rule over the recorded allocations and the industrial grants decided."""
    allocated = {a.year: Decimal(a.amount) for a in session.scalars(select(GrantFundAllocation))}
    granted: dict[int, Decimal] = {}
    for g in session.scalars(select(IncentiveGrant).where(IncentiveGrant.measure == MEASURE)):
        granted[g.granted_on.year] = granted.get(g.granted_on.year, Decimal(0)) + Decimal(
            g.amount)
    return funds(FundsInput(year=year, allocated=allocated, granted=granted), as_of)


def funds_json(rows: tuple[FundsYear, ...]) -> list[Mapping[str, Any]]:
    return [{"year": r.year, "opening": str(r.opening), "allocated": str(r.allocated),
             "granted": str(r.granted), "closing": str(r.closing),
             "overcommitted": r.overcommitted} for r in rows]
