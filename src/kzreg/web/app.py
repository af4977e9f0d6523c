"""The application factory: `create_app()` builds the API and the web workplace.

    uvicorn --factory kzreg.web:create_app     (or `kzreg serve`)

The database comes from the configuration at request time (`KZREG_DATABASE_URL`), so one
factory serves any deployment. Static files, the API docs' scripts and the translations
are all shipped inside Python packages: nothing is fetched from another host.
"""

from __future__ import annotations

import json
import logging
from importlib import resources
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy import inspect, text
from starlette.types import ASGIApp, Message, Receive, Scope, Send

import kzreg
from kzreg.platform.db import get_engine
from kzreg.web import api, pages, problems
from kzreg.web.rooms import ROOMS, load_router

log = logging.getLogger("kzreg.web")

CSP = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",   # Swagger UI sets style attributes
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
))
SECURITY_HEADERS = (
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
    (b"cross-origin-opener-policy", b"same-origin"),
)


class SecurityHeaders:
    """Adds the security headers to every response; pages are not cached (they show
    personal data), static files are."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = scope.get("path", "").startswith("/static/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers += [h for h in SECURITY_HEADERS if h[0] not in present]
                if not static and b"cache-control" not in present:
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


MAX_BODY_BYTES = 2 * 1024 * 1024   # the largest legitimate body (a batch to score) is far less
_API_BODY_TYPES = ("application/json", "application/problem+json", "application/geo+json")


def _problem(status: int, slug: str, detail: str, field: str) -> list[Message]:
    body = json.dumps(problems.problem_body(status, slug, detail, field=field)).encode()
    return [{"type": "http.response.start", "status": status,
             "headers": [(b"content-type", problems.PROBLEM_JSON.encode()),
                         (b"content-length", str(len(body)).encode())]},
            {"type": "http.response.body", "body": body}]


class InputLimits:
    """Limits on what a request may carry, answered as problem+json before any route runs:
    a body beyond MAX_BODY_BYTES is 413 (also one sent without a length, counted as it
    arrives), a body of another type than JSON to the API is 415, and a NUL character in
    the path or query is 422 (PostgreSQL text cannot hold it; SQLite cuts the text there)."""

    def __init__(self, app: ASGIApp, max_bytes: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        refusal = self._refusal(scope)
        if refusal:
            for message in refusal:
                await send(message)
            return
        if scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        seen, refused = 0, False

        async def counted() -> Message:
            nonlocal seen, refused
            message = await receive()
            if message["type"] == "http.request" and not refused:
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    refused = True
                    for answer in _problem(413, "http", f"the request body exceeds "
                                           f"{self.max_bytes} bytes", "body"):
                        await send(answer)
                    return {"type": "http.disconnect"}
            return message

        async def unless_refused(message: Message) -> None:
            if not refused:
                await send(message)

        try:
            await self.app(scope, counted, unless_refused)
        except Exception:
            if not refused:  # the app's reaction to the cut-off body is not an error
                raise

    def _refusal(self, scope: Scope) -> list[Message] | None:
        query = scope.get("query_string", b"").lower()
        if "\x00" in scope.get("path", "") or b"%00" in query or b"\x00" in query:
            return _problem(422, "invalid-input", "a NUL character is not allowed in a "
                            "request", "query" if b"00" in query else "path")
        if scope["method"] in ("GET", "HEAD", "OPTIONS"):
            return None
        headers = dict(scope.get("headers") or ())
        length = headers.get(b"content-length", b"").decode("latin-1").strip()
        kind = headers.get(b"content-type", b"").decode("latin-1").split(";")[0].strip().lower()
        if length and (not length.isdigit() or int(length) > self.max_bytes):
            return _problem(413, "http", f"the request body exceeds {self.max_bytes} bytes",
                            "body")
        if scope.get("path", "").startswith("/api/") and kind and kind not in _API_BODY_TYPES:
            return _problem(415, "http", f"the API reads application/json, not {kind}",
                            "content-type")
        return None


def _swagger_dir() -> Path:
    """Swagger UI's files as shipped by the `fastapi-offline` package."""
    return Path(str(resources.files("fastapi_offline") / "static"))


def database_status() -> tuple[bool, str]:
    """("ok") when the database answers and is migrated; a short reason otherwise."""
    try:
        engine = get_engine()
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
            if not inspect(conn).has_table("alembic_version"):
                return False, "not migrated (run `kzreg db upgrade`)"
        return True, "ok"
    except Exception as exc:  # the health check reports, it does not raise
        log.warning("health: database unavailable: %s", exc)
        return False, "unavailable"


def route_table(app: FastAPI) -> list[tuple[str, str]]:
    """(method, path) of every route, also those of included routers (which newer FastAPI
    versions keep nested)."""
    try:
        from fastapi.routing import iter_route_contexts
        contexts: list[Any] = list(iter_route_contexts(app.routes))
    except ImportError:  # older FastAPI: included routes are copied flat into app.routes
        contexts = list(app.routes)
    table = []
    for route in contexts:
        path = getattr(route, "path_format", None) or getattr(route, "path", None)
        for method in sorted(getattr(route, "methods", None) or ()):
            if path and method not in ("HEAD", "OPTIONS"):
                table.append((method, path))
    return table


# The errors any API operation may answer, all as problem+json (kzreg.web.problems): the
# schema says so for every operation, so clients (and schemathesis) can rely on it.
PROBLEM_STATUSES = {
    "400": "malformed request", "401": "no valid bearer token or session",
    "403": "your role may not do this", "404": "not found (or outside your scope)",
    "409": "refused by a legal rule, or a conflicting state",
    "413": "request body too large", "415": "unsupported media type",
    "422": "invalid input; `field` names it"}


def document_problems(schema: dict[str, Any]) -> None:
    """Declare the problem+json errors on every /api operation, in place of FastAPI's
    default 422 (`HTTPValidationError`), which kzreg never sends."""
    schema["components"]["schemas"].pop("HTTPValidationError", None)
    schema["components"]["schemas"].pop("ValidationError", None)
    problem = {api.PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}
    for path, item in schema.get("paths", {}).items():
        if not path.startswith("/api/"):
            continue
        for operation in item.values():
            responses = operation.setdefault("responses", {})
            for status, description in PROBLEM_STATUSES.items():
                declared = responses.get(status)
                if declared is None or "HTTPValidationError" in str(declared):
                    responses[status] = {"description": description, "content": problem}


def create_app() -> FastAPI:
    app = FastAPI(
        title="kzreg",
        version=kzreg.__version__,
        summary="Regulatory information system for five legal acts of the Republic of "
                "Kazakhstan",
        description="Every decision carries its legal basis. Errors are "
                    "`application/problem+json` (RFC 9457) naming the `field` at fault and, "
                    "for legal refusals, the `basis`. Authenticate with "
                    "`Authorization: Bearer <token>` (`kzreg token issue NAME`).",
        docs_url=None, redoc_url=None, openapi_url="/openapi.json",
    )
    app.add_middleware(InputLimits)
    app.add_middleware(SecurityHeaders)
    problems.install(app)

    static = Path(str(resources.files("kzreg.web") / "static"))
    app.mount("/static/vendor/swagger-ui", StaticFiles(directory=_swagger_dir()),
              name="swagger-ui")
    app.mount("/static", StaticFiles(directory=static), name="static")

    @app.get("/health", tags=["system"], summary="Liveness and database check")
    def health() -> JSONResponse:
        ok, status = database_status()
        return JSONResponse({"status": "ok" if ok else "degraded", "database": status,
                             "version": kzreg.__version__}, status_code=200 if ok else 503)

    app.include_router(api.router)
    app.include_router(pages.router)

    mounted: set[str] = set()
    for room in ROOMS:
        router = load_router(room)
        if router is not None:
            app.include_router(router)
            mounted.add(room.name)
        else:
            app.add_api_route(room.path, pages.room_placeholder(room.name), methods=["GET"],
                              include_in_schema=False)
    app.state.mounted_rooms = frozenset(mounted)

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(title=app.title, version=app.version, summary=app.summary,
                                 description=app.description, routes=app.routes)
            schemas = schema.setdefault("components", {}).setdefault("schemas", {})
            schemas["Problem"] = api.Problem.model_json_schema(
                ref_template="#/components/schemas/{model}")
            document_problems(schema)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app
