"""The risk room on the web (JO 1199/826): JSON API under /api/risk/ and the inspectors'
pages under /risk/ — the register (paged and filtered in SQL) with the degree distribution,
a subject's page with its history, explanations and the checklist form, the plan, the
exemptions of fair subjects (Cr §14), rapid-response orders with their documents.

The register is the control body's: inspectors, administrators and auditors read it, other
roles are refused (403). Refusals come back as problem+json (the kernel's errors name the
field and the clause), or as an error page.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Body, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from kzreg.law.calendar import local_date, now_utc
from kzreg.law.errors import Forbidden, InputError
from kzreg.law.explain import jsonable
from kzreg.law.rules import parse_input
from kzreg.platform.actors import Actor, Role
from kzreg.platform.cases import allowed_transitions, case_events, fire, get_case_for
from kzreg.platform.documents import case_documents, get_document
from kzreg.risk import batch, checklists, register, service, workflow
from kzreg.risk.subjects import ControlKind, SubjectType
from kzreg.web.auth import (
    DB,
    ApiActor,
    CaseId,
    PageActor,
    PageCaseId,
    Visitor,
    VisitorDep,
    csrf_protected,
)
from kzreg.web.i18n import N_
from kzreg.web.templating import add_template_dir, render

add_template_dir(str(Path(__file__).parent / "templates"))

router = APIRouter()
TAGS = ["risk"]
ORDER_TYPES = (workflow.PROHIBITION, workflow.WITHDRAWAL)
READERS = frozenset({Role.INSPECTOR, Role.ADMIN, Role.AUDITOR})
# words the pages translate by value: degrees (Cr §6, §12) and the states of an exemption
DEGREE_WORDS = (N_("high"), N_("average"), N_("low"), N_("unclassified"))
EXEMPTION_WORDS = {"in_force": N_("in force"), "upcoming": N_("upcoming"),
                   "expired": N_("expired")}
TYPE_WORDS = {  # Cr §2(11), §6
    "state_symbols_manufacturer": N_("Manufacturer of the state symbols"),
    "origin_certificate_body": N_("Body issuing certificates of origin"),
    "regulated_product_seller": N_("Entrepreneur releasing regulated products"),
    "origin_expert_organization": N_("Expert organization on the country of origin"),
    "conformity_assessment_body": N_("Conformity assessment body"),
    "training_center": N_("Training centre"),
    "test_laboratory": N_("Testing laboratory"),
    "applicant": N_("Applicant"),
}
KIND_WORDS = {  # Cr §8
    "preventive_with_visit": N_("Preventive control with visit"),
    "preventive_without_visit": N_("Preventive control without visit"),
    "compliance_check": N_("Check on compliance with requirements"),
    "unscheduled": N_("Unscheduled inspection"),
}


def _reader(actor: Actor) -> Actor:
    if actor.role not in READERS:
        raise Forbidden("the risk register is kept for the inspectors of the state control "
                        "body", field="actor")
    return actor


def api_reader(actor: ApiActor) -> Actor:
    return _reader(actor)


def page_reader(actor: PageActor) -> Actor:
    return _reader(actor)


Reader = Annotated[Actor, Depends(api_reader)]
PageReader = Annotated[Actor, Depends(page_reader)]




def subject_json(view: dict[str, Any], exemptions: list[dict] | None = None) -> dict[str, Any]:
    s = view["subject"]
    return jsonable({
        "code": s.code, "name": s.name, "bin": s.bin, "type": s.type, "region": s.region,
        "insured": s.insured, "legally_exempt": s.legally_exempt,
        "sro_recognized": s.sro_recognized, "exemptions": exemptions or [],
        "objective": view["objective"].to_dict() if view["objective"] else None,
        "objective_refusal": view["refusal"],
        "indicator": view["indicator"].to_dict(),
        "controls": [{"id": c.id, "kind": c.kind, "held_on": c.held_on, "gross": c.gross,
                      "considerable": [c.considerable_found, c.considerable_total],
                      "insignificant": [c.insignificant_found, c.insignificant_total],
                      "checklist": c.checklist, "violated": c.violated, "items": c.items,
                      "eliminated": c.eliminated, "recorded_by": c.recorded_by}
                     for c in view["controls"]]})


def _page(request: Request, template: str, context: dict[str, Any],
          visitor: Visitor) -> Response:
    """A page, with the words it shows translated by value."""
    words = {"type_words": TYPE_WORDS, "kind_words": KIND_WORDS,
             "exemption_words": EXEMPTION_WORDS}
    return render(request, template, words | context, visitor=visitor)


def _filters(type_: str | None, degree: str | None, objective: str | None,
             q: str | None) -> register.Filters:
    return register.Filters(type_ or None, objective or None, degree or None, q or None)


# --- JSON API ---------------------------------------------------------------------------

@router.get("/api/risk/subjects", tags=TAGS, summary="The register with degrees, a page at "
            "a time (filtered and paged by the database)")
def list_subjects(db: DB, actor: Reader, type: str | None = None,  # noqa: A002
                  degree: str | None = None, objective: str | None = None,
                  q: str | None = None, page: int = Query(1, ge=1),
                  per_page: int = Query(100, ge=1, le=register.MAX_PER_PAGE)) -> dict:
    found = register.page(db, _filters(type, degree, objective, q), page=page,
                          per_page=per_page)
    return {"total": found.total, "page": found.page, "pages": found.pages,
            "per_page": found.per_page, "subjects": jsonable(found.rows)}


@router.post("/api/risk/subjects", tags=TAGS, status_code=201, summary="Register a subject")
def create_subject(db: DB, actor: Reader, body: service.SubjectIn) -> dict:
    subject = service.add_subject(db, body, actor)
    return subject_json(service.assess(db, subject))


@router.get("/api/risk/subjects/{code}", tags=TAGS, summary="A subject, its degrees and "
            "history, with explanations")
def read_subject(code: str, db: DB, actor: Reader) -> dict:
    return subject_json(service.assess(db, service.get_subject(db, code)),
                        service.exemptions(db, code=code))


@router.post("/api/risk/subjects/{code}/controls", tags=TAGS, status_code=201,
             summary="Record a control (a filled checklist or counts)")
def add_control(code: str, db: DB, actor: Reader, body: service.ControlIn) -> dict:
    control = service.record_control(db, code, body, actor)
    return {"id": control.id, "explanation": control.explanation}


@router.post("/api/risk/subjects/{code}/exemptions", tags=TAGS, status_code=201,
             summary="Exempt a fair subject from control for a period (Cr §14)")
def add_exemption(code: str, db: DB, actor: Reader, body: service.ExemptionIn) -> dict:
    row = service.record_exemption(db, code, body, actor)
    subject = service.get_subject(db, code)
    return jsonable(service.exemption_view(row, code, subject.name, local_date(now_utc())))


@router.get("/api/risk/exemptions", tags=TAGS, summary="Exemptions of fair subjects (Cr §14): "
            "in force, upcoming or expired")
def list_exemptions(db: DB, actor: Reader, state: str | None = None, code: str | None = None,
                    limit: int = Query(500, ge=1, le=10_000)) -> dict:
    rows = service.exemptions(db, state=state or None, code=code or None, limit=limit)
    return {"today": local_date(now_utc()), "exemptions": jsonable(rows)}


@router.post("/api/risk/controls/{control_id}/orders", tags=TAGS, status_code=201,
             summary="Issue rapid-response orders for the control's violated items")
def issue_orders(control_id: int, db: DB, actor: Reader) -> dict:
    return {"cases": service.issue_orders(db, control_id, actor)}


def _order_json(db, actor: Actor, case_id: int) -> dict:
    case = get_case_for(db, actor, case_id)
    if case.case_type not in ORDER_TYPES:
        raise InputError(f"case {case_id} is not a rapid-response order", field="case_id")
    return jsonable({
        "id": case.id, "type": case.case_type, "state": case.state, "title": case.title,
        "data": case.data,
        "documents": [{"id": d.id, "kind": d.kind, "title": d.title, "version": d.version,
                       "pdf_sha256": d.pdf_sha256, "url": f"/api/risk/documents/{d.id}.pdf"}
                      for d in case_documents(db, case.id, actor=actor)]})


@router.get("/api/risk/orders/{case_id}", tags=TAGS, summary="A rapid-response order, its "
            "dates and documents")
def read_order(case_id: CaseId, db: DB, actor: Reader) -> dict:
    return _order_json(db, actor, case_id)


def _pdf(db, actor: Actor, document_id: int) -> Response:
    doc = get_document(db, document_id, actor=actor)
    if not doc.kind.startswith("risk_"):
        raise InputError("not a document of the risk room", field="document_id")
    return Response(doc.pdf, media_type="application/pdf", headers={
        "Content-Disposition": f'inline; filename="{doc.kind}-{doc.case_id}-v{doc.version}.pdf"'})


@router.get("/api/risk/documents/{document_id}.pdf", tags=TAGS, summary="An order's PDF")
def document_pdf(document_id: int, db: DB, actor: Reader) -> Response:
    return _pdf(db, actor, document_id)


@router.get("/api/risk/distribution", tags=TAGS, summary="Subjects per degree")
def distribution(db: DB, actor: Reader) -> dict:
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
def make_plan(db: DB, actor: Reader, body: PlanRequest) -> dict:
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
def checklist(type_: SubjectType, control: ControlKind, db: DB, actor: Reader) -> dict:
    appendix = checklists.checklist_for(type_, control).value
    severities = service.loaded_severities(db)
    return {"appendix": appendix.locator, "heading": appendix.heading,
            "complete": appendix.complete,
            "requirements": [{"id": r.id, "position": r.position, "text": r.text,
                              "severity": severities.get(r.id)}
                             for r in appendix.requirements]}


# --- pages ------------------------------------------------------------------------------

@router.get("/risk/", response_class=HTMLResponse, include_in_schema=False)
def register_page(request: Request, db: DB, visitor: VisitorDep, actor: PageReader,
                  type: str | None = None, degree: str | None = None,  # noqa: A002
                  objective: str | None = None, q: str | None = None,
                  page: int = Query(1, ge=1)) -> Response:
    filters = {"type": type or "", "degree": degree or "", "objective": objective or "",
               "q": q or ""}
    found = register.page(db, _filters(type, degree, objective, q), page=page, per_page=50)
    dist = service.degree_distribution(db)

    def link(number: int) -> str:
        return "/risk/?" + urlencode({k: v for k, v in filters.items() if v} | {"page": number})

    return _page(request, "risk/register.html", {
        "rows": found.rows, "found": found, "all": sum(dist["objective"].values()),
        "dist": dist, "types": [t.value for t in SubjectType], "filters": filters,
        "prev": link(found.page - 1) if found.page > 1 else None,
        "next": link(found.page + 1) if found.page < found.pages else None},
        visitor)


@router.get("/risk/subjects/{code}", response_class=HTMLResponse, include_in_schema=False)
def subject_page(code: str, request: Request, db: DB, visitor: VisitorDep,
                 actor: PageReader, control: str | None = None) -> Response:
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
    return _page(request, "risk/subject.html", {
        "v": view, "form": form, "orders": service.orders(db, actor, code=code),
        "exemptions": service.exemptions(db, code=code),
        "kinds": [k.value for k in ControlKind], "today": local_date(now_utc())},
        visitor)


@router.post("/risk/subjects/{code}/controls", include_in_schema=False)
async def control_form(code: str, request: Request, db: DB,
                       visitor: Annotated[Visitor, Depends(csrf_protected)],
                       actor: PageReader) -> Response:
    form = await request.form()
    fields = {k: v for k, v in form.multi_items() if isinstance(v, str)}
    status = {k.removeprefix("req:"): v for k, v in fields.items() if k.startswith("req:")}
    items = [int(x) for x in fields.get("items", "").replace(",", " ").split() if x.isdigit()]
    body = parse_input(service.ControlIn, {
        "kind": fields.get("control", ""),
        "held_on": fields.get("held_on") or local_date(now_utc()),
        "violated": [k for k, v in status.items() if v == "violated"],
        "not_applicable": [k for k, v in status.items() if v == "na"], "items": items,
        "eliminated": fields.get("eliminated") == "on"})
    control = service.record_control(db, code, body, actor)
    if fields.get("issue_orders") == "on" and items:
        service.issue_orders(db, control.id, actor)
    return RedirectResponse(f"/risk/subjects/{code}#orders", status_code=303)


@router.get("/risk/plan", response_class=HTMLResponse, include_in_schema=False)
def plan_page(request: Request, db: DB, visitor: VisitorDep, actor: PageReader,
              start: str | None = Query(None, alias="from"),
              end: str | None = Query(None, alias="to"),
              control: str = "compliance_check", information_system: bool = False) -> Response:
    today = local_date(now_utc())
    first = _day(start, "from") or dt.date(today.year + 1, 1, 1)
    last = _day(end, "to") or dt.date(first.year, 12, 31)
    try:
        kind = ControlKind(control)
    except ValueError:
        raise InputError(f"{control!r} is not a form of control", field="control") from None
    plan = service.plan_register(db, first, last, kind, information_system=information_system)
    return _page(request, "risk/plan.html", {
        "plan": plan, "entries": list(plan.entries(1000)), "start": first, "end": last,
        "control": control, "information_system": information_system}, visitor)


def _day(text: str | None, field: str) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InputError(f"{text!r} is not a date (YYYY-MM-DD)", field=field) from None


@router.get("/risk/exemptions", response_class=HTMLResponse, include_in_schema=False)
def exemptions_page(request: Request, db: DB, visitor: VisitorDep, actor: PageReader,
                    state: str | None = "in_force", code: str | None = None) -> Response:
    return _page(request, "risk/exemptions.html", {
        "rows": service.exemptions(db, state=state or None, code=code or None),
        "state": state or "", "code": code or "", "states": service.EXEMPTION_STATES,
        "today": local_date(now_utc())}, visitor)


@router.post("/risk/exemptions", include_in_schema=False)
async def exemption_form(request: Request, db: DB,
                         visitor: Annotated[Visitor, Depends(csrf_protected)],
                         actor: PageReader) -> Response:
    form = await request.form()
    code = str(form.get("code") or "").strip()
    body = parse_input(service.ExemptionIn, {
        "starts_on": form.get("starts_on") or local_date(now_utc()),
        "ends_on": form.get("ends_on") or None, "reason": str(form.get("reason") or "")})
    service.record_exemption(db, code, body, actor)
    return RedirectResponse(f"/risk/exemptions?state=&code={code}", status_code=303)


@router.get("/risk/orders", response_class=HTMLResponse, include_in_schema=False)
def orders_page(request: Request, db: DB, visitor: VisitorDep, actor: PageReader) -> Response:
    return _page(request, "risk/orders.html", {"orders": service.orders(db, actor)}, visitor)


@router.get("/risk/orders/{case_id}", response_class=HTMLResponse, include_in_schema=False)
def order_page(case_id: PageCaseId, request: Request, db: DB, visitor: VisitorDep,
               actor: PageReader) -> Response:
    order = _order_json(db, actor, case_id)
    case = get_case_for(db, actor, case_id)
    return _page(request, "risk/order.html", {
        "case": case, "order": order, "events": case_events(db, actor, case_id),
        "actions": allowed_transitions(actor, case)}, visitor)


@router.post("/risk/orders/{case_id}/{transition}", include_in_schema=False)
async def order_action(case_id: PageCaseId, transition: str, request: Request, db: DB,
                       visitor: Annotated[Visitor, Depends(csrf_protected)],
                       actor: PageReader) -> Response:
    form = await request.form()
    _order_json(db, actor, case_id)   # a rapid-response order the actor sees
    step = get_case_for(db, actor, case_id).type.transition(transition)
    payload = {"reason": str(form.get("reason") or "")} if step and step.payload else None
    version = str(form.get("version") or "")
    fire(db, case_id, transition, actor=actor, payload=payload,
         expected_version=int(version) if version.isdigit() else None)
    return RedirectResponse(f"/risk/orders/{case_id}", status_code=303)


@router.get("/risk/documents/{document_id}.pdf", include_in_schema=False)
def document_page_pdf(document_id: int, db: DB, actor: PageReader) -> Response:
    return _pdf(db, actor, document_id)
