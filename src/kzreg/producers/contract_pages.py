"""Pages of one contract of the register (Law 86-VII Arts 46-49), included by
kzreg.producers.api.

    /producers/contracts/{id}              the contract, its years with the check of
                                           Art 48(2), breaches, the term of Art 48-1(3),
                                           the offset terms of Art 49
    /producers/contracts/{id}/year         (POST) what the customer accepted in a year
    /producers/contracts/{id}/termination  (POST) a negative pilot-batch test (Art 47(8))

A party sees its own contracts, officers and auditors all; another BIN gets "not found".
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from kzreg.law.errors import KzregError
from kzreg.producers import contracts_service
from kzreg.producers.pages import page
from kzreg.web.auth import DB, PageActor, Visitor, VisitorDep, csrf_protected

router = APIRouter()
CSRF = Annotated[Visitor, Depends(csrf_protected)]


def _context(db, actor, contract_id: int, **extra: Any) -> dict[str, Any]:
    return {**contracts_service.contract_view(db, actor, contract_id), "error": None, **extra}


@router.get("/producers/contracts/{contract_id}", response_class=HTMLResponse,
            include_in_schema=False)
def contract_page(contract_id: int, request: Request, db: DB, visitor: VisitorDep,
                  actor: PageActor) -> Response:
    return page(request, visitor, "contract.html", _context(db, actor, contract_id))


async def _post(request: Request, db, visitor, actor, contract_id: int, run) -> Response:
    form = await request.form()
    try:
        run(form)
    except KzregError as exc:
        db.rollback()
        return page(request, visitor, "contract.html",
                    _context(db, actor, contract_id, error=exc), status_code=422)
    return RedirectResponse(f"/producers/contracts/{contract_id}", status_code=303)


@router.post("/producers/contracts/{contract_id}/year", response_class=HTMLResponse,
             include_in_schema=False)
async def contract_year(contract_id: int, request: Request, db: DB, visitor: CSRF,
                        actor: PageActor) -> Response:
    def run(form) -> None:
        from kzreg.law.errors import InputError

        year = str(form.get("year") or "")
        if not year.isdigit():
            raise InputError("choose the year", field="year")
        contracts_service.record_year(db, actor, contract_id, year=int(year),
                                      accepted=str(form.get("accepted") or ""),
                                      supplier_performed=not form.get("supplier_failed"))
    return await _post(request, db, visitor, actor, contract_id, run)


@router.post("/producers/contracts/{contract_id}/termination", response_class=HTMLResponse,
             include_in_schema=False)
async def contract_termination(contract_id: int, request: Request, db: DB, visitor: CSRF,
                               actor: PageActor) -> Response:
    def run(form) -> None:
        contracts_service.terminate(db, actor, contract_id,
                                    ground=str(form.get("ground") or ""))
    return await _post(request, db, visitor, actor, contract_id, run)
