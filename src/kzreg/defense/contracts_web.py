"""What the contracts' JSON API (`contracts_api`) and pages (`contracts_pages`) share (Law
236-VI Arts 22-29): the JSON shape of a contract and of each of its records, the lifecycle
actions, the CSV export of the board and the contract's PDF.

Money is a string with two decimals (`contracts_service.tenge`). Secrecy (Art 25 sub 3) is
kept by the services — a contract or holding above the caller's clearance is "not found" and
a classified read is audited (`secrecy.record_read`); here the export is headed by the
highest level in the file and audited, and a reclamation or a PDF is reached only through
its contract.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from kzreg.defense import contracts_service as svc
from kzreg.defense import execution_service as execution
from kzreg.defense import modification_service as modification
from kzreg.defense import monitoring_service as monitoring
from kzreg.defense import reserve_service as reserve
from kzreg.defense import secrecy
from kzreg.defense.contracts_models import DefenseReclamation
from kzreg.law.calendar import local_date
from kzreg.law.errors import InputError, NotFound
from kzreg.law.explain import jsonable
from kzreg.platform import audit, cases
from kzreg.platform.actors import Actor
from kzreg.platform.documents import case_documents, get_document, render_document
from kzreg.platform.timers import PENDING, Timer

# --- one contract ----------------------------------------------------------------------------

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
        "deadlines": [timer_json(t) for t in _pending(db, case_id)],
        "breaches": [{"deadline": b.deadline, "title": b.title, "due_at": b.due_at,
                      "citation": b.citation, "resolved_at": b.resolved_at}
                     for b in _breaches(db, actor, case_id)],
        "transitions": [t.name for t in cases.allowed_transitions(actor, case)],
        "events": [{"transition": e.transition, "from": e.from_state, "to": e.to_state,
                    "actor": e.actor, "role": e.role, "at": e.at, "basis": e.basis}
                   for e in cases.case_events(db, actor, case_id)],
        "modifications": [modification_json(m)
                          for m in modification.modifications(db, case_id)],
        "notices": [notice_json(n) for n in svc.notices(db, case_id)],
        **penalties_json(db, case_id),
        "control_list_applies": monitoring.mro_applies(contract),
        "control_list": control_list_json(monitoring.control_list(db, case_id)),
        "information_requests": [information_json(r, today)
                                 for r in monitoring.information_requests(db, case_id)],
        "representatives": [{"person": r.person, "sent_by": r.sent_by, "mandate": r.mandate,
                             "from_on": r.from_on}
                            for r in monitoring.representatives(db, case_id)],
        "lots": [lot_json(x) for x in execution.lots(db, case_id)],
        "reclamations": [reclamation_json(r) for r in execution.reclamations(db, case_id)],
        "documents": [document_json(d) for d in case_documents(db, case_id, actor=actor)],
    })


def _pending(db: Session, case_id: int) -> list[Timer]:
    return list(db.scalars(select(Timer).where(Timer.case_id == case_id,
                                               Timer.status == PENDING).order_by(Timer.due_at)))


def _breaches(db: Session, actor: Actor, case_id: int):
    return [b for b in cases.breaches(db, actor) if b.case_id == case_id]


# --- its records -----------------------------------------------------------------------------

def board_row(r: svc.BoardRow) -> dict[str, Any]:
    c = r.contract
    return jsonable({"id": r.case.id, "subject": c.subject, "state": r.case.state,
                     "contractor_bin": c.contractor_bin, "contractor_name": c.contractor_name,
                     "value": svc.tenge(c.value), "secrecy_level": c.secrecy_level,
                     "next_due": r.next_due, "next": r.next_what, "citation": r.next_citation,
                     "breaches": r.breaches, "suspended": c.suspended})


def timer_json(t) -> dict[str, Any]:
    return jsonable({"name": t.name, "title": t.title, "duration": t.duration,
                     "citation": t.citation, "due_at": t.due_at})


def modification_json(m) -> dict[str, Any]:
    return jsonable({"id": m.id, "ground": m.ground, "allowed": m.allowed, "failed": m.failed,
                     "value_before": svc.tenge(m.value_before),
                     "value_after": svc.tenge(m.value_after),
                     "requested_by": m.requested_by, "requested_at": m.requested_at,
                     "explanation": m.explanation})


def notice_json(n) -> dict[str, Any]:
    return jsonable({"event": n.event, "key": n.key, "subject": n.subject,
                     "sent_at": n.sent_at, "recipients": n.recipients,
                     "basis": "law-236-VI:Art 22 p.12"})


def penalty_json(p) -> dict[str, Any]:
    return jsonable({"id": p.id, "amount": svc.tenge(p.amount), "reason": p.reason,
                     "assessed_on": p.assessed_on, "recovered_by": p.recovered_by,
                     "credited_to": p.credited_to, "recovered_on": p.recovered_on,
                     "status": "recovered" if p.recovered_on else "outstanding"})


def penalties_json(db: Session, case_id: int) -> dict[str, Any]:
    """The penalties and their sums (Art 22 p.10), money as strings with two decimals."""
    rows = svc.penalties(db, case_id)
    sums = svc.penalty_sums(rows)
    return {"penalties": [penalty_json(p) for p in rows],
            "penalty_sums": {"assessed": svc.tenge(sums.assessed),
                             "recovered": svc.tenge(sums.recovered),
                             "outstanding": svc.tenge(sums.outstanding),
                             "credited_to": "republican budget",
                             "basis": "law-236-VI:Art 22 p.10"}}


def control_list_json(row) -> dict[str, Any] | None:
    if row is None:
        return None
    return jsonable({"items": row.items, "developed_by": row.developed_by,
                     "developed_at": row.developed_at, "approved_on": row.approved_on,
                     "approved_by": row.approved_by, "approver": row.approver,
                     "basis": "law-236-VI:Art 27 p.2"})


def information_json(r, today: dt.date) -> dict[str, Any]:
    return jsonable({"id": r.id, "requester": r.requester, "purpose": r.purpose,
                     "basis": r.basis, "subject": r.subject, "asked_on": r.asked_on,
                     "reply_by": r.reply_by, "asked_by": r.asked_by,
                     "answered_on": r.answered_on, "answer": r.answer,
                     "answered_by": r.answered_by,
                     "status": monitoring.request_status(r, today)})


def lot_json(x) -> dict[str, Any]:
    return jsonable({"number": x.number, "items": x.items, "lot": x.lot,
                     "suspended": x.suspended,
                     "suspension_reasons": x.suspension_reasons, "certificate": x.certificate,
                     "certified_on": x.certified_on, "accepted_on": x.accepted_on})


def reclamation_json(r) -> dict[str, Any]:
    return jsonable({"id": r.id, "description": r.description, "found_on": r.found_on,
                     "status": r.status, "finding": r.finding, "outcome": r.outcome})


def holding_json(h) -> dict[str, Any]:
    return jsonable({k: getattr(h, k) for k in (
        "id", "holder_bin", "holder_name", "holder_kind", "sdo_contractor", "nomenclature",
        "unit", "available", "recorded_on", "secrecy_level")} | {"cap": reserve.cap(h)})


def use_json(u, today: dt.date) -> dict[str, Any]:
    return jsonable({"id": u.id, "case_id": u.case_id, "quantity": u.quantity,
                     "used_on": u.used_on, "replenish_by": u.replenish_by,
                     "replenished": u.replenished, "replenished_on": u.replenished_on,
                     "status": reserve.replenish_status(u, today),
                     "basis": "law-236-VI:Art 24 p.4"})


def document_json(doc) -> dict[str, Any]:
    return {"id": doc.id, "kind": doc.kind, "language": doc.language, "title": doc.title,
            "version": doc.version, "created_at": doc.created_at.isoformat(),
            "url": f"/api/defense/documents/{doc.id}.pdf"}


def reclamation_in_scope(db: Session, actor: Actor, reclamation_id: int) -> None:
    """A reclamation is reached through its contract: outside the caller's scope or
    clearance it is "not found"."""
    row = db.get(DefenseReclamation, reclamation_id)
    if row is None:
        raise NotFound(f"no reclamation {reclamation_id}", field="reclamation_id")
    svc.get_contract(db, actor, row.case_id)


# --- the lifecycle actions -------------------------------------------------------------------

ACTIONS = ("send", "receive", "sign", "refuse", "terminate", "pay", "missed_delivery")


def act(db: Session, actor: Actor, case_id: int, action: str, body: dict[str, Any]) -> None:
    """One of `ACTIONS` on the contract (Art 22 p.5-8, p.12)."""
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
        deadline = parse_date(body.get("deadline"), "deadline")
        if deadline is None:
            raise InputError("the delivery deadline that was missed", field="deadline")
        if not svc.record_missed_delivery(db, actor, case_id, str(body.get("item") or ""),
                                          deadline, at=at):
            raise InputError("this missed delivery is already recorded and notified",
                             field="deadline")
    else:
        raise InputError(f"no action {action!r}; one of {', '.join(ACTIONS)}", field="action")


def parse_date(value: Any, field: str) -> dt.date | None:
    if value in (None, ""):
        return None
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise InputError(f"{value!r} is not a date YYYY-MM-DD", field=field) from None


# --- CSV export ------------------------------------------------------------------------------

CSV_COLUMNS = ("id", "order_ref", "order_item_ref", "subject", "category", "recipient",
               "contractor_bin", "contractor_name", "state", "value", "next_due", "next",
               "breaches", "suspended", "secrecy")
CSV_MEDIA_TYPE = "text/csv; charset=utf-8"


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
        data = board_row(r)
        data.update(order_ref=r.contract.order_ref, order_item_ref=r.contract.order_item_ref,
                    category=r.contract.category, recipient=r.contract.recipient,
                    secrecy=secrecy.LEVELS[r.contract.secrecy_level])
        writer.writerow([_cell(data.get(c)) for c in CSV_COLUMNS])
    audit.append(db, actor=actor, action="defense.contracts.exported", basis=secrecy.BASIS,
                 data={"rows": len(rows), "secrecy_level": level, "q": bool(q),
                       "state": state or None})
    stamp = local_date(svc.now_utc()).isoformat()
    return Response(out.getvalue(), media_type=CSV_MEDIA_TYPE, headers={
        "Content-Disposition": f'attachment; filename="defense-contracts-{stamp}.csv"'})


def _cell(value: Any) -> str:
    """A CSV cell; text a spreadsheet would run as a formula is quoted with an apostrophe."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


# --- the PDF ---------------------------------------------------------------------------------

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
        **penalties_json(db, case_id),
        "terms": svc.terms(contract, case, today),
        "modifications": [modification_json(m) | {"explanation": None}
                          for m in modification.modifications(db, case_id)],
        "notices": [notice_json(n) for n in svc.notices(db, case_id)],
    }
    return render_document(db, case_id=case_id, template="defense/contract.html",
                           context=context, language=language, actor=actor,
                           kind="defense_contract", at=svc.now_utc())


def pdf_response(db: Session, actor: Actor, document_id: int) -> Response:
    """A stored PDF of a contract; its reading is audited like the contract's."""
    doc = get_document(db, document_id, actor=actor)  # 404 outside scope or clearance
    if not doc.kind.startswith("defense_"):
        raise NotFound(f"no document {document_id}", field="document_id")
    svc.read_contract(db, actor, doc.case_id, "contract document")
    return Response(doc.pdf, media_type="application/pdf", headers={
        "content-disposition": f'inline; filename="defense-contract-{doc.case_id}-'
                               f'v{doc.version}.pdf"'})
