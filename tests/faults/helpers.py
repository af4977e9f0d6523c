"""What the fault tests share: `kzreg` as a subprocess, a second empty database of the
same kind, free ports, waiting, and a table-by-table snapshot of a database."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import MetaData, create_engine, select

TESTS = Path(__file__).resolve().parents[1]
PG_ADMIN = os.environ.get("KZREG_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")


def kzreg_env(db_url: str, **extra: str) -> dict[str, str]:
    env = dict(os.environ, KZREG_DATABASE_URL=db_url, **extra)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(TESTS), env.get("PYTHONPATH")]))
    env["KZREG_EXTRA_MODULES"] = "support.sample_case"   # the tests' sample case type
    return env


def kzreg(db_url: str, *args: str, timeout: float = 120, **extra: str):
    """Run `kzreg ARGS` against `db_url`; the CompletedProcess (text)."""
    return subprocess.run([sys.executable, "-m", "kzreg.cli", *args],
                          env=kzreg_env(db_url, **extra), capture_output=True, text=True,
                          timeout=timeout)


def spawn(db_url: str, *args: str, log: Path, **extra: str) -> subprocess.Popen:
    """Start `kzreg ARGS` in the background, its output in `log`."""
    with log.open("ab") as out:
        return subprocess.Popen([sys.executable, "-m", "kzreg.cli", *args],
                                env=kzreg_env(db_url, **extra), stdout=out,
                                stderr=subprocess.STDOUT)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(predicate: Callable[[], bool], seconds: float, what: str,
             every: float = 0.05) -> None:
    until = time.monotonic() + seconds
    while not predicate():
        if time.monotonic() > until:
            raise AssertionError(f"timed out after {seconds} s waiting for {what}")
        time.sleep(every)


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    try:
        socket.create_connection((host, port), timeout=1).close()
        return True
    except OSError:
        return False


def kill9(proc: subprocess.Popen) -> None:
    """SIGKILL: no handler runs, nothing is flushed or closed by the process itself."""
    proc.kill()
    proc.wait(timeout=30)


@contextmanager
def another_database(kind_of: str, tmp_path: Path) -> Iterator[str]:
    """An empty database of the same kind as the URL `kind_of` (dropped afterwards)."""
    if kind_of.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / f'other-{uuid.uuid4().hex[:6]}.db'}"
        return
    import psycopg

    name = f"kzreg_t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = PG_ADMIN.rsplit("/", 1)[0].split("://", 1)[1]
    try:
        yield f"postgresql+psycopg://{base}/{name}"
    finally:
        from kzreg.platform.db import reset_engines

        reset_engines()
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def snapshot(db_url: str) -> dict[str, list[tuple]]:
    """Every table's rows, ordered by primary key: equal snapshots, equal databases."""
    from kzreg.platform.db import database_url

    engine = create_engine(database_url(db_url))
    try:
        meta = MetaData()
        meta.reflect(engine)
        with engine.connect() as conn:
            return {name: [tuple(row) for row in conn.execute(
                        select(table).order_by(*(table.primary_key.columns or table.columns)))]
                    for name, table in sorted(meta.tables.items())}
    finally:
        engine.dispose()


@contextmanager
def postgres_database(tmp_path: Path, monkeypatch) -> Iterator[str]:
    """A fresh migrated PostgreSQL database made the default (like the `db` fixture)."""
    from kzreg.platform.config import reset_config
    from kzreg.platform.db import reset_engines, upgrade

    with another_database("postgresql", tmp_path) as url:
        monkeypatch.setenv("KZREG_DATABASE_URL", url)
        monkeypatch.setenv("KZREG_DATA_DIR", str(tmp_path / "data"))
        reset_config()
        reset_engines()
        upgrade(url)
        try:
            yield url
        finally:
            reset_engines()
            reset_config()
