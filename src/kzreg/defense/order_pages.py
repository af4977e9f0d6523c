"""The defense room's pages for the order (Law 236-VI), under /defense/: the room's home,
orders (draft, content check with each finding's clause, approval; then its versions,
amendments by later Government acts and the contracts of its lines), applications, the
research pipeline (areas, expert councils, DSTC selection, reports), military operational
requirements and their versions, the procurement-route classifier, the register with its
beneficial owners, the offshore lists and gate, selections with the envelope-opening
record, who acts on a date, and search. Forms carry the CSRF token; everything shown went
through the services' secrecy filter (Art 25 sub 3)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, ValidationError

from kzreg.defense import labels, order, secrecy, selection_service, version_service
from kzreg.defense import order_service as service
from kzreg.defense import register_service as book
from kzreg.defense import requirement_service as tts
from kzreg.defense import research_service as research
from kzreg.defense.competence import Funds, who_acts
from kzreg.defense.rules import EntityInput, OffshoreListInput, OpeningInput, OwnerInput
from kzreg.law.calendar import local_date, now_utc
from kzreg.law.errors import InputError, KzregError
from kzreg.platform.actors import Role
from kzreg.web.auth import DB, PageActor, Visitor, VisitorDep, csrf_protected
from kzreg.web.templating import add_template_dir, render

add_template_dir(str(Path(__file__).parent / "templates"))

router = APIRouter()
Posted = Annotated[Visitor, Depends(csrf_protected)]


def _today() -> dt.date:
    return local_date(now_utc())


def _model(cls: type[BaseModel], data: dict[str, Any]) -> Any:
    """A form's values as the API's input model; a bad value is an InputError naming it."""
    try:
        return cls(**data)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first.get("loc", ())) or "form"
        raise InputError(first.get("msg", "invalid value"), field=field) from None


async def _form(request: Request) -> dict[str, str]:
    form = await request.form()
    return {k: v.strip() for k, v in form.items() if isinstance(v, str) and k != "csrf_token"}


def _list(text: str | None) -> list[str]:
    return [p.strip() for p in (text or "").replace(";", ",").split(",") if p.strip()]


def _page(request: Request, visitor: Visitor, template: str, **context: Any) -> Response:
    actor = visitor.actor
    context.setdefault("can_act", actor is not None and service.officer_or_none(actor))
    context.setdefault("is_admin", actor is not None and actor.role is Role.ADMIN)
    for key, value in labels.page_context(visitor.language).items():
        context.setdefault(key, value)
    context.setdefault("today", _today())
    return render(request, f"defense/{template}", context, visitor=visitor)


# --- home, who acts, search --------------------------------------------------------------------

@router.get("/defense/", response_class=HTMLResponse, include_in_schema=False)
def home(request: Request, db: DB, visitor: VisitorDep, actor: PageActor) -> Response:
    service.reader(actor)
    orders = service.list_orders(db, actor)
    return _page(request, visitor, "order_home.html", orders=orders[:10])


@router.get("/defense/who-acts", response_class=HTMLResponse, include_in_schema=False)
def who_acts_page(request: Request, visitor: VisitorDep, actor: PageActor,
                  on: str | None = None, funds: str = Funds.SDP_BODY.value) -> Response:
    service.reader(actor)
    day = _date(on, "on") if on else _today()
    kind = Funds(funds) if funds in {f.value for f in Funds} else Funds.SDP_BODY
    answer = who_acts(day, kind).to_dict()
    return _page(request, visitor, "order_who_acts.html", answer=answer, on=day,
                 funds=kind.value, choices=[f.value for f in Funds])


@router.get("/defense/search", response_class=HTMLResponse, include_in_schema=False)
def search_page(request: Request, db: DB, visitor: VisitorDep, actor: PageActor,
                q: str = "") -> Response:
    from kzreg.defense.order_api import search_all

    return _page(request, visitor, "order_search.html", q=q, found=search_all(db, actor, q))


def _date(text: str | None, field: str) -> dt.date:
    try:
        return dt.date.fromisoformat(str(text))
    except ValueError:
        raise InputError("give the date as YYYY-MM-DD", field=field) from None


# --- orders ------------------------------------------------------------------------------------

@router.get("/defense/orders", response_class=HTMLResponse, include_in_schema=False)
def orders_page(request: Request, db: DB, visitor: VisitorDep, actor: PageActor,
                q: str = "") -> Response:
    return _page(request, visitor, "order_list.html", orders=service.list_orders(db, actor, q),
                 q=q)


@router.post("/defense/orders", include_in_schema=False)
async def create_order(request: Request, db: DB, visitor: Posted, actor: PageActor) -> Response:
    f = await _form(request)
    body = _model(service.OrderIn, {**f, "recipients": _list(f.get("recipients")),
                                    "contractors": _list(f.get("contractors")),
                                    "allocated_funds": f.get("allocated_funds") or None})
    row = service.create_order(db, actor, body)
    return RedirectResponse(f"/defense/orders/{row.id}", status_code=303)


@router.get("/defense/orders/{order_id}", response_class=HTMLResponse, include_in_schema=False)
def order_page(order_id: int, request: Request, db: DB, visitor: VisitorDep,
               actor: PageActor, on: str | None = None) -> Response:
    view = service.get_order(db, actor, order_id)
    day = _date(on, "on") if on else _today()
    check = None if actor.role is Role.CONTRACTOR else service.check_order(
        db, actor, order_id, day)
    selections = selection_service.list_selections(db, actor, order_id)
    applications = ([a for a in service.list_applications(db, actor) if not a.problems]
                    if service.officer_or_none(actor) and view["status"] == "draft" else [])
    history = (version_service.versions_view(db, actor, order_id)
               if view["status"] == "approved" else None)
    draft = next((v for v in (history or {}).get("versions", []) if v["status"] == "draft"),
                 None)
    draft_check = (version_service.check_amendment(db, actor, order_id, draft["number"])
                   if draft and actor.role is not Role.CONTRACTOR else None)
    contracts = (version_service.contracts_of(db, order_id)
                 if history and actor.role is not Role.CONTRACTOR else {})
    from kzreg.defense.task_service import tasks_view

    tasks = ({(t["line_ref"], t["version"]): t for t in tasks_view(db, actor, order_id)}
             if history else {})
    return _page(request, visitor, "order_view.html", o=view, check=check, on=day,
                 selections=selections, applications=applications, history=history,
                 draft=draft, draft_check=draft_check, contracts=contracts, tasks=tasks,
                 withheld=secrecy.WITHHELD)


@router.post("/defense/orders/{order_id}/lines", include_in_schema=False)
async def add_line(order_id: int, request: Request, db: DB, visitor: Posted,
                   actor: PageActor) -> Response:
    f = await _form(request)
    data = {k: v for k, v in f.items() if v != ""}
    body = _model(service.LineIn, data)
    service.add_line(db, actor, order_id, body)
    return RedirectResponse(f"/defense/orders/{order_id}#lines", status_code=303)


@router.post("/defense/orders/{order_id}/approval", include_in_schema=False)
async def approve(order_id: int, request: Request, db: DB, visitor: Posted,
                  actor: PageActor) -> Response:
    f = await _form(request)
    service.approve_order(db, actor, order_id, _model(service.ApprovalIn, f))
    return RedirectResponse(f"/defense/orders/{order_id}", status_code=303)


# --- amendments and contracts of the approved order (Art 19 p.4, Art 23 p.1 sub 2, Art 22) -----

@router.post("/defense/orders/{order_id}/amendments", include_in_schema=False)
async def propose_amendment(order_id: int, request: Request, db: DB, visitor: Posted,
                            actor: PageActor) -> Response:
    """The amendment form: per line of the version in force a new quantity, unit price or
    deadline, or removal (`q:<ref>`, `p:<ref>`, `d:<ref>`, `rm:<ref>`), and one new line."""
    f = await _form(request)
    refs = sorted({k.split(":", 1)[1] for k in f if ":" in k})
    changes = []
    for ref in refs:
        change = {"ref": ref, "quantity": f.get(f"q:{ref}") or None,
                  "unit_price": f.get(f"p:{ref}") or None,
                  "deadline": f.get(f"d:{ref}") or None, "remove": f.get(f"rm:{ref}") == "on"}
        if change["remove"] or any(change[k] for k in ("quantity", "unit_price", "deadline")):
            changes.append(change)
    additions = []
    if f.get("add_nomenclature"):
        added: dict[str, Any] = {k[4:]: v for k, v in f.items() if k.startswith("add_") and v}
        added["selection"] = _addition_selection(f)
        additions.append(added)
    body = _model(version_service.AmendmentIn, {
        "kind": f.get("kind") or "amendment", "trigger": f.get("trigger") or None,
        "reason": f.get("reason", ""), "changes": changes, "additions": additions,
        "allocated_funds": f.get("allocated_funds") or None})
    version_service.propose_amendment(db, actor, order_id, body)
    return RedirectResponse(f"/defense/orders/{order_id}#order-versions", status_code=303)


def _addition_selection(f: dict[str, str]) -> dict[str, Any]:
    """The Art 20 selection of an added line from the amendment form (`sel_*` fields)."""
    participants = _list(f.get("sel_participants"))
    chosen: dict[str, Any] = {"held_on": f.get("sel_held_on") or None,
                              "participants": participants,
                              "winner": f.get("sel_winner") or None}
    if f.get("sel_opening_held_on"):
        chosen["opening"] = {
            "held_on": f["sel_opening_held_on"], "members": _list(f.get("sel_members")),
            "signed_by": _list(f.get("sel_signed_by")), "envelopes": participants,
            "audio_ref": f.get("sel_audio_ref") or None,
            "video_ref": f.get("sel_video_ref") or None}
    if f.get("sel_ao_bin"):
        chosen["authorized_organization"] = {"bin": f["sel_ao_bin"],
                                             "name": f.get("sel_ao_name", "")}
    return chosen


@router.post("/defense/orders/{order_id}/amendments/{number}/approval", include_in_schema=False)
async def approve_amendment(order_id: int, number: int, request: Request, db: DB,
                            visitor: Posted, actor: PageActor) -> Response:
    f = await _form(request)
    version_service.approve_amendment(db, actor, order_id, number,
                                      _model(version_service.ActIn, f))
    return RedirectResponse(f"/defense/orders/{order_id}#order-versions", status_code=303)


@router.post("/defense/orders/{order_id}/amendments/{number}/discard", include_in_schema=False)
async def discard_amendment(order_id: int, number: int, request: Request, db: DB,
                            visitor: Posted, actor: PageActor) -> Response:
    version_service.discard_amendment(db, actor, order_id, number)
    return RedirectResponse(f"/defense/orders/{order_id}#order-versions", status_code=303)


@router.post("/defense/orders/{order_id}/lines/{ref}/contract", include_in_schema=False)
async def open_contract(order_id: int, ref: str, request: Request, db: DB, visitor: Posted,
                        actor: PageActor) -> Response:
    f = await _form(request)
    body = _model(version_service.ContractIn, {
        "mro_at_contractor": f.get("mro_at_contractor") == "on",
        "for_state_security_service": f.get("for_state_security_service") == "on",
        "warranty_until": f.get("warranty_until") or None})
    made = version_service.open_contract(db, actor, order_id, ref, body)
    return RedirectResponse(f"/defense/contracts/{made['contract']}", status_code=303)


# --- the procurement-route classifier (Art 19 p.1-2, Art 20 p.6) -----------------------------

@router.get("/defense/route", response_class=HTMLResponse, include_in_schema=False)
def route_page(request: Request, visitor: VisitorDep, actor: PageActor,
               category: str = "", in_head_list: str = "", special_state_body: str = "",
               ao_cannot_supply: str = "") -> Response:
    service.reader(actor)
    answer = None
    if category:
        answer = order.route(category, in_head_list=in_head_list == "on",
                             special_state_body=special_state_body == "on",
                             ao_cannot_supply=ao_cannot_supply == "on").to_dict()
    from kzreg.defense._law import data

    return _page(request, visitor, "order_route.html", answer=answer, category=category,
                 categories=data("categories"), flags={
                     "in_head_list": in_head_list == "on",
                     "special_state_body": special_state_body == "on",
                     "ao_cannot_supply": ao_cannot_supply == "on"})


# --- the research pipeline (Art 21) ------------------------------------------------------------

@router.get("/defense/research", response_class=HTMLResponse, include_in_schema=False)
def research_page(request: Request, db: DB, visitor: VisitorDep, actor: PageActor) -> Response:
    from kzreg.defense._law import data

    return _page(request, visitor, "order_research.html",
                 r=research.research_view(db, actor),
                 affiliations=data("expert_councils")["affiliations"])


@router.post("/defense/research/areas", include_in_schema=False)
async def approve_area(request: Request, db: DB, visitor: Posted, actor: PageActor) -> Response:
    f = await _form(request)
    service.approve_area(db, actor, _model(service.AreaIn, {**f, "secrecy_level":
                                                            f.get("secrecy_level") or 0}))
    return RedirectResponse("/defense/research#areas", status_code=303)


@router.post("/defense/research/councils", include_in_schema=False)
async def set_up_council(request: Request, db: DB, visitor: Posted,
                         actor: PageActor) -> Response:
    """Members one a line: "name; affiliation" (affiliation a key of Art 21 p.6's list)."""
    f = await _form(request)
    members = []
    for n, text in enumerate(p for p in f.get("members", "").splitlines() if p.strip()):
        name, _sep, affiliation = text.partition(";")
        if not affiliation.strip():
            raise InputError("one member a line: name; affiliation",
                             field=f"members[{n}].affiliation")
        members.append({"name": name.strip(), "affiliation": affiliation.strip()})
    research.set_up_council(db, actor, _model(research.CouncilIn, {
        **f, "members": members, "secrecy_level": f.get("secrecy_level") or 0}))
    return RedirectResponse("/defense/research#councils", status_code=303)


@router.post("/defense/applications/{app_id}/research-decision", include_in_schema=False)
async def research_decision(app_id: int, request: Request, db: DB, visitor: Posted,
                            actor: PageActor) -> Response:
    f = await _form(request)
    selected = {"yes": True, "no": False}.get(f.get("dstc_selected", ""))
    service.decide_research(db, actor, app_id, _model(service.ResearchDecisionIn, {
        "expert_opinion": f.get("expert_opinion") or None, "dstc_selected": selected,
        "dstc_decision": f.get("dstc_decision") or None, "on": f.get("on")}))
    return RedirectResponse("/defense/research#research-applications", status_code=303)


@router.post("/defense/research/reports", include_in_schema=False)
async def submit_report(request: Request, db: DB, visitor: Posted,
                        actor: PageActor) -> Response:
    f = await _form(request)
    research.submit_report(db, actor, _model(research.ReportIn, {
        **f, "secrecy_level": f.get("secrecy_level") or 0}))
    return RedirectResponse("/defense/research#reports", status_code=303)


@router.post("/defense/research/reports/{report_id}/{step}", include_in_schema=False)
async def report_step(report_id: int, step: str, request: Request, db: DB, visitor: Posted,
                      actor: PageActor) -> Response:
    f = await _form(request)
    research.report_step(db, actor, report_id, step, _model(research.ReportStepIn, f))
    return RedirectResponse("/defense/research#reports", status_code=303)


# --- military operational requirements (TTS) and their versions (Art 20 p.2, Art 25 sub 5) ---

@router.get("/defense/requirements", response_class=HTMLResponse, include_in_schema=False)
def requirements_page(request: Request, db: DB, visitor: VisitorDep,
                      actor: PageActor) -> Response:
    return _page(request, visitor, "order_requirements.html",
                 rows=tts.list_requirements(db, actor))


def _characteristics(text: str | None) -> dict[str, str]:
    """One characteristic a line: "name: value"."""
    out: dict[str, str] = {}
    for n, raw in enumerate(p for p in (text or "").splitlines() if p.strip()):
        name, sep, value = raw.partition(":")
        if not sep or not name.strip():
            raise InputError("one characteristic a line: name: value",
                             field=f"characteristics[{n}]")
        out[name.strip()] = value.strip()
    return out


@router.post("/defense/requirements", include_in_schema=False)
async def create_requirement(request: Request, db: DB, visitor: Posted,
                             actor: PageActor) -> Response:
    f = await _form(request)
    row = tts.create_requirement(db, actor, _model(tts.RequirementIn, {
        "item": f.get("item", ""), "recipient": f.get("recipient", ""),
        "line_id": f.get("line_id") or None,
        "characteristics": _characteristics(f.get("characteristics")),
        "place_of_delivery": f.get("place_of_delivery", ""),
        "national_standards": _list(f.get("national_standards")),
        "secrecy_level": f.get("secrecy_level") or 0}))
    return RedirectResponse(f"/defense/requirements/{row.id}", status_code=303)


@router.get("/defense/requirements/{req_id}", response_class=HTMLResponse,
            include_in_schema=False)
def requirement_page(req_id: int, request: Request, db: DB, visitor: VisitorDep,
                     actor: PageActor) -> Response:
    return _page(request, visitor, "order_requirement.html",
                 req=tts.requirement_view(db, actor, req_id))


@router.post("/defense/requirements/{req_id}/versions/{number}/{step}", include_in_schema=False)
async def requirement_step(req_id: int, number: int, step: str, request: Request, db: DB,
                           visitor: Posted, actor: PageActor) -> Response:
    f = await _form(request)
    if step == "revision":
        tts.revise_requirement(db, actor, req_id, number,
                               _characteristics(f.get("characteristics")))
    else:
        tts.requirement_step(db, actor, req_id, number, step, _date(f.get("on"), "on"))
    return RedirectResponse(f"/defense/requirements/{req_id}", status_code=303)


# --- selection ------------------------------------------------------------------------------

@router.get("/defense/lines/{line_id}/selection", response_class=HTMLResponse,
            include_in_schema=False)
def selection_form(line_id: int, request: Request, db: DB, visitor: VisitorDep,
                   actor: PageActor) -> Response:
    from kzreg.defense.models import DefenseOrderLine

    service.officer(actor)
    line = db.get(DefenseOrderLine, line_id)
    if line is None or not service.sees(actor, line.secrecy_level):
        raise service.not_found("line", line_id)
    view = service.get_order(db, actor, line.order_id)
    members = book.search(db, actor, category=line.category, on=_today())
    from kzreg.defense.reserve_transfer_service import transfer_for

    return _page(request, visitor, "order_select.html", line=line, o=view, members=members,
                 transfer=transfer_for(db, line.id, _today()))


@router.post("/defense/lines/{line_id}/selection", include_in_schema=False)
async def run_selection(line_id: int, request: Request, db: DB, visitor: Posted,
                        actor: PageActor) -> Response:
    f = await _form(request)
    opening = None
    if f.get("opening_held_on"):
        opening = _model(OpeningInput, {
            "held_on": f["opening_held_on"], "members": _list(f.get("members")),
            "signed_by": _list(f.get("signed_by")), "envelopes": _list(f.get("envelopes")),
            "present": _list(f.get("present")), "audio_ref": f.get("audio_ref") or None,
            "video_ref": f.get("video_ref") or None})
    ao = None
    if f.get("ao_bin"):
        ao = _model(EntityInput, {"bin": f["ao_bin"], "name": f.get("ao_name", ""),
                                  "jurisdiction": f.get("ao_jurisdiction") or "KZ"})
    body = _model(selection_service.SelectionIn, {
        "held_on": f.get("held_on"), "participants": _list(f.get("participants")),
        "winner": f.get("winner") or None, "opening": opening, "authorized_organization": ao,
        "ao_can_supply": f.get("ao_can_supply") != "no",
        "after_exclusion": f.get("after_exclusion") or "public_procurement",
        "special_state_body": f.get("special_state_body") == "on"})
    record = selection_service.run_selection(db, actor, line_id, body)
    return RedirectResponse(f"/defense/selections/{record.id}", status_code=303)


@router.get("/defense/selections", response_class=HTMLResponse, include_in_schema=False)
def selections_page(request: Request, db: DB, visitor: VisitorDep,
                    actor: PageActor) -> Response:
    return _page(request, visitor, "order_selections.html",
                 selections=selection_service.list_selections(db, actor))


@router.get("/defense/selections/{selection_id}", response_class=HTMLResponse,
            include_in_schema=False)
def selection_page(selection_id: int, request: Request, db: DB, visitor: VisitorDep,
                   actor: PageActor) -> Response:
    record = selection_service.get_selection(db, actor, selection_id)
    return _page(request, visitor, "order_selection.html", s=record,
                 opening=(record.inputs or {}).get("opening"))


# --- applications -------------------------------------------------------------------------------

@router.get("/defense/applications", response_class=HTMLResponse, include_in_schema=False)
def applications_page(request: Request, db: DB, visitor: VisitorDep, actor: PageActor,
                      q: str = "") -> Response:
    return _page(request, visitor, "order_applications.html", q=q,
                 rows=service.list_applications(db, actor, q))


@router.post("/defense/applications", include_in_schema=False)
async def submit_application(request: Request, db: DB, visitor: Posted,
                             actor: PageActor) -> Response:
    f = await _form(request)
    data = {k: v for k, v in f.items() if v != ""}
    data["special_state_body"] = f.get("special_state_body") == "on"
    service.submit_application(db, actor, _model(service.ApplicationIn, data))
    return RedirectResponse("/defense/applications", status_code=303)


# --- register and offshore lists --------------------------------------------------------------

@router.get("/defense/register", response_class=HTMLResponse, include_in_schema=False)
def register_page(request: Request, db: DB, visitor: VisitorDep, actor: PageActor,
                  q: str = "", category: str = "") -> Response:
    rows = book.search(db, actor, q or None, category or None)
    return _page(request, visitor, "order_register.html", rows=rows, q=q, category=category)


@router.post("/defense/register", include_in_schema=False)
async def include(request: Request, db: DB, visitor: Posted, actor: PageActor) -> Response:
    f = await _form(request)
    entity = {"bin": f.get("bin", ""), "name": f.get("name", ""),
              "resident": f.get("resident") == "on", "jurisdiction": f.get("jurisdiction") or "KZ",
              "production_facilities_in_kz": f.get("production_facilities_in_kz") == "on",
              "able_to_perform": f.get("able_to_perform") == "on",
              "protects_classified": f.get("protects_classified") == "on",
              "protection_level": f.get("protection_level") or 0,
              "owners": _owners(f.get("owners"))}
    body = _model(book.InclusionIn, {
        "entity": entity, "kinds": _list(f.get("kinds")) or ["producer"],
        "categories": _list(f.get("categories")), "included_on": f.get("included_on"),
        "decision": f.get("decision", ""), "secrecy_level": f.get("secrecy_level") or 0})
    book.include(db, actor, body)
    return RedirectResponse(f"/defense/register?q={entity['bin']}", status_code=303)


def _owners(text: str | None) -> list[OwnerInput]:
    """Beneficial owners one a line: "name; legal|natural; jurisdiction" (Art 20 p.10)."""
    owners = []
    for n, raw in enumerate(p for p in (text or "").splitlines() if p.strip()):
        parts = [p.strip() for p in raw.split(";")]
        if len(parts) != 3 or parts[1] not in ("legal", "natural") or not parts[2]:
            raise InputError("one owner a line: name; legal or natural; jurisdiction code",
                             field=f"entity.owners[{n}]")
        owners.append(OwnerInput(name=parts[0], legal_entity=parts[1] == "legal",
                                 jurisdiction=parts[2].upper()))
    return owners


@router.post("/defense/register/{bin}/removal", include_in_schema=False)
async def remove(bin: str, request: Request, db: DB, visitor: Posted,
                 actor: PageActor) -> Response:
    f = await _form(request)
    book.remove(db, actor, bin, _model(book.RemovalIn, f))
    return RedirectResponse("/defense/register", status_code=303)


@router.get("/defense/offshore", response_class=HTMLResponse, include_in_schema=False)
def offshore_page(request: Request, db: DB, visitor: VisitorDep, actor: PageActor,
                  on: str | None = None) -> Response:
    versions = book.offshore_versions(db, actor)
    applicable, refusal = None, None
    if on:
        try:
            applicable = book.offshore_on(db, actor, _date(on, "on"))
        except KzregError as exc:     # no list on that date: say so on the page
            refusal = str(exc)
    return _page(request, visitor, "order_offshore.html", versions=versions, on=on or "",
                 applicable=applicable, refusal=refusal, gate=None, bin="")


@router.post("/defense/offshore/check", response_class=HTMLResponse, include_in_schema=False)
async def offshore_gate(request: Request, db: DB, visitor: Posted, actor: PageActor) -> Response:
    """The gate for a register entity on a date, shown with its explanation (Art 20 p.10)."""
    f = await _form(request)
    gate, refusal = None, None
    try:
        gate = book.offshore_check(db, actor, _model(book.GateIn, {
            "on": f.get("on"), "bin": f.get("bin") or None,
            "purpose": f.get("purpose") or "execute"})).to_dict()
    except KzregError as exc:   # no list on that date, or no such entry: say so on the page
        refusal = str(exc)
    return _page(request, visitor, "order_offshore.html",
                 versions=book.offshore_versions(db, actor), on=f.get("on", ""),
                 applicable=None, refusal=refusal, gate=gate, bin=f.get("bin", ""))


@router.post("/defense/offshore", include_in_schema=False)
async def load_offshore(request: Request, db: DB, visitor: Posted,
                        actor: PageActor) -> Response:
    f = await _form(request)
    body = _model(OffshoreListInput, {**f, "jurisdictions": _list(f.get("jurisdictions"))})
    book.load_offshore(db, actor, body)
    return RedirectResponse("/defense/offshore", status_code=303)
