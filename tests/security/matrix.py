"""The role x endpoint matrix: reading `access_matrix.yaml`, deriving each cell's expected
answer by the rules written there, and asking the real application as each principal.

Kept apart from the test module so that a person classifying a new route can call
`observe(world, route, principal)` on a world from `world.build` and see the answers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from kzreg.platform.actors import Role
from kzreg.web.problems import PROBLEM_JSON
from kzreg.web.rooms import get_room
from security.world import PRINCIPALS, SIGNED_OUT, Credentials, World

MATRIX_FILE = Path(__file__).with_name("access_matrix.yaml")
PASS = "pass"      # through every gate: neither 401, 403, 404, a login redirect nor a 5xx
LOGIN = "login"    # a page sends the browser to /login?next=<the page>
SCOPED_PARAMS = {"case_id", "escort_id", "document_id", "notice_id", "bin", "seal_number",
                 # defense (Law 236-VI) and producers (Law 86-VII) records
                 "order_id", "line_id", "selection_id", "app_id", "req_id", "holding_id",
                 "reclamation_id", "use_id", "report_id", "prototype_id", "contract_id",
                 "agreement_id"}
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


@cache
def matrix() -> dict[str, Any]:
    return yaml.safe_load(MATRIX_FILE.read_text(encoding="utf-8"))


def is_api(path: str) -> bool:
    return path.startswith("/api/") or path in ("/health", "/openapi.json")


def room_of(path: str):
    parts = path.split("/")
    name = parts[2] if len(parts) > 2 and parts[1] == "api" else parts[1]
    return get_room(name) if len(parts) > 2 else None


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    spec: dict[str, Any] = field(hash=False, compare=False)

    @property
    def key(self) -> str:
        return f"{self.method} {self.path}"

    @property
    def params(self) -> dict[str, Any]:
        room = room_of(self.path)
        found = dict(matrix()["defaults"]["params"])
        if room is not None:
            found.update((matrix().get("rooms") or {}).get(room.name, {}).get("params", {}))
        found.update(self.spec.get("params") or {})
        return found

    @property
    def room_roles(self) -> frozenset[Role] | None:
        """The room's own gate (`rooms.<room>.roles`), unless the route names its roles."""
        room = room_of(self.path)
        found = (matrix().get("rooms") or {}).get(room.name, {}).get("roles") if room else None
        return _roles(found) if "roles" not in self.spec else None

    @property
    def roles(self) -> frozenset[Role] | None:
        """The roles that may act here, checked after scope; None: every one."""
        return _roles(self.spec.get("roles"))

    @property
    def scoped(self) -> int | None:
        """What a tenant of another BIN / office / clearance gets where its role passes."""
        if "scoped" in self.spec:
            return self.spec["scoped"] or None
        names = set(re.findall(r"{(\w+)", self.path))
        return 404 if names & SCOPED_PARAMS else None


def _roles(names: Any) -> frozenset[Role] | None:
    return None if names in (None, "any") else frozenset(Role(r) for r in names)


def routes() -> list[Route]:
    return [Route(*key.split(" ", 1), spec=spec or {})
            for key, spec in matrix()["routes"].items()]


def expected(route: Route, principal: str) -> int | str:
    """The answer the matrix's rules give for this cell (the rules are listed, in this
    order, at the top of access_matrix.yaml)."""
    spec = route.spec
    if "public" in spec:
        return spec["public"]
    if principal in SIGNED_OUT:
        return spec.get("signed_out", 401 if is_api(route.path) else LOGIN)
    role = Role(PRINCIPALS[principal][0])
    room = room_of(route.path)
    if room is not None and not room.visible_to(role):
        return 403
    gate = route.room_roles
    if gate is not None and role not in gate and role is not Role.AUDITOR:
        return 403
    if role is Role.AUDITOR and "auditor" in spec:
        return spec["auditor"]
    viewers = spec.get("viewers")
    if viewers is not None and role is not Role.AUDITOR and role.value not in viewers:
        return 404
    refused = _refused(route, role)
    if spec.get("role_first") and refused is not None:
        return refused
    if principal.startswith(("other_", "low_")) and route.scoped:
        return route.scoped
    if refused is not None:
        return refused
    if spec.get("body_first"):
        return 422
    if role is Role.AUDITOR and route.method in WRITE_METHODS and not spec.get("reads"):
        return 403
    ok = spec.get("ok", 200 if route.method == "GET" else PASS)
    return ok.get(role.value, ok["*"]) if isinstance(ok, dict) else ok


def _refused(route: Route, role: Role) -> int | str | None:
    """The answer of the `roles` rule to a role that may not act here (None: it may)."""
    roles = route.roles
    if roles is not None and role not in roles and role is not Role.AUDITOR:
        return route.spec.get("deny", 403)
    return None


def holes() -> dict[tuple[str, str], str]:
    """(route key, principal) -> the hole that makes the cell fail today."""
    found = {}
    for hole in matrix().get("holes") or ():
        for key in hole["routes"]:
            for principal in hole["principals"]:
                found[(key, principal)] = f"HOLE: {hole['why']} FIX: {hole['fix']}"
    return found


def _value(world: World, value: Any) -> Any:
    if isinstance(value, str) and value.startswith("$"):
        return world.subjects[value[1:]]
    return value


def _values(world: World, data: Any) -> Any:
    """A body or form with its top-level `$name` values replaced by things of the world."""
    return {k: _value(world, v) for k, v in data.items()} if isinstance(data, dict) else data


def url_of(world: World, route: Route) -> str:
    params = route.params
    return re.sub(r"{(\w+)(?::\w+)?}", lambda m: str(_value(world, params[m.group(1)])),
                  route.path)


def observe(world: World, route: Route, principal: str):
    """Ask the application as this principal would: bearer token for the API, the session
    cookie (and its CSRF token on forms) for pages."""
    creds: Credentials = world.creds[principal]
    if route.spec.get("session") == "fresh" and creds.user_id is not None:
        creds = _fresh_session(creds)  # the route ends the session it is called with
    url = url_of(world, route) + (f"?{route.spec['query']}" if "query" in route.spec else "")
    headers: dict[str, str] = {}
    cookies: dict[str, str] = {}
    api = is_api(route.path)
    if api and creds.token:
        headers["Authorization"] = f"Bearer {creds.token}"
    if not api and creds.cookie:
        cookies["kzreg_session"] = creds.cookie
    kwargs: dict[str, Any] = {}
    if route.method in WRITE_METHODS:
        if api:
            kwargs["json"] = _values(world, route.spec.get("body", {}))
        else:
            csrf = creds.csrf
            if csrf is None:  # not signed in: the pre-sign-in token of the login form
                csrf, anon = _anonymous_csrf(world, cookies)
                cookies["kzreg_anon"] = anon
            kwargs["data"] = {**_values(world, route.spec.get("form") or {}),
                              "csrf_token": csrf}
    world.client.cookies.clear()  # each request carries exactly this principal's cookies
    if cookies:
        headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
    if route.spec.get("stream"):
        return stream_start(world.app, route.method, url, headers)
    return world.client.request(route.method, url, headers=headers, follow_redirects=False,
                                **kwargs)


def _fresh_session(creds: Credentials) -> Credentials:
    from kzreg.platform.db import unit_of_work
    from kzreg.platform.users import start_web_session

    with unit_of_work() as s:
        cookie, csrf = start_web_session(s, creds.user_id)
    return Credentials(creds.token, creds.user_id, cookie, csrf)


def _anonymous_csrf(world: World, cookies: dict[str, str]) -> tuple[str, str]:
    cookie = "; ".join(f"{k}={v}" for k, v in cookies.items())
    world.client.cookies.clear()
    page = world.client.get("/login", headers={"Cookie": cookie} if cookie else {})
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    return token, page.cookies["kzreg_anon"]


def verdict(route: Route, response, want: int | str) -> str | None:
    """None when the response is the expected answer; otherwise what is wrong."""
    status = response.status_code
    location = response.headers.get("location", "")
    got = f"{status} {location or response.text[:160]!r}"
    if want == LOGIN:
        if status == 303 and location.startswith("/login?next="):
            return None
        return f"expected a redirect to the login page, got {got}"
    if want == PASS:
        denied = status in (401, 403, 404) or status >= 500 or location.startswith("/login")
        return f"expected to pass every gate, got {got}" if denied else None
    if status != want:
        return f"expected {want}, got {got}"
    if is_api(route.path) and status in (401, 403, 404):
        if not response.headers.get("content-type", "").startswith(PROBLEM_JSON):
            return f"a {status} of the API must be problem+json, got {got}"
        if status == 401 and "Bearer" not in response.headers.get("www-authenticate", ""):
            return "a 401 must say WWW-Authenticate: Bearer"
    return None


@dataclass
class StreamStart:
    """The status and headers of an endless response (Server-Sent Events)."""

    status_code: int
    headers: dict[str, str]
    text: str = ""


def stream_start(app: Any, method: str, url: str, headers: dict[str, str]) -> StreamStart:
    """Call the ASGI app directly and hang up once the response has started: an event
    stream never ends on its own, and the test client would wait for its end."""
    import anyio

    path, _, query = url.partition("?")
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
             "method": method, "scheme": "http", "path": path, "raw_path": path.encode(),
             "query_string": query.encode(), "root_path": "", "server": ("testserver", 80),
             "client": ("testclient", 50000),
             "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()]}
    started = anyio.Event()
    result: dict[str, Any] = {}

    async def receive() -> dict[str, Any]:
        if not result.get("asked"):
            result["asked"] = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await started.wait()
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            result["status"] = message["status"]
            result["headers"] = {k.decode(): v.decode() for k, v in message["headers"]}
            started.set()
        elif message["type"] == "http.response.body" and "status" in result:
            result["body"] = result.get("body", b"") + message.get("body", b"")

    async def run() -> None:
        with anyio.fail_after(20):
            await app(scope, receive, send)

    anyio.run(run)
    return StreamStart(result["status"], result["headers"],
                       result.get("body", b"").decode("utf-8", "replace"))
