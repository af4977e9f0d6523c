"""Demo escorts in every state of the workflow (Order 407), between the demo offices
Almaty (50511) and Khorgos (51730), for the demo carrier and declarant.

Each escort is driven through the real service steps by the demo people (the head decides,
the officers of the right office act, the operator activates), back-dated so the deadlines
shown are the ones a real day would have. The four escorts in transit carry the seals
`kzreg tracking simulate` drives by default (SIM-001 … SIM-004, same device identities,
protocols and roads), so running the simulator makes their alerts arrive in these escorts.
Idempotent: nothing is added when the demo escorts exist.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from kzreg.escort import reference, service
from kzreg.escort.models import CustomsOffice, Escort, Seal
from kzreg.law.calendar import now_utc
from kzreg.platform.actors import Role
from kzreg.platform.demo import COMPANIES, DEMO_PASSWORD, OFFICE_ALMATY, OFFICE_KHORGOS
from kzreg.platform.users import create_user, find_user, get_user

RMS_PREFIX = "DEMO-RMS-"
KHORGOS_HEAD = "customs.head.khorgos"
OFFICES = {
    OFFICE_ALMATY: ("Таможенный пост «Алматы — ЦТО»", "«Алматы — КРО» кеден бекеті",
                    "Customs control zone of the Almaty terminal"),
    OFFICE_KHORGOS: ("Таможенный пост «Хоргос»", "«Қорғас» кеден бекеті",
                     "Customs control zone at the Khorgos border crossing"),
}
_BIN = {c.key: c for c in COMPANIES}

# (target state, seals) in the order the steps lead there; `sim` = the simulator's seals
PATH = ("organise", "inspect_departure", "register_documents", "send_activation_message",
        "affix", "activate", "verify_signal", "arrive", "submit_documents",
        "inspect_destination", "deactivate_seal", "remove_seal")
STOP_BEFORE = {"decided": "organise", "organised": "inspect_departure",
               "inspected": "register_documents",
               "documents_registered": "send_activation_message",
               "operator_informed": "affix", "sealed": "activate", "active": "verify_signal",
               "in_transit": "arrive", "arrived": "submit_documents",
               "documents_submitted": "inspect_destination", "high_risk": "deactivate_seal",
               "deactivation_requested": "deactivate_seal", "deactivated": "remove_seal",
               "closed": None}
STATES = tuple(STOP_BEFORE)


def load(session: Session) -> str | None:
    if find_user(session, "customs.head") is None:
        return None                                   # the platform's demo people first
    if session.scalar(select(Escort.id).where(Escort.rms_case.like(f"{RMS_PREFIX}%"))):
        return None
    _people(session)
    admin = _system_admin()
    for code, (name, name_kk, zone) in OFFICES.items():
        if session.get(CustomsOffice, code) is None:
            reference.register_office(session, admin, code=code, name=name, name_kk=name_kk,
                                    control_zone=zone)
    sim = _sim_seals(session)
    spare = iter(_spare_seals(session, len(STATES)))
    now = now_utc()
    made = 0
    for n, state in enumerate(STATES):
        if state == "in_transit":
            for i, seal in enumerate(sim):
                made += 1
                _escort(session, made, state, [seal.seal_number], seal.route,
                        back=seal.departure == OFFICE_KHORGOS,
                        start=now - dt.timedelta(hours=3, minutes=10 * i))
            continue
        made += 1
        _escort(session, made, state, [next(spare)], None, back=n % 3 == 2,
                start=now - dt.timedelta(hours=_age(state)))
    return f"escort: {made} demo escorts in {len(STATES)} states (seals SIM-001…004 in transit)"


def _age(state: str) -> float:
    """How many hours ago the demo escort in `state` was decided."""
    return {"decided": 2, "closed": 30, "deactivated": 26, "high_risk": 24,
            "deactivation_requested": 3.5}.get(state, 3 + STATES.index(state))


def _people(session: Session) -> None:
    if find_user(session, KHORGOS_HEAD) is None:
        create_user(session, KHORGOS_HEAD, Role.CUSTOMS_HEAD, DEMO_PASSWORD,
                    offices=[OFFICE_KHORGOS], full_name="Ержан Қалиев",
                    email=f"{KHORGOS_HEAD}@demo.kzreg.invalid")
        session.flush()


def _system_admin():
    from kzreg.platform.actors import Actor

    return Actor("demo", Role.ADMIN)


def _sim_seals(session: Session) -> list:
    from kzreg.tracking.simulator import Scenario, plan

    seals = plan(4, list(Scenario), prefix="SIM")
    operator = get_user(session, "operator").actor()
    for seal in seals:
        if session.scalar(select(Seal).where(Seal.number == seal.seal_number)) is None:
            reference.register_seal(session, operator, number=seal.seal_number,
                                  device_id=seal.device_id, protocol=seal.protocol)
    return seals


def _spare_seals(session: Session, count: int) -> list[str]:
    operator = get_user(session, "operator").actor()
    numbers = []
    for i in range(1, count + 1):
        number = f"KZNS-{i:04d}"
        if session.scalar(select(Seal).where(Seal.number == number)) is None:
            reference.register_seal(session, operator, number=number,
                                  device_id=f"8600000000{10000 + i:05d}", protocol="wialon-ips")
        numbers.append(number)
    return numbers


def _escort(session: Session, index: int, state: str, seals: list[str], route, *,
            back: bool, start: dt.datetime) -> None:
    rms = f"{RMS_PREFIX}{index:03d}"
    departure, destination = ((OFFICE_KHORGOS, OFFICE_ALMATY) if back
                              else (OFFICE_ALMATY, OFFICE_KHORGOS))
    head = get_user(session, KHORGOS_HEAD if back else "customs.head").actor()
    dep = get_user(session, "customs.khorgos" if back else "customs.almaty").actor()
    dest = get_user(session, "customs.almaty" if back else "customs.khorgos").actor()
    operator = get_user(session, "operator").actor()
    carrier = get_user(session, "carrier").actor()
    plate = f"{100 + index * 37:03d} KZA {'05' if back else '02'}"
    escort = service.decide(session, head, {
        "rms_case": rms, "departure_office": departure, "destination_office": destination,
        "declarant_bin": _BIN["shekara"].bin, "declarant_name": _BIN["shekara"].name,
        "carrier_bin": _BIN["kerueen"].bin, "carrier_name": _BIN["kerueen"].name,
        "vehicle_registration_number": plate, "compartments": 1,
        "transit_period": (start + dt.timedelta(days=10)).date().isoformat(),
        "goods": "Household appliances, 18 pallets"}, at=start)
    if state == "decided":
        return
    td = f"{departure}/{start:%d%m%y}/{rms[-3:]}"
    dest_name = OFFICES[destination][0]
    payloads = {
        "organise": (dep, {}),
        "inspect_departure": (dep, {"act_number": f"{departure}/{rms[-3:]}",
                                    "findings": "Cargo compartment closed; no remarks."}),
        "register_documents": (dep, {"transit_declaration_number": td}),
        "send_activation_message": (dep, {
            "seal_number": seals, "transit_declaration_number": td,
            "vehicle_registration_number": plate, "destination_office_code": destination,
            "destination_office_name": dest_name,
            "transit_period": (start + dt.timedelta(days=10)).date().isoformat(),
            "route": {"type": "LineString", "coordinates": [list(p) for p in route]}
            if route else "not established"}),
        "affix": (dep, {"operator_person": "Д. Мұхамедиев"}),
        "activate": (operator, {}),
        "verify_signal": (dep, {}),
        "arrive": (dest, {}),
        "submit_documents": (carrier, {"transit_declaration_number": td}),
        "inspect_destination": (dest, {
            "act_number": f"{destination}/{rms[-3:]}",
            "seals": [{"number": s, "intact": True} for s in seals],
            "compartments_intact": True,
            "goods_match_declaration": state != "high_risk",
            "illegal_actions": ["change of quantity"] if state == "high_risk" else []}),
    }
    stop = STOP_BEFORE[state]
    at = start
    for name in PATH:
        if name == stop:
            return
        at += dt.timedelta(minutes=20)
        if name == "verify_signal":
            _heard(session, seals, at)
        if name in ("deactivate_seal", "remove_seal"):
            for seal in seals:
                service.act(session, operator if name == "deactivate_seal" else dest,
                            escort.id, name, {"seal_number": seal}, at=at)
            continue
        who, payload = payloads[name]
        service.act(session, who, escort.id, name, payload, at=at)


def _heard(session: Session, seals: list[str], at: dt.datetime) -> None:
    """The devices answered after activation (what the pipeline records on reception)."""
    from kzreg.tracking.models import TrackingDevice, TrackingSeal

    for number in seals:
        device = session.get(TrackingDevice, session.get(TrackingSeal, number).device_id)
        device.last_seen = max(device.last_seen or at, at)
