"""The assembly room on the web: JSON API under /api/assembly/, pages under /assembly/.

API (bearer token, or a browser session with its CSRF token):

    POST /api/assembly/score                       score claims (R §23-24, Appendices 2-3)
    GET  /api/assembly/routes?on=D                 routes open on D, with their checklists
    POST /api/assembly/agreements                  the manufacturer's request (R §10-12)
    GET  /api/assembly/agreements                  agreements in the caller's scope
    GET  /api/assembly/queue                       the authorized body's queue, by deadline
    GET  /api/assembly/agreements/{id}             one agreement: deadlines, history, letters
    POST /api/assembly/agreements/{id}/actions/{t} fire a transition with its payload
    POST /api/assembly/agreements/{id}/documents   agreement / schedule / letter as PDF
    GET  /api/assembly/documents/{doc}.pdf         a stored PDF

Pages: the self-assessment calculator (/assembly/calculator), the application with its
checklist (/assembly/apply), the queue (/assembly/queue), the agreement page
(/assembly/agreements/{id}). Manufacturers see only their BIN's agreements (case scope);
officers of the authorized body see all.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated, Any, Literal, get_args, get_origin

from fastapi import APIRouter, Body, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field, ValidationError

from kzreg.assembly import service
from kzreg.assembly import workflow as wf
from kzreg.law.calendar import local_date
from kzreg.law.citations import Citation
from kzreg.law.errors import InputError, KzregError
from kzreg.law.explain import jsonable
from kzreg.platform import cases
from kzreg.platform.actors import Actor
from kzreg.platform.documents import case_documents, get_document
from kzreg.web.auth import (
    DB,
    ApiActor,
    PageActor,
    Visitor,
    VisitorDep,
    csrf_protected,
)
from kzreg.web.i18n import N_
from kzreg.web.templating import add_template_dir, render

add_template_dir(str(Path(__file__).parent / "templates"))

router = APIRouter()
TAGS = ["assembly"]


# --- JSON ---------------------------------------------------------------------------------

class ScoreRequest(BaseModel):
    vehicle: str = Field(examples=["car"])
    claims: list[dict[str, Any]] = Field(examples=[[{"item": "8.6", "origin": "CN",
                                                     "incompatibility_documented": True}]])
    agreement_concluded_on: dt.date | None = None
    as_of: dt.date | None = None


class Application(BaseModel):
    route: str = Field(examples=["new_entrant"])
    vehicle: str = Field(examples=["car"])
    feacn_code: str = Field(examples=["8703"])
    vehicle_name: str
    company: str
    documents: list[str] = []
    claims: list[dict[str, Any]] = []
    facts: dict[str, Any] = {}
    bin: str | None = Field(None, description="officers filing for a manufacturer")


class DocumentRequest(BaseModel):
    kind: Literal["agreement", "schedule", "letter"]
    language: Literal["kk", "ru", "en"] = "ru"


@router.post("/api/assembly/score", tags=TAGS,
             summary="Localization score of claims (Order 493 R §23-24, R-App2/R-App3)")
def api_score(body: Annotated[dict[str, Any], Body(examples=[ScoreRequest.model_json_schema()])],
              actor: ApiActor) -> dict[str, Any]:
    from kzreg.assembly.scoring import score_case

    return score_case(_exact(body))


def _exact(value: Any) -> Any:
    """Numbers as exact decimals before scoring (JSON floats would round 0.15)."""
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, dict):
        return {k: _exact(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_exact(v) for v in value]
    return value


@router.get("/api/assembly/routes", tags=TAGS, summary="Routes and their document checklists")
def api_routes(actor: ApiActor, on: dt.date | None = None) -> list[dict[str, Any]]:
    day = on or local_date(service.now_utc())
    return [{"route": name, **jsonable(spec), "open": service.route_open(name, day).value}
            for name, spec in service.routes().items()]


@router.post("/api/assembly/agreements", tags=TAGS, status_code=201,
             summary="Request an agreement (Order 493 R §10-12; Law 86-VII Art 63)")
def api_apply(body: Application, db: DB, actor: ApiActor) -> dict[str, Any]:
    case = service.apply(db, actor, **body.model_dump())
    return case_json(db, actor, case.id)


@router.get("/api/assembly/agreements", tags=TAGS, summary="Agreements in your scope")
def api_agreements(db: DB, actor: ApiActor) -> list[dict[str, Any]]:
    return [_summary(c) for c in service.agreements(db, actor)]


@router.get("/api/assembly/queue", tags=TAGS, summary="Open agreements, soonest deadline first")
def api_queue(db: DB, actor: ApiActor) -> list[dict[str, Any]]:
    return [{**_summary(c), "deadline": _timer(t) if t else None}
            for c, t in service.queue(db, actor)]


@router.get("/api/assembly/agreements/{case_id}", tags=TAGS, summary="One agreement")
def api_agreement(case_id: int, db: DB, actor: ApiActor) -> dict[str, Any]:
    return case_json(db, actor, case_id)


@router.post("/api/assembly/agreements/{case_id}/actions/{transition}", tags=TAGS,
             summary="Act on an agreement (the transition's payload in the body)")
def api_act(case_id: int, transition: str, db: DB, actor: ApiActor,
            body: Annotated[dict[str, Any] | None, Body()] = None,
            version: int | None = Query(None, description="the version you read")
            ) -> dict[str, Any]:
    service.act(db, actor, case_id, transition, _exact(body or {}), expected_version=version)
    return case_json(db, actor, case_id)


@router.post("/api/assembly/agreements/{case_id}/documents", tags=TAGS, status_code=201,
             summary="Render the agreement, schedule or Letter of Confirmation as PDF")
def api_document(case_id: int, db: DB, actor: ApiActor,
                 body: Annotated[dict[str, Any] | None, Body(
                     examples=[{"kind": "agreement", "language": "ru"}])] = None
                 ) -> dict[str, Any]:
    cases.get_case_for(db, actor, case_id)  # a case outside the scope is not found first
    try:
        wanted = DocumentRequest.model_validate(body or {})
    except ValidationError as exc:
        first = exc.errors()[0]
        raise InputError(first["msg"], field=".".join(map(str, first["loc"]))) from None
    doc = service.make_document(db, actor, case_id, wanted.kind, wanted.language,
                                at=service.now_utc())
    return _document(doc)


@router.get("/api/assembly/documents/{document_id}.pdf", tags=TAGS, summary="A stored PDF")
def api_pdf(document_id: int, db: DB, actor: ApiActor) -> Response:
    return _pdf(db, actor, document_id)


def _pdf(db, actor: Actor, document_id: int) -> Response:
    doc = get_document(db, document_id, actor=actor)
    if not doc.kind.startswith("assembly_"):
        raise InputError("not a document of the assembly room", field="document_id")
    return Response(doc.pdf, media_type="application/pdf", headers={
        "content-disposition": f'inline; filename="{doc.kind}-{doc.case_id}-{doc.language}'
                               f'-v{doc.version}.pdf"'})


def _summary(case: cases.Case) -> dict[str, Any]:
    d = case.data
    return {"id": case.id, "title": case.title, "state": case.state,
            "state_title": case.type.state(case.state).title, "route": d.get("route"),
            "vehicle": d.get("vehicle"), "feacn_code": d.get("feacn_code"),
            "company": d.get("company"), "bin": d.get("bin"),
            "concluded_on": d.get("concluded_on"), "valid_until": d.get("valid_until"),
            "version": case.version}


def _timer(t) -> dict[str, Any]:
    return {"name": t.name, "title": t.title, "duration": t.duration, "citation": t.citation,
            "due_at": t.due_at.isoformat(), "on_expiry": t.on_expiry}


def _document(doc) -> dict[str, Any]:
    return {"id": doc.id, "kind": doc.kind, "language": doc.language, "title": doc.title,
            "version": doc.version, "created_at": doc.created_at.isoformat(),
            "pdf_sha256": doc.pdf_sha256, "url": f"/api/assembly/documents/{doc.id}.pdf"}


def case_json(db, actor: Actor, case_id: int) -> dict[str, Any]:
    case = cases.get_case_for(db, actor, case_id)
    rows, total = service.benefits(db, actor, case_id)
    return {
        **_summary(case), "data": jsonable(case.data),
        "missing_documents": wf.missing_documents(case.data),
        "deadlines": [_timer(t) for t in service.pending_deadlines(db, case_id)],
        "transitions": [{"name": t.name, "title": t.title,
                         "citation": t.citation.ref if t.citation else None}
                        for t in cases.allowed_transitions(actor, case)],
        "events": [{"transition": e.transition, "from": e.from_state, "to": e.to_state,
                    "actor": e.actor, "role": e.role, "at": e.at.isoformat(),
                    "basis": e.basis, "payload": e.payload} for e in
                   cases.case_events(db, actor, case_id)],
        "letters": [{"version": x.version, "issued_on": x.issued_on.isoformat(),
                     "total": str(x.total), "threshold": x.threshold,
                     "meets_threshold": x.meets_threshold, "basis": x.basis,
                     "lines": x.lines} for x in service.letters(db, actor, case_id)],
        "benefits": {"rows": [{"granted_on": b.granted_on.isoformat(), "kind": b.kind,
                               "amount": str(b.amount)} for b in rows], "total": str(total)},
        "documents": [_document(d) for d in case_documents(db, case_id, actor=actor)],
    }


# --- pages --------------------------------------------------------------------------------

def page(request: Request, visitor: Visitor, template: str, context: dict[str, Any],
         status_code: int = 200) -> HTMLResponse:
    return render(request, template, {"cite_ref": _cite_text, **context},
                  status_code=status_code, visitor=visitor)


# Words the pages translate by value (routes, vehicle kinds, record fields, refusal grounds):
# marked here so `python -m kzreg.web.i18n extract` puts them in the workplace catalogue.
SHOWN_BY_VALUE = (N_("New entrant with the Appendix 1 initial requirements"),
                  N_("Holder of an earlier agreement ending 31.12.2020"),
                  N_("Other vehicles (Appendix 4 operations, fixed assets of at least 700,000 MCI)"),  # noqa: E501
                  N_("Truck tractors, buses, special equipment, cars and trucks under the Law"),
                  N_("Other vehicles under the Law"), N_("car"), N_("truck"), N_("bus"),
                  N_("truck_tractor"), N_("special_equipment"), N_("reasons"), N_("visit on"),
                  N_("note"), N_("held on"), N_("findings"), N_("inaccuracies found"),
                  N_("grounds"), N_("received on"), N_("registration number"), N_("opinion"),
                  N_("violations"), N_("eliminated on"), N_("documents"), N_("ground"),
                  N_("occurred on"), N_("description"), N_("granted on"), N_("kind"),
                  N_("amount"), N_("claims"), N_("paid on"), N_("incomplete_package"),
                  N_("inaccurate_documents"), N_("initial_requirements_not_met"),
                  N_("unremedied_violations"), N_("non_fulfilment"))


def _cite_text(ref: str | None) -> str:
    """'order-493:R §15-16' as people read it: 'Order 493, R §15-16'."""
    return str(Citation.parse(ref)) if ref else ""


@router.get("/assembly/", response_class=HTMLResponse, include_in_schema=False)
def home(request: Request, db: DB, visitor: VisitorDep, actor: PageActor) -> Response:
    if actor.role.is_business:
        return page(request, visitor, "assembly_home.html",
                    {"agreements": service.agreements(db, actor)})
    return RedirectResponse("/assembly/queue", status_code=303)


@router.get("/assembly/queue", response_class=HTMLResponse, include_in_schema=False)
def queue_page(request: Request, db: DB, visitor: VisitorDep, actor: PageActor) -> Response:
    return page(request, visitor, "assembly_queue.html", {"rows": service.queue(db, actor)})


# the calculator ---------------------------------------------------------------------------

SCORED = ("car", "truck_tractor", "bus", "special_equipment", "truck")


def _table_lines(vehicle: str):
    from kzreg.assembly.tables import table_for_vehicle, versions

    table = versions(table_for_vehicle(vehicle))[-1]
    return table, [line for line in table.lines]


def _claims_from_form(form, lines) -> list[dict[str, Any]]:
    claims = []
    for line in lines:
        key = line.id.replace(".", "_")
        if not line.scored or not form.get(f"claim_{key}"):
            continue
        claim: dict[str, Any] = {"item": line.id}
        if line.kind == "component":
            claim["origin"] = (form.get(f"origin_{key}") or "KZ").strip().upper()
            if line.star:
                claim["incompatibility_documented"] = bool(form.get(f"documented_{key}"))
        if line.unit is not None:
            raw = (form.get(f"quantity_{key}") or "").strip()
            try:
                claim["quantity"] = Decimal(raw or "1")
            except InvalidOperation:
                raise InputError(f"item {line.id}: {raw!r} is not a number",
                                 field=f"quantity_{key}") from None
        claims.append(claim)
    return claims


@router.get("/assembly/calculator", response_class=HTMLResponse, include_in_schema=False)
def calculator(request: Request, visitor: VisitorDep, actor: PageActor,
               vehicle: str = "car") -> Response:
    if vehicle not in SCORED:
        vehicle = "car"
    table, lines = _table_lines(vehicle)
    return page(request, visitor, "assembly_calculator.html",
                {"vehicle": vehicle, "vehicles": SCORED, "table": table, "lines": lines,
                 "result": None, "form": {}, "error": None,
                 "concluded_on": "", "as_of": ""})


@router.post("/assembly/calculator", response_class=HTMLResponse, include_in_schema=False)
async def calculate(request: Request, visitor: Annotated[Visitor, Depends(csrf_protected)],
                    actor: PageActor) -> Response:
    from kzreg.assembly.scoring import score_case

    form = await request.form()
    vehicle = str(form.get("vehicle") or "car")
    if vehicle not in SCORED:
        vehicle = "car"
    table, lines = _table_lines(vehicle)
    result, error, status = None, None, 200
    concluded = str(form.get("concluded_on") or "").strip()
    as_of = str(form.get("as_of") or "").strip()
    try:
        claims = _claims_from_form(form, lines)
        if not claims:
            raise InputError("tick at least one line you claim", field="claims")
        case: dict[str, Any] = {"vehicle": vehicle, "claims": claims}
        if concluded:
            case["agreement_concluded_on"] = concluded
            case["as_of"] = as_of or concluded
        result = score_case(case)
        result["claims_json"] = json.dumps(jsonable(claims), ensure_ascii=False)
    except KzregError as exc:
        error, status = exc, 422
    return page(request, visitor, "assembly_calculator.html",
                {"vehicle": vehicle, "vehicles": SCORED, "table": table, "lines": lines,
                 "result": result, "form": dict(form), "error": error,
                 "concluded_on": concluded, "as_of": as_of, "chart": _chart(result)},
                status_code=status)


def _short(text: str, limit: int = 36) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _chart(result: dict[str, Any] | None) -> dict[str, Any] | None:
    """Bars of the breakdown, for an inline SVG (no script, no CDN)."""
    if not result or not result.get("lines"):
        return None
    lines = [x for x in result["lines"] if x.get("points")]
    top = max([float(x["points"]) for x in lines] + [1.0])
    if result.get("threshold"):
        top = max(top, float(result["total"]), float(result["threshold"]))
    else:
        top = max(top, float(result["total"]))
    scale = 560 / top
    bars = [{"label": _short(f"{x['item']} {x['title']}"), "points": x["points"],
             "width": max(1, round(float(x["points"]) * scale)), "kind": x["kind"],
             "citation": x["citation"], "y": 30 + i * 22} for i, x in enumerate(lines)]
    total_y = 30 + len(bars) * 22 + 10
    return {"bars": bars, "height": total_y + 50, "total_y": total_y,
            "total_width": max(1, round(float(result["total"]) * scale)),
            "threshold_x": (240 + round(float(result["threshold"]) * scale))
            if result.get("threshold") else None}


# the application ---------------------------------------------------------------------------

@router.get("/assembly/apply", response_class=HTMLResponse, include_in_schema=False)
def apply_form(request: Request, visitor: VisitorDep, actor: PageActor,
               route: str = "new_entrant", claims: str = "", vehicle: str = "car") -> Response:
    today = local_date(service.now_utc())
    routes = {name: {**spec, "open": service.route_open(name, today).value}
              for name, spec in service.routes().items()}
    if route not in routes:
        route = "new_entrant"
    return page(request, visitor, "assembly_apply.html",
                {"routes": routes, "route": route, "spec": routes[route], "claims": claims,
                 "vehicle": vehicle, "vehicles": service.VEHICLES, "error": None, "form": {},
                 "codes": service.VEHICLE_CODES, "checked_docs": []})


@router.post("/assembly/apply", response_class=HTMLResponse, include_in_schema=False)
async def apply_submit(request: Request, db: DB,
                       visitor: Annotated[Visitor, Depends(csrf_protected)],
                       actor: PageActor) -> Response:
    form = await request.form()
    route = str(form.get("route") or "")
    try:
        claims = json.loads(str(form.get("claims") or "[]"), parse_float=Decimal)
        if not isinstance(claims, list):
            raise InputError("claims must be a list", field="claims")
        case = service.apply(
            db, actor, route=route, vehicle=str(form.get("vehicle") or ""),
            feacn_code=str(form.get("feacn_code") or ""),
            vehicle_name=str(form.get("vehicle_name") or ""),
            company=str(form.get("company") or ""),
            documents=[str(d) for d in form.getlist("documents")], claims=claims,
            bin=str(form.get("bin") or "") or None, at=service.now_utc())
    except (KzregError, json.JSONDecodeError) as exc:
        db.rollback()
        today = local_date(service.now_utc())
        routes = {n: {**s, "open": service.route_open(n, today).value}
                  for n, s in service.routes().items()}
        spec = routes.get(route) or routes["new_entrant"]
        return page(request, visitor, "assembly_apply.html",
                    {"routes": routes, "route": route if route in routes else "new_entrant",
                     "spec": spec, "claims": str(form.get("claims") or ""),
                     "vehicle": str(form.get("vehicle") or "car"), "vehicles": service.VEHICLES,
                     "error": exc, "form": dict(form), "codes": service.VEHICLE_CODES,
                     "checked_docs": form.getlist("documents")},
                    status_code=422)
    return RedirectResponse(f"/assembly/agreements/{case.id}", status_code=303)


# the agreement page ------------------------------------------------------------------------

def form_fields(model: type[BaseModel] | None) -> list[dict[str, Any]]:
    """Inputs for a transition's payload model, read back by `_payload_from_form`."""
    if model is None:
        return []
    fields = []
    for name, info in model.model_fields.items():
        kind, choices = _kind(info.annotation)
        fields.append({"name": name, "kind": kind, "choices": choices,
                       "required": info.is_required(), "label": name.replace("_", " ")})
    return fields


def _kind(annotation: Any) -> tuple[str, list[str]]:
    args = [a for a in get_args(annotation) if a is not type(None)]
    base = args[0] if get_origin(annotation) is not None and len(args) == 1 and \
        get_origin(annotation) is not list else annotation
    if get_origin(base) is list:
        inner = get_args(base)[0]
        if get_origin(inner) is Literal:
            return "multi", list(get_args(inner))
        if inner is wf.ScheduleRow:
            return "schedule", []
        if inner is str:
            return "lines", []
        return "json", []
    if get_origin(base) is Literal:
        return "choice", list(get_args(base))
    return {dt.date: "date", bool: "bool", Decimal: "decimal"}.get(base, "text"), []


def _payload_from_form(form, model: type[BaseModel] | None) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for f in form_fields(model):
        name, raw = f["name"], form.get(f["name"])
        if f["kind"] == "multi":
            data[name] = [str(v) for v in form.getlist(name)]
        elif f["kind"] == "bool":
            data[name] = bool(raw)
        elif f["kind"] == "lines":
            data[name] = [x.strip() for x in str(raw or "").splitlines() if x.strip()]
        elif f["kind"] == "schedule":
            rows = []
            for line in str(raw or "").splitlines():
                if not line.strip():
                    continue
                parts = [p.strip() for p in line.split("|")]
                if len(parts) != 4:
                    raise InputError("each schedule line: code | vehicle | operations | "
                                     "deadline (Appendix 5 columns 2-5)", field=name)
                rows.append(dict(zip(("feacn_code", "vehicle_name", "operations", "deadline"),
                                     parts, strict=True)))
            data[name] = rows
        elif f["kind"] == "json":
            try:
                data[name] = json.loads(str(raw or "[]"), parse_float=Decimal)
            except json.JSONDecodeError:
                raise InputError("not valid JSON", field=name) from None
        elif raw not in (None, ""):
            data[name] = str(raw)
    return data


def _agreement_context(db, actor: Actor, case_id: int) -> dict[str, Any]:
    case = cases.get_case_for(db, actor, case_id)
    actions = []
    for t in cases.allowed_transitions(actor, case):
        if t.name in ("notify_violation_law", "report_elimination_law"):
            continue  # offered under their common name below
        name = {"notify_violation_order": "notify_violation"}.get(t.name, t.name)
        actions.append({"name": name, "title": t.title, "citation": t.citation,
                        "fields": form_fields(t.payload)})
    rows, total = service.benefits(db, actor, case_id)
    spec = service.routes().get(case.data.get("route"), {"documents": []})
    return {"case": case, "data": case.data, "state_title": case.type.state(case.state).title,
            "deadlines": service.pending_deadlines(db, case_id),
            "events": cases.case_events(db, actor, case_id), "actions": actions,
            "letters": service.letters(db, actor, case_id), "benefits": rows,
            "benefits_total": total, "checklist": spec["documents"],
            "documents": case_documents(db, case_id, actor=actor),
            "missing": wf.missing_documents(case.data), "error": None,
            "may_document": not actor.read_only}


@router.get("/assembly/agreements/{case_id}", response_class=HTMLResponse,
            include_in_schema=False)
def agreement_page(case_id: int, request: Request, db: DB, visitor: VisitorDep,
                   actor: PageActor) -> Response:
    return page(request, visitor, "assembly_agreement.html",
                _agreement_context(db, actor, case_id))


@router.post("/assembly/agreements/{case_id}/act", response_class=HTMLResponse,
             include_in_schema=False)
async def agreement_act(case_id: int, request: Request, db: DB,
                        visitor: Annotated[Visitor, Depends(csrf_protected)],
                        actor: PageActor) -> Response:
    form = await request.form()
    transition = str(form.get("transition") or "")
    try:
        case = cases.get_case_for(db, actor, case_id)
        name = {"notify_violation": "notify_violation_order"}.get(transition, transition)
        t = case.type.transition(name)
        if t is None:
            raise InputError(f"no action {transition!r}", field="transition")
        version = str(form.get("version") or "")
        service.act(db, actor, case_id, transition, _payload_from_form(form, t.payload),
                    at=service.now_utc(), expected_version=int(version) if version else None)
    except KzregError as exc:
        db.rollback()
        context = _agreement_context(db, actor, case_id)
        context["error"] = exc
        return page(request, visitor, "assembly_agreement.html", context, status_code=422)
    return RedirectResponse(f"/assembly/agreements/{case_id}", status_code=303)


@router.post("/assembly/agreements/{case_id}/documents", response_class=HTMLResponse,
             include_in_schema=False)
async def agreement_document(case_id: int, request: Request, db: DB,
                             visitor: Annotated[Visitor, Depends(csrf_protected)],
                             actor: PageActor) -> Response:
    form = await request.form()
    try:
        service.make_document(db, actor, case_id, str(form.get("kind") or ""),
                              str(form.get("language") or "ru"), at=service.now_utc())
    except KzregError as exc:
        db.rollback()
        context = _agreement_context(db, actor, case_id)
        context["error"] = exc
        return page(request, visitor, "assembly_agreement.html", context, status_code=422)
    return RedirectResponse(f"/assembly/agreements/{case_id}#documents", status_code=303)


@router.get("/assembly/documents/{document_id}.pdf", include_in_schema=False)
def document_pdf(document_id: int, db: DB, actor: PageActor) -> Response:
    return _pdf(db, actor, document_id)

