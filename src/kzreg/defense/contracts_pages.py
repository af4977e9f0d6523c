"""State defense order contracts and the reserve as pages (Law 236-VI Arts 22-29), included by
`contracts_api`'s router:

    /defense/contracts           the board: search, state filter, CSV export (.csv)
    /defense/contracts/new       a contract from a placed order item (officers)
    /defense/contracts/{id}      terms, lines with their acceptance, actions, modifications,
                                 control list, information requests, lots, penalties with
                                 recovery and sums, reclamations, notices, history, PDF
    /defense/reserve             the state material reserve: holdings, uses, replenishment

Every form posts with its CSRF token to one address per page (`action` names what to do);
a refusal re-renders the page with the error (422), naming the field and the clause.
The data, the actions, the CSV and the PDF are `contracts_web`'s, the same as the API's;
roles and secrecy (Art 25 sub 3) are the services': a contract above the caller's clearance
or outside a contractor's BIN is 404.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from kzreg.defense import contracts_service as svc
from kzreg.defense import execution_service as execution
from kzreg.defense import labels
from kzreg.defense import modification_service as modification
from kzreg.defense import monitoring_service as monitoring
from kzreg.defense import reserve_service as reserve
from kzreg.defense.contracts import NOTICE_WORDS, NoticeEvent, RefusalGround
from kzreg.defense.contracts_models import DefenseReclamation
from kzreg.defense.contracts_web import (
    ACTIONS,
    act,
    contract_json,
    export_csv,
    make_document,
    parse_date,
    pdf_response,
    reclamation_in_scope,
)
from kzreg.defense.modifications import Ground
from kzreg.defense.workflow import CONTRACT, OFFICERS
from kzreg.law.calendar import local_date
from kzreg.law.citations import Citation
from kzreg.law.errors import InputError, KzregError, NotFound
from kzreg.platform import cases
from kzreg.platform.actors import Actor
from kzreg.platform.casetypes import get_case_type
from kzreg.web.auth import DB, PageActor, Visitor, VisitorDep, csrf_protected
from kzreg.web.templating import add_template_dir, render

add_template_dir(str(Path(__file__).parent / "templates"))

router = APIRouter()


# --- rendering and form values ---------------------------------------------------------------

def page(request: Request, visitor: Visitor, template: str, context: dict[str, Any],
         status_code: int = 200) -> HTMLResponse:
    return render(request, template, {"cite_ref": _cite_text,
                                      **labels.page_context(visitor.language), **context},
                  status_code=status_code, visitor=visitor)


def _cite_text(ref: str | None) -> str:
    return str(Citation.parse(ref)) if ref else ""


def _is_officer(actor: Actor) -> bool:
    return actor.role in OFFICERS


def _int(value: str | None, field: str) -> int:
    try:
        return int(str(value))
    except ValueError:
        raise InputError(f"{value!r} is not a whole number", field=field) from None


# --- the board -------------------------------------------------------------------------------

@router.get("/defense/contracts", response_class=HTMLResponse, include_in_schema=False)
def board_page(request: Request, db: DB, visitor: VisitorDep, actor: PageActor,
               q: str = "", state: str = "") -> Response:
    return page(request, visitor, "defense/contract_board.html",
                {"rows": svc.board(db, actor, q, state or None),
                 "may_create": _is_officer(actor), "today": local_date(svc.now_utc()),
                 "q": q, "state": state,
                 "states": [(x.name, x.title) for x in get_case_type(CONTRACT).states]})


@router.get("/defense/contracts.csv", include_in_schema=False)
def export_page(db: DB, actor: PageActor, q: str = "", state: str = "") -> Response:
    return export_csv(db, actor, q, state)


# --- a new contract (Art 22 p.1, p.4) --------------------------------------------------------

@router.get("/defense/contracts/new", response_class=HTMLResponse, include_in_schema=False)
def new_page(request: Request, visitor: VisitorDep, actor: PageActor) -> Response:
    return page(request, visitor, "defense/contract_new.html", {"form": {}, "error": None})


@router.post("/defense/contracts/new", response_class=HTMLResponse, include_in_schema=False)
async def new_submit(request: Request, db: DB,
                     visitor: Annotated[Visitor, Depends(csrf_protected)],
                     actor: PageActor) -> Response:
    form = await request.form()
    try:
        case = svc.create_contract(db, actor, placed_item_from_form(form), at=svc.now_utc())
    except KzregError as exc:
        db.rollback()
        return page(request, visitor, "defense/contract_new.html",
                    {"form": dict(form), "error": exc}, status_code=422)
    return RedirectResponse(f"/defense/contracts/{case.id}", status_code=303)


DRAFT_TEXT = ("subject_matter", "validity_period", "quality_control_conditions",
              "acceptance_conditions", "delivery_place", "forfeit", "termination_grounds",
              "liability")


def placed_item_from_form(form) -> dict[str, Any]:
    def text(name: str) -> str | None:
        value = str(form.get(name) or "").strip()
        return value or None

    draft: dict[str, Any] = {k: text(f"draft_{k}") for k in DRAFT_TEXT if text(f"draft_{k}")}
    if text("draft_payment_term_days"):
        draft["payment_term_days"] = _int(text("draft_payment_term_days"),
                                          "draft.payment_term_days")
    draft["vat_clause"] = bool(form.get("draft_vat_clause"))
    lines = parse_lines(str(form.get("lines") or ""), "lines")
    if lines:
        draft["delivery_dates"] = sorted({x["deadline"] for x in lines})
    return {k: v for k, v in {
        "order_ref": text("order_ref"), "order_item_ref": text("order_item_ref"),
        "act_adopted_on": text("act_adopted_on"), "subject": text("subject"),
        "category": text("category"), "recipient": text("recipient"),
        "contract_party": text("contract_party") or "sdp_body",
        "contractor_bin": text("contractor_bin"), "contractor_name": text("contractor_name"),
        "secrecy_level": _int(text("secrecy_level") or "0", "secrecy_level"),
        "lines": lines, "mro_at_contractor": bool(form.get("mro_at_contractor")),
        "for_state_security_service": bool(form.get("for_state_security_service")),
        "warranty_until": text("warranty_until"), "draft": draft}.items() if v is not None}


def parse_lines(text: str, field: str) -> list[dict[str, str]]:
    """'item | quantity | unit price | deadline' per line."""
    lines = []
    for raw in text.splitlines():
        if not raw.strip():
            continue
        parts = [p.strip() for p in raw.split("|")]
        if len(parts) != 4:
            raise InputError("each line: item | quantity | unit price | deadline (YYYY-MM-DD)",
                             field=field)
        lines.append(dict(zip(("item", "quantity", "unit_price", "deadline"), parts,
                              strict=True)))
    return lines


def _lines_text(lines: list[dict[str, Any]]) -> str:
    return "\n".join(f"{x['item']} | {x['quantity']} | {x['unit_price']} | {x['deadline']}"
                     for x in lines)


# --- one contract: everything done on it (Arts 22-29) ----------------------------------------

def _contract_context(db: Session, actor: Actor, case_id: int) -> dict[str, Any]:
    data = contract_json(db, actor, case_id)
    case = cases.get_case_for(db, actor, case_id)
    allowed = {t.name for t in cases.allowed_transitions(actor, case)}
    officer = _is_officer(actor)
    return {"c": data, "allowed": allowed, "officer": officer, "error": None,
            "may_answer": not actor.read_only and (officer or actor.role.is_business),
            "purposes": list(monitoring.MRO_PURPOSES), "requesters": list(monitoring.REQUESTERS),
            "open_lines": [x["item"] for x in data["lines"] if not x["accepted_on"]],
            "grounds": [g.value for g in Ground],
            "refusal_grounds": [g.value for g in RefusalGround],
            "notice_words": {e.value: NOTICE_WORDS[e] for e in NoticeEvent},
            "lines_text": _lines_text(data["lines"]),
            "executing": data["state"] == "in_execution",
            "delivered": data["state"] in ("accepted", "fulfilled")}


@router.get("/defense/contracts/{case_id}", response_class=HTMLResponse, include_in_schema=False)
def contract_page(case_id: int, request: Request, db: DB, visitor: VisitorDep,
                  actor: PageActor) -> Response:
    return page(request, visitor, "defense/contract_detail.html",
                _contract_context(db, actor, case_id))


@router.post("/defense/contracts/{case_id}/act", response_class=HTMLResponse,
             include_in_schema=False)
async def contract_act(case_id: int, request: Request, db: DB,
                       visitor: Annotated[Visitor, Depends(csrf_protected)],
                       actor: PageActor) -> Response:
    form = await request.form()
    action = str(form.get("action") or "")
    anchor = "top"
    try:
        svc.get_contract(db, actor, case_id)   # 404 first, whatever the form holds
        anchor = _page_action(db, actor, case_id, action, form)
    except KzregError as exc:
        db.rollback()
        if isinstance(exc, NotFound) and exc.field == "case_id":
            raise
        context = _contract_context(db, actor, case_id)
        context["error"] = exc
        return page(request, visitor, "defense/contract_detail.html", context, status_code=422)
    return RedirectResponse(f"/defense/contracts/{case_id}#{anchor}", status_code=303)


def _page_action(db: Session, actor: Actor, case_id: int, action: str, form) -> str:
    at = svc.now_utc()
    text = {k: str(v).strip() for k, v in form.items() if isinstance(v, str)}
    if action in ACTIONS:
        body = {k: v for k, v in text.items() if k in ("ground", "reason", "event_link",
                                                        "note", "item", "deadline") and v}
        act(db, actor, case_id, action, body)
        return "terms"
    if action == "modify":
        row = modification.request_modification(db, actor, case_id,
                                                modification_from_form(form), at=at)
        if not row.allowed:
            db.commit()  # the refused request stays on record
            raise modification.refusal_error(row)
        return "modifications"
    if action == "representative":
        monitoring.add_representative(db, actor, case_id, {k: text.get(k) for k in (
            "person", "sent_by", "mandate")}, at=at)
        return "execution"
    if action == "lot":
        execution.present_lot(db, actor, case_id, {
            "number": text.get("number"),
            "items": [str(x) for x in form.getlist("items") if str(x).strip()], "lot": {
            **{k: bool(form.get(k)) for k in (
                "production_complete", "set_complete", "contract_terms_breached",
                "quality_decisions_breached", "field_defect_in_service",
                "defect_present_in_wip")},
            **{k: [x.strip() for x in text.get(k, "").split(",") if x.strip()] for k in (
                "required_tests", "tests_passed", "failed_tests", "nonconformities")},
            "subject": text.get("subject") or "goods"}}, at=at)
        return "execution"
    if action == "certify":
        execution.certify_lot(db, actor, case_id, text.get("number", ""),
                              text.get("certificate", ""), at=at)
        return "execution"
    if action == "accept":
        execution.accept(db, actor, case_id, text.get("number", ""), at=at)
        return "execution"
    if action == "penalty":
        svc.assess_penalty(db, actor, case_id, {"amount": text.get("amount") or "0",
                                                "reason": text.get("reason", "")}, at=at)
        return "penalties"
    if action == "recover":
        svc.recover_penalty(db, actor, _int(text.get("penalty_id"), "penalty_id"),
                            parse_date(text.get("recovered_on"), "recovered_on"), case_id=case_id,
                            at=at)
        return "penalties"
    if action == "control_list":
        monitoring.develop_control_list(db, actor, case_id, {"items": [
            {"item": str(x)} for x in form.getlist("items") if str(x).strip()]}, at=at)
        return "control-list"
    if action == "approve_control_list":
        monitoring.approve_control_list(db, actor, case_id, at=at)
        return "control-list"
    if action == "information_request":
        monitoring.request_information(db, actor, case_id, {
            k: text[k] for k in ("requester", "purpose", "subject", "reply_by")
            if text.get(k)}, at=at)
        return "information"
    if action == "answer":
        monitoring.answer_information(db, actor, _int(text.get("request_id"), "request_id"),
                                      text.get("answer", ""), case_id=case_id, at=at)
        return "information"
    if action == "defect":
        execution.report_defect(db, actor, case_id, {"description": text.get("description", ""),
                                                     "found_on": text.get("found_on")}, at=at)
        return "reclamations"
    if action == "finding":
        rid = _int(text.get("reclamation_id"), "reclamation_id")
        reclamation_in_scope(db, actor, rid)
        if (db.get(DefenseReclamation, rid)).case_id != case_id:
            raise NotFound(f"no reclamation {rid}", field="reclamation_id")
        body: dict[str, Any] = {k: bool(form.get(k)) for k in execution.FindingIn.model_fields
                                if k not in ("notice_received_on", "remedied_on")}
        for k in ("notice_received_on", "remedied_on"):
            if text.get(k):
                body[k] = text[k]
        execution.decide_reclamation(db, actor, rid, body, at=at)
        return "reclamations"
    if action == "document":
        make_document(db, actor, case_id, text.get("language") or "ru")
        return "documents"
    raise InputError(f"no action {action!r}", field="action")


MOD_FLAGS = ("mutual_agreement", "recipient_coordinated", "design_estimate_examined",
             "improvement_offered_by_contractor", "changes_approved_order",
             "subject_matter_unchanged")
MOD_TEXT = ("extra_works_basis", "legislation_change_ref", "force_majeure", "justification",
            "modified_on")
MOD_MONEY = ("allocated_sum", "legislation_effect", "sdo_total_increase")


def modification_from_form(form) -> dict[str, Any]:
    text = {k: str(v).strip() for k, v in form.items() if isinstance(v, str)}
    lines = parse_lines(text.get("after_lines", ""), "after.lines")
    yearly = {}
    for raw in text.get("after_yearly", "").splitlines():
        if raw.strip():
            year, _, amount = raw.partition("|")
            yearly[year.strip()] = amount.strip()
    value = text.get("after_value") or ""
    if not value and lines:
        try:
            value = str(sum(Decimal(x["quantity"]) * Decimal(x["unit_price"]) for x in lines))
        except InvalidOperation:
            raise InputError("quantities and prices are numbers", field="after.lines") from None
    body: dict[str, Any] = {"ground": text.get("ground"),
                            "after": {"value": value, "lines": lines, "yearly": yearly}}
    body.update({k: bool(form.get(k)) for k in MOD_FLAGS})
    body.update({k: text[k] for k in MOD_TEXT + MOD_MONEY if text.get(k)})
    if text.get("sdo_amendment_number"):
        body["sdo_amendment_act"] = {"number": text["sdo_amendment_number"],
                                     "adopted_on": text.get("sdo_amendment_on")}
    return body


@router.get("/defense/documents/{document_id}.pdf", include_in_schema=False)
def document_pdf(document_id: int, db: DB, actor: PageActor) -> Response:
    return pdf_response(db, actor, document_id)


# --- the reserve (Art 24 p.4) ----------------------------------------------------------------

@router.get("/defense/reserve", response_class=HTMLResponse, include_in_schema=False)
def reserve_page(request: Request, db: DB, visitor: VisitorDep, actor: PageActor) -> Response:
    return page(request, visitor, "defense/reserve_holdings.html", _reserve_context(db, actor))


def _reserve_context(db: Session, actor: Actor) -> dict[str, Any]:
    today = local_date(svc.now_utc())
    rows = []
    for h in reserve.holdings(db, actor):
        used = reserve.uses(db, h.id)
        outstanding = sum((u.quantity - u.replenished for u in used), Decimal(0))
        rows.append({"h": h, "uses": [(u, reserve.replenish_status(u, today)) for u in used],
                     "cap": reserve.cap(h), "outstanding": outstanding})
    return {"rows": rows, "officer": _is_officer(actor), "error": None,
            "may_use": not actor.read_only}


@router.post("/defense/reserve", response_class=HTMLResponse, include_in_schema=False)
async def reserve_act(request: Request, db: DB,
                      visitor: Annotated[Visitor, Depends(csrf_protected)],
                      actor: PageActor) -> Response:
    form = await request.form()
    text = {k: str(v).strip() for k, v in form.items() if isinstance(v, str)}
    action = text.get("action", "")
    at = svc.now_utc()
    try:
        if action == "holding":
            reserve.add_holding(db, actor, {
                **{k: text.get(k) for k in ("holder_bin", "holder_name", "holder_kind",
                                            "nomenclature", "unit", "available")},
                "sdo_contractor": bool(form.get("sdo_contractor")),
                "secrecy_level": _int(text.get("secrecy_level") or "0", "secrecy_level")},
                at=at)
        elif action == "use":
            reserve.use_reserve(db, actor, _int(text.get("holding_id"), "holding_id"), {
                "quantity": text.get("quantity") or "0",
                **({"used_on": text["used_on"]} if text.get("used_on") else {})}, at=at)
        elif action == "replenish":
            reserve.replenish(db, actor, _int(text.get("use_id"), "use_id"),
                              text.get("quantity") or "0",
                              parse_date(text.get("replenished_on"), "replenished_on"), at=at)
        else:
            raise InputError(f"no action {action!r}", field="action")
    except KzregError as exc:
        db.rollback()
        context = _reserve_context(db, actor)
        context["error"] = exc
        return page(request, visitor, "defense/reserve_holdings.html", context,
                    status_code=422)
    return RedirectResponse("/defense/reserve", status_code=303)
