"""The workplace's own pages: login, logout, dashboard, inbox, language, API docs, errors.

Sign-in is throttled (`kzreg.platform.throttle`): after repeated failures the account name
and the client address are locked for a while and the form answers 429 with Retry-After.
A wrong name and a wrong password get the same answer, and so do their lockouts.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from kzreg.platform import audit
from kzreg.platform.users import end_web_session, sign_in, start_web_session
from kzreg.web import adapters, i18n
from kzreg.web.auth import (
    ANON_COOKIE,
    DB,
    SESSION_COOKIE,
    SESSION_MAX_AGE,
    PageActor,
    Visitor,
    VisitorDep,
    csrf_protected,
    set_cookie,
)
from kzreg.web.i18n import N_
from kzreg.web.problems import PROBLEM_TYPES
from kzreg.web.rooms import ROOMS, get_room
from kzreg.web.templating import render, translator

router = APIRouter(include_in_schema=False)
LOCKED_MESSAGE = N_("Too many failed sign-ins. Sign-in is paused for %(minutes)s min; "
                    "try again later or ask an administrator.")


def safe_next(target: str | None) -> str:
    """Only a local path may follow sign-in: no open redirect to another site."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, visitor: VisitorDep, next: str = "/") -> Response:
    if visitor.signed_in:
        return RedirectResponse(safe_next(next), status_code=303)
    return render(request, "login.html", {"next": safe_next(next), "error": None},
                  visitor=visitor)


@router.post("/login", response_class=HTMLResponse)
def login(request: Request, db: DB, visitor: Annotated[Visitor, Depends(csrf_protected)],
          username: Annotated[str, Form()] = "", password: Annotated[str, Form()] = "",
          next: Annotated[str, Form()] = "/") -> Response:
    address = request.client.host if request.client else None
    result = sign_in(db, username, password, address=address) if username else None
    if result is not None and result.locked_until is not None:
        seconds = (result.locked_until - dt.datetime.now(dt.UTC)).total_seconds()
        minutes = max(1, -(-int(seconds) // 60))
        message = translator(visitor.language)(LOCKED_MESSAGE, minutes=minutes)
        return render(request, "login.html",
                      {"next": safe_next(next), "username": username, "error": message},
                      status_code=429, headers={"Retry-After": str(minutes * 60)},
                      visitor=visitor)
    actor = result.actor if result is not None else None
    if actor is None or actor.user_id is None:
        return render(request, "login.html",
                      {"next": safe_next(next), "username": username,
                       "error": N_("Wrong username or password.")},
                      status_code=401, visitor=visitor)
    cookie, _csrf = start_web_session(db, actor.user_id)
    audit.append(db, actor=actor, action="user.signed_in", data={"via": "web"})
    response = RedirectResponse(safe_next(next), status_code=303)
    set_cookie(request, response, SESSION_COOKIE, cookie, max_age=SESSION_MAX_AGE)
    response.delete_cookie(ANON_COOKIE, path="/")
    return response


@router.post("/logout")
def logout(request: Request, db: DB,
           visitor: Annotated[Visitor, Depends(csrf_protected)]) -> Response:
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        end_web_session(db, cookie)
    if visitor.actor is not None:
        audit.append(db, actor=visitor.actor, action="user.signed_out", data={"via": "web"})
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/language/{language}")
def switch_language(request: Request, language: str, next: str = "/") -> Response:
    """Choose the page language (a cookie; it only changes how pages are shown)."""
    response = RedirectResponse(safe_next(next), status_code=303)
    if language in i18n.LANGUAGES:
        set_cookie(request, response, i18n.COOKIE, language, max_age=365 * 24 * 3600,
                   http_only=False)
    return response


@router.get("/", response_class=HTMLResponse)
def dashboard(request: Request, db: DB, visitor: VisitorDep, actor: PageActor) -> Response:
    rooms = [{"room": room, "available": room.name in request.app.state.mounted_rooms}
             for room in ROOMS if room.visible_to(actor.role)]
    tasks = adapters.open_tasks(db, actor)
    return render(request, "dashboard.html", {
        "rooms": rooms, "tasks": tasks, "unread": adapters.unread_count(db, actor),
        "now": dt.datetime.now(dt.UTC),
    }, visitor=visitor)


@router.get("/inbox", response_class=HTMLResponse)
def inbox_page(request: Request, db: DB, visitor: VisitorDep, actor: PageActor) -> Response:
    return render(request, "inbox.html", {"notices": adapters.recent_notices(db, actor)},
                  visitor=visitor)


@router.post("/inbox/{notice_id}/acknowledge")
def acknowledge_notice(notice_id: int, db: DB,
                       visitor: Annotated[Visitor, Depends(csrf_protected)],
                       actor: PageActor) -> Response:
    """Record that the person took note of a notice (acts set hours for some of them)."""
    from kzreg.platform.notifications import acknowledge

    acknowledge(db, actor.user_id, notice_id)
    return RedirectResponse("/inbox", status_code=303)


def room_placeholder(name: str):
    """The page a room shows until its module lands."""

    def page(request: Request, visitor: VisitorDep, actor: PageActor) -> Response:
        room = get_room(name)
        return render(request, "room_unavailable.html", {"room": room}, visitor=visitor)

    return page


@router.get("/problems/{slug}", response_class=HTMLResponse)
def problem_type(request: Request, slug: str) -> Response:
    kind = PROBLEM_TYPES.get(slug)
    if kind is None:
        from starlette.exceptions import HTTPException

        raise HTTPException(404)
    return render(request, "problem_type.html", {"kind": kind})


@router.get("/docs", response_class=HTMLResponse)
def api_docs(request: Request) -> Response:
    """Swagger UI from files shipped in a Python package: no CDN, works offline."""
    return render(request, "docs.html", {"openapi_url": request.app.openapi_url})


def render_error(request: Request, body: dict[str, Any],
                 headers: dict[str, str] | None = None) -> Response:
    """An error page in the visitor's language, with the header they know."""
    visitor = getattr(request.state, "visitor", None)
    if visitor is None:
        visitor = _visitor_without_failing(request)
    status = int(body.get("status", 500))
    if status == 401 and visitor is not None and not visitor.signed_in:
        target = quote(request.url.path, safe="/")
        return RedirectResponse(f"/login?next={target}", status_code=303)
    return render(request, "error.html", {"problem": body}, status_code=status,
                  headers=headers, visitor=visitor)


def _visitor_without_failing(request: Request) -> Visitor | None:
    """Resolve the visitor for an error page; if even that fails, show it anonymously."""
    try:
        from kzreg.platform.db import unit_of_work
        from kzreg.web.auth import _resolve

        with unit_of_work() as session:
            return _resolve(request, session, None)
    except Exception:
        return None
