"""Shared fixtures: a fresh, migrated database on SQLite and on PostgreSQL.

`db` is parametrized over both engines. PostgreSQL is the server on localhost (the
project's machines run it; `scripts/setup-system.sh` starts it when stopped): each test
gets its own database, dropped afterwards. Where no server answers, PostgreSQL cases are
skipped on a developer's machine and fail in CI (CI=true), so CI never passes by skipping.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest

PG_ADMIN = os.environ.get("KZREG_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")


def _pg_admin():
    import psycopg

    return psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=3)


def _pg_available() -> bool:
    try:
        _pg_admin().close()
        return True
    except Exception:
        return False


@pytest.fixture(scope="session")
def pg_server() -> str:
    if not _pg_available():
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL not reachable at {PG_ADMIN} (CI requires it)")
        pytest.skip("PostgreSQL not reachable")
    return PG_ADMIN


def new_database_url(kind: str, tmp_path, request) -> Iterator[str]:
    if kind == "sqlite":
        yield f"sqlite:///{tmp_path / 'kzreg.db'}"
        return
    request.getfixturevalue("pg_server")
    name = f"kzreg_t_{uuid.uuid4().hex[:12]}"
    with _pg_admin() as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = PG_ADMIN.rsplit("/", 1)[0]
    try:
        yield f"postgresql+psycopg://{base.split('://', 1)[1]}/{name}"
    finally:
        from kzreg.platform.db import reset_engines

        reset_engines()
        with _pg_admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request, tmp_path) -> Iterator[str]:
    """A URL to a fresh empty database of each kind."""
    yield from new_database_url(request.param, tmp_path, request)


@pytest.fixture
def db(db_url, tmp_path, monkeypatch) -> Iterator[str]:
    """A fresh database migrated to head and made the default for the code under test."""
    from kzreg.platform.config import reset_config
    from kzreg.platform.db import reset_engines, upgrade

    monkeypatch.setenv("KZREG_DATABASE_URL", db_url)
    monkeypatch.setenv("KZREG_DATA_DIR", str(tmp_path / "data"))
    reset_config()
    reset_engines()
    upgrade(db_url)
    yield db_url
    reset_engines()
    reset_config()


@pytest.fixture
def sqlite_db(tmp_path, monkeypatch) -> Iterator[str]:
    """Only SQLite: for tests whose subject is not the database."""
    from kzreg.platform.config import reset_config
    from kzreg.platform.db import reset_engines, upgrade

    url = f"sqlite:///{tmp_path / 'kzreg.db'}"
    monkeypatch.setenv("KZREG_DATABASE_URL", url)
    monkeypatch.setenv("KZREG_DATA_DIR", str(tmp_path / "data"))
    reset_config()
    reset_engines()
    upgrade(url)
    yield url
    reset_engines()
    reset_config()
