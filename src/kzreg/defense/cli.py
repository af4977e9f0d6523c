"""`kzreg defense …`: the state defense order of Law 236-VI from the command line — the
procurement route of an item, a draft order's content, the register inclusion check, the
offshore gate and the contractor selection cascade; each prints its explanation."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from kzreg.law.errors import InputError

app = typer.Typer(help="The state defense order (Law 236-VI): order, register, selection.",
                  no_args_is_help=True)

JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON.")]
OnOption = Annotated[str | None, typer.Option("--on", help="Date of the answer (ISO); "
                                              "default today")]
Source = Annotated[str, typer.Argument(metavar="INPUT.json", help="JSON input; - for stdin")]


def _on(text: str | None) -> dt.date:
    from kzreg.commands._common import iso_date

    return iso_date(text, "--on") if text else dt.date.today()


def _read_json(source: str) -> Any:
    try:
        text = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
        return json.loads(text)
    except OSError as exc:
        raise InputError(f"cannot read {source}: {exc.strerror}", field="INPUT") from None
    except json.JSONDecodeError as exc:
        raise InputError(f"not JSON: {exc.msg} (line {exc.lineno})", field="INPUT") from None


def _run(rule_id: str, data: Any, on: dt.date, as_json: bool) -> None:
    from kzreg.law.rules import get_rule

    result = get_rule(rule_id).run(data, on)
    typer.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2) if as_json
               else result.to_text())


@app.command()
def route(category: Annotated[str, typer.Argument(help='Art 19 p.2 category, e.g. "1-1"')],
          in_head_list: Annotated[bool, typer.Option(
              "--in-head-list", help="On the first head's list (categories 1-1, 2, 3, 7, "
              "12)")] = False,
          special_body: Annotated[bool, typer.Option(
              "--special-body", help="Bought by a special state body")] = False,
          ao_cannot_supply: Annotated[bool, typer.Option(
              "--ao-cannot-supply", help="The authorized organization cannot supply it "
              "(Art 20 p.6)")] = False,
          on: OnOption = None, as_json: JsonFlag = False) -> None:
    """Within the state defense order or public procurement (Art 19 p.1-2, Art 20 p.6)."""
    _run("defense.route", {"category": category, "in_head_list": in_head_list,
                           "special_state_body": special_body,
                           "ao_cannot_supply": ao_cannot_supply}, _on(on), as_json)


@app.command("check-order")
def check_order(source: Source, on: OnOption = None, as_json: JsonFlag = False) -> None:
    """Mandatory content of a draft order (Art 19 p.3): {planning_period, lines, recipients,
    contractors, allocated_funds}."""
    _run("defense.order-content", _read_json(source), _on(on), as_json)


@app.command("register-check")
def register_check(source: Source, on: OnOption = None, as_json: JsonFlag = False) -> None:
    """May an entity be in the register (Art 1 sub 2, 5, 24): {entity, kinds}."""
    _run("defense.register-inclusion", _read_json(source), _on(on), as_json)


@app.command()
def offshore(source: Source, on: OnOption = None, as_json: JsonFlag = False) -> None:
    """The offshore gate (Art 20 p.10): {entity, purpose, research, special_state_body,
    offshore_list}."""
    _run("defense.offshore-gate", _read_json(source), _on(on), as_json)


@app.command()
def select(source: Source, on: OnOption = None, as_json: JsonFlag = False) -> None:
    """The contractor selection cascade (Art 20 p.3-10, Art 21 p.1)."""
    _run("defense.selection", _read_json(source), _on(on), as_json)


from kzreg.defense.contract_cli import app as contract_app  # noqa: E402

app.add_typer(contract_app, name="contract")


@app.command("offshore-load")
def offshore_load(path: Annotated[Path, typer.Argument(
        metavar="FILE.yaml", help="{id, approved_by, effective_from, jurisdictions}")]) -> None:
    """Load a version of the list of offshore zones approved by the central authorized body
    for budget execution (Art 20 p.10); audited, as an administrator."""
    import yaml

    from kzreg.defense.registers import OffshoreList, store_offshore_list
    from kzreg.platform.actors import Actor, Role
    from kzreg.platform.db import unit_of_work

    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        version = OffshoreList(str(raw["id"]), str(raw["approved_by"]),
                               dt.date.fromisoformat(str(raw["effective_from"])),
                               frozenset(str(j).upper() for j in raw["jurisdictions"]))
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror}", field="FILE") from None
    except (KeyError, TypeError, ValueError, yaml.YAMLError) as exc:
        raise InputError(f"not a list version ({exc})", field="FILE") from None
    with unit_of_work() as session:
        store_offshore_list(session, version, Actor("cli", Role.ADMIN))
    typer.echo(f"loaded offshore list {version.id}: {len(version.jurisdictions)} "
               f"jurisdiction(s) from {version.effective_from}")


@app.command("offshore-lists")
def offshore_lists() -> None:
    """The versions of the offshore list, oldest first."""
    from kzreg.defense.registers import offshore_versions
    from kzreg.platform.db import unit_of_work

    with unit_of_work() as session:
        versions = offshore_versions(session)
    for v in versions:
        typer.echo(f"{v.effective_from}  {v.id}  {v.approved_by}  "
                   f"{', '.join(sorted(v.jurisdictions))}")
    typer.echo(f"{len(versions)} version(s)")
