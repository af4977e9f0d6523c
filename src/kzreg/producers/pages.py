"""The producers room's pages for incentives, plans, contracts and programmes (Law 86-VII
Arts 25-28, 46-49, 47-1, 61-1), included by kzreg.producers.api.

    /producers/incentives/       dashboard (charts) and the queue; a business sees its own
    /producers/incentives/new    the application for a measure (Art 25(5))
    /producers/contracts/        plans by deadline, the register of contracts, systemic
                                 enterprises, programmes
    /producers/cases/{id}        one application, plan or programme: the gate check, the
                                 actions allowed now, deadlines, breaches, history, documents
    /producers/cases/{id}/decision   (POST) the incentive decision as PDF
    /producers/documents/{id}.pdf    a stored document of the room

Texts are marked with `_()`; the forms carry the CSRF token. A case outside the visitor's
scope is "not found", as in the API.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Literal, get_args, get_origin

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel

from kzreg.law.citations import Citation
from kzreg.law.errors import InputError, KzregError
from kzreg.law.explain import jsonable
from kzreg.platform.documents import case_documents
from kzreg.producers import casework, contracts_service, documents, incentives_service, labels
from kzreg.producers import contracts_workflow as cw
from kzreg.producers import incentives_workflow as iw
from kzreg.producers.incentives import DIRECTIONS, catalogue
from kzreg.web.auth import DB, PageActor, Visitor, VisitorDep, csrf_protected
from kzreg.web.templating import add_template_dir, render

add_template_dir(str(Path(__file__).parent / "templates"))
router = APIRouter()
CSRF = Annotated[Visitor, Depends(csrf_protected)]


def page(request: Request, visitor: Visitor, template: str, context: dict[str, Any],
         status_code: int = 200) -> HTMLResponse:
    return render(request, f"producers/{template}", {
        "cite_ref": _cite_text, **labels.page_context(visitor.language), **context},
                  status_code=status_code, visitor=visitor)


def _cite_text(ref: Any) -> str:
    if not ref:
        return ""
    return str(ref if isinstance(ref, Citation) else Citation.parse(str(ref)))


def _bars(values: dict[str, Any], width: int = 360) -> list[dict[str, Any]]:
    """Horizontal bars for an inline SVG chart (no script, no CDN)."""
    top = max([Decimal(str(v)) for v in values.values()] + [Decimal(1)])
    return [{"label": k, "value": v, "y": 8 + i * 26,
             "width": max(2, int(Decimal(str(v)) * width / top))}
            for i, (k, v) in enumerate(sorted(values.items()))]


# --- incentives --------------------------------------------------------------------------------

@router.get("/producers/incentives/", response_class=HTMLResponse, include_in_schema=False)
def incentives_page(request: Request, db: DB, visitor: VisitorDep,
                    actor: PageActor) -> Response:
    return page(request, visitor, "incentives.html", _incentives_context(db, actor))


def _incentives_context(db, actor, error: KzregError | None = None) -> dict[str, Any]:
    from kzreg.law.calendar import local_date, now_utc
    from kzreg.producers import grant_funds

    totals = incentives_service.totals(db, actor)
    officer = actor.role in iw.OFFICERS
    funds = None
    if officer or actor.read_only:   # the money of the authorized body (Art 42(5))
        try:
            funds = grant_funds.stored_funds(db, local_date(now_utc()).year,
                                             local_date(now_utc())).value
        except InputError:
            funds = ()
    return {"rows": casework.queue(db, actor, (iw.INCENTIVE,)),
            "by_state": _bars(totals["by_state"]), "by_measure": _bars(totals["by_measure"]),
            "may_apply": not actor.read_only, "funds": funds,
            "may_fund": officer and not actor.read_only, "error": error}


@router.post("/producers/incentives/grant-funds", include_in_schema=False)
async def grant_funds_submit(request: Request, db: DB, visitor: CSRF,
                             actor: PageActor) -> Response:
    from kzreg.producers import grant_funds

    form = await request.form()
    try:
        year = str(form.get("year") or "")
        if not year.isdigit():
            raise InputError("a financial year", field="year")
        grant_funds.record_allocation(db, actor, year=int(year), amount=form.get("amount") or "",
                                      reference=str(form.get("reference") or ""))
    except KzregError as exc:
        db.rollback()
        return page(request, visitor, "incentives.html", _incentives_context(db, actor, exc),
                    status_code=422)
    return RedirectResponse("/producers/incentives/#grant-funds", status_code=303)


def _new_context(measure: str, form: dict[str, Any] | None = None,
                 error: KzregError | None = None) -> dict[str, Any]:
    measures = catalogue()
    chosen = measures.get(measure) or next(iter(measures.values()))
    return {"measures": measures, "measure": chosen, "directions": DIRECTIONS,
            "form": form or {}, "error": error}


@router.get("/producers/incentives/new", response_class=HTMLResponse, include_in_schema=False)
def incentive_form(request: Request, visitor: VisitorDep, actor: PageActor,
                   measure: str = "financing") -> Response:
    return page(request, visitor, "incentive_new.html", _new_context(measure))


def _goods_lines(text: str) -> list[dict[str, Any]]:
    goods = []
    for line in text.splitlines():
        if not line.strip():
            continue
        code, _, flag = (p.strip() for p in line.partition("|"))
        goods.append({"code": code, "on_priority_list": flag.lower() in
                      ("yes", "y", "1", "true", "да", "иә")})
    return goods


@router.post("/producers/incentives/new", response_class=HTMLResponse, include_in_schema=False)
async def incentive_submit(request: Request, db: DB, visitor: CSRF,
                           actor: PageActor) -> Response:
    form = await request.form()
    measure = str(form.get("measure") or "")
    try:
        spec = catalogue().get(measure)
        if spec is None:
            raise InputError("choose a measure of Art 29", field="measure")
        facts = {c.name: bool(form.get(f"fact_{c.name}")) for c in spec.conditions
                 if c.kind == "fact"}
        choices = {c.name: str(form.get(f"choice_{c.name}") or "") for c in spec.conditions
                   if c.kind == "choice"}
        grant_project = None
        if measure == "industrial_grant":
            grant_project = {
                "operating": bool(form.get("grant_operating")),
                "project_cost": str(form.get("grant_project_cost") or "") or None,
                "grant_requested": str(form.get("grant_requested") or "") or None,
                "own_contribution": str(form.get("grant_own_contribution") or "") or None,
                "planned_goals": [x.strip() for x in str(form.get("grant_planned_goals")
                                                         or "").splitlines() if x.strip()]}
        cert = str(form.get("certificate_valid_until") or "")
        case = incentives_service.apply(
            db, actor, name=str(form.get("name") or ""), measure=measure,
            bin=str(form.get("bin") or "") or None,
            goods=_goods_lines(str(form.get("goods") or "")),
            counter_obligations_accepted=bool(form.get("counter_obligations_accepted")),
            counter_obligation_directions=[str(d) for d in form.getlist("directions")],
            facts=facts, choices=choices, project=str(form.get("project") or ""),
            certificate_valid_until=dt.date.fromisoformat(cert) if cert else None,
            competitiveness_agreement=bool(form.get("competitiveness_agreement")),
            amount_requested=str(form.get("amount_requested") or "") or None,
            grant_project=grant_project)
    except (KzregError, ValueError) as exc:
        db.rollback()
        error = exc if isinstance(exc, KzregError) else InputError(str(exc), field="form")
        return page(request, visitor, "incentive_new.html",
                    _new_context(measure, dict(form), error), status_code=422)
    return RedirectResponse(f"/producers/cases/{case.id}", status_code=303)


# --- plans, contracts, programmes ------------------------------------------------------------

@router.get("/producers/contracts/", response_class=HTMLResponse, include_in_schema=False)
def contracts_page(request: Request, db: DB, visitor: VisitorDep,
                   actor: PageActor) -> Response:
    return page(request, visitor, "contracts.html", {
        "plans": casework.queue(db, actor, (cw.PLAN,)),
        "programmes": casework.queue(db, actor, (cw.DVDP,)),
        "contracts": contracts_service.contracts_for(db, actor),
        "systemic": contracts_service.systemic_list(db)})


# --- one case --------------------------------------------------------------------------------

def form_fields(model: type[BaseModel] | None) -> list[dict[str, Any]]:
    """Inputs for a transition's payload model, read back by `payload_from_form`."""
    if model is None:
        return []
    fields = []
    for name, info in model.model_fields.items():
        kind, extra = _kind(info.annotation)
        fields.append({"name": name, "kind": kind, "required": info.is_required(),
                       "label": name.replace("_", " "), **extra})
    return fields


def _kind(annotation: Any) -> tuple[str, dict[str, Any]]:
    args = [a for a in get_args(annotation) if a is not type(None)]
    if get_origin(annotation) not in (None, list, dict, Literal) and len(args) == 1:
        annotation = args[0]  # Optional[X]
    origin = get_origin(annotation)
    if origin is list:
        inner = get_args(annotation)[0]
        if get_origin(inner) is Literal:
            return "multi", {"choices": list(get_args(inner))}
        if isinstance(inner, type) and issubclass(inner, BaseModel):
            return "rows", {"columns": list(inner.model_fields)}
        return "lines", {}
    if origin is dict:
        return "pairs", {}
    if origin is Literal:
        return "choice", {"choices": list(get_args(annotation))}
    return {dt.date: "date", bool: "bool", Decimal: "decimal", int: "number"}.get(
        annotation, "text"), {}


def payload_from_form(form: Any, model: type[BaseModel] | None) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for f in form_fields(model):
        name, raw = f["name"], form.get(f["name"])
        text = str(raw or "")
        if f["kind"] == "multi":
            values = form.getlist(name)
            data[name] = [int(v) if isinstance(f["choices"][0], int) else str(v)
                          for v in values]
        elif f["kind"] == "bool":
            data[name] = bool(raw)
        elif f["kind"] == "lines":
            data[name] = [x.strip() for x in text.splitlines() if x.strip()]
        elif f["kind"] == "rows":
            rows = []
            for line in text.splitlines():
                if line.strip():
                    parts = [p.strip() for p in line.split("|")]
                    if len(parts) != len(f["columns"]):
                        raise InputError("each line: " + " | ".join(f["columns"]), field=name)
                    rows.append(dict(zip(f["columns"], parts, strict=True)))
            data[name] = rows
        elif f["kind"] == "pairs":
            pairs = (line.partition("=") for line in text.splitlines() if "=" in line)
            data[name] = {k.strip(): v.strip() for k, _, v in pairs}
        elif text.strip():
            data[name] = text.strip()
    return data


def _case_context(db, actor, case_id: int, **extra: Any) -> dict[str, Any]:
    v = casework.view(db, actor, case_id)
    case = v["case"]
    if case.case_type not in (iw.INCENTIVE, cw.PLAN, cw.DVDP):
        raise InputError("this page shows incentives, plans and programmes", field="case_id")
    actions = [{"name": t.name, "title": t.title, "citation": t.citation,
                "fields": form_fields(t.payload)} for t in v["transitions"]
               if t.name != "applications_closed" or case.state == "published"]
    grant = None
    if case.case_type == iw.INCENTIVE and not actor.role.is_business:
        grant = incentives_service.history(db, actor, case.data["bin"])
    papers = [d for d in case_documents(db, case.id, actor=actor)
              if d.kind.startswith("producers_")]
    calendar = None
    if case.case_type == cw.PLAN and "received_on" in case.data:
        try:  # the plan against the Art 47 calendar, as of today
            calendar = contracts_service.plan_check(db, actor, case.id).value
        except KzregError:
            calendar = None
    return {**v, "data": case.data, "actions": actions, "history": grant, "check": None,
            "error": None, "kind": case.case_type.split(".", 1)[1], "documents": papers,
            "may_document": not actor.read_only, "calendar": calendar,
            "data_json": json.dumps(jsonable(case.data), ensure_ascii=False, indent=1),
            **extra}


@router.get("/producers/cases/{case_id}", response_class=HTMLResponse, include_in_schema=False)
def case_page(case_id: int, request: Request, db: DB, visitor: VisitorDep,
              actor: PageActor) -> Response:
    return page(request, visitor, "case.html", _case_context(db, actor, case_id))


@router.post("/producers/cases/{case_id}/check", response_class=HTMLResponse,
             include_in_schema=False)
async def case_check(case_id: int, request: Request, db: DB, visitor: CSRF,
                     actor: PageActor) -> Response:
    form = await request.form()
    finding = {"documents_compliant": bool(form.get("documents_compliant")),
               "document_findings": [x.strip() for x in str(form.get("document_findings")
                                                             or "").splitlines() if x.strip()]}
    try:
        result = incentives_service.check(db, actor, case_id, finding)
    except KzregError as exc:
        db.rollback()
        return page(request, visitor, "case.html",
                    _case_context(db, actor, case_id, error=exc), status_code=422)
    return page(request, visitor, "case.html",
                _case_context(db, actor, case_id, check=result, finding=finding))


@router.post("/producers/cases/{case_id}/act", response_class=HTMLResponse,
             include_in_schema=False)
async def case_act(case_id: int, request: Request, db: DB, visitor: CSRF,
                   actor: PageActor) -> Response:
    form = await request.form()
    transition = str(form.get("transition") or "")
    try:
        case = casework.view(db, actor, case_id)["case"]
        t = case.type.transition(transition)
        if t is None:
            raise InputError(f"no action {transition!r}", field="transition")
        version = str(form.get("version") or "")
        casework.act(db, actor, case_id, transition, payload_from_form(form, t.payload),
                     expected_version=int(version) if version.isdigit() else None)
    except KzregError as exc:
        db.rollback()
        return page(request, visitor, "case.html",
                    _case_context(db, actor, case_id, error=exc), status_code=422)
    return RedirectResponse(f"/producers/cases/{case_id}", status_code=303)


@router.post("/producers/cases/{case_id}/decision", response_class=HTMLResponse,
             include_in_schema=False)
async def case_decision(case_id: int, request: Request, db: DB, visitor: CSRF,
                        actor: PageActor) -> Response:
    form = await request.form()
    try:
        doc = documents.incentive_decision(db, actor, case_id,
                                           language=str(form.get("language") or "ru"))
    except KzregError as exc:
        db.rollback()
        return page(request, visitor, "case.html",
                    _case_context(db, actor, case_id, error=exc), status_code=422)
    return RedirectResponse(f"/producers/documents/{doc.id}.pdf", status_code=303)


@router.get("/producers/documents/{document_id}.pdf", include_in_schema=False)
def document_page(document_id: int, db: DB, actor: PageActor) -> Response:
    from kzreg.producers.cases_api import pdf_response

    return pdf_response(db, actor, document_id)
