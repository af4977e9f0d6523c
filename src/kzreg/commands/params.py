"""`kzreg params …`: dated parameters (the MCI by period) with their sources."""

from __future__ import annotations

import typer

from kzreg.commands.acts import parse_day
from kzreg.law.numbers import fmt
from kzreg.law.parameters import all_parameters, get_parameter

app = typer.Typer(no_args_is_help=True, help="Dated parameters (e.g. the MCI) and their "
                                             "sources.")


@app.command("list")
def list_params() -> None:
    """Every parameter, with the period its values cover."""
    for param in all_parameters():
        first, last = param.values[0], param.values[-1]
        until = last.until.isoformat() if last.until else "…"
        unverified = sum(not v.verified for v in param.values)
        flag = f"  ({unverified} UNVERIFIED)" if unverified else ""
        typer.echo(f"{param.name}  [{param.unit}]  {first.since.isoformat()} – {until}  "
                   f"{len(param.values)} values{flag}")
        typer.echo(f"    {param.description}")


@app.command("show")
def show(name: str = typer.Argument(..., help="parameter name, e.g. mci"),
         on: str | None = typer.Option(None, "--on", help="date YYYY-MM-DD; without it, "
                                                           "the whole history")) -> None:
    """A parameter's value on a date (with its source), or its whole history."""
    day = parse_day(on)
    param = get_parameter(name)
    values = [param.at(day)] if day else list(param.values)
    if day is None:
        typer.echo(f"{param.name} — {param.description} [{param.unit}]")
        if param.reference:
            typer.echo(f"  used by: {param.reference}")
        if param.note:
            typer.echo(f"  note: {param.note}")
    for value in values:
        until = value.until.isoformat() if value.until else "…"
        flag = "" if value.verified else "  UNVERIFIED"
        prefix = f"{param.name} on {day.isoformat()}: " if day else "  "
        typer.echo(f"{prefix}{fmt(value.value)} {value.unit}  "
                   f"[{value.since.isoformat()} – {until}]  source: {value.source}{flag}")
        if value.note:
            typer.echo(f"      {value.note}")
