"""Industrial grants (Law 86-VII Art 42): the Law's own conditions, checked before the rules'
award criteria.

- Art 42(1): budget funds, gratuitous and irrevocable *subject to counter-obligations*;
- Art 42(2): to *operating* entities of industrial-innovative activity of the *manufacturing
  industry*, *through co-financing* with mutual obligations, for projects *creating
  competitive products on the list of priority goods*;
- Art 42(3): applications examined and grants awarded under the rules' criteria (setting
  `producers.grant_award_criteria`, unset: no scoring is done, the officer examines);
- Art 42(4): the national development institute monitors the project's *planned goals*, so
  the application states them.

Co-financing is read as the entity putting its own money into the project besides the
grant; the minimum share is the rules' (setting `producers.industrial_grant_cofinancing_share`,
unset: any positive share). A failed condition is reported under condition 3 of Art 25(5)
(`DOCS_NONCOMPLIANT`) by the gate, like every measure's own condition.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from pydantic import BaseModel, Field

from kzreg.law.errors import InputError
from kzreg.law.explain import Explained, Trace
from kzreg.law.numbers import exact, fmt
from kzreg.law.rules import rule
from kzreg.law.settings import get_setting
from kzreg.producers.incentives import GoodsLine, art

MEASURE = "industrial_grant"


class GrantProject(BaseModel):
    operating: bool = Field(description="the entity already operates (Art 42(2))")
    manufacturing_industry: bool = Field(True, description="an entity of industrial-"
                                         "innovative activity of the manufacturing industry")
    project_cost: Decimal = Field(gt=0, description="the project's total cost, KZT")
    grant_requested: Decimal = Field(gt=0, description="KZT asked as the grant")
    own_contribution: Decimal = Field(ge=0, description="the entity's own money, KZT")
    planned_goals: list[str] = Field(default_factory=list, description="the project's planned "
                                     "goals the grant is monitored against (Art 42(4))")


class GrantCheckInput(GrantProject):
    goods: list[GoodsLine] = Field(min_length=1)
    counter_obligations_accepted: bool


@dataclass(frozen=True)
class GrantFailure:
    code: str       # operating | manufacturing | co_financing | priority_goods | ...
    clause: str
    detail: str


#: Conditions the gate of Art 25(5) already reports (facts operating_entity, co_financing
#: when nothing is contributed, condition 1 and condition 2).
GATE_COVERS = frozenset({"operating", "priority_goods", "counter_obligations"})


@dataclass(frozen=True)
class GrantCheck:
    eligible: bool
    failures: tuple[GrantFailure, ...]
    own_share: Fraction
    award_criteria: str      # "unset": the rules' criteria are not loaded


@rule("producers.industrial-grant-check", title="Industrial grant: operating manufacturing "
      "entity, co-financing, priority goods, counter-obligations, planned goals",
      citation=art("Art 42(2)"), inputs=GrantCheckInput)
def grant_check(inp: GrantCheckInput, as_of: dt.date) -> Explained[GrantCheck]:
    trace = Trace("producers.industrial-grant-check", as_of)
    failures: list[GrantFailure] = []

    def need(code: str, ok: bool, what: str, locator: str, **inputs) -> None:
        trace.step(what, ok, citation=art(locator), inputs=inputs or None)
        if not ok:
            failures.append(GrantFailure(code, locator, what))

    need("operating", inp.operating, "an operating entity", "Art 42(2)",
         operating=inp.operating)
    need("manufacturing", inp.manufacturing_industry, "an entity of the manufacturing "
         "industry", "Art 42(1)")
    if inp.grant_requested + inp.own_contribution > inp.project_cost:
        raise InputError("the grant and the own contribution exceed the project's cost",
                         field="grant_project.grant_requested", citation=art("Art 42(2)"))
    share = Fraction(inp.own_contribution) / Fraction(inp.project_cost)
    minimum = get_setting("producers.industrial_grant_cofinancing_share")
    floor = Fraction(0) if minimum.value == "unset" else Fraction(
        exact(str(minimum.value), "producers.industrial_grant_cofinancing_share"))
    need("co_financing", share > floor if floor == 0 else share >= floor,
         f"co-financing: the entity's own share {fmt(share * 100)}% of the project"
         + (" is positive" if floor == 0 else f" reaches {fmt(floor * 100)}%"), "Art 42(2)",
         own_contribution=inp.own_contribution, project_cost=inp.project_cost)
    trace.step("the minimum own share is the rules' (not loaded: any positive share)"
               if floor == 0 else "the minimum own share of the rules", floor,
               citation=art("Art 42(3)"), parameters=[minimum.use()])
    off = [g.code for g in inp.goods if g.of_project and not g.on_priority_list]
    project = [g for g in inp.goods if g.of_project]
    need("priority_goods", bool(project) and not off, "the project creates products on the "
         "list of priority goods" + (f" (not on it: {', '.join(off)})" if off else ""),
         "Art 42(2)")
    need("counter_obligations", inp.counter_obligations_accepted, "counter-obligations "
         "accepted (the grant is irrevocable subject to them)", "Art 42(1)")
    goals = [g.strip() for g in inp.planned_goals if g.strip()]
    need("planned_goals", bool(goals), "the project's planned goals are stated (they are "
         "monitored)", "Art 42(4)", planned_goals=goals)
    criteria = get_setting("producers.grant_award_criteria")
    trace.step("award criteria of the rules for granting industrial grants"
               + (": not loaded, the officer examines" if criteria.value == "unset" else ""),
               str(criteria.value), citation=art("Art 42(3)"), parameters=[criteria.use()])
    return trace.done(GrantCheck(not failures, tuple(failures), share, str(criteria.value)))


def project_from(data: dict, field: str = "grant_project") -> GrantProject:
    """A stored or submitted grant project, refused with the field named."""
    from pydantic import ValidationError

    raw = data.get(field)
    if not isinstance(raw, dict):
        raise InputError("an industrial grant application gives the project's cost, the grant "
                         "requested, the own contribution and the planned goals", field=field,
                         citation=art("Art 42(2)"))
    try:
        return GrantProject.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise InputError(first["msg"], field=f"{field}." + ".".join(
            str(p) for p in first["loc"])) from None
