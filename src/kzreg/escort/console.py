"""The national operator's 24/7 console and the officers' and carriers' views of it.

Order 407 §11: the operator tracks the activated seals around the clock and reports the
non-routine situations (§3(8)) to both offices within an hour; §10: the officer checks that
the seal's signals arrive. The page `/escort/console` shows the active seals with the age
of their last signal, a map (offline Kazakhstan basemap, routes with their corridors,
tracks, last positions), the open situations with their notice deadline, and the devices
the pipeline quarantined. It updates itself from `/api/escort/live`, a Server-Sent Events
stream fed by polling the tables (`console_data.changes`), which works the same on SQLite
and PostgreSQL and across processes (the listeners may run in another one).

Who sees what is `console_data.scoped`; acknowledging a situation (operator) is recorded
in the audit log, acknowledging one's own §11 notice (officers) goes through the platform's
notices. The escort room's `api.py` includes this router.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from collections.abc import AsyncIterator
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response, StreamingResponse
from fastapi.security import HTTPAuthorizationCredentials

from kzreg.escort import console_data as data
from kzreg.escort._law import rules
from kzreg.law.errors import NotFound
from kzreg.platform import audit
from kzreg.platform.actors import Actor
from kzreg.platform.db import unit_of_work
from kzreg.tracking.models import TrackingSituation
from kzreg.web.auth import (
    DB,
    ApiActor,
    PageActor,
    Visitor,
    bearer_scheme,
    get_visitor,
)
from kzreg.web.i18n import N_
from kzreg.web.problems import Problem
from kzreg.web.templating import add_template_dir, render, translator

router = APIRouter()

TEMPLATES = Path(str(resources.files("kzreg.escort") / "templates"))
BASEMAP = Path(str(resources.files("kzreg.escort") / "data" / "basemap" / "kazakhstan.json"))
POLL_SECONDS = 1.0          # how often the live feed looks for stored data
HEARTBEAT_SECONDS = 15.0    # a comment line keeps proxies from closing a quiet stream
add_template_dir(str(TEMPLATES))

SITUATION_TITLES = {
    "signal_loss": N_("Signal lost for more than 3 hours"),
    "unauthorized_removal": N_("Seal opened or removed"),
    "route_deviation": N_("Left the route corridor"),
}


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _watcher(actor: Actor) -> Actor:
    if not data.may_watch(actor):
        raise Problem(403, "forbidden", f"the role {actor.role.value} has no tracking view")
    return actor


def page_watcher(actor: PageActor) -> Actor:
    return _watcher(actor)


def api_watcher(actor: ApiActor) -> Actor:
    return _watcher(actor)


@router.get("/escort/console", response_class=HTMLResponse, include_in_schema=False)
def console_page(request: Request, visitor: Annotated[Visitor, Depends(get_visitor)],
                 actor: Annotated[Actor, Depends(page_watcher)]) -> Response:
    _ = translator(visitor.language)
    return render(request, "console/console.html", {
        "situation_titles_translated": {k: _(v) for k, v in SITUATION_TITLES.items()},
        "basis_11": rules("§11").ref,
        "basis_3_8": rules("§3(8)").ref, "sees_quarantine": data.sees_quarantine(actor),
    }, visitor=visitor)


@router.get("/api/escort/console/state", tags=["escort"],
            summary="The console's picture: active seals, open situations, quarantine")
def console_state(db: DB, actor: Annotated[Actor, Depends(api_watcher)]) -> dict[str, Any]:
    return data.snapshot(db, actor, _now())


@router.get("/api/escort/console/seals/{seal_number}/track", tags=["escort"],
            summary="A seal's track since activation, thinned for the map")
def seal_track(seal_number: str, db: DB,
               actor: Annotated[Actor, Depends(api_watcher)]) -> dict[str, Any]:
    found = data.track(db, actor, seal_number)
    if found is None:
        raise NotFound(f"no active seal {seal_number} in your view", field="seal_number")
    return found


@router.post("/api/escort/console/situations/{situation_id}/acknowledge", tags=["escort"],
             summary="The operator takes a non-routine situation in hand (audited)")
def acknowledge_situation(situation_id: int, db: DB,
                          actor: Annotated[Actor, Depends(api_watcher)]) -> dict[str, Any]:
    if actor.read_only or actor.role not in data.ALL_SEALS:
        raise Problem(403, "forbidden", "only the national operator acknowledges situations "
                      "on the console; officers acknowledge their notices")
    situation = db.get(TrackingSituation, situation_id)
    if situation is None:
        raise NotFound(f"situation {situation_id} does not exist", field="situation_id")
    done = data.acknowledgements(db, [situation_id]).get(situation_id)
    if done is None:
        audit.append(db, actor=actor, action=data.ACK_ACTION, basis=rules("§11"),
                     data={"situation_id": situation_id, "seal": situation.seal,
                           "type": situation.type})
        done = {"by": actor.username, "at": _now().isoformat()}
    return {"situation_id": situation_id, "acknowledged": done}


@lru_cache(maxsize=1)
def _basemap_bytes() -> bytes:
    return BASEMAP.read_bytes()


@router.get("/api/escort/console/basemap", tags=["escort"],
            summary="The offline Kazakhstan basemap (GeoJSON; Natural Earth, GeoNames)",
            response_class=Response,
            responses={200: {"content": {"application/geo+json": {"schema": {"type": "object"}}}}})
def basemap() -> Response:
    return Response(_basemap_bytes(), media_type="application/geo+json",
                    headers={"cache-control": "public, max-age=86400"})


def _live_actor(request: Request, credentials: HTTPAuthorizationCredentials | None) -> Actor:
    """Resolve the visitor in a short transaction: the stream must not hold one open."""
    with unit_of_work() as session:
        visitor = get_visitor(request, session, credentials)
    if visitor.actor is None:
        raise Problem(401, "unauthorized", "sign in or send `Authorization: Bearer <token>`",
                      headers={"WWW-Authenticate": "Bearer"})
    return _watcher(visitor.actor)


def _poll(actor: Actor, mark: data.Watermark) -> list[tuple[str, dict[str, Any]]]:
    with unit_of_work() as session:
        return data.changes(session, actor, mark, _now())


async def _events(request: Request, actor: Actor, mark: data.Watermark,
                  poll_seconds: float) -> AsyncIterator[str]:
    yield f"retry: 2000\nid: {mark.token()}\nevent: hello\ndata: {{}}\n\n"
    quiet = 0.0
    while not await request.is_disconnected():
        await asyncio.sleep(poll_seconds)
        events = await run_in_threadpool(_poll, actor, mark)
        for name, payload in events:
            body = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
            yield f"id: {mark.token()}\nevent: {name}\ndata: {body}\n\n"
        quiet = 0.0 if events else quiet + poll_seconds
        if quiet >= HEARTBEAT_SECONDS:
            quiet = 0.0
            yield ": still here\n\n"


@router.get("/api/escort/live", tags=["escort"],
            summary="Live positions, situations and quarantine (text/event-stream)",
            response_class=StreamingResponse)
async def live(request: Request, after: str | None = None,
               credentials: Annotated[HTTPAuthorizationCredentials | None,
                                      Depends(bearer_scheme)] = None) -> StreamingResponse:
    """Server-Sent Events: `position`, `signal`, `situation`, `quarantine` and `seals`
    (the set of active seals changed). Resume with `?after=` the snapshot's watermark or
    the `Last-Event-ID` the browser sends after a reconnect."""
    actor = await run_in_threadpool(_live_actor, request, credentials)
    token = request.headers.get("last-event-id") or after
    mark = data.Watermark.parse(token)
    if mark is None:
        mark = await run_in_threadpool(_start_mark)
    poll = float(getattr(request.app.state, "escort_live_poll_seconds", POLL_SECONDS))
    return StreamingResponse(_events(request, actor, mark, poll),
                             media_type="text/event-stream",
                             headers={"cache-control": "no-store", "x-accel-buffering": "no"})


def _start_mark() -> data.Watermark:
    with unit_of_work() as session:
        return data.Watermark.start(session, _now())
