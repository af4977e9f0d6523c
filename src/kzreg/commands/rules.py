"""`kzreg rules` — list the rules the system applies and run any of them, with its trace."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from kzreg.commands._common import echo_json, parse_date
from kzreg.law.errors import InputError
from kzreg.law.rules import all_rules, get_rule

app = typer.Typer(help="The rules kzreg applies: list them, explain a result for any input "
                       "and date (what-if).", no_args_is_help=True)


@app.command("list")
def list_rules(
    module: Annotated[str | None, typer.Option(help="Only this module's rules.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List every rule: its id, title and the clause it rests on."""
    rules = [r for r in all_rules() if module is None or r.module == module]
    if as_json:
        echo_json([{"id": r.id, "title": r.title, "basis": r.citation,
                    "input_schema": r.input_schema()} for r in rules])
        return
    width = max((len(r.id) for r in rules), default=0)
    for r in rules:
        typer.echo(f"{r.id:<{width}}  {r.title}  [{r.citation}]")


@app.command("explain")
def explain(
    rule_id: Annotated[str, typer.Argument(help="Rule id, as `kzreg rules list` prints.")],
    input_file: Annotated[str, typer.Argument(metavar="INPUT.json",
                                              help="Input as a JSON object; - for stdin.")],
    as_of: Annotated[str | None, typer.Option("--as-of", help="Apply the law in force on "
                                              "this date (YYYY-MM-DD); default today.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Run a rule on INPUT.json and print the result with its trace."""
    rule = get_rule(rule_id)
    data = _read_json(input_file)
    result = rule.run(data, parse_date(as_of, "--as-of"))
    if as_json:
        echo_json(result.to_dict())
    else:
        typer.echo(result.to_text())


@app.command("schema")
def schema(rule_id: Annotated[str, typer.Argument(help="Rule id.")]) -> None:
    """Print the JSON schema of a rule's input."""
    echo_json(get_rule(rule_id).input_schema())


def _read_json(name: str) -> object:
    try:
        text = typer.get_text_stream("stdin").read() if name == "-" else \
            Path(name).read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot read {name}: {exc.strerror}", field="INPUT.json") from None
    try:
        return json.loads(text, parse_float=str)  # exact: 0.1 stays "0.1", never a float
    except json.JSONDecodeError as exc:
        raise InputError(f"not JSON: {exc.msg} at line {exc.lineno}",
                         field="INPUT.json") from None
