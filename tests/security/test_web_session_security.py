"""Browser-session security through HTTP: cookie flags (and Secure behind https, also via
a trusted proxy's X-Forwarded-Proto), CSRF on every cookie-authenticated state change,
the security headers on pages, API and static files, sessions that end on logout,
password change and deactivation, and tokens that expire."""

from __future__ import annotations

import datetime as dt
import re
from http.cookies import SimpleCookie

import pytest
from fastapi.testclient import TestClient

from kzreg.platform.db import unit_of_work
from kzreg.platform.users import create_user, issue_token, set_active, set_password
from kzreg.web import create_app

PW = "correct horse battery"


@pytest.fixture
def app(sqlite_db):
    with unit_of_work() as s:
        create_user(s, "maker", "manufacturer", PW, bin="150340012340")
    return create_app()


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def sign_in(client: TestClient, password: str = PW):
    form = client.get("/login")
    return client.post("/login", data={"username": "maker", "password": password,
                                       "csrf_token": csrf_of(form.text), "next": "/"},
                       follow_redirects=False)


def set_cookie_attributes(response, name: str) -> dict[str, str | bool]:
    for header in response.headers.get_list("set-cookie"):
        if header.startswith(f"{name}="):
            parts = [p.strip() for p in header.split(";")[1:]]
            return {p.split("=", 1)[0].lower(): (p.split("=", 1)[1] if "=" in p else True)
                    for p in parts}
    raise AssertionError(f"no Set-Cookie for {name}")


# --- cookies ------------------------------------------------------------------------------

def test_session_cookie_is_httponly_samesite_and_not_secure_over_http(app):
    client = TestClient(app)
    attributes = set_cookie_attributes(sign_in(client), "kzreg_session")
    assert attributes.get("httponly") is True
    assert str(attributes.get("samesite")).lower() == "lax"
    assert attributes.get("path") == "/"
    assert "secure" not in attributes          # plain http (development): no Secure flag
    assert int(attributes["max-age"]) == 12 * 3600


def test_session_cookie_is_secure_over_https(app):
    client = TestClient(app, base_url="https://kzreg.example")
    attributes = set_cookie_attributes(sign_in(client), "kzreg_session")
    assert attributes.get("secure") is True and attributes.get("httponly") is True


def test_behind_a_trusted_proxy_x_forwarded_proto_makes_cookies_secure(app):
    """`kzreg serve` runs uvicorn with proxy headers from the configured proxies."""
    from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

    trusted = TestClient(ProxyHeadersMiddleware(app, trusted_hosts=["testclient"]),
                         headers={"X-Forwarded-Proto": "https"})
    assert set_cookie_attributes(trusted.get("/login"), "kzreg_anon").get("secure") is True
    untrusted = TestClient(ProxyHeadersMiddleware(app, trusted_hosts=["10.1.1.1"]),
                           headers={"X-Forwarded-Proto": "https"})
    assert "secure" not in set_cookie_attributes(untrusted.get("/login"), "kzreg_anon")


def test_the_pre_sign_in_cookie_is_httponly_too(app):
    response = TestClient(app).get("/login")
    attributes = set_cookie_attributes(response, "kzreg_anon")
    assert attributes.get("httponly") is True and str(attributes["samesite"]).lower() == "lax"


# --- CSRF ---------------------------------------------------------------------------------

def test_cookie_authenticated_api_writes_need_the_csrf_header(app):
    client = TestClient(app)
    sign_in(client)
    page = client.get("/")
    token = csrf_of(page.text)
    body = {"vehicle": "car", "claims": []}
    refused = client.post("/api/assembly/score", json=body)
    assert refused.status_code == 403 and refused.json()["type"] == "/problems/csrf"
    forged = client.post("/api/assembly/score", json=body, headers={"X-CSRF-Token": "x" * 43})
    assert forged.status_code == 403
    accepted = client.post("/api/assembly/score", json=body, headers={"X-CSRF-Token": token})
    assert accepted.status_code not in (401, 403)
    assert client.get("/api/me").status_code == 200   # reading needs no token


def test_page_forms_need_the_csrf_field(app):
    client = TestClient(app)
    sign_in(client)
    assert client.post("/logout", follow_redirects=False).status_code == 403
    assert client.post("/assembly/calculator", data={"vehicle": "car"}).status_code == 403
    assert client.get("/api/me").status_code == 200    # still signed in: nothing happened
    token = csrf_of(client.get("/").text)
    out = client.post("/logout", data={"csrf_token": token}, follow_redirects=False)
    assert out.status_code == 303


def test_the_login_form_needs_its_csrf_token(app):
    client = TestClient(app)
    client.get("/login")
    response = client.post("/login", data={"username": "maker", "password": PW},
                           follow_redirects=False)
    assert response.status_code == 403 and "kzreg_session" not in response.cookies


def test_the_csrf_token_of_another_session_is_refused(app):
    first, second = TestClient(app), TestClient(app)
    sign_in(first)
    sign_in(second)
    theirs = csrf_of(first.get("/").text)
    response = second.post("/api/assembly/score", json={"vehicle": "car", "claims": []},
                           headers={"X-CSRF-Token": theirs})
    assert response.status_code == 403


def test_bearer_calls_need_no_csrf_token(app):
    with unit_of_work() as s:
        token = issue_token(s, "maker")
    response = TestClient(app).post("/api/assembly/score",
                                    json={"vehicle": "car", "claims": []},
                                    headers={"Authorization": f"Bearer {token}"})
    assert response.status_code not in (401, 403)


# --- headers ------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/login", "/api/me", "/health", "/openapi.json",
                                  "/static/kzreg.css", "/no-such-page", "/api/no-such"])
def test_security_headers_everywhere(app, path):
    response = TestClient(app, raise_server_exceptions=False).get(path)
    headers = response.headers
    csp = headers["content-security-policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "script-src 'self'" in csp and "unsafe-eval" not in csp
    assert "object-src 'none'" in csp
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    assert headers["referrer-policy"] == "same-origin"
    assert headers["cross-origin-opener-policy"] == "same-origin"
    if path.startswith("/static/"):
        assert response.status_code == 200
    else:
        assert headers["cache-control"] == "no-store"  # personal data is never cached


# --- sessions end -------------------------------------------------------------------------

def _session_cookie(response) -> str:
    jar = SimpleCookie()
    for header in response.headers.get_list("set-cookie"):
        jar.load(header)
    return jar["kzreg_session"].value


def _signed_in_with(app, cookie: str) -> bool:
    client = TestClient(app)
    client.cookies.set("kzreg_session", cookie)
    return client.get("/inbox", follow_redirects=False).status_code == 200


def test_logout_ends_the_session_on_the_server(app):
    client = TestClient(app)
    cookie = _session_cookie(sign_in(client))
    client.post("/logout", data={"csrf_token": csrf_of(client.get("/").text)})
    assert not _signed_in_with(app, cookie)   # a copy of the cookie is worthless now


@pytest.mark.parametrize("change", ["password", "deactivation"])
def test_password_change_and_deactivation_end_sessions_and_tokens(app, change):
    client = TestClient(app)
    cookie = _session_cookie(sign_in(client))
    with unit_of_work() as s:
        token = issue_token(s, "maker")
    assert _signed_in_with(app, cookie)
    with unit_of_work() as s:
        if change == "password":
            set_password(s, "maker", "another long password")
        else:
            set_active(s, "maker", False)
    assert not _signed_in_with(app, cookie)
    api = TestClient(app).get("/api/me", headers={"Authorization": f"Bearer {token}"})
    if change == "deactivation":
        assert api.status_code == 401
    else:  # a token is the script's own credential: a password change leaves it
        assert api.status_code == 200


def test_tokens_expire(app):
    with unit_of_work() as s:
        old = issue_token(s, "maker", ttl=dt.timedelta(days=90),
                          at=dt.datetime.now(dt.UTC) - dt.timedelta(days=91))
        fresh = issue_token(s, "maker")
    client = TestClient(app)
    expired = client.get("/api/me", headers={"Authorization": f"Bearer {old}"})
    assert expired.status_code == 401
    assert 'error="invalid_token"' in expired.headers["www-authenticate"]
    assert client.get("/api/me", headers={"Authorization": f"Bearer {fresh}"}).status_code \
        == 200


def test_an_idle_session_ends(app):
    from kzreg.platform.users import get_user, start_web_session

    with unit_of_work() as s:
        idle, _ = start_web_session(s, get_user(s, "maker").id,
                                    at=dt.datetime.now(dt.UTC) - dt.timedelta(hours=3))
    assert not _signed_in_with(app, idle)
