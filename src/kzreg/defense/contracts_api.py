"""State defense order contracts, their execution and the reserve as a JSON API (Law 236-VI
Arts 22-29); the pages are in `contracts_pages`, whose router this one includes.

Bearer token, or a browser session with its CSRF token:

    GET  /api/defense/contracts?q=&state=                the board, nearest deadline first
    GET  /api/defense/contracts.csv?q=&state=            the same as CSV, marked with its level
    POST /api/defense/contracts                          a contract from a placed order item
    GET  /api/defense/contracts/{id}                     terms, deadlines, history, records
    PUT  /api/defense/contracts/{id}/draft               the draft before sending (Art 22 p.4)
    POST /api/defense/contracts/{id}/actions/{action}    send, receive, sign, refuse, terminate,
                                                         pay, missed_delivery
    POST /api/defense/contracts/{id}/penalties           Art 22 p.10
    POST /api/defense/contracts/{id}/penalties/{p}/recovery   recovered to the budget
    POST /api/defense/contracts/{id}/modifications       Art 23 (refused: 422, kept on record)
    POST /api/defense/contracts/{id}/representatives     Art 24 p.2-3
    PUT  /api/defense/contracts/{id}/control-list        the MRO control list (Art 27 p.2)
    POST /api/defense/contracts/{id}/control-list/approval  approved by the contract party
    POST /api/defense/contracts/{id}/information-requests   Art 26 sub 1, Art 27 p.3
    POST /api/defense/contracts/{id}/information-requests/{r}/answer   the contractor answers
    POST /api/defense/contracts/{id}/lots                MRO findings on a lot of lines (Art 27)
    POST /api/defense/contracts/{id}/lots/{n}/certificate   quality certificate (Art 27 p.5)
    POST /api/defense/contracts/{id}/lots/{n}/acceptance    the recipient accepts its lines
    POST /api/defense/contracts/{id}/reclamations        defect within warranty (Art 29 p.1)
    POST /api/defense/reclamations/{r}/finding           the joint commission (Art 29 p.2-7)
    POST /api/defense/contracts/{id}/documents           the contract as PDF
    GET  /api/defense/documents/{doc}.pdf                a stored PDF
    GET  /api/defense/reserve/holdings                   the reserve holdings register
    POST /api/defense/reserve/holdings                   record a holding
    GET  /api/defense/reserve/holdings/{h}               a holding with its uses
    POST /api/defense/reserve/holdings/{h}/uses          use assets (Art 24 p.4: ≤ 30%)
    POST /api/defense/reserve/uses/{u}/replenishment     assets supplied back (12 months)

The shapes of the answers, the CSV and the PDF are `contracts_web`'s; money is a string with
two decimals (`svc.tenge`). Roles: defense officers and administrators act for the state; a
contractor acts on its own contracts (its BIN; others' are 404) and answers information
requests; auditors read. Secrecy (Art 25 sub 3): nothing above the caller's clearance leaves
the server — lists, searches and exports omit it, direct reads and its PDFs are 404 — and
every classified read is audited (`secrecy.record_read`), an export too.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body
from fastapi.responses import Response

from kzreg.defense import contracts_pages
from kzreg.defense import contracts_service as svc
from kzreg.defense import execution_service as execution
from kzreg.defense import modification_service as modification
from kzreg.defense import monitoring_service as monitoring
from kzreg.defense import reserve_service as reserve
from kzreg.defense.contracts_web import (
    act,
    board_row,
    contract_json,
    control_list_json,
    document_json,
    export_csv,
    holding_json,
    information_json,
    lot_json,
    make_document,
    modification_json,
    parse_date,
    pdf_response,
    penalties_json,
    penalty_json,
    reclamation_in_scope,
    reclamation_json,
    use_json,
)
from kzreg.law.calendar import local_date
from kzreg.web.auth import DB, ApiActor, CaseId

router = APIRouter()
router.include_router(contracts_pages.router)
TAGS = ["defense contracts"]
Json = Annotated[dict[str, Any] | None, Body()]


# --- the board and one contract (Art 22) -----------------------------------------------------

@router.get("/api/defense/contracts", tags=TAGS,
            summary="Contracts, nearest deadline first; q searches, state filters")
def api_board(db: DB, actor: ApiActor, q: str = "", state: str = "") -> list[dict[str, Any]]:
    return [board_row(r) for r in svc.board(db, actor, q, state or None)]


@router.get("/api/defense/contracts.csv", tags=TAGS,
            summary="The contracts the caller may see as CSV, marked with the highest level",
            response_class=Response,
            responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}}}})
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


# --- penalties (Art 22 p.10) -----------------------------------------------------------------

@router.post("/api/defense/contracts/{case_id}/penalties", tags=TAGS, status_code=201,
             summary="Assess a penalty, credited to the republican budget (Art 22 p.10)")
def api_penalty(case_id: CaseId, db: DB, actor: ApiActor, body: Json = None) -> dict[str, Any]:
    return penalty_json(svc.assess_penalty(db, actor, case_id, body or {}, at=svc.now_utc()))


@router.post("/api/defense/contracts/{case_id}/penalties/{penalty_id}/recovery", tags=TAGS,
             summary="Mark a penalty recovered to the republican budget (Art 22 p.10)")
def api_recover(case_id: CaseId, penalty_id: int, db: DB, actor: ApiActor,
                body: Json = None) -> dict[str, Any]:
    on = parse_date((body or {}).get("recovered_on"), "recovered_on")
    svc.recover_penalty(db, actor, penalty_id, on, case_id=case_id, at=svc.now_utc())
    return penalties_json(db, case_id)


# --- modification (Art 23) -------------------------------------------------------------------

@router.post("/api/defense/contracts/{case_id}/modifications", tags=TAGS, status_code=201,
             summary="Request a modification (Art 23; Art 19 p.4)")
def api_modify(case_id: CaseId, db: DB, actor: ApiActor, body: Json = None) -> dict[str, Any]:
    row = modification.request_modification(db, actor, case_id, body or {}, at=svc.now_utc())
    if not row.allowed:
        db.commit()  # the refused request stays on record; the caller gets the refusal
        raise modification.refusal_error(row)
    return modification_json(row)


# --- monitoring: representatives, control list, information (Arts 24, 26, 27) ----------------

@router.post("/api/defense/contracts/{case_id}/representatives", tags=TAGS, status_code=201,
             summary="Send a representative (Art 24 p.2-3)")
def api_representative(case_id: CaseId, db: DB, actor: ApiActor,
                       body: Json = None) -> dict[str, Any]:
    row = monitoring.add_representative(db, actor, case_id, body or {}, at=svc.now_utc())
    return {"id": row.id, "person": row.person, "sent_by": row.sent_by, "mandate": row.mandate}


@router.put("/api/defense/contracts/{case_id}/control-list", tags=TAGS,
            summary="The military representatives' control and acceptance list (Art 27 p.2)")
def api_control_list(case_id: CaseId, db: DB, actor: ApiActor,
                     body: Json = None) -> dict[str, Any]:
    row = monitoring.develop_control_list(db, actor, case_id, body or {}, at=svc.now_utc())
    return control_list_json(row)


@router.post("/api/defense/contracts/{case_id}/control-list/approval", tags=TAGS,
             summary="Approve the control list for the contract's state party (Art 27 p.2)")
def api_approve_control_list(case_id: CaseId, db: DB, actor: ApiActor) -> dict[str, Any]:
    row = monitoring.approve_control_list(db, actor, case_id, at=svc.now_utc())
    return control_list_json(row)


@router.post("/api/defense/contracts/{case_id}/information-requests", tags=TAGS,
             status_code=201, summary="Ask the contractor for information (Art 26 sub 1; "
             "the military representatives: Art 27 p.3)")
def api_information_request(case_id: CaseId, db: DB, actor: ApiActor,
                            body: Json = None) -> dict[str, Any]:
    row = monitoring.request_information(db, actor, case_id, body or {}, at=svc.now_utc())
    return information_json(row, local_date(svc.now_utc()))


@router.post("/api/defense/contracts/{case_id}/information-requests/{request_id}/answer",
             tags=TAGS, summary="The contractor's answer (Art 26 sub 1)")
def api_answer(case_id: CaseId, request_id: int, db: DB, actor: ApiActor,
               body: Json = None) -> dict[str, Any]:
    answer = str((body or {}).get("answer") or "")
    row = monitoring.answer_information(db, actor, request_id, answer, case_id=case_id,
                                        at=svc.now_utc())
    return information_json(row, local_date(svc.now_utc()))


# --- execution: lots, certificate, acceptance (Art 25, Art 27 p.3-6) -------------------------

@router.post("/api/defense/contracts/{case_id}/lots", tags=TAGS, status_code=201,
             summary="The military representatives' findings on a lot (Art 27 p.4)")
def api_lot(case_id: CaseId, db: DB, actor: ApiActor, body: Json = None) -> dict[str, Any]:
    return lot_json(execution.present_lot(db, actor, case_id, body or {}, at=svc.now_utc()))


@router.post("/api/defense/contracts/{case_id}/lots/{number}/certificate", tags=TAGS,
             summary="Issue the quality certificate for final acceptance (Art 27 p.3, p.5)")
def api_certificate(case_id: CaseId, number: str, db: DB, actor: ApiActor,
                    body: Json = None) -> dict[str, Any]:
    certificate = str((body or {}).get("certificate") or "")
    row = execution.certify_lot(db, actor, case_id, number, certificate, at=svc.now_utc())
    return lot_json(row)


@router.post("/api/defense/contracts/{case_id}/lots/{number}/acceptance", tags=TAGS,
             summary="The recipient accepts the lot (Art 25 sub 6, 9, 10)")
def api_accept(case_id: CaseId, number: str, db: DB, actor: ApiActor) -> dict[str, Any]:
    execution.accept(db, actor, case_id, number, at=svc.now_utc())
    return contract_json(db, actor, case_id)


# --- reclamation (Art 29) --------------------------------------------------------------------

@router.post("/api/defense/contracts/{case_id}/reclamations", tags=TAGS, status_code=201,
             summary="A defect within the warranty period (Art 29 p.1)")
def api_reclamation(case_id: CaseId, db: DB, actor: ApiActor,
                    body: Json = None) -> dict[str, Any]:
    row = execution.report_defect(db, actor, case_id, body or {}, at=svc.now_utc())
    return reclamation_json(row)


@router.post("/api/defense/reclamations/{reclamation_id}/finding", tags=TAGS,
             summary="The joint commission's finding (Art 29 p.2-7)")
def api_finding(reclamation_id: int, db: DB, actor: ApiActor,
                body: Json = None) -> dict[str, Any]:
    reclamation_in_scope(db, actor, reclamation_id)
    row = execution.decide_reclamation(db, actor, reclamation_id, body or {}, at=svc.now_utc())
    return reclamation_json(row)


# --- the PDF ---------------------------------------------------------------------------------

@router.post("/api/defense/contracts/{case_id}/documents", tags=TAGS, status_code=201,
             summary="The contract and its execution as a PDF, marked with its secrecy level")
def api_document(case_id: CaseId, db: DB, actor: ApiActor, body: Json = None) -> dict[str, Any]:
    language = str((body or {}).get("language") or "ru")
    return document_json(make_document(db, actor, case_id, language))


@router.get("/api/defense/documents/{document_id}.pdf", tags=TAGS, summary="A stored PDF")
def api_pdf(document_id: int, db: DB, actor: ApiActor) -> Response:
    return pdf_response(db, actor, document_id)


# --- the state material reserve (Art 24 p.4) -------------------------------------------------

@router.get("/api/defense/reserve/holdings", tags=TAGS, summary="Reserve holdings register")
def api_holdings(db: DB, actor: ApiActor) -> list[dict[str, Any]]:
    return [holding_json(h) for h in reserve.holdings(db, actor)]


@router.post("/api/defense/reserve/holdings", tags=TAGS, status_code=201,
             summary="Record assets transferred for storage (Art 24 p.4)")
def api_add_holding(db: DB, actor: ApiActor, body: Json = None) -> dict[str, Any]:
    return holding_json(reserve.add_holding(db, actor, body or {}, at=svc.now_utc()))


@router.get("/api/defense/reserve/holdings/{holding_id}", tags=TAGS, summary="One holding")
def api_holding(holding_id: int, db: DB, actor: ApiActor) -> dict[str, Any]:
    holding = reserve.get_holding(db, actor, holding_id)
    today = local_date(svc.now_utc())
    return {**holding_json(holding),
            "uses": [use_json(u, today) for u in reserve.uses(db, holding_id)]}


@router.post("/api/defense/reserve/holdings/{holding_id}/uses", tags=TAGS, status_code=201,
             summary="Use reserve assets (Art 24 p.4: at most 30% of those available)")
def api_use(holding_id: int, db: DB, actor: ApiActor, body: Json = None) -> dict[str, Any]:
    row = reserve.use_reserve(db, actor, holding_id, body or {}, at=svc.now_utc())
    return use_json(row, local_date(svc.now_utc()))


@router.post("/api/defense/reserve/uses/{use_id}/replenishment", tags=TAGS,
             summary="Assets supplied back to the reserve (Art 24 p.4: within 12 months)")
def api_replenish(use_id: int, db: DB, actor: ApiActor, body: Json = None) -> dict[str, Any]:
    body = body or {}
    on = parse_date(body.get("replenished_on"), "replenished_on")
    row = reserve.replenish(db, actor, use_id, str(body.get("quantity") or ""), on,
                            at=svc.now_utc())
    return use_json(row, local_date(svc.now_utc()))
