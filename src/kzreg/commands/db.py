"""`kzreg db`: create or migrate the database named by KZREG_DATABASE_URL."""

from __future__ import annotations

import typer

app = typer.Typer(help="The database: create, migrate, show the schema revision.",
                  no_args_is_help=True)


def _where() -> str:
    from sqlalchemy.engine import make_url

    from kzreg.platform.db import database_url

    return make_url(database_url()).render_as_string(hide_password=True)


def _current() -> str | None:
    """The revisions the database is at, one per branch (the platform's and each room's)."""
    from alembic.runtime.migration import MigrationContext

    from kzreg.platform.db import get_engine

    with get_engine().connect() as connection:
        heads = MigrationContext.configure(connection).get_current_heads()
    return ", ".join(sorted(heads)) or None


@app.command("upgrade")
def upgrade_command() -> None:
    """Create the database or migrate it to the newest schema."""
    from kzreg.platform.db import upgrade

    upgrade()
    typer.echo(f"database {_where()} is at revisions {_current()}")


@app.command("current")
def current_command() -> None:
    """Print the database's schema revisions (one per branch)."""
    revision = _current()
    typer.echo(revision or "none (run `kzreg db upgrade`)")
