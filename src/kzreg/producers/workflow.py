"""The register's case types (Law 86-VII Arts 51-1, 51-2, 51-5).

`producers.register_application`: the four stages of Art 51-1(1): filed (application) →
digital verification → production assessment (or on-site inspection with its report,
Art 51-1(5); skipped for goods wholly produced in Kazakhstan, Art 51-1(9)) → inclusion or a
reasoned refusal (Art 51-1(3) para 4, Art 51-1(6)). The Law sets no stage deadlines
(setting producers.register_stage_deadlines), so these states start no timers.

`producers.register_exclusion`: an exclusion on monitoring results; the appeals commission
hears it if filed within 30 working days of the exclusion (Art 51-5(3)); the timer closes
the window; upheld → included again without the Art 51-1 stages (Art 51-5(8)).

`producers.software_exclusion`: a software producer excluded on the informatisation
authority's notice may appeal to that authority within 30 calendar days (Art 51-2(5)); the
authorized body records the appeal and acts on the authority's next notice (Art 51-2(4)).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, Field

from kzreg.law.errors import LegalRuleError
from kzreg.platform.actors import Role
from kzreg.platform.casetypes import (
    CaseType,
    DeadlineSpec,
    State,
    Transition,
    register_case_type,
)
from kzreg.producers.register_law import Route, law

APPLICATION = "producers.register_application"
EXCLUSION = "producers.register_exclusion"
SOFTWARE_EXCLUSION = "producers.software_exclusion"
OFFICERS = frozenset({Role.INDUSTRY_OFFICER, Role.ADMIN})
MAKERS = frozenset({Role.MANUFACTURER})


class FailedCriterion(BaseModel):
    code: str = Field(min_length=1, max_length=60)
    reason: str = Field(min_length=3, max_length=1000)


class VerificationIn(BaseModel):
    failed: list[FailedCriterion] = Field(default_factory=list)
    justification: str = Field("", max_length=4000)
    trace: dict[str, Any] | None = None  # the computed explanation, when criteria are loaded


class RefusalIn(BaseModel):
    """A reasoned response (Art 51-1(3) para 4, Art 51-1(6) para 2)."""
    reasons: list[str] = Field(min_length=1)
    justification: str = Field(min_length=3, max_length=4000)
    trace: dict[str, Any] | None = None


class AssessmentIn(BaseModel):
    notes: str = Field("", max_length=4000)
    assessors: list[str] = Field(default_factory=list, description="AB, industry agency, "
                                 "association (Art 51-1(4))")
    trace: dict[str, Any] | None = None


class ReportIn(BaseModel):
    """The production assessment report after an on-site inspection (Art 51-1(5))."""
    held_on: dt.date
    participants: list[str] = Field(min_length=1)
    findings: str = Field(min_length=3, max_length=4000)


class ReportRefusalIn(ReportIn):
    reasons: list[str] = Field(min_length=1)


class AppealIn(BaseModel):
    grounds: str = Field(min_length=3, max_length=4000)


class UpheldIn(BaseModel):
    upheld_goods: list[str] = Field(default_factory=list)
    decision_text: str = Field(min_length=3, max_length=4000)


class RejectedIn(BaseModel):
    justification: str = Field(min_length=3, max_length=4000)


class NoteIn(BaseModel):
    note: str = Field("", max_length=2000)


def _route_is(route: Route):
    def guard(case: Any, payload: Any, as_of: dt.date) -> bool:
        if case.data.get("route") != route.value:
            raise LegalRuleError(f"only for the route {route.value}", field="route",
                                 citation=law("Art 51-1(9)"))
        return True
    return guard


def _negative_needs_reasons(case: Any, payload: VerificationIn, as_of: dt.date) -> bool:
    if not payload.failed or len(payload.justification.strip()) < 3:
        raise LegalRuleError("a negative result names the failed criteria and justifies it",
                             field="failed", citation=law("Art 51-1(3)"))
    return True


def _store(key: str):
    def effect(case: Any, payload: BaseModel, as_of: dt.date) -> None:
        case.data[key] = {**payload.model_dump(mode="json"), "on": as_of.isoformat()}
    return effect


OPEN = ("filed", "assessment", "onsite_inspection", "assessed")

register_case_type(CaseType(
    name=APPLICATION, title="Inclusion in the register of Kazakhstani commodity producers",
    states=(
        State("filed", "Filed: digital verification"),
        State("assessment", "Production assessment"),
        State("onsite_inspection", "On-site inspection"),
        State("assessed", "Assessed positively: decision on inclusion"),
        State("included", "Included in the register", final=True),
        State("refused", "Not included (reasoned response sent)", final=True),
        State("withdrawn", "Withdrawn by the applicant", final=True),
    ),
    transitions=(
        Transition("verification_positive", "filed", "assessment", roles=OFFICERS,
                   guard=_route_is(Route.PROCESSED), payload=VerificationIn,
                   effect=_store("verification"), citation=law("Art 51-1(3)"),
                   title="Digital verification positive: assess production"),
        Transition("verification_positive_wholly", "filed", "assessed", roles=OFFICERS,
                   guard=_route_is(Route.WHOLLY_PRODUCED), payload=VerificationIn,
                   effect=_store("verification"), citation=law("Art 51-1(9)"),
                   title="Digital verification positive: wholly produced, no assessment"),
        Transition("verification_negative", "filed", "refused", roles=OFFICERS,
                   guard=_negative_needs_reasons, payload=VerificationIn,
                   effect=_store("verification"), citation=law("Art 51-1(3)"),
                   title="Digital verification negative (reasoned)"),
        Transition("assessment_positive", "assessment", "assessed", roles=OFFICERS,
                   payload=AssessmentIn, effect=_store("assessment"),
                   citation=law("Art 51-1(4)"), title="Production meets the minimum threshold"),
        Transition("assessment_negative", "assessment", "refused", roles=OFFICERS,
                   payload=RefusalIn, effect=_store("refusal"), citation=law("Art 51-1(6)"),
                   title="Production assessment negative (reasoned response)"),
        Transition("order_onsite", "assessment", "onsite_inspection", roles=OFFICERS,
                   payload=NoteIn, effect=_store("onsite_order"), citation=law("Art 51-1(5)"),
                   title="The information does not allow an assessment: inspect on site"),
        Transition("report_positive", "onsite_inspection", "assessed", roles=OFFICERS,
                   payload=ReportIn, effect=_store("report"), citation=law("Art 51-1(5)"),
                   title="Production assessment report: positive"),
        Transition("report_negative", "onsite_inspection", "refused", roles=OFFICERS,
                   payload=ReportRefusalIn, effect=_store("report"),
                   citation=law("Art 51-1(5)"), title="Production assessment report: negative"),
        Transition("include", "assessed", "included", roles=OFFICERS,
                   citation=law("Art 51-1(6)"), title="Include in the register"),
        Transition("withdraw", OPEN, "withdrawn", roles=MAKERS, payload=NoteIn,
                   title="Withdraw the application"),
    ),
    viewers=frozenset({Role.INDUSTRY_OFFICER, Role.MANUFACTURER}),
    openers=frozenset({Role.MANUFACTURER, Role.INDUSTRY_OFFICER, Role.ADMIN}),
))

register_case_type(CaseType(
    name=EXCLUSION, title="Exclusion on monitoring results and appeal to the commission",
    states=(
        State("appeal_window", "Excluded: appeal window open", deadlines=[
            DeadlineSpec("appeal", "30 working days", law("Art 51-5(3)"),
                         on_expiry="window_closed",
                         title="Objection to the appeals commission"),
        ]),
        State("under_review", "Appeal before the appeals commission"),
        State("closed", "Exclusion final (no appeal in time)", final=True),
        State("reincluded", "Appeal upheld: included again", final=True),
        State("rejected", "Appeal refused (court appeal open)", final=True),
    ),
    transitions=(
        Transition("file_appeal", "appeal_window", "under_review", roles=MAKERS,
                   payload=AppealIn, effect=_store("appeal"), citation=law("Art 51-5(3)"),
                   title="File an objection with the appeals commission"),
        Transition("window_closed", "appeal_window", "closed", roles=frozenset({Role.SYSTEM}),
                   citation=law("Art 51-5(3)"), title="Thirty working days passed"),
        Transition("uphold_fully", "under_review", "reincluded", roles=OFFICERS,
                   payload=UpheldIn, effect=_store("decision"), citation=law("Art 51-5(8)"),
                   title="Commission upholds the objection fully"),
        Transition("uphold_partially", "under_review", "reincluded", roles=OFFICERS,
                   payload=UpheldIn, effect=_store("decision"), citation=law("Art 51-5(5)"),
                   title="Commission upholds the objection partially"),
        Transition("reject", "under_review", "rejected", roles=OFFICERS, payload=RejectedIn,
                   effect=_store("decision"), citation=law("Art 51-5(5)"),
                   title="Commission refuses the objection, with justification"),
    ),
    viewers=frozenset({Role.INDUSTRY_OFFICER, Role.MANUFACTURER}), openers=OFFICERS,
))

register_case_type(CaseType(
    name=SOFTWARE_EXCLUSION, title="Software producer excluded on the informatisation "
    "authority's notice",
    states=(
        State("appeal_window", "Excluded: appeal to the informatisation authority open",
              deadlines=[DeadlineSpec("appeal", "30 calendar days", law("Art 51-2(5)"),
                                      on_expiry="window_closed",
                                      title="Appeal to the informatisation authority")]),
        State("appealed", "Appealed to the informatisation authority"),
        State("closed", "Exclusion final", final=True),
        State("reincluded", "Included again on the authority's notice", final=True),
    ),
    transitions=(
        Transition("record_appeal", "appeal_window", "appealed", roles=OFFICERS | MAKERS,
                   payload=AppealIn, effect=_store("appeal"), citation=law("Art 51-2(5)"),
                   title="Record the appeal lodged with the informatisation authority"),
        Transition("window_closed", "appeal_window", "closed", roles=frozenset({Role.SYSTEM}),
                   citation=law("Art 51-2(5)"), title="Thirty calendar days passed"),
        Transition("appeal_failed", "appealed", "closed", roles=OFFICERS, payload=NoteIn,
                   citation=law("Art 51-2(5)"), title="The authority kept its notice"),
        Transition("reinclude_on_notice", "appealed", "reincluded", roles=OFFICERS,
                   payload=NoteIn, citation=law("Art 51-2(4)"),
                   title="Include again on the authority's notice"),
    ),
    viewers=frozenset({Role.INDUSTRY_OFFICER, Role.MANUFACTURER}), openers=OFFICERS,
))


# --- incentives (Arts 25-28) and large customers (Arts 47, 61-1) register their own ---------
import kzreg.producers.contracts_workflow  # noqa: E402,F401  (producers.procurement_plan, dvdp)
import kzreg.producers.incentives_workflow  # noqa: E402,F401  (producers.incentive_application)
import kzreg.producers.raw_list_workflow  # noqa: E402,F401  (producers.raw_list_application)
