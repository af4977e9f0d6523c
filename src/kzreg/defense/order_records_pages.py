"""The pages of the order's further records (Law 236-VI), under /defense/: the lists
deciding what is bought within the order (Art 19 p.1 part 3, p.2 parts 2-3), the tasks
communicated to contractors (Art 6-1 sub 13, Art 25 sub 4), reserve refresh transfers
(Art 20 p.3) and prototypes up to their introduction into service (Art 21 p.8, Art 7
sub 11-13). Forms carry the CSRF token; what is shown went through the services' secrecy
filter (Art 25 sub 3)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from kzreg.defense import list_service, prototype_service, task_service
from kzreg.defense import reserve_transfer_service as transfers
from kzreg.defense.order_pages import Posted, _form, _model, _page
from kzreg.law.errors import InputError
from kzreg.web.auth import DB, PageActor, VisitorDep

router = APIRouter()


@router.get("/defense/lists", response_class=HTMLResponse, include_in_schema=False)
def lists_page(request: Request, db: DB, visitor: VisitorDep, actor: PageActor) -> Response:
    return _page(request, visitor, "order_lists.html", rows=list_service.lists_view(db, actor),
                 transfers=transfers.transfers_view(db, actor))


@router.post("/defense/lists", include_in_schema=False)
async def record_list(request: Request, db: DB, visitor: Posted, actor: PageActor) -> Response:
    """Items one a line: "category; nomenclature"."""
    f = await _form(request)
    items = []
    for n, text in enumerate(p for p in f.get("items", "").splitlines() if p.strip()):
        category, sep, name = text.partition(";")
        if not sep or not name.strip():
            raise InputError("one item a line: category; nomenclature", field=f"items[{n}]")
        items.append({"category": category.strip(), "nomenclature": name.strip()})
    list_service.record_list(db, actor, _model(list_service.ItemListIn, {
        **f, "items": items, "agreement_ref": f.get("agreement_ref") or None,
        "agreed_on": f.get("agreed_on") or None, "secrecy_level": f.get("secrecy_level") or 0}))
    return RedirectResponse("/defense/lists", status_code=303)


@router.post("/defense/lines/{line_id}/reserve-transfer", include_in_schema=False)
async def record_transfer(line_id: int, request: Request, db: DB, visitor: Posted,
                          actor: PageActor) -> Response:
    f = await _form(request)
    transfers.record_transfer(db, actor, line_id, _model(transfers.TransferIn, f))
    return RedirectResponse(f"/defense/lines/{line_id}/selection", status_code=303)


@router.get("/defense/tasks", response_class=HTMLResponse, include_in_schema=False)
def tasks_page(request: Request, db: DB, visitor: VisitorDep, actor: PageActor) -> Response:
    return _page(request, visitor, "order_tasks.html", rows=task_service.tasks_view(db, actor))


@router.post("/defense/orders/{order_id}/lines/{ref}/task", include_in_schema=False)
async def communicate_task(order_id: int, ref: str, request: Request, db: DB, visitor: Posted,
                           actor: PageActor) -> Response:
    f = await _form(request)
    task_service.communicate_task(db, actor, order_id, ref, _model(task_service.TaskIn, f))
    return RedirectResponse(f"/defense/orders/{order_id}#order-versions", status_code=303)


@router.get("/defense/prototypes", response_class=HTMLResponse, include_in_schema=False)
def prototypes_page(request: Request, db: DB, visitor: VisitorDep,
                    actor: PageActor) -> Response:
    return _page(request, visitor, "order_prototypes.html",
                 rows=prototype_service.prototypes_view(db, actor))


@router.post("/defense/prototypes", include_in_schema=False)
async def record_prototype(request: Request, db: DB, visitor: Posted,
                           actor: PageActor) -> Response:
    f = await _form(request)
    prototype_service.record_prototype(db, actor, _model(prototype_service.PrototypeIn, {
        **f, "secrecy_level": f.get("secrecy_level") or 0}))
    return RedirectResponse("/defense/prototypes", status_code=303)


@router.post("/defense/prototypes/{prototype_id}/{step}", include_in_schema=False)
async def prototype_step(prototype_id: int, step: str, request: Request, db: DB,
                         visitor: Posted, actor: PageActor) -> Response:
    f = await _form(request)
    passed = {"yes": True, "no": False}.get(f.get("passed", ""))
    prototype_service.prototype_step(db, actor, prototype_id, step, _model(
        prototype_service.PrototypeStepIn, {"on": f.get("on"), "text": f.get("text", ""),
                                            "testing_rules": f.get("testing_rules") or None,
                                            "passed": passed}))
    return RedirectResponse("/defense/prototypes", status_code=303)
