"""`kzreg defense …`: the state defense order of Law 236-VI from the command line — the
procurement route of an item, a draft order's content, the register inclusion check and
the stored register (`register list / include / remove`), the offshore lists and gate
(`offshore load / list / check`), the contractor selection cascade; rules print their
explanation."""

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
def select(source: Source, on: OnOption = None, as_json: JsonFlag = False) -> None:
    """The contractor selection cascade (Art 20 p.3-10, Art 21 p.1)."""
    _run("defense.selection", _read_json(source), _on(on), as_json)


from kzreg.defense.contract_cli import app as contract_app  # noqa: E402

app.add_typer(contract_app, name="contract")


offshore_app = typer.Typer(help="The list of offshore zones and the gate (Art 20 p.10).",
                           no_args_is_help=True)
register_app = typer.Typer(help="The register of domestic producers and suppliers "
                           "(Art 6-1 sub 11).", no_args_is_help=True)
app.add_typer(offshore_app, name="offshore")
app.add_typer(register_app, name="register")


def _cli_actor():
    """The CLI runs on the server with the database's own access: an administrator cleared
    for everything (it writes to the audit log under the name `cli`)."""
    from kzreg.platform.actors import Actor, Role

    return Actor("cli", Role.ADMIN, clearance=3)


@offshore_app.command("check")
def offshore_check(source: Source, on: OnOption = None, as_json: JsonFlag = False) -> None:
    """The offshore gate (Art 20 p.10): {entity, purpose, research, special_state_body,
    offshore_list}; without `offshore_list`, the list loaded for the date."""
    data = _read_json(source)
    if isinstance(data, dict) and not data.get("offshore_list"):
        from kzreg.defense import registers
        from kzreg.platform.db import unit_of_work

        with unit_of_work() as session:
            zones = registers.offshore_list(_on(on), registers.offshore_versions(session))
        data["offshore_list"] = {"id": zones.id, "approved_by": zones.approved_by,
                                 "effective_from": zones.effective_from.isoformat(),
                                 "jurisdictions": sorted(zones.jurisdictions)}
    _run("defense.offshore-gate", data, _on(on), as_json)


@offshore_app.command("load")
def offshore_load(path: Annotated[Path, typer.Argument(
        metavar="FILE.yaml", help="{id, approved_by, effective_from, jurisdictions}")]) -> None:
    """Load a version of the list of offshore zones approved by the central authorized body
    for budget execution (Art 20 p.10); audited, as an administrator."""
    import yaml

    from kzreg.defense.registers import OffshoreList, store_offshore_list
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
        store_offshore_list(session, version, _cli_actor())
    typer.echo(f"loaded offshore list {version.id}: {len(version.jurisdictions)} "
               f"jurisdiction(s) from {version.effective_from}")


@offshore_app.command("list")
def offshore_lists(on: OnOption = None) -> None:
    """The versions of the offshore list, oldest first; with --on, the one that applied."""
    from kzreg.defense.registers import offshore_list, offshore_versions
    from kzreg.platform.db import unit_of_work

    with unit_of_work() as session:
        versions = offshore_versions(session)
    if on:
        versions = [offshore_list(_on(on), versions)]
    for v in versions:
        typer.echo(f"{v.effective_from}  {v.id}  {v.approved_by}  "
                   f"{', '.join(sorted(v.jurisdictions))}")
    typer.echo(f"{len(versions)} version(s)")


app.command("offshore-load", hidden=True)(offshore_load)     # the earlier names
app.command("offshore-lists", hidden=True)(offshore_lists)


@register_app.command("list")
def register_list(q: Annotated[str | None, typer.Option("--q", help="Name or BIN")] = None,
                  category: Annotated[str | None, typer.Option("--category")] = None,
                  on: OnOption = None, as_json: JsonFlag = False) -> None:
    """Entries of the register (each entity's latest), active on --on if given."""
    from kzreg.defense import register_service
    from kzreg.platform.db import unit_of_work

    with unit_of_work() as session:
        rows = register_service.search(session, _cli_actor(), q, category,
                                       _on(on) if on else None)
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for r in rows:
        state = f"removed {r['removed_on']}" if r["removed_on"] else f"since {r['included_on']}"
        typer.echo(f"{r['bin']}  {r['name']}  {','.join(r['kinds'])}  "
                   f"cat {','.join(r['categories'])}  {state}  level {r['secrecy_level']}")
    typer.echo(f"{len(rows)} entr{'y' if len(rows) == 1 else 'ies'}")


@register_app.command("include")
def register_include(source: Source) -> None:
    """Include an entity (audited): {entity, kinds, categories, included_on, decision,
    secrecy_level}; refused with the clause when it does not qualify (Art 1 sub 2, 5, 24)."""
    from pydantic import ValidationError

    from kzreg.defense import register_service
    from kzreg.platform.db import unit_of_work

    try:
        body = register_service.InclusionIn(**_read_json(source))
    except (TypeError, ValidationError) as exc:
        raise InputError(f"not an inclusion ({exc})".splitlines()[0], field="INPUT") from None
    with unit_of_work() as session:
        entry = register_service.include(session, _cli_actor(), body)
    typer.echo(f"included {entry['bin']} {entry['name']} on {entry['included_on']}")


@register_app.command("remove")
def register_remove(bin: Annotated[str, typer.Argument(help="BIN")],
                    on: Annotated[str, typer.Option("--on", help="Date of removal")],
                    reason: Annotated[str, typer.Option("--reason")]) -> None:
    """Remove an entity from the register with the reason (audited)."""
    from kzreg.defense import register_service
    from kzreg.platform.db import unit_of_work

    if not reason.strip():
        raise InputError("a removal states its reason", field="--reason")
    with unit_of_work() as session:
        register_service.remove(session, _cli_actor(), bin,
                                register_service.RemovalIn(on=_on(on), reason=reason[:300]))
    typer.echo(f"removed {bin} on {on}")


@app.command("order-version")
def order_version(order_id: Annotated[int, typer.Argument(help="The order's number")],
                  on: OnOption = None, as_json: JsonFlag = False) -> None:
    """The version of an approved order in force on --on (default today): its Government act
    and lines (Art 19 p.4; Art 23 p.1 sub 2)."""
    from kzreg.defense.order_service import order_version_on
    from kzreg.law.errors import NotInForce
    from kzreg.platform.db import unit_of_work

    day = _on(on)
    with unit_of_work() as session:
        version = order_version_on(session, order_id, day)
    if version is None:
        raise NotInForce(f"order {order_id} was not approved on {day.isoformat()}",
                         field="--on")
    lines = [{"ref": ln.ref, "nomenclature": ln.nomenclature, "quantity": str(ln.quantity),
              "unit_price": str(ln.unit_price), "deadline": str(ln.deadline),
              "contractor_bin": ln.contractor_bin, "status": ln.status,
              "set_by_act": version.act_of(ln)[0], "secrecy_level": ln.secrecy_level}
             for ln in version.lines]
    if as_json:
        typer.echo(json.dumps({"order": order_id, "version": version.number,
                               "act_number": version.act_number,
                               "act_date": version.act_date.isoformat(),
                               "total": str(version.total), "lines": lines},
                              ensure_ascii=False, indent=2))
        return
    typer.echo(f"order {order_id} on {day}: version {version.number}, act "
               f"{version.act_number} of {version.act_date}, total {version.total}")
    for ln in lines:
        typer.echo(f"  {ln['ref']}  {ln['nomenclature']}  {ln['quantity']} x "
                   f"{ln['unit_price']}  by {ln['deadline']}  {ln['status']}  "
                   f"(act {ln['set_by_act']})")
