"""The producers room on the web (Law 86-VII). The register of Kazakhstani commodity
producers (Arts 51-1..51-7): JSON under /api/producers/register/…, pages under
/producers/register/…, and the public search of the register, open without signing in
(`/producers/register/search`, `/api/producers/register/search`). Other transitions of the
register's cases (an objection to the commission, a withdrawal) go through the platform's
`/api/cases/{id}/transitions/{name}`. Officers enter wholly produced goods on other bodies'
information (`/wholly-produced`, Art 51-3(7)) and software producers on the informatisation
authority's notice (`/software`, Art 51-2(4)). Included here: the rules of incentives,
contracts, raw materials and legal time (`incentives_api`), the stored incentives, plans,
contracts and programmes (`cases_api`) and their pages (`pages`, `contract_pages`), domestic
raw materials (`raw_api`) and the register's pages (`register_pages`).

Refusals come back as problem+json (the kernel's errors name the field and the clause).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy import select

from kzreg.law.errors import Forbidden
from kzreg.law.explain import jsonable
from kzreg.platform.actors import Role
from kzreg.platform.cases import Case, visible_cases
from kzreg.producers import labels, service, workflow
from kzreg.producers import register_law as rl
from kzreg.web.auth import (
    DB,
    ApiActor,
    CaseId,
    PageActor,
    VisitorDep,
)
from kzreg.web.templating import add_template_dir, render

add_template_dir(str(Path(__file__).parent / "templates"))

router = APIRouter()
TAGS = ["producers register"]
BASE = "/api/producers/register"


def case_json(case: Case) -> dict[str, Any]:
    return jsonable({"id": case.id, "type": case.case_type, "state": case.state,
                     "title": case.title, "opened_at": case.opened_at,
                     "closed_at": case.closed_at, "version": case.version, "data": case.data})


# --- JSON API -------------------------------------------------------------------------------

@router.get(f"{BASE}/search", tags=TAGS, summary="Public search of the register (no sign-in)")
def search(db: DB, q: str = "", limit: int = Query(50, ge=1, le=200)) -> dict:
    rows = service.search(db, q, limit=limit)
    return {"total": len(rows), "producers": rows}


class GoodIn(BaseModel):
    code: str
    title: str
    domestic_value_share: str | None = None
    operations: list[str] = Field(default_factory=list)
    conditions_met: list[str] = Field(default_factory=list)


class ApplicationIn(BaseModel):
    bin: str
    name: str = Field(min_length=2, max_length=300)
    route: str = "processed"
    region: str | None = None
    goods: list[GoodIn]
    consents: dict[str, bool] = Field(description="consent_personal_data, "
                                      "consent_facility_access, consent_video_surveillance")
    evidence_documents: list[str] = Field(default_factory=list)
    evidence_video: list[str] = Field(default_factory=list)
    accuracy_declared: bool = False


@router.post(f"{BASE}/applications", tags=TAGS, status_code=201,
             summary="File an application for inclusion (Art 51-1)")
def apply(body: ApplicationIn, db: DB, actor: ApiActor) -> dict:
    return case_json(service.apply(db, actor, **body.model_dump()))


@router.get(f"{BASE}/applications", tags=TAGS, summary="Applications visible to the caller, "
            "open ones first")
def applications(db: DB, actor: ApiActor) -> dict:
    rows = db.scalars(visible_cases(db, actor).where(Case.case_type.in_(
        (workflow.APPLICATION, workflow.EXCLUSION, workflow.SOFTWARE_EXCLUSION)))
        .order_by(Case.closed_at.is_not(None), Case.opened_at)).all()
    return {"cases": [case_json(c) for c in rows]}


class VerificationBody(BaseModel):
    positive: bool | None = None
    facts: dict[str, Any] | None = None
    failed: list[dict[str, str]] = Field(default_factory=list)
    justification: str = ""


@router.post(f"{BASE}/applications/{{case_id}}/verification", tags=TAGS,
             summary="Digital verification result (Art 51-1(3))")
def verification(case_id: CaseId, body: VerificationBody, db: DB, actor: ApiActor) -> dict:
    return case_json(service.record_verification(db, actor, case_id, **body.model_dump()))


class AssessmentBody(BaseModel):
    positive: bool | None = None
    reasons: list[str] = Field(default_factory=list)
    notes: str = ""
    onsite: bool = False


@router.post(f"{BASE}/applications/{{case_id}}/assessment", tags=TAGS,
             summary="Production assessment (Art 51-1(4)-(5))")
def assessment(case_id: CaseId, body: AssessmentBody, db: DB, actor: ApiActor) -> dict:
    return case_json(service.assess(db, actor, case_id, **body.model_dump()))


@router.post(f"{BASE}/applications/{{case_id}}/include", tags=TAGS,
             summary="Include in the register and issue the extract (Art 51-1(6), (8))")
def include(case_id: CaseId, db: DB, actor: ApiActor) -> dict:
    entry = service.include(db, actor, case_id)
    return {"bin": entry.bin, "status": entry.status, "included_on": entry.included_on}


class LanguageBody(BaseModel):
    language: str = Field("ru", description="kk, ru or en")


@router.post(f"{BASE}/applications/{{case_id}}/refusal", tags=TAGS, status_code=201,
             summary="The reasoned refusal of inclusion as a PDF (Art 51-1(3), (6))")
def refusal(case_id: CaseId, db: DB, actor: ApiActor, body: LanguageBody | None = None
            ) -> dict:
    from kzreg.producers.cases_api import document_json
    from kzreg.producers.register_pages import refusal_for

    return document_json(refusal_for(db, actor, case_id, (body or LanguageBody()).language))


class MonitoringBody(BaseModel):
    run_on: dt.date
    positive: bool
    failed: list[dict[str, str]] = Field(default_factory=list)


@router.post(f"{BASE}/entries/{{bin}}/monitoring", tags=TAGS, status_code=201,
             summary="Record a monitoring run (Art 51-4)")
def monitoring(bin: str, body: MonitoringBody, db: DB, actor: ApiActor) -> dict:
    run = service.record_monitoring(db, actor, bin, **body.model_dump())
    return jsonable({"id": run.id, "run_on": run.run_on, "positive": run.positive})


class ExclusionBody(BaseModel):
    ground: str
    reorganisation_form: str | None = None


@router.post(f"{BASE}/entries/{{bin}}/exclusion", tags=TAGS,
             summary="Remove from the register (Art 51-6)")
def exclusion(bin: str, body: ExclusionBody, db: DB, actor: ApiActor) -> dict:
    case = service.exclude(db, actor, bin, **body.model_dump())
    entry = service.entry_by_bin(db, bin)
    return {"status": entry.status, "appeal_case": case_json(case) if case else None}


class DecisionBody(BaseModel):
    decision: rl.CommissionDecision = Field(description="upheld_fully, upheld_partially or "
                                            "rejected (Art 51-5(5))")
    upheld_goods: list[str] = Field(default_factory=list)
    text: str = ""


@router.post(f"{BASE}/appeals/{{case_id}}/decision", tags=TAGS,
             summary="The appeals commission's decision (Art 51-5(5)-(8))")
def decision(case_id: CaseId, body: DecisionBody, db: DB, actor: ApiActor) -> dict:
    return case_json(service.decide_appeal(db, actor, case_id, **body.model_dump()))


class WhollyProducedBody(BaseModel):
    bin: str
    name: str = Field(min_length=2, max_length=300)
    category: str = Field(description="natural_resources, agricultural_products, metal_scrap "
                          "(data/register/wholly_produced.yaml)")
    source: str = Field(description="the body whose information enters the goods")
    goods: list[GoodIn] = Field(min_length=1)
    region: str | None = None


@router.post(f"{BASE}/wholly-produced", tags=TAGS, status_code=201,
             summary="Enter goods wholly produced in Kazakhstan on another body's information "
                     "(Art 51-3(7))")
def wholly_produced(body: WhollyProducedBody, db: DB, actor: ApiActor) -> dict:
    data = body.model_dump()
    entry = service.enter_wholly_produced(db, actor, **data)
    return jsonable({"bin": entry.bin, "status": entry.status, "route": entry.route,
                     "included_on": entry.included_on})


class SoftwareBody(BaseModel):
    bin: str
    name: str = Field(min_length=2, max_length=300)
    goods: list[GoodIn] = Field(min_length=1)
    notice: str = Field(description="the informatisation authority's notice (Art 51-2(4))")


@router.post(f"{BASE}/software", tags=TAGS, status_code=201,
             summary="Include a software producer on the informatisation authority's notice "
                     "(Art 51-2(4))")
def software(body: SoftwareBody, db: DB, actor: ApiActor) -> dict:
    entry = service.include_software(db, actor, **body.model_dump())
    return jsonable({"bin": entry.bin, "status": entry.status, "route": entry.route,
                     "included_on": entry.included_on})


class LegalEntityEventsIn(BaseModel):
    events: list[dict[str, Any]] = Field(min_length=1, max_length=5000, description=(
        "each {bin, kind: liquidation|reorganisation, date, source_ref, "
        "reorganisation_form, successor_bins}"))


@router.post(f"{BASE}/legal-entity-events", tags=TAGS,
             summary="Notices of the state register of legal entities: automatic removal on "
                     "liquidation or reorganisation other than transformation (Art 51-6)")
def legal_entity_events(body: LegalEntityEventsIn, db: DB, actor: ApiActor) -> dict:
    from kzreg.producers import register_events as ev

    done = ev.receive_batch(db, actor, ((f"events.{n}", e) for n, e in enumerate(body.events)))
    return {"results": [ev.event_json(row, dup) for row, dup in done]}


@router.get(f"{BASE}/legal-entity-events", tags=TAGS,
            summary="Notices received from the state register of legal entities")
def legal_entity_events_list(db: DB, actor: ApiActor, bin: str | None = None) -> dict:
    from kzreg.producers import register_events as ev

    if actor.role.is_business:
        raise Forbidden("the authorized body reads the notices", field="actor")
    return {"events": [ev.event_json(row) for row in ev.events_for(db, bin=bin)]}


@router.get(f"{BASE}/entries/{{bin}}/extract.pdf", tags=TAGS,
            summary="The extract from the register as PDF (Art 51-1(8))")
def extract_pdf(bin: str, db: DB, actor: ApiActor, language: str = "ru") -> Response:
    if actor.role is Role.MANUFACTURER and actor.bin != bin:
        raise Forbidden("a producer takes its own extract", field="bin")
    document = service.extract(db, actor, bin, language=language)
    return Response(document.pdf, media_type="application/pdf", headers={
        "Content-Disposition": f'inline; filename="extract-{bin}.pdf"'})


# --- pages ------------------------------------------------------------------------------------

@router.get("/producers/", include_in_schema=False)
def room_index() -> Response:
    return RedirectResponse("/producers/register/", status_code=303)


@router.get("/producers/register/search", response_class=HTMLResponse,
            include_in_schema=False)
def search_page(request: Request, db: DB, visitor: VisitorDep, q: str = "") -> Response:
    """Public: no sign-in needed (get_visitor, not page_actor)."""
    rows = service.search(db, q, limit=200)
    return render(request, "producers/register_search.html", {
        "rows": rows, "q": q, **labels.page_context(visitor.language)},
                  visitor=visitor)


@router.get("/producers/register/", response_class=HTMLResponse, include_in_schema=False)
def queue_page(request: Request, db: DB, visitor: VisitorDep, actor: PageActor) -> Response:
    """The officers' queue and dashboard; for a business, its personal account."""
    from kzreg.producers.casework import queue
    from kzreg.producers.models import RegisterEntry
    from kzreg.producers.pages import _bars

    rows = queue(db, actor, (workflow.APPLICATION, workflow.EXCLUSION,
                             workflow.SOFTWARE_EXCLUSION))   # soonest deadline first
    cases = [c for c, _ in rows]
    query = select(RegisterEntry).order_by(RegisterEntry.name)
    if actor.role.is_business:
        query = query.where(RegisterEntry.bin == actor.bin)
    entries = db.scalars(query).all()
    by_status: dict[str, int] = {}
    by_region: dict[str, int] = {}
    for e in entries:
        by_status[e.status] = by_status.get(e.status, 0) + 1
        if e.status == "included":
            by_region[e.region or "—"] = by_region.get(e.region or "—", 0) + 1
    counts = {"included": by_status.get("included", 0), "applications_open": sum(
        1 for c in cases if c.case_type == workflow.APPLICATION and c.closed_at is None)}
    return render(request, "producers/register_queue.html", {
        "cases": cases, "deadlines": {c.id: t for c, t in rows}, "counts": counts,
        "entries": entries,
        "by_status": _bars({labels.LABELS.get(k, k): n for k, n in by_status.items()}),
        "by_region": _bars(by_region), **labels.page_context(visitor.language),
        "may_apply": actor.role in (Role.MANUFACTURER, *workflow.OFFICERS)
        and not actor.read_only}, visitor=visitor)


# --- incentives and industrial contracts (kzreg.producers.incentives_api) -----------------------
from kzreg.producers.cases_api import router as cases_router  # noqa: E402
from kzreg.producers.contract_pages import router as contract_pages_router  # noqa: E402
from kzreg.producers.incentives_api import router as incentives_router  # noqa: E402
from kzreg.producers.pages import router as pages_router  # noqa: E402
from kzreg.producers.raw_api import router as raw_router  # noqa: E402
from kzreg.producers.register_pages import router as register_pages_router  # noqa: E402

router.include_router(incentives_router)
router.include_router(cases_router)
router.include_router(pages_router)
router.include_router(contract_pages_router)
router.include_router(raw_router)
router.include_router(register_pages_router)
