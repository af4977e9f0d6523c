"""The escort room on the web: JSON API under /api/escort/, officers' and carriers' pages
under /escort/ (Order 407, Rules §5-§18), and the operator's console (`console.py`).

Every step of the workflow is `POST /api/escort/escorts/{id}/steps/{step}` with the step's
payload (the same models the service validates, listed in the OpenAPI schema), or the form
on the escort page. Refusals come back as problem+json (403 naming the office or role,
409 naming the clause, 422 naming the field) and are audited by the service.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from kzreg.escort import jobs, reference, service, workflow
from kzreg.escort.console import router as console_router
from kzreg.escort.models import (
    Company,
    CustomsOffice,
    DeactivationRequestRow,
    EscortRecord,
    Seal,
    SituationNotice,
    TransitDeclaration,
    Vehicle,
)
from kzreg.law.citations import Citation
from kzreg.law.errors import InputError, NotFound
from kzreg.law.explain import jsonable
from kzreg.platform.actors import Actor
from kzreg.platform.cases import Case, case_events
from kzreg.platform.documents import get_document
from kzreg.platform.notifications import Notice, acknowledge
from kzreg.platform.timers import PENDING, Breach, Timer
from kzreg.web.auth import (
    DB,
    ApiActor,
    PageActor,
    Visitor,
    VisitorDep,
    csrf_protected,
)
from kzreg.web.i18n import N_
from kzreg.web.templating import env, local_time, render

router = APIRouter()
router.include_router(console_router)   # before /escort/{id}: "console" is not an id

TAGS = ["escort"]

STATE_TITLES = {s.name: s.title for s in workflow.STATES}


def escort_time(value: Any) -> str:
    """An instant (or its ISO text, as the JSON detail carries it) in Almaty time."""
    if isinstance(value, str) and value:
        value = dt.datetime.fromisoformat(value)
    return local_time(value) if isinstance(value, dt.datetime) else ""


env.filters["escort_time"] = escort_time


# --- reading ------------------------------------------------------------------------------

def _citation(ref: str | None) -> dict | None:
    return Citation.parse(ref).to_dict() if ref else None


def summary(db: Session, escort, case: Case) -> dict[str, Any]:
    vehicle = db.get(Vehicle, escort.vehicle_id)
    due = db.scalars(select(Timer).where(Timer.case_id == case.id, Timer.status == PENDING)
                     .order_by(Timer.due_at)).first()
    return {"id": escort.id, "number": escort.number, "case_id": case.id,
            "state": case.state, "state_title": STATE_TITLES.get(case.state, case.state),
            "departure_office": escort.departure_office,
            "destination_office": escort.destination_office,
            "carrier_bin": escort.carrier_bin, "declarant_bin": escort.declarant_bin,
            "vehicle": vehicle.registration_number if vehicle else None,
            "decided_at": escort.decided_at, "high_risk": escort.high_risk,
            "next_deadline": {"name": due.name, "title": due.title, "due_at": due.due_at,
                              "basis": _citation(due.citation)} if due else None,
            "hold": escort.hold, "purged": escort.purged_at is not None}


def detail(db: Session, actor: Actor, escort, case: Case) -> dict[str, Any]:
    declaration = db.get(TransitDeclaration, escort.declaration_id or -1)
    seals = [{c: getattr(r, c) for c in (
        "seal_number", "compartment", "affixed_at", "affixed_by", "operator_person",
        "activated_at", "activated_by", "verified_at", "intact_at_arrival", "deactivated_at",
        "deactivated_by", "deactivated_on_time", "removed_at", "removed_by",
        "returned_to_operator")} for r in reference.seals_of(db, escort)]
    records = [{"id": r.id, "kind": r.kind, "number": r.number, "made_at": r.made_at,
                "made_by": r.made_by, "document_id": r.document_id, "data": r.data}
               for r in db.scalars(select(EscortRecord).where(EscortRecord.escort_id
                                                               == escort.id)
                                   .order_by(EscortRecord.id))]
    requests = [{"seal_number": r.seal_number, "sent_at": r.sent_at, "due_at": r.due_at,
                 "document_id": r.document_id}
                for r in db.scalars(select(DeactivationRequestRow).where(
                    DeactivationRequestRow.escort_id == escort.id))]
    timers = db.scalars(select(Timer).where(Timer.case_id == case.id)
                        .order_by(Timer.due_at, Timer.id))
    breaches = db.scalars(select(Breach).where(Breach.case_id == case.id)
                          .order_by(Breach.due_at))
    notices = db.scalars(select(SituationNotice).where(SituationNotice.escort_id == escort.id)
                         .order_by(SituationNotice.id))
    names = {c.bin: c.name for c in db.scalars(select(Company).where(
        Company.bin.in_([escort.declarant_bin, escort.carrier_bin])))}
    return jsonable({
        **summary(db, escort, case), "version": case.version, "rms_case": escort.rms_case,
        "decided_by": escort.decided_by,
        "declarant": {"bin": escort.declarant_bin, "name": names.get(escort.declarant_bin)},
        "carrier": {"bin": escort.carrier_bin, "name": names.get(escort.carrier_bin)},
        "transit_declaration": declaration.number if declaration else None,
        "transit_period": escort.transit_period, "route": escort.route,
        "corridor_m": escort.corridor_m,
        "informed": {"declarant": escort.declarant_informed_at,
                     "carrier": escort.carrier_informed_at,
                     "operator": escort.operator_informed_at,
                     "destination_office": escort.destination_informed_at},
        "organised_at": escort.organised_at, "activation_message": escort.activation_message,
        "findings": escort.findings, "high_risk_grounds": escort.high_risk_grounds,
        "seals": seals, "records": records, "deactivation_requests": requests,
        "deadlines": [{"name": t.name, "title": t.title, "state": t.state,
                       "duration": t.duration, "due_at": t.due_at, "status": t.status,
                       "outcome": t.outcome, "basis": _citation(t.citation)} for t in timers],
        "breaches": [{"deadline": b.deadline, "title": b.title, "due_at": b.due_at,
                      "recorded_at": b.recorded_at, "basis": _citation(b.citation)}
                     for b in breaches],
        "situation_notices": [{"situation_id": n.situation_id, "type": n.situation_type,
                               "seal": n.seal_number, "office": n.office, "role": n.role,
                               "occurred_at": n.occurred_at, "notify_by": n.notify_by,
                               "notified_at": n.notified_at, "on_time": n.on_time}
                              for n in notices],
        "retention": {"last_deactivated_at": escort.last_deactivated_at,
                      "kept_through": escort.kept_through,
                      "deletable_from": escort.deletable_from,
                      "marked_deletable_at": escort.deletable_marked_at,
                      "hold": escort.hold, "hold_reason": escort.hold_reason,
                      "hold_by": escort.hold_by, "purged_at": escort.purged_at},
        "history": [{"transition": e.transition, "from": e.from_state, "to": e.to_state,
                     "actor": e.actor, "role": e.role, "at": e.at,
                     "basis": _citation(e.basis), "payload": e.payload}
                    for e in case_events(db, actor, case.id)],
        "steps": [{"name": s.name, "title": s.title}
                  for s in service.allowed_steps(db, actor, escort, case)],
    })


# --- JSON API ------------------------------------------------------------------------------

@router.get("/api/escort/escorts", tags=TAGS, summary="Escorts in my scope (officers: my "
            "offices; carriers and declarants: my trips; operator: all)")
def list_escorts(db: DB, actor: ApiActor, active: bool = False) -> list[dict[str, Any]]:
    return [jsonable(summary(db, e, c))
            for e, c in service.escorts_for(db, actor, active_only=active)]


@router.get("/api/escort/trips", tags=TAGS, summary="The carrier's (or declarant's) trips")
def my_trips(db: DB, actor: ApiActor) -> list[dict[str, Any]]:
    return list_escorts(db, actor)


@router.post("/api/escort/escorts", tags=TAGS, status_code=201,
             summary="Decide on an escort (head of the departure office, Rules §5)")
def decide(db: DB, actor: ApiActor, decision: Annotated[service.DecisionIn, Body()]
           ) -> dict[str, Any]:
    escort = service.decide(db, actor, decision)
    return detail(db, actor, escort, db.get(Case, escort.case_id))


@router.get("/api/escort/escorts/{escort_id}", tags=TAGS, summary="One escort, in full")
def read_escort(escort_id: int, db: DB, actor: ApiActor) -> dict[str, Any]:
    escort, case = service.get_escort(db, actor, escort_id)
    return detail(db, actor, escort, case)


def _step_endpoint(step: service.Step):
    def endpoint(escort_id: int, db: DB, actor: ApiActor,
                 payload: Annotated[step.payload, Body()]) -> dict[str, Any]:  # type: ignore
        escort = service.act(db, actor, escort_id, step.name, payload)
        return detail(db, actor, escort, db.get(Case, escort.case_id))

    endpoint.__name__ = f"step_{step.name}"
    # annotations are postponed strings: give FastAPI this step's own model
    endpoint.__annotations__["payload"] = Annotated[step.payload, Body()]
    return endpoint


for _step in service.STEPS.values():
    router.add_api_route(f"/api/escort/escorts/{{escort_id}}/steps/{_step.name}",
                         _step_endpoint(_step), methods=["POST"], tags=TAGS,
                         summary=_step.title)


class HoldIn(BaseModel):
    reason: str = Field(min_length=3, max_length=2000)


@router.post("/api/escort/escorts/{escort_id}/hold", tags=TAGS,
             summary="Set a legal hold: data kept past §18(3) until released")
def hold(escort_id: int, db: DB, actor: ApiActor, body: HoldIn) -> dict[str, Any]:
    escort = jobs.set_hold(db, actor, escort_id, body.reason)
    return detail(db, actor, escort, db.get(Case, escort.case_id))


@router.delete("/api/escort/escorts/{escort_id}/hold", tags=TAGS, summary="Release the hold")
def unhold(escort_id: int, db: DB, actor: ApiActor) -> dict[str, Any]:
    escort = jobs.release_hold(db, actor, escort_id)
    return detail(db, actor, escort, db.get(Case, escort.case_id))


@router.post("/api/escort/escorts/{escort_id}/purge", tags=TAGS,
             summary="Purge tracking and personal data after the five years (§18(3))")
def purge(escort_id: int, db: DB, actor: ApiActor) -> dict[str, Any]:
    return {"removed": jobs.purge(db, actor, escort_id)}


@router.get("/api/escort/escorts/{escort_id}/documents/{document_id}.pdf", tags=TAGS,
            summary="A document of the escort as PDF", response_class=Response)
def document_pdf(escort_id: int, document_id: int, db: DB, actor: ApiActor) -> Response:
    return _pdf(db, actor, escort_id, document_id)


def _pdf(db: Session, actor: Actor, escort_id: int, document_id: int) -> Response:
    escort, _case = service.get_escort(db, actor, escort_id)
    doc = get_document(db, document_id, actor=actor)
    if doc.case_id != escort.case_id:
        raise NotFound(f"no document {document_id}", field="document_id")
    return Response(doc.pdf, media_type="application/pdf", headers={
        "Content-Disposition": f'inline; filename="{doc.kind}-{doc.id}.pdf"'})


class OfficeIn(BaseModel):
    code: str
    name: str
    name_kk: str | None = None
    control_zone: str | None = None
    zone_geometry: dict | None = None


@router.get("/api/escort/offices", tags=TAGS, summary="Customs offices")
def offices(db: DB, actor: ApiActor) -> list[dict[str, Any]]:
    return [{"code": o.code, "name": o.name, "name_kk": o.name_kk,
             "control_zone": o.control_zone, "zone_geometry": o.zone_geometry}
            for o in db.scalars(select(CustomsOffice).order_by(CustomsOffice.code))]


@router.post("/api/escort/offices", tags=TAGS, status_code=201,
             summary="Register a customs office (administrator)")
def add_office(db: DB, actor: ApiActor, body: OfficeIn) -> dict[str, Any]:
    found = reference.register_office(db, actor, **body.model_dump())
    return {"code": found.code, "name": found.name}


class SealRegistration(BaseModel):
    number: str
    device_id: str
    protocol: str = Field(description="wialon-ips, egts, osmand or mqtt-json")


@router.get("/api/escort/seals", tags=TAGS, summary="Navigation seals")
def seals(db: DB, actor: ApiActor) -> list[dict[str, Any]]:
    if actor.role.is_business:
        return []
    return [{"number": s.number, "device_id": s.device_id, "protocol": s.protocol,
             "escort_id": s.escort_id} for s in db.scalars(select(Seal).order_by(Seal.number))]


@router.post("/api/escort/seals", tags=TAGS, status_code=201,
             summary="Register a navigation seal (national operator)")
def add_seal(db: DB, actor: ApiActor, body: SealRegistration) -> dict[str, Any]:
    seal = reference.register_seal(db, actor, **body.model_dump())
    return {"number": seal.number, "device_id": seal.device_id, "protocol": seal.protocol}


@router.get("/api/escort/notices", tags=TAGS,
            summary="My notices of non-routine situations (§11), newest first")
def my_notices(db: DB, actor: ApiActor) -> list[dict[str, Any]]:
    rows = db.scalars(select(Notice).where(Notice.user_id == actor.user_id,
                                           Notice.basis == service.rules("§11").ref)
                      .order_by(Notice.id.desc()).limit(200))
    return [jsonable({"id": n.id, "case_id": n.case_id, "subject": n.subject, "body": n.body,
                      "created_at": n.created_at, "acknowledged_at": n.acknowledged_at})
            for n in rows]


@router.post("/api/escort/notices/{notice_id}/acknowledge", tags=TAGS,
             summary="Acknowledge a notice")
def acknowledge_notice(notice_id: int, db: DB, actor: ApiActor) -> dict[str, Any]:
    notice = acknowledge(db, actor.user_id, notice_id)
    from kzreg.platform import audit

    audit.append(db, actor=actor, action="escort.notice_acknowledged", case_id=notice.case_id,
                 case_type=workflow.CASE_TYPE, basis=notice.basis,
                 data={"notice": notice.id})
    return jsonable({"id": notice.id, "acknowledged_at": notice.acknowledged_at})


# --- pages ---------------------------------------------------------------------------------

LIST_TITLE = N_("Escorts")


@router.get("/escort/", response_class=HTMLResponse, include_in_schema=False)
def list_page(request: Request, db: DB, visitor: VisitorDep, actor: PageActor) -> Response:
    rows = [summary(db, e, c) for e, c in service.escorts_for(db, actor)]
    return render(request, "workflow/list.html", {"escorts": rows,
                                                  "state_titles": STATE_TITLES},
                  visitor=visitor)


@router.get("/escort/{escort_id:int}", response_class=HTMLResponse, include_in_schema=False)
def escort_page(request: Request, escort_id: int, db: DB, visitor: VisitorDep,
                actor: PageActor) -> Response:
    escort, case = service.get_escort(db, actor, escort_id)
    return render(request, "workflow/detail.html", {
        "e": detail(db, actor, escort, case), "state_titles": STATE_TITLES,
        "destination": db.get(CustomsOffice, escort.destination_office)}, visitor=visitor)


@router.get("/escort/{escort_id:int}/documents/{document_id:int}.pdf",
            include_in_schema=False)
def document_page(escort_id: int, document_id: int, db: DB, actor: PageActor) -> Response:
    return _pdf(db, actor, escort_id, document_id)


@router.post("/escort/{escort_id:int}/steps/{step}", include_in_schema=False)
async def step_form(request: Request, escort_id: int, step: str, db: DB,
                    visitor: Annotated[Visitor, Depends(csrf_protected)],
                    actor: PageActor) -> Response:
    form = await request.form()
    payload = form_payload(step, {k: v for k, v in form.multi_items()
                                  if isinstance(v, str)}, form.getlist("intact"))
    service.act(db, actor, escort_id, step, payload)
    return RedirectResponse(f"/escort/{escort_id}", status_code=303)


def _lines(text: str) -> list[str]:
    return [p.strip() for p in text.replace(",", "\n").splitlines() if p.strip()]


def _checked(form: dict[str, str], name: str) -> bool:
    return form.get(name) in ("on", "true", "1", "yes")


def form_payload(step: str, form: dict[str, str], intact: list) -> dict[str, Any]:
    """The step's payload from a flat HTML form (checkboxes, comma-separated lists)."""
    text = {k: v.strip() for k, v in form.items() if k != "csrf_token"}
    if step == "send_activation_message":
        payload: dict[str, Any] = {k: text.get(k) or None for k in (
            "transit_declaration_number", "vehicle_registration_number",
            "destination_office_code", "destination_office_name", "transit_period")}
        payload["seal_number"] = _lines(text.get("seal_number", "")) or None
        route = text.get("route", "")
        if route:
            try:
                payload["route"] = json.loads(route) if route.startswith(("{", "[")) else route
            except ValueError:
                raise InputError("the route is GeoJSON or \"not established\"",
                                 field="route") from None
        if text.get("corridor_m"):
            payload["corridor_m"] = text["corridor_m"]
        return payload
    if step == "inspect_destination":
        return {"act_number": text.get("act_number", ""),
                "seals": [{"number": n, "intact": n in intact}
                          for n in _lines(text.get("seal_numbers", ""))],
                "compartments_intact": _checked(text, "compartments_intact"),
                "traces_of_unauthorized_access": _checked(text, "traces"),
                "goods_match_declaration": _checked(text, "goods_match"),
                "illegal_actions": _lines(text.get("illegal_actions", "")),
                "findings": text.get("findings", "")}
    if step == "record_high_risk_inspection":
        return {**text, "violation_found": _checked(text, "violation_found")}
    if step == "register_documents":
        return {**{k: v for k, v in text.items() if v}, "electronic": _checked(text,
                                                                               "electronic")}
    if step == "submit_documents":
        return {**text, "documents": _lines(text.get("documents", ""))}
    if step == "remove_seal":
        return {**text, "returned_to_operator": _checked(text, "returned_to_operator")}
    return {k: v for k, v in text.items() if v}

