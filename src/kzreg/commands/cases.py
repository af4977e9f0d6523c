"""`kzreg cases`: registered case types, deadline breaches and timers, for supervisors."""

from __future__ import annotations

import typer

app = typer.Typer(help="Case types, deadlines and their breaches.", no_args_is_help=True)


def _local(instant) -> str:
    from kzreg.law.calendar import to_local

    return to_local(instant).strftime("%Y-%m-%d %H:%M") if instant else "-"


@app.command("types")
def types_command() -> None:
    """List the registered case types: states, deadlines, transitions and who fires them."""
    from kzreg.platform.casetypes import load_case_types

    types = load_case_types()
    if not types:
        typer.echo("no case types registered")
    for ct in types:
        typer.echo(f"{ct.name}  {ct.title}  (opens in {ct.initial})")
        for s in ct.states:
            typer.echo(f"  state {s.name}{' (final)' if s.final else ''}  {s.title}")
            for d in s.deadlines:
                then = f"then {d.on_expiry}" if d.on_expiry else "then a breach"
                typer.echo(f"    deadline {d.name}: {d.duration}, {then}  [{d.citation}]")
        for t in ct.transitions:
            roles = ", ".join(sorted(t.roles)) or "system"
            basis = f"  [{t.citation}]" if t.citation else ""
            typer.echo(f"  {t.name}: {' | '.join(t.sources)} -> {t.target}  by {roles}{basis}")


@app.command("breaches")
def breaches_command(
    open_only: bool = typer.Option(False, "--open",
                                   help="Only those whose case is still in that state."),
    case_type: str | None = typer.Option(None, "--type", help="Only this case type."),
    limit: int = typer.Option(200, "--limit", min=1),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Deadlines that passed without the act they required (times in Almaty)."""
    from kzreg.commands._common import echo_json
    from kzreg.platform.actors import SYSTEM
    from kzreg.platform.cases import breaches
    from kzreg.platform.db import unit_of_work

    with unit_of_work() as session:
        rows = breaches(session, SYSTEM, unresolved_only=open_only, case_type=case_type,
                        limit=limit)
        found = [{"id": b.id, "case_id": b.case_id, "case_type": b.case_type,
                  "case_title": b.case.title, "state": b.state, "deadline": b.deadline,
                  "title": b.title, "basis": b.citation, "due_at": b.due_at,
                  "recorded_at": b.recorded_at, "resolved_at": b.resolved_at,
                  "note": b.note} for b in rows]
    if as_json:
        echo_json(found)
        return
    if not found:
        typer.echo("no breaches")
    for b in found:
        status = (f"case moved on {_local(b['resolved_at'])}" if b["resolved_at"]
                  else "OPEN: case still waiting")
        typer.echo(f"#{b['id']}  case {b['case_id']} ({b['case_type']})  {b['deadline']} "
                   f"due {_local(b['due_at'])}  {status}  [{b['basis']}]  {b['title']}")


@app.command("timers")
def timers_command(
    status: str = typer.Option("pending", "--status",
                               help="pending, fired, cancelled or failed."),
    limit: int = typer.Option(50, "--limit", min=1),
) -> None:
    """Deadline timers by status, soonest first (failed ones show their last error)."""
    from sqlalchemy import select

    from kzreg.law.errors import InputError
    from kzreg.platform.db import unit_of_work
    from kzreg.platform.timers import Timer

    if status not in ("pending", "fired", "cancelled", "failed"):
        raise InputError(f"{status!r} is not pending, fired, cancelled or failed",
                         field="--status")
    with unit_of_work() as session:
        rows = list(session.scalars(select(Timer).where(Timer.status == status)
                                    .order_by(Timer.due_at, Timer.id).limit(limit)))
    if not rows:
        typer.echo(f"no {status} timers")
    for t in rows:
        extra = f"  -> {t.outcome}" if t.outcome else ""
        error = f"  error after {t.attempts}: {t.last_error}" if t.last_error else ""
        typer.echo(f"#{t.id}  case {t.case_id}  {t.state}/{t.name}  due {_local(t.due_at)}"
                   f"  [{t.citation}]{extra}{error}")
