"""`kzreg demo load`: demo accounts for every role, demo companies, the modules' demo cases."""

from __future__ import annotations

import typer

app = typer.Typer(help="Demo data for trying the system.", no_args_is_help=True)


@app.command("load")
def load_command(
    url: str = typer.Option("http://127.0.0.1:8000", "--url",
                            help="Where the site will be served, for the printed login link."),
) -> None:
    """Migrate the database and add the demo data (idempotent: run it as often as you like)."""
    from kzreg.commands.users import database
    from kzreg.platform.db import upgrade
    from kzreg.platform.demo import COMPANIES, DEMO_PASSWORD, USERS, load_demo

    upgrade()
    with database() as session:
        report = load_demo(session)
    added = len(report.created)
    typer.echo(f"demo: {added} account(s) added, {len(report.existing)} already there")
    for line in report.modules:
        typer.echo(f"demo: {line}")
    typer.echo("")
    typer.echo(f"Log in at {url.rstrip('/')}/login with any of these accounts; "
               f"the password of every demo account is: {DEMO_PASSWORD}")
    width = max(len(u.username) for u in USERS)
    for person in USERS:
        scope = person.scope()
        typer.echo(f"  {person.username:<{width}}  {person.role.value:<16}  {scope}".rstrip())
    typer.echo("")
    typer.echo("Demo companies: " + "; ".join(f"{c.name} (BIN {c.bin})" for c in COMPANIES))
    typer.echo("API: `kzreg token issue manufacturer` prints a bearer token; docs at "
               f"{url.rstrip('/')}/docs")
