"""Database access: one declarative Base, engines per URL, a unit of work, migrations.

SQLite is the zero-set-up default; PostgreSQL runs the same models and migrations.
Datetimes are stored as UTC and always come back timezone-aware (`UtcDateTime`), so no
module ever compares a naive time with an aware one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources

from sqlalchemy import DateTime, Engine, MetaData, create_engine, event
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

from kzreg.law.errors import InputError

NAMING = {  # stable constraint names, so migrations are the same on SQLite and PostgreSQL
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class UtcDateTime(TypeDecorator):
    """Aware datetimes in, aware UTC datetimes out; naive values are refused."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise InputError("naive datetime given; kzreg stores aware UTC times",
                             field="datetime")
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: dt.datetime | None, dialect) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")      # readers do not block the writer
    cur.execute("PRAGMA busy_timeout=10000")    # the worker and the web share the file
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


_engines: dict[str, Engine] = {}
_makers: dict[str, sessionmaker[Session]] = {}


def database_url(url: str | None = None) -> str:
    from kzreg.platform.config import get_config

    url = url or get_config().database_url
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url


def get_engine(url: str | None = None) -> Engine:
    url = database_url(url)
    if url not in _engines:
        engine = create_engine(url, pool_pre_ping=True)
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _sqlite_pragmas)
        _engines[url] = engine
    return _engines[url]


def _sessionmaker(url: str | None) -> sessionmaker[Session]:
    url = database_url(url)
    if url not in _makers:
        _makers[url] = sessionmaker(get_engine(url), expire_on_commit=False)
    return _makers[url]


@contextmanager
def unit_of_work(url: str | None = None) -> Iterator[Session]:
    """A transaction: commit on success, roll back on any error — nothing half-written."""
    session = _sessionmaker(url)()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def alembic_config(url: str | None = None):
    """Alembic's configuration: the platform's revisions and each room's
    (`kzreg/<room>/migrations/`, a branch of its own off the platform's) as one history."""
    from alembic.config import Config as AlembicConfig

    from kzreg.platform.plugins import migration_dirs

    cfg = AlembicConfig()
    platform_dir = resources.files("kzreg.platform") / "migrations"
    cfg.set_main_option("script_location", str(platform_dir))
    cfg.set_main_option("path_separator", "newline")
    cfg.set_main_option("version_locations", "\n".join(
        [str(platform_dir / "versions"), *map(str, migration_dirs())]))
    cfg.attributes["engine"] = get_engine(url)
    return cfg


def schema_heads() -> list[str]:
    """The newest revision of every branch: what an up-to-date database is at."""
    from alembic.script import ScriptDirectory

    return sorted(ScriptDirectory.from_config(alembic_config()).get_heads())


def upgrade(url: str | None = None, revision: str = "heads") -> None:
    """Create or migrate the database to `revision` ("heads": every branch to its tip)."""
    from alembic import command

    command.upgrade(alembic_config(url), revision)


def reset_engines() -> None:
    """Dispose cached engines (tests switch databases)."""
    for engine in _engines.values():
        engine.dispose()
    _engines.clear()
    _makers.clear()
