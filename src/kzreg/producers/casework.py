"""Acting on and reading the producers room's cases of incentives and large customers (Law
86-VII Arts 25-28, 47, 61-1): the common steps around `platform.cases.fire`.

`act` records the breach of a fixed-date deadline already passed (so a late act leaves it on
the record), fires the transition, starts the new state's fixed-date deadline
(`fixed_timers`) and tells the business of a decision on its case in its personal account.
`queue` lists open cases soonest deadline first; `view` is what a page or the API shows of
one case.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kzreg.law.calendar import now_utc
from kzreg.law.explain import jsonable
from kzreg.platform import cases
from kzreg.platform.actors import Actor
from kzreg.platform.cases import Case
from kzreg.platform.timers import PENDING, Breach, Timer
from kzreg.producers import fixed_timers


def act(session: Session, actor: Actor, case_id: int, transition: str,
        payload: Mapping[str, Any] | None = None, *, at: dt.datetime | None = None,
        expected_version: int | None = None) -> Case:
    at = at or now_utc()
    case = cases.get_case_for(session, actor, case_id)
    fixed_timers.settle(session, case, at)
    case = cases.fire(session, case.id, transition, actor=actor, payload=payload or {}, at=at,
                      expected_version=expected_version)
    fixed_timers.ensure(session, case, at)
    if transition in TOLD:
        _tell_parties(session, case, at, transition)
    return case


TOLD = {"grant": "the measure is granted", "refuse": "refused, with reasons",
        "notify": "returned with comments to amend", "agree": "agreed",
        "not_fulfilled": "counter-obligations found not fulfilled"}


def _tell_parties(session: Session, case: Case, at: dt.datetime, transition: str) -> None:
    """A decision reaches the business's personal account (its inbox)."""
    from kzreg.platform import notifications
    from kzreg.platform.actors import Role
    from kzreg.platform.users import users_with_role

    people = [u.id for b in case.party_bins for role in (Role.MANUFACTURER, Role.CONTRACTOR)
              for u in users_with_role(session, role, bin=b)]
    if people:
        subject = f"{case.title}: {TOLD[transition]}"[:300]
        step = case.type.transition(transition)
        notifications.notify(session, recipients=people, subject=subject, body=subject,
                             case_id=case.id, basis=step.citation if step else None, at=at)


def opened(session: Session, case: Case, at: dt.datetime) -> Case:
    """A case just opened: start (and settle) its first fixed-date deadline."""
    fixed_timers.ensure(session, case, at)
    fixed_timers.settle(session, case, at)
    return case


def queue(session: Session, actor: Actor, types: Iterable[str], *, open_only: bool = False
          ) -> list[tuple[Case, Timer | None]]:
    """Cases of `types` in the actor's scope: open ones by their soonest pending deadline,
    then those without one, then closed ones."""
    query = cases.visible_cases(session, actor).where(Case.case_type.in_(tuple(types)))
    if open_only:
        query = query.where(Case.closed_at.is_(None))
    rows = list(session.scalars(query.order_by(Case.opened_at)))
    due = {t.case_id: t for t in session.scalars(
        select(Timer).where(Timer.case_id.in_([c.id for c in rows]), Timer.status == PENDING)
        .order_by(Timer.due_at.desc()))}
    far = dt.datetime.max.replace(tzinfo=dt.UTC)

    def order(row: Case) -> tuple:
        timer = due.get(row.id)
        return (row.closed_at is not None, timer.due_at if timer else far, row.opened_at)
    return [(c, due.get(c.id)) for c in sorted(rows, key=order)]


def view(session: Session, actor: Actor, case_id: int) -> dict[str, Any]:
    case = cases.get_case_for(session, actor, case_id)
    timers = session.scalars(select(Timer).where(Timer.case_id == case.id,
                                                 Timer.status == PENDING)
                             .order_by(Timer.due_at)).all()
    breaches = session.scalars(select(Breach).where(Breach.case_id == case.id)
                               .order_by(Breach.due_at)).all()
    return {
        "case": case, "state_title": case.type.state(case.state).title or case.state,
        "deadlines": timers, "breaches": breaches,
        "events": cases.case_events(session, actor, case.id),
        "transitions": cases.allowed_transitions(actor, case),
    }


def case_json(session: Session, actor: Actor, case_id: int) -> dict[str, Any]:
    v = view(session, actor, case_id)
    case = v["case"]
    return jsonable({
        "id": case.id, "type": case.case_type, "state": case.state,
        "state_title": v["state_title"], "title": case.title, "party_bins": case.party_bins,
        "opened_at": case.opened_at, "closed_at": case.closed_at, "version": case.version,
        "data": case.data,
        "deadlines": [{"name": t.name, "title": t.title, "due_at": t.due_at,
                       "duration": t.duration, "basis": t.citation} for t in v["deadlines"]],
        "breaches": [{"deadline": b.deadline, "title": b.title, "due_at": b.due_at,
                      "basis": b.citation, "resolved_at": b.resolved_at}
                     for b in v["breaches"]],
        "transitions": [{"name": t.name, "title": t.title,
                         "basis": t.citation.ref if t.citation else None}
                        for t in v["transitions"]],
        "events": [{"transition": e.transition, "from": e.from_state, "to": e.to_state,
                    "actor": e.actor, "role": e.role, "at": e.at, "basis": e.basis}
                   for e in v["events"]],
    })
