"""Domestic raw materials on the web (Law 86-VII Art 60), included by kzreg.producers.api.

    POST /api/producers/raw-materials/agreements              record an agreement (checks)
    GET  /api/producers/raw-materials/agreements[/{id}]       a party sees its own
    POST /api/producers/raw-materials/agreements/{id}/periods fulfilled or not (Art 60(9))
    POST /api/producers/raw-materials/agreements/{id}/resale  termination and ban (Art 60(8))
    POST /api/producers/raw-materials/licences                decide an export licence
    POST /api/producers/raw-materials/list-applications       a manufacturer applies to
                                                              form the list (Art 60(2))
    GET  /api/producers/raw-materials/list-applications       (a manufacturer: its own)
    POST …/list-applications/{id}/examination                 accepted, or refused on the
                                                              grounds of Art 60(3) only
    GET  /api/producers/raw-materials/licences                decisions (a producer: its own)
    /producers/raw-materials/                                 the page: agreements, bans,
                                                              licences; officers' forms
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field, ValidationError

from kzreg.law.errors import InputError, KzregError
from kzreg.law.explain import jsonable
from kzreg.platform.actors import Role
from kzreg.producers import raw_list_workflow as rlw
from kzreg.producers import raw_materials as rm
from kzreg.producers import raw_service
from kzreg.producers.pages import page
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

router = APIRouter()
TAGS = ["producers raw materials"]
BASE = "/api/producers/raw-materials"
CSRF = Annotated[Visitor, Depends(csrf_protected)]


class AgreementIn(BaseModel):
    number: str = Field(min_length=1, max_length=60)
    raw_material: str = Field(min_length=2, max_length=200)
    producer_bin: str
    producer_name: str = Field(min_length=2, max_length=300)
    manufacturer_bin: str
    manufacturer_name: str = Field(min_length=2, max_length=300)
    price: str
    export_prices: list[str] = Field(default_factory=list)
    producer_production_start: dt.date | None = None
    producer_state_registration: dt.date | None = None


class PeriodIn(BaseModel):
    ends_on: dt.date
    fulfilled: bool
    note: str = Field("", max_length=1000)


class ResaleIn(BaseModel):
    note: str = Field(min_length=3, max_length=300)


class LicenceIn(BaseModel):
    producer_bin: str
    producer_name: str = Field(min_length=2, max_length=300)
    raw_material: str = Field(min_length=2, max_length=200)
    listed_manufacturers: int = Field(0, ge=0)


def agreement_json(a) -> dict[str, Any]:
    return jsonable({k: getattr(a, k) for k in (
        "id", "number", "raw_material", "producer_bin", "producer_name", "manufacturer_bin",
        "manufacturer_name", "concluded_on", "price", "price_cap", "status", "terminated_on",
        "termination", "checks")} | {"periods": [
            {"ends_on": p.ends_on, "fulfilled": p.fulfilled, "note": p.note}
            for p in a.periods]})


def licence_json(x) -> dict[str, Any]:
    return jsonable({k: getattr(x, k) for k in (
        "id", "producer_bin", "producer_name", "raw_material", "decided_on", "issued",
        "number", "unfulfilled", "trace")})


@router.post(f"{BASE}/agreements", tags=TAGS, status_code=201,
             summary="Record a tripartite supply agreement (Art 60(1), (4), (7), (8))")
def conclude(body: AgreementIn, db: DB, actor: ApiActor) -> dict[str, Any]:
    return agreement_json(raw_service.conclude(db, actor, **body.model_dump()))


@router.get(f"{BASE}/agreements", tags=TAGS, summary="Supply agreements (parties: their own)")
def agreements(db: DB, actor: ApiActor) -> dict[str, Any]:
    return {"agreements": [agreement_json(a) for a in raw_service.agreements_for(db, actor)]}


@router.get(f"{BASE}/agreements/{{agreement_id}}", tags=TAGS, summary="One supply agreement")
def agreement(agreement_id: int, db: DB, actor: ApiActor) -> dict[str, Any]:
    return agreement_json(raw_service.get_agreement(db, actor, agreement_id))


@router.post(f"{BASE}/agreements/{{agreement_id}}/periods", tags=TAGS, status_code=201,
             summary="Record whether a period's supply obligations were fulfilled")
def period(agreement_id: int, body: PeriodIn, db: DB, actor: ApiActor) -> dict[str, Any]:
    raw_service.record_period(db, actor, agreement_id, **body.model_dump())
    return agreement_json(raw_service.get_agreement(db, actor, agreement_id))


@router.post(f"{BASE}/agreements/{{agreement_id}}/resale", tags=TAGS,
             summary="Resale found: terminate and ban the manufacturer (Art 60(8))")
def resale(agreement_id: int, body: ResaleIn, db: DB, actor: ApiActor) -> dict[str, Any]:
    return agreement_json(raw_service.record_resale(db, actor, agreement_id, note=body.note))


@router.post(f"{BASE}/licences", tags=TAGS, status_code=201,
             summary="Decide an export licence from the stored agreements (Art 60(9))")
def licence(body: LicenceIn, db: DB, actor: ApiActor) -> dict[str, Any]:
    return licence_json(raw_service.decide_licence(db, actor, **body.model_dump()))


@router.get(f"{BASE}/licences", tags=TAGS, summary="Export licence decisions")
def licences(db: DB, actor: ApiActor) -> dict[str, Any]:
    return {"licences": [licence_json(x) for x in raw_service.licences_for(db, actor)]}


# --- applications to form the list (Art 60(2)-(3)) ------------------------------------------

class ListApplicationIn(BaseModel):
    bin: str
    name: str = Field(min_length=2, max_length=300)
    raw_material: str = Field(min_length=2, max_length=200)
    documents: list[str] = Field(default_factory=list, description="the documents submitted")
    volume: str | None = Field(None, max_length=60, description="the volume needed, as text")


class ExaminationBody(BaseModel):
    missing_documents: list[str] = Field(default_factory=list)
    kz_producers: list[str] = Field(default_factory=list)
    justification: str = Field("", max_length=4000)


def list_case_json(case) -> dict[str, Any]:
    return jsonable({"id": case.id, "type": case.case_type, "state": case.state,
                     "title": case.title, "opened_at": case.opened_at,
                     "closed_at": case.closed_at, "data": case.data})


def list_applications_for(db, actor) -> list:
    from kzreg.platform.cases import Case, visible_cases

    return list(db.scalars(visible_cases(db, actor).where(Case.case_type == rlw.RAW_LIST)
                           .order_by(Case.closed_at.is_not(None), Case.opened_at)))


@router.post(f"{BASE}/list-applications", tags=TAGS, status_code=201,
             summary="A manufacturer applies to form the list of domestic raw materials "
                     "(Art 60(2))")
def file_list_application(body: ListApplicationIn, db: DB, actor: ApiActor) -> dict[str, Any]:
    return list_case_json(rlw.file(db, actor, **body.model_dump()))


@router.get(f"{BASE}/list-applications", tags=TAGS,
            summary="Applications to form the list (a manufacturer: its own), open first")
def list_applications(db: DB, actor: ApiActor) -> dict[str, Any]:
    return {"applications": [list_case_json(c) for c in list_applications_for(db, actor)]}


@router.post(f"{BASE}/list-applications/{{case_id}}/examination", tags=TAGS,
             summary="Accept, or refuse on the two grounds of Art 60(3) only")
def examine_list_application(case_id: CaseId, body: ExaminationBody, db: DB,
                             actor: ApiActor) -> dict[str, Any]:
    return list_case_json(rlw.examine(db, actor, case_id, **body.model_dump()))


# --- the page ---------------------------------------------------------------------------------

def _context(db, actor, **extra: Any) -> dict[str, Any]:
    return {"agreements": raw_service.agreements_for(db, actor),
            "list_applications": list_applications_for(db, actor),
            "grounds": rm.REFUSAL_GROUNDS,
            "may_apply": actor.role is Role.MANUFACTURER and not actor.read_only,
            "licences": raw_service.licences_for(db, actor),
            "bans": raw_service.bans(db) if not actor.role.is_business else [],
            "may_act": actor.role in raw_service.OFFICERS and not actor.read_only,
            "error": None, **extra}


@router.get("/producers/raw-materials/", response_class=HTMLResponse, include_in_schema=False)
def raw_page(request: Request, db: DB, visitor: VisitorDep, actor: PageActor) -> Response:
    return page(request, visitor, "raw_materials.html", _context(db, actor))


def _model(model: type[BaseModel], data: dict[str, Any]) -> dict[str, Any]:
    try:
        return model.model_validate(data).model_dump()
    except ValidationError as exc:
        first = exc.errors()[0]
        raise InputError(first["msg"], field=".".join(map(str, first["loc"]))) from None


async def _post(request: Request, db, visitor, actor, run: Callable[[Any], None]) -> Response:
    form = await request.form()
    try:
        run({k: v for k, v in form.items() if k != "csrf_token" and v != ""})
    except KzregError as exc:
        db.rollback()
        return page(request, visitor, "raw_materials.html", _context(db, actor, error=exc),
                    status_code=422)
    return RedirectResponse("/producers/raw-materials/", status_code=303)


@router.post("/producers/raw-materials/agreements", include_in_schema=False)
async def conclude_form(request: Request, db: DB, visitor: CSRF, actor: PageActor) -> Response:
    def run(form) -> None:
        form["export_prices"] = [p.strip() for p in str(form.get("export_prices", ""))
                                 .replace(";", ",").split(",") if p.strip()]
        raw_service.conclude(db, actor, **_model(AgreementIn, form))
    return await _post(request, db, visitor, actor, run)


@router.post("/producers/raw-materials/agreements/{agreement_id}/periods",
             include_in_schema=False)
async def period_form(agreement_id: int, request: Request, db: DB, visitor: CSRF,
                      actor: PageActor) -> Response:
    def run(form) -> None:
        form["fulfilled"] = bool(form.get("fulfilled"))
        raw_service.record_period(db, actor, agreement_id, **_model(PeriodIn, form))
    return await _post(request, db, visitor, actor, run)


@router.post("/producers/raw-materials/agreements/{agreement_id}/resale",
             include_in_schema=False)
async def resale_form(agreement_id: int, request: Request, db: DB, visitor: CSRF,
                      actor: PageActor) -> Response:
    def run(form) -> None:
        raw_service.record_resale(db, actor, agreement_id, **_model(ResaleIn, form))
    return await _post(request, db, visitor, actor, run)


@router.post("/producers/raw-materials/licences", include_in_schema=False)
async def licence_form(request: Request, db: DB, visitor: CSRF, actor: PageActor) -> Response:
    def run(form) -> None:
        raw_service.decide_licence(db, actor, **_model(LicenceIn, form))
    return await _post(request, db, visitor, actor, run)


def _listed_lines(text: Any) -> list[str]:
    return [x.strip() for x in str(text or "").replace(",", "\n").splitlines() if x.strip()]


@router.post("/producers/raw-materials/list-applications", include_in_schema=False)
async def list_application_form(request: Request, db: DB, visitor: CSRF,
                                actor: PageActor) -> Response:
    def run(form) -> None:
        form["documents"] = _listed_lines(form.get("documents"))
        form["bin"] = actor.bin or form.get("bin", "")
        rlw.file(db, actor, **_model(ListApplicationIn, form))
    return await _post(request, db, visitor, actor, run)


@router.post("/producers/raw-materials/list-applications/{case_id}/examination",
             include_in_schema=False)
async def examination_form(case_id: PageCaseId, request: Request, db: DB, visitor: CSRF,
                           actor: PageActor) -> Response:
    def run(form) -> None:
        rlw.examine(db, actor, case_id, missing_documents=_listed_lines(
            form.get("missing_documents")), kz_producers=_listed_lines(form.get("kz_producers")),
            justification=str(form.get("justification") or ""))
    return await _post(request, db, visitor, actor, run)
