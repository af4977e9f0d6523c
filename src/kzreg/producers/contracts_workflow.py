"""Case types of large customers (Law 86-VII Arts 47, 61-1), imported by
kzreg.producers.workflow.

`producers.procurement_plan`, one large customer's plan for a first year of procurement Y
(Art 47): expected (due by 10 December of Y-1, Art 47(1)) → under review (30 calendar days,
Art 47(4)) → agreed, or notified with comments (the goods Art 47(3) excludes) → resubmitted
within 5 working days → approved within 10 working days (start: setting
producers.procurement_plan_approval_start) → the agreed list published by 1 February of Y
(Art 47(5)) → manufacturers' applications for 30 calendar days (Art 47(6)) → examination and
contracts within 30 calendar days of that deadline (Art 47(7)) → closed. Every passed
deadline is a breach on the record; the fixed dates are `fixed_timers`.

`producers.dvdp`, a domestic value development programme (Art 61-1): submitted → agreed by
the authorized body (and the natural-monopoly oversight body, Art 61-1(2)) or refused on one
of the three grounds only → approved by the customer → implemented for three years with
reports and monitoring (Art 61-1(5)) → fulfilled (procedure of the rules: setting
producers.dvdp_fulfilment_rule) or not fulfilled, with or without the customer's fault
(Art 61-1(6)).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, Field

from kzreg.law.calendar import add_working_days
from kzreg.law.errors import LegalRuleError
from kzreg.law.explain import Trace
from kzreg.law.settings import get_setting
from kzreg.platform.actors import Role
from kzreg.platform.casetypes import (
    CaseType,
    DeadlineSpec,
    State,
    Transition,
    register_case_type,
)
from kzreg.producers import contracts as ct
from kzreg.producers.fixed_timers import FixedDeadline, fixed
from kzreg.producers.incentives import art
from kzreg.web.i18n import N_

PLAN = "producers.procurement_plan"
DVDP = "producers.dvdp"
OFFICERS = frozenset({Role.INDUSTRY_OFFICER, Role.ADMIN})
CUSTOMERS = frozenset({Role.MANUFACTURER, Role.CONTRACTOR})   # the large customer, own BIN


class PlanGoodsIn(BaseModel):
    code: str = Field(min_length=1, max_length=20)
    title: str = Field("", max_length=300)
    quantity: str = Field("", max_length=40)
    procured_on_domestic_market: bool = False
    foreign_under_warranty: bool = False


class PlanIn(BaseModel):
    goods: list[PlanGoodsIn] = Field(min_length=1)


class NoticeIn(BaseModel):
    comments: list[str] = Field(min_length=1)


class ConcludedIn(BaseModel):
    contracts: list[str] = Field(default_factory=list, description="numbers in the register")
    note: str = Field("", max_length=2000)


class NoteIn(BaseModel):
    note: str = Field("", max_length=2000)


def excluded_goods(goods: list[dict[str, Any]]) -> list[str]:
    """Goods Art 47(3) leaves out of a plan's list."""
    return [g["code"] for g in goods
            if g.get("procured_on_domestic_market") or g.get("foreign_under_warranty")]


def _lodged(key: str):
    def effect(case: Any, payload: PlanIn, as_of: dt.date) -> None:
        goods = [g.model_dump() for g in payload.goods]
        case.data["goods"] = goods
        case.data[key] = as_of.isoformat()
        case.data["to_exclude"] = excluded_goods(goods)
        if key == "received_on":
            due = plans_due(case)
            case.data["late_days"] = max(0, (as_of - due).days)
    return effect


def _compliant(case: Any, payload: Any, as_of: dt.date) -> bool:
    bad = excluded_goods(case.data.get("goods", []))
    if bad:
        raise LegalRuleError("the list includes goods procured on the domestic market or of "
                             f"foreign origin under warranty: {', '.join(bad)}; notify the "
                             "customer with comments", field="goods", citation=art("Art 47(3)"))
    return True


def _store(key: str):
    def effect(case: Any, payload: BaseModel, as_of: dt.date) -> None:
        case.data[key] = {**payload.model_dump(mode="json"), "on": as_of.isoformat()}
    return effect


def _published(case: Any, payload: NoteIn, as_of: dt.date) -> None:
    trace = Trace("producers.procurement-plan", as_of)
    case.data["published_on"] = as_of.isoformat()
    apps = ct.term(trace, as_of, f"{ct.APPLICATION_DAYS} calendar days",
                   "manufacturers' applications", "Art 47(6)")
    case.data["applications_due"] = apps.isoformat()
    case.data["contracts_due"] = ct.term(trace, apps, f"{ct.CONCLUSION_DAYS} calendar days",
                                         "contracts concluded", "Art 47(7)").isoformat()


def plans_due(case: Any) -> dt.date:
    year = int(case.data["first_procurement_year"])
    return ct.fixed_date(Trace(), dt.date(year - 1, 12, 10), "plans received", "Art 47(1)")


@fixed(PLAN, "expected")
def _lodge_by(case: Any) -> FixedDeadline:
    return FixedDeadline("lodge", plans_due(case), art("Art 47(1)"),
                         N_("The large customer lodges its plan"))


@fixed(PLAN, "resubmitted")
def _approve_by(case: Any) -> FixedDeadline:
    start = get_setting("producers.procurement_plan_approval_start")
    key = "received_on" if start.value == "plan_receipt" else "resubmitted_on"
    day = dt.date.fromisoformat(case.data[key])
    return FixedDeadline("approve", add_working_days(day, ct.APPROVAL_WORKING_DAYS),
                         art("Art 47(4)"), N_("The amended plan is approved"))


@fixed(PLAN, "agreed")
def _publish_by(case: Any) -> FixedDeadline:
    year = int(case.data["first_procurement_year"])
    due = ct.fixed_date(Trace(), dt.date(year, 2, 1), "agreed list published", "Art 47(5)")
    return FixedDeadline("publish", due, art("Art 47(5)"), N_("The agreed list is published"))


@fixed(PLAN, "examination")
def _conclude_by(case: Any) -> FixedDeadline | None:
    due = case.data.get("contracts_due")
    return FixedDeadline("conclude", dt.date.fromisoformat(due), art("Art 47(7)"),
                         N_("Applications examined and contracts concluded")) if due else None


register_case_type(CaseType(
    name=PLAN, title="Large customer's procurement plan (Art 47)",
    states=(
        State("expected", "Expected: due by 10 December"),
        State("under_review", "Under review (Art 47(3) exclusions)", deadlines=[
            DeadlineSpec("review", f"{ct.PLAN_REVIEW_DAYS} calendar days", art("Art 47(4)"),
                         title="The authorized body reviews the plan")]),
        State("notified", "Notified with comments: to amend", deadlines=[
            DeadlineSpec("resubmit", f"{ct.RESUBMIT_WORKING_DAYS} working days",
                         art("Art 47(4)"), title="The customer resubmits the amended plan")]),
        State("resubmitted", "Amended plan: approval"),
        State("agreed", "Agreed: list to be published by 1 February"),
        State("published", "List published: manufacturers apply", deadlines=[
            DeadlineSpec("applications", f"{ct.APPLICATION_DAYS} calendar days",
                         art("Art 47(6)"), on_expiry="applications_closed",
                         title="Manufacturers' applications")]),
        State("examination", "Applications examined: contracts to be concluded"),
        State("closed", "Contracts concluded", final=True),
    ),
    transitions=(
        Transition("lodge", "expected", "under_review", roles=CUSTOMERS | OFFICERS,
                   payload=PlanIn, effect=_lodged("received_on"), citation=art("Art 47(1)"),
                   title="Lodge the procurement plan"),
        Transition("agree", ("under_review", "resubmitted"), "agreed", roles=OFFICERS,
                   guard=_compliant, citation=art("Art 47(4)"),
                   title="Agree the plan: no goods to exclude"),
        Transition("notify", ("under_review", "resubmitted"), "notified", roles=OFFICERS,
                   payload=NoticeIn, effect=_store("notice"), citation=art("Art 47(4)"),
                   title="Notify the customer with comments"),
        Transition("resubmit", "notified", "resubmitted", roles=CUSTOMERS | OFFICERS,
                   payload=PlanIn, effect=_lodged("resubmitted_on"),
                   citation=art("Art 47(4)"), title="Resubmit the amended plan"),
        Transition("publish", "agreed", "published", roles=OFFICERS, payload=NoteIn,
                   effect=_published, citation=art("Art 47(5)"),
                   title="Publish the agreed list of goods"),
        Transition("applications_closed", "published", "examination",
                   roles=OFFICERS, citation=art("Art 47(6)"),
                   title="The window for manufacturers' applications closes"),
        Transition("conclude", "examination", "closed", roles=CUSTOMERS | OFFICERS,
                   payload=ConcludedIn, effect=_store("conclusion"),
                   citation=art("Art 47(7)"), title="Contracts concluded"),
    ),
    viewers=frozenset({Role.INDUSTRY_OFFICER, Role.MANUFACTURER, Role.CONTRACTOR}),
    openers=OFFICERS | CUSTOMERS,
))


# --- domestic value development programmes (Art 61-1) -----------------------------------------

class AgreeIn(BaseModel):
    oversight_body_agreed: bool = Field(False, description="natural monopolies: the oversight "
                                        "body of the sphere agreed too (Art 61-1(2))")


class RefuseGroundsIn(BaseModel):
    grounds: list[Literal[1, 2, 3]] = Field(min_length=1)
    justification: str = Field(min_length=3, max_length=4000)


class ReportIn(BaseModel):
    year: int = Field(ge=2025, le=2040)
    indicators: dict[str, str] = Field(default_factory=dict)
    notes: str = Field("", max_length=2000)


class MonitorIn(BaseModel):
    findings: str = Field(min_length=3, max_length=4000)


class NotFulfilledIn(BaseModel):
    customer_at_fault: bool
    justification: str = Field(min_length=3, max_length=4000)


def review(case: Any, as_of: dt.date):
    d = case.data
    return ct.dvdp_review(ct.ProgrammeInput(customer_type=d["customer_type"],
                                            period_years=d["period_years"], areas=d["areas"]),
                          as_of)


def _may_agree(case: Any, payload: AgreeIn, as_of: dt.date) -> bool:
    result = review(case, as_of).value
    if result.problems:
        raise LegalRuleError("the programme is not complete: " + "; ".join(result.problems),
                             field="areas", citation=art("Art 61-1(3)"))
    if len(result.agreed_with) > 1 and not payload.oversight_body_agreed:
        raise LegalRuleError("a natural monopoly's programme is agreed with the oversight body "
                             "of its sphere too", field="oversight_body_agreed",
                             citation=art("Art 61-1(2)"))
    return True


def _refused(case: Any, payload: RefuseGroundsIn, as_of: dt.date) -> None:
    case.data["refusal"] = {"grounds": [ct.DVDP_REFUSAL_GROUNDS[g] for g in
                                        sorted(set(payload.grounds))],
                            "justification": payload.justification, "on": as_of.isoformat()}


def _report(key: str):
    def effect(case: Any, payload: BaseModel, as_of: dt.date) -> None:
        rows = list(case.data.get(key, []))
        rows.append({**payload.model_dump(mode="json"), "on": as_of.isoformat()})
        case.data[key] = rows
    return effect


def _fulfilment_rule_loaded(case: Any, payload: Any, as_of: dt.date) -> bool:
    rule = get_setting("producers.dvdp_fulfilment_rule")
    if rule.value == "unset":
        raise LegalRuleError("fulfilment is recognised under the Government's rules (Art 8 "
                             "sub 3-1), not loaded: set producers.dvdp_fulfilment_rule",
                             field="producers.dvdp_fulfilment_rule",
                             citation=art("Art 61-1(6)"))
    return True


@fixed(DVDP, "implementing")
def _period_end(case: Any) -> FixedDeadline:
    last_year = int(case.data["start_year"]) + ct.DVDP_YEARS - 1
    return FixedDeadline("period_end", dt.date(last_year, 12, 31), art("Art 61-1(2)"),
                         N_("Three-year period ends: fulfilment to be recognised"))


register_case_type(CaseType(
    name=DVDP, title="Domestic value development programme (Art 61-1)",
    states=(
        State("submitted", "Submitted for agreement"),
        State("agreed", "Agreed: to be approved by the customer"),
        State("implementing", "Approved: being implemented"),
        State("refused", "Refused (Art 61-1(2) grounds)", final=True),
        State("withdrawn", "Withdrawn", final=True),
        State("fulfilled", "Fulfilled", final=True),
        State("not_fulfilled", "Not fulfilled", final=True),
    ),
    transitions=(
        Transition("agree", "submitted", "agreed", roles=OFFICERS, payload=AgreeIn,
                   guard=_may_agree, effect=_store("agreement"), citation=art("Art 61-1(2)"),
                   title="Agree the programme"),
        Transition("refuse", "submitted", "refused", roles=OFFICERS, payload=RefuseGroundsIn,
                   effect=_refused, citation=art("Art 61-1(2)"),
                   title="Refuse on a ground of Art 61-1(2)"),
        Transition("withdraw", ("submitted", "agreed"), "withdrawn", roles=CUSTOMERS,
                   payload=NoteIn, title="Withdraw the programme"),
        Transition("approve", "agreed", "implementing", roles=CUSTOMERS | OFFICERS,
                   payload=NoteIn, effect=_store("approval"), citation=art("Art 61-1(2)"),
                   title="The customer approves the agreed programme"),
        Transition("report", "implementing", "implementing", roles=CUSTOMERS,
                   payload=ReportIn, effect=_report("reports"), citation=art("Art 61-1(5)"),
                   title="Report on implementation"),
        Transition("monitor", "implementing", "implementing", roles=OFFICERS,
                   payload=MonitorIn, effect=_report("monitoring"),
                   citation=art("Art 61-1(5)"), title="Record the monitoring"),
        Transition("recognise_fulfilled", "implementing", "fulfilled", roles=OFFICERS,
                   payload=NoteIn, guard=_fulfilment_rule_loaded,
                   citation=art("Art 61-1(6)"), title="Recognise the programme fulfilled"),
        Transition("not_fulfilled", "implementing", "not_fulfilled", roles=OFFICERS,
                   payload=NotFulfilledIn, effect=_store("outcome"),
                   citation=art("Art 61-1(6)"),
                   title="Not fulfilled (liability unless no fault of the customer)"),
    ),
    viewers=frozenset({Role.INDUSTRY_OFFICER, Role.MANUFACTURER, Role.CONTRACTOR}),
    openers=OFFICERS | CUSTOMERS,
))
