"""`kzreg audit`: check the hash chain of the audit log, list its entries."""

from __future__ import annotations

import sys

import typer

app = typer.Typer(help="The tamper-evident audit log.", no_args_is_help=True)


@app.command("verify")
def verify_command() -> None:
    """Check every entry's hash and link; exit 1 naming the first bad entry."""
    from kzreg.platform.audit import verify
    from kzreg.platform.db import unit_of_work

    with unit_of_work() as session:
        result = verify(session)
    if result.ok:
        typer.echo(f"ok: {result.checked} entries, head {result.head_hash}")
        return
    entry_id = result.first_bad_id if result.first_bad_id is not None else "none"
    typer.echo(f"TAMPERED at entry seq {result.first_bad_seq} (id {entry_id}): "
               f"{result.reason}", err=True)
    sys.exit(1)


@app.command("show")
def show_command(
    case: int | None = typer.Option(None, "--case", help="Only this case's entries."),
    limit: int = typer.Option(50, "--limit", min=1, help="How many of the latest entries."),
) -> None:
    """List the latest entries: when (Almaty time), who, role, action, case, basis."""
    from kzreg.law.calendar import to_local
    from kzreg.platform.audit import entries
    from kzreg.platform.db import unit_of_work

    with unit_of_work() as session:
        rows = entries(session, case_id=case, limit=limit)
    if not rows:
        typer.echo("no entries")
    for e in rows:
        when = to_local(e.at).strftime("%Y-%m-%d %H:%M:%S")
        subject = f"{e.case_type or 'case'} #{e.case_id}" if e.case_id is not None else "-"
        typer.echo(f"{e.seq:>6}  {when}  {e.actor} ({e.role})  {e.action}  {subject}  "
                   f"{e.basis or '-'}")
