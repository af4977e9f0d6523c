"""The worker: fires due deadlines exactly once, then runs the periodic jobs.

Each tick (`run_once`) lists the pending timers due by `now` and handles each in its own
transaction, so one failure does not hold up the others. A timer is claimed before it is
handled: on PostgreSQL by `SELECT … FOR UPDATE SKIP LOCKED` (another worker skips it, and
once committed it is no longer pending); on SQLite by `UPDATE … SET status='fired' WHERE
status='pending'`, which takes the database's single write lock for the transaction. So
any number of workers, restarted at any time, fire a timer once: the claim, the
transition it fires, the breach it records and their audit entries commit together or
not at all.

A timer whose handling raises is retried next tick, up to `MAX_ATTEMPTS` times, then
marked failed with its error (`kzreg cases timers --status failed` lists them).

Other parts add periodic work by appending to `JOBS` a callable `(session, now) -> int`
(the count of things done); each job runs in its own transaction after the timers.
"""

from __future__ import annotations

import datetime as dt
import logging
import signal
import threading
from collections.abc import Callable

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from kzreg.law.calendar import now_utc, to_utc
from kzreg.law.citations import Citation
from kzreg.law.errors import Conflict, LegalRuleError
from kzreg.platform import audit
from kzreg.platform.actors import SYSTEM
from kzreg.platform.cases import Case, fire, get_case_type, load_case_types
from kzreg.platform.db import unit_of_work
from kzreg.platform.notifications import deliver_due
from kzreg.platform.timers import BREACH, CANCELLED, FAILED, FIRED, PENDING, Breach, Timer

log = logging.getLogger("kzreg.worker")

MAX_ATTEMPTS = 5  # a timer failing this many times is marked failed, not retried forever
Job = Callable[[Session, dt.datetime], int]
JOBS: list[Job] = [deliver_due]  # e-mail from the notification outbox (SMTP)


def all_jobs() -> list[Job]:
    """The platform's jobs, then each room's `jobs.JOBS` (kzreg.platform.plugins)."""
    from kzreg.platform.plugins import room_modules

    return [*JOBS, *(job for _, module in room_modules("jobs") for job in module.JOBS)]


def run_once(now: dt.datetime | None = None, *, limit: int = 100,
             url: str | None = None) -> int:
    """One tick: handle up to `limit` due timers, then run `JOBS`; returns the work done."""
    now = now_utc() if now is None else to_utc(now, field="now")
    load_case_types()
    with unit_of_work(url) as session:
        due = list(session.scalars(
            select(Timer.id).where(Timer.status == PENDING, Timer.due_at <= now)
            .order_by(Timer.due_at, Timer.id).limit(limit)))
    done = 0
    for timer_id in due:
        try:
            with unit_of_work(url) as session:
                done += handle_timer(session, timer_id, now)
        except Exception as exc:  # noqa: BLE001 - recorded on the timer, retried, reported
            _record_failure(timer_id, exc, url)
    for job in all_jobs():
        try:
            with unit_of_work(url) as session:
                done += int(job(session, now) or 0)
        except Exception:  # noqa: BLE001 - one broken job must not stop the worker
            log.exception("job %s failed", getattr(job, "__name__", job))
    return done


def _claim(session: Session, timer_id: int, now: dt.datetime) -> Timer | None:
    """Take the timer for this transaction, or None if another worker has it or had it."""
    if session.get_bind().dialect.name == "sqlite":
        claimed = session.execute(update(Timer)
                                  .where(Timer.id == timer_id, Timer.status == PENDING)
                                  .values(status=FIRED, fired_at=now)
                                  .execution_options(synchronize_session=False)).rowcount
        return session.get(Timer, timer_id) if claimed == 1 else None
    timer = session.scalars(select(Timer).where(Timer.id == timer_id, Timer.status == PENDING)
                            .with_for_update(skip_locked=True)
                            .execution_options(populate_existing=True)).first()
    if timer is not None:
        timer.status, timer.fired_at = FIRED, now
        session.flush()
    return timer


def handle_timer(session: Session, timer_id: int, now: dt.datetime) -> int:
    """Fire the deadline's transition or record its breach; 1 if this call handled it."""
    timer = _claim(session, timer_id, now)
    if timer is None:
        return 0
    case = session.get(Case, timer.case_id)
    if case is None or case.state != timer.state:  # left the state; should be cancelled
        timer.status, timer.outcome = CANCELLED, "left state"
        return 1
    spec = get_case_type(case.case_type).deadline(timer.state, timer.name)
    basis = Citation.parse(timer.citation)
    detail = {"deadline": timer.name, "due_at": timer.due_at, "recorded_at": now}
    note = None
    if timer.on_expiry and spec is not None and spec.on_expiry:
        try:
            with session.begin_nested():  # a refused transition leaves nothing behind
                fire(session, case.id, spec.on_expiry, actor=SYSTEM, at=timer.due_at,
                     basis=spec.citation, detail=detail)
            timer.outcome = spec.on_expiry
            return 1
        except (LegalRuleError, Conflict) as exc:
            note = f"{spec.on_expiry} refused: {exc}"
    _record_breach(session, timer, case, now, basis, note)
    return 1


def _record_breach(session: Session, timer: Timer, case: Case, now: dt.datetime,
                   basis: Citation, note: str | None) -> None:
    timer.outcome = BREACH
    session.add(Breach(case_id=case.id, timer_id=timer.id, case_type=case.case_type,
                       state=timer.state, deadline=timer.name, title=timer.title,
                       citation=timer.citation, due_at=timer.due_at, recorded_at=now,
                       note=note))
    audit.append(session, actor=SYSTEM, action="deadline.breached", case_id=case.id,
                 case_type=case.case_type, basis=basis, at=timer.due_at,
                 data={"deadline": timer.name, "state": timer.state, "title": timer.title,
                       "due_at": timer.due_at, "recorded_at": now,
                       **({"note": note} if note else {})})


def _record_failure(timer_id: int, exc: Exception, url: str | None) -> None:
    error = f"{type(exc).__name__}: {exc}"[:2000]
    try:
        with unit_of_work(url) as session:
            timer = session.scalars(select(Timer).where(Timer.id == timer_id)
                                    .with_for_update()).first()
            if timer is None or timer.status != PENDING:
                return
            timer.attempts += 1
            timer.last_error = error
            if timer.attempts >= MAX_ATTEMPTS:
                timer.status = FAILED
                log.error("timer %s (%s) failed %d times, given up: %s", timer_id,
                          timer.name, timer.attempts, error)
            else:
                log.warning("timer %s failed (attempt %d): %s", timer_id, timer.attempts,
                            error)
    except Exception:  # noqa: BLE001 - the database itself is failing; next tick retries
        log.exception("could not record the failure of timer %s: %s", timer_id, error)


def loop(poll_seconds: float = 5.0, *, limit: int = 100, url: str | None = None,
         stop: threading.Event | None = None) -> None:
    """Tick every `poll_seconds` until SIGTERM/SIGINT (or `stop` is set); the current tick
    finishes first, so no timer is left half-handled."""
    stop = stop or threading.Event()
    previous = {}
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGTERM, signal.SIGINT):
            previous[sig] = signal.signal(sig, lambda *_: stop.set())
    try:
        log.info("worker started (poll every %ss)", poll_seconds)
        while not stop.is_set():
            try:
                done = run_once(limit=limit, url=url)
                if done:
                    log.info("handled %d", done)
                if done >= limit:
                    continue  # more may be due: do not sleep
            except Exception:  # noqa: BLE001 - e.g. database down: keep trying
                log.exception("tick failed")
            stop.wait(poll_seconds)
        log.info("worker stopped")
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
