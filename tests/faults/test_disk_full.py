"""A full disk and a read-only database: clear errors, nothing half-written, no corruption,
and the system writes again once the fault is gone.

SQLite lives on a small tmpfs the test mounts (root, as on the project's machines); the
file system is filled, then remounted read-only. PostgreSQL is made read-only the way a
failover to a standby does it (`default_transaction_read_only`), on the test's own database.
"""

from __future__ import annotations

import datetime as dt
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import OperationalError

from faults.helpers import kzreg
from kzreg.platform.actors import Actor, Role
from kzreg.platform.audit import verify
from kzreg.platform.cases import Case, open_case
from kzreg.platform.config import reset_config
from kzreg.platform.db import reset_engines, unit_of_work, upgrade
from support.sample_case import SAMPLE

OFFICER = Actor("aigerim", Role.INDUSTRY_OFFICER)
T0 = dt.datetime(2024, 4, 30, 10, 0, tzinfo=dt.UTC)


def _mount(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["mount", *args], capture_output=True, text=True)


@contextmanager
def small_disk(path: Path, size: str) -> Iterator[Path]:
    path.mkdir()
    done = _mount("-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path))
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    try:
        yield path
    finally:
        reset_engines()
        subprocess.run(["umount", "-l", str(path)], capture_output=True)


def _open(n: int) -> int:
    with unit_of_work() as s:
        return open_case(s, SAMPLE.name, actor=OFFICER, title=f"permit {n} " + "x" * 400,
                         party_bins=["123456789012"], data={"notes": "y" * 4000}, at=T0).id


def _fill(path: Path) -> None:
    with path.open("wb", buffering=0) as out:
        try:
            while True:
                out.write(b"\0" * 4096)
        except OSError:
            pass


def _cases() -> int:
    with unit_of_work() as s:
        return s.scalar(select(func.count()).select_from(Case))


def _sound() -> None:
    with unit_of_work() as s:
        assert s.execute(text("PRAGMA integrity_check")).scalar() == "ok"
        assert verify(s).ok


def test_sqlite_disk_full_then_read_only_errors_cleanly_and_corrupts_nothing(tmp_path,
                                                                           monkeypatch):
    with small_disk(tmp_path / "disk", "4m") as disk:
        url = f"sqlite:///{disk / 'kzreg.db'}"
        monkeypatch.setenv("KZREG_DATABASE_URL", url)
        monkeypatch.setenv("KZREG_DATA_DIR", str(tmp_path / "data"))
        reset_config()
        reset_engines()
        upgrade(url)
        committed, error = 0, None
        for n in range(5000):                      # fill the disk
            try:
                _open(n)
                committed += 1
            except OperationalError as exc:
                error = exc
                break
        assert error is not None and "full" in str(error.orig), error
        assert committed >= 1
        reset_engines()
        assert _cases() == committed               # the failed case left nothing behind
        _sound()
        _fill(disk / "filler")
        with pytest.raises(OperationalError, match="full"):
            for n in range(committed, committed + 200):   # the WAL's own room runs out too
                _open(n)
                committed += 1
        assert kzreg(url, "audit", "verify").returncode == 0      # reading still works
        backup = kzreg(url, "backup", str(disk / "copy.backup"))
        assert backup.returncode != 0 and "Traceback" not in backup.stderr, backup.stderr
        assert not list(disk.glob("*copy.backup*"))             # no half-written copy
        reset_engines()
        assert _cases() == committed
        _sound()

        (disk / "filler").unlink()
        assert _mount("-o", "remount,size=8m", str(disk)).returncode == 0
        _open(committed)                          # space again: writes resume
        assert _cases() == committed + 1

        reset_engines()
        assert _mount("-o", "remount,ro", str(disk)).returncode == 0
        with pytest.raises(OperationalError, match="readonly|read-only|unable to open"):
            _open(-1)
        cli = kzreg(url, "user", "add", "someone", "--role", "auditor",
                    "--password", "a-long-password-1")
        assert cli.returncode != 0 and "Traceback" not in cli.stderr
        assert "readonly" in cli.stderr or "read-only" in cli.stderr \
            or "unable to open" in cli.stderr, cli.stderr
        reset_engines()
        assert _mount("-o", "remount,rw", str(disk)).returncode == 0
        assert _cases() == committed + 1
        _sound()
        _open(committed + 1)
        assert _cases() == committed + 2
        reset_config()


@pytest.mark.postgres
def test_postgres_read_only_database_refuses_writes_clearly_and_recovers(request, tmp_path,
                                                                         monkeypatch):
    from faults.helpers import postgres_database

    request.getfixturevalue("pg_server")
    with postgres_database(tmp_path, monkeypatch) as url:
        _open(0)
        name = url.rsplit("/", 1)[1]
        with unit_of_work() as s:
            s.execute(text(f'ALTER DATABASE "{name}" SET default_transaction_read_only = on'))
        reset_engines()                              # new connections: read-only
        with pytest.raises(Exception, match="read-only transaction"):
            _open(1)
        cli = kzreg(url, "user", "add", "someone", "--role", "auditor",
                    "--password", "a-long-password-1")
        assert cli.returncode != 0 and "Traceback" not in cli.stderr
        assert "read-only transaction" in cli.stderr
        assert kzreg(url, "audit", "verify").returncode == 0
        assert _cases() == 1
        with unit_of_work() as s:
            s.execute(text("SET TRANSACTION READ WRITE"))
            s.execute(text(f'ALTER DATABASE "{name}" SET default_transaction_read_only = off'))
        reset_engines()
        _open(2)
        assert _cases() == 2
        with unit_of_work() as s:
            assert verify(s).ok
