"""`kzreg token`: bearer tokens for the API (scripts, other systems)."""

from __future__ import annotations

import datetime as dt

import typer

from kzreg.commands.users import database
from kzreg.law.errors import InputError

app = typer.Typer(help="API bearer tokens.", no_args_is_help=True)


@app.command("issue")
def issue_command(
    name: str = typer.Argument(..., help="The user the token acts as."),
    days: int = typer.Option(90, "--days", min=1, max=3650, help="Days until it expires."),
) -> None:
    """Print a new bearer token, alone on a line (it is shown once; only its hash is kept)."""
    from kzreg.platform.users import issue_token

    with database() as session:
        token = issue_token(session, name, ttl=dt.timedelta(days=days))
    typer.echo(token)


@app.command("revoke")
def revoke_command(
    token: str | None = typer.Argument(None, help="The token to revoke."),
    all_of: str | None = typer.Option(None, "--all", help="Revoke every token of this user."),
) -> None:
    """Revoke one token, or all of a user's tokens."""
    from kzreg.platform.users import revoke_token, revoke_tokens

    if (token is None) == (all_of is None):
        raise InputError("give a token or --all USER", field="token")
    with database() as session:
        if all_of is not None:
            typer.echo(f"revoked {revoke_tokens(session, all_of)} token(s) of {all_of}")
        elif revoke_token(session, token or ""):
            typer.echo("revoked")
        else:
            raise InputError("no live token like that", field="token")
