"""Who is asking: bearer tokens for the API, session cookies for the browser, CSRF, roles.

Sessions are kept server-side (`web_sessions`): the cookie is a random id whose hash is
stored, so logging out, deactivating a user or changing a password ends the session at
once — a signed cookie could not be revoked before it expires. The session row also holds
the CSRF synchronizer token that every state-changing form (and any cookie-authenticated
API call, as `X-CSRF-Token`) must echo. Before sign-in (the login form, the language
switch) a signed double-submit token protects the form: an HMAC of a random cookie.

Bearer-token requests carry no cookie, so cross-site forgery cannot ride on them; they
need no CSRF token.

Rooms are closed to roles they do not serve: a signed-in actor whose role is not among a
room's roles (`web/rooms.py`; administrators and auditors enter every room) gets 403 on
every page under `/<room>/` and API path under `/api/<room>/`, whatever the room's own
code checks. The room's public routes (that take no actor) stay open.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from kzreg.platform.actors import Actor, Role
from kzreg.platform.config import get_config
from kzreg.platform.db import unit_of_work
from kzreg.platform.users import (
    SESSION_TTL,
    User,
    actor_from_token,
    resume_web_session,
)
from kzreg.web import i18n
from kzreg.web.problems import LoginRequired, Problem
from kzreg.web.rooms import get_room

SESSION_COOKIE = "kzreg_session"
ANON_COOKIE = "kzreg_anon"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

bearer_scheme = HTTPBearer(auto_error=False, description="`kzreg token issue NAME` prints one")


def get_db() -> Iterator[Session]:
    """One transaction per request: committed when the handler succeeds."""
    with unit_of_work() as session:
        yield session


# scope="function": the transaction commits before the response is sent, so a 2xx means
# stored (with the default scope FastAPI sends first; a kill -9 in between lost the write)
DB = Annotated[Session, Depends(get_db, scope="function")]


@dataclass
class Visitor:
    """The person behind a request, if any, and what the page needs to know about them."""

    actor: Actor | None
    display_name: str | None       # plain data: error pages outlive the request's session
    via: str | None            # "session", "token" or None
    csrf: str                  # the token this visitor's forms must send back
    language: str
    anon_cookie: str | None = None  # a new pre-sign-in cookie to set on the response

    @property
    def signed_in(self) -> bool:
        return self.actor is not None


def _anon_token(cookie: str) -> str:
    key = get_config().secret_key.encode()
    return hmac.new(key, b"kzreg-csrf:" + cookie.encode(), hashlib.sha256).hexdigest()


def secure_cookies(request: Request) -> bool:
    """Cookies are `Secure` when the site is reached over https (also behind a proxy that
    says so: `kzreg serve` trusts X-Forwarded-Proto from the configured proxies)."""
    return request.url.scheme == "https"


def set_cookie(request: Request, response: Response, name: str, value: str, *,
               max_age: int | None = None, http_only: bool = True) -> None:
    response.set_cookie(name, value, max_age=max_age, path="/", httponly=http_only,
                        samesite="lax", secure=secure_cookies(request))


def _resolve(request: Request, db: Session,
             credentials: HTTPAuthorizationCredentials | None) -> Visitor:
    user: User | None = None
    actor = via = None
    csrf = ""
    if credentials is not None:
        actor = actor_from_token(db, credentials.credentials)
        if actor is None:
            raise Problem(401, "unauthorized", "the bearer token is unknown, expired or "
                          "revoked", headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})
        user = db.get(User, actor.user_id)
        via = "token"
    else:
        found = resume_web_session(db, request.cookies.get(SESSION_COOKIE, ""))
        if found is not None:
            user, web_session = found
            actor, via, csrf = user.actor(), "session", web_session.csrf_token
    anon_cookie = None
    if not csrf:
        cookie = request.cookies.get(ANON_COOKIE, "")
        if len(cookie) < 20:
            cookie = anon_cookie = secrets.token_urlsafe(24)
        csrf = _anon_token(cookie)
    language = i18n.choose_language(request.cookies.get(i18n.COOKIE),
                                    user.language if user is not None else None,
                                    request.headers.get("accept-language"))
    name = (user.full_name or user.username) if user is not None else None
    return Visitor(actor, name, via, csrf, language, anon_cookie)


def get_visitor(request: Request, db: DB,
                credentials: Annotated[HTTPAuthorizationCredentials | None,
                                       Depends(bearer_scheme)] = None) -> Visitor:
    visitor = getattr(request.state, "visitor", None)
    if visitor is None:
        visitor = _resolve(request, db, credentials)
        request.state.visitor = visitor
    return visitor


def visitor_for_errors(request: Request) -> Visitor:
    """Error pages must not depend on the database: take what the request already knew."""
    visitor = getattr(request.state, "visitor", None)
    if visitor is not None:
        return visitor
    language = i18n.choose_language(request.cookies.get(i18n.COOKIE), None,
                                    request.headers.get("accept-language"))
    return Visitor(None, None, None, "", language)


async def check_csrf(request: Request, visitor: Visitor) -> None:
    """Refuse a state-changing request from a browser that does not echo its CSRF token."""
    if request.method in SAFE_METHODS or visitor.via == "token":
        return
    sent = request.headers.get(CSRF_HEADER, "")
    if not sent and "form" in request.headers.get("content-type", ""):
        form = await request.form()  # Starlette caches it: the handler's Form() still works
        value = form.get(CSRF_FIELD)
        sent = value if isinstance(value, str) else ""
    if visitor.anon_cookie is not None or not sent or not hmac.compare_digest(
            sent.encode(), visitor.csrf.encode()):
        raise Problem(403, "csrf", "missing or stale CSRF token; reload the form",
                      field=CSRF_FIELD)


async def csrf_protected(request: Request,
                         visitor: Annotated[Visitor, Depends(get_visitor)]) -> Visitor:
    await check_csrf(request, visitor)
    return visitor


def room_gate(path: str, actor: Actor) -> None:
    """403 when `path` lies in a room (`/<room>/…`, `/api/<room>/…`) not open to the role."""
    parts = path.split("/")
    name = parts[2] if len(parts) > 2 and parts[1] == "api" else parts[1]
    room = get_room(name) if len(parts) > 2 else None
    if room is not None and not room.visible_to(actor.role):
        raise Problem(403, "forbidden",
                      f"the role {actor.role.value} has no access to the {room.name} room")


def page_actor(request: Request, visitor: Annotated[Visitor, Depends(get_visitor)]) -> Actor:
    """A page for signed-in people: anonymous browsers go to the login page."""
    if visitor.actor is None:
        raise LoginRequired()
    room_gate(request.url.path, visitor.actor)
    return visitor.actor


async def api_actor(request: Request,
                    visitor: Annotated[Visitor, Depends(get_visitor)]) -> Actor:
    """An API call needs a bearer token (or a browser session plus its CSRF token)."""
    if visitor.actor is None:
        raise Problem(401, "unauthorized", "sign in or send `Authorization: Bearer <token>`",
                      headers={"WWW-Authenticate": "Bearer"})
    await check_csrf(request, visitor)
    room_gate(request.url.path, visitor.actor)
    return visitor.actor


# What a route asks for: the signed-in actor of an API call, or of a page.
ApiActor = Annotated[Actor, Depends(api_actor)]
PageActor = Annotated[Actor, Depends(page_actor)]
VisitorDep = Annotated[Visitor, Depends(get_visitor)]  # signed in or not


def require_roles(*roles: Role) -> Callable[..., Actor]:
    """An API dependency admitting only `roles` (403 for others)."""
    allowed = frozenset(roles)

    def dependency(actor: Annotated[Actor, Depends(api_actor)]) -> Actor:
        if actor.role not in allowed:
            raise Problem(403, "forbidden", f"the role {actor.role.value} may not do this")
        return actor

    return dependency


def writer(actor: Annotated[Actor, Depends(api_actor)]) -> Actor:
    """Any role that may change something: auditors read only."""
    if actor.read_only:
        raise Problem(403, "forbidden", "auditors have read-only access")
    return actor


SESSION_MAX_AGE = int(SESSION_TTL.total_seconds())


def case_in_scope(case_id: int, db: DB, actor: ApiActor) -> int:
    """The `{case_id}` of a route, checked before the request body is: a case outside the
    caller's scope is "not found" (404), the same answer as for no case at all, whatever
    the body holds."""
    from kzreg.platform.cases import get_case_for

    get_case_for(db, actor, case_id)
    return case_id


CaseId = Annotated[int, Depends(case_in_scope)]


def page_case_in_scope(case_id: int, db: DB, actor: PageActor) -> int:
    """A page's `{case_id}`: a case outside the visitor's scope is "not found", before any
    other check (the answer for someone else's case is the answer for no case)."""
    from kzreg.platform.cases import get_case_for

    get_case_for(db, actor, case_id)
    return case_id


PageCaseId = Annotated[int, Depends(page_case_in_scope)]
