"""The application factory: `create_app()` builds the API and the web workplace.

    uvicorn --factory kzreg.web:create_app     (or `kzreg serve`)

The database comes from the configuration at request time (`KZREG_DATABASE_URL`), so one
factory serves any deployment. Static files, the API docs' scripts and the translations
are all shipped inside Python packages: nothing is fetched from another host.
"""

from __future__ import annotations

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
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app
