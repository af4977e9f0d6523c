"""Errors as `application/problem+json` (RFC 9457) for the API, as pages for people.

Every problem has `type`, `title`, `status`, `detail`; `field` when one input is at fault
and `basis` (the clause) when a legal rule refused. The `type` is a relative URI under
`/problems/`, answered by a page that says what the problem means. A 500 never shows a
traceback: it is logged with an id the user can quote.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from kzreg.law.errors import (
    Conflict,
    Forbidden,
    InputError,
    KzregError,
    LegalRuleError,
    NotFound,
    NotInForce,
)
from kzreg.web.i18n import N_

log = logging.getLogger("kzreg.web")

PROBLEM_JSON = "application/problem+json"


@dataclass(frozen=True)
class ProblemType:
    slug: str
    title: str  # English message id
    explanation: str


PROBLEM_TYPES: dict[str, ProblemType] = {p.slug: p for p in (
    ProblemType("invalid-input", N_("Invalid input"),
                N_("A value in the request is missing, malformed or out of range; "
                   "`field` names it.")),
    ProblemType("legal-rule", N_("Refused by a legal rule"),
                N_("The request is well-formed, but a condition of the act refuses it; "
                   "`basis` cites the clause.")),
    ProblemType("conflict", N_("Conflict"),
                N_("The record changed meanwhile or is in a state that does not allow this; "
                   "reload it and try again.")),
    ProblemType("not-in-force", N_("Not in force"),
                N_("The act or parameter asked for has no value on the date asked for.")),
    ProblemType("not-found", N_("Not found"),
                N_("Nothing with this identifier exists that you may see.")),
    ProblemType("unauthorized", N_("Sign-in required"),
                N_("Send a bearer token (`Authorization: Bearer …`) or sign in.")),
    ProblemType("forbidden", N_("Not permitted"),
                N_("Your role does not allow this action.")),
    ProblemType("csrf", N_("Form expired"),
                N_("The form's security token is missing or stale; reload the page and "
                   "send it again.")),
    ProblemType("http", N_("Request failed"), N_("The request could not be served.")),
    ProblemType("unavailable", N_("Temporarily unavailable"),
                N_("The database cannot be reached or written just now; nothing was "
                   "changed. Try again after `Retry-After` seconds.")),
    ProblemType("internal", N_("Internal error"),
                N_("Something went wrong on our side; quote the error id to support.")),
)}


class Problem(Exception):
    """An HTTP error raised by the web layer itself (authentication, roles, CSRF)."""

    def __init__(self, status: int, slug: str, detail: str, *, field: str | None = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.slug = slug
        self.detail = detail
        self.field = field
        self.headers = headers or {}


class LoginRequired(Exception):
    """A page needs a signed-in user: the browser is sent to the login page."""


def problem_body(status: int, slug: str, detail: str, *, field: str | None = None,
                 basis: Any = None, title: str | None = None, **extra: Any) -> dict[str, Any]:
    kind = PROBLEM_TYPES.get(slug, PROBLEM_TYPES["http"])
    body: dict[str, Any] = {"type": f"/problems/{kind.slug}", "title": title or kind.title,
                            "status": status, "detail": detail}
    if field:
        body["field"] = field
    if basis is not None:
        body["basis"] = basis
    body.update(extra)
    return body


def classify(exc: KzregError) -> tuple[int, str]:
    if isinstance(exc, NotFound):
        return 404, "not-found"
    if isinstance(exc, Forbidden):
        return 403, "forbidden"
    if isinstance(exc, Conflict):
        return 409, "conflict"
    if isinstance(exc, LegalRuleError):
        return 409, "legal-rule"
    if isinstance(exc, NotInForce):
        return 422, "not-in-force"
    if isinstance(exc, InputError):
        return 422, "invalid-input"
    return 400, "http"


def wants_json(request: Request) -> bool:
    """API clients get problem+json; browsers on pages get an HTML page."""
    path = request.url.path
    if path.startswith("/api/") or path in ("/api", "/health", "/openapi.json"):
        return True
    accept = request.headers.get("accept", "")
    return "json" in accept and "text/html" not in accept


def _respond(request: Request, body: dict[str, Any],
             headers: dict[str, str] | None = None) -> Response:
    if wants_json(request):
        return JSONResponse(body, status_code=body["status"], media_type=PROBLEM_JSON,
                            headers=headers)
    from kzreg.web.pages import render_error  # pages import this module; import late

    return render_error(request, body, headers=headers)


async def on_kzreg_error(request: Request, exc: KzregError) -> Response:
    status, slug = classify(exc)
    basis = exc.citation.to_dict() if exc.citation is not None else None
    return _respond(request, problem_body(status, slug, exc.message, field=exc.field,
                                          basis=basis))


async def on_problem(request: Request, exc: Problem) -> Response:
    return _respond(request, problem_body(exc.status, exc.slug, exc.detail, field=exc.field),
                    exc.headers)


async def on_login_required(request: Request, exc: LoginRequired) -> Response:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    from urllib.parse import quote

    return RedirectResponse(f"/login?next={quote(target, safe='/')}", status_code=303)


def _location(loc: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(p) for p in loc]
    if parts and parts[0] in ("body", "query", "path", "header", "cookie", "form"):
        parts = parts[1:] or parts
    return ".".join(parts) or "input"


async def on_validation_error(request: Request, exc: RequestValidationError) -> Response:
    errors = [{"field": _location(e.get("loc", ())), "message": e.get("msg", "")}
              for e in exc.errors()]
    first = errors[0] if errors else {"field": "input", "message": "invalid input"}
    return _respond(request, problem_body(422, "invalid-input", first["message"],
                                          field=first["field"], errors=errors))


_STATUS_SLUG = {401: "unauthorized", 403: "forbidden", 404: "not-found"}


async def on_http_error(request: Request, exc: StarletteHTTPException) -> Response:
    slug = _STATUS_SLUG.get(exc.status_code, "http")
    detail = exc.detail if isinstance(exc.detail, str) else "request failed"
    if exc.status_code == 404 and detail == "Not Found":
        detail = "no such page or resource"
    return _respond(request, problem_body(exc.status_code, slug, detail),
                    getattr(exc, "headers", None))


async def on_out_of_range(request: Request, exc: OverflowError) -> Response:
    """A number too large for the database or the arithmetic (an id of 2**63 in a path, a
    count beyond int64): the request is at fault, not the server, whichever field it was."""
    log.warning("number out of range on %s %s: %s", request.method, request.url.path, exc)
    return _respond(request, problem_body(422, "invalid-input",
                                          "a number in the request is out of range",
                                          field="input"))


RETRY_AFTER_SECONDS = 30


async def on_database_unavailable(request: Request, exc: OperationalError) -> Response:
    """The database is down, read-only or full: the client may retry, the transaction was
    rolled back (found by the fault tests, which saw these answered as internal errors)."""
    error_id = secrets.token_hex(6)
    log.error("database unavailable %s on %s %s: %s", error_id, request.method,
              request.url.path, exc.orig if exc.orig is not None else exc)
    return _respond(request, problem_body(503, "unavailable",
                                          f"the database is unavailable; error id {error_id}",
                                          error_id=error_id),
                    {"Retry-After": str(RETRY_AFTER_SECONDS)})


async def on_unexpected(request: Request, exc: Exception) -> Response:
    error_id = secrets.token_hex(6)
    log.error("internal error %s on %s %s", error_id, request.method, request.url.path,
              exc_info=exc)
    return _respond(request, problem_body(500, "internal",
                                          f"internal error; error id {error_id}",
                                          error_id=error_id))


def install(app: Any) -> None:
    app.add_exception_handler(KzregError, on_kzreg_error)
    app.add_exception_handler(Problem, on_problem)
    app.add_exception_handler(LoginRequired, on_login_required)
    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.add_exception_handler(StarletteHTTPException, on_http_error)
    app.add_exception_handler(OverflowError, on_out_of_range)
    app.add_exception_handler(OperationalError, on_database_unavailable)
    app.add_exception_handler(Exception, on_unexpected)
