"""Registers the assembly rules (found by convention as `kzreg.assembly.rules`).

Rule ids and clauses:
  assembly.score            Order 493 R §23, R-App2/R-App3   localization score of a claim list
  assembly.threshold        Order 493 R §24                  threshold on a day of the term
  assembly.eligibility      Order 493 R §4-7; Law Arts 63-64  may the agreement be concluded
  assembly.appendix4-due    Order 493 R-App4                 operations due by agreement year
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, Field

from kzreg.assembly.eligibility import Application, Eligibility, appendix4_due, check_eligibility
from kzreg.assembly.scoring import Score, parse_case, score
from kzreg.assembly.tables import ORDER_493, select_table
from kzreg.assembly.thresholds import ThresholdCheck, judge
from kzreg.law.citations import cite
from kzreg.law.explain import Explained, Trace
from kzreg.law.rules import rule


class ClaimInput(BaseModel):
    item: str
    origin: str | None = Field(None, description="ISO 3166 alpha-2 code (components)")
    incompatibility_documented: bool = False
    quantity: str | None = Field(None, description="patents, % of revenue, % of export, models")


class ScoreInput(BaseModel):
    vehicle: str = Field(description="car, truck_tractor, special_equipment, bus or truck")
    claims: list[ClaimInput]
    agreement_concluded_on: dt.date | None = None


@rule("assembly.score", title="Localization score of the claimed items (R-App2 / R-App3)",
      citation=cite(ORDER_493, "R §23"), inputs=ScoreInput)
def score_rule(inp: ScoreInput, as_of: dt.date) -> Explained[Score]:
    data: dict[str, Any] = inp.model_dump(exclude_none=True)
    data["claims"] = [c.model_dump(exclude_none=True) for c in inp.claims]
    return score(parse_case(data, as_of=as_of))


class ThresholdInput(BaseModel):
    vehicle: str = "car"
    agreement_concluded_on: dt.date
    total: Decimal = Field(ge=0, description="the localization score")


@rule("assembly.threshold", title="Five-year threshold of the localization score (R §24)",
      citation=cite(ORDER_493, "R §24"), inputs=ThresholdInput)
def threshold_rule(inp: ThresholdInput, as_of: dt.date) -> Explained[ThresholdCheck]:
    trace = Trace()
    table = select_table(inp.vehicle, trace, as_of=as_of,
                         concluded_on=inp.agreement_concluded_on).table
    return trace.done(judge(table, inp.total, inp.agreement_concluded_on, as_of, trace))


class EligibilityInput(Application):
    applied_on: dt.date | None = None   # type: ignore[assignment]  # default: the rule's date


@rule("assembly.eligibility", title="Conditions for concluding an industrial assembly agreement",
      citation=cite(ORDER_493, "R §4"), inputs=EligibilityInput)
def eligibility_rule(inp: EligibilityInput, as_of: dt.date) -> Explained[Eligibility]:
    data = inp.model_dump()
    data["applied_on"] = inp.applied_on or as_of
    return check_eligibility(Application(**data))


class Appendix4Input(BaseModel):
    feacn_code: str = Field(description="8429, 8703 (ATV, snowmobile) or 8716")
    agreement_year: int = Field(ge=1, description="1 = the year of conclusion")


@rule("assembly.appendix4-due", title="Appendix 4 operations due by agreement year",
      citation=cite(ORDER_493, "R-App4"), inputs=Appendix4Input)
def appendix4_rule(inp: Appendix4Input, as_of: dt.date) -> Explained[list[str]]:
    trace = Trace()
    due = appendix4_due(inp.feacn_code, inp.agreement_year)
    trace.step(f"{len(due)} operations due by agreement year {inp.agreement_year} for "
               f"{inp.feacn_code}", [f"(year {y}) {op}" for y, op in due],
               citation=cite(ORDER_493, "R-App4"),
               parameters=[])
    return trace.done([op for _, op in due])
