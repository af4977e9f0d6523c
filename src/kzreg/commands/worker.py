"""`kzreg worker`: fire due deadlines and run periodic jobs (`--once` for one tick).

Case types are registered by importing their modules (`CASE_TYPE_MODULES` in
`kzreg.platform.casetypes`); more modules can be named in `KZREG_EXTRA_MODULES`
(comma-separated), which is how the tests give a worker subprocess their sample case type.
"""

from __future__ import annotations

import logging

import typer

app = typer.Typer(help="Fire due deadlines (durable timers) and run periodic jobs.")


@app.callback(invoke_without_command=True)
def worker_command(
    once: bool = typer.Option(False, "--once", help="Run one tick and exit."),
    poll: float = typer.Option(5.0, "--poll", min=0.05, help="Seconds between ticks."),
    limit: int = typer.Option(100, "--limit", min=1, help="Timers handled per tick at most."),
    now: str | None = typer.Option(None, "--now", help="Pretend it is this instant "
                                   "(ISO date-time with offset; with --once, for tests)."),
) -> None:
    """Fire due deadlines exactly once; SIGTERM/SIGINT stop it after the current tick."""
    from kzreg.law.errors import InputError
    from kzreg.platform import worker

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    if once:
        done = worker.run_once(parse_instant(now, "--now") if now else None, limit=limit)
        typer.echo(f"handled {done}")
        return
    if now:
        raise InputError("only goes with --once", field="--now")
    worker.loop(poll, limit=limit)


def parse_instant(text: str, option: str):
    """An ISO date-time with its UTC offset (naive times are ambiguous: refused)."""
    import datetime as dt

    from kzreg.law.calendar import to_utc
    from kzreg.law.errors import InputError

    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        raise InputError(f"{text!r} is not an ISO date-time", field=option) from None
    return to_utc(value, field=option)
