"""The risk room on the web (JO 1199/826): JSON API under /api/risk/ and the inspectors'
pages under /risk/ — the register with filters and the degree distribution, a subject's
page with its history, explanations and the checklist form, the plan, rapid-response orders.

Refusals come back as problem+json (the kernel's errors name the field and the clause).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy import select

from kzreg.law.calendar import local_date, now_utc
from kzreg.law.errors import InputError
from kzreg.law.explain import jsonable
from kzreg.platform.cases import Case
from kzreg.risk import batch, checklists, service, workflow
from kzreg.risk.subjects import ControlKind, SubjectType
from kzreg.web.auth import (
    DB,
    ApiActor,
    PageActor,
    Visitor,
    VisitorDep,
    csrf_protected,
)
from kzreg.web.templating import add_template_dir, render

add_template_dir(str(Path(__file__).parent / "templates"))

router = APIRouter()
TAGS = ["risk"]
ORDER_TYPES = (workflow.PROHIBITION, workflow.WITHDRAWAL)


def _filter(rows: list[dict], type_: str | None, degree: str | None, objective: str | None,
            q: str | None) -> list[dict]:
    if type_:
        rows = [r for r in rows if r["type"] == type_]
    if degree:
        rows = [r for r in rows if r["degree"] == degree]
    if objective:
        rows = [r for r in rows if (r["objective_degree"] or "unclassified") == objective]
    if q:
        needle = q.strip().lower()
        rows = [r for r in rows if needle in r["code"].lower()]
    return rows


def subject_json(view: dict[str, Any]) -> dict[str, Any]:
    s = view["subject"]
    return jsonable({
        "code": s.code, "name": s.name, "bin": s.bin, "type": s.type, "region": s.region,
        "insured": s.insured, "legally_exempt": s.legally_exempt,
        "sro_recognized": s.sro_recognized, "exempt_until": s.exempt_until,
        "objective": view["objective"].to_dict() if view["objective"] else None,
        "objective_refusal": view["refusal"],
        "indicator": view["indicator"].to_dict(),
        "controls": [{"id": c.id, "kind": c.kind, "held_on": c.held_on, "gross": c.gross,
                      "considerable": [c.considerable_found, c.considerable_total],
                      "insignificant": [c.insignificant_found, c.insignificant_total],
                      "checklist": c.checklist, "violated": c.violated, "items": c.items,
                      "eliminated": c.eliminated, "recorded_by": c.recorded_by}
                     for c in view["controls"]]})


# --- JSON API ---------------------------------------------------------------------------

@router.get("/api/risk/subjects", tags=TAGS, summary="The register with degrees")
def list_subjects(db: DB, actor: ApiActor, type: str | None = None,  # noqa: A002
                  degree: str | None = None, objective: str | None = None,
                  q: str | None = None, limit: int = Query(500, ge=1, le=100_000)) -> dict:
    rows = _filter(service.register_degrees(db), type, degree, objective, q)
    return {"total": len(rows), "subjects": jsonable(rows[:limit])}


@router.post("/api/risk/subjects", tags=TAGS, status_code=201, summary="Register a subject")
def create_subject(db: DB, actor: ApiActor, body: service.SubjectIn) -> dict:
    subject = service.add_subject(db, body, actor)
    return subject_json(service.assess(db, subject))


@router.get("/api/risk/subjects/{code}", tags=TAGS, summary="A subject, its degrees and "
            "history, with explanations")
def read_subject(code: str, db: DB, actor: ApiActor) -> dict:
    return subject_json(service.assess(db, service.get_subject(db, code)))


@router.post("/api/risk/subjects/{code}/controls", tags=TAGS, status_code=201,
             summary="Record a control (a filled checklist or counts)")
def add_control(code: str, db: DB, actor: ApiActor, body: service.ControlIn) -> dict:
    control = service.record_control(db, code, body, actor)
    return {"id": control.id, "explanation": control.explanation}


@router.post("/api/risk/controls/{control_id}/orders", tags=TAGS, status_code=201,
             summary="Issue rapid-response orders for the control's violated items")
def issue_orders(control_id: int, db: DB, actor: ApiActor) -> dict:
    return {"cases": service.issue_orders(db, control_id, actor)}


@router.get("/api/risk/distribution", tags=TAGS, summary="Subjects per degree")
def distribution(db: DB, actor: ApiActor) -> dict:
    return service.degree_distribution(db)


class PlanRequest(BaseModel):
    start: dt.date
    end: dt.date
    control: ControlKind = ControlKind.COMPLIANCE_CHECK
    information_system: bool = False
    limit: int = Field(1000, ge=1, le=1_000_000)


def _plan_json(plan, limit: int) -> dict:
    return jsonable({"period": plan.period, "control": plan.control,
                     "information_system": plan.information_system, "cap": plan.cap,
                     "summary": plan.summary(),
                     "explanation": plan.explained.to_dict()["trace"],
                     "subjects": list(plan.entries(limit))})


@router.post("/api/risk/plan", tags=TAGS, summary="A plan of control for a period")
def make_plan(db: DB, actor: ApiActor, body: PlanRequest) -> dict:
    plan = service.plan_register(db, body.start, body.end, body.control,
                                 information_system=body.information_system)
    return _plan_json(plan, body.limit)


@router.post("/api/risk/score", tags=TAGS, summary="Score subjects (as `kzreg risk score`)")
def score(actor: ApiActor, rows: Annotated[list[dict[str, Any]], Body()]) -> dict:
    good, bad = batch.parse_rows(rows)
    return {"results": [{k: (str(v) if k == "indicator" else v) for k, v in r.items()}
                        for r in batch.score(good)],
            "errors": [jsonable(e) for e in bad]}


@router.get("/api/risk/checklists/{type_}/{control}", tags=TAGS,
            summary="The requirements for a subject type and form of control")
def checklist(type_: SubjectType, control: ControlKind, db: DB, actor: ApiActor) -> dict:
    appendix = checklists.checklist_for(type_, control).value
    severities = service.loaded_severities(db)
    return {"appendix": appendix.locator, "heading": appendix.heading,
            "complete": appendix.complete,
            "requirements": [{"id": r.id, "position": r.position, "text": r.text,
                              "severity": severities.get(r.id)}
                             for r in appendix.requirements]}


# --- pages ------------------------------------------------------------------------------

@router.get("/risk/", response_class=HTMLResponse, include_in_schema=False)
def register_page(request: Request, db: DB, visitor: VisitorDep, actor: PageActor,
                  type: str | None = None, degree: str | None = None,  # noqa: A002
                  objective: str | None = None, q: str | None = None) -> Response:
    rows = service.register_degrees(db)
    dist = {"objective": {}, "subjective": {}}
    for r in rows:
        o = r["objective_degree"] or "unclassified"
        dist["objective"][o] = dist["objective"].get(o, 0) + 1
        dist["subjective"][r["degree"]] = dist["subjective"].get(r["degree"], 0) + 1
    shown = _filter(rows, type or None, degree or None, objective or None, q or None)
    return render(request, "risk/register.html", {
        "rows": shown[:500], "total": len(shown), "all": len(rows), "dist": dist,
        "types": [t.value for t in SubjectType],
        "filters": {"type": type or "", "degree": degree or "", "objective": objective or "",
                    "q": q or ""}}, visitor=visitor)


@router.get("/risk/subjects/{code}", response_class=HTMLResponse, include_in_schema=False)
def subject_page(code: str, request: Request, db: DB, visitor: VisitorDep,
                 actor: PageActor, control: str | None = None) -> Response:
    view = service.assess(db, service.get_subject(db, code))
    form = None
    if control:
        try:
            kind = ControlKind(control)
        except ValueError:
            raise InputError(f"{control!r} is not a form of control", field="control") from None
        appendix = checklists.checklist_for(SubjectType(view["subject"].type), kind).value
        form = {"control": kind.value, "appendix": appendix,
                "severities": service.loaded_severities(db)}
    orders = list(db.scalars(select(Case).where(Case.case_type.in_(ORDER_TYPES))
                             .order_by(Case.id.desc())))
    orders = [c for c in orders if c.data.get("subject") == code]
    return render(request, "risk/subject.html", {
        "v": view, "form": form, "orders": orders, "kinds": [k.value for k in ControlKind],
        "today": local_date(now_utc())}, visitor=visitor)


@router.post("/risk/subjects/{code}/controls", include_in_schema=False)
async def control_form(code: str, request: Request, db: DB,
                       visitor: Annotated[Visitor, Depends(csrf_protected)],
                       actor: PageActor) -> Response:
    form = await request.form()
    fields = {k: v for k, v in form.multi_items() if isinstance(v, str)}
    status = {k.removeprefix("req:"): v for k, v in fields.items() if k.startswith("req:")}
    items = [int(x) for x in fields.get("items", "").replace(",", " ").split() if x.isdigit()]
    body = service.ControlIn(
        kind=fields.get("control", ""), held_on=fields.get("held_on") or local_date(now_utc()),
        violated=[k for k, v in status.items() if v == "violated"],
        not_applicable=[k for k, v in status.items() if v == "na"], items=items,
        eliminated=fields.get("eliminated") == "on")
    control = service.record_control(db, code, body, actor)
    if fields.get("issue_orders") == "on" and items:
        service.issue_orders(db, control.id, actor)
    return RedirectResponse(f"/risk/subjects/{code}", status_code=303)


@router.get("/risk/plan", response_class=HTMLResponse, include_in_schema=False)
def plan_page(request: Request, db: DB, visitor: VisitorDep, actor: PageActor,
              start: str | None = Query(None, alias="from"),
              end: str | None = Query(None, alias="to"),
              control: str = "compliance_check", information_system: bool = False) -> Response:
    today = local_date(now_utc())
    first = dt.date.fromisoformat(start) if start else dt.date(today.year + 1, 1, 1)
    last = dt.date.fromisoformat(end) if end else dt.date(first.year, 12, 31)
    plan = service.plan_register(db, first, last, ControlKind(control),
                                 information_system=information_system)
    return render(request, "risk/plan.html", {
        "plan": plan, "entries": list(plan.entries(1000)), "start": first, "end": last,
        "control": control, "information_system": information_system}, visitor=visitor)


@router.get("/risk/orders", response_class=HTMLResponse, include_in_schema=False)
def orders_page(request: Request, db: DB, visitor: VisitorDep, actor: PageActor) -> Response:
    orders = list(db.scalars(select(Case).where(Case.case_type.in_(ORDER_TYPES))
                             .order_by(Case.id.desc()).limit(500)))
    return render(request, "risk/orders.html", {"orders": orders}, visitor=visitor)
