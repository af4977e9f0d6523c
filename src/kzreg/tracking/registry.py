"""What the escort room asks of the tracking system: seals, their (de)activation, signals,
tracks and non-routine situations.

Order 407 §9: the operator activates the seal for an escort (the §8 message carries the
route, "not established" allowed); §10: the officer checks that signals arrive
(`last_signals`); §11: 24/7 tracking and the non-routine situations to notify
(`unnotified_situations` / `mark_notified`); §14: deactivation ends control. The live
pipeline learns of (de)activations made here through `tracking_seals.updated_at`.

Every function takes the caller's `Session` (the caller's transaction) and aware datetimes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kzreg.escort._law import rules, utc
from kzreg.escort.messages import parse_route
from kzreg.law.errors import Conflict, InputError, NotFound
from kzreg.tracking.models import (
    DEVICE_KNOWN,
    SEAL_ACTIVE,
    SEAL_DEACTIVATED,
    SEAL_INACTIVE,
    TrackingDevice,
    TrackingPosition,
    TrackingQuarantine,
    TrackingSeal,
    TrackingSituation,
)
from kzreg.tracking.position import Position, SealState


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _text(value: str | None, field: str, limit: int = 64) -> str:
    if value is None or not str(value).strip():
        raise InputError("must not be empty", field=field)
    value = str(value).strip()
    if len(value) > limit:
        raise InputError(f"longer than {limit} characters", field=field)
    return value


def _seal(session: Session, seal_number: str) -> TrackingSeal:
    seal = session.get(TrackingSeal, _text(seal_number, "seal_number"))
    if seal is None:
        raise NotFound(f"navigation seal {seal_number} is not registered", field="seal_number")
    return seal


def register_seal(session: Session, seal_number: str, *, device_id: str,
                  protocol: str) -> None:
    """Bind a seal number to the device identity it logs in with. A device that was
    quarantined (it reported before it was registered) becomes known from now on."""
    seal_number = _text(seal_number, "seal_number")
    device_id = _text(device_id, "device_id")
    protocol = _text(protocol, "protocol", 20)
    device = session.get(TrackingDevice, device_id)
    if device is None:
        device = TrackingDevice(device_id=device_id, protocol=protocol)
        session.add(device)
    elif device.seal_number not in (None, seal_number):
        other = session.get(TrackingSeal, device.seal_number)
        if other is not None and other.status == SEAL_ACTIVE:
            raise Conflict(f"device {device_id} is the active seal {other.seal_number}",
                           field="device_id")
        if other is not None:           # a seal no longer under control gives its device up
            other.device_id, other.updated_at = None, _now()
            session.flush()
    device.protocol, device.seal_number, device.status = protocol, seal_number, DEVICE_KNOWN
    seal = session.get(TrackingSeal, seal_number)
    if seal is None:
        session.add(TrackingSeal(seal_number=seal_number, device_id=device_id,
                                 status=SEAL_INACTIVE, updated_at=_now()))
    elif seal.device_id != device_id:
        if seal.status == SEAL_ACTIVE:
            raise Conflict(f"seal {seal_number} is active with device {seal.device_id}",
                           field="seal_number")
        old = session.get(TrackingDevice, seal.device_id)
        if old is not None:
            old.seal_number = None
        seal.device_id, seal.updated_at = device_id, _now()
    session.flush()


def activate(session: Session, seal_number: str, *, at: dt.datetime,
             route: dict[str, Any] | str | None, corridor_m: int | None, escort_ref: str,
             departure_office: str, destination_office: str) -> None:
    """§9: the seal is under control from `at`; the silence is counted from then (§3(4))."""
    seal = _seal(session, seal_number)
    at = utc(at, "at")
    parse_route(route)                       # a malformed route is refused, naming the field
    if corridor_m is not None and (isinstance(corridor_m, bool) or int(corridor_m) <= 0):
        raise InputError("the corridor half-width must be a positive number of metres",
                         field="corridor_m")
    escort_ref = _text(escort_ref, "escort_ref", 100)
    if seal.status == SEAL_ACTIVE:
        if seal.escort_ref == escort_ref and seal.activated_at == at:
            return                           # the same activation again: nothing to do
        raise Conflict(f"seal {seal.seal_number} is already active for escort "
                       f"{seal.escort_ref}", field="seal_number", citation=rules("§9"))
    seal.status, seal.activated_at, seal.deactivated_at = SEAL_ACTIVE, at, None
    seal.route = route if isinstance(route, dict) else None
    seal.corridor_m = int(corridor_m) if corridor_m is not None else None
    seal.escort_ref = escort_ref
    seal.departure_office = _text(departure_office, "departure_office", 20)
    seal.destination_office = _text(destination_office, "destination_office", 20)
    seal.updated_at = _now()
    session.flush()


def deactivate(session: Session, seal_number: str, *, at: dt.datetime) -> None:
    """§14: control ends at `at`; a silence up to it is still judged."""
    seal = _seal(session, seal_number)
    at = utc(at, "at")
    if seal.status == SEAL_DEACTIVATED and seal.deactivated_at == at:
        return
    if seal.status != SEAL_ACTIVE:
        raise Conflict(f"seal {seal.seal_number} is not active", field="seal_number",
                       citation=rules("§14"))
    if seal.activated_at is not None and at < seal.activated_at:
        raise InputError("deactivation before activation", field="at", citation=rules("§14"))
    seal.status, seal.deactivated_at, seal.updated_at = SEAL_DEACTIVATED, at, _now()
    session.flush()


def last_signals(session: Session, seal_numbers: Iterable[str]) -> dict[str, dt.datetime | None]:
    """When each seal's device was last heard from (receipt time; any transmission counts,
    setting escort.signal_loss_signal_meaning); None for a seal never heard from."""
    wanted = list(dict.fromkeys(seal_numbers))
    found: dict[str, dt.datetime | None] = dict.fromkeys(wanted)
    for start in range(0, len(wanted), 5000):     # bound the statement's parameters
        rows = session.execute(
            select(TrackingSeal.seal_number, TrackingDevice.last_seen)
            .join(TrackingDevice, TrackingDevice.device_id == TrackingSeal.device_id)
            .where(TrackingSeal.seal_number.in_(wanted[start:start + 5000])))
        found.update({seal: seen for seal, seen in rows})
    return found


def _position(row: TrackingPosition) -> Position:
    return Position(device=row.device, fix_time=row.fix_time, lat=row.lat, lon=row.lon,
                    valid=row.valid, speed_kmh=row.speed, course=row.course,
                    seal_state=SealState(row.seal_state) if row.seal_state else None,
                    battery=row.battery, server_time=row.server_time, archive=row.archive)


def track(session: Session, seal_number: str, *, since: dt.datetime | None = None,
          until: dt.datetime | None = None) -> list[Position]:
    """The seal's stored positions in fix-time order (black-box records in their place)."""
    query = select(TrackingPosition).where(TrackingPosition.seal == seal_number)
    if since is not None:
        query = query.where(TrackingPosition.fix_time >= utc(since, "since"))
    if until is not None:
        query = query.where(TrackingPosition.fix_time <= utc(until, "until"))
    return [_position(row) for row in
            session.scalars(query.order_by(TrackingPosition.fix_time))]


def open_situations(session: Session, *,
                    seal_numbers: Sequence[str] | None = None) -> list[TrackingSituation]:
    """Situations that have not ended (signal not restored, seal still open, still outside)
    and were not retracted."""
    query = select(TrackingSituation).where(TrackingSituation.ended_at.is_(None),
                                            TrackingSituation.retracted_at.is_(None))
    if seal_numbers is not None:
        query = query.where(TrackingSituation.seal.in_(list(seal_numbers)))
    return list(session.scalars(query.order_by(TrackingSituation.id)))


def unnotified_situations(session: Session, limit: int = 100) -> list[TrackingSituation]:
    """Situations whose §11 notices the escort room has not sent yet, oldest first."""
    return list(session.scalars(
        select(TrackingSituation).where(TrackingSituation.escort_notified_at.is_(None))
        .order_by(TrackingSituation.id).limit(limit)))


def mark_notified(session: Session, situation_id: int, at: dt.datetime) -> None:
    situation = session.get(TrackingSituation, situation_id)
    if situation is None:
        raise NotFound(f"situation {situation_id} does not exist", field="situation_id")
    if situation.escort_notified_at is None:
        situation.escort_notified_at = utc(at, "at")
        session.flush()


def quarantined(session: Session, *, limit: int = 100,
                device: str | None = None) -> list[TrackingQuarantine]:
    """What the pipeline would not store as a seal's position, newest first, with the
    reason (unknown device, impossible time): the operator's quarantine view."""
    query = select(TrackingQuarantine)
    if device is not None:
        query = query.where(TrackingQuarantine.device == device)
    return list(session.scalars(query.order_by(TrackingQuarantine.id.desc()).limit(limit)))


def seal_rows(session: Session, *, changed_since: dt.datetime | None = None,
              active_only: bool = False) -> list[TrackingSeal]:
    """Seals for the live pipeline: all active ones at start, then those changed since."""
    query = select(TrackingSeal)
    if changed_since is not None:
        query = query.where(TrackingSeal.updated_at >= changed_since)
    if active_only:
        query = query.where(TrackingSeal.status == SEAL_ACTIVE)
    return list(session.scalars(query))
