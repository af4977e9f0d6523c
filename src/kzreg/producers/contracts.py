"""Contracts aimed at industrial development and large customers (Law 86-VII Arts 46-49, 47-1,
61-1): the planning calendar, off-take and guaranteed purchase agreements, offset, systemic
enterprises and domestic value development programmes.

- Art 47: plans by 10 December of the year before the first year of procurement; review within
  30 calendar days; amended plan within 5 working days of the notice; approval within 10
  working days; the agreed list published by 1 February; manufacturers apply within 30
  calendar days of publication; contracts within 30 calendar days of that deadline.
  Terms in calendar days move off a non-working last day as `calendar.roll_end_to_working_day`
  says; the fixed dates (10 December, 1 February) as `producers.fixed_dates_move_to_working_day`.
- Art 46(1): new production -> off-take contract; existing facilities -> guaranteed purchase.
- Art 48(2): the customer accepts and pays 100% of the year's contracted volume in year one and
  at least 50% in later years, if the supplier performed properly.
- Art 48-1(3): a guaranteed purchase agreement runs at least one and at most ten years.
- Art 49: offset when a year's purchases exceed 500,000 MCI of that financial year; offset
  conditions worth at least 5% of the contract amount.
- Art 47-1(1): systemic enterprise = more than 3% of its territory's output.
- Art 61-1(2)-(3): programmes for three years; three grounds of refusal only.
- Legal time: each rule first checks that the current wording of its article applies on the
  date (`legal_time.require_wording`): Art 47 reworded and Arts 47-1, 48-1, 61-1 inserted by
  Law 188-VIII, Art 48 amended from 1 January 2025 by Law 107-VIII; an earlier wording is not
  in the source and the rule refuses.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Literal

from pydantic import BaseModel, Field

from kzreg.law.calendar import add_working_days, add_years, is_working_day, next_working_day
from kzreg.law.deadlines import deadline
from kzreg.law.errors import InputError
from kzreg.law.explain import Explained, Trace
from kzreg.law.numbers import fmt
from kzreg.law.parameters import mci
from kzreg.law.rules import rule
from kzreg.law.settings import get_setting
from kzreg.producers.incentives import art
from kzreg.producers.legal_time import require_wording

PLAN_REVIEW_DAYS = 30          # Art 47(4) para 1, calendar days
RESUBMIT_WORKING_DAYS = 5      # Art 47(4) para 3
APPROVAL_WORKING_DAYS = 10     # Art 47(4) para 4
APPLICATION_DAYS = 30          # Art 47(6), calendar days
CONCLUSION_DAYS = 30           # Art 47(7), calendar days
OFFSET_MCI = 500_000           # Art 49(1)
OFFSET_MIN_SHARE = Fraction(5, 100)      # Art 49(2)
SYSTEMIC_SHARE = Fraction(3, 100)        # Art 47-1(1), strictly more
OFFSET_KINDS = ("direct_investment", "research_and_development", "production_facilities",
                "training_centres", "service_infrastructure", "technology_transfer")  # 49(2)
DVDP_YEARS = 3                 # Art 61-1(2)
DVDP_AREAS = ("domestic_value_share", "industrial_contracts", "sme_development")  # 61-1(3)
DVDP_REFUSAL_GROUNDS = {       # Art 61-1(2), the closed list
    1: "underestimated target indicators for the share of domestic value in procurement",
    2: "inappropriate indicators for planning and concluding contracts, given the number of "
       "applications from industrial and innovative entities",
    3: "no measures to develop small and medium-sized enterprises",
}
CUSTOMER_TYPES = ("subsoil_user", "quasi_public", "natural_monopoly", "systemic_enterprise")


# --- the planning calendar (Art 47) -------------------------------------------------------------

def fixed_date(trace: Trace, day: dt.date, what: str, locator: str) -> dt.date:
    move = get_setting("producers.fixed_dates_move_to_working_day")
    due = next_working_day(day) if move.value and not is_working_day(day) else day
    trace.step(f"{what}: by {day}" + (f", a non-working day, so {due}" if due != day else ""),
               due, citation=art(locator), parameters=[move.use()])
    return due


def term(trace: Trace, start: dt.date, duration: str, what: str, locator: str) -> dt.date:
    if duration.endswith("working days"):
        n = int(duration.split()[0])
        due = add_working_days(start, n)
        trace.step(f"{what}: {duration} after {start} (that day not counted; weekends and "
                   "holidays skipped)", due, citation=art(locator))
        return due
    due = trace.include(deadline(start, duration, roll_to_working_day=None))
    return trace.step(f"{what}: {duration} after {start}", due, citation=art(locator))


class CalendarInput(BaseModel):
    year: int = Field(ge=2022, le=2034, description="the year the plans are lodged in")


@dataclass(frozen=True)
class PlanCalendar:
    lodging_year: int
    first_procurement_year: int
    plans_due: dt.date
    review_due: dt.date
    publication_due: dt.date
    applications_due: dt.date
    contracts_due: dt.date
    flagged: bool = False          # the wording's start rests on an unknown publication date


@rule("producers.contract-plan-calendar", title="The yearly calendar of large customers' "
      "procurement plans", citation=art("Art 47(1)"), inputs=CalendarInput)
def plan_calendar(inp: CalendarInput, as_of: dt.date) -> Explained[PlanCalendar]:
    """Each term counted from the last day its trigger may fall on."""
    trace = Trace("producers.contract-plan-calendar", as_of)
    y = inp.year
    flagged = require_wording(trace, "Art 47", dt.date(y, 12, 10))
    trace.step("plans are lodged in the year before the first year of procurement", y + 1,
               citation=art("Art 47(2)"))
    plans = fixed_date(trace, dt.date(y, 12, 10), "plans received", "Art 47(1)")
    review = term(trace, plans, f"{PLAN_REVIEW_DAYS} calendar days", "review of a plan lodged "
                   "on the last day", "Art 47(4)")
    published = fixed_date(trace, dt.date(y + 1, 2, 1), "agreed list published", "Art 47(5)")
    applications = term(trace, published, f"{APPLICATION_DAYS} calendar days",
                         "manufacturers' applications", "Art 47(6)")
    contracts = term(trace, applications, f"{CONCLUSION_DAYS} calendar days",
                      "contracts examined and concluded", "Art 47(7)")
    return trace.done(PlanCalendar(y, y + 1, plans, review, published, applications, contracts,
                                    flagged))


class PlanGoods(BaseModel):
    code: str = Field(min_length=1)
    procured_on_domestic_market: bool = False
    foreign_under_warranty: bool = False


class PlanCase(BaseModel):
    first_procurement_year: int = Field(ge=2023, le=2035)
    received_on: dt.date
    goods: list[PlanGoods] = []
    review_completed_on: dt.date | None = None
    notice_received_on: dt.date | None = None
    resubmitted_on: dt.date | None = None
    approved_on: dt.date | None = None
    published_on: dt.date | None = None


@dataclass(frozen=True)
class Stage:
    name: str
    due: dt.date | None
    done_on: dt.date | None
    status: str                    # on_time | late | pending | overdue | not_applicable


@dataclass(frozen=True)
class PlanCheck:
    compliant_content: bool
    goods_to_exclude: tuple[str, ...]
    stages: tuple[Stage, ...]
    flags: tuple[str, ...]


def _stage(name: str, due: dt.date | None, done: dt.date | None, as_of: dt.date) -> Stage:
    if due is None:
        return Stage(name, None, done, "not_applicable")
    if done is not None:
        return Stage(name, due, done, "on_time" if done <= due else "late")
    return Stage(name, due, None, "pending" if as_of <= due else "overdue")


@rule("producers.contract-plan-check", title="A large customer's procurement plan against the "
      "calendar and the exclusions of Art 47(3)", citation=art("Art 47(4)"), inputs=PlanCase)
def plan_check(inp: PlanCase, as_of: dt.date) -> Explained[PlanCheck]:
    trace = Trace("producers.contract-plan-check", as_of)
    _order(inp)
    year = inp.first_procurement_year
    flagged = require_wording(trace, "Art 47", inp.received_on)
    stages = [_stage("plan lodged", fixed_date(trace, dt.date(year - 1, 12, 10),
                                                 "plan received", "Art 47(1)"),
                     inp.received_on, as_of)]
    late = get_setting("producers.late_plan_handling")
    if stages[0].status == "late":
        trace.step(f"lodged {(inp.received_on - stages[0].due).days} days late: reviewed and "
                   "marked late", late.value, citation=art("Art 47(1)"), parameters=[late.use()])
        if late.value == "refuse":
            raise InputError(f"the plan was due by {stages[0].due}", field="received_on",
                             citation=art("Art 47(1)"))
    bad = tuple(g.code for g in inp.goods
                if g.procured_on_domestic_market or g.foreign_under_warranty)
    trace.step("goods procured on the domestic market or of foreign origin under warranty "
               "obligations must be left out of the list", bad, citation=art("Art 47(3)"))
    review_due = term(trace, inp.received_on, f"{PLAN_REVIEW_DAYS} calendar days",
                       "review", "Art 47(4)")
    stages.append(_stage("review", review_due, inp.review_completed_on, as_of))
    if inp.notice_received_on is not None:
        resubmit = term(trace, inp.notice_received_on, f"{RESUBMIT_WORKING_DAYS} working days",
                         "amended plan resubmitted", "Art 47(4)")
        stages.append(_stage("resubmission", resubmit, inp.resubmitted_on, as_of))
    start_use = get_setting("producers.procurement_plan_approval_start")
    start = inp.received_on if start_use.value == "plan_receipt" else inp.resubmitted_on
    trace.step("the ten working days of approval run from", start, citation=art("Art 47(4)"),
               parameters=[start_use.use()])
    approval = (term(trace, start, f"{APPROVAL_WORKING_DAYS} working days", "approval",
                      "Art 47(4)") if start is not None else None)
    stages.append(_stage("approval", approval, inp.approved_on, as_of))
    publication = fixed_date(trace, dt.date(year, 2, 1), "agreed list published", "Art 47(5)")
    stages.append(_stage("publication", publication, inp.published_on, as_of))
    if inp.published_on is not None:
        apps = term(trace, inp.published_on, f"{APPLICATION_DAYS} calendar days",
                     "manufacturers' applications", "Art 47(6)")
        stages.append(_stage("applications", apps, None, as_of))
        concl = term(trace, apps, f"{CONCLUSION_DAYS} calendar days", "contracts concluded",
                      "Art 47(7)")
        stages.append(_stage("contracts", concl, None, as_of))
    flags = tuple(f"{s.name}: {s.status}" for s in stages if s.status in ("late", "overdue"))
    if bad and inp.notice_received_on is None:
        flags += ("notification with comments to be sent (Art 47(4))",)
    if flagged:
        flags += ("Art 47 applied in its current wording from its earliest possible start "
                  "(publication of Law 188-VIII not loaded)",)
    return trace.done(PlanCheck(not bad, bad, tuple(stages), flags))


def _order(inp: PlanCase) -> None:
    chain = [("received_on", inp.received_on), ("notice_received_on", inp.notice_received_on),
             ("resubmitted_on", inp.resubmitted_on)]
    seen = [(n, d) for n, d in chain if d is not None]
    for (n1, d1), (n2, d2) in zip(seen, seen[1:], strict=False):
        if d2 < d1:
            raise InputError(f"before {n1} ({d1})", field=n2)
    if inp.resubmitted_on is not None and inp.notice_received_on is None:
        raise InputError("a resubmission answers a notice: give notice_received_on",
                         field="notice_received_on")


# --- kinds of contract (Art 46) and their terms (Arts 48, 48-1) ---------------------------------

class KindInput(BaseModel):
    new_production: bool = Field(description="production organised by the supplier, not "
                                 "previously available")
    customer_nwf_group: bool = False


@rule("producers.contract-kind", title="Off-take contract or guaranteed purchase agreement",
      citation=art("Art 46(1)"), inputs=KindInput)
def contract_kind(inp: KindInput, as_of: dt.date) -> Explained[str]:
    trace = Trace("producers.contract-kind", as_of)
    if inp.customer_nwf_group:
        scope = get_setting("producers.nwf_exclusion_scope")
        trace.step("Art 46 does not apply to the National Welfare Fund and its 50% group",
                   "not_applicable", citation=art("Art 46(2)"), parameters=[scope.use()])
        return trace.done("not_applicable")
    kind = "offtake" if inp.new_production else "guaranteed_purchase"
    trace.step("new production organised by the supplier: off-take contract; goods of existing "
               "facilities: guaranteed purchase agreement", kind,
               citation=art("Art 46(1)(1)" if inp.new_production else "Art 46(1)(1-1)"))
    return trace.done(kind)


class YearVolume(BaseModel):
    year: int = Field(ge=1, le=9999)
    contracted: Decimal = Field(ge=0)
    accepted: Decimal = Field(ge=0)
    supplier_performed: bool = True


class OfftakeInput(BaseModel):
    years: list[YearVolume] = Field(min_length=1)


@dataclass(frozen=True)
class YearCheck:
    year: int
    contract_year: int
    required_share: Fraction
    required: Fraction
    accepted: Decimal
    status: str                    # compliant | breach | not_owed


@dataclass(frozen=True)
class OfftakeCheck:
    compliant: bool
    years: tuple[YearCheck, ...]
    penalty: str


@rule("producers.contract-offtake-check", title="Off-take: the customer accepts 100% in year "
      "one and at least 50% later", citation=art("Art 48(2)"), inputs=OfftakeInput)
def offtake_check(inp: OfftakeInput, as_of: dt.date) -> Explained[OfftakeCheck]:
    trace = Trace("producers.contract-offtake-check", as_of)
    basis = get_setting("producers.offtake_year_basis")
    years = sorted(inp.years, key=lambda y: y.year)
    if len({y.year for y in years}) != len(years):
        raise InputError("each year once", field="years")
    delivering = [y for y in years if y.contracted > 0]
    if not delivering:
        raise InputError("no year with a contracted volume", field="years")
    first = delivering[0].year
    require_wording(trace, "Art 48", dt.date(first, 1, 1))
    trace.step("year one is the first year in which the contract provides deliveries", first,
               citation=art("Art 48(2)"), parameters=[basis.use()])
    checks = []
    for y in years:
        if y.year < first:
            continue
        n = y.year - first + 1
        share = Fraction(1) if n == 1 else Fraction(1, 2)
        required = share * Fraction(y.contracted)
        status = ("not_owed" if not y.supplier_performed
                  else "compliant" if Fraction(y.accepted) >= required else "breach")
        checks.append(YearCheck(y.year, n, share, required, y.accepted, status))
        trace.step(f"year {y.year} (contract year {n}): accept at least {fmt(share * 100)}% of "
                   f"{fmt(y.contracted)} = {fmt(required)}", status, citation=art("Art 48(2)"),
                   inputs={"accepted": y.accepted, "supplier_performed": y.supplier_performed})
    breach = any(c.status == "breach" for c in checks)
    penalty = get_setting("producers.offtake_penalty")
    note = "none"
    if breach:
        note = ("amount per the rules on planning and concluding contracts, not loaded"
                if penalty.value == "unset" else str(penalty.value))
        trace.step("refusal to buy the agreed volume through no fault of the supplier: penalty",
                   note, citation=art("Art 48(4)"), parameters=[penalty.use()])
    return trace.done(OfftakeCheck(not breach, tuple(checks), note))


class TermInput(BaseModel):
    concluded_on: dt.date = Field(description="the day the agreement is concluded (the day "
                                  "of the event, not counted)")
    ends_on: dt.date = Field(description="the last day of the agreement")


@dataclass(frozen=True)
class TermCheck:
    valid: bool
    shortest_end: dt.date
    longest_end: dt.date


@rule("producers.contract-gpa-term", title="Guaranteed purchase agreement: one to ten years",
      citation=art("Art 48-1(3)"), inputs=TermInput)
def gpa_term(inp: TermInput, as_of: dt.date) -> Explained[TermCheck]:
    trace = Trace("producers.contract-gpa-term", as_of)
    if inp.ends_on < inp.concluded_on:
        raise InputError("ends before it starts", field="ends_on")
    require_wording(trace, "Art 48-1", inp.concluded_on)
    counting = get_setting("producers.agreement_term_last_day")
    shift = dt.timedelta(days=1 if counting.value == "day_before_anniversary" else 0)
    shortest = add_years(inp.concluded_on, 1) - shift
    longest = add_years(inp.concluded_on, 10) - shift
    trace.step("at least one year: the last day not before", shortest,
               citation=art("Art 48-1(3)"), parameters=[counting.use()])
    trace.step("at most ten years: the last day not after", longest, citation=art("Art 48-1(3)"))
    valid = shortest <= inp.ends_on <= longest
    trace.step(f"the agreement's last day {inp.ends_on}", valid, citation=art("Art 48-1(3)"))
    return trace.done(TermCheck(valid, shortest, longest))


# --- offset (Art 49) ----------------------------------------------------------------------------

class OffsetCondition(BaseModel):
    kind: str = Field(min_length=1)
    amount: Decimal = Field(ge=0)


class OffsetInput(BaseModel):
    financial_year: int = Field(ge=2022, le=2035)
    annual_purchases: Decimal = Field(ge=0)
    contract_amount: Decimal = Field(ge=0)
    conditions: list[OffsetCondition] = []


@dataclass(frozen=True)
class OffsetCheck:
    required: bool
    threshold: Decimal
    minimum: Fraction
    counted: Decimal
    not_counted: tuple[str, ...]
    sufficient: bool


@rule("producers.contract-offset", title="Offset: above 500,000 MCI a year, conditions worth at "
      "least 5% of the contract", citation=art("Art 49(1)"), inputs=OffsetInput)
def offset(inp: OffsetInput, as_of: dt.date) -> Explained[OffsetCheck]:
    trace = Trace("producers.contract-offset", as_of)
    value = mci(dt.date(inp.financial_year, 1, 1))
    threshold = OFFSET_MCI * value.value
    basis = get_setting("producers.offset_purchase_amount_basis")
    trace.step(f"{OFFSET_MCI:,} MCI of the financial year {inp.financial_year}", threshold,
               citation=art("Art 49(1)"), parameters=[value.use(), basis.use()])
    required = inp.annual_purchases > threshold
    trace.step("offset applies when the year's purchases exceed it (strictly)", required,
               citation=art("Art 49(1)"), inputs={"annual_purchases": inp.annual_purchases})
    other = get_setting("producers.offset_other_conditions")
    kinds = set(OFFSET_KINDS) | set(other.value)
    counted = sum((c.amount for c in inp.conditions if c.kind in kinds), Decimal(0))
    skipped = tuple(c.kind for c in inp.conditions if c.kind not in kinds)
    trace.step("conditions of the kinds of Art 49(2) (and the rules' other kinds) counted",
               counted, citation=art("Art 49(2)"), inputs={"not counted": list(skipped)},
               parameters=[other.use()])
    minimum = OFFSET_MIN_SHARE * Fraction(inp.contract_amount)
    sufficient = Fraction(counted) >= minimum
    trace.step(f"at least 5% of the contract amount {fmt(inp.contract_amount)} = {fmt(minimum)}",
               sufficient, citation=art("Art 49(2)"))
    return trace.done(OffsetCheck(required, threshold, minimum, counted, skipped, sufficient))


# --- systemic enterprises (Art 47-1) and programmes (Art 61-1) ---------------------------------

class SystemicInput(BaseModel):
    enterprise_output: Decimal = Field(ge=0)
    territory_output: Decimal = Field(gt=0)


@rule("producers.contract-systemic", title="Systemic enterprise: more than 3% of the region's "
      "output", citation=art("Art 47-1(1)"), inputs=SystemicInput)
def systemic(inp: SystemicInput, as_of: dt.date) -> Explained[bool]:
    trace = Trace("producers.contract-systemic", as_of)
    if inp.enterprise_output > inp.territory_output:
        raise InputError("more than the territory's whole output", field="enterprise_output")
    require_wording(trace, "Art 47-1", as_of)
    share = Fraction(inp.enterprise_output) / Fraction(inp.territory_output)
    trace.step("share of the territory's output", share, citation=art("Art 47-1(1)"))
    return trace.done(trace.step("systemic when the share is more than 3%",
                                 share > SYSTEMIC_SHARE, citation=art("Art 47-1(1)")))


class ProgrammeInput(BaseModel):
    customer_type: Literal[CUSTOMER_TYPES]  # type: ignore[valid-type]
    period_years: int = Field(ge=1)
    areas: list[str] = []
    refusal_grounds: list[int] = []


@dataclass(frozen=True)
class ProgrammeReview:
    decision: str                  # may_be_agreed | refused | to_be_completed
    agreed_with: tuple[str, ...]
    problems: tuple[str, ...]
    refusal_grounds: tuple[str, ...]


@rule("producers.contract-dvdp-review", title="Domestic value development programme: three "
      "years, the three grounds of refusal", citation=art("Art 61-1(2)"), inputs=ProgrammeInput)
def dvdp_review(inp: ProgrammeInput, as_of: dt.date) -> Explained[ProgrammeReview]:
    trace = Trace("producers.contract-dvdp-review", as_of)
    unknown = [g for g in inp.refusal_grounds if g not in DVDP_REFUSAL_GROUNDS]
    if unknown:
        raise InputError(f"not a ground of refusal: {unknown}; only 1, 2, 3",
                         field="refusal_grounds", citation=art("Art 61-1(2)"))
    require_wording(trace, "Art 61-1", as_of)
    agreed_with = ("authorized body",) + (("natural-monopoly oversight body",)
                                           if inp.customer_type == "natural_monopoly" else ())
    trace.step("approved by the customer in agreement with", agreed_with,
               citation=art("Art 61-1(2)"), inputs={"customer_type": inp.customer_type})
    problems = []
    if inp.period_years != DVDP_YEARS:
        problems.append(f"period {inp.period_years} years; the Law sets three")
    missing = [a for a in DVDP_AREAS if a not in inp.areas]
    if missing:
        problems.append("areas missing: " + ", ".join(missing))
    trace.step("three years, covering the areas of Art 61-1(3)", problems,
               citation=art("Art 61-1(3)"), inputs={"period_years": inp.period_years,
                                                    "areas": inp.areas})
    grounds = tuple(DVDP_REFUSAL_GROUNDS[g] for g in sorted(set(inp.refusal_grounds)))
    decision = "refused" if grounds else "to_be_completed" if problems else "may_be_agreed"
    trace.step("refusal only on the grounds of Art 61-1(2)", decision,
               citation=art("Art 61-1(2)"), inputs={"grounds": list(grounds)})
    return trace.done(ProgrammeReview(decision, agreed_with, tuple(problems), grounds))
