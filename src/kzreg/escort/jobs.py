"""Retention of the escort's data (Order 407, Rules §18(3)) and the room's worker jobs.

Data are kept five years counted from the day after the last seal's deactivation
(`deadlines.retention`, computed when the last seal is deactivated). `retention_job` looks
at escorts whose five years have run out: one under a legal hold is left alone; otherwise,
as the setting escort.retention_expiry_action says, it is marked deletable for an
administrator (default) or purged at once. A purge deletes the escort's positions and
situations from the tracking tables and the personal data copied for tracking (setting
escort.retention_purge_scope); the case, its customs documents and an audit stub with the
counts remain. Holds (setting escort.retention_hold_allowed) and purges are audited.
`JOBS` also carries the §11 notices job (`kzreg.escort.notices`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from kzreg.escort._law import rules
from kzreg.escort.models import DeactivationRequestRow, Escort, Vehicle
from kzreg.escort.notices import send_situation_notices
from kzreg.escort.reference import seals_of
from kzreg.escort.service import refuse
from kzreg.escort.workflow import CASE_TYPE
from kzreg.law.calendar import local_date, now_utc, to_utc
from kzreg.law.errors import Conflict, InputError, LegalRuleError, NotFound
from kzreg.law.explain import jsonable
from kzreg.law.settings import get_setting
from kzreg.platform import audit
from kzreg.platform.actors import SYSTEM, Actor, Role
from kzreg.platform.cases import Case, in_scope


def _at(at: dt.datetime | None) -> dt.datetime:
    return now_utc() if at is None else to_utc(at, field="at")


def _hold_actor(session: Session, actor: Actor, escort_id: int, what: str) -> Escort:
    escort = session.get(Escort, escort_id)
    if escort is None:
        raise NotFound(f"no escort {escort_id}", field="escort_id")
    case = session.get(Case, escort.case_id)
    if not in_scope(actor, case):
        refuse(session, actor, escort, what, "outside your scope", NotFound, "escort_id")
    if actor.role not in (Role.ADMIN, Role.CUSTOMS_HEAD):
        refuse(session, actor, escort, what, f"a {actor.role} may not {what} (only admin, "
                "customs_head)")
    return escort


def set_hold(session: Session, actor: Actor, escort_id: int, reason: str,
             at: dt.datetime | None = None) -> Escort:
    """A legal hold keeps the escort's data past the five years until released."""
    at = _at(at)
    escort = _hold_actor(session, actor, escort_id, "hold")
    if not get_setting("escort.retention_hold_allowed").value:
        raise LegalRuleError("holds are switched off (setting escort.retention_hold_allowed)",
                             field="reason", citation=rules("§18(3)"))
    if not (reason or "").strip():
        raise InputError("a hold needs its reason", field="reason")
    if escort.purged_at is not None:
        raise Conflict("the escort's data were already purged", field="escort_id")
    escort.hold, escort.hold_reason = True, reason.strip()
    escort.hold_by, escort.hold_at = actor.username, at
    audit.append(session, actor=actor, action="escort.hold_set", case_id=escort.case_id,
                 case_type=CASE_TYPE, basis=rules("§18(3)"), at=at,
                 data={"escort": escort.number, "reason": escort.hold_reason})
    session.flush()
    return escort


def release_hold(session: Session, actor: Actor, escort_id: int,
                 at: dt.datetime | None = None) -> Escort:
    at = _at(at)
    escort = _hold_actor(session, actor, escort_id, "release_hold")
    if not escort.hold:
        raise Conflict("the escort is not held", field="escort_id")
    audit.append(session, actor=actor, action="escort.hold_released", case_id=escort.case_id,
                 case_type=CASE_TYPE, basis=rules("§18(3)"), at=at,
                 data={"escort": escort.number, "reason": escort.hold_reason})
    escort.hold, escort.hold_reason, escort.hold_by, escort.hold_at = False, None, None, None
    session.flush()
    return escort


def purge(session: Session, actor: Actor, escort_id: int,
          at: dt.datetime | None = None) -> dict[str, int]:
    """Empty the escort's tracking and personal data after §18(3); an audit stub stays."""
    at = _at(at)
    escort = session.get(Escort, escort_id)
    if escort is None:
        raise NotFound(f"no escort {escort_id}", field="escort_id")
    if actor.role not in (Role.ADMIN, Role.SYSTEM):
        refuse(session, actor, escort, "purge", "only an administrator purges (§18(3))")
    if escort.purged_at is not None:
        raise Conflict("already purged", field="escort_id")
    if escort.hold:
        raise LegalRuleError(f"the escort is held: {escort.hold_reason}", field="escort_id",
                             citation=rules("§18(3)"))
    if escort.deletable_from is None or local_date(at) < escort.deletable_from:
        kept = escort.kept_through or "five years after the last deactivation"
        raise LegalRuleError(f"the data are kept through {kept} (§18(3))", field="escort_id",
                             citation=rules("§18(3)"))
    counts = _purge_tracking(session, escort)
    if get_setting("escort.retention_purge_scope").value == "tracking_and_personal_data":
        counts.update(_purge_personal(session, escort))
    escort.purged_at = at
    audit.append(session, actor=actor, action="escort.purged", case_id=escort.case_id,
                 case_type=CASE_TYPE, basis=rules("§18(3)"), at=at,
                 data={"escort": escort.number, "kept_through": escort.kept_through,
                       "deletable_from": escort.deletable_from, "removed": counts})
    session.flush()
    return counts


def _purge_tracking(session: Session, escort: Escort) -> dict[str, int]:
    from kzreg.tracking.models import TrackingPosition, TrackingSituation

    positions = situations = 0
    for row in seals_of(session, escort):
        if row.activated_at is None:
            continue
        until = row.deactivated_at or escort.last_deactivated_at
        conditions = [TrackingPosition.seal == row.seal_number,
                      TrackingPosition.fix_time >= row.activated_at]
        if until is not None:
            conditions.append(TrackingPosition.fix_time <= until)
        positions += session.execute(delete(TrackingPosition).where(*conditions)).rowcount
        conditions = [TrackingSituation.seal == row.seal_number,
                      TrackingSituation.occurred_at >= row.activated_at]
        if until is not None:
            conditions.append(TrackingSituation.occurred_at <= until)
        situations += session.execute(delete(TrackingSituation).where(*conditions)).rowcount
    return {"positions": positions, "situations": situations}


def _fingerprint(value: Any) -> str:
    return hashlib.sha256(json.dumps(jsonable(value), sort_keys=True).encode()).hexdigest()


def _purge_personal(session: Session, escort: Escort) -> dict[str, int]:
    people = 0
    for row in seals_of(session, escort):
        for column in ("affixed_by", "operator_person", "activated_by", "deactivated_by",
                       "removed_by"):
            if getattr(row, column):
                setattr(row, column, None)
                people += 1
    for request in session.scalars(select(DeactivationRequestRow)
                                   .where(DeactivationRequestRow.escort_id == escort.id)):
        request.vehicle_registration_number = None
    if escort.activation_message:
        escort.activation_message = {"purged": _fingerprint(escort.activation_message)}
    escort.route = None
    vehicle = session.get(Vehicle, escort.vehicle_id)
    others = session.scalar(select(Escort.id).where(Escort.vehicle_id == vehicle.id,
                                                    Escort.id != escort.id,
                                                    Escort.purged_at.is_(None)).limit(1))
    vehicles = 0
    if others is None and vehicle.registration_number:
        vehicle.registration_number, vehicle.purged_at = None, now_utc()
        vehicles = 1
    return {"personal_fields": people, "vehicles": vehicles}


def retention_job(session: Session, now: dt.datetime, limit: int = 200) -> int:
    """Worker job: escorts past their five years are marked deletable or purged."""
    today = local_date(now)
    due = list(session.scalars(
        select(Escort).where(Escort.deletable_from.is_not(None), Escort.deletable_from <= today,
                             Escort.purged_at.is_(None), Escort.hold.is_(False))
        .order_by(Escort.deletable_from, Escort.id).limit(limit)))
    action = get_setting("escort.retention_expiry_action").value
    done = 0
    for escort in due:
        if action == "delete":
            purge(session, SYSTEM, escort.id, at=now)
            done += 1
        elif escort.deletable_marked_at is None:
            escort.deletable_marked_at = now
            audit.append(session, actor=SYSTEM, action="escort.retention_expired",
                         case_id=escort.case_id, case_type=CASE_TYPE, basis=rules("§18(3)"),
                         at=now, data={"escort": escort.number,
                                       "kept_through": escort.kept_through,
                                       "action": action})
            done += 1
    session.flush()
    return done


JOBS = [send_situation_notices, retention_job]
