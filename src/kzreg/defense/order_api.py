"""The state defense order, its registers and contractor selection on the web (Law 236-VI):
JSON under /api/defense/…; the pages are in `order_pages` (under /defense/…).

Who acts: the SDP body's officers and administrators write (DEFENSE_OFFICER, ADMIN; the
offshore list is loaded by an administrator only), auditors read, a contractor reads its
own register entry, its tasks in approved orders and its competitions. Secrecy (Art 25
sub 3) is applied in the services: nothing above the caller's clearance is returned, a
hidden record is 404 like a missing one, and classified reads are audited. Refusals are
problem+json naming the field and the clause.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import uuid
from typing import Any

from fastapi import APIRouter, Query
from fastapi.responses import Response
from pydantic import BaseModel

from kzreg.defense import (
    order,
    order_pages,
    order_records_api,
    order_records_pages,
    requirement_service,
    research_service,
    secrecy,
    selection_service,
    version_service,
)
from kzreg.defense import order_service as service
from kzreg.defense import register_service as book
from kzreg.defense._law import art
from kzreg.defense.competence import Funds, who_acts
from kzreg.defense.models import DefenseApplication, DefenseSelection
from kzreg.defense.rules import OffshoreListInput, RouteInput
from kzreg.law.calendar import local_date, now_utc
from kzreg.law.explain import jsonable
from kzreg.platform.actors import Actor
from kzreg.web.auth import DB, ApiActor

router = APIRouter()
router.include_router(order_pages.router)
router.include_router(order_records_api.router)
router.include_router(order_records_pages.router)
TAGS = ["defense order"]
API = "/api/defense"


def today() -> dt.date:
    return local_date(now_utc())


def application_json(row: DefenseApplication) -> dict[str, Any]:
    return jsonable({c.name: getattr(row, c.name) for c in row.__table__.columns
                     if c.name not in ("recorded_at",)})


def selection_json(row: DefenseSelection) -> dict[str, Any]:
    return jsonable({c.name: getattr(row, c.name) for c in row.__table__.columns})


# --- who acts, the route of an item ---------------------------------------------------------

@router.get(f"{API}/who-acts", tags=TAGS,
            summary="Who performs each function, by the funds' budget and the date "
                    "(Art 6-1, Art 7, Art 25, Art 31 p.2)")
def who_acts_api(actor: ApiActor, funds: Funds = Funds.SDP_BODY,
                 on: dt.date | None = None) -> dict:
    service.reader(actor)
    return who_acts(on or today(), funds).to_dict()


@router.post(f"{API}/route", tags=TAGS,
             summary="Within the order or by public procurement (Art 19 p.1-2, Art 20 p.6)")
def route_api(actor: ApiActor, body: RouteInput) -> dict:
    service.reader(actor)
    return order.route(body.category, in_head_list=body.in_head_list,
                       special_state_body=body.special_state_body,
                       ao_cannot_supply=body.ao_cannot_supply).to_dict()


# --- applications and research (Art 25 sub 1-2, Art 21) ---------------------------------------

@router.get(f"{API}/applications", tags=TAGS, summary="Recipients' applications")
def list_applications(db: DB, actor: ApiActor, q: str | None = None) -> dict:
    rows = service.list_applications(db, actor, q)
    return {"total": len(rows), "applications": [application_json(r) for r in rows]}


@router.post(f"{API}/applications", tags=TAGS, status_code=201,
             summary="Submit an application; the answer lists what the Law finds in it")
def submit_application(db: DB, actor: ApiActor, body: service.ApplicationIn) -> dict:
    return application_json(service.submit_application(db, actor, body))


@router.get(f"{API}/applications/{{app_id}}", tags=TAGS, summary="An application")
def read_application(app_id: int, db: DB, actor: ApiActor) -> dict:
    return application_json(service.get_application(db, actor, app_id))


@router.post(f"{API}/applications/{{app_id}}/research-decision", tags=TAGS,
             summary="Expert council's opinion and the DSTC's selection (Art 21 p.1, p.4)")
def research_decision(app_id: int, db: DB, actor: ApiActor,
                      body: service.ResearchDecisionIn) -> dict:
    return service.decide_research(db, actor, app_id, body)


@router.post(f"{API}/research-areas", tags=TAGS, status_code=201,
             summary="A specialized scientific area approved by the DSTC (Art 21 p.2)")
def approve_area(db: DB, actor: ApiActor, body: service.AreaIn) -> dict:
    row = service.approve_area(db, actor, body)
    return jsonable({"code": row.code, "approved_on": row.approved_on})


# --- the order (Art 19) ---------------------------------------------------------------------

@router.get(f"{API}/orders", tags=TAGS, summary="Orders the caller may see; q searches them")
def list_orders(db: DB, actor: ApiActor, q: str | None = None) -> dict:
    rows = service.list_orders(db, actor, q)
    return {"total": len(rows), "orders": rows}


@router.post(f"{API}/orders", tags=TAGS, status_code=201, summary="Open a draft order")
def create_order(db: DB, actor: ApiActor, body: service.OrderIn) -> dict:
    row = service.create_order(db, actor, body)
    return service.get_order(db, actor, row.id)


@router.get(f"{API}/orders/{{order_id}}", tags=TAGS, summary="An order and its lines")
def read_order(order_id: int, db: DB, actor: ApiActor) -> dict:
    return service.get_order(db, actor, order_id)


@router.post(f"{API}/orders/{{order_id}}/lines", tags=TAGS, status_code=201,
             summary="Add a line to a draft (refused once approved: Art 19 p.4)")
def add_line(order_id: int, db: DB, actor: ApiActor, body: service.LineIn) -> dict:
    line = service.add_line(db, actor, order_id, body)
    return {"id": line.id, "position": line.position}


@router.delete(f"{API}/orders/{{order_id}}/lines/{{line_id}}", tags=TAGS, status_code=204,
               summary="Remove a line from a draft")
def remove_line(order_id: int, line_id: int, db: DB, actor: ApiActor) -> Response:
    service.remove_line(db, actor, order_id, line_id)
    return Response(status_code=204)


@router.get(f"{API}/orders/{{order_id}}/check", tags=TAGS,
            summary="The mandatory content check (Art 19 p.3) with each finding's clause")
def check_order(order_id: int, db: DB, actor: ApiActor, on: dt.date | None = None) -> dict:
    return service.check_order(db, actor, order_id, on or today())


@router.post(f"{API}/orders/{{order_id}}/approval", tags=TAGS,
             summary="Record the Government act approving the order (Art 5 sub 8)")
def approve_order(order_id: int, db: DB, actor: ApiActor, body: service.ApprovalIn) -> dict:
    service.approve_order(db, actor, order_id, body)
    return service.get_order(db, actor, order_id)


COLUMNS = ("position", "nomenclature", "category", "quantity", "unit", "unit_price", "total",
           "deadline", "recipient", "contractor_bin", "section", "stage", "status",
           "secrecy_level")


@router.get(f"{API}/orders/{{order_id}}/export.csv", tags=TAGS,
            summary="The order as CSV, marked with its highest secrecy level shown")
def export_csv(order_id: int, db: DB, actor: ApiActor) -> Response:
    view = service.get_order(db, actor, order_id)
    out = io.StringIO()
    out.write(f"# {view['marking'].upper()} — {secrecy.BASIS}\n")
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for line in view["lines"]:
        writer.writerow([line.get(c) if line.get(c) is not None else "" for c in COLUMNS])
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="defense-order-{order_id}.csv"'})


PDF_LABELS = {
    "ru": ("Государственный оборонный заказ", "Гриф", "Получатели", [
        "№", "Номенклатура", "Кол-во", "Цена за ед.", "Срок", "Исполнитель", "Раздел, этап"]),
    "kk": ("Мемлекеттік қорғаныстық тапсырыс", "Гриф", "Алушылар", [
        "№", "Номенклатура", "Саны", "Бірлік бағасы", "Мерзімі", "Орындаушы", "Бөлім, кезең"]),
    "en": ("State defense order", "Marking", "Recipients", [
        "No", "Nomenclature", "Quantity", "Unit price", "Deadline", "Contractor",
        "Section, stage"]),
}


@router.get(f"{API}/orders/{{order_id}}/export.pdf", tags=TAGS,
            summary="The order as a marked PDF (nothing above the caller's clearance)")
def export_pdf(order_id: int, db: DB, actor: ApiActor, language: str = "ru") -> Response:
    from kzreg.platform.documents import data_version, html_to_pdf, render_html, snapshot

    view = service.get_order(db, actor, order_id)
    title, mark, recipients, columns = PDF_LABELS.get(language, PDF_LABELS["ru"])
    marking = f"{mark}: {view['marking'].upper()}"
    rows = [[ln["position"], ln["nomenclature"], f"{ln['quantity']} {ln['unit']}",
             ln["unit_price"], ln["deadline"] or "—", ln["contractor_bin"] or "—",
             f"{ln['section']}, {ln['stage']}"] for ln in view["lines"]]
    data = snapshot({"title": f"{title}: {view['title']}", "subtitle": marking,
                     "register": view["planning_period"], "as_of": now_utc().isoformat(),
                     "paragraphs": [marking, f"{view['act_number'] or ''} "
                                    f"{view['act_date'] or ''}".strip() or view["status"],
                                    f"{recipients}: {', '.join(view['recipients'])}"],
                     "columns": columns, "rows": rows,
                     "basis": [art("Art 19 p.3").ref, secrecy.BASIS.ref]})
    html = render_html("extract.html", data, language=language if language in PDF_LABELS
                       else "ru", uid=uuid.uuid4().hex, rules_version=data_version(),
                       created_at=now_utc())
    return Response(html_to_pdf(html), media_type="application/pdf", headers={
        "Content-Disposition": f'inline; filename="defense-order-{order_id}.pdf"'})


# --- versions of the approved order, and the contracts of its lines ------------------------

@router.get(f"{API}/orders/{{order_id}}/versions", tags=TAGS,
            summary="The approved order and its amendments, each version with its act")
def order_versions(order_id: int, db: DB, actor: ApiActor) -> dict:
    return version_service.versions_view(db, actor, order_id)


@router.get(f"{API}/orders/{{order_id}}/versions/applicable", tags=TAGS,
            summary="The version that applied on a date (Art 23 p.1 sub 2)")
def order_version_applicable(order_id: int, db: DB, actor: ApiActor, on: dt.date) -> dict:
    return version_service.applicable_view(db, actor, order_id, on)


@router.post(f"{API}/orders/{{order_id}}/amendments", tags=TAGS, status_code=201,
             summary="Draft an amendment: the next version (Art 23 p.1 sub 2, Art 19 p.4)")
def propose_amendment(order_id: int, db: DB, actor: ApiActor,
                      body: version_service.AmendmentIn) -> dict:
    row = version_service.propose_amendment(db, actor, order_id, body)
    return {"order": order_id, "number": row.number, "status": row.status}


@router.get(f"{API}/orders/{{order_id}}/amendments/{{number}}/check", tags=TAGS,
            summary="The mandatory content check of a draft version (Art 19 p.3)")
def check_amendment(order_id: int, number: int, db: DB, actor: ApiActor) -> dict:
    return version_service.check_amendment(db, actor, order_id, number)


@router.post(f"{API}/orders/{{order_id}}/amendments/{{number}}/approval", tags=TAGS,
             summary="Record the Government act amending the order")
def approve_amendment(order_id: int, number: int, db: DB, actor: ApiActor,
                      body: version_service.ActIn) -> dict:
    version_service.approve_amendment(db, actor, order_id, number, body)
    return version_service.versions_view(db, actor, order_id)


@router.delete(f"{API}/orders/{{order_id}}/amendments/{{number}}", tags=TAGS, status_code=204,
               summary="Discard a draft amendment (an approved version stays)")
def discard_amendment(order_id: int, number: int, db: DB, actor: ApiActor) -> Response:
    version_service.discard_amendment(db, actor, order_id, number)
    return Response(status_code=204)


@router.post(f"{API}/orders/{{order_id}}/lines/{{ref}}/contract", tags=TAGS, status_code=201,
             summary="Open the contract of a line of the version in force (Art 22 p.1, p.5)")
def open_contract(order_id: int, ref: str, db: DB, actor: ApiActor,
                  body: version_service.ContractIn | None = None) -> dict:
    return version_service.open_contract(db, actor, order_id, ref,
                                         body or version_service.ContractIn())


# --- the research pipeline (Art 21) ---------------------------------------------------------

@router.get(f"{API}/research", tags=TAGS,
            summary="Areas, expert councils, research applications and reports")
def research(db: DB, actor: ApiActor) -> dict:
    return research_service.research_view(db, actor)


@router.post(f"{API}/expert-councils", tags=TAGS, status_code=201,
             summary="Set up an area's expert council (Art 21 p.5-6)")
def set_up_council(db: DB, actor: ApiActor, body: research_service.CouncilIn) -> dict:
    row = research_service.set_up_council(db, actor, body)
    return {"id": row.id, "area_code": row.area_code}


@router.post(f"{API}/research-reports", tags=TAGS, status_code=201,
             summary="Submit a report on completed research (Art 21 p.4)")
def submit_report(db: DB, actor: ApiActor, body: research_service.ReportIn) -> dict:
    return research_service.report_json(research_service.submit_report(db, actor, body))


@router.post(f"{API}/research-reports/{{report_id}}/{{step}}", tags=TAGS,
             summary="examine (Art 21 p.4), consider (Art 21 p.2) or approve "
                     "(Art 6-1 sub 19, Art 7 sub 14-2) a report")
def report_step(report_id: int, step: str, db: DB, actor: ApiActor,
                body: research_service.ReportStepIn) -> dict:
    return research_service.report_step(db, actor, report_id, step, body)


# --- selection (Art 20) -----------------------------------------------------------------------

@router.post(f"{API}/lines/{{line_id}}/selection", tags=TAGS, status_code=201,
             summary="Run the Art 20 cascade for a draft line on the stored register")
def run_selection(line_id: int, db: DB, actor: ApiActor,
                  body: selection_service.SelectionIn) -> dict:
    return selection_json(selection_service.run_selection(db, actor, line_id, body))


@router.get(f"{API}/selections", tags=TAGS, summary="Selections the caller may see")
def list_selections(db: DB, actor: ApiActor, order_id: int | None = None) -> dict:
    rows = selection_service.list_selections(db, actor, order_id)
    return {"total": len(rows), "selections": [selection_json(r) for r in rows]}


@router.get(f"{API}/selections/{{selection_id}}", tags=TAGS,
            summary="A selection with its envelope-opening record and explanation")
def read_selection(selection_id: int, db: DB, actor: ApiActor) -> dict:
    return selection_json(selection_service.get_selection(db, actor, selection_id))


# --- requirements (TTS, Art 20 p.2) ---------------------------------------------------------

class StepIn(BaseModel):
    on: dt.date


class RevisionIn(BaseModel):
    characteristics: dict[str, str]


@router.get(f"{API}/requirements", tags=TAGS, summary="Requirements the caller may see")
def list_requirements(db: DB, actor: ApiActor) -> dict:
    rows = requirement_service.list_requirements(db, actor)
    return {"total": len(rows), "requirements": rows}


@router.post(f"{API}/requirements", tags=TAGS, status_code=201,
             summary="Draft a military operational requirement (version 1)")
def create_requirement(db: DB, actor: ApiActor, body: requirement_service.RequirementIn) -> dict:
    row = requirement_service.create_requirement(db, actor, body)
    return requirement_service.requirement_view(db, actor, row.id)


@router.get(f"{API}/requirements/{{req_id}}", tags=TAGS, summary="A requirement's versions")
def read_requirement(req_id: int, db: DB, actor: ApiActor) -> dict:
    return requirement_service.requirement_view(db, actor, req_id)


@router.post(f"{API}/requirements/{{req_id}}/versions/{{number}}/revision", tags=TAGS,
             status_code=201, summary="Revise: a new version (Art 22 p.7 sub 3)")
def revise_requirement(req_id: int, number: int, db: DB, actor: ApiActor,
                       body: RevisionIn) -> dict:
    requirement_service.revise_requirement(db, actor, req_id, number, body.characteristics)
    return requirement_service.requirement_view(db, actor, req_id)


@router.post(f"{API}/requirements/{{req_id}}/versions/{{number}}/{{step}}", tags=TAGS,
             summary="approve (Art 25 sub 5) or send (Art 20 p.2 part 3) a version")
def requirement_step(req_id: int, number: int, step: str, db: DB, actor: ApiActor,
                     body: StepIn) -> dict:
    requirement_service.requirement_step(db, actor, req_id, number, step, body.on)
    return requirement_service.requirement_view(db, actor, req_id)


# --- the register and the offshore lists (Art 6-1 sub 11, Art 20 p.4, p.10) -----------------

@router.get(f"{API}/register", tags=TAGS, summary="The register: search by name or BIN")
def register(db: DB, actor: ApiActor, q: str | None = None, category: str | None = None,
             on: dt.date | None = None, limit: int = Query(500, ge=1, le=5000)) -> dict:
    rows = book.search(db, actor, q, category, on, limit)
    return {"total": len(rows), "entries": rows}


@router.post(f"{API}/register", tags=TAGS, status_code=201,
             summary="Include an entity (Art 6-1 sub 11; conditions of Art 1 sub 2, 5, 24)")
def include(db: DB, actor: ApiActor, body: book.InclusionIn) -> dict:
    return book.include(db, actor, body)


@router.post(f"{API}/register/check", tags=TAGS,
             summary="May an entity be included? (explanation, nothing stored)")
def inclusion_check(actor: ApiActor, body: book.InclusionIn) -> dict:
    return book.check_inclusion(actor, body).to_dict()


@router.get(f"{API}/register/{{bin}}", tags=TAGS, summary="An entity's latest entry")
def register_entry(bin: str, db: DB, actor: ApiActor) -> dict:
    return book.get_entry(db, actor, bin)


@router.post(f"{API}/register/{{bin}}/removal", tags=TAGS,
             summary="Remove an entity from the register, with the reason")
def remove(bin: str, db: DB, actor: ApiActor, body: book.RemovalIn) -> dict:
    return book.remove(db, actor, bin, body)


@router.get(f"{API}/offshore-lists", tags=TAGS, summary="Versions of the offshore list")
def offshore_lists(db: DB, actor: ApiActor) -> dict:
    return {"versions": book.offshore_versions(db, actor)}


@router.post(f"{API}/offshore-lists", tags=TAGS, status_code=201,
             summary="Load a dated version of the approved list (administrators)")
def load_offshore(db: DB, actor: ApiActor, body: OffshoreListInput) -> dict:
    return book.load_offshore(db, actor, body)


@router.get(f"{API}/offshore-lists/applicable", tags=TAGS,
            summary="The version that applied on a date")
def offshore_on(db: DB, actor: ApiActor, on: dt.date) -> dict:
    return book.offshore_on(db, actor, on)


@router.post(f"{API}/offshore-check", tags=TAGS,
             summary="The offshore gate for an entity on a date (Art 20 p.10)")
def offshore_check(db: DB, actor: ApiActor, body: book.GateIn) -> dict:
    return book.offshore_check(db, actor, body).to_dict()


# --- search across the room ------------------------------------------------------------------

def search_all(db: Any, actor: Actor, q: str) -> dict[str, Any]:
    """Orders, applications and register entries matching `q`, as the caller may see them."""
    service.reader(actor)
    if not q.strip():
        return {"orders": [], "applications": [], "register": []}
    return {"orders": service.list_orders(db, actor, q),
            "applications": [application_json(r)
                             for r in service.list_applications(db, actor, q)],
            "register": book.search(db, actor, q)}


@router.get(f"{API}/search", tags=TAGS, summary="Search the room within your clearance")
def search(db: DB, actor: ApiActor, q: str = "") -> dict:
    return search_all(db, actor, q)
