"""Periodic work of the assembly room: agreements whose twenty years have passed expire.

An agreement "is concluded for 20 years ... and is valid until ____" (Std §19; R §3). The
term is far beyond the working-day calendar, and is a date rather than a count of working
days, so it is not a platform timer: each worker tick expires the agreements whose
`valid_until` day has ended (Almaty time), firing `expire` with the basis Std §19 at the
instant the term ran out, not at the time the worker got to it.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from kzreg.law.calendar import end_of_day_utc, local_date
from kzreg.platform.actors import SYSTEM
from kzreg.platform.cases import Case, fire, visible_cases


def expire_agreements(session: Session, now: dt.datetime) -> int:
    from kzreg.assembly.workflow import _AFTER_CONCLUSION, CASE_TYPE

    today = local_date(now)
    done = 0
    query = visible_cases(session, SYSTEM).where(Case.case_type == CASE_TYPE,
                                                 Case.state.in_(_AFTER_CONCLUSION))
    for case in session.scalars(query.order_by(Case.id)):
        until = case.data.get("valid_until")
        if not until or dt.date.fromisoformat(str(until)) >= today:
            continue
        ran_out = end_of_day_utc(dt.date.fromisoformat(str(until)))
        fire(session, case.id, "expire", actor=SYSTEM, at=min(ran_out, now),
             detail={"valid_until": until})
        done += 1
    return done


JOBS = [expire_agreements]
