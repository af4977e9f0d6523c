"""State defense order contracts, execution, acceptance and the reserve on the web
(Law 236-VI Arts 22-29).

API (bearer token, or a browser session with its CSRF token):

    GET  /api/defense/contracts?q=&state=                the board, nearest deadline first
    GET  /api/defense/contracts.csv?q=&state=            the same as CSV, marked with its level
    POST /api/defense/contracts                          a contract from a placed order item
    GET  /api/defense/contracts/{id}                     terms, deadlines, history, records
    PUT  /api/defense/contracts/{id}/draft               the draft before sending (Art 22 p.4)
    POST /api/defense/contracts/{id}/actions/{action}    send, receive, sign, refuse, terminate,
                                                         pay, missed_delivery
    POST /api/defense/contracts/{id}/modifications       Art 23 (refused: 422, kept on record)
    POST /api/defense/contracts/{id}/representatives     Art 24 p.2-3
    PUT  /api/defense/contracts/{id}/control-list        the MRO control list (Art 27 p.2)
    POST /api/defense/contracts/{id}/control-list/approval  approved by the contract party
    POST /api/defense/contracts/{id}/information-requests   Art 26 sub 1, Art 27 p.3
    POST /api/defense/contracts/{id}/information-requests/{r}/answer   the contractor answers
    POST /api/defense/contracts/{id}/lots                MRO findings on a lot of lines (Art 27)
    POST /api/defense/contracts/{id}/lots/{n}/certificate   quality certificate (Art 27 p.5)
    POST /api/defense/contracts/{id}/lots/{n}/acceptance    the recipient accepts its lines
    POST /api/defense/contracts/{id}/penalties           Art 22 p.10
    POST /api/defense/contracts/{id}/penalties/{p}/recovery   recovered to the budget
    POST /api/defense/contracts/{id}/reclamations        defect within warranty (Art 29 p.1)
    POST /api/defense/reclamations/{r}/finding           the joint commission (Art 29 p.2-7)
    POST /api/defense/contracts/{id}/documents           the contract as PDF
    GET  /api/defense/documents/{doc}.pdf                a stored PDF
    GET  /api/defense/reserve/holdings                   the reserve holdings register
    POST /api/defense/reserve/holdings                   record a holding
    GET  /api/defense/reserve/holdings/{h}               a holding with its uses
    POST /api/defense/reserve/holdings/{h}/uses          use assets (Art 24 p.4: ≤ 30%)
    POST /api/defense/reserve/uses/{u}/replenishment     assets supplied back (12 months)

Pages: /defense/contracts (board, search), /defense/contracts.csv, /defense/contracts/new,
/defense/contracts/{id}, /defense/reserve. Money is a string with two decimals (`svc.tenge`).
Roles: defense officers and administrators act for the state; a contractor acts on its own
contracts (its BIN; others' are 404) and answers information requests; auditors read.
Secrecy (Art 25 sub 3): nothing above the caller's clearance leaves the server — lists,
searches and exports omit it, direct reads and its PDFs are 404 — and every classified read
is audited (`secrecy.record_read`), an export too.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from kzreg.defense import contracts_service as svc
from kzreg.defense import execution_service as ex
from kzreg.defense import secrecy
from kzreg.defense.contracts import NOTICE_WORDS, NoticeEvent, RefusalGround
from kzreg.defense.contracts_models import DefenseReclamation
from kzreg.defense.modifications import Ground
from kzreg.defense.workflow import CONTRACT
from kzreg.law.calendar import local_date
from kzreg.law.citations import Citation
from kzreg.law.errors import InputError, KzregError, NotFound
from kzreg.law.explain import jsonable
from kzreg.platform import audit, cases
from kzreg.platform.actors import Actor
from kzreg.platform.documents import case_documents, get_document, render_document
from kzreg.web.auth import DB, ApiActor, CaseId, PageActor, Visitor, VisitorDep, csrf_protected
from kzreg.web.templating import add_template_dir, render

add_template_dir(str(Path(__file__).parent / "templates"))

router = APIRouter()
TAGS = ["defense contracts"]
Json = Annotated[dict[str, Any] | None, Body()]


# --- JSON -----------------------------------------------------------------------------------

@router.get("/api/defense/contracts", tags=TAGS,
            summary="Contracts, nearest deadline first; q searches, state filters")
def api_board(db: DB, actor: ApiActor, q: str = "", state: str = "") -> list[dict[str, Any]]:
    return [_row(r) for r in svc.board(db, actor, q, state or None)]


@router.get("/api/defense/contracts.csv", tags=TAGS,
            summary="The contracts the caller may see as CSV, marked with the highest level")
def api_export(db: DB, actor: ApiActor, q: str = "", state: str = "") -> Response:
    return export_csv(db, actor, q, state)


@router.post("/api/defense/contracts", tags=TAGS, status_code=201,
             summary="A contract from a placed order item (Art 22 p.1, p.4-5)")
def api_create(db: DB, actor: ApiActor, body: Json = None) -> dict[str, Any]:
    case = svc.create_contract(db, actor, body or {}, at=svc.now_utc())
    return contract_json(db, actor, case.id)


@router.get("/api/defense/contracts/{case_id}", tags=TAGS, summary="One contract")
def api_contract(case_id: CaseId, db: DB, actor: ApiActor) -> dict[str, Any]:
    return contract_json(db, actor, case_id)


@router.put("/api/defense/contracts/{case_id}/draft", tags=TAGS,
            summary="Replace the draft before sending (Art 22 p.4, p.8)")
def api_draft(case_id: CaseId, db: DB, actor: ApiActor, body: Json = None) -> dict[str, Any]:
    svc.update_draft(db, actor, case_id, body or {}, at=svc.now_utc())
    return contract_json(db, actor, case_id)


@router.post("/api/defense/contracts/{case_id}/actions/{action}", tags=TAGS,
             summary="send, receive, sign, refuse, terminate, pay, missed_delivery")
def api_act(case_id: CaseId, action: str, db: DB, actor: ApiActor,
            body: Json = None) -> dict[str, Any]:
    act(db, actor, case_id, action, body or {})
    return contract_json(db, actor, case_id)


@router.post("/api/defense/contracts/{case_id}/modifications", tags=TAGS, status_code=201,
             summary="Request a modification (Art 23; Art 19 p.4)")
def api_modify(case_id: CaseId, db: DB, actor: ApiActor, body: Json = None) -> dict[str, Any]:
    row = svc.request_modification(db, actor, case_id, body or {}, at=svc.now_utc())
    if not row.allowed:
        db.commit()  # the refused request stays on record; the caller gets the refusal
        raise svc.refusal_error(row)
    return _modification(row)


@router.post("/api/defense/contracts/{case_id}/representatives", tags=TAGS, status_code=201,
             summary="Send a representative (Art 24 p.2-3)")
def api_representative(case_id: CaseId, db: DB, actor: ApiActor,
                       body: Json = None) -> dict[str, Any]:
    row = ex.add_representative(db, actor, case_id, body or {}, at=svc.now_utc())
    return {"id": row.id, "person": row.person, "sent_by": row.sent_by, "mandate": row.mandate}


@router.post("/api/defense/contracts/{case_id}/lots", tags=TAGS, status_code=201,
             summary="The military representatives' findings on a lot (Art 27 p.4)")
def api_lot(case_id: CaseId, db: DB, actor: ApiActor, body: Json = None) -> dict[str, Any]:
    return _lot(ex.present_lot(db, actor, case_id, body or {}, at=svc.now_utc()))


@router.post("/api/defense/contracts/{case_id}/lots/{number}/certificate", tags=TAGS,
             summary="Issue the quality certificate for final acceptance (Art 27 p.3, p.5)")
def api_certificate(case_id: CaseId, number: str, db: DB, actor: ApiActor,
                    body: Json = None) -> dict[str, Any]:
    certificate = str((body or {}).get("certificate") or "")
    return _lot(ex.certify_lot(db, actor, case_id, number, certificate, at=svc.now_utc()))


@router.post("/api/defense/contracts/{case_id}/lots/{number}/acceptance", tags=TAGS,
             summary="The recipient accepts the lot (Art 25 sub 6, 9, 10)")
def api_accept(case_id: CaseId, number: str, db: DB, actor: ApiActor) -> dict[str, Any]:
    ex.accept(db, actor, case_id, number, at=svc.now_utc())
    return contract_json(db, actor, case_id)


@router.post("/api/defense/contracts/{case_id}/penalties", tags=TAGS, status_code=201,
             summary="Assess a penalty, credited to the republican budget (Art 22 p.10)")
def api_penalty(case_id: CaseId, db: DB, actor: ApiActor, body: Json = None) -> dict[str, Any]:
    return _penalty(svc.assess_penalty(db, actor, case_id, body or {}, at=svc.now_utc()))


@router.post("/api/defense/contracts/{case_id}/penalties/{penalty_id}/recovery", tags=TAGS,
             summary="Mark a penalty recovered to the republican budget (Art 22 p.10)")
def api_recover(case_id: CaseId, penalty_id: int, db: DB, actor: ApiActor,
                body: Json = None) -> dict[str, Any]:
    on = _date((body or {}).get("recovered_on"), "recovered_on")
    svc.recover_penalty(db, actor, penalty_id, on, case_id=case_id, at=svc.now_utc())
    return _penalties(db, case_id)


@router.put("/api/defense/contracts/{case_id}/control-list", tags=TAGS,
            summary="The military representatives' control and acceptance list (Art 27 p.2)")
def api_control_list(case_id: CaseId, db: DB, actor: ApiActor,
                     body: Json = None) -> dict[str, Any]:
    return _control_list(ex.develop_control_list(db, actor, case_id, body or {},
                                                 at=svc.now_utc()))


@router.post("/api/defense/contracts/{case_id}/control-list/approval", tags=TAGS,
             summary="Approve the control list for the contract's state party (Art 27 p.2)")
def api_approve_control_list(case_id: CaseId, db: DB, actor: ApiActor) -> dict[str, Any]:
    return _control_list(ex.approve_control_list(db, actor, case_id, at=svc.now_utc()))


@router.post("/api/defense/contracts/{case_id}/information-requests", tags=TAGS,
             status_code=201, summary="Ask the contractor for information (Art 26 sub 1; "
             "the military representatives: Art 27 p.3)")
def api_information_request(case_id: CaseId, db: DB, actor: ApiActor,
                            body: Json = None) -> dict[str, Any]:
    row = ex.request_information(db, actor, case_id, body or {}, at=svc.now_utc())
    return _information(row, local_date(svc.now_utc()))


@router.post("/api/defense/contracts/{case_id}/information-requests/{request_id}/answer",
             tags=TAGS, summary="The contractor's answer (Art 26 sub 1)")
def api_answer(case_id: CaseId, request_id: int, db: DB, actor: ApiActor,
               body: Json = None) -> dict[str, Any]:
    row = ex.answer_information(db, actor, request_id, str((body or {}).get("answer") or ""),
                                case_id=case_id, at=svc.now_utc())
    return _information(row, local_date(svc.now_utc()))


@router.post("/api/defense/contracts/{case_id}/reclamations", tags=TAGS, status_code=201,
             summary="A defect within the warranty period (Art 29 p.1)")
def api_reclamation(case_id: CaseId, db: DB, actor: ApiActor,
                    body: Json = None) -> dict[str, Any]:
    return _reclamation(ex.report_defect(db, actor, case_id, body or {}, at=svc.now_utc()))


@router.post("/api/defense/reclamations/{reclamation_id}/finding", tags=TAGS,
             summary="The joint commission's finding (Art 29 p.2-7)")
def api_finding(reclamation_id: int, db: DB, actor: ApiActor,
                body: Json = None) -> dict[str, Any]:
    _reclamation_in_scope(db, actor, reclamation_id)
    return _reclamation(ex.decide_reclamation(db, actor, reclamation_id, body or {},
                                              at=svc.now_utc()))


@router.post("/api/defense/contracts/{case_id}/documents", tags=TAGS, status_code=201,
             summary="The contract and its execution as a PDF, marked with its secrecy level")
def api_document(case_id: CaseId, db: DB, actor: ApiActor, body: Json = None) -> dict[str, Any]:
    language = str((body or {}).get("language") or "ru")
    return _document(make_document(db, actor, case_id, language))


@router.get("/api/defense/documents/{document_id}.pdf", tags=TAGS, summary="A stored PDF")
def api_pdf(document_id: int, db: DB, actor: ApiActor) -> Response:
    return _pdf(db, actor, document_id)


@router.get("/api/defense/reserve/holdings", tags=TAGS, summary="Reserve holdings register")
def api_holdings(db: DB, actor: ApiActor) -> list[dict[str, Any]]:
    return [_holding(h) for h in ex.holdings(db, actor)]


@router.post("/api/defense/reserve/holdings", tags=TAGS, status_code=201,
             summary="Record assets transferred for storage (Art 24 p.4)")
def api_add_holding(db: DB, actor: ApiActor, body: Json = None) -> dict[str, Any]:
    return _holding(ex.add_holding(db, actor, body or {}, at=svc.now_utc()))


@router.get("/api/defense/reserve/holdings/{holding_id}", tags=TAGS, summary="One holding")
def api_holding(holding_id: int, db: DB, actor: ApiActor) -> dict[str, Any]:
    holding = ex.get_holding(db, actor, holding_id)
    today = local_date(svc.now_utc())
    return {**_holding(holding), "uses": [_use(u, today) for u in ex.uses(db, holding_id)]}


@router.post("/api/defense/reserve/holdings/{holding_id}/uses", tags=TAGS, status_code=201,
             summary="Use reserve assets (Art 24 p.4: at most 30% of those available)")
def api_use(holding_id: int, db: DB, actor: ApiActor, body: Json = None) -> dict[str, Any]:
    row = ex.use_reserve(db, actor, holding_id, body or {}, at=svc.now_utc())
    return _use(row, local_date(svc.now_utc()))


@router.post("/api/defense/reserve/uses/{use_id}/replenishment", tags=TAGS,
             summary="Assets supplied back to the reserve (Art 24 p.4: within 12 months)")
def api_replenish(use_id: int, db: DB, actor: ApiActor, body: Json = None) -> dict[str, Any]:
    body = body or {}
    on = _date(body.get("replenished_on"), "replenished_on")
    row = ex.replenish(db, actor, use_id, str(body.get("quantity") or ""), on,
                       at=svc.now_utc())
    return _use(row, local_date(svc.now_utc()))


# --- actions shared by the API and the pages -------------------------------------------------

ACTIONS = ("send", "receive", "sign", "refuse", "terminate", "pay", "missed_delivery")


def act(db: Session, actor: Actor, case_id: int, action: str, body: dict[str, Any]) -> None:
    at = svc.now_utc()
    if action == "send":
        svc.send(db, actor, case_id, at=at)
    elif action == "receive":
        svc.receive(db, actor, case_id, at=at)
    elif action == "sign":
        svc.sign(db, actor, case_id, at=at)
    elif action == "refuse":
        svc.refuse(db, actor, case_id, body, at=at)
    elif action == "terminate":
        svc.terminate(db, actor, case_id, str(body.get("note") or ""), at=at)
    elif action == "pay":
        svc.pay(db, actor, case_id, at=at)
    elif action == "missed_delivery":
        deadline = _date(body.get("deadline"), "deadline")
        if deadline is None:
            raise InputError("the delivery deadline that was missed", field="deadline")
        if not svc.record_missed_delivery(db, actor, case_id, str(body.get("item") or ""),
                                          deadline, at=at):
            raise InputError("this missed delivery is already recorded and notified",
                             field="deadline")
    else:
        raise InputError(f"no action {action!r}; one of {', '.join(ACTIONS)}", field="action")


def _date(value: Any, field: str) -> dt.date | None:
    if value in (None, ""):
        return None
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise InputError(f"{value!r} is not a date YYYY-MM-DD", field=field) from None


# --- JSON shapes -------------------------------------------------------------------------------

def contract_fields(case: cases.Case, contract, accepted: dict | None = None
                    ) -> dict[str, Any]:
    """The contract's terms; money as strings with two decimals, each line with its
    acceptance (Art 25 sub 6) when `accepted` (item -> acceptance) is given."""
    accepted = accepted or {}
    lines = [{**x, "unit_price": svc.tenge(x["unit_price"]),
              "accepted_on": accepted[x["item"]].accepted_on if x["item"] in accepted else None,
              "lot": accepted[x["item"]].lot_number if x["item"] in accepted else None}
             for x in contract.lines]
    draft = dict(contract.draft or {})
    if draft.get("value") is not None:
        draft["value"] = svc.tenge(draft["value"])
    return {
        "id": case.id, "state": case.state, "state_title": case.type.state(case.state).title,
        "version": case.version, "secrecy_level": contract.secrecy_level,
        "secrecy": secrecy.LEVELS[contract.secrecy_level],
        **{k: getattr(contract, k) for k in (
            "order_ref", "order_item_ref", "act_adopted_on", "subject", "category", "recipient",
            "contract_party", "contractor_bin", "contractor_name", "mro_at_contractor",
            "for_state_security_service", "warranty_until", "sent_on", "received_on",
            "signed_on", "accepted_on", "paid_on", "suspended")},
        "value": svc.tenge(contract.value), "lines": lines, "draft": draft,
        "yearly": {k: svc.tenge(v) for k, v in (contract.yearly or {}).items()},
        "lines_accepted": sum(1 for x in lines if x["accepted_on"]),
        "lines_total": len(lines)}


def contract_json(db: Session, actor: Actor, case_id: int) -> dict[str, Any]:
    """Everything about one contract the caller may see (the read is audited if classified)."""
    case, contract = svc.read_contract(db, actor, case_id)
    today = local_date(svc.now_utc())
    check = secrecy.guard(svc.content(contract), actor, contract.secrecy_level)
    accepted = svc.accepted_items(db, [case_id]).get(case_id, {})
    return jsonable({
        **contract_fields(case, contract, accepted), "content_check": check.to_dict(),
        "terms": svc.terms(contract, case, today),
        "deadlines": [_timer(t) for t in _pending(db, case_id)],
        "breaches": [{"deadline": b.deadline, "title": b.title, "due_at": b.due_at,
                      "citation": b.citation, "resolved_at": b.resolved_at}
                     for b in _breaches(db, actor, case_id)],
        "transitions": [t.name for t in cases.allowed_transitions(actor, case)],
        "events": [{"transition": e.transition, "from": e.from_state, "to": e.to_state,
                    "actor": e.actor, "role": e.role, "at": e.at, "basis": e.basis}
                   for e in cases.case_events(db, actor, case_id)],
        "modifications": [_modification(m) for m in svc.modifications(db, case_id)],
        "notices": [_notice(n) for n in svc.notices(db, case_id)],
        **_penalties(db, case_id),
        "control_list_applies": ex.mro_applies(contract),
        "control_list": _control_list(ex.control_list(db, case_id)),
        "information_requests": [_information(r, today)
                                 for r in ex.information_requests(db, case_id)],
        "representatives": [{"person": r.person, "sent_by": r.sent_by, "mandate": r.mandate,
                             "from_on": r.from_on} for r in ex.representatives(db, case_id)],
        "lots": [_lot(x) for x in ex.lots(db, case_id)],
        "reclamations": [_reclamation(r) for r in ex.reclamations(db, case_id)],
        "documents": [_document(d) for d in case_documents(db, case_id, actor=actor)],
    })


def _pending(db: Session, case_id: int):
    from sqlalchemy import select

    from kzreg.platform.timers import PENDING, Timer

    return list(db.scalars(select(Timer).where(Timer.case_id == case_id,
                                               Timer.status == PENDING).order_by(Timer.due_at)))


def _breaches(db: Session, actor: Actor, case_id: int):
    return [b for b in cases.breaches(db, actor) if b.case_id == case_id]


def _row(r: svc.BoardRow) -> dict[str, Any]:
    c = r.contract
    return jsonable({"id": r.case.id, "subject": c.subject, "state": r.case.state,
                     "contractor_bin": c.contractor_bin, "contractor_name": c.contractor_name,
                     "value": svc.tenge(c.value), "secrecy_level": c.secrecy_level,
                     "next_due": r.next_due, "next": r.next_what, "citation": r.next_citation,
                     "breaches": r.breaches, "suspended": c.suspended})


def _timer(t) -> dict[str, Any]:
    return jsonable({"name": t.name, "title": t.title, "duration": t.duration,
                     "citation": t.citation, "due_at": t.due_at})


def _modification(m) -> dict[str, Any]:
    return jsonable({"id": m.id, "ground": m.ground, "allowed": m.allowed, "failed": m.failed,
                     "value_before": svc.tenge(m.value_before),
                     "value_after": svc.tenge(m.value_after),
                     "requested_by": m.requested_by, "requested_at": m.requested_at,
                     "explanation": m.explanation})


def _notice(n) -> dict[str, Any]:
    return jsonable({"event": n.event, "key": n.key, "subject": n.subject,
                     "sent_at": n.sent_at, "recipients": n.recipients,
                     "basis": "law-236-VI:Art 22 p.12"})


def _penalty(p) -> dict[str, Any]:
    return jsonable({"id": p.id, "amount": svc.tenge(p.amount), "reason": p.reason,
                     "assessed_on": p.assessed_on, "recovered_by": p.recovered_by,
                     "credited_to": p.credited_to, "recovered_on": p.recovered_on,
                     "status": "recovered" if p.recovered_on else "outstanding"})


def _penalties(db: Session, case_id: int) -> dict[str, Any]:
    """The penalties and their sums (Art 22 p.10), money as strings with two decimals."""
    rows = svc.penalties(db, case_id)
    sums = svc.penalty_sums(rows)
    return {"penalties": [_penalty(p) for p in rows],
            "penalty_sums": {"assessed": svc.tenge(sums.assessed),
                             "recovered": svc.tenge(sums.recovered),
                             "outstanding": svc.tenge(sums.outstanding),
                             "credited_to": "republican budget",
                             "basis": "law-236-VI:Art 22 p.10"}}


def _control_list(row) -> dict[str, Any] | None:
    if row is None:
        return None
    return jsonable({"items": row.items, "developed_by": row.developed_by,
                     "developed_at": row.developed_at, "approved_on": row.approved_on,
                     "approved_by": row.approved_by, "approver": row.approver,
                     "basis": "law-236-VI:Art 27 p.2"})


def _information(r, today: dt.date) -> dict[str, Any]:
    return jsonable({"id": r.id, "requester": r.requester, "purpose": r.purpose,
                     "basis": r.basis, "subject": r.subject, "asked_on": r.asked_on,
                     "reply_by": r.reply_by, "asked_by": r.asked_by,
                     "answered_on": r.answered_on, "answer": r.answer,
                     "answered_by": r.answered_by, "status": ex.request_status(r, today)})


def _lot(x) -> dict[str, Any]:
    return jsonable({"number": x.number, "items": x.items, "lot": x.lot,
                     "suspended": x.suspended,
                     "suspension_reasons": x.suspension_reasons, "certificate": x.certificate,
                     "certified_on": x.certified_on, "accepted_on": x.accepted_on})


def _reclamation(r) -> dict[str, Any]:
    return jsonable({"id": r.id, "description": r.description, "found_on": r.found_on,
                     "status": r.status, "finding": r.finding, "outcome": r.outcome})


def _holding(h) -> dict[str, Any]:
    return jsonable({k: getattr(h, k) for k in (
        "id", "holder_bin", "holder_name", "holder_kind", "sdo_contractor", "nomenclature",
        "unit", "available", "recorded_on", "secrecy_level")} | {
        "cap": h.available * Decimal("0.30")})


def _use(u, today: dt.date) -> dict[str, Any]:
    return jsonable({"id": u.id, "case_id": u.case_id, "quantity": u.quantity,
                     "used_on": u.used_on, "replenish_by": u.replenish_by,
                     "replenished": u.replenished, "replenished_on": u.replenished_on,
                     "status": ex.replenish_status(u, today), "basis": "law-236-VI:Art 24 p.4"})


def _document(doc) -> dict[str, Any]:
    return {"id": doc.id, "kind": doc.kind, "language": doc.language, "title": doc.title,
            "version": doc.version, "created_at": doc.created_at.isoformat(),
            "url": f"/api/defense/documents/{doc.id}.pdf"}


def _reclamation_in_scope(db: Session, actor: Actor, reclamation_id: int) -> None:
    row = db.get(DefenseReclamation, reclamation_id)
    if row is None:
        raise NotFound(f"no reclamation {reclamation_id}", field="reclamation_id")
    svc.get_contract(db, actor, row.case_id)


# --- CSV export ----------------------------------------------------------------------------------

CSV_COLUMNS = ("id", "order_ref", "order_item_ref", "subject", "category", "recipient",
               "contractor_bin", "contractor_name", "state", "value", "next_due", "next",
               "breaches", "suspended", "secrecy")


def export_csv(db: Session, actor: Actor, q: str = "", state: str = "") -> Response:
    """The contracts the caller may see (never a row above the clearance), headed by the
    highest level in the file (Art 25 sub 3); the export is audited, and its classified
    rows are a classified read."""
    rows = svc.board(db, actor, q, state or None, purpose="contracts export")
    level = max((r.contract.secrecy_level for r in rows), default=0)
    out = io.StringIO()
    out.write(f"# {secrecy.LEVELS[level].upper()} — {secrecy.BASIS}\n")
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for r in rows:
        data = _row(r)
        data.update(order_ref=r.contract.order_ref, order_item_ref=r.contract.order_item_ref,
                    category=r.contract.category, recipient=r.contract.recipient,
                    secrecy=secrecy.LEVELS[r.contract.secrecy_level])
        writer.writerow([_cell(data.get(c)) for c in CSV_COLUMNS])
    audit.append(db, actor=actor, action="defense.contracts.exported", basis=secrecy.BASIS,
                 data={"rows": len(rows), "secrecy_level": level, "q": bool(q),
                       "state": state or None})
    stamp = local_date(svc.now_utc()).isoformat()
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="defense-contracts-{stamp}.csv"'})


def _cell(value: Any) -> str:
    """A CSV cell; text a spreadsheet would run as a formula is quoted with an apostrophe."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


# --- the PDF -------------------------------------------------------------------------------------

def make_document(db: Session, actor: Actor, case_id: int, language: str):
    """The contract's card as a PDF, marked with its secrecy level (Art 25 sub 3)."""
    case, contract = svc.read_contract(db, actor, case_id, "contract document")
    today = local_date(svc.now_utc())
    context = {
        "title": f"State defense order contract No {case.id}", "number": str(case.id),
        "secrecy": secrecy.LEVELS[contract.secrecy_level].upper(),
        **{k: v for k, v in contract_fields(
            case, contract, svc.accepted_items(db, [case_id]).get(case_id, {})).items()
           if k not in ("id", "version", "draft")},
        **_penalties(db, case_id),
        "terms": svc.terms(contract, case, today),
        "modifications": [_modification(m) | {"explanation": None}
                          for m in svc.modifications(db, case_id)],
        "notices": [_notice(n) for n in svc.notices(db, case_id)],
    }
    return render_document(db, case_id=case_id, template="defense/contract.html",
                           context=context, language=language, actor=actor,
                           kind="defense_contract", at=svc.now_utc())


def _pdf(db: Session, actor: Actor, document_id: int) -> Response:
    doc = get_document(db, document_id, actor=actor)  # 404 outside scope or clearance
    if not doc.kind.startswith("defense_"):
        raise NotFound(f"no document {document_id}", field="document_id")
    _, contract = svc.read_contract(db, actor, doc.case_id, "contract document")
    return Response(doc.pdf, media_type="application/pdf", headers={
        "content-disposition": f'inline; filename="defense-contract-{doc.case_id}-'
                               f'v{doc.version}.pdf"'})


# --- pages ---------------------------------------------------------------------------------------

def page(request: Request, visitor: Visitor, template: str, context: dict[str, Any],
         status_code: int = 200) -> HTMLResponse:
    return render(request, template, {"cite_ref": _cite_text, "levels": secrecy.LEVELS,
                                      **context}, status_code=status_code, visitor=visitor)


def _cite_text(ref: str | None) -> str:
    return str(Citation.parse(ref)) if ref else ""


@router.get("/defense/contracts", response_class=HTMLResponse, include_in_schema=False)
def board_page(request: Request, db: DB, visitor: VisitorDep, actor: PageActor,
               q: str = "", state: str = "") -> Response:
    from kzreg.platform.casetypes import get_case_type

    return page(request, visitor, "defense/contract_board.html",
                {"rows": svc.board(db, actor, q, state or None),
                 "may_create": _is_officer(actor), "today": local_date(svc.now_utc()),
                 "q": q, "state": state,
                 "states": [(x.name, x.title) for x in get_case_type(CONTRACT).states]})


@router.get("/defense/contracts.csv", include_in_schema=False)
def export_page(db: DB, actor: PageActor, q: str = "", state: str = "") -> Response:
    return export_csv(db, actor, q, state)


def _is_officer(actor: Actor) -> bool:
    from kzreg.defense.workflow import OFFICERS

    return actor.role in OFFICERS


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


def _int(value: str | None, field: str) -> int:
    try:
        return int(str(value))
    except ValueError:
        raise InputError(f"{value!r} is not a whole number", field=field) from None


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


def _contract_context(db: Session, actor: Actor, case_id: int) -> dict[str, Any]:
    data = contract_json(db, actor, case_id)
    case = cases.get_case_for(db, actor, case_id)
    allowed = {t.name for t in cases.allowed_transitions(actor, case)}
    officer = _is_officer(actor)
    return {"c": data, "allowed": allowed, "officer": officer, "error": None,
            "may_answer": not actor.read_only and (officer or actor.role.is_business),
            "purposes": list(ex.MRO_PURPOSES), "requesters": list(ex.REQUESTERS),
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
        row = svc.request_modification(db, actor, case_id, modification_from_form(form), at=at)
        if not row.allowed:
            db.commit()
            raise svc.refusal_error(row)
        return "modifications"
    if action == "representative":
        ex.add_representative(db, actor, case_id, {k: text.get(k) for k in (
            "person", "sent_by", "mandate")}, at=at)
        return "execution"
    if action == "lot":
        ex.present_lot(db, actor, case_id, {
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
        ex.certify_lot(db, actor, case_id, text.get("number", ""), text.get("certificate", ""),
                       at=at)
        return "execution"
    if action == "accept":
        ex.accept(db, actor, case_id, text.get("number", ""), at=at)
        return "execution"
    if action == "penalty":
        svc.assess_penalty(db, actor, case_id, {"amount": text.get("amount") or "0",
                                                "reason": text.get("reason", "")}, at=at)
        return "penalties"
    if action == "recover":
        svc.recover_penalty(db, actor, _int(text.get("penalty_id"), "penalty_id"),
                            _date(text.get("recovered_on"), "recovered_on"), case_id=case_id,
                            at=at)
        return "penalties"
    if action == "control_list":
        ex.develop_control_list(db, actor, case_id, {"items": [
            {"item": str(x)} for x in form.getlist("items") if str(x).strip()]}, at=at)
        return "control-list"
    if action == "approve_control_list":
        ex.approve_control_list(db, actor, case_id, at=at)
        return "control-list"
    if action == "information_request":
        ex.request_information(db, actor, case_id, {
            k: text[k] for k in ("requester", "purpose", "subject", "reply_by")
            if text.get(k)}, at=at)
        return "information"
    if action == "answer":
        ex.answer_information(db, actor, _int(text.get("request_id"), "request_id"),
                              text.get("answer", ""), case_id=case_id, at=at)
        return "information"
    if action == "defect":
        ex.report_defect(db, actor, case_id, {"description": text.get("description", ""),
                                              "found_on": text.get("found_on")}, at=at)
        return "reclamations"
    if action == "finding":
        rid = _int(text.get("reclamation_id"), "reclamation_id")
        _reclamation_in_scope(db, actor, rid)
        if (db.get(DefenseReclamation, rid)).case_id != case_id:
            raise NotFound(f"no reclamation {rid}", field="reclamation_id")
        body: dict[str, Any] = {k: bool(form.get(k)) for k in ex.FindingIn.model_fields
                                if k not in ("notice_received_on", "remedied_on")}
        for k in ("notice_received_on", "remedied_on"):
            if text.get(k):
                body[k] = text[k]
        ex.decide_reclamation(db, actor, rid, body, at=at)
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
    return _pdf(db, actor, document_id)


# the reserve ------------------------------------------------------------------------------------

@router.get("/defense/reserve", response_class=HTMLResponse, include_in_schema=False)
def reserve_page(request: Request, db: DB, visitor: VisitorDep, actor: PageActor) -> Response:
    return page(request, visitor, "defense/reserve_holdings.html", _reserve_context(db, actor))


def _reserve_context(db: Session, actor: Actor) -> dict[str, Any]:
    today = local_date(svc.now_utc())
    rows = []
    for h in ex.holdings(db, actor):
        used = ex.uses(db, h.id)
        outstanding = sum((u.quantity - u.replenished for u in used), Decimal(0))
        rows.append({"h": h, "uses": [(u, ex.replenish_status(u, today)) for u in used],
                     "cap": h.available * Decimal("0.30"), "outstanding": outstanding})
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
            ex.add_holding(db, actor, {
                **{k: text.get(k) for k in ("holder_bin", "holder_name", "holder_kind",
                                            "nomenclature", "unit", "available")},
                "sdo_contractor": bool(form.get("sdo_contractor")),
                "secrecy_level": _int(text.get("secrecy_level") or "0", "secrecy_level")},
                at=at)
        elif action == "use":
            ex.use_reserve(db, actor, _int(text.get("holding_id"), "holding_id"), {
                "quantity": text.get("quantity") or "0",
                **({"used_on": text["used_on"]} if text.get("used_on") else {})}, at=at)
        elif action == "replenish":
            ex.replenish(db, actor, _int(text.get("use_id"), "use_id"),
                         text.get("quantity") or "0",
                         _date(text.get("replenished_on"), "replenished_on"), at=at)
        else:
            raise InputError(f"no action {action!r}", field="action")
    except KzregError as exc:
        db.rollback()
        context = _reserve_context(db, actor)
        context["error"] = exc
        return page(request, visitor, "defense/reserve_holdings.html", context,
                    status_code=422)
    return RedirectResponse("/defense/reserve", status_code=303)
