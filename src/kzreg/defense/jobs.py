"""Periodic work of the defense room: missed delivery deadlines (Law 236-VI Art 22 p.12).

A delivery deadline of a contract line is a date, not a term counted from an event, so it is
not a platform timer: each worker tick looks for contracts in execution whose line deadline
ended before today (Almaty) and records the miss, notifying the SDP body immediately — once
per line and deadline (the notice's key), however often the worker runs. Reserve uses carry
their 12-month term as a case timer (`defense.reserve_use`); the worker records that breach.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from kzreg.law.calendar import local_date
from kzreg.platform.actors import SYSTEM


def notify_missed_deliveries(session: Session, now: dt.datetime) -> int:
    from kzreg.defense.contracts_service import missed_deliveries, record_missed_delivery

    done = 0
    for case_id, item, deadline in missed_deliveries(session, SYSTEM, local_date(now)):
        if record_missed_delivery(session, SYSTEM, case_id, item, deadline, at=now):
            done += 1
    return done


JOBS = [notify_missed_deliveries]
