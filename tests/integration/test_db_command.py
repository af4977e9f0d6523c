"""`kzreg db upgrade` / `kzreg db current` on a fresh SQLite and PostgreSQL database."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from kzreg.platform.db import schema_heads

KZREG = str(Path(sys.executable).with_name("kzreg"))


def kzreg(db_url: str, tmp_path, *args: str) -> subprocess.CompletedProcess:
    env = os.environ | {"KZREG_DATABASE_URL": db_url, "KZREG_DATA_DIR": str(tmp_path / "data")}
    return subprocess.run([KZREG, *args], capture_output=True, text=True, env=env, timeout=120)


def head_revision() -> str:
    """The platform's branch and every room's, as `kzreg db` prints them."""
    return ", ".join(schema_heads())


def test_db_upgrade_creates_the_database_and_says_where(db_url, tmp_path):
    before = kzreg(db_url, tmp_path, "db", "current")
    assert before.returncode == 0 and before.stdout.startswith("none"), before.stderr

    upgraded = kzreg(db_url, tmp_path, "db", "upgrade")
    assert upgraded.returncode == 0, upgraded.stderr
    where = db_url.rsplit("/", 1)[1]
    assert where in upgraded.stdout and head_revision() in upgraded.stdout

    current = kzreg(db_url, tmp_path, "db", "current")
    assert current.stdout.strip() == head_revision()

    verified = kzreg(db_url, tmp_path, "audit", "verify")
    assert verified.returncode == 0, verified.stderr
    assert verified.stdout.strip() == f"ok: 0 entries, head {'0' * 64}"
