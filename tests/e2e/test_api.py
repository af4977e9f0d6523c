"""End to end through HTTP: login and CSRF, bearer tokens, problem+json, scopes, no CDN."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient

from kzreg.platform.actors import Role
from kzreg.platform.casetypes import CaseType, State, Transition, register_case_type
from kzreg.platform.db import unit_of_work
from kzreg.platform.users import create_user, issue_token
from kzreg.web import create_app
from kzreg.web.problems import PROBLEM_JSON

PW = "correct horse battery"
BIN_A = "150340012340"
BIN_B = "180840045211"

E2E_CASE = register_case_type(CaseType(
    name="e2e.application", title="E2E application",
    states=(State("submitted", "Submitted"), State("approved", "Approved", final=True)),
    transitions=(Transition("approve", "submitted", "approved",
                            roles=frozenset({Role.INDUSTRY_OFFICER, Role.MANUFACTURER})),),
), replace=True)


@pytest.fixture(autouse=True)
def fast_hashing(monkeypatch):
    from argon2 import PasswordHasher

    monkeypatch.setattr("kzreg.platform.users._hasher",
                        PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


def _people(session) -> dict[str, str]:
    create_user(session, "maker", "manufacturer", PW, bin=BIN_A)
    create_user(session, "maker2", "manufacturer", PW, bin=BIN_B)
    create_user(session, "officer", "industry_officer", PW)
    create_user(session, "auditor", "auditor", PW)
    return {name: issue_token(session, name) for name in ("maker", "maker2", "officer",
                                                           "auditor")}


@pytest.fixture
def site(sqlite_db):
    with unit_of_work() as s:
        tokens = _people(s)
    client = TestClient(create_app(), raise_server_exceptions=False)
    return client, tokens


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "the page has a CSRF field"
    return match.group(1)


def login(client: TestClient, username: str = "maker", password: str = PW):
    page = client.get("/login")
    return client.post("/login", data={"username": username, "password": password,
                                       "csrf_token": csrf_of(page.text), "next": "/"},
                       follow_redirects=False)


def assert_problem(response, status: int, field: str | None = None) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM_JSON)
    body = response.json()
    assert {"type", "title", "status", "detail"} <= set(body)
    assert body["status"] == status
    if field is not None:
        assert body.get("field") == field, body
    return body


# --- the system endpoints -----------------------------------------------------------------

def test_health_checks_the_database(site):
    client, _ = site
    response = client.get("/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok" and body["database"] == "ok" and body["version"]


def test_openapi_describes_the_api(site):
    client, _ = site
    spec = client.get("/openapi.json").json()
    assert spec["openapi"].startswith("3.")
    for path in ("/api/me", "/api/cases", "/api/cases/{case_id}",
                 "/api/cases/{case_id}/transitions/{name}", "/api/rules",
                 "/api/rules/{rule_id}/explain", "/health"):
        assert path in spec["paths"], path
    assert "Problem" in spec["components"]["schemas"]
    assert "HTTPBearer" in spec["components"]["securitySchemes"]


def _external_links(html: str) -> list[str]:
    urls = re.findall(r"""(?:src|href|action|url)\s*=\s*["']?(https?://[^"'\s>]+)""", html,
                      flags=re.I)
    urls += re.findall(r"https?://[^\s\"'<>)]+", html)
    return [u for u in urls if urlsplit(u).hostname not in ("testserver",)]


def test_no_page_references_another_host(site):
    client, _ = site
    anonymous = ["/login", "/docs", "/problems/not-found", "/no-such-page"]
    signed_in = ["/", "/inbox", "/escort/", "/assembly/", "/risk/", "/producers/",
                 "/defense/", "/no-such-page"]
    pages = [client.get(p) for p in anonymous]
    assert login(client).status_code == 303
    pages += [client.get(p) for p in signed_in]
    for page in pages:
        assert page.headers["content-type"].startswith("text/html"), page.url
        assert _external_links(page.text) == [], page.url
        for asset in re.findall(r'(?:src|href)="(/static/[^"]+)"', page.text):
            assert client.get(asset).status_code == 200, asset
    docs = client.get("/docs").text
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in docs
    assert "/openapi.json" in docs


def test_security_headers(site):
    client, _ = site
    response = client.get("/login")
    csp = response.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp and "default-src 'self'" in csp
    assert "http" not in csp  # no outside source allowed
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"]
    assert response.headers["cache-control"] == "no-store"


# --- login, sessions, CSRF ----------------------------------------------------------------

def test_login_sets_a_safe_session_cookie_and_shows_the_dashboard(site):
    client, _ = site
    assert client.get("/", follow_redirects=False).headers["location"].startswith("/login")
    response = login(client)
    assert response.status_code == 303 and response.headers["location"] == "/"
    cookie = next(c for c in response.headers.get_list("set-cookie")
                  if c.startswith("kzreg_session="))
    assert "HttpOnly" in cookie and "samesite=lax" in cookie.lower()
    dashboard = client.get("/")
    assert dashboard.status_code == 200
    assert "maker" in dashboard.text and BIN_A in dashboard.text
    assert client.get("/api/me").json()["username"] == "maker"


def test_wrong_password_gives_no_session(site):
    client, _ = site
    response = login(client, password="not the password")
    assert response.status_code == 401
    assert "kzreg_session" not in response.headers.get("set-cookie", "")
    assert client.get("/", follow_redirects=False).status_code == 303


def test_login_without_csrf_token_is_refused(site):
    client, _ = site
    client.get("/login")
    for token in (None, "forged-token"):
        data = {"username": "maker", "password": PW}
        if token:
            data["csrf_token"] = token
        response = client.post("/login", data=data, follow_redirects=False)
        assert response.status_code == 403
        assert "kzreg_session" not in response.headers.get("set-cookie", "")


def test_csrf_token_of_another_visitor_is_refused(site):
    client, _ = site
    other = TestClient(client.app)
    foreign = csrf_of(other.get("/login").text)
    client.get("/login")
    response = client.post("/login", data={"username": "maker", "password": PW,
                                            "csrf_token": foreign}, follow_redirects=False)
    assert response.status_code == 403


def test_logout_needs_the_session_csrf_token(site):
    client, _ = site
    login(client)
    assert client.post("/logout", data={}, follow_redirects=False).status_code == 403
    assert client.get("/", follow_redirects=False).status_code == 200   # still signed in
    token = csrf_of(client.get("/").text)
    assert client.post("/logout", data={"csrf_token": token},
                       follow_redirects=False).status_code == 303
    assert client.get("/", follow_redirects=False).status_code == 303   # signed out
    from kzreg.platform.audit import entries, verify

    with unit_of_work() as s:
        actions = [(e.actor, e.action) for e in entries(s)]
        assert ("maker", "user.signed_in") in actions
        assert ("maker", "user.signed_out") in actions
        assert verify(s).ok


def test_session_cookie_api_writes_need_the_csrf_header(site):
    client, _ = site
    login(client)
    response = client.post("/api/rules/law.id-check/explain", json={"number": BIN_A})
    assert_problem(response, 403, field="csrf_token")
    token = csrf_of(client.get("/").text)
    response = client.post("/api/rules/law.id-check/explain", json={"number": BIN_A},
                           headers={"X-CSRF-Token": token})
    assert response.status_code == 200


def test_open_redirect_after_login_is_refused(site):
    client, _ = site
    page = client.get("/login?next=//evil.example/")
    response = client.post("/login", data={"username": "maker", "password": PW,
                                            "csrf_token": csrf_of(page.text),
                                            "next": "//evil.example/"},
                           follow_redirects=False)
    assert response.headers["location"] == "/"


# --- bearer tokens and problems -----------------------------------------------------------

def test_api_needs_a_valid_token(site):
    client, tokens = site
    body = assert_problem(client.get("/api/me"), 401)
    assert body["type"] == "/problems/unauthorized"
    assert_problem(client.get("/api/me", headers=bearer("kzr_AAAAAAAA_" + "x" * 43)), 401)
    me = client.get("/api/me", headers=bearer(tokens["maker"])).json()
    assert me == {**me, "username": "maker", "role": "manufacturer", "bin": BIN_A}


def test_problem_json_names_the_field(site):
    client, tokens = site
    auth = bearer(tokens["maker"])
    # the rule's own input validation
    body = assert_problem(client.post("/api/rules/law.id-check/explain", json={},
                                      headers=auth), 422, field="number")
    assert body["type"] == "/problems/invalid-input"
    # FastAPI's request validation: path, query
    assert_problem(client.get("/api/cases/abc", headers=auth), 422, field="case_id")
    assert_problem(client.get("/api/cases?limit=0", headers=auth), 422, field="limit")
    assert_problem(client.post("/api/rules/law.id-check/explain?as_of=yesterday",
                               json={"number": BIN_A}, headers=auth), 422, field="as_of")
    # an unknown thing
    assert_problem(client.post("/api/rules/no.such/explain", json={}, headers=auth), 404,
                   field="rule_id")


def test_rules_run_with_their_explanation(site):
    client, tokens = site
    auth = bearer(tokens["maker"])
    rules = client.get("/api/rules", headers=auth).json()
    assert any(r["id"] == "law.id-check" for r in rules)
    result = client.post("/api/rules/law.id-check/explain?as_of=2025-01-15",
                         json={"number": BIN_A}, headers=auth).json()
    assert result["rule"] == "law.id-check" and result["as_of"] == "2025-01-15"
    assert result["trace"]


def test_internal_error_is_a_problem_without_traceback(site):
    client, tokens = site

    @client.app.get("/api/boom")
    def boom():
        raise RuntimeError("secret internals /etc/passwd")

    body = assert_problem(client.get("/api/boom", headers=bearer(tokens["maker"])), 500)
    assert "secret" not in str(body) and "Traceback" not in str(body)
    assert body["error_id"] in body["detail"]


def test_html_pages_get_html_errors(site):
    client, _ = site
    response = client.get("/no-such-page", headers={"Accept-Language": "ru"})
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "Не найдено" in response.text


# --- scope: cases of another company do not exist for you ---------------------------------

def _open_case(bin_: str) -> int:
    from kzreg.platform.cases import open_case

    with unit_of_work() as s:
        owner = next(u for u in _users(s) if u.bin == bin_)
        case = open_case(s, E2E_CASE, actor=owner.actor(), title=f"Application of {bin_}",
                         party_bins=[bin_])
        return case.id


def _users(session):
    from kzreg.platform.users import list_users

    return list_users(session)


def _case_id_routes(app) -> list[tuple[str, str]]:
    from kzreg.web.app import route_table

    return [(method, path) for method, path in route_table(app) if "{case_id" in path]


@pytest.fixture
def two_companies(db):
    with unit_of_work() as s:
        tokens = _people(s)
    client = TestClient(create_app(), raise_server_exceptions=False)
    return client, tokens, _open_case(BIN_A), _open_case(BIN_B)


def test_manufacturer_cannot_reach_another_manufacturers_case_anywhere(two_companies):
    client, tokens, case_a, case_b = two_companies
    routes = _case_id_routes(client.app)
    assert ("GET", "/api/cases/{case_id}") in routes
    assert ("POST", "/api/cases/{case_id}/transitions/{name}") in routes
    for token_name, foreign in (("maker2", case_a), ("maker", case_b)):
        # rooms' HTML pages answer API clients (Accept: json) with problem+json too
        auth = {**bearer(tokens[token_name]), "accept": "application/json"}
        for method, path in routes:
            url = re.sub(r"\{case_id(:[^}]*)?\}", str(foreign), path)
            url = re.sub(r"\{[^}]+\}", "approve", url)
            response = client.request(method, url, headers=auth, json={})
            missing = client.request(method, re.sub(str(foreign), "999999", url),
                                     headers=auth, json={})
            if response.status_code == 403:
                # a room closed to manufacturers (web.auth.room_gate) refuses before it
                # looks for the case: the same 403 whether the case exists or not
                assert_problem(response, 403)
                assert missing.status_code == 403
                assert response.json()["detail"] == missing.json()["detail"]
                continue
            body = assert_problem(response, 404)
            assert missing.status_code == 404
            # the answer for someone else's case is the answer for no case at all
            assert body["detail"].replace(str(foreign), "N") == \
                missing.json()["detail"].replace("999999", "N")
        listed = client.get("/api/cases", headers=auth).json()
        assert foreign not in [c["id"] for c in listed]
    # the case was not moved by any of those attempts
    own = client.get(f"/api/cases/{case_a}", headers=bearer(tokens["maker"])).json()
    assert own["state"] == "submitted"


def test_owner_reads_and_moves_own_case_auditor_only_reads(two_companies):
    client, tokens, case_a, _ = two_companies
    auth = bearer(tokens["maker"])
    listed = client.get("/api/cases", headers=auth).json()
    assert [c["id"] for c in listed] == [case_a]
    case = client.get(f"/api/cases/{case_a}", headers=auth).json()
    assert case["party_bins"] == [BIN_A]
    assert [t["name"] for t in case["transitions"]] == ["approve"]
    audit = bearer(tokens["auditor"])
    assert client.get(f"/api/cases/{case_a}", headers=audit).status_code == 200
    assert_problem(client.post(f"/api/cases/{case_a}/transitions/approve", headers=audit,
                               json={}), 403)
    assert_problem(client.post(f"/api/cases/{case_a}/transitions/reject", headers=auth,
                               json={}), 422, field="transition")
    moved = client.post(f"/api/cases/{case_a}/transitions/approve", headers=auth, json={})
    assert moved.status_code == 200 and moved.json()["state"] == "approved"
    events = client.get(f"/api/cases/{case_a}/events", headers=auth).json()
    assert [e["transition"] for e in events] == ["open", "approve"]


# --- languages ----------------------------------------------------------------------------

def test_language_from_header_cookie_and_profile(site):
    client, _ = site
    assert "Жұмыс орнына кіру" in client.get("/login", headers={"Accept-Language": "kk"}).text
    assert "Вход в рабочее место" in client.get("/login",
                                                headers={"Accept-Language": "ru-RU"}).text
    switched = client.get("/language/en?next=/login", follow_redirects=False)
    assert switched.headers["location"] == "/login"
    assert "Sign in to the workplace" in client.get("/login",
                                                   headers={"Accept-Language": "kk"}).text
    assert client.get("/language/en?next=https://evil.example/",
                      follow_redirects=False).headers["location"] == "/"


def test_profile_language_applies_without_a_cookie(site):
    client, _ = site
    with unit_of_work() as s:
        create_user(s, "qazaq", "inspector", PW, language="kk")
    login(client, "qazaq")
    page = client.get("/", headers={"Accept-Language": "en"})
    assert "Жұмыс үстелі" in page.text and 'lang="kk"' in page.text


# --- the inbox: acknowledging is a CSRF-protected form ------------------------------------

def test_acknowledge_a_notice(site):
    from kzreg.platform.notifications import inbox, notify
    from kzreg.platform.users import get_user

    client, _ = site
    with unit_of_work() as s:
        user_id = get_user(s, "maker").id
        notify(s, recipients=[user_id], subject="Draft agreement sent", body="Sign it",
               kind="task")
    login(client)
    page = client.get("/inbox")
    assert "Draft agreement sent" in page.text
    notice_id = int(re.search(r"/inbox/(\d+)/acknowledge", page.text).group(1))
    forged = client.post(f"/inbox/{notice_id}/acknowledge", data={"csrf_token": "x"},
                         follow_redirects=False)
    assert forged.status_code == 403
    done = client.post(f"/inbox/{notice_id}/acknowledge",
                       data={"csrf_token": csrf_of(page.text)}, follow_redirects=False)
    assert done.status_code == 303
    with unit_of_work() as s:
        assert inbox(s, user_id)[0].acknowledged_at is not None
    # somebody else's notice does not exist for you
    with unit_of_work() as s:
        other = notify(s, recipients=[get_user(s, "maker2").id], subject="x", body="y")[0].id
    response = client.post(f"/inbox/{other}/acknowledge",
                           data={"csrf_token": csrf_of(client.get("/inbox").text)},
                           follow_redirects=False)
    assert response.status_code == 404
