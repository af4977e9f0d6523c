"""The order's further records on the web (Law 236-VI), JSON under /api/defense/…: the first
heads' and special state bodies' lists (Art 19 p.1 part 3, p.2 parts 2-3), reserve refresh
transfers (Art 20 p.3), tasks communicated to contractors (Art 6-1 sub 13, Art 25 sub 4)
and prototypes (Art 21 p.8, Art 7 sub 11-13). Access and secrecy are the services'."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter

from kzreg.defense import list_service, prototype_service, task_service
from kzreg.defense import reserve_transfer_service as transfers
from kzreg.defense.order_service import reader, sees
from kzreg.law.calendar import local_date, now_utc
from kzreg.web.auth import DB, ApiActor

router = APIRouter()
TAGS = ["defense order"]
API = "/api/defense"


@router.get(f"{API}/item-lists", tags=TAGS,
            summary="The first heads' and special state bodies' lists (Art 19 p.1-2)")
def item_lists(db: DB, actor: ApiActor) -> dict:
    rows = list_service.lists_view(db, actor)
    return {"total": len(rows), "lists": rows}


@router.post(f"{API}/item-lists", tags=TAGS, status_code=201,
             summary="Record a list as approved (and agreed) (Art 19 p.1 part 3, p.2 part 2)")
def record_list(db: DB, actor: ApiActor, body: list_service.ItemListIn) -> dict:
    return list_service.list_json(list_service.record_list(db, actor, body))


@router.get(f"{API}/item-lists/check", tags=TAGS,
            summary="Is an item on the list deciding it on a date (Art 19 p.1-2)")
def item_on_list(db: DB, actor: ApiActor, state_body: str, category: str, nomenclature: str,
                 on: dt.date | None = None, special_state_body: bool = False) -> dict:
    reader(actor)
    day = on or local_date(now_utc())
    found = list_service.on_list(db, state_body, category, nomenclature, day,
                                 special_state_body=special_state_body)
    kind = list_service.SPECIAL_LIST if special_state_body else list_service.HEAD_LIST
    current = list_service.list_in_force(db, kind, state_body, day) if found is not None \
        else None
    return {"on": day.isoformat(), "on_list": found,
            "list": current.id if current and sees(actor, current.secrecy_level) else None,
            "basis": list_service.KINDS[kind] if found is not None else "Art 19 p.2 part 1"}


@router.get(f"{API}/reserve-transfers", tags=TAGS,
            summary="Reserve assets released for refresh transferred to recipients")
def reserve_transfers(db: DB, actor: ApiActor) -> dict:
    rows = transfers.transfers_view(db, actor)
    return {"total": len(rows), "transfers": rows}


@router.post(f"{API}/lines/{{line_id}}/reserve-transfer", tags=TAGS, status_code=201,
             summary="Decide the transfer of reserve assets for a draft line (Art 20 p.3)")
def record_transfer(line_id: int, db: DB, actor: ApiActor, body: transfers.TransferIn) -> dict:
    return transfers.transfer_json(transfers.record_transfer(db, actor, line_id, body))


@router.get(f"{API}/tasks", tags=TAGS,
            summary="Tasks communicated to contractors (a contractor: its own)")
def tasks(db: DB, actor: ApiActor, order_id: int | None = None) -> dict:
    rows = task_service.tasks_view(db, actor, order_id)
    return {"total": len(rows), "tasks": rows}


@router.post(f"{API}/orders/{{order_id}}/lines/{{ref}}/task", tags=TAGS, status_code=201,
             summary="Record the task of a line communicated to its contractor "
                     "(Art 6-1 sub 13, Art 25 sub 4)")
def communicate_task(order_id: int, ref: str, db: DB, actor: ApiActor,
                     body: task_service.TaskIn) -> dict:
    return task_service.notice_json(task_service.communicate_task(db, actor, order_id, ref,
                                                                  body))


@router.get(f"{API}/prototypes", tags=TAGS, summary="Prototypes and their adoption")
def prototypes(db: DB, actor: ApiActor) -> dict:
    rows = prototype_service.prototypes_view(db, actor)
    return {"total": len(rows), "prototypes": rows}


@router.post(f"{API}/prototypes", tags=TAGS, status_code=201,
             summary="A prototype made by design works in the order (Art 21 p.8)")
def record_prototype(db: DB, actor: ApiActor, body: prototype_service.PrototypeIn) -> dict:
    return prototype_service.prototype_json(prototype_service.record_prototype(db, actor, body))


@router.get(f"{API}/prototypes/{{prototype_id}}", tags=TAGS, summary="A prototype")
def read_prototype(prototype_id: int, db: DB, actor: ApiActor) -> dict:
    row = prototype_service.get_prototype(db, actor, prototype_id)
    return prototype_service.prototype_json(row)


@router.post(f"{API}/prototypes/{{prototype_id}}/{{step}}", tags=TAGS,
             summary="test (Art 7 sub 11, Art 6-1 sub 20), accept for service (Art 7 sub 13) "
                     "or reconcile the mass-production documents (Art 7 sub 12)")
def prototype_step(prototype_id: int, step: str, db: DB, actor: ApiActor,
                   body: prototype_service.PrototypeStepIn) -> dict:
    return prototype_service.prototype_step(db, actor, prototype_id, step, body)
