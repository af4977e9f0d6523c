"""`kzreg calendar` — Kazakhstan's working days and deadline arithmetic (Almaty time).

Other tools rely on the output: `add` prints the result alone on a line (an ISO date, or an
ISO date-time with offset when START is a date-time), `is-working` prints `working`,
`holiday: NAME` or `weekend`. Bad input raises InputError naming the option.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import typer

from kzreg.commands._common import iso_date
from kzreg.law.calendar import (
    ALMATY,
    WEEKDAYS,
    Duration,
    Unit,
    day_status,
    deadline,
    holidays_of_year,
)
from kzreg.law.errors import InputError

app = typer.Typer(help="Kazakhstan's working days, holidays and deadlines (Asia/Almaty time).",
                  no_args_is_help=True)

UNIT_OPTIONS = {"--working-days": Unit.WORKING_DAYS, "--calendar-days": Unit.CALENDAR_DAYS,
                "--months": Unit.MONTHS, "--years": Unit.YEARS, "--hours": Unit.HOURS}


def parse_start(text: str, option: str = "START") -> dt.date | dt.datetime:
    """An ISO date, or an ISO date-time; a date-time without offset is Almaty local time."""
    try:
        if len(text.strip()) == 10:
            return dt.date.fromisoformat(text.strip())
        value = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise InputError(f"{text!r} is not an ISO date or date-time "
                         "(YYYY-MM-DD or YYYY-MM-DDTHH:MM[+05:00])", field=option) from None
    return value if value.tzinfo is not None else value.replace(tzinfo=ALMATY)


def _duration(given: dict[str, int | None]) -> tuple[str, Duration]:
    chosen = [(option, n) for option, n in given.items() if n is not None]
    if len(chosen) != 1:
        options = ", ".join(o for o, _ in chosen) if chosen else "/".join(UNIT_OPTIONS)
        why = "give only one of them" if chosen else "give exactly one unit option"
        raise InputError(why, field=options)
    option, amount = chosen[0]
    return option, Duration(amount, UNIT_OPTIONS[option])


@app.command("add")
def add(
    start: Annotated[str, typer.Argument(
        metavar="START", help="Day of the triggering event (YYYY-MM-DD), or a date-time "
                              "(YYYY-MM-DDTHH:MM[:SS][+HH:MM]; no offset = Almaty time).")],
    working_days: Annotated[int | None, typer.Option(
        "--working-days", help="Working days (the start day is not counted).")] = None,
    calendar_days: Annotated[int | None, typer.Option(
        "--calendar-days", help="Calendar days; not moved off weekends unless --roll.")] = None,
    months: Annotated[int | None, typer.Option("--months", help="Months.")] = None,
    years: Annotated[int | None, typer.Option("--years", help="Years.")] = None,
    hours: Annotated[int | None, typer.Option(
        "--hours", help="Hours of elapsed time; START must be a date-time.")] = None,
    roll: Annotated[bool, typer.Option(
        "--roll", help="Move a last day falling on a non-working day to the next "
                       "working day.")] = False,
    explain: Annotated[bool, typer.Option("--explain", help="Print the trace.")] = False,
) -> None:
    """Add a term to START and print the result; negative amounts count backwards.

    The day of START is not counted. For a date START the last day of the term is printed;
    for a date-time START a term in days, months or years is counted in Almaty dates and the
    instant it runs out is printed (00:00 of the next local day: exclusive), in START's zone.
    """
    option, duration = _duration({"--working-days": working_days,
                                  "--calendar-days": calendar_days, "--months": months,
                                  "--years": years, "--hours": hours})
    when = parse_start(start)
    if duration.unit is Unit.HOURS and not isinstance(when, dt.datetime):
        raise InputError("a term in hours needs a date-time START, e.g. 2024-04-30T09:00",
                         field="START")
    if roll and (duration.unit is Unit.HOURS or duration.amount < 0):
        raise InputError("only a term running forward in days, months or years can move to "
                         f"a working day (not {option} {duration.amount})", field="--roll")
    try:
        result = deadline(when, duration, roll_to_working_day=roll)
    except InputError as exc:  # name the command-line option, not the library argument
        field = {"start": "START", "date": "START", "roll_to_working_day": "--roll"}.get(
            exc.field or "", option)
        raise InputError(exc.message, field=field) from None
    if explain:
        typer.echo(result.to_text())
        return
    value = result.value
    if isinstance(value, dt.datetime):
        value = value.astimezone(when.tzinfo)  # same zone as given
    typer.echo(value.isoformat())


@app.command("is-working")
def is_working(
    day: Annotated[str, typer.Argument(metavar="DATE", help="YYYY-MM-DD")],
) -> None:
    """Print `working`, `holiday: NAME` or `weekend`."""
    typer.echo(day_status(iso_date(day, "DATE")))


@app.command("holidays")
def holidays(
    year: Annotated[int, typer.Argument(metavar="YEAR")],
) -> None:
    """List the year's holidays and days off, and the weekend days made working days."""
    try:
        rows = holidays_of_year(year)
    except InputError as exc:
        raise InputError(exc.message, field="YEAR") from None
    for date, name in rows:
        typer.echo(f"{date}  {WEEKDAYS[date.weekday()][:3]}  {name}")
