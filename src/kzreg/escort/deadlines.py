"""The escort's deadlines: §5 (24 hours), §11 (one hour), §14 (one hour), §18(3) (five years).

Hours are elapsed time between UTC instants (docs/decisions.md: Almaty's change of offset on
1 March 2024 neither adds nor removes time). "Not later than" / "within" include the last
instant: an act done exactly at the deadline is on time.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from pydantic import AwareDatetime, BaseModel, Field

from kzreg.escort._law import (
    DEACTIVATION_PERIOD_HOURS,
    NOTICE_PERIOD_HOURS,
    ORGANISE_PERIOD_HOURS,
    RETENTION_YEARS,
    rules,
    utc,
)
from kzreg.escort.versions import check_wording
from kzreg.law.calendar import add_calendar_days, local_date
from kzreg.law.deadlines import deadline
from kzreg.law.errors import InputError
from kzreg.law.explain import Explained, Trace
from kzreg.law.rules import rule
from kzreg.law.settings import get_setting


@dataclass(frozen=True)
class ActionTiming:
    action: str
    done_at: dt.datetime | None
    on_time: bool | None       # None: not done (yet)


@dataclass(frozen=True)
class HoursDeadline:
    start: dt.datetime
    due: dt.datetime                    # inclusive: done at `due` is on time
    actions: tuple[ActionTiming, ...] = ()

    def __str__(self) -> str:
        late = [a.action for a in self.actions if a.on_time is False]
        return (f"due {self.due:%Y-%m-%d %H:%M:%S}Z"
                + (f"; BREACH: {', '.join(late)}" if late else ""))

    @property
    def breached(self) -> bool:
        return any(a.on_time is False for a in self.actions)


def _hours(trace: Trace, start: dt.datetime, hours: int, what: str, citation) -> dt.datetime:
    inner = deadline(start, f"{hours} hours")
    due = trace.include(inner)
    trace.step(f"{what}: due {due:%Y-%m-%d %H:%M:%S}Z (inclusive)", due, citation=citation,
               inputs={"start": start})
    return due


def _judge(trace: Trace, action: str, done: dt.datetime | None, due: dt.datetime,
           citation) -> ActionTiming:
    if done is None:
        trace.step(f"{action}: not recorded", None, citation=citation)
        return ActionTiming(action, None, None)
    on_time = done <= due
    late = "" if on_time else f", late by {done - due}"
    trace.step(f"{action} at {done:%Y-%m-%d %H:%M:%S}Z: " + ("on time" if on_time else
                                                            "BREACH") + late,
               on_time, citation=citation)
    return ActionTiming(action, done, on_time)


# --- §5: inform the parties and organise the escort within 24 hours --------------------

class DecisionInput(BaseModel):
    decided_at: AwareDatetime = Field(description="Moment the head of the departure office "
                                      "adopted the decision")
    declarant_informed_at: AwareDatetime | None = None
    carrier_informed_at: AwareDatetime | None = None
    operator_informed_at: AwareDatetime | None = None
    organised_at: AwareDatetime | None = None


@rule("escort.organise-deadline", title="Parties informed and escort organised within 24 hours "
      "of the decision", citation=rules("§5"), inputs=DecisionInput)
def organise_deadline(inp: DecisionInput, as_of: dt.date) -> Explained[HoursDeadline]:
    trace = Trace("escort.organise-deadline", as_of)
    decided = utc(inp.decided_at, "decided_at")
    check_wording(trace, ["Rules §5"], local_date(decided), field="decided_at")
    citation = rules("§5")
    due = _hours(trace, decided, ORGANISE_PERIOD_HOURS, "not later than 24 hours from the "
                 "moment the decision was adopted", citation)
    scope = get_setting("escort.decision_24h_scope")
    done = {"declarant informed": inp.declarant_informed_at,
            "carrier informed": inp.carrier_informed_at,
            "national operator informed": inp.operator_informed_at,
            "escort organised": inp.organised_at}
    done = {k: utc(v, k) if v else None for k, v in done.items()}
    if scope.value == "single_event":
        recorded = [v for v in done.values() if v is not None]
        closing = max(recorded) if len(recorded) == len(done) else None
        trace.step("one event closes all four actions (setting): judged at the last of them",
                   closing, citation=citation, parameters=[scope.use()])
        actions = (_judge(trace, "all four actions", closing, due, citation),)
    else:
        trace.step("each of the four actions has its own time and is judged on its own",
                   None, citation=citation, parameters=[scope.use()])
        actions = tuple(_judge(trace, name, at, due, citation) for name, at in done.items())
    return trace.done(HoursDeadline(decided, due, actions))


# --- §11: notice of a non-routine situation within one hour -----------------------------

class NoticeTimes(BaseModel):
    sent_at: AwareDatetime | None = None
    delivered_at: AwareDatetime | None = None


class NoticeInput(BaseModel):
    occurred_at: AwareDatetime = Field(description="When the situation occurred (§3(8))")
    detected_at: AwareDatetime | None = Field(None, description="When the system learnt of it")
    departure: NoticeTimes = Field(default_factory=NoticeTimes,
                                   description="The notice to the departure office")
    destination: NoticeTimes = Field(default_factory=NoticeTimes,
                                     description="The notice to the destination office")


@rule("escort.notice-deadline", title="Both offices informed within one hour after a "
      "non-routine situation occurs", citation=rules("§11"), inputs=NoticeInput)
def notice_deadline(inp: NoticeInput, as_of: dt.date) -> Explained[HoursDeadline]:
    trace = Trace("escort.notice-deadline", as_of)
    occurred = utc(inp.occurred_at, "occurred_at")
    check_wording(trace, ["Rules §11"], local_date(occurred), field="occurred_at")
    citation = rules("§11")
    anchor_use = get_setting("escort.notice_deadline_anchor")
    start = occurred
    if anchor_use.value == "detection":
        if inp.detected_at is None:
            raise InputError("the setting counts the hour from detection: give detected_at",
                             field="detected_at")
        start = max(occurred, utc(inp.detected_at, "detected_at"))
    trace.step(f"the hour runs from the {anchor_use.value}", start, citation=citation,
               parameters=[anchor_use.use()])
    if inp.detected_at is not None:
        delay = utc(inp.detected_at, "detected_at") - occurred
        trace.step(f"detected {delay} after it occurred (recorded, the deadline does not move"
                   f"{'' if anchor_use.value == 'occurrence' else ' — except by the setting'})",
                   delay)
    due = _hours(trace, start, NOTICE_PERIOD_HOURS, "within one hour after the situation "
                 "occurs", citation)
    counts = get_setting("escort.notice_counts_when")
    trace.step(f"a notice counts when {counts.value}; each office is checked separately",
               None, citation=citation, parameters=[counts.use()])
    actions = []
    for office, times in (("departure office", inp.departure),
                          ("destination office", inp.destination)):
        at = times.delivered_at if counts.value == "delivered" else times.sent_at
        field = f"{office.split()[0]}.{counts.value}_at"
        actions.append(_judge(trace, f"{office} informed", utc(at, field) if at else None,
                              due, citation))
    return trace.done(HoursDeadline(start, due, tuple(actions)))


# --- §14: deactivation within one hour of the request -----------------------------------

class DeactivationTiming(BaseModel):
    request_received_at: AwareDatetime = Field(description="When the operator received the "
                                               "§13 information")
    deactivated_at: AwareDatetime | None = None


@rule("escort.deactivation-deadline", title="Seal deactivated within one hour of the request",
      citation=rules("§14"), inputs=DeactivationTiming)
def deactivation_deadline(inp: DeactivationTiming, as_of: dt.date) -> Explained[HoursDeadline]:
    trace = Trace("escort.deactivation-deadline", as_of)
    received = utc(inp.request_received_at, "request_received_at")
    check_wording(trace, ["Rules §14"], local_date(received), field="request_received_at")
    citation = rules("§14")
    due = _hours(trace, received, DEACTIVATION_PERIOD_HOURS, "not later than one hour after "
                 "the operator receives the §13 information", citation)
    done = utc(inp.deactivated_at, "deactivated_at") if inp.deactivated_at else None
    if done is not None and done < received:
        raise InputError("deactivated before the request was received", field="deactivated_at")
    action = _judge(trace, "seal deactivated", done, due, citation)
    return trace.done(HoursDeadline(received, due, (action,)))


# --- §18(3): five years from the day after deactivation ----------------------------------

@dataclass(frozen=True)
class Retention:
    deactivated_on: dt.date
    counted_from: dt.date       # the day after deactivation
    kept_through: dt.date       # last day of the duty to keep
    deletable_from: dt.date     # purge date
    on_expiry: str              # mark_deletable | delete

    def __str__(self) -> str:
        return (f"kept {self.counted_from} through {self.kept_through}; "
                f"deletable from {self.deletable_from}")


class RetentionInput(BaseModel):
    deactivated_at: AwareDatetime | dt.date = Field(
        description="Deactivation of the seal: an instant (its Almaty date counts) or a date")


@rule("escort.retention", title="Tracking data kept five years from the day after "
      "deactivation; purge date", citation=rules("§18(3)"), inputs=RetentionInput)
def retention(inp: RetentionInput, as_of: dt.date) -> Explained[Retention]:
    trace = Trace("escort.retention", as_of)
    citation = rules("§18(3)")
    value = inp.deactivated_at
    day = local_date(value, field="deactivated_at") if isinstance(value, dt.datetime) else value
    trace.step("the day of deactivation (Almaty calendar date)", day, inputs={
        "deactivated_at": value})
    check_wording(trace, ["Rules §18"], day, field="deactivated_at")
    start = trace.step("the period is counted from the day following the day of deactivation",
                       add_calendar_days(day, 1), citation=citation)
    end_use = get_setting("escort.retention_end")
    if end_use.value == "day_before_anniversary":
        # five years from D + 1 end with the day five years after D: the Civil Code counting
        # of a term from D (the day of the event not counted)
        last = trace.include(deadline(day, f"{RETENTION_YEARS} years"))
        trace.step("the five years run from that day and end on the day before its "
                   "anniversary (the same date five years after deactivation)", last,
                   citation=citation, parameters=[end_use.use()])
    else:
        last = deadline(start, f"{RETENTION_YEARS} years").value
        trace.step("the five years end on the anniversary of the first day", last,
                   citation=citation, parameters=[end_use.use()])
    action = get_setting("escort.retention_expiry_action")
    purge = trace.step("from the next day the data are no longer under the duty to keep: "
                       + ("eligible for deletion by an administrator"
                          if action.value == "mark_deletable" else "deleted"),
                       add_calendar_days(last, 1), citation=citation,
                       parameters=[action.use()])
    return trace.done(Retention(day, start, last, purge, action.value))
