"""§11: the departure and destination offices are told of a non-routine situation within
one hour after it occurs.

The tracking pipeline records each situation (§3(8)) with its `notify_by` (occurrence + 1 h,
settings escort.signal_loss_occurs_at / escort.notice_deadline_anchor). This job turns each
situation not yet notified into notices in the inboxes of both offices' officials (setting
escort.situation_notice_recipients) and their e-mails in the outbox, in the same transaction
that marks the situation notified; the notice counts when it is in the inbox (setting
escort.notice_counts_when). A notice written after `notify_by` — or one that reached nobody,
because the office has no official with an account — is recorded as a breach of §11 on the
escort's case. Officers acknowledge through the platform (`notifications.acknowledge`).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from kzreg.escort._law import rules
from kzreg.escort.models import Escort, EscortSeal, SituationNotice
from kzreg.escort.workflow import CASE_TYPE
from kzreg.platform import audit
from kzreg.platform.actors import SYSTEM
from kzreg.platform.cases import Case
from kzreg.platform.notifications import notify
from kzreg.platform.timers import BREACH, FIRED, Breach, Timer

TITLES = {"signal_loss": "loss of the navigation seal signal for more than 3 hours",
          "unauthorized_removal": "unauthorized removal of the navigation seal",
          "route_deviation": "deviation from the established route"}


def escort_for_situation(session: Session, seal: str, occurred_at: dt.datetime) -> Escort | None:
    """The escort the seal was on when the situation occurred."""
    rows = session.scalars(select(EscortSeal).where(EscortSeal.seal_number == seal,
                                                    EscortSeal.activated_at.is_not(None),
                                                    EscortSeal.activated_at <= occurred_at)
                           .order_by(EscortSeal.activated_at.desc()))
    for row in rows:
        if row.deactivated_at is None or row.deactivated_at >= occurred_at:
            return session.get(Escort, row.escort_id)
    return None


def send_situation_notices(session: Session, now: dt.datetime, limit: int = 100) -> int:
    """Worker job: notify both offices of every situation not yet notified."""
    from kzreg.escort.reference import office_staff
    from kzreg.tracking import registry

    done = 0
    for situation in registry.unnotified_situations(session, limit=limit):
        escort = escort_for_situation(session, situation.seal, situation.occurred_at)
        offices = _offices(session, situation, escort)
        subject = f"Non-routine situation: {TITLES.get(situation.type, situation.type)}"
        body = (f"Seal {situation.seal}"
                + (f", escort {escort.number}" if escort else "")
                + f". Occurred {situation.occurred_at:%Y-%m-%d %H:%M:%S} UTC, detected "
                  f"{situation.detected_at:%Y-%m-%d %H:%M:%S} UTC; the offices are to be "
                  f"informed by {situation.notify_by:%Y-%m-%d %H:%M:%S} UTC (Rules §11).")
        late_offices = []
        for role, code in offices:
            if session.scalar(select(SituationNotice.id).where(
                    SituationNotice.situation_id == situation.id,
                    SituationNotice.office == code)) is not None:
                continue                               # a retried run: already sent
            staff = office_staff(session, code)
            notices = notify(session, recipients=[u.id for u in staff], subject=subject,
                             body=body, case_id=escort.case_id if escort else None,
                             kind="alert", basis=rules("§11"), at=now) if staff else []
            on_time = bool(notices) and now <= situation.notify_by
            session.add(SituationNotice(
                situation_id=situation.id, escort_id=escort.id if escort else None,
                seal_number=situation.seal, situation_type=situation.type, office=code,
                role=role, occurred_at=situation.occurred_at, notify_by=situation.notify_by,
                notified_at=now, on_time=on_time, notice_ids=[n.id for n in notices]))
            if not on_time:
                late_offices.append(code if notices else f"{code} (no official to inform)")
        registry.mark_notified(session, situation.id, now)
        audit.append(session, actor=SYSTEM, action="escort.situation_notified",
                     case_id=escort.case_id if escort else None, case_type=CASE_TYPE,
                     basis=rules("§11"), at=now,
                     data={"situation": situation.id, "seal": situation.seal,
                           "type": situation.type, "offices": [c for _, c in offices],
                           "notify_by": situation.notify_by, "late": late_offices})
        if late_offices and escort is not None:
            record_breach(session, session.get(Case, escort.case_id), "situation_notice",
                          f"Notice of situation {situation.id} ({situation.type}) to "
                          f"{', '.join(late_offices)}", rules("§11"),
                          started_at=situation.occurred_at, due_at=situation.notify_by,
                          recorded_at=now)
        session.flush()
        done += 1
    return done


def _offices(session: Session, situation, escort: Escort | None) -> list[tuple[str, str]]:
    if escort is not None:
        return [("departure", escort.departure_office),
                ("destination", escort.destination_office)]
    from kzreg.tracking.models import TrackingSeal

    seal = session.get(TrackingSeal, situation.seal)
    found = [("departure", seal.departure_office), ("destination", seal.destination_office)] \
        if seal is not None else []
    return [(role, code) for role, code in found if code]


def record_breach(session: Session, case: Case, name: str, title: str, citation, *,
                  started_at: dt.datetime, due_at: dt.datetime,
                  recorded_at: dt.datetime) -> Breach:
    """A deadline kept outside the case's states, passed: a fired timer and its breach, in
    the platform's tables, so supervisors see it with every other breach."""
    timer = Timer(case_id=case.id, name=name, state=case.state, title=title[:500],
                  duration="1 hour", citation=citation.ref, on_expiry=None, due_at=due_at,
                  status=FIRED, started_at=started_at, fired_at=recorded_at, outcome=BREACH,
                  attempts=0)
    session.add(timer)
    session.flush()
    breach = Breach(case_id=case.id, timer_id=timer.id, case_type=case.case_type,
                    state=case.state, deadline=name, title=timer.title, citation=citation.ref,
                    due_at=due_at, recorded_at=recorded_at, resolved_at=recorded_at)
    session.add(breach)
    audit.append(session, actor=SYSTEM, action="deadline.breached", case_id=case.id,
                 case_type=case.case_type, basis=citation, at=recorded_at,
                 data={"deadline": name, "title": title, "due_at": due_at,
                       "recorded_at": recorded_at})
    return breach
