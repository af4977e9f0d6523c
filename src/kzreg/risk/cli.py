"""`kzreg risk …`: classify subjects, score them (JSON/CSV in, JSON out), plan control,
look up rapid-response measures, show checklists and load the severities an administrator
holds (JO 1199/826)."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from kzreg.law.errors import InputError
from kzreg.law.explain import jsonable
from kzreg.risk import batch

app = typer.Typer(help="Risk-based control in technical regulation (joint order 1199/826): "
                  "degrees, indicators, plans, checklists, rapid response.",
                  no_args_is_help=True)
severities_app = typer.Typer(help="Requirement severities (the text leaves them empty).",
                             no_args_is_help=True)
app.add_typer(severities_app, name="severities")

JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON.")]


def _print(explained, as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps(explained.to_dict(), ensure_ascii=False, indent=2))
    else:
        typer.echo(explained.to_text())


@app.command()
def score(subjects: Annotated[str, typer.Argument(metavar="SUBJECTS.(json|csv)",
                                                  help="Subjects; - for JSON on stdin")],
          array: Annotated[bool, typer.Option("--array", help="One JSON array instead of "
                                              "one object per line")] = False) -> None:
    """Objective degree (after Cr §15), exact indicator and degree (Cr §12-13) per subject.

    Bad rows are reported on stderr by row and field (exit code 2); good rows are scored."""
    good, bad = batch.parse_rows(batch.read_rows(subjects))
    out = sys.stdout
    results = batch.score(good)
    if array:
        out.write(batch.dumps(list(results)) + "\n")
    else:
        for row in results:
            out.write(batch.dumps(row) + "\n")
    out.flush()
    for error in bad:
        typer.echo(f"error: {error}", err=True)
    if bad:
        raise typer.Exit(2)


@app.command()
def classify(kind: Annotated[str, typer.Argument(metavar="TYPE", help="Subject type")],
             insured: bool = typer.Option(False, help="Cr §15(1) insurance contract"),
             exempt: bool = typer.Option(False, help="Cr §15(2) release provided by law"),
             sro: bool = typer.Option(False, help="Cr §15(3) SRO with a recognition agreement"),
             as_json: JsonFlag = False) -> None:
    """Objective degree (Cr §6), transfer down (§15), frequency limit (§7), forms (§8)."""
    from kzreg.risk.degrees import classify as run
    from kzreg.risk.subjects import Relief, subject_type

    _print(run(subject_type(kind), Relief(insured, exempt, sro)), as_json)


@app.command()
def indicator(source: Annotated[str, typer.Argument(
        metavar="INPUT.json", help='{"gross", "considerable_found", "considerable_total", '
        '"insignificant_found", "insignificant_total"}; - for stdin')],
        as_json: JsonFlag = False) -> None:
    """The subjective indicator and degree of Cr §12-13, with its explanation."""
    from kzreg.law.rules import get_rule

    data = _read_json(source)
    _print(get_rule("risk.indicator").run(data, dt.date.today()), as_json)


@app.command()
def plan(subjects: Annotated[str, typer.Argument(metavar="SUBJECTS.(json|csv)")],
         start: Annotated[str, typer.Option("--from", help="First day of the period")],
         end: Annotated[str, typer.Option("--to", help="Last day of the period")],
         control: Annotated[str, typer.Option(help="preventive_with_visit or "
                                              "compliance_check")] = "compliance_check",
         information_system: Annotated[bool, typer.Option(
             "--information-system", help="The plan is made with an information system "
             "(no 5% cap, Cr §16)")] = False,
         limit: Annotated[int | None, typer.Option(help="Print at most this many rows")] = None,
         ) -> None:
    """A plan for a period: every subject planned or skipped with its reason and clause.

    Rows as for `score`, plus optional dates last_check, eliminated_on and exempt_until (the
    last day of a Cr §14 exemption already in effect when the period starts)."""
    from kzreg.commands._common import iso_date
    from kzreg.risk import planning
    from kzreg.risk.subjects import ControlKind

    try:
        kind = ControlKind(control)
    except ValueError:
        raise InputError(f"{control!r} is not a form of control", field="--control") from None
    rows, bad = planning_rows(batch.read_rows(subjects))
    result = planning.build_plan(planning.columns(rows), iso_date(start, "--from"),
                                 iso_date(end, "--to"), kind,
                                 information_system=information_system)
    typer.echo(json.dumps({"period": [start, end], "control": kind.value,
                           "information_system": information_system, "cap": result.cap,
                           "summary": result.summary(),
                           "explanation": jsonable(result.explained.to_dict()["trace"]),
                           "subjects": list(result.entries(limit))},
                          ensure_ascii=False, indent=1))
    for error in bad:
        typer.echo(f"error: {error}", err=True)
    if bad:
        raise typer.Exit(2)


def planning_rows(rows):
    from kzreg.commands._common import iso_date
    from kzreg.law.errors import KzregError
    from kzreg.risk.planning import PlanInput

    good, bad = [], []
    for n, data in enumerate(rows, 1):
        try:
            p = batch.parse_row(n, data)
            dates = {f: iso_date(str(data[f]), f) if data.get(f) else None
                     for f in ("last_check", "eliminated_on", "exempt_until")}
            good.append(PlanInput(p.id, p.type, len(p.relief.grounds()),
                                  p.counts.gross, p.counts.considerable_found,
                                  p.counts.considerable_total, p.counts.insignificant_found,
                                  p.counts.insignificant_total, **dates))
        except KzregError as exc:
            ident = data.get("id") if isinstance(data, dict) else None
            bad.append(batch.RowError(n, ident, exc.field or "row", exc.message))
    return good, bad


@app.command()
def rapid(items: Annotated[list[int], typer.Argument(metavar="ITEM...",
                                                     help="Violated JO-App5 checklist items")],
          decided_on: Annotated[str | None, typer.Option(help="Date of the decision")] = None,
          as_json: JsonFlag = False) -> None:
    """Rapid-response measures (Cr §16-2 prohibition, §16-3 withdrawal) for violated items."""
    from kzreg.law.rules import get_rule

    data = {"items": items, "decided_on": decided_on}
    _print(get_rule("risk.rapid-response").run(data, dt.date.today()), as_json)


@app.command()
def checklist(kind: Annotated[str, typer.Argument(metavar="TYPE")],
              control: Annotated[str, typer.Argument(metavar="CONTROL")]) -> None:
    """The requirements (Cr-App1..5) for a subject type and form of control."""
    from kzreg.risk.checklists import checklist_for
    from kzreg.risk.subjects import ControlKind, subject_type

    try:
        form = ControlKind(control)
    except ValueError:
        raise InputError(f"{control!r} is not a form of control", field="CONTROL") from None
    appendix = checklist_for(subject_type(kind), form).value
    typer.echo(f"{appendix.locator}: {appendix.heading}")
    for r in appendix.requirements:
        typer.echo(f"  {r.id}  {' '.join(r.text.split())}")


@severities_app.command("load")
def severities_load(path: Annotated[Path, typer.Argument(metavar="FILE",
                                                         help="YAML/JSON mapping or CSV "
                                                         "id,severity")],
                    source: Annotated[str, typer.Option(help="Where the severities come "
                                                        "from (the official text)")] = "",
                    ) -> None:
    """Load requirement severities (gross / considerable / insignificant) into the database."""
    from kzreg.platform.db import unit_of_work
    from kzreg.risk.checklists import load_severities_file
    from kzreg.risk.service import store_severities

    table = load_severities_file(path)
    with unit_of_work() as session:
        count = store_severities(session, table, source=source or str(path))
    typer.echo(f"loaded {count} severities from {path}")


@severities_app.command("show")
def severities_show() -> None:
    """The loaded severities and the requirements still without one."""
    from kzreg.platform.db import unit_of_work
    from kzreg.risk.checklists import requirements
    from kzreg.risk.service import loaded_severities

    with unit_of_work() as session:
        table = loaded_severities(session)
    missing = [rid for rid in requirements() if rid not in table]
    for rid, sev in sorted(table.items()):
        typer.echo(f"{rid}  {sev.value}")
    typer.echo(f"{len(table)} loaded, {len(missing)} missing")


def _read_json(source: str):
    try:
        text = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
        return json.loads(text)
    except OSError as exc:
        raise InputError(f"cannot read {source}: {exc.strerror}", field="INPUT") from None
    except json.JSONDecodeError as exc:
        raise InputError(f"not JSON: {exc}", field="INPUT") from None
