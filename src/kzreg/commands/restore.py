"""`kzreg restore FILE`: put a `kzreg backup` back, with the database's own tools.

The kind of FILE is read from its first bytes (an SQLite file or a `pg_dump` archive) and
must match KZREG_DATABASE_URL. A database that already holds tables is refused unless
`--force` is given: restoring replaces everything in it. SQLite: the backup API copies the
file's pages into the target under its write lock, all at once. PostgreSQL: `pg_restore
--single-transaction`, so an error leaves the target as it was. Afterwards the audit chain
is verified (as `kzreg audit verify` does) and the command fails if it does not hold.
Stop the web server, the worker and the tracking service while restoring.
"""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy import create_engine, inspect
from sqlalchemy.engine import URL
from sqlalchemy.exc import OperationalError

from kzreg.commands.backup import (
    PGDUMP_MAGIC,
    SQLITE_MAGIC,
    current_url,
    libpq,
    run_tool,
    sqlite_path,
    summary,
)
from kzreg.law.errors import InputError, KzregError

app = typer.Typer(help="Restore a backup made by `kzreg backup` into the database.")


def backup_kind(file: Path) -> str:
    if not file.is_file():
        raise InputError(f"no backup file {file}", field="FILE")
    with file.open("rb") as handle:
        head = handle.read(len(SQLITE_MAGIC))
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PGDUMP_MAGIC):
        return "postgresql"
    raise InputError(f"{file} is neither an SQLite backup nor a pg_dump archive",
                     field="FILE")


def existing_tables(url: URL) -> list[str]:
    """The tables the target already holds (none: safe to restore into)."""
    from kzreg.platform.db import database_url

    if url.get_backend_name() == "sqlite" and not sqlite_path(url).exists():
        return []
    engine = create_engine(database_url(url.render_as_string(hide_password=False)))
    try:
        try:
            inspector = inspect(engine)
        except OperationalError as exc:
            reason = " ".join(str(exc.orig or exc).split())
            raise KzregError(f"cannot open the database ({reason}); create it first",
                             field="KZREG_DATABASE_URL") from None
        schemas = [s for s in inspector.get_schema_names()
                   if s not in ("information_schema",) and not s.startswith("pg_")]
        return sorted(f"{s}.{t}" if s not in ("main", "public") else t
                      for s in schemas for t in inspector.get_table_names(schema=s))
    finally:
        engine.dispose()


def restore_sqlite(file: Path, url: URL) -> None:
    target = sqlite_path(url)
    if not target.parent.is_dir():
        raise InputError(f"no directory {target.parent}", field="KZREG_DATABASE_URL")
    source = sqlite3.connect(f"file:{file}?mode=ro", uri=True)
    try:
        status = source.execute("PRAGMA integrity_check").fetchone()[0]
        if status != "ok":
            raise KzregError(f"{file} is damaged: {status}", field="FILE")
        destination = sqlite3.connect(target, timeout=30)
        try:
            source.backup(destination)
        finally:
            destination.close()
    except sqlite3.DatabaseError as exc:
        raise KzregError(f"cannot restore {file}: {exc}", field="FILE") from None
    finally:
        source.close()


def restore_postgres(file: Path, url: URL, replace: bool) -> None:
    uri, env = libpq(url)
    run_tool(["pg_restore", "--single-transaction", "--exit-on-error", "--no-owner",
              "--no-privileges", *(["--clean", "--if-exists"] if replace else []),
              f"--dbname={uri}", str(file)], env)


@app.callback(invoke_without_command=True)
def restore_command(
    file: Annotated[Path, typer.Argument(help="A file written by `kzreg backup`.")],
    force: bool = typer.Option(False, "--force", help="Replace a database that already "
                               "holds tables (everything in it is lost)."),
) -> None:
    """Restore FILE into the database (KZREG_DATABASE_URL), then verify the audit chain."""
    from kzreg.platform.audit import verify
    from kzreg.platform.db import reset_engines, unit_of_work

    url = current_url()
    kind = backup_kind(file)
    if kind != url.get_backend_name():
        raise InputError(f"{file} is a {kind} backup; the database is "
                         f"{url.get_backend_name()}", field="FILE")
    tables = existing_tables(url)
    if tables and not force:
        raise InputError(f"the database is not empty ({len(tables)} tables, e.g. "
                         f"{', '.join(tables[:3])}); pass --force to replace it",
                         field="database")
    reset_engines()  # no pooled connection may hold the old database open
    if kind == "sqlite":
        restore_sqlite(file, url)
    else:
        restore_postgres(file, url, replace=bool(tables))
    reset_engines()
    typer.echo(f"restored {file} into {url.render_as_string(hide_password=True)}: "
               f"{summary()}")
    with unit_of_work() as session:
        result = verify(session)
    if not result.ok:
        typer.echo(f"the restored audit chain does not verify at entry seq "
                   f"{result.first_bad_seq}: {result.reason}", err=True)
        sys.exit(1)
    typer.echo(f"audit chain ok: {result.checked} entries, head {result.head_hash}")
