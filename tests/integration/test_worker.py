"""The worker against a real database (SQLite and PostgreSQL), run as `kzreg worker`.

Worker subprocesses learn the sample case type from `KZREG_EXTRA_MODULES=support.sample_case`
with `tests/` on PYTHONPATH; `--now` makes every run deterministic.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import func, select

from kzreg.law.citations import cite
from kzreg.platform import worker
from kzreg.platform.actors import SYSTEM, Actor, Role
from kzreg.platform.audit import AuditEntry, verify
from kzreg.platform.cases import (
    Case,
    CaseEvent,
    CaseType,
    DeadlineSpec,
    State,
    Transition,
    breaches,
    open_case,
    register_case_type,
)
from kzreg.platform.db import unit_of_work
from kzreg.platform.timers import Breach, Timer
from support.sample_case import DECIDE, SAMPLE

TESTS = Path(__file__).resolve().parents[1]
OFFICER = Actor("aigerim", Role.INDUSTRY_OFFICER)
ACME = "123456789012"
T0 = dt.datetime(2024, 4, 30, 10, 0, tzinfo=dt.UTC)   # decide due 2024-05-17T19:00Z
BEFORE = "2024-05-17T18:59:59+00:00"
AFTER = "2024-05-20T09:00:00+05:00"


def worker_env() -> dict[str, str]:
    env = dict(os.environ)  # the db fixture set KZREG_DATABASE_URL and KZREG_DATA_DIR
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(TESTS), env.get("PYTHONPATH")]))
    env["KZREG_EXTRA_MODULES"] = "support.sample_case"
    return env


def kzreg_worker(*args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "kzreg.cli", "worker", *args],
                            env=worker_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def run_worker(*args: str) -> str:
    proc = kzreg_worker(*args)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    return out.strip()


def open_cases(n: int) -> list[int]:
    with unit_of_work() as s:
        return [open_case(s, SAMPLE.name, actor=OFFICER, title=f"permit {i}",
                          party_bins=[ACME], at=T0).id for i in range(n)]


def count(model, *where) -> int:
    with unit_of_work() as s:
        return s.scalar(select(func.count()).select_from(model).where(*where))


def test_a_deadline_fires_once_across_worker_restarts(db):
    [case_id] = open_cases(1)
    assert run_worker("--once", "--now", BEFORE) == "handled 1"  # only the 24-hour one
    assert run_worker("--once", "--now", AFTER) == "handled 1"   # a new worker process
    assert run_worker("--once", "--now", AFTER) == "handled 0"   # and again: nothing left
    with unit_of_work() as s:
        case = s.get(Case, case_id)
        assert case.state == "refused" and case.closed_at is not None
        fired = s.scalars(select(CaseEvent).where(CaseEvent.transition == "deemed_refused"))
        [event] = fired.all()
        assert (event.actor, event.basis) == ("system", DECIDE.ref)
        assert [b.deadline for b in breaches(s, OFFICER)] == ["acknowledge"]
        assert verify(s).ok
    assert count(AuditEntry, AuditEntry.action == "case.deemed_refused") == 1
    assert count(AuditEntry, AuditEntry.action == "deadline.breached") == 1
    assert count(Timer, Timer.status == "pending") == 0


def test_two_workers_never_fire_a_timer_twice(db):
    n = 60
    open_cases(n)
    workers = [kzreg_worker("--once", "--now", AFTER, "--limit", "1000") for _ in range(2)]
    results = []
    for proc in workers:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        results.append(int(out.split()[-1]))
    assert sum(results) == 2 * n  # each timer handled by exactly one of them
    assert count(CaseEvent, CaseEvent.transition == "deemed_refused") == n
    assert count(Breach) == n
    assert count(AuditEntry, AuditEntry.action == "case.deemed_refused") == n
    assert count(AuditEntry, AuditEntry.action == "deadline.breached") == n
    assert count(Timer, Timer.status == "fired") == 2 * n
    with unit_of_work() as s:
        assert verify(s).ok


def test_a_breach_is_recorded_and_visible_to_supervisors(db):
    [case_id] = open_cases(1)
    with unit_of_work() as s:
        from kzreg.platform.cases import fire

        fire(s, case_id, "take", actor=OFFICER, at=T0)
    assert worker.run_once(dt.datetime(2024, 6, 1, tzinfo=dt.UTC)) == 1
    with unit_of_work() as s:
        [breach] = breaches(s, OFFICER)
        assert (breach.case_id, breach.state, breach.deadline) == (case_id, "review", "inspect")
        assert breach.due_at == dt.datetime(2024, 5, 30, 19, tzinfo=dt.UTC)
        assert breach.resolved_at is None and breach.case.title == "permit 0"
        assert breaches(s, Actor("rival", Role.MANUFACTURER, bin="210987654321")) == []
        fire(s, case_id, "refuse", actor=OFFICER, payload={"reason": "late inspection"},
             at=dt.datetime(2024, 6, 2, tzinfo=dt.UTC))
    with unit_of_work() as s:
        assert breaches(s, OFFICER, unresolved_only=True) == []
        assert breaches(s, OFFICER)[0].resolved_at == dt.datetime(2024, 6, 2, tzinfo=dt.UTC)
    out = subprocess.run([sys.executable, "-m", "kzreg.cli", "cases", "breaches"],
                         env=worker_env(), capture_output=True, text=True, timeout=60)
    assert out.returncode == 0 and "inspect" in out.stdout and "OPEN" not in out.stdout


BROKEN = CaseType(
    name="test.broken", title="A case type whose automatic transition crashes",
    states=[State("waiting", deadlines=[DeadlineSpec("lapse", "1 hour", DECIDE,
                                                     on_expiry="lapse")]),
            State("done", final=True)],
    transitions=[Transition("lapse", "waiting", "done", roles={Role.SYSTEM},
                            guard=lambda case, payload, as_of: 1 / 0)])


def test_a_failing_timer_is_retried_then_marked_failed_without_blocking_others(db):
    register_case_type(BROKEN, replace=True)
    with unit_of_work() as s:
        bad = open_case(s, BROKEN.name, actor=OFFICER, title="broken", at=T0).id
    [good] = open_cases(1)
    now = dt.datetime(2024, 5, 20, tzinfo=dt.UTC)
    assert worker.run_once(now) == 2  # the good case's two timers
    for _ in range(worker.MAX_ATTEMPTS - 1):
        assert worker.run_once(now) == 0
    with unit_of_work() as s:
        [timer] = s.scalars(select(Timer).where(Timer.case_id == bad)).all()
        assert (timer.status, timer.attempts) == ("failed", worker.MAX_ATTEMPTS)
        assert "ZeroDivisionError" in timer.last_error
        assert s.get(Case, bad).state == "waiting"
        assert s.get(Case, good).state == "refused"
    assert worker.run_once(now) == 0  # failed timers are not retried forever


def test_jobs_run_each_tick_and_a_broken_job_does_not_stop_the_others(db, monkeypatch):
    seen = []
    monkeypatch.setattr(worker, "JOBS", [lambda s, now: 1 / 0,
                                         lambda s, now: seen.append(now) or 3])
    now = dt.datetime(2024, 1, 10, tzinfo=dt.UTC)
    assert worker.run_once(now) == 3
    assert seen == [now]


def test_the_worker_loop_stops_cleanly_on_sigterm(db):
    proc = kzreg_worker("--poll", "0.1")
    deadline = time.monotonic() + 30
    started = ""
    while "worker started" not in started and time.monotonic() < deadline:
        started += proc.stderr.readline()
    assert "worker started" in started
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert "worker stopped" in err


def test_the_system_actor_fires_a_deemed_refusal_in_process(db):
    """The same path without a subprocess: the transition's clause is the event's basis."""
    [case_id] = open_cases(1)
    assert worker.run_once(dt.datetime(2024, 5, 17, 18, 59, tzinfo=dt.UTC)) == 1
    assert worker.run_once(dt.datetime(2024, 5, 17, 19, 0, tzinfo=dt.UTC)) == 1  # due: late
    with unit_of_work() as s:
        assert s.get(Case, case_id).state == "refused"
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "case.deemed_refused")
                          ).one()
        assert (entry.actor, entry.role, entry.basis) == (SYSTEM.username, "system",
                                                           DECIDE.ref)
        assert entry.payload["detail"]["deadline"] == "decide"
    assert cite("order-493", "Rules §13") == DECIDE
