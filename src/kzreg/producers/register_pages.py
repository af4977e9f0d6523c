"""The register of Kazakhstani commodity producers in the personal account and the officers'
workplace (Law 86-VII Arts 51-1..51-6), included by kzreg.producers.api.

    /producers/register/apply            a manufacturer applies: four consents, evidence
                                         with video, the accuracy declaration (Art 51-1(2))
    /producers/register/cases/{id}       an application, exclusion or software exclusion:
                                         the reasoned responses, deadlines, history, and the
                                         acts allowed now (verification, assessment, on-site
                                         report, inclusion; objection; commission decision)
    /producers/register/entries/{bin}    an entry: goods, monitoring runs, missed quarters,
                                         the basis for removal on monitoring (Art 51-4(2)),
                                         notices of the state register of legal entities
                                         (Art 51-6); officers record monitoring and exclusions
    /producers/register/entries/{bin}/extract.pdf   the extract (Art 51-1(8))
    /producers/register/cases/{id}/refusal.pdf      the reasoned refusal (Art 51-1(6))

Every act goes through `service` (the same functions as the API), so the checks, the
notices to the personal account and the extract are the same.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select

from kzreg.law.errors import Forbidden, InputError, KzregError, NotFound
from kzreg.platform import cases
from kzreg.platform.documents import case_documents
from kzreg.producers import casework, service
from kzreg.producers import register_law as rl
from kzreg.producers import workflow as wf
from kzreg.producers.models import MonitoringBreach, MonitoringRun
from kzreg.producers.pages import page
from kzreg.web.auth import DB, PageActor, Visitor, VisitorDep, csrf_protected

router = APIRouter()
CSRF = Annotated[Visitor, Depends(csrf_protected)]
TYPES = (wf.APPLICATION, wf.EXCLUSION, wf.SOFTWARE_EXCLUSION)


def _lines(text: Any) -> list[str]:
    return [x.strip() for x in str(text or "").splitlines() if x.strip()]


def _pairs(text: Any, field: str) -> list[dict[str, str]]:
    """'code | reason' lines (failed criteria of Art 51-1(3), Art 51-4(2))."""
    rows = []
    for line in _lines(text):
        code, sep, reason = (p.strip() for p in line.partition("|"))
        if not sep or not code or len(reason) < 3:
            raise InputError("each line: criterion | reason", field=field)
        rows.append({"code": code, "reason": reason})
    return rows


# --- applying ------------------------------------------------------------------------------

@router.get("/producers/register/apply", response_class=HTMLResponse, include_in_schema=False)
def apply_form(request: Request, visitor: VisitorDep, actor: PageActor) -> Response:
    return page(request, visitor, "register_apply.html", {"form": {}, "error": None,
                                                          "consents": rl.CONSENTS})


@router.post("/producers/register/apply", response_class=HTMLResponse, include_in_schema=False)
async def apply_submit(request: Request, db: DB, visitor: CSRF, actor: PageActor) -> Response:
    form = await request.form()
    try:
        goods = []
        for n, line in enumerate(_lines(form.get("goods"))):
            parts = [p.strip() for p in line.split("|")]
            if len(parts) < 2:
                raise InputError("each line: code | title | operations (comma-separated)",
                                 field=f"goods.{n}")
            goods.append({"code": parts[0], "title": parts[1], "operations": [
                o.strip() for o in (parts[2] if len(parts) > 2 else "").split(",") if o.strip()]})
        bin = actor.bin if actor.role.is_business else str(form.get("bin") or "")
        if not bin:
            raise InputError("the applicant's BIN is required", field="bin")
        if actor.role.is_business and str(form.get("bin") or bin) != bin:
            raise Forbidden("a business applies for its own BIN only", field="bin")
        case = service.apply(
            db, actor, bin=bin, name=str(form.get("name") or "").strip(),
            route=str(form.get("route") or "processed"), goods=goods,
            region=str(form.get("region") or "") or None,
            consents={k: bool(form.get(k)) for k in rl.CONSENTS},
            evidence_documents=_lines(form.get("evidence_documents")),
            evidence_video=_lines(form.get("evidence_video")),
            accuracy_declared=bool(form.get("accuracy_declared")))
    except KzregError as exc:
        db.rollback()
        return page(request, visitor, "register_apply.html",
                    {"form": dict(form), "error": exc, "consents": rl.CONSENTS},
                    status_code=422)
    return RedirectResponse(f"/producers/register/cases/{case.id}", status_code=303)


# --- one case ------------------------------------------------------------------------------

def _case_context(db, actor, case_id: int, **extra: Any) -> dict[str, Any]:
    v = casework.view(db, actor, case_id)
    case = v["case"]
    if case.case_type not in TYPES:
        raise NotFound(f"no register case {case_id}", field="case_id")
    allowed = {t.name for t in v["transitions"]}
    entry = None
    if case.data.get("bin"):
        try:
            entry = service.entry_by_bin(db, case.data["bin"])
        except NotFound:
            entry = None
    return {**v, "data": case.data, "allowed": allowed, "entry": entry,
            "documents": [d for d in case_documents(db, case.id, actor=actor)
                          if d.kind.startswith("producers_")],
            "kind": case.case_type.split(".", 1)[1], "error": None, **extra}


@router.get("/producers/register/cases/{case_id}", response_class=HTMLResponse,
            include_in_schema=False)
def case_page(case_id: int, request: Request, db: DB, visitor: VisitorDep,
              actor: PageActor) -> Response:
    return page(request, visitor, "register_case.html", _case_context(db, actor, case_id))


def _verification(db, actor, case_id, form) -> None:
    positive = form.get("result") == "positive"
    service.record_verification(db, actor, case_id, positive=positive,
                                failed=[] if positive else _pairs(form.get("failed"), "failed"),
                                justification=str(form.get("justification") or ""))


def _assessment(db, actor, case_id, form) -> None:
    result = str(form.get("result") or "")
    service.assess(db, actor, case_id, positive=result == "positive" if result in (
        "positive", "negative") else None, reasons=_lines(form.get("reasons")),
        notes=str(form.get("notes") or ""), onsite=result == "onsite")


def _report(db, actor, case_id, form) -> None:
    service.report(db, actor, case_id, positive=form.get("result") == "positive",
                   held_on=str(form.get("held_on") or "") or None,
                   participants=_lines(form.get("participants")),
                   findings=str(form.get("findings") or ""), reasons=_lines(form.get("reasons")))


def _decision(db, actor, case_id, form) -> None:
    service.decide_appeal(db, actor, case_id, decision=str(form.get("decision") or ""),
                          upheld_goods=_lines(form.get("upheld_goods")),
                          text=str(form.get("text") or ""))


def _fire(name: str, field: str | None = None, key: str = "note"):
    def run(db, actor, case_id, form) -> None:
        payload = {key: str(form.get(field or key) or "")}
        cases.fire(db, case_id, name, actor=actor, payload=payload)
    return run


ACTIONS: dict[str, Callable[..., None]] = {
    "verification": _verification, "assessment": _assessment, "report": _report,
    "include": lambda db, actor, case_id, form: service.include(db, actor, case_id),
    "decision": _decision, "withdraw": _fire("withdraw"),
    "file_appeal": _fire("file_appeal", key="grounds"),
    "record_appeal": _fire("record_appeal", key="grounds"),
    "appeal_failed": _fire("appeal_failed"), "reinclude_on_notice": _fire("reinclude_on_notice"),
}


@router.post("/producers/register/cases/{case_id}/act", response_class=HTMLResponse,
             include_in_schema=False)
async def case_act(case_id: int, request: Request, db: DB, visitor: CSRF,
                   actor: PageActor) -> Response:
    form = await request.form()
    action = ACTIONS.get(str(form.get("action") or ""))
    try:
        _case_context(db, actor, case_id)   # out of scope: not found first
        if action is None:
            raise InputError("no such action", field="action")
        action(db, actor, case_id, form)
    except KzregError as exc:
        db.rollback()
        return page(request, visitor, "register_case.html",
                    _case_context(db, actor, case_id, error=exc), status_code=422)
    return RedirectResponse(f"/producers/register/cases/{case_id}", status_code=303)


# --- one entry -----------------------------------------------------------------------------

def _entry_context(db, actor, bin: str, **extra: Any) -> dict[str, Any]:
    if actor.role.is_business and actor.bin != bin:
        raise NotFound(f"{bin} is not your entry", field="bin")
    entry = service.entry_by_bin(db, bin)
    runs = db.scalars(select(MonitoringRun).where(MonitoringRun.entry_id == entry.id)
                      .order_by(MonitoringRun.run_on.desc())).all()
    missed = db.scalars(select(MonitoringBreach).where(MonitoringBreach.entry_id == entry.id)
                        .order_by(MonitoringBreach.period_start)).all()
    exclusions = [c for c in db.scalars(cases.visible_cases(db, actor).where(
        cases.Case.case_type.in_((wf.EXCLUSION, wf.SOFTWARE_EXCLUSION))))
        if c.data.get("bin") == bin]
    from kzreg.law.calendar import local_date, now_utc
    from kzreg.law.settings import get_setting
    from kzreg.producers.register_events import events_for

    removal = (service.removal_basis(db, entry, local_date(now_utc())).value
               if entry.status == "included" else None)
    return {"entry": entry, "runs": runs, "missed": missed, "exclusions": exclusions,
            "removal": removal, "events": events_for(db, bin=bin),
            "elimination_term": get_setting("producers.monitoring_elimination_deadline").value,
            "grounds": [g.value for g in rl.Ground], "error": None,
            "may_act": actor.role in wf.OFFICERS and not actor.read_only, **extra}


@router.get("/producers/register/entries/{bin}", response_class=HTMLResponse,
            include_in_schema=False)
def entry_page(bin: str, request: Request, db: DB, visitor: VisitorDep,
               actor: PageActor) -> Response:
    return page(request, visitor, "register_entry.html", _entry_context(db, actor, bin))


@router.post("/producers/register/entries/{bin}/act", response_class=HTMLResponse,
             include_in_schema=False)
async def entry_act(bin: str, request: Request, db: DB, visitor: CSRF,
                    actor: PageActor) -> Response:
    import datetime as dt

    form = await request.form()
    try:
        _entry_context(db, actor, bin)
        if form.get("action") == "monitoring":
            text = str(form.get("run_on") or "")
            try:
                run_on = dt.date.fromisoformat(text)
            except ValueError:
                raise InputError("a date YYYY-MM-DD", field="run_on") from None
            positive = form.get("result") == "positive"
            service.record_monitoring(db, actor, bin, run_on=run_on, positive=positive,
                                      failed=[] if positive else _pairs(form.get("failed"),
                                                                        "failed"))
        elif form.get("action") == "exclude":
            case = service.exclude(db, actor, bin, ground=str(form.get("ground") or ""),
                                   reorganisation_form=str(form.get("reorganisation_form")
                                                           or "") or None)
            if case is not None:
                return RedirectResponse(f"/producers/register/cases/{case.id}",
                                        status_code=303)
        else:
            raise InputError("no such action", field="action")
    except KzregError as exc:
        db.rollback()
        return page(request, visitor, "register_entry.html",
                    _entry_context(db, actor, bin, error=exc), status_code=422)
    return RedirectResponse(f"/producers/register/entries/{bin}", status_code=303)


@router.get("/producers/register/entries/{bin}/extract.pdf", include_in_schema=False)
def extract_pdf(bin: str, db: DB, actor: PageActor, language: str = "ru") -> Response:
    """The extract (Art 51-1(8)) made now, in the language asked."""
    if actor.role.is_business and actor.bin != bin:
        raise NotFound(f"{bin} is not your entry", field="bin")
    document = service.extract(db, actor, bin, language=language)
    return Response(document.pdf, media_type="application/pdf", headers={
        "content-disposition": f'inline; filename="extract-{bin}-{language}.pdf"'})


@router.get("/producers/register/cases/{case_id}/refusal.pdf", include_in_schema=False)
def refusal_pdf(case_id: int, db: DB, actor: PageActor, language: str = "ru") -> Response:
    """The reasoned response of a refused application (Art 51-1(6)), in the language asked:
    the stored one when it exists, otherwise made now."""
    document = refusal_for(db, actor, case_id, language)
    return Response(document.pdf, media_type="application/pdf", headers={
        "content-disposition": f'inline; filename="refusal-{case_id}-{language}.pdf"'})


def refusal_for(db, actor, case_id: int, language: str):
    from kzreg.producers.documents import REFUSAL_KIND, register_refusal

    stored = [d for d in case_documents(db, case_id, actor=actor)
              if d.kind == REFUSAL_KIND and d.language == language]
    return stored[-1] if stored else register_refusal(db, actor, case_id, language=language)
