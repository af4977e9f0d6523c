"""Runtime configuration from the environment (twelve-factor), with zero-set-up defaults.

KZREG_DATA_DIR       where the SQLite file, generated secrets and documents live (./var)
KZREG_DATABASE_URL   SQLAlchemy URL; default sqlite:///<data dir>/kzreg.db
                     (PostgreSQL: postgresql+psycopg://user@host/db)
KZREG_SECRET_KEY     signs sessions and CSRF tokens; generated once into the data dir
KZREG_SMTP_HOST/PORT/FROM   e-mail delivery of notifications (off when no host)
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from functools import cache
from pathlib import Path


@dataclass(frozen=True)
class Config:
    data_dir: Path
    database_url: str
    secret_key: str
    smtp_host: str | None
    smtp_port: int
    smtp_from: str


def _secret(data_dir: Path) -> str:
    path = data_dir / "secret.key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48), encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()


@cache
def get_config() -> Config:
    data_dir = Path(os.environ.get("KZREG_DATA_DIR", "var")).resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    url = os.environ.get("KZREG_DATABASE_URL") or f"sqlite:///{data_dir / 'kzreg.db'}"
    return Config(
        data_dir=data_dir,
        database_url=url,
        secret_key=os.environ.get("KZREG_SECRET_KEY") or _secret(data_dir),
        smtp_host=os.environ.get("KZREG_SMTP_HOST") or None,
        smtp_port=int(os.environ.get("KZREG_SMTP_PORT", "25")),
        smtp_from=os.environ.get("KZREG_SMTP_FROM", "kzreg@localhost"),
    )


def reset_config() -> None:
    """Forget the cached configuration (tests change the environment)."""
    get_config.cache_clear()
