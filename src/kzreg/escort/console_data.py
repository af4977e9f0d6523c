"""What the operator's console shows, read from the tracking and escort tables, per scope.

Order 407 §11: the national operator tracks every activated seal 24/7 and reports the
non-routine situations of §3(8) to the departure and destination offices; §10: the officer
checks that the signals arrive. The console is that picture: the active seals with their
last signal and position, their routes and corridors (§8(6)), their open situations with
the §11 notice deadline, and the devices the pipeline quarantined.

Scope (who sees which seals): the operator, administrators and auditors see all; customs
officers and heads the seals whose departure or destination office is theirs; carriers
and declarants the seals of their own escorts (by BIN). Anyone else sees nothing.

`changes()` is the live feed's poll: it finds what was stored since a watermark using
only indexed or small lookups — devices heard from since the last poll (one row per
device), their new positions by primary-key prefix, situations and quarantine rows by id —
so it costs the same on SQLite and PostgreSQL whatever the size of the position table.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from kzreg.escort._law import SIGNAL_LOSS_THRESHOLD, rules
from kzreg.escort.models import Escort, EscortSeal
from kzreg.platform.actors import Actor, Role
from kzreg.platform.audit import AuditEntry
from kzreg.tracking.models import (
    SEAL_ACTIVE,
    TrackingDevice,
    TrackingPosition,
    TrackingQuarantine,
    TrackingSeal,
    TrackingSituation,
)

ACK_ACTION = "escort.situation.acknowledged"
ESCORT_PAGE = "/escort/{id}"
ALL_SEALS = frozenset({Role.ADMIN, Role.AUDITOR, Role.OPERATOR})
TRACK_POINTS = 500          # a track on the map is thinned to at most this many points
LATE_WINDOW = dt.timedelta(seconds=10)  # a batch committed late is still caught


def may_watch(actor: Actor) -> bool:
    return actor.role in ALL_SEALS or actor.role.is_customs or actor.role in (
        Role.CARRIER, Role.DECLARANT)


def sees_quarantine(actor: Actor) -> bool:
    return actor.role in ALL_SEALS


def scoped(query: Select, actor: Actor) -> Select:
    """Restrict a query over TrackingSeal to the seals the actor may watch."""
    if actor.role in ALL_SEALS:
        return query
    if actor.role.is_customs:
        offices = sorted(actor.offices)
        return query.where(or_(TrackingSeal.departure_office.in_(offices),
                               TrackingSeal.destination_office.in_(offices)))
    if actor.role in (Role.CARRIER, Role.DECLARANT) and actor.bin:
        column = Escort.carrier_bin if actor.role == Role.CARRIER else Escort.declarant_bin
        own = (select(EscortSeal.seal_number).join(Escort, Escort.id == EscortSeal.escort_id)
               .where(column == actor.bin))
        return query.where(TrackingSeal.seal_number.in_(own))
    return query.where(False)


def _iso(value: dt.datetime | None) -> str | None:
    return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z") if value else None


def _route_points(route: dict[str, Any] | None) -> list[list[float]] | None:
    """The route's line as [[lon, lat], ...] (a GeoJSON LineString, Feature or list)."""
    if not route:
        return None
    geometry = route.get("geometry", route) if isinstance(route, dict) else {"coordinates": route}
    coordinates = geometry.get("coordinates") if isinstance(geometry, dict) else None
    if not coordinates:
        return None
    return [[float(p[0]), float(p[1])] for p in coordinates]


def position_json(row: TrackingPosition) -> dict[str, Any]:
    return {"seal": row.seal, "device": row.device, "lat": row.lat, "lon": row.lon,
            "fix_time": _iso(row.fix_time), "server_time": _iso(row.server_time),
            "speed": row.speed, "course": row.course, "valid": row.valid,
            "seal_state": row.seal_state, "archive": row.archive}


def situation_json(row: TrackingSituation, acknowledged: dict[int, dict[str, Any]]
                   ) -> dict[str, Any]:
    return {"id": row.id, "seal": row.seal, "type": row.type,
            "started_at": _iso(row.started_at), "occurred_at": _iso(row.occurred_at),
            "detected_at": _iso(row.detected_at), "notify_by": _iso(row.notify_by),
            "ended_at": _iso(row.ended_at), "evidence": row.evidence or {},
            "notified_at": _iso(row.escort_notified_at),
            "acknowledged": acknowledged.get(row.id),
            "basis": rules("§11").ref}


def quarantine_json(row: TrackingQuarantine) -> dict[str, Any]:
    return {"id": row.id, "device": row.device, "protocol": row.protocol,
            "reason": row.reason, "received_at": _iso(row.received_at),
            "fix_time": _iso(row.fix_time)}


def _escorts_by_seal(session: Session, seal_numbers: list[str]) -> dict[str, dict[str, Any]]:
    if not seal_numbers:
        return {}
    rows = session.execute(
        select(EscortSeal.seal_number, Escort.id, Escort.number, Escort.carrier_bin)
        .join(Escort, Escort.id == EscortSeal.escort_id)
        .where(EscortSeal.seal_number.in_(seal_numbers), EscortSeal.deactivated_at.is_(None))
        .order_by(EscortSeal.id))
    return {seal: {"id": escort_id, "number": number, "carrier_bin": carrier,
                   "link": ESCORT_PAGE.format(id=escort_id)}
            for seal, escort_id, number, carrier in rows}


def acknowledgements(session: Session, situation_ids: list[int]) -> dict[int, dict[str, Any]]:
    """Who acknowledged which situation on the console (from the audit log: the log is
    the record, so an acknowledgement cannot be altered afterwards)."""
    if not situation_ids:
        return {}
    wanted = set(situation_ids)
    found: dict[int, dict[str, Any]] = {}
    rows = session.execute(select(AuditEntry.data, AuditEntry.actor, AuditEntry.at)
                           .where(AuditEntry.action == ACK_ACTION).order_by(AuditEntry.seq))
    for data, actor, at in rows:
        situation_id = json.loads(data).get("situation_id")
        if situation_id in wanted and situation_id not in found:
            found[situation_id] = {"by": actor, "at": _iso(at)}
    return found


def active_seals(session: Session, actor: Actor) -> list[TrackingSeal]:
    query = scoped(select(TrackingSeal).where(TrackingSeal.status == SEAL_ACTIVE), actor)
    return list(session.scalars(query.order_by(TrackingSeal.seal_number)))


def snapshot(session: Session, actor: Actor, now: dt.datetime) -> dict[str, Any]:
    """Everything the console page draws first; the live feed then sends what changes."""
    seals = active_seals(session, actor)
    numbers = [s.seal_number for s in seals]
    devices = {d.device_id: d for d in session.scalars(
        select(TrackingDevice).where(TrackingDevice.device_id.in_(
            [s.device_id for s in seals if s.device_id])))}
    escorts = _escorts_by_seal(session, numbers)
    situations = list(session.scalars(
        select(TrackingSituation).where(TrackingSituation.seal.in_(numbers),
                                        TrackingSituation.ended_at.is_(None))
        .order_by(TrackingSituation.id))) if numbers else []
    acks = acknowledgements(session, [s.id for s in situations])
    out_seals = []
    for seal in seals:
        device = devices.get(seal.device_id or "")
        last = None
        if seal.device_id:
            last = session.scalars(
                select(TrackingPosition).where(TrackingPosition.device == seal.device_id)
                .order_by(TrackingPosition.fix_time.desc()).limit(1)).first()
        out_seals.append({
            "seal": seal.seal_number, "device": seal.device_id,
            "escort_ref": seal.escort_ref, "escort": escorts.get(seal.seal_number),
            "departure_office": seal.departure_office,
            "destination_office": seal.destination_office,
            "activated_at": _iso(seal.activated_at),
            "last_seen": _iso(device.last_seen if device else None),
            "last_position": position_json(last) if last is not None else None,
            "route": _route_points(seal.route), "corridor_m": seal.corridor_m,
        })
    quarantine = []
    if sees_quarantine(actor):
        quarantine = [quarantine_json(q) for q in session.scalars(
            select(TrackingQuarantine).order_by(TrackingQuarantine.id.desc()).limit(50))]
    return {"now": _iso(now), "seals": out_seals,
            "situations": [situation_json(s, acks) for s in situations],
            "quarantine": quarantine, "watermark": Watermark.start(session, now).token(),
            "signal_loss_after_s": int(SIGNAL_LOSS_THRESHOLD.total_seconds()),
            "can_acknowledge": not actor.read_only and actor.role in ALL_SEALS}


def track(session: Session, actor: Actor, seal_number: str) -> dict[str, Any] | None:
    """The seal's track since activation, thinned for drawing (None if out of scope)."""
    seal = session.scalars(scoped(select(TrackingSeal).where(
        TrackingSeal.seal_number == seal_number), actor)).first()
    if seal is None:
        return None
    query = select(TrackingPosition.lon, TrackingPosition.lat).where(
        TrackingPosition.seal == seal_number)
    if seal.activated_at is not None:
        query = query.where(TrackingPosition.fix_time >= seal.activated_at)
    points = [[lon, lat] for lon, lat in session.execute(
        query.order_by(TrackingPosition.fix_time))]
    step = max(1, -(-len(points) // TRACK_POINTS))
    thinned = points[::step]
    if points and thinned[-1] != points[-1]:
        thinned.append(points[-1])
    return {"seal": seal_number, "points": thinned, "count": len(points)}


@dataclass
class Watermark:
    """How far the live feed has read: devices heard from up to `seen` (receipt time),
    situations, quarantine rows and seal changes up to their ids/times."""

    seen: dt.datetime
    situation_id: int
    quarantine_id: int
    seals_at: dt.datetime
    recent: dict[tuple[str, str], dt.datetime] = field(default_factory=dict)

    @classmethod
    def start(cls, session: Session, now: dt.datetime) -> Watermark:
        top = session.scalar(select(TrackingSituation.id).order_by(
            TrackingSituation.id.desc()).limit(1)) or 0
        quarantine = session.scalar(select(TrackingQuarantine.id).order_by(
            TrackingQuarantine.id.desc()).limit(1)) or 0
        return cls(now, top, quarantine, now)

    def token(self) -> str:
        return f"{self.seen.timestamp():.6f}:{self.situation_id}:{self.quarantine_id}:" \
               f"{self.seals_at.timestamp():.6f}"

    @classmethod
    def parse(cls, token: str | None) -> Watermark | None:
        try:
            seen, situation, quarantine, seals = (token or "").split(":")
            return cls(dt.datetime.fromtimestamp(float(seen), dt.UTC), int(situation),
                       int(quarantine), dt.datetime.fromtimestamp(float(seals), dt.UTC))
        except ValueError:
            return None


def changes(session: Session, actor: Actor, mark: Watermark, now: dt.datetime
            ) -> list[tuple[str, dict[str, Any]]]:
    """The events stored since `mark` that the actor may see; `mark` is moved on."""
    events: list[tuple[str, dict[str, Any]]] = []
    since = mark.seen - LATE_WINDOW
    heard = session.execute(scoped(
        select(TrackingSeal.seal_number, TrackingDevice.device_id, TrackingDevice.last_seen)
        .join(TrackingDevice, TrackingDevice.device_id == TrackingSeal.device_id)
        .where(TrackingSeal.status == SEAL_ACTIVE, TrackingDevice.last_seen > since),
        actor)).all()
    for seal_number, device, last_seen in heard:
        if mark.recent.get(("seen", device)) == last_seen:
            continue
        mark.recent[("seen", device)] = last_seen
        rows = session.scalars(
            select(TrackingPosition).where(TrackingPosition.device == device,
                                           TrackingPosition.server_time > since)
            .order_by(TrackingPosition.fix_time)).all()
        for row in rows:
            key = (row.device, _iso(row.fix_time) or "")
            if key not in mark.recent:
                mark.recent[key] = row.server_time
                events.append(("position", position_json(row)))
        events.append(("signal", {"seal": seal_number, "last_seen": _iso(last_seen)}))
    mark.seen = now

    visible = {s.seal_number for s in active_seals(session, actor)}
    new = list(session.scalars(select(TrackingSituation).where(
        TrackingSituation.id > mark.situation_id).order_by(TrackingSituation.id)))
    ended = list(session.scalars(select(TrackingSituation).where(
        TrackingSituation.ended_at.is_not(None), TrackingSituation.ended_at > since,
        TrackingSituation.id <= mark.situation_id)))
    ended = [s for s in ended if ("ended", str(s.id)) not in mark.recent]
    for situation in ended:
        mark.recent[("ended", str(situation.id))] = situation.ended_at
    shown = [s for s in (*new, *ended) if s.seal in visible]
    acks = acknowledgements(session, [s.id for s in shown])
    events += [("situation", situation_json(s, acks)) for s in shown]
    if new:
        mark.situation_id = new[-1].id

    if sees_quarantine(actor):
        rows = list(session.scalars(select(TrackingQuarantine).where(
            TrackingQuarantine.id > mark.quarantine_id).order_by(TrackingQuarantine.id)))
        events += [("quarantine", quarantine_json(q)) for q in rows]
        if rows:
            mark.quarantine_id = rows[-1].id

    changed = session.scalar(select(TrackingSeal.updated_at).where(
        TrackingSeal.updated_at > mark.seals_at).order_by(
        TrackingSeal.updated_at.desc()).limit(1))
    if changed is not None:
        mark.seals_at = changed
        events.append(("seals", {"changed_at": _iso(changed)}))
    horizon = now - 2 * LATE_WINDOW           # forget what can no longer come back
    mark.recent = {k: t for k, t in mark.recent.items() if t is None or t > horizon}
    return events
