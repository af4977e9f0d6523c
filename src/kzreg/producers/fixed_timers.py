"""Deadlines on fixed dates (Law 86-VII Art 47(1), (5), (7); Art 27(1); Art 61-1(2)).

A state's `DeadlineSpec` counts from the moment the case enters it. Some terms of the Law do
not: plans are due "by 10 December", the agreed list "by 1 February", contracts within thirty
days "from the date of the deadline for submitting applications", counter-obligations by the
day their agreement fixes, a programme within its three years. For those the producers room
starts its own timers (rows of the platform's `timers`, with no automatic transition), so the
worker records a breach when the day passes, as for any other deadline.

`FIXED` maps (case type, state) to a function giving the timer for a case in that state (or
None). `ensure(session, case)` starts it once; the service calls it after every transition
and the worker job `start_fixed_timers` catches cases moved by other routes. `settle(session,
case, at)` first records the breach of any such deadline already passed, so an act done late
leaves the breach on the record even before the worker has run.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from kzreg.law.calendar import end_of_day_utc, now_utc
from kzreg.law.citations import Citation
from kzreg.platform.cases import Case
from kzreg.platform.timers import CANCELLED, PENDING, Timer


@dataclass(frozen=True)
class FixedDeadline:
    name: str
    last_day: dt.date
    citation: Citation
    title: str


FixedRule = Callable[[Case], "FixedDeadline | None"]
FIXED: dict[tuple[str, str], FixedRule] = {}


def fixed(case_type: str, state: str):
    """Declare the fixed-date deadline of a state (decorator)."""
    def register(function: FixedRule) -> FixedRule:
        FIXED[(case_type, state)] = function
        return function
    return register


def ensure(session: Session, case: Case, at: dt.datetime | None = None) -> Timer | None:
    """Start the fixed-date timer of the case's current state, unless it already exists."""
    rule = FIXED.get((case.case_type, case.state))
    spec = rule(case) if rule else None
    if spec is None:
        return None
    known = session.scalars(select(Timer.id).where(  # a cancelled one: the state was left
        Timer.case_id == case.id, Timer.name == spec.name, Timer.state == case.state,
        Timer.status != CANCELLED)).first()
    if known is not None:
        return None
    timer = Timer(case_id=case.id, name=spec.name, state=case.state, title=spec.title,
                  duration=f"by {spec.last_day.isoformat()}", citation=spec.citation.ref,
                  on_expiry=None, due_at=end_of_day_utc(spec.last_day), status=PENDING,
                  started_at=max(at or case.updated_at, case.updated_at), attempts=0,
                  explanation={"last_day": spec.last_day.isoformat(),
                               "basis": spec.citation.ref})
    session.add(timer)
    session.flush()
    return timer


def settle(session: Session, case: Case, at: dt.datetime) -> int:
    """Record the breaches of the case's fixed-date deadlines that passed by `at`."""
    from kzreg.platform.worker import handle_timer

    due = session.scalars(select(Timer.id).where(
        Timer.case_id == case.id, Timer.status == PENDING, Timer.on_expiry.is_(None),
        Timer.due_at <= at)).all()
    return sum(handle_timer(session, timer_id, at) for timer_id in due)


def start_fixed_timers(session: Session, now: dt.datetime | None = None) -> int:
    """Worker job: every open case in a state with a fixed-date deadline has its timer."""
    if not FIXED:
        return 0
    types = {case_type for case_type, _ in FIXED}
    started = 0
    for case in session.scalars(select(Case).where(Case.case_type.in_(types),
                                                   Case.closed_at.is_(None))):
        started += ensure(session, case, now or now_utc()) is not None
    return started
