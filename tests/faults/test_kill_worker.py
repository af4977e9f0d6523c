"""`kzreg worker` killed with SIGKILL in the middle of firing deadlines, on SQLite and
PostgreSQL: after a restart every due timer has fired exactly once — each case deemed
refused once, each breach recorded once, one audit entry each, nothing left pending — and
the audit chain verifies. (A timer's claim, its transition and its audit entry commit
together, kzreg.platform.worker, so a kill between them undoes all three.)"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from faults.helpers import kill9, kzreg, spawn, wait_for
from kzreg.platform.actors import Actor, Role
from kzreg.platform.audit import AuditEntry
from kzreg.platform.cases import Case, CaseEvent, open_case
from kzreg.platform.db import unit_of_work
from kzreg.platform.timers import Breach, Timer
from support.sample_case import SAMPLE

OFFICER = Actor("aigerim", Role.INDUSTRY_OFFICER)
T0 = dt.datetime(2024, 4, 30, 10, 0, tzinfo=dt.UTC)   # both deadlines long past now
CASES = 150


def _count(model, *where) -> int:
    with unit_of_work() as s:
        return s.scalar(select(func.count()).select_from(model).where(*where))


def test_worker_killed_mid_firing_fires_each_timer_exactly_once(db, tmp_path):
    with unit_of_work() as s:
        for k in range(CASES):
            open_case(s, SAMPLE.name, actor=OFFICER, title=f"permit {k}",
                      party_bins=["123456789012"], at=T0)
    timers = _count(Timer)
    assert timers == 2 * CASES                  # "decide" (deemed refusal), "acknowledge"
    log = tmp_path / "worker.log"
    kills = 0
    for share in (0.2, 0.5):                    # kill it twice while it is firing
        worker = spawn(db, "worker", "--poll", "0.05", "--limit", "10", log=log)
        target = int(timers * share)
        wait_for(lambda t=target: _count(Timer, Timer.status != "pending") >= t, 90,
                 "the worker to fire timers")
        kill9(worker)
        kills += 1
        assert _count(Timer, Timer.status == "pending") > 0, "killed too late to matter"
    worker = spawn(db, "worker", "--poll", "0.05", "--limit", "50", log=log)
    try:
        wait_for(lambda: _count(Timer, Timer.status == "pending") == 0, 120,
                 "every timer to fire after the restart")
    finally:
        worker.terminate()
        worker.wait(30)
    assert kills == 2
    assert _count(Timer, Timer.status == "fired") == timers
    assert _count(CaseEvent, CaseEvent.transition == "deemed_refused") == CASES
    assert _count(Case, Case.state == "refused") == CASES
    assert _count(Breach) == CASES              # the 24-hour acknowledgement, each once
    assert _count(AuditEntry, AuditEntry.action == "case.deemed_refused") == CASES
    assert _count(AuditEntry, AuditEntry.action == "deadline.breached") == CASES
    with unit_of_work() as s:                   # no timer fired twice for the same case
        per_case = s.execute(select(CaseEvent.case_id, func.count())
                             .where(CaseEvent.transition == "deemed_refused")
                             .group_by(CaseEvent.case_id)).all()
    assert {n for _, n in per_case} == {1}
    verified = kzreg(db, "audit", "verify")
    assert verified.returncode == 0, verified.stderr
