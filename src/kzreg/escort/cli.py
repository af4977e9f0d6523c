"""`kzreg escort …` — the escort room's commands.

`replay TRACE.jsonl` runs the §3(8) detectors over a trace and prints one JSON object per
non-routine situation (docs/escort-replay.md). Bad input exits 2 naming the line and field.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Annotated

import typer

from kzreg.law.errors import InputError

app = typer.Typer(help="Electronic customs escort with navigation seals (Order 407).",
                  no_args_is_help=True)


@app.command("replay")
def replay_command(
    trace: Annotated[str, typer.Argument(
        metavar="TRACE", help="JSONL trace in reception order; - reads standard input.")],
    stats: Annotated[bool, typer.Option(
        "--stats", help="Also print line, report and timing counts to standard error.")] = False,
) -> None:
    """Detect the non-routine situations of Rules §3(8) in a trace: one JSON object per
    situation (seal, type, started_at, occurred_at, detected_at, notify_by, …)."""
    from kzreg.escort.replay import replay

    started = time.perf_counter()
    if trace == "-":
        result = replay(sys.stdin)
    else:
        path = Path(trace)
        try:
            handle = path.open(encoding="utf-8")
        except OSError as err:
            raise InputError(f"cannot read {trace}: {err.strerror}", field="TRACE") from None
        with handle:
            try:
                result = replay(handle)
            except UnicodeDecodeError:
                raise InputError("not UTF-8 text", field="TRACE") from None
    out = sys.stdout
    for found in result.situations:
        out.write(json.dumps(found.to_json(), ensure_ascii=False) + "\n")
    if stats:
        typer.echo(f"{result.lines} lines, {result.reports} reports "
                   f"({result.ignored} of seals not under control), "
                   f"{len(result.situations)} situations, "
                   f"{time.perf_counter() - started:.3f} s", err=True)


# --- officers' commands: the escort workflow (kzreg.escort.service), the same checks as the web

@app.command("escorts")
def escorts_command(
    user: Annotated[str, typer.Option("--as", help="Act as this user (role and offices).")],
    active: Annotated[bool, typer.Option("--active", help="Only escorts not closed.")] = False,
) -> None:
    """List the escorts USER sees: number, offices, state and the next deadline."""
    from kzreg.escort.api import summary
    from kzreg.escort.service import escorts_for
    from kzreg.platform.db import unit_of_work
    from kzreg.platform.users import get_user

    with unit_of_work() as session:
        actor = get_user(session, user).actor()
        for escort, case in escorts_for(session, actor, active_only=active):
            row = summary(session, escort, case)
            due = row["next_deadline"]
            typer.echo(f"{escort.id:>5}  {escort.number}  {escort.departure_office}->"
                       f"{escort.destination_office}  {case.state}"
                       + (f"  due {due['due_at']:%Y-%m-%d %H:%M}Z ({due['name']})" if due
                          else ""))


@app.command("step")
def step_command(
    escort_id: Annotated[int, typer.Argument(help="The escort's id.")],
    step: Annotated[str, typer.Argument(help="organise, inspect_departure, … remove_seal")],
    user: Annotated[str, typer.Option("--as", help="Act as this user.")],
    payload: Annotated[str, typer.Option("--payload", help="The step's JSON payload.")] = "{}",
) -> None:
    """Carry out one step of an escort as USER; prints the new state."""
    from kzreg.escort.service import act
    from kzreg.platform.cases import Case
    from kzreg.platform.db import unit_of_work
    from kzreg.platform.users import get_user

    try:
        body = json.loads(payload)
    except ValueError:
        raise InputError("not JSON", field="--payload") from None
    with unit_of_work() as session:
        escort = act(session, get_user(session, user).actor(), escort_id, step, body)
        typer.echo(f"{escort.number}: {session.get(Case, escort.case_id).state}")
