"""Stored incentives, plans, contracts and programmes over HTTP (Law 86-VII Arts 25-28, 46-49,
47-1, 61-1), included by kzreg.producers.api.

    POST /api/producers/incentives/applications            apply (Art 25(5))
    GET  /api/producers/incentives/applications            in the caller's scope
    POST /api/producers/incentives/applications/{id}/check the gate today, without deciding
    GET  /api/producers/incentives/history/{bin}           measures granted, counter-obligations
    POST /api/producers/incentives/grant-funds             a year's funds for industrial grants
    GET  /api/producers/incentives/grant-funds?year=Y      the funds with the carry-over
                                                           (Art 42(5))
    POST /api/producers/incentives/applications/{id}/decision  the decision as PDF (ru/kk/en)
    GET  /api/producers/documents/{id}.pdf                 a stored document of the room
    POST /api/producers/plans                              a large customer's plan (Art 47)
    GET  /api/producers/plans                              soonest deadline first
    GET  /api/producers/plans/{id}/check                   the plan against the calendar
    POST /api/producers/dvdp                               a programme (Art 61-1)
    GET  /api/producers/cases/{id}                         one case: deadlines, breaches, history
    POST /api/producers/cases/{id}/actions/{transition}    act on it (the payload in the body)
    POST /api/producers/contracts/register                 enter a contract (Arts 46-49)
    GET  /api/producers/contracts/register[/{id}]          the register (parties see their own)
    POST /api/producers/contracts/register/{id}/years      a year's acceptance (Art 48(2))
    POST /api/producers/systemic                           assess a systemic enterprise
    GET  /api/producers/systemic                           the list (Art 47-1(2))

Roles: officers of the authorized body (and administrators) act; manufacturers and
contractors act for their own BIN only (a case or contract of another BIN is 404); auditors
read. Refusals are problem+json naming the field and the clause.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Body, Query
from fastapi.responses import Response
from pydantic import BaseModel, Field

from kzreg.law.errors import InputError
from kzreg.law.explain import jsonable
from kzreg.producers import casework, contracts_service, documents, incentives_service
from kzreg.producers import contracts_workflow as cw
from kzreg.producers import incentives_workflow as iw
from kzreg.web.auth import DB, ApiActor, CaseId

router = APIRouter()
TAGS = ["producers incentives and contracts"]
TYPES = (iw.INCENTIVE, cw.PLAN, cw.DVDP)


def _summary(case, timer) -> dict[str, Any]:
    return jsonable({"id": case.id, "type": case.case_type, "title": case.title,
                     "state": case.state, "party_bins": case.party_bins,
                     "opened_at": case.opened_at, "closed_at": case.closed_at,
                     "next_deadline": {"name": timer.name, "title": timer.title,
                                       "due_at": timer.due_at} if timer else None})


def _mine(db, actor, case_type: str) -> dict[str, Any]:
    return {"cases": [_summary(c, t) for c, t in casework.queue(db, actor, (case_type,))]}


# --- incentives ----------------------------------------------------------------------------

class GoodsIn(BaseModel):
    code: str
    on_priority_list: bool
    of_project: bool = True


class IncentiveIn(BaseModel):
    name: str = Field(min_length=2, max_length=300)
    measure: str
    goods: list[GoodsIn] = Field(min_length=1)
    counter_obligations_accepted: bool
    counter_obligation_directions: list[str] = Field(default_factory=list)
    bin: str | None = Field(None, description="officers filing for an entity")
    facts: dict[str, bool] = Field(default_factory=dict)
    choices: dict[str, str] = Field(default_factory=dict)
    certificate_valid_until: dt.date | None = None
    competitiveness_agreement: bool = False
    agro_industrial: bool = False
    project: str = ""
    amount_requested: str | None = None
    grant_project: dict[str, Any] | None = Field(None, description="industrial grants "
                                                 "(Art 42): operating, project_cost, "
                                                 "grant_requested, own_contribution, "
                                                 "planned_goals")


@router.post("/api/producers/incentives/applications", tags=TAGS, status_code=201,
             summary="Apply for a measure of state stimulation (Art 25(5))")
def apply_incentive(body: IncentiveIn, db: DB, actor: ApiActor) -> dict[str, Any]:
    data = body.model_dump()
    data["goods"] = [g.model_dump() for g in body.goods]
    case = incentives_service.apply(db, actor, **data)
    return casework.case_json(db, actor, case.id)


@router.get("/api/producers/incentives/applications", tags=TAGS,
            summary="Applications in the caller's scope, soonest deadline first")
def incentive_applications(db: DB, actor: ApiActor) -> dict[str, Any]:
    return _mine(db, actor, iw.INCENTIVE)


@router.post("/api/producers/incentives/applications/{case_id}/check", tags=TAGS,
             summary="The gate of Art 25(5)-(6) (and Art 28(4)) today, without deciding")
def check_incentive(case_id: CaseId, db: DB, actor: ApiActor,
                    finding: Annotated[dict[str, Any], Body(examples=[{
                        "documents_compliant": True}])]) -> dict[str, Any]:
    return jsonable(incentives_service.check(db, actor, case_id, finding).to_dict())


@router.get("/api/producers/incentives/history/{bin}", tags=TAGS,
            summary="Measures granted to an entity and their counter-obligations")
def incentive_history(bin: str, db: DB, actor: ApiActor) -> dict[str, Any]:
    rows = incentives_service.history(db, actor, bin)
    return jsonable({"bin": bin, "grants": [
        {k: getattr(r, k) for k in ("case_id", "measure", "competitiveness_agreement",
                                    "agreement_no", "granted_on", "obligations_due_on",
                                    "amount", "directions", "status", "fulfilment_percent",
                                    "beyond_control", "refund_amount", "closed_on")}
        for r in rows]})


class DecisionDocIn(BaseModel):
    language: str = "ru"


def document_json(doc) -> dict[str, Any]:
    return jsonable({"id": doc.id, "uid": doc.uid, "kind": doc.kind, "language": doc.language,
                     "title": doc.title, "number": doc.number, "version": doc.version,
                     "case_id": doc.case_id, "created_at": doc.created_at,
                     "pdf_sha256": doc.pdf_sha256,
                     "url": f"/api/producers/documents/{doc.id}.pdf"})


@router.post("/api/producers/incentives/applications/{case_id}/decision", tags=TAGS,
             status_code=201, summary="The decision (grant or reasoned refusal) as a PDF")
def incentive_decision(case_id: CaseId, db: DB, actor: ApiActor,
                       body: DecisionDocIn | None = None) -> dict[str, Any]:
    doc = documents.incentive_decision(db, actor, case_id,
                                       language=(body or DecisionDocIn()).language)
    return document_json(doc)


def pdf_response(db, actor, document_id: int) -> Response:
    """A stored document of the producers room (others answer 404 here)."""
    from kzreg.law.errors import NotFound
    from kzreg.platform.documents import get_document

    doc = get_document(db, document_id, actor=actor)
    if not doc.kind.startswith("producers_"):
        raise NotFound(f"no document {document_id}", field="document_id")
    return Response(doc.pdf, media_type="application/pdf", headers={
        "content-disposition": f'inline; filename="{doc.kind}-{doc.id}-{doc.language}.pdf"'})


@router.get("/api/producers/documents/{document_id}.pdf", tags=TAGS,
            summary="A stored document of the producers room")
def document_pdf(document_id: int, db: DB, actor: ApiActor) -> Response:
    return pdf_response(db, actor, document_id)


# --- plans and programmes ------------------------------------------------------------------

class PlanIn(BaseModel):
    customer_name: str = Field(min_length=2, max_length=300)
    customer_type: str
    first_procurement_year: int = Field(ge=2026, le=2040)
    customer_bin: str | None = None
    goods: list[cw.PlanGoodsIn] | None = None


@router.post("/api/producers/plans", tags=TAGS, status_code=201,
             summary="A large customer's procurement plan (Art 47); with goods, lodged")
def open_plan(body: PlanIn, db: DB, actor: ApiActor) -> dict[str, Any]:
    data = body.model_dump()
    case = contracts_service.open_plan(db, actor, **data)
    return casework.case_json(db, actor, case.id)


@router.get("/api/producers/plans", tags=TAGS, summary="Plans, soonest deadline first")
def plans(db: DB, actor: ApiActor) -> dict[str, Any]:
    return _mine(db, actor, cw.PLAN)


@router.get("/api/producers/plans/{case_id}/check", tags=TAGS,
            summary="The plan against the calendar of Art 47")
def plan_check(case_id: CaseId, db: DB, actor: ApiActor,
               as_of: dt.date | None = None) -> dict[str, Any]:
    return jsonable(contracts_service.plan_check(db, actor, case_id, as_of).to_dict())


class DvdpIn(BaseModel):
    customer_name: str = Field(min_length=2, max_length=300)
    customer_type: str
    start_year: int = Field(ge=2025, le=2040)
    areas: list[str]
    period_years: int = 3
    targets: dict[str, str] = Field(default_factory=dict)
    customer_bin: str | None = None


@router.post("/api/producers/dvdp", tags=TAGS, status_code=201,
             summary="Submit a domestic value development programme (Art 61-1)")
def open_dvdp(body: DvdpIn, db: DB, actor: ApiActor) -> dict[str, Any]:
    case = contracts_service.open_dvdp(db, actor, **body.model_dump())
    return casework.case_json(db, actor, case.id)


@router.get("/api/producers/dvdp", tags=TAGS, summary="Programmes in the caller's scope")
def dvdps(db: DB, actor: ApiActor) -> dict[str, Any]:
    return _mine(db, actor, cw.DVDP)


@router.get("/api/producers/cases/{case_id}", tags=TAGS,
            summary="One incentive application, plan or programme")
def read_case(case_id: CaseId, db: DB, actor: ApiActor) -> dict[str, Any]:
    return casework.case_json(db, actor, case_id)


@router.post("/api/producers/cases/{case_id}/actions/{transition}", tags=TAGS,
             summary="Act on a case (the transition's payload in the body)")
def act(case_id: CaseId, transition: str, db: DB, actor: ApiActor,
        body: Annotated[dict[str, Any] | None, Body()] = None,
        version: int | None = Query(None, description="the version you read")
        ) -> dict[str, Any]:
    case = casework.view(db, actor, case_id)["case"]
    if case.case_type not in TYPES:
        raise InputError("not a case of incentives, plans or programmes", field="case_id")
    casework.act(db, actor, case_id, transition, body or {}, expected_version=version)
    return casework.case_json(db, actor, case_id)


# --- the register of contracts and systemic enterprises ---------------------------------------

class VolumeIn(BaseModel):
    year: int
    contracted: str


class ContractIn(BaseModel):
    number: str = Field(min_length=1, max_length=60)
    new_production: bool
    customer_bin: str
    customer_name: str
    supplier_bin: str
    supplier_name: str
    goods: list[dict[str, Any]] = Field(description="title, specification, …")
    concluded_on: dt.date
    ends_on: dt.date
    amount: str
    volumes: list[VolumeIn]
    domestic_value_min: str | None = None
    programme_obligation: bool = False
    customer_nwf_group: bool = False
    annual_purchases: str | None = None
    offset_conditions: list[dict[str, Any]] = Field(default_factory=list)
    plan_case_id: int | None = None


def contract_json(c) -> dict[str, Any]:
    return jsonable({k: getattr(c, k) for k in (
        "id", "number", "kind", "customer_bin", "customer_name", "supplier_bin",
        "supplier_name", "goods", "concluded_on", "ends_on", "amount", "domestic_value_min",
        "offset_terms", "plan_case_id", "status", "termination")} | {"years": [
            {"year": y.year, "contracted": y.contracted, "accepted": y.accepted,
             "supplier_performed": y.supplier_performed, "status": y.status}
            for y in c.years]})


@router.post("/api/producers/contracts/register", tags=TAGS, status_code=201,
             summary="Enter an off-take contract or guaranteed purchase agreement")
def register_contract(body: ContractIn, db: DB, actor: ApiActor) -> dict[str, Any]:
    data = body.model_dump()
    data["volumes"] = [v.model_dump() for v in body.volumes]
    return contract_json(contracts_service.register_contract(db, actor, **data))


@router.get("/api/producers/contracts/register", tags=TAGS,
            summary="The register (a business sees the contracts it is party to)")
def contract_register(db: DB, actor: ApiActor) -> dict[str, Any]:
    return {"contracts": [contract_json(c) for c in contracts_service.contracts_for(db, actor)]}


@router.get("/api/producers/contracts/register/{contract_id}", tags=TAGS,
            summary="One contract of the register")
def contract(contract_id: int, db: DB, actor: ApiActor) -> dict[str, Any]:
    return contract_json(contracts_service.get_contract(db, actor, contract_id))


class YearIn(BaseModel):
    year: int
    accepted: str
    supplier_performed: bool = True


@router.post("/api/producers/contracts/register/{contract_id}/years", tags=TAGS,
             summary="A year's accepted volume, checked against Art 48(2)")
def contract_year(contract_id: int, body: YearIn, db: DB, actor: ApiActor) -> dict[str, Any]:
    result = contracts_service.record_year(db, actor, contract_id, **body.model_dump())
    return {"check": jsonable(result.to_dict()),
            "contract": contract_json(contracts_service.get_contract(db, actor, contract_id))}


class TerminationIn(BaseModel):
    ground: str


@router.post("/api/producers/contracts/register/{contract_id}/termination", tags=TAGS,
             summary="Terminate after a negative pilot-batch test (Art 47(8))")
def contract_termination(contract_id: int, body: TerminationIn, db: DB,
                         actor: ApiActor) -> dict[str, Any]:
    return contract_json(contracts_service.terminate(db, actor, contract_id,
                                                     ground=body.ground))


class SystemicIn(BaseModel):
    bin: str
    name: str
    region: str
    year: int
    enterprise_output: str
    territory_output: str


@router.post("/api/producers/systemic", tags=TAGS, status_code=201,
             summary="Assess an enterprise against the 3% of Art 47-1(1)")
def systemic(body: SystemicIn, db: DB, actor: ApiActor) -> dict[str, Any]:
    row = contracts_service.assess_systemic(db, actor, **body.model_dump())
    return jsonable({k: getattr(row, k) for k in ("bin", "name", "region", "year", "share",
                                                   "systemic")})


@router.get("/api/producers/systemic", tags=TAGS, summary="The list of systemic enterprises")
def systemic_list(db: DB, actor: ApiActor, region: str | None = None,
                  year: int | None = None) -> dict[str, Any]:
    return {"enterprises": jsonable([
        {k: getattr(r, k) for k in ("bin", "name", "region", "year", "share",
                                    "enterprise_output", "territory_output")}
        for r in contracts_service.systemic_list(db, region=region, year=year)])}


# --- industrial grant funds (Art 42(5)) ------------------------------------------------------

class GrantFundsIn(BaseModel):
    year: int
    amount: str
    reference: str = Field(min_length=3, max_length=300)


@router.post("/api/producers/incentives/grant-funds", tags=TAGS, status_code=201,
             summary="Record a year's budget funds for industrial grants (Art 42(5))")
def grant_funds_record(body: GrantFundsIn, db: DB, actor: ApiActor) -> dict[str, Any]:
    from kzreg.producers import grant_funds

    row = grant_funds.record_allocation(db, actor, **body.model_dump())
    return {"year": row.year, "amount": row.amount, "reference": row.reference}


@router.get("/api/producers/incentives/grant-funds", tags=TAGS,
            summary="Industrial grant funds by year with the year-end carry-over (Art 42(5))")
def grant_funds_read(db: DB, actor: ApiActor,
                     year: Annotated[int, Query(ge=2022, le=2100)]) -> dict[str, Any]:
    from kzreg.law.calendar import local_date, now_utc
    from kzreg.producers import grant_funds

    result = grant_funds.stored_funds(db, year, local_date(now_utc()))
    return {"years": grant_funds.funds_json(result.value), "explanation": result.to_dict()}
