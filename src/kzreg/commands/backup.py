"""`kzreg backup FILE`: a consistent copy of the whole database, made by the database itself.

SQLite: the online backup API (`sqlite3.Connection.backup`) copies one consistent snapshot
while the web server and the worker go on writing (WAL: readers never block the writer);
the copy is then checked with `PRAGMA integrity_check`. PostgreSQL: `pg_dump
--format=custom`, which reads everything in one snapshot transaction, so the audit log and
its head (`audit_head`) always agree in the copy. Either way the copy is written next to
FILE and renamed into place only when complete: a failed backup leaves no half file.

The command prints the audit chain's length and head hash: keep that line apart from the
file, then `kzreg restore` (kzreg.commands.restore) and `kzreg audit verify` prove the copy.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy.engine import URL, make_url

from kzreg.law.errors import InputError, KzregError

app = typer.Typer(help="Back the database up into FILE (SQLite backup API or pg_dump).")

SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"


def current_url() -> URL:
    from kzreg.platform.db import database_url

    return make_url(database_url())


def sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise InputError("an in-memory SQLite database cannot be backed up or restored",
                         field="KZREG_DATABASE_URL")
    return Path(url.database)


def libpq(url: URL) -> tuple[str, dict[str, str]]:
    """A libpq URI for pg_dump/pg_restore, and an environment carrying the password (so it
    never shows in the process list)."""
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def run_tool(args: list[str], env: dict[str, str]) -> None:
    """Run a PostgreSQL client tool; its own message becomes a one-line error."""
    if shutil.which(args[0]) is None:
        raise KzregError(f"{args[0]} not found: install the PostgreSQL client tools",
                         field="database")
    done = subprocess.run(args, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        message = " ".join(done.stderr.split()) or f"exit code {done.returncode}"
        raise KzregError(f"{args[0]} failed: {message[:800]}", field="database")


def summary(url: str | URL | None = None) -> str:
    """'N cases, M audit entries, head …' of a database (default: KZREG_DATABASE_URL)."""
    from sqlalchemy import create_engine, func, select

    from kzreg.platform.audit import AuditHead
    from kzreg.platform.cases import Case
    from kzreg.platform.db import database_url

    engine = create_engine(database_url(str(url) if url is not None else None))
    try:
        with engine.connect() as connection:
            cases = connection.scalar(select(func.count()).select_from(Case))
            head = connection.execute(select(AuditHead.seq, AuditHead.hash)).first()
    finally:
        engine.dispose()
    chain = f"{head.seq} audit entries, head {head.hash}" if head else "no audit head"
    return f"{cases} cases, {chain}"


def backup_sqlite(url: URL, target: Path) -> None:
    source_path = sqlite_path(url)
    if not source_path.exists():
        raise InputError(f"no database file {source_path}", field="KZREG_DATABASE_URL")
    source = sqlite3.connect(source_path, timeout=30)
    copy = sqlite3.connect(target)
    try:
        with copy:
            source.backup(copy)
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal
        status = copy.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        copy.close()
        source.close()
    if status != "ok":
        raise KzregError(f"the copy failed its integrity check: {status}", field="FILE")


def backup_postgres(url: URL, target: Path) -> None:
    uri, env = libpq(url)
    run_tool(["pg_dump", "--format=custom", "--no-owner", "--no-privileges",
              f"--file={target}", f"--dbname={uri}"], env)


@app.callback(invoke_without_command=True)
def backup_command(
    file: Annotated[Path, typer.Argument(help="Where to write the backup.")],
    force: bool = typer.Option(False, "--force", help="Replace FILE if it exists."),
) -> None:
    """Copy the database (KZREG_DATABASE_URL) into FILE while the system runs."""
    url = current_url()
    if file.exists() and not force:
        raise InputError(f"{file} exists; pass --force to replace it", field="FILE")
    if not file.parent.is_dir():
        raise InputError(f"no directory {file.parent}", field="FILE")
    partial = file.with_name(f".{file.name}.partial")
    partial.unlink(missing_ok=True)
    try:
        if url.get_backend_name() == "sqlite":
            backup_sqlite(url, partial)
        elif url.get_backend_name() == "postgresql":
            backup_postgres(url, partial)
        else:
            raise InputError(f"no backup for {url.get_backend_name()} databases",
                             field="KZREG_DATABASE_URL")
        partial.replace(file)
    finally:
        partial.unlink(missing_ok=True)
    size = file.stat().st_size
    typer.echo(f"backed up {url.render_as_string(hide_password=True)} to {file} "
               f"({size:,} bytes)")
    if url.get_backend_name() == "sqlite":  # the copy itself; a dump is read by restoring it
        typer.echo(f"the copy holds {summary(f'sqlite:///{file.resolve()}')}")
