"""The steps of an escort (Order 407, Rules §5-§16), one handler each.

A handler is registered with `@step(name, payload, title)` and called by
`kzreg.escort.service.act` only after the actor, the office and the payload were checked;
it does its work, fires the case transition (which audits it with its clause and moves the
deadlines) and makes the step's documents and records.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, Field, field_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from kzreg.escort import workflow
from kzreg.escort._law import rules
from kzreg.escort.completion import ArrivalFindings, SealAtArrival, judge_completion
from kzreg.escort.deadlines import (
    DeactivationTiming,
    DecisionInput,
    RetentionInput,
    deactivation_deadline,
    organise_deadline,
    retention,
)
from kzreg.escort.messages import (
    NOT_ESTABLISHED,
    ActivationMessage,
    DeactivationRequest,
    check_activation_message,
    check_deactivation_request,
)
from kzreg.escort.models import (
    CustomsOffice,
    DeactivationRequestRow,
    Escort,
    EscortRecord,
    EscortSeal,
    Seal,
    SituationNotice,
    TransitDeclaration,
    Vehicle,
)
from kzreg.escort.reference import declaration, office_staff, people, seals_of
from kzreg.law.calendar import local_date, to_utc
from kzreg.law.errors import Conflict, InputError, LegalRuleError, NotFound
from kzreg.law.explain import jsonable
from kzreg.law.settings import get_setting
from kzreg.platform import audit
from kzreg.platform.actors import Actor, Role
from kzreg.platform.cases import Case, fire
from kzreg.platform.documents import render_document
from kzreg.platform.notifications import notify
from kzreg.platform.users import User

CASE_TYPE = workflow.CASE_TYPE


# --- the steps -----------------------------------------------------------------------------

@dataclass(frozen=True)
class Step:
    name: str
    payload: type[BaseModel]
    run: Callable[[Session, Actor, Escort, Case, Any, dt.datetime], None]
    title: str


STEPS: dict[str, Step] = {}


def step(name: str, payload: type[BaseModel], title: str):
    def register(fn):
        STEPS[name] = Step(name, payload, fn, title)
        return fn
    return register


def _fire(session: Session, case: Case, transition: str, actor: Actor, at: dt.datetime,
          payload: Any = None, detail: dict | None = None) -> None:
    data = jsonable(payload.model_dump() if isinstance(payload, BaseModel) else payload or {})
    fire(session, case.id, transition, actor=actor, at=at, payload=data, detail=detail)


def _user_language(session: Session, actor: Actor) -> str:
    user = session.get(User, actor.user_id) if actor.user_id else None
    return user.language if user is not None else "ru"


#: How a document names the signatory's position, per language.
POSITIONS = {
    "customs_officer": {"kk": "Кеден органының уәкілетті лауазымды адамы",
                        "ru": "Уполномоченное должностное лицо таможенного органа",
                        "en": "Authorized officer of the customs office"},
    "customs_head": {"kk": "Кеден органының басшысы", "ru": "Руководитель таможенного органа",
                     "en": "Head of the customs office"},
}


def _document(session: Session, actor: Actor, escort: Escort, template: str, kind: str,
              title: str, context: dict, at: dt.datetime, *, issuer: str) -> int:
    """Render and store a document of the escort; `issuer` is the office that makes it."""
    departure = session.get(CustomsOffice, escort.departure_office)
    destination = session.get(CustomsOffice, escort.destination_office)
    office = session.get(CustomsOffice, issuer)
    user = session.get(User, actor.user_id) if actor.user_id else None
    language = _user_language(session, actor)
    position = POSITIONS.get(actor.role.value, {}).get(language, actor.role.value)
    values = {"escort": {"number": escort.number, "rms_case": escort.rms_case},
              "departure": {"code": departure.code, "name": departure.name},
              "destination": {"code": destination.code, "name": destination.name},
              "issuer": {"name_ru": office.name, "name_kk": office.name_kk or office.name,
                         "short": office.code},
              "signatory": {"position": position,
                            "name": user.full_name if user and user.full_name
                            else actor.username},
              **context}
    doc = render_document(session, case_id=escort.case_id, template=f"escort/{template}",
                          context=values, language=language, actor=actor, kind=kind,
                          title=title, at=at)
    return doc.id


def _record(session: Session, escort: Escort, kind: str, actor: Actor, at: dt.datetime,
            data: dict, number: str | None = None, document_id: int | None = None) -> None:
    session.add(EscortRecord(escort_id=escort.id, kind=kind, number=number,
                             data=jsonable(data), made_at=at, made_by=actor.username,
                             document_id=document_id))


class Empty(BaseModel):
    note: str | None = Field(None, max_length=2000)


class InformIn(BaseModel):
    party: str = Field(description="declarant | carrier | operator")
    informed_at: dt.datetime | None = None

    @field_validator("party")
    @classmethod
    def _party(cls, value: str) -> str:
        if value not in ("declarant", "carrier", "operator"):
            raise ValueError("one of declarant, carrier, operator")
        return value


@step("inform", InformIn, "Record that a party was informed (§5)")
def _inform(session, actor, escort, case, inp: InformIn, at):
    when = to_utc(inp.informed_at, field="informed_at") if inp.informed_at else at
    if when > at or when < escort.decided_at:
        raise InputError("the time lies between the decision and now", field="informed_at")
    setattr(escort, f"{inp.party}_informed_at", when)
    _fire(session, case, "inform", actor, at, {"party": inp.party, "informed_at": when})


def _organise_trace(escort: Escort, at: dt.datetime):
    return organise_deadline(DecisionInput(
        decided_at=escort.decided_at, declarant_informed_at=escort.declarant_informed_at,
        carrier_informed_at=escort.carrier_informed_at,
        operator_informed_at=escort.operator_informed_at, organised_at=at),
        local_date(escort.decided_at))


@step("organise", Empty, "Escort organised (§5)")
def _organise(session, actor, escort, case, inp, at):
    missing = [p for p in ("declarant", "carrier", "operator")
               if getattr(escort, f"{p}_informed_at") is None]
    if missing:
        raise LegalRuleError(f"inform the {', '.join(missing)} first (§5): record when each "
                             "was informed", field="party", citation=rules("§5"))
    escort.organised_at = at
    judged = _organise_trace(escort, at)
    _fire(session, case, "organise", actor, at, inp,
          detail={"deadline": judged.to_dict(), "breached": judged.value.breached})


class InspectionIn(BaseModel):
    act_number: str = Field(min_length=1, max_length=60)
    findings: str = Field("", max_length=4000)


@step("inspect_departure", InspectionIn, "Departure inspection; act drawn up (§7)")
def _inspect_departure(session, actor, escort, case, inp: InspectionIn, at):
    vehicle = session.get(Vehicle, escort.vehicle_id)
    doc = _document(session, actor, escort, "departure_inspection_act.html",
                    "departure_inspection_act", f"Act of customs inspection {inp.act_number}",
                    {"number": inp.act_number, "findings": inp.findings,
                     "vehicle": vehicle.registration_number,
                     "compartments": vehicle.compartments, "place": escort.departure_office,
                     "basis": [rules("§7").ref]}, at, issuer=escort.departure_office)
    _record(session, escort, "departure_inspection_act", actor, at,
            {"findings": inp.findings}, inp.act_number, doc)
    if get_setting("escort.destination_informed_at_step").value == "departure_inspection":
        _inform_destination(session, escort, at)
    _fire(session, case, "inspect_departure", actor, at, inp, detail={"document_id": doc})


def _inform_destination(session: Session, escort: Escort, at: dt.datetime) -> None:
    """§7: the destination office learns that the vehicle comes under escort."""
    staff = office_staff(session, escort.destination_office)
    if staff:
        notify(session, recipients=[u.id for u in staff],
               subject=f"Vehicle under electronic customs escort {escort.number}",
               body=f"From customs office {escort.departure_office}; basis: risk management "
                    f"case {escort.rms_case}.", case_id=escort.case_id, kind="info",
               basis=rules("§7"), at=at)
    escort.destination_informed_at = at


class RegisterIn(BaseModel):
    transit_declaration_number: str = Field(min_length=1, max_length=40)
    electronic: bool = True
    transit_period: dt.date | None = None
    goods: str | None = Field(None, max_length=2000)


@step("register_documents", RegisterIn, "Transit declaration registered (§7)")
def _register(session, actor, escort, case, inp: RegisterIn, at):
    declaration(session, escort, inp.transit_declaration_number, inp.electronic, inp.goods)
    if inp.transit_period is not None:
        escort.transit_period = inp.transit_period
    _fire(session, case, "register_documents", actor, at, inp)


class ActivationIn(ActivationMessage):
    corridor_m: int | None = Field(None, gt=0, le=50_000)


@step("send_activation_message", ActivationIn, "Inform the national operator (§8)")
def _activation_message(session, actor, escort, case, inp: ActivationIn, at):
    message = ActivationMessage.model_validate(
        inp.model_dump(include=set(inp.model_fields_set) - {"corridor_m"}))
    checked = check_activation_message(message, local_date(at))
    msg = checked.value
    declaration = session.get(TransitDeclaration, escort.declaration_id or -1)
    vehicle = session.get(Vehicle, escort.vehicle_id)
    mismatches = []
    if declaration is None or msg["transit_declaration_number"] != declaration.number:
        mismatches.append("transit_declaration_number")
    if "".join(msg["vehicle_registration_number"].split()).upper() != \
            vehicle.registration_number:
        mismatches.append("vehicle_registration_number")
    if msg["destination_office_code"] != escort.destination_office:
        mismatches.append("destination_office_code")
    if mismatches:
        raise InputError("the message does not match the escort's registered "
                         f"{', '.join(mismatches)} (§8)", field=", ".join(mismatches))
    needed = vehicle.compartments * get_setting("escort.seals_per_compartment_min").value
    if len(msg["seal_numbers"]) < needed:
        raise LegalRuleError(f"{vehicle.compartments} cargo compartment(s) need at least "
                             f"{needed} seal(s) (§8; setting escort.seals_per_compartment_min)",
                             field="seal_number", citation=rules("§8"))
    for number in msg["seal_numbers"]:
        seal = session.scalar(select(Seal).where(Seal.number == number))
        if seal is None:
            raise NotFound(f"navigation seal {number} is not registered", field="seal_number")
        if seal.escort_id not in (None, escort.id):
            raise Conflict(f"seal {number} is on escort {seal.escort_id}", field="seal_number")
        seal.escort_id = escort.id
        session.add(EscortSeal(escort_id=escort.id, seal_id=seal.id, seal_number=number,
                               returned_to_operator=False))
    route = msg["route"]
    escort.route = None if route == NOT_ESTABLISHED else route
    escort.corridor_m = inp.corridor_m or escort.corridor_m
    if isinstance(msg["transit_period"], dt.date):
        escort.transit_period = msg["transit_period"]
    escort.activation_message = jsonable(msg)
    _record(session, escort, "activation_message", actor, at, msg)
    _fire(session, case, "send_activation_message", actor, at, msg,
          detail={"check": checked.to_dict()})


class AffixIn(BaseModel):
    operator_person: str = Field(min_length=2, max_length=200, description="The national "
                                 "operator's authorized person present (§6, §9)")
    compartments: dict[str, str] = Field(default_factory=dict,
                                         description="seal number -> compartment")


@step("affix", AffixIn, "Affix the seals in the presence of the operator's person (§9)")
def _affix(session, actor, escort, case, inp: AffixIn, at):
    for row in seals_of(session, escort):
        row.affixed_at, row.affixed_by = at, actor.username
        row.operator_person = inp.operator_person.strip()
        row.compartment = inp.compartments.get(row.seal_number)
    _fire(session, case, "affix", actor, at, inp)


def _route_geojson(escort: Escort) -> dict | None:
    return {"type": "LineString", "coordinates": escort.route} if escort.route else None


@step("activate", Empty, "Activate the seals (§9)")
def _activate(session, actor, escort, case, inp, at):
    from kzreg.tracking import registry

    corridor = escort.corridor_m or get_setting("escort.route_corridor_half_width_m").value
    for row in seals_of(session, escort):
        registry.activate(session, row.seal_number, at=at, route=_route_geojson(escort),
                          corridor_m=corridor if escort.route else None,
                          escort_ref=escort.number, departure_office=escort.departure_office,
                          destination_office=escort.destination_office)
        row.activated_at, row.activated_by = at, actor.username
    _fire(session, case, "activate", actor, at, inp,
          detail={"activation_actor": get_setting("escort.seal_activation_actor").value})


@step("verify_signal", Empty, "Verify location and integrity signals (§10)")
def _verify(session, actor, escort, case, inp, at):
    from kzreg.tracking import registry

    rows = seals_of(session, escort)
    heard = registry.last_signals(session, [r.seal_number for r in rows])
    silent = [r.seal_number for r in rows
              if heard.get(r.seal_number) is None or heard[r.seal_number] < r.activated_at]
    scope = get_setting("escort.signal_verification_scope").value
    if silent and (scope == "each_seal" or len(silent) == len(rows)):
        raise LegalRuleError(f"no signal received since activation from seal(s) "
                             f"{', '.join(silent)} (§10)", field="seal_number",
                             citation=rules("§10"))
    for row in rows:
        row.verified_at = at
    _fire(session, case, "verify_signal", actor, at, inp,
          detail={"last_signals": {k: v for k, v in heard.items()}})


@step("arrive", Empty, "Vehicle placed in the destination control zone (§12)")
def _arrive(session, actor, escort, case, inp, at):
    _fire(session, case, "arrive", actor, at, inp)


class SubmitIn(BaseModel):
    transit_declaration_number: str = Field(min_length=1, max_length=40)
    registration_number: str | None = Field(None, max_length=60, description="Registration of "
                                            "the submission (Registration Rules, cl. 8)")
    documents: list[str] = Field(default_factory=list, description="Other documents (paper)")


@step("submit_documents", SubmitIn, "Completion documents submitted (§13)")
def _submit(session, actor, escort, case, inp: SubmitIn, at):
    declaration = session.get(TransitDeclaration, escort.declaration_id or -1)
    if declaration is None or declaration.number != inp.transit_declaration_number.strip():
        raise InputError("not the transit declaration this escort carries",
                         field="transit_declaration_number")
    _record(session, escort, "completion_documents", actor, at, inp.model_dump(),
            inp.registration_number)
    _fire(session, case, "submit_documents", actor, at, inp)


class DestinationInspectionIn(BaseModel):
    act_number: str = Field(min_length=1, max_length=60)
    seals: list[SealAtArrival] = Field(min_length=1)
    compartments_intact: bool
    traces_of_unauthorized_access: bool = False
    goods_match_declaration: bool = True
    illegal_actions: list[str] = Field(default_factory=list)
    findings: str = Field("", max_length=4000)


def situations_reported(session: Session, escort: Escort) -> list[int]:
    """The non-routine situations the operator reported for the escort's seals (§13(3))."""
    from kzreg.tracking.models import TrackingSituation

    ids = set(session.scalars(select(SituationNotice.situation_id)
                              .where(SituationNotice.escort_id == escort.id)))
    for row in seals_of(session, escort):
        if row.activated_at is None:
            continue
        query = select(TrackingSituation.id).where(TrackingSituation.seal == row.seal_number,
                                                   TrackingSituation.occurred_at
                                                   >= row.activated_at)
        if row.deactivated_at is not None:
            query = query.where(TrackingSituation.occurred_at <= row.deactivated_at)
        ids |= set(session.scalars(query))
    return sorted(ids)


@step("inspect_destination", DestinationInspectionIn,
      "Inspect at destination: complete (§13) or high risk (§15)")
def _inspect_destination(session, actor, escort, case, inp: DestinationInspectionIn, at):
    rows = seals_of(session, escort)
    if sorted(s.number for s in inp.seals) != sorted(r.seal_number for r in rows):
        raise InputError("report every seal of the escort, each once: "
                         f"{', '.join(r.seal_number for r in rows)}", field="seals")
    reported = situations_reported(session, escort)
    findings = ArrivalFindings(seals=inp.seals, compartments_intact=inp.compartments_intact,
                               non_routine_situations_reported=len(reported),
                               traces_of_unauthorized_access=inp.traces_of_unauthorized_access,
                               goods_match_declaration=inp.goods_match_declaration,
                               illegal_actions=inp.illegal_actions)
    judged = judge_completion(findings, local_date(at))
    outcome = judged.value
    intact = {s.number: s.intact for s in inp.seals}
    for row in rows:
        row.intact_at_arrival = intact[row.seal_number]
    escort.findings = jsonable({**findings.model_dump(), "situations": reported,
                                "outcome": str(outcome)})
    _record(session, escort, "destination_inspection_act", actor, at,
            {**inp.model_dump(), "situations": reported}, inp.act_number)
    detail = {"completion": judged.to_dict()}
    if outcome.completion_allowed:
        _fire(session, case, "complete", actor, at, inp, detail=detail)
        _request_deactivation(session, actor, escort, at)
    else:
        escort.high_risk = outcome.high_risk
        escort.high_risk_grounds = list(outcome.high_risk_grounds or outcome.failed_conditions)
        _fire(session, case, "classify_high_risk", actor, at, inp, detail=detail)


class HighRiskInspectionIn(BaseModel):
    report_number: str = Field(min_length=1, max_length=60)
    violation_found: bool
    findings: str = Field("", max_length=4000)


@step("record_high_risk_inspection", HighRiskInspectionIn,
      "Inspection of high-risk goods recorded (§15); deactivation requested")
def _high_risk_inspection(session, actor, escort, case, inp: HighRiskInspectionIn, at):
    _record(session, escort, "high_risk_inspection_report", actor, at, inp.model_dump(),
            inp.report_number)
    _fire(session, case, "record_high_risk_inspection", actor, at, inp)
    _request_deactivation(session, actor, escort, at)


def _request_deactivation(session: Session, actor: Actor, escort: Escort,
                          at: dt.datetime) -> None:
    """§13: one request per seal (three items), each with its own PDF; §14 hour starts."""
    declaration = session.get(TransitDeclaration, escort.declaration_id)
    vehicle = session.get(Vehicle, escort.vehicle_id)
    for row in seals_of(session, escort):
        request = check_deactivation_request(DeactivationRequest(
            seal_number=row.seal_number, transit_declaration_number=declaration.number,
            vehicle_registration_number=vehicle.registration_number), local_date(at)).value
        due = at + dt.timedelta(hours=1)
        doc = _document(session, actor, escort, "deactivation_request.html",
                        "deactivation_request", f"Deactivation request {row.seal_number}",
                        {**request, "number": f"{escort.number}/{row.seal_number}",
                         "due_at": due, "basis": [rules("§13").ref, rules("§14").ref]}, at,
                        issuer=escort.destination_office)
        session.add(DeactivationRequestRow(
            escort_id=escort.id, escort_seal_id=row.id, sent_at=at, sent_by=actor.username,
            due_at=due, document_id=doc, **request))
    operators = people(session, Role.OPERATOR)
    if operators:
        notify(session, recipients=[u.id for u in operators],
               subject=f"Deactivate the seals of escort {escort.number}",
               body="Deactivation requested under Rules §13; deactivate within one hour "
                    "(§14).", case_id=escort.case_id, kind="task", basis=rules("§14"),
               ack_due_at=at + dt.timedelta(hours=1), at=at)


class SealIn(BaseModel):
    seal_number: str = Field(min_length=1, max_length=40)


def _seal_row(session: Session, escort: Escort, number: str) -> EscortSeal:
    row = session.scalar(select(EscortSeal).where(EscortSeal.escort_id == escort.id,
                                                  EscortSeal.seal_number == number.strip()))
    if row is None:
        raise NotFound(f"seal {number} is not on escort {escort.number}", field="seal_number")
    return row


@step("deactivate_seal", SealIn, "Deactivate a seal (§14)")
def _deactivate(session, actor, escort, case, inp: SealIn, at):
    from kzreg.tracking import registry

    row = _seal_row(session, escort, inp.seal_number)
    request = session.scalar(select(DeactivationRequestRow)
                             .where(DeactivationRequestRow.escort_seal_id == row.id))
    if request is None:
        raise LegalRuleError("no deactivation request for this seal yet (§13)",
                             field="seal_number", citation=rules("§13"))
    if row.deactivated_at is not None:
        raise Conflict(f"seal {row.seal_number} is already deactivated", field="seal_number")
    registry.deactivate(session, row.seal_number, at=at)
    judged = deactivation_deadline(DeactivationTiming(request_received_at=request.sent_at,
                                                      deactivated_at=at), local_date(at))
    row.deactivated_at, row.deactivated_by = at, actor.username
    row.deactivated_on_time = not judged.value.breached
    rows = seals_of(session, escort)
    last = all(r.deactivated_at is not None for r in rows)
    detail = {"seal_number": row.seal_number, "deadline": judged.to_dict()}
    if not last:
        _fire(session, case, "deactivate_seal", actor, at, inp, detail=detail)
        return
    _retention(escort, at)
    _fire(session, case, "deactivate", actor, at, inp, detail=detail)
    if get_setting("escort.case_closes_on").value == "last_seal_deactivated" or all(
            r.removed_at is not None for r in rows):
        _fire(session, case, "close", actor, at, {"reason": "last seal deactivated and "
                                                  "removed"})


def _retention(escort: Escort, at: dt.datetime) -> None:
    """§18(3): kept five years from the day after the last seal's deactivation."""
    escort.last_deactivated_at = at
    kept = retention(RetentionInput(deactivated_at=at), local_date(at)).value
    escort.kept_through, escort.deletable_from = kept.kept_through, kept.deletable_from


class RemoveIn(SealIn):
    returned_to_operator: bool = True


@step("remove_seal", RemoveIn, "Remove a seal and hand it to the operator (§12, §14)")
def _remove(session, actor, escort, case, inp: RemoveIn, at):
    row = _seal_row(session, escort, inp.seal_number)
    if row.removed_at is not None:
        raise Conflict(f"seal {row.seal_number} is already removed", field="seal_number")
    if get_setting("escort.removal_after_deactivation").value and row.deactivated_at is None:
        raise LegalRuleError(f"seal {row.seal_number} is still active: it is removed only "
                             "after the operator deactivated it (§13-14; setting "
                             "escort.removal_after_deactivation)", field="seal_number",
                             citation=rules("§14"))
    row.removed_at, row.removed_by = at, actor.username
    row.returned_to_operator = inp.returned_to_operator
    seal = session.get(Seal, row.seal_id)
    seal.escort_id = None                      # back with the operator for the next trip
    done = all(r.removed_at is not None for r in seals_of(session, escort))
    if case.state != "deactivated":   # other seals still active, or closed on deactivation
        audit.append(session, actor=actor, action="escort.seal_removed", case_id=case.id,
                     case_type=CASE_TYPE, basis=rules("§14"), at=at,
                     data={"seal_number": row.seal_number})
        return
    _fire(session, case, "close" if done else "remove_seal", actor, at, inp)


