"""Secrets stay out of the repository and out of the logs.

The repository holds no private key, no issued token and no password but the documented
demo one (`kzreg-demo`); tests may create their own throwaway accounts. The logs (and the
audit trail) of sign-ins and token calls never contain the password or the token.
"""

from __future__ import annotations

import logging
import os
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from kzreg.platform.demo import DEMO_PASSWORD

ROOT = Path(__file__).resolve().parents[2]
SKIP_DIRS = {".venv", "var", "build", "dist", "__pycache__", ".git", ".pytest_cache",
             ".ruff_cache", ".hypothesis", "test-artifacts", "node_modules"}  # .gitignore
SECRET_FILES = re.compile(r"^(secret\.key|\.env(\..+)?|id_(rsa|dsa|ecdsa|ed25519)|.+\.(pem|p12"
                          r"|pfx|key))$")
NEVER = {  # what a secret looks like, wherever it is
    "private key": re.compile(r"-----BEGIN (?:[A-Z]+ )*PRIVATE KEY-----"),
    "kzreg token": re.compile(r"\bkzr_[A-Za-z0-9]{8}_[A-Za-z0-9_-]{20,}"),
    "AWS key": re.compile(r"\bAKIA[0-9A-Z]{16}\b"),
    "GitHub token": re.compile(r"\bgh[pousr]_[A-Za-z0-9]{36}\b"),
    "Slack token": re.compile(r"\bxox[abprs]-[A-Za-z0-9-]{10,}"),
    "secret key value": re.compile(r"SECRET_KEY\s*[=:]\s*['\"]?[A-Za-z0-9_\-+/]{16,}"),
}
ASSIGNED = re.compile(r"""(?i)\b(?:password|passwd|pwd|secret|api_?key|token)\b["']?\s*[:=]"""
                      r"""\s*["']([^"'\n]{8,})["']""")  # shorter: a name, e.g. SECRET = "secret"


def repository_files() -> list[Path]:
    found = []
    for folder, dirs, files in os.walk(ROOT):
        dirs[:] = [d for d in dirs if d not in SKIP_DIRS and not d.endswith(".egg-info")]
        found += [Path(folder, name) for name in files]
    return found


def text_of(path: Path) -> str | None:
    if path.stat().st_size > 5_000_000:
        return None
    try:
        return path.read_text(encoding="utf-8")
    except (UnicodeDecodeError, OSError):
        return None


def test_no_key_or_environment_file_in_the_repository():
    offending = [str(p.relative_to(ROOT)) for p in repository_files()
                 if SECRET_FILES.match(p.name)]
    assert not offending, f"secret-looking files in the repository: {offending}"


def test_no_secret_looking_string_in_the_repository():
    found = []
    for path in repository_files():
        text = text_of(path)
        if text is None:
            continue
        for kind, pattern in NEVER.items():
            for match in pattern.finditer(text):
                found.append(f"{path.relative_to(ROOT)}: {kind}: {match.group(0)[:40]}")
    assert not found, "\n".join(found)


def test_the_only_password_outside_the_tests_is_the_demo_one():
    found = []
    for path in repository_files():
        relative = path.relative_to(ROOT)
        if relative.parts[0] == "tests":
            continue  # fixtures create their own throwaway accounts
        text = text_of(path)
        for match in ASSIGNED.finditer(text or ""):
            if match.group(1) != DEMO_PASSWORD:
                found.append(f"{relative}: {match.group(0)[:60]}")
    assert not found, "passwords or keys written into the code:\n" + "\n".join(found)


def test_the_scan_finds_what_it_looks_for(tmp_path):
    """The patterns are not dead: each catches a planted example."""
    planted = {
        "private key": "-----BEGIN RSA " + "PRIVATE KEY-----",
        "kzreg token": "kzr_Ab3dEf7h_" + "x" * 43,
        "AWS key": "AKIA" + "ABCDEFGHIJKLMNOP",
        "secret key value": "KZREG_SECRET_KEY=" + "s3cr3t" * 4,
    }
    for kind, sample in planted.items():
        assert NEVER[kind].search(f"x = '{sample}'"), kind
    assert ASSIGNED.search('password = "hunter2hunter2"').group(1) == "hunter2hunter2"
    assert SECRET_FILES.match("secret.key") and SECRET_FILES.match(".env")


# --- logs ---------------------------------------------------------------------------------

@pytest.fixture
def signed_up(sqlite_db):
    from kzreg.platform.db import unit_of_work
    from kzreg.platform.users import create_user, issue_token

    password = "Zq-unique-password-7731"
    with unit_of_work() as s:
        create_user(s, "maker", "manufacturer", password, bin="150340012340")
        token = issue_token(s, "maker")
    return password, token


def test_logs_and_audit_of_sign_in_and_token_calls_hold_no_secret(signed_up, caplog):
    from sqlalchemy import select

    from kzreg.platform.audit import AuditEntry
    from kzreg.platform.db import unit_of_work
    from kzreg.web import create_app

    password, token = signed_up
    caplog.set_level(logging.DEBUG)
    client = TestClient(create_app(), raise_server_exceptions=False)
    for attempt in (password + "-wrong", password + "-wrong", password):
        client.cookies.clear()
        form = client.get("/login").text
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
        client.post("/login", data={"username": "maker", "password": attempt,
                                    "csrf_token": csrf})
    bearer = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/me", headers=bearer).status_code == 200
    client.get("/api/me", headers={"Authorization": f"Bearer {token}x"})  # a refused one
    client.post("/api/cases/1/transitions/x", headers=bearer, json={"password": password})
    logged = "\n".join(f"{r.getMessage()} {r.args!r} {r.exc_text or ''}"
                       for r in caplog.records)
    assert caplog.records, "the requests were logged at all"
    secret_part = token.split("_", 2)[2]
    assert password not in logged and secret_part not in logged
    with unit_of_work() as s:
        trail = " ".join(e.data for e in s.scalars(select(AuditEntry)))
    assert password not in trail and secret_part not in trail
