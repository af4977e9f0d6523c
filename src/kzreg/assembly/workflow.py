"""The industrial assembly agreement as a case: request, review, conclusion, performance, end.

One case (`assembly.agreement`) follows an agreement from the manufacturer's request to its
end, each transition citing its clause:

* request and review (Order 493 R §10-13): 10 working days; a commission visit pauses the
  clock (notice ≥ 3 working days before it, minutes within 3 working days after it);
* refusal on the R §18 grounds, with reasons; or the draft agreement and schedule
  (R §14, Appendix 5), which the manufacturer signs or refuses within 10 working days
  (R §15) or is deemed to have refused when they pass (R §16);
* signing and registration by the authorized body within 5 working days (R §17), the
  Letter of Confirmation (R §26) and its updates within 10 working days (R §27-29);
* monitoring: at most two on-site inspections a year (Std §6(2)), the minutes' opinion
  within three working days (Std §4(3));
* violation notices with the remedy period of the act in force on the notice date: one
  month (Std §7) or three months (Law 86-VII Art 62(4));
* termination on 30 working days' notice (R §21, Std §9-10), reimbursement of benefits
  (R §22, Law Art 62(6)), force majeure notices (Std §13), expiry after 20 years (Std §19).

The dates and documents live in `case.data`; `service.py` fires these transitions and
keeps the registers (letters, benefits) and the paused review clock.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from kzreg.law.calendar import add_working_days, working_days_between
from kzreg.law.citations import cite
from kzreg.law.errors import LegalRuleError
from kzreg.law.explain import Explained, Trace
from kzreg.law.settings import get_setting
from kzreg.platform.actors import Role
from kzreg.platform.casetypes import (
    CaseType,
    DeadlineSpec,
    State,
    Transition,
    register_case_type,
)

CASE_TYPE = "assembly.agreement"
OFFICER = frozenset({Role.INDUSTRY_OFFICER})
MAKER = frozenset({Role.MANUFACTURER})
BOTH = OFFICER | MAKER


def order(locator: str):
    return cite("order-493", locator)


def law(locator: str):
    return cite("law-86-VII", locator)


# --- payloads (what each actor sends) -----------------------------------------------------

class _Payload(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Reasons(_Payload):
    reasons: str = Field(min_length=3, max_length=4000)


class VisitNotice(_Payload):
    visit_on: dt.date
    note: str = Field("", max_length=2000)


class VisitHeld(_Payload):
    held_on: dt.date


class Minutes(_Payload):
    findings: str = Field(min_length=3, max_length=8000)
    inaccuracies_found: bool = False


REFUSAL_GROUNDS = {  # ground -> clause
    "incomplete_package": "R §18(1)",
    "inaccurate_documents": "R §18(2)",
    "initial_requirements_not_met": "R §4",  # with R §18: assembly.refuse_when_initial_…
}


class Refusal(_Payload):
    grounds: list[Literal["incomplete_package", "inaccurate_documents",
                          "initial_requirements_not_met"]] = Field(min_length=1)
    reasons: str = Field(min_length=3, max_length=8000)


class ScheduleRow(_Payload):
    feacn_code: str = Field(pattern=r"^\d{4,10}$")
    vehicle_name: str = Field(min_length=2, max_length=300)
    operations: str = Field(min_length=2, max_length=4000)
    deadline: str = Field(min_length=2, max_length=200)


class Draft(_Payload):
    schedule: list[ScheduleRow] = Field(min_length=1)
    received_on: dt.date | None = None  # a later receipt recorded by the officer


class Registration(_Payload):
    registration_number: str = Field(min_length=1, max_length=60)


class Inspection(_Payload):
    held_on: dt.date
    findings: str = Field("", max_length=8000)


class Opinion(_Payload):
    opinion: str = Field(min_length=3, max_length=8000)


class ViolationNotice(_Payload):
    violations: list[str] = Field(min_length=1)
    received_on: dt.date | None = None

    @field_validator("violations")
    @classmethod
    def _named(cls, value: list[str]) -> list[str]:
        if any(len(v.strip()) < 3 for v in value):
            raise ValueError("name each violation (Std §7: 'indicating the identified violations')")
        return [v.strip() for v in value]


class Elimination(_Payload):
    eliminated_on: dt.date
    documents: list[str] = Field(min_length=1)
    note: str = Field("", max_length=4000)


class TerminationNotice(_Payload):
    ground: Literal["unremedied_violations", "non_fulfilment"]
    reasons: str = Field(min_length=3, max_length=8000)


class ForceMajeure(_Payload):
    occurred_on: dt.date
    description: str = Field(min_length=3, max_length=4000)


class BenefitPayload(_Payload):
    granted_on: dt.date
    kind: str = Field(min_length=2, max_length=200)
    amount: Decimal = Field(gt=0, max_digits=18, decimal_places=2)


class LetterUpdate(_Payload):
    claims: list[dict[str, Any]] = Field(min_length=1)
    documents: list[str] = Field(min_length=1)


class Reimbursement(_Payload):
    amount: Decimal = Field(ge=0, max_digits=18, decimal_places=2)
    paid_on: dt.date


class Note(_Payload):
    note: str = Field("", max_length=4000)


# --- guards: the clause's condition, explained ---------------------------------------------

def visit_notice_in_time(case: Any, payload: VisitNotice, as_of: dt.date) -> Explained[bool]:
    """R §13 ¶2: the manufacturer is notified at least three working days before the visit."""
    trace = Trace("assembly.visit_notice")
    use = get_setting("assembly.visit_notice_counting")
    earliest = add_working_days(as_of, 3)
    if use.value == "three_full_working_days_between":
        earliest = add_working_days(earliest, 1)
    trace.step(f"notice on {as_of}; the visit may take place on {earliest} at the earliest",
               earliest, citation=order("R §13 ¶2"), parameters=[use.use()])
    ok = payload.visit_on >= earliest
    trace.step(f"visit on {payload.visit_on}: "
               + ("notice in time" if ok else f"too early; the earliest day is {earliest}"),
               ok, citation=order("R §13 ¶2"))
    return trace.done(ok)


def refusal_grounds_hold(case: Any, payload: Refusal, as_of: dt.date) -> Explained[bool]:
    """R §18: refusal only on its grounds; an incomplete package must really be incomplete."""
    trace = Trace("assembly.refusal_grounds")
    missing = missing_documents(case.data)
    for ground in payload.grounds:
        clause = order(REFUSAL_GROUNDS[ground])
        if ground == "incomplete_package" and not missing:
            trace.step("the package is complete: R §18(1) cannot be the ground", False,
                       citation=clause)
            return trace.done(False)
        if ground == "initial_requirements_not_met":
            use = get_setting("assembly.refuse_when_initial_requirements_not_met")
            if not use.value:
                trace.step("refusing for unmet initial requirements is switched off", False,
                           citation=order("R §18"), parameters=[use.use()])
                return trace.done(False)
        trace.step(f"ground: {ground}", True, citation=clause)
    return trace.done(True)


def may_conclude(case: Any, payload: Draft, as_of: dt.date) -> Explained[bool]:
    """R §14 (and R §18(1)): the draft is sent only for a complete package."""
    trace = Trace("assembly.may_conclude")
    missing = missing_documents(case.data)
    if missing:
        trace.step("documents missing: " + ", ".join(missing), False, citation=order("R §18(1)"))
        return trace.done(False)
    trace.step("the package of documents is complete", True, citation=order("R §14"))
    return trace.done(True)


def inspection_allowed(case: Any, payload: Inspection, as_of: dt.date) -> Explained[bool]:
    """Std §6(2) (Ch. 2): no more than two on-site inspections a year."""
    trace = Trace("assembly.inspection_limit")
    if payload.held_on > as_of:
        raise LegalRuleError("an inspection is recorded when it has been held",
                             field="payload.held_on", citation=order("Std §6(2) (Ch. 2)"))
    use = get_setting("assembly.onsite_inspection_year")
    visits = get_setting("assembly.commission_visit_counts_as_inspection")
    held = [dt.date.fromisoformat(i["held_on"]) for i in case.data.get("inspections", [])]
    if visits.value:  # the commission's visits before conclusion (R §13 ¶2) count too
        held += [dt.date.fromisoformat(v["held_on"]) for v in case.data.get("visits", [])
                 if v.get("held_on")]
    if use.value == "rolling_12_months":
        since = payload.held_on - dt.timedelta(days=365)
        count = sum(1 for d in held if since < d <= payload.held_on)
        period = f"the 12 months up to {payload.held_on}"
    else:
        count = sum(1 for d in held if d.year == payload.held_on.year)
        period = f"the year {payload.held_on.year}"
    ok = count < 2
    trace.step(f"{count} on-site inspection(s) already held in {period}; at most two a year"
               + ("" if ok else ": the limit is reached"), ok,
               citation=order("Std §6(2) (Ch. 2)"), parameters=[use.use(), visits.use()])
    return trace.done(ok)


def termination_ground_fits(case: Any, payload: TerminationNotice,
                            as_of: dt.date) -> Explained[bool]:
    """Std §9: (1) non-fulfilment, from an active agreement; (2) violations not remedied in
    the notified period, once that period has ended."""
    trace = Trace("assembly.termination_ground")
    if payload.ground == "unremedied_violations":
        ok = case.state == "unremedied"
        trace.step("violations not remedied within the notified period"
                   + ("" if ok else ": no remedy period has ended unremedied"), ok,
                   citation=order("Std §9(2)"),
                   parameters=[get_setting("assembly.termination_after_unremedied").use()])
    else:
        ok = case.state == "active"
        trace.step("non-fulfilment or improper fulfilment of obligations", ok,
                   citation=order("Std §9(1)"))
    return trace.done(ok)


def withdrawal_allowed(case: Any, payload: Reasons, as_of: dt.date) -> Explained[bool]:
    use = get_setting("assembly.manufacturer_unilateral_termination")
    trace = Trace("assembly.withdrawal")
    trace.step("the manufacturer may terminate on its own initiative with prior notice",
               use.value, citation=order("R §20(3)"), parameters=[use.use()])
    return trace.done(bool(use.value))


def force_majeure_notice(case: Any, payload: ForceMajeure, as_of: dt.date) -> Explained[bool]:
    """Std §13: notice within 15 working days of the occurrence (late: setting)."""
    trace = Trace("assembly.force_majeure")
    if payload.occurred_on > as_of:
        raise LegalRuleError("force majeure is notified after it occurred",
                             field="payload.occurred_on", citation=order("Std §13"))
    due = add_working_days(payload.occurred_on, 15)
    late = as_of > due
    use = get_setting("assembly.force_majeure_late_notice")
    trace.step(f"occurred {payload.occurred_on}; notice due by {due}; given {as_of}"
               + (" — late" if late else ""), not late, citation=order("Std §13"),
               parameters=[use.use()])
    return trace.done(not late or use.value == "record_flagged_late")


def force_majeure_recorded(case: Any, payload: Note, as_of: dt.date) -> Explained[bool]:
    trace = Trace("assembly.force_majeure_termination")
    ok = bool(case.data.get("force_majeure"))
    trace.step("a force majeure notice is on record" if ok else
               "no force majeure notice is on record (Std §13)", ok, citation=order("Std §8(3)"))
    return trace.done(ok)


def violation_regime(regime: str):
    """Guard for the two notice transitions: the remedy period of the act in force."""
    def guard(case: Any, payload: ViolationNotice, as_of: dt.date) -> Explained[bool]:
        from kzreg.assembly.service import remedy_regime

        found = remedy_regime(payload.received_on or as_of)
        if found.value != regime:
            raise LegalRuleError(f"on {payload.received_on or as_of} the remedy period is "
                                 f"that of {found.value}", field="transition",
                                 citation=found.citations[-1] if found.citations else None)
        return found.__class__(True, found.steps, found.rule)
    return guard


# --- effects: what each step records in case.data -----------------------------------------

def _append(case: Any, key: str, item: dict[str, Any]) -> None:
    from kzreg.law.explain import jsonable

    case.data[key] = [*case.data.get(key, []), jsonable(item)]


def _record(key: str):
    def effect(case: Any, payload: BaseModel, as_of: dt.date) -> None:
        _append(case, key, {**payload.model_dump(), "on": as_of})
    return effect


def _set(key: str):
    def effect(case: Any, payload: BaseModel, as_of: dt.date) -> None:
        from kzreg.law.explain import jsonable

        case.data[key] = jsonable({**payload.model_dump(), "on": as_of})
    return effect


def _force_majeure(case: Any, payload: ForceMajeure, as_of: dt.date) -> None:
    due = add_working_days(payload.occurred_on, 15)
    _append(case, "force_majeure", {**payload.model_dump(), "notified_on": as_of,
                                    "due_by": due, "late": as_of > due})


def _inspection(case: Any, payload: Inspection, as_of: dt.date) -> None:
    _append(case, "inspections", {**payload.model_dump(), "recorded_on": as_of})


def _elimination(case: Any, payload: Elimination, as_of: dt.date) -> None:
    if payload.eliminated_on > as_of:
        raise LegalRuleError("the elimination date cannot be in the future",
                             field="payload.eliminated_on", citation=order("Std §3(5)"))
    _append(case, "eliminations", {**payload.model_dump(), "reported_on": as_of})


def missing_documents(data: dict[str, Any]) -> list[str]:
    """Checklist items of the request's route not yet marked as provided (R §18(1))."""
    from kzreg.assembly.service import checklist_for

    provided = set(data.get("documents", []))
    return [d["id"] for d in checklist_for(data.get("route", ""))["documents"]
            if d["id"] not in provided]


def working_days_used(received: dt.date, paused: dt.date) -> int:
    """Working days of the review clock consumed from the day after receipt up to the day
    before the pause (setting assembly.site_visit_pause)."""
    return max(0, working_days_between(received, paused - dt.timedelta(days=1)))


# --- the case type -------------------------------------------------------------------------

_AFTER_CONCLUSION = ("active", "letter_update", "inspection_minutes", "remedy_month",
                     "remedy_three_months", "unremedied", "termination_noticed",
                     "withdrawal_noticed")

AGREEMENT = register_case_type(CaseType(
    name=CASE_TYPE,
    title="Industrial assembly agreement",
    viewers=BOTH,
    openers=MAKER | OFFICER,
    states=(
        State("review", "Request under review", deadlines=(
            DeadlineSpec("review", "10 working days", order("R §13"),
                         title="The authorized body decides and notifies the manufacturer"),)),
        State("site_visit", "Commission visit scheduled (review clock paused)"),
        State("visit_minutes", "Commission visit held", deadlines=(
            DeadlineSpec("minutes", "3 working days", order("R §13 ¶2"),
                         title="The commission sends its minutes' decision"),)),
        State("refused", "Refused", final=True),
        State("draft_sent", "Draft agreement and schedule sent", deadlines=(
            DeadlineSpec("sign", "10 working days", order("R §15-16"), on_expiry="deemed_refused",
                         title="The manufacturer returns the signed copies or refuses"),)),
        State("declined", "Refused by the manufacturer", final=True),
        State("deemed_refused", "Deemed refused (not signed in time)", final=True),
        State("signed", "Signed by the manufacturer", deadlines=(
            DeadlineSpec("register", "5 working days", order("R §17"),
                         title="The authorized body signs, registers and sends a copy"),)),
        State("active", "Agreement in force"),
        State("letter_update", "Letter of Confirmation update requested", deadlines=(
            DeadlineSpec("decide_update", "10 working days", order("R §29"),
                         title="Updated letter or written refusal"),)),
        State("inspection_minutes", "On-site inspection held", deadlines=(
            DeadlineSpec("opinion", "3 working days", order("Std §4(3)"),
                         title="The minutes' opinion on performance"),)),
        State("remedy_month", "Violations notified: one month to remedy", deadlines=(
            DeadlineSpec("remedy", "1 month", order("Std §7"), on_expiry="remedy_period_ended",
                         title="The manufacturer remedies the violations"),)),
        State("remedy_three_months", "Violations notified: three months to remedy", deadlines=(
            DeadlineSpec("remedy", "3 months", law("Art 62(4)"),
                         on_expiry="remedy_period_ended",
                         title="The manufacturer eliminates the violations"),)),
        State("unremedied", "Violations not remedied in time"),
        State("termination_noticed", "Termination notified by the authorized body", deadlines=(
            DeadlineSpec("termination", "30 working days", order("R §21"),
                         on_expiry="terminate_for_failure",
                         title="The agreement ends 30 working days after the notice"),)),
        State("withdrawal_noticed", "Termination notified by the manufacturer", deadlines=(
            DeadlineSpec("termination", "30 working days", order("R §21"),
                         on_expiry="terminate_on_withdrawal",
                         title="The agreement ends 30 working days after the notice"),)),
        State("reimbursement_due", "Terminated: benefits to be reimbursed"),
        State("terminated", "Terminated", final=True),
        State("expired", "Expired (20 years)", final=True),
    ),
    transitions=(
        # review (R §13) and the commission's visit
        Transition("schedule_visit", "review", "site_visit", OFFICER, visit_notice_in_time,
                   order("R §13 ¶2"), "Notify a commission visit", VisitNotice,
                   _record("visits")),
        Transition("visit_held", "site_visit", "visit_minutes", OFFICER, None,
                   order("R §13 ¶2"), "Record the visit as held", VisitHeld),
        Transition("cancel_visit", "site_visit", "review", OFFICER, None, order("R §13"),
                   "Cancel the visit", Reasons),
        Transition("send_minutes", "visit_minutes", "review", OFFICER, None,
                   order("R §13 ¶2"), "Send the commission's minutes", Minutes,
                   _record("minutes")),
        Transition("refuse", "review", "refused", OFFICER, refusal_grounds_hold,
                   order("R §18"), "Refuse to conclude", Refusal, _set("refusal")),
        Transition("send_draft", "review", "draft_sent", OFFICER, may_conclude,
                   order("R §14"), "Send the draft agreement and schedule", Draft),
        # the manufacturer's answer (R §15-16)
        Transition("sign", "draft_sent", "signed", MAKER, None, order("R §15"),
                   "Return the signed copies"),
        Transition("decline", "draft_sent", "declined", MAKER, None, order("R §15"),
                   "Refuse with reasons", Reasons, _set("declined")),
        Transition("deemed_refused", "draft_sent", "deemed_refused", frozenset({Role.SYSTEM}),
                   None, order("R §16"), "Deemed to have refused"),
        Transition("register", "signed", "active", OFFICER, None, order("R §17"),
                   "Sign and register the agreement", Registration),
        # Letter of Confirmation updates (R §27-29)
        Transition("request_letter_update", "active", "letter_update", MAKER, None,
                   order("R §28"), "Apply for an updated Letter of Confirmation", LetterUpdate,
                   _set("letter_request")),
        Transition("issue_letter", "letter_update", "active", OFFICER, None, order("R §29"),
                   "Issue the updated letter", Note),
        Transition("refuse_letter_update", "letter_update", "active", OFFICER, None,
                   order("R §29"), "Refuse the update (inaccurate documents)", Reasons,
                   _record("letter_refusals")),
        # monitoring (Std §4(2)-(3), §6(2))
        Transition("inspect", "active", "inspection_minutes", OFFICER, inspection_allowed,
                   order("Std §6(2) (Ch. 2)"), "Record an on-site inspection", Inspection,
                   _inspection),
        Transition("send_opinion", "inspection_minutes", "active", OFFICER, None,
                   order("Std §4(3)"), "Send the minutes' opinion", Opinion,
                   _record("opinions")),
        Transition("record_benefit", "active", "active", OFFICER, None, order("R §22"),
                   "Record a benefit provided", BenefitPayload),
        Transition("notify_force_majeure", "active", "active", BOTH, force_majeure_notice,
                   order("Std §13"), "Notify force majeure", ForceMajeure, _force_majeure),
        # violations (Std §7; Law Art 62(4))
        Transition("notify_violation_order", "active", "remedy_month", OFFICER,
                   violation_regime("order-493"), order("Std §7"),
                   "Notify violations (one month)", ViolationNotice, _record("violations")),
        Transition("notify_violation_law", "active", "remedy_three_months", OFFICER,
                   violation_regime("law-86-VII"), law("Art 62(4)"),
                   "Notify violations (three months)", ViolationNotice, _record("violations")),
        Transition("report_elimination", "remedy_month", "remedy_month", MAKER, None,
                   order("Std §3(5)"), "Report the violations eliminated", Elimination,
                   _elimination),
        Transition("report_elimination_law", "remedy_three_months", "remedy_three_months",
                   MAKER, None, law("Art 62(4)"), "Report the violations eliminated",
                   Elimination, _elimination),
        Transition("accept_elimination", ("remedy_month", "remedy_three_months", "unremedied"),
                   "active", OFFICER, None, order("Std §7"),
                   "Accept that the violations were remedied in time", Note),
        Transition("remedy_period_ended", ("remedy_month", "remedy_three_months"),
                   "unremedied", frozenset({Role.SYSTEM}), None, order("R §20(2)"),
                   "The remedy period ended"),
        # termination (R §20-22; Std §8-10), force majeure, expiry
        Transition("notice_termination", ("active", "unremedied"), "termination_noticed",
                   OFFICER, termination_ground_fits, order("Std §9"),
                   "Notify termination (30 working days)", TerminationNotice,
                   _set("termination")),
        Transition("terminate_for_failure", "termination_noticed", "reimbursement_due",
                   frozenset({Role.SYSTEM}), None, order("R §22"),
                   "Terminated for the manufacturer's failure"),
        Transition("notice_withdrawal", "active", "withdrawal_noticed", MAKER,
                   withdrawal_allowed, order("R §20(3)"),
                   "Notify termination on the manufacturer's initiative", Reasons,
                   _set("termination")),
        Transition("terminate_on_withdrawal", "withdrawal_noticed", "terminated",
                   frozenset({Role.SYSTEM}), None, order("R §21"),
                   "Terminated on the manufacturer's notice"),
        Transition("terminate_by_agreement", "active", "terminated", OFFICER, None,
                   order("R §20(1)"), "Terminate by agreement of the parties", Note,
                   _set("termination")),
        Transition("terminate_force_majeure", "active", "terminated", OFFICER,
                   force_majeure_recorded, order("Std §8(3)"),
                   "Terminate for force majeure", Note, _set("termination")),
        Transition("record_reimbursement", "reimbursement_due", "terminated", OFFICER, None,
                   order("R §22"), "Record the reimbursement of benefits", Reimbursement,
                   _set("reimbursement")),
        Transition("expire", _AFTER_CONCLUSION, "expired", frozenset({Role.SYSTEM}), None,
                   order("Std §19"), "Twenty years have passed"),
    ),
))

OPEN_STATES = ("review", "site_visit", "visit_minutes", "draft_sent", "signed",
               *_AFTER_CONCLUSION, "reimbursement_due")
