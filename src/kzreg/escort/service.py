"""The escort's domain operations (Order 407, Rules §5-§18): the decision, acting, reading.

Every step goes through `act(session, actor, escort_id, step, payload, at)`, which checks,
before anything is written, that the actor sees the escort (else 404), that the step's
role may act (§9/§14 read with the setting `escort.seal_activation_actor`) and that an
officer acts for the right office (§5-§10 departure, §12-§15 destination). A refusal is
written to the audit log (`escort.refused`) and committed on its own, then raised: the
request fails, its trace stays. Then the step validates its payload (the Rules' own
messages: §8 six items, §13 three items), does its work, fires the case transition (which
audits it with its clause and moves the deadlines) and makes the step's documents: the
handlers are in `kzreg.escort.steps`, the reference data in `kzreg.escort.reference`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, Field, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from kzreg.escort import workflow
from kzreg.escort._law import rules
from kzreg.escort.models import (
    Escort,
    Vehicle,
)
from kzreg.escort.reference import company, declaration, office, people, seals_of
from kzreg.escort.steps import STEPS, Step
from kzreg.law.calendar import now_utc, to_utc
from kzreg.law.citations import Citation
from kzreg.law.errors import Conflict, Forbidden, InputError, KzregError, NotFound
from kzreg.law.settings import get_setting
from kzreg.platform import audit
from kzreg.platform.actors import SYSTEM, Actor, Role
from kzreg.platform.cases import Case, get_case_for, in_scope, open_case
from kzreg.platform.notifications import notify

CASE_TYPE = workflow.CASE_TYPE


def _at(at: dt.datetime | None) -> dt.datetime:
    return now_utc() if at is None else to_utc(at, field="at")


def _parse(model: type[BaseModel], payload: Any) -> Any:
    if isinstance(payload, model):
        return payload
    try:
        return model.model_validate(payload or {})
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "payload"
        raise InputError(first["msg"], field=where) from None


# --- the decision (§5) ---------------------------------------------------------------------

class DecisionIn(BaseModel):
    """What the head of the departure office decides (§5) and on what it rests."""

    rms_case: str = Field(min_length=1, max_length=100, description="The case of the risk "
                          "management system the decision rests on (§5)")
    departure_office: str
    destination_office: str
    declarant_bin: str
    declarant_name: str | None = None
    carrier_bin: str
    carrier_name: str | None = None
    vehicle_registration_number: str = Field(min_length=2, max_length=20)
    compartments: int = Field(1, ge=1, le=20)
    transit_declaration_number: str | None = Field(None, max_length=40)
    transit_period: dt.date | None = None
    goods: str | None = Field(None, max_length=2000)
    route: Any = Field(None, description='GeoJSON LineString, or null / "not established"')
    corridor_m: int | None = Field(None, gt=0, le=50_000)


def decide(session: Session, actor: Actor, inp: DecisionIn | dict,
           at: dt.datetime | None = None) -> Escort:
    """§5: the head of the departure office decides; the parties are informed at once."""
    from kzreg.escort.messages import parse_route

    at = _at(at)
    inp = _parse(DecisionIn, inp)
    if actor.role != Role.CUSTOMS_HEAD:
        refuse(session, actor, None, "decide", f"a {actor.role} may not decide on an escort: "
                "the head of the departure office decides (§5)")
    departure = office(session, inp.departure_office, "departure_office")
    destination = office(session, inp.destination_office, "destination_office")
    if departure.code not in actor.offices:
        refuse(session, actor, None, "decide", f"you head office(s) "
                f"{', '.join(sorted(actor.offices))}, not the departure office {departure.code}")
    if departure.code == destination.code:
        raise InputError("the destination office differs from the departure office",
                         field="destination_office")
    declarant = company(session, inp.declarant_bin, inp.declarant_name, "declarant_bin")
    carrier = company(session, inp.carrier_bin, inp.carrier_name, "carrier_bin")
    route = parse_route(inp.route)
    plate = "".join(inp.vehicle_registration_number.split()).upper()
    vehicle = session.scalar(select(Vehicle).where(Vehicle.registration_number == plate))
    if vehicle is None:
        vehicle = Vehicle(registration_number=plate, carrier_bin=carrier.bin,
                          compartments=inp.compartments)
        session.add(vehicle)
    vehicle.compartments = inp.compartments
    session.flush()
    case = open_case(session, CASE_TYPE, actor=actor, at=at,
                     title=f"Escort {departure.code} → {destination.code}",
                     party_bins=sorted({declarant.bin, carrier.bin}),
                     office_codes=[departure.code, destination.code],
                     data={"rms_case": inp.rms_case})
    escort = Escort(case_id=case.id, number=f"ES-{departure.code}-{case.id:06d}",
                    rms_case=inp.rms_case.strip(), decided_at=at, decided_by=actor.username,
                    departure_office=departure.code, destination_office=destination.code,
                    declarant_bin=declarant.bin, carrier_bin=carrier.bin,
                    vehicle_id=vehicle.id, transit_period=inp.transit_period,
                    route=[list(p) for p in route] if route else None,
                    corridor_m=inp.corridor_m, high_risk=False, hold=False)
    session.add(escort)
    session.flush()
    case.title = f"{escort.number}: {departure.code} → {destination.code}"
    case.data = {**case.data, "escort_id": escort.id, "number": escort.number}
    if inp.transit_declaration_number:
        declaration(session, escort, inp.transit_declaration_number, True, inp.goods)
    _inform_parties(session, escort, at)
    session.flush()
    return escort


def _inform_parties(session: Session, escort: Escort, at: dt.datetime) -> None:
    """§5, §17: the declarant, the carrier and the operator learn of the decision."""
    if get_setting("escort.parties_informed_via").value != "workplace_notice":
        return
    subject = f"Electronic customs escort {escort.number} decided"
    body = (f"The head of customs office {escort.departure_office} decided on electronic "
            f"customs escort to office {escort.destination_office} (basis: risk management "
            f"case {escort.rms_case}).")
    for column, informed in (
            ("declarant_informed_at", people(session, Role.DECLARANT, bin_=escort.declarant_bin)),
            ("carrier_informed_at", people(session, Role.CARRIER, bin_=escort.carrier_bin)),
            ("operator_informed_at", people(session, Role.OPERATOR))):
        if informed:
            notify(session, recipients=[u.id for u in informed], subject=subject, body=body,
                   case_id=escort.case_id, kind="decision", basis=rules("§5"), at=at)
            setattr(escort, column, at)


# --- finding the escort, refusing ----------------------------------------------------------

def escort_of_case(session: Session, case_id: int) -> Escort:
    found = session.scalar(select(Escort).where(Escort.case_id == case_id))
    if found is None:
        raise NotFound(f"case {case_id} is not an escort", field="case_id")
    return found


def get_escort(session: Session, actor: Actor, escort_id: int) -> tuple[Escort, Case]:
    """The escort if the actor sees its case; NotFound otherwise (existence not revealed)."""
    escort = session.get(Escort, escort_id)
    if escort is None:
        raise NotFound(f"no escort {escort_id}", field="escort_id")
    return escort, get_case_for(session, actor, escort.case_id)


def refuse(session: Session, actor: Actor, escort: Escort | None, step: str, reason: str,
            error: type[KzregError] = Forbidden, field: str = "step") -> None:
    """Record the refusal in the audit log, keep it although the request fails, raise."""
    session.rollback()       # nothing of this step is kept, only the refusal
    audit.append(session, actor=actor, action="escort.refused",
                 case_id=escort.case_id if escort else None, case_type=CASE_TYPE,
                 data={"step": step, "reason": reason,
                       "escort": escort.number if escort else None})
    session.commit()
    raise error(reason, field=field)


def _check_actor(session: Session, actor: Actor, escort_id: int, step: str) -> tuple[Escort,
                                                                                      Case]:
    escort = session.get(Escort, escort_id)
    if escort is None:
        raise NotFound(f"no escort {escort_id}", field="escort_id")
    case = session.get(Case, escort.case_id)
    if case is None or not in_scope(actor, case):
        refuse(session, actor, escort, step, "outside your scope", NotFound, "escort_id")
    if actor.read_only:
        refuse(session, actor, escort, step, "auditors read, they never act")
    allowed = _roles_for(step)
    if actor.role not in allowed:
        names = ", ".join(sorted(r.value for r in allowed))
        refuse(session, actor, escort, step, f"a {actor.role} may not {step} (only {names})")
    side = ("departure" if step in workflow.DEPARTURE_STEPS else
            "destination" if step in workflow.DESTINATION_STEPS else None)
    if actor.role.is_customs and side is not None:
        code = escort.departure_office if side == "departure" else escort.destination_office
        if code not in actor.offices:
            refuse(session, actor, escort, step, f"{step} is a step of the {side} office "
                    f"{code}; you act for {', '.join(sorted(actor.offices))}")
    return escort, case


def _roles_for(step: str) -> frozenset[Role]:
    actor_setting = get_setting("escort.seal_activation_actor").value
    switching = (frozenset({Role.OPERATOR}) if actor_setting == "national_operator"
                 else frozenset({Role.CUSTOMS_OFFICER}))
    if step in ("activate", "deactivate_seal"):
        return switching
    if step == "arrive":
        return (frozenset({Role.CARRIER}) if get_setting("escort.arrival_recorded_by").value
                == "carrier" else frozenset({Role.CUSTOMS_OFFICER}))
    if step == "inspect_destination":
        return frozenset({Role.CUSTOMS_OFFICER})
    t = workflow.ESCORT.transition(step)
    if t is None:
        raise InputError(f"an escort has no step {step!r}", field="step")
    return t.roles


# --- acting ------------------------------------------------------------------------------

def act(session: Session, actor: Actor, escort_id: int, step_name: str,
        payload: Any = None, at: dt.datetime | None = None) -> Escort:
    """Carry out one step of the escort as `actor` (see the module docstring)."""
    at = _at(at)
    the_step = STEPS.get(step_name)
    if the_step is None:
        raise InputError(f"an escort has no step {step_name!r}; steps: "
                         f"{', '.join(STEPS)}", field="step")
    escort, case = _check_actor(session, actor, escort_id, step_name)
    if escort.purged_at is not None:
        raise Conflict("the escort's data were purged (§18(3))", field="escort_id")
    value = _parse(the_step.payload, payload)
    the_step.run(session, actor, escort, case, value, at)
    session.flush()
    return escort


# --- reading -------------------------------------------------------------------------------

def escorts_for(session: Session, actor: Actor, *, active_only: bool = False,
                limit: int = 200) -> list[tuple[Escort, Case]]:
    from kzreg.platform.cases import visible_cases

    query = (visible_cases(session, actor).where(Case.case_type == CASE_TYPE)
             .order_by(Case.id.desc()).limit(limit))
    if active_only:
        query = query.where(Case.closed_at.is_(None))
    cases = list(session.scalars(query))
    by_case = {e.case_id: e for e in session.scalars(
        select(Escort).where(Escort.case_id.in_([c.id for c in cases])))}
    return [(by_case[c.id], c) for c in cases if c.id in by_case]


def allowed_steps(session: Session, actor: Actor, escort: Escort, case: Case) -> list[Step]:
    """The steps this actor could take now (role, office and state; payload aside)."""
    if actor.read_only or case.state == "closed" or escort.purged_at is not None:
        return []
    result = []
    for name, the_step in STEPS.items():
        transitions = (("complete", "classify_high_risk") if name == "inspect_destination"
                       else ("deactivate_seal", "deactivate") if name == "deactivate_seal"
                       else ("remove_seal", "close") if name == "remove_seal" else (name,))
        states = {st for t in transitions for st in workflow.ESCORT.transition(t).sources}
        if name == "remove_seal":              # each seal once the operator switched it off
            states.add("deactivation_requested")
        if case.state not in states or not _step_has_work(session, escort, name):
            continue
        if actor.role not in _roles_for(name):
            continue
        side = ("departure" if name in workflow.DEPARTURE_STEPS else
                "destination" if name in workflow.DESTINATION_STEPS else None)
        if actor.role.is_customs and side is not None:
            code = escort.departure_office if side == "departure" else escort.destination_office
            if code not in actor.offices:
                continue
        result.append(the_step)
    return result


def _step_has_work(session: Session, escort: Escort, name: str) -> bool:
    """A per-seal step is offered only while a seal awaits it."""
    if name == "deactivate_seal":
        return any(r.deactivated_at is None for r in seals_of(session, escort))
    if name == "remove_seal":
        return any(r.deactivated_at is not None and r.removed_at is None
                   for r in seals_of(session, escort))
    return True


def system_actor() -> Actor:
    return SYSTEM


def cite_ref(ref: str | None) -> str:
    return str(Citation.parse(ref)) if ref else ""

