"""`kzreg user`: add and list the people who use the system."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer
from sqlalchemy.orm import Session

from kzreg.law.errors import KzregError

app = typer.Typer(help="People, their roles and scopes.", no_args_is_help=True)


@contextmanager
def database() -> Iterator[Session]:
    """A unit of work; a database that was never migrated is a one-line error, not a
    traceback."""
    from sqlalchemy.exc import OperationalError, ProgrammingError

    from kzreg.platform.db import unit_of_work

    try:
        with unit_of_work() as session:
            yield session
    except (OperationalError, ProgrammingError) as exc:
        text = str(exc.orig if exc.orig is not None else exc).lower()
        if "no such table" in text or "does not exist" in text:
            raise KzregError("the database is not set up: run `kzreg db upgrade` first",
                             field="database") from None
        raise


@app.command("add")
def add_command(
    name: str = typer.Argument(..., help="Username: lower-case letters, digits, . _ -"),
    role: str = typer.Option(..., "--role", help="admin, auditor, industry_officer, "
                             "customs_head, customs_officer, operator, inspector, "
                             "defense_officer, manufacturer, carrier, declarant, contractor"),
    password: str | None = typer.Option(None, "--password",
                                        help="At least 10 characters; asked for if omitted."),
    bin: str | None = typer.Option(None, "--bin", help="Company BIN (business roles)."),
    office: Annotated[list[str] | None, typer.Option(
        "--office", help="Customs office code (customs roles; repeatable).")] = None,
    clearance: int = typer.Option(0, "--clearance", help="Secrecy clearance 0-3 "
                                  "(defense officers need 1 or more)."),
    email: str | None = typer.Option(None, "--email"),
    full_name: str | None = typer.Option(None, "--full-name"),
    language: str = typer.Option("ru", "--language", help="kk, ru or en."),
) -> None:
    """Add a user with a role and the scope the role needs."""
    from kzreg.platform.users import create_user

    if password is None:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    with database() as session:
        user = create_user(session, name, role, password, bin=bin, offices=office or (),
                           clearance=clearance, email=email, full_name=full_name,
                           language=language)
        scope = _scope(user)
        typer.echo(f"added {user.username} ({user.role}){': ' + scope if scope else ''}")


def _scope(user) -> str:
    parts = []
    if user.bin:
        parts.append(f"BIN {user.bin}")
    if user.offices:
        parts.append("offices " + ",".join(user.offices))
    if user.clearance:
        parts.append(f"clearance {user.clearance}")
    return "; ".join(parts)


@app.command("list")
def list_command() -> None:
    """List users: name, role, scope, status."""
    from kzreg.platform.users import list_users

    with database() as session:
        users = list_users(session)
        if not users:
            typer.echo("no users (add one with `kzreg user add`, or `kzreg demo load`)")
            return
        width = max(len(u.username) for u in users)
        for user in users:
            status = "" if user.active else "  [deactivated]"
            line = f"{user.username:<{width}}  {user.role:<16}  {_scope(user)}{status}"
            typer.echo(line.rstrip())


@app.command("passwd")
def passwd_command(
    name: str = typer.Argument(...),
    password: str | None = typer.Option(None, "--password"),
) -> None:
    """Set a user's password (ends their web sessions)."""
    from kzreg.platform.users import set_password

    if password is None:
        password = typer.prompt("New password", hide_input=True, confirmation_prompt=True)
    with database() as session:
        set_password(session, name, password)
    typer.echo(f"password of {name} changed")


@app.command("deactivate")
def deactivate_command(name: str = typer.Argument(...)) -> None:
    """Stop a user signing in or using tokens (the record stays for the audit log)."""
    from kzreg.platform.users import set_active

    with database() as session:
        set_active(session, name, False)
    typer.echo(f"{name} deactivated")


@app.command("activate")
def activate_command(name: str = typer.Argument(...)) -> None:
    """Let a deactivated user back in."""
    from kzreg.platform.users import set_active

    with database() as session:
        set_active(session, name, True)
    typer.echo(f"{name} activated")
