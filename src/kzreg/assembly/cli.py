"""`kzreg assembly …`: localization scoring from the command line (Order 493, R-App2/R-App3).

    kzreg assembly score CASE.json [--as-of D] [--explain]   JSON: total, lines, threshold
    kzreg assembly items --vehicle car [--as-of D] [--json]  the scoring table

Errors (unknown item, origin or vehicle, bad quantity) are one line on stderr, exit code 2.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import typer

from kzreg.law.errors import InputError

app = typer.Typer(help="Industrial assembly of vehicles: localization scoring (Order 493, "
                       "R-App2 cars, R-App3 truck tractors, special equipment, buses, trucks) "
                       "and agreements.", no_args_is_help=True)


def _read_case(path: str) -> Any:
    try:
        text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror}", field="CASE") from None
    try:   # decimals stay exact: 0.15 is read as Decimal("0.15"), never a float
        return json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError as exc:
        raise InputError(f"{path} is not valid JSON: {exc}", field="CASE") from None


def _day(text: str | None) -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InputError(f"expected YYYY-MM-DD, got {text!r}", field="--as-of") from None


@app.command("score")
def score_command(
    case: str = typer.Argument(..., metavar="CASE.json", help="the case file ('-' for stdin)"),
    as_of: str = typer.Option(None, "--as-of", help="assessment date (overrides the case's)"),
    explain: bool = typer.Option(False, "--explain",
                                 help="add the explanation (every step with its clause)"),
) -> None:
    """Score a case: {"vehicle": ..., "claims": [{"item": "8.6", "origin": "CN"}, ...]}."""
    from kzreg.assembly.scoring import score_case

    result = score_case(_read_case(case), as_of=_day(as_of), explain=explain)
    typer.echo(json.dumps(result, ensure_ascii=False, indent=2))


@app.command("items")
def items_command(
    vehicle: str = typer.Option(..., "--vehicle", help="car, truck_tractor, special_equipment, "
                                                       "bus or truck"),
    as_of: str = typer.Option(None, "--as-of", help="the table version in force on this day"),
    as_json: bool = typer.Option(False, "--json", help="print JSON"),
) -> None:
    """List the scoring table for a vehicle kind: id, points, asterisk, unit rule."""
    from kzreg.assembly.tables import select_table
    from kzreg.law.explain import Trace

    table = select_table(vehicle, Trace(), as_of=_day(as_of)).table
    rows = [{"item": line.id, "kind": line.kind, "title": line.title,
             "points": None if line.points is None else str(line.points),
             "printed_points": None if line.printed_points is None else str(line.printed_points),
             "star": line.star, "group": line.group,
             "unit": None if line.unit is None else {
                 "per": line.unit.per, "step": str(line.unit.step), "cap": line.unit.cap,
                 "when": list(line.unit.when) if line.unit.when else None},
             "citation": str(line.citation)} for line in table.lines]
    if as_json:
        typer.echo(json.dumps({"table": table.table, "title": table.title,
                               "version": table.version,
                               "effective_from": table.effective_from.isoformat(),
                               "lines": rows}, ensure_ascii=False, indent=2))
        return
    typer.echo(f"{table.table}: {table.title}\nversion {table.version}, from "
               f"{table.effective_from.isoformat()}; * = {table.star_citation}")
    for row in rows:
        points = row["points"] or (f"({row['printed_points']})" if row["printed_points"] else "")
        unit = ""
        if row["unit"]:
            u = row["unit"]
            unit = f"  per {u['per']} step {u['step']}" + (f" max {u['cap']}" if u["cap"] else "")
            if u["when"]:
                unit += f" if {u['when'][0]}={u['when'][1]}"
        star = "*" if row["star"] else " "
        typer.echo(f"{row['item']:>7} {points:>6}{star} {row['title']}{unit}")


# --- the agreement workflow (kzreg.assembly.workflow / .service) -----------------------------

@app.command("agreements")
def agreements_command(
    state: str = typer.Option(None, "--state", help="only agreements in this state"),
) -> None:
    """Agreements with their state and next deadline (Almaty time), soonest first."""
    from kzreg.assembly import service
    from kzreg.assembly.workflow import OPEN_STATES
    from kzreg.law.calendar import to_local
    from kzreg.platform.actors import SYSTEM
    from kzreg.platform.cases import load_case_types
    from kzreg.platform.db import unit_of_work

    load_case_types()
    with unit_of_work() as session:
        rows = service.queue(session, SYSTEM) if state in (None, *OPEN_STATES) else \
            [(c, None) for c in service.agreements(session, SYSTEM, states=(state,))]
        for case, timer in rows:
            if state and case.state != state:
                continue
            due = (f"{to_local(timer.due_at):%Y-%m-%d %H:%M} {timer.title} [{timer.citation}]"
                   if timer else "-")
            typer.echo(f"{case.id:>5}  {case.state:<22} {case.title}  |  {due}")


@app.command("remedy-period")
def remedy_period_command(
    notified: str = typer.Argument(..., metavar="DATE", help="day the notice is received"),
) -> None:
    """The remedy period a violation notice of DATE gives: one month (Order 493 Std §7)
    before Law 86-VII, three months (Art 62(4)) after; with its last day."""
    from kzreg.assembly.service import remedy_regime
    from kzreg.law.deadlines import deadline

    try:
        day = dt.date.fromisoformat(notified)
    except ValueError:
        raise InputError(f"expected YYYY-MM-DD, got {notified!r}", field="DATE") from None
    regime = remedy_regime(day)
    term = "3 months" if regime.value == "law-86-VII" else "1 month"
    end = deadline(day, term, roll_to_working_day=None)
    typer.echo(regime.to_text())
    typer.echo(end.to_text())
    typer.echo(f"remedy by {end.value.isoformat()} ({term}, {regime.value})")
