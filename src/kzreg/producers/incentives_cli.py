"""`kzreg producers incentives …` and `kzreg producers contracts …`: the rules of state
incentives (Law 86-VII Arts 25-29) and industrial contracts (Arts 46-49, 47-1, 61-1) on a JSON
case; each prints the explained result as JSON (value, basis, trace). Bad input exits 2 naming
the field. Mounted by kzreg.producers.cli.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from kzreg.law.calendar import local_date, now_utc
from kzreg.law.errors import InputError
from kzreg.law.rules import get_rule

incentives_app = typer.Typer(help="State incentives for industry (Law 86-VII Arts 25-42).",
                             no_args_is_help=True)
contracts_app = typer.Typer(help="Contracts aimed at industrial development and large "
                            "customers (Law 86-VII Arts 46-49, 47-1, 61-1).", no_args_is_help=True)

CaseArg = Annotated[str, typer.Argument(metavar="CASE.json",
                                        help="The case as a JSON object; - reads standard input.")]
AsOf = Annotated[str | None, typer.Option("--as-of", help="Date of the answer (YYYY-MM-DD); "
                                          "default: today in Almaty.")]


def _read(case: str) -> Any:
    try:
        text = sys.stdin.read() if case == "-" else Path(case).read_text(encoding="utf-8")
    except OSError as err:
        raise InputError(f"cannot read {case}: {err.strerror}", field="CASE") from None
    except UnicodeDecodeError:
        raise InputError("not UTF-8 text", field="CASE") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as err:
        raise InputError(f"not JSON: {err.msg} at line {err.lineno}", field="CASE") from None


def _as_of(raw: str | None) -> dt.date:
    if raw is None:
        return local_date(now_utc())
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise InputError(f"not a date: {raw!r}", field="--as-of") from None


def _emit(rule_id: str, data: Any, as_of: str | None) -> None:
    result = get_rule(rule_id).run(data, _as_of(as_of))
    typer.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))


@incentives_app.command("check")
def check(case: CaseArg, as_of: AsOf = None) -> None:
    """The eligibility gate of Art 25(5)-(6) for an application for a measure."""
    _emit("producers.incentive-gate", _read(case), as_of)


@incentives_app.command("ban")
def ban(case: CaseArg, as_of: AsOf = None) -> None:
    """May an agreement on increasing competitiveness be concluded (Art 28(4))?"""
    _emit("producers.incentive-competitiveness-ban", _read(case), as_of)


@incentives_app.command("refund")
def refund(case: CaseArg, as_of: AsOf = None) -> None:
    """The refund on non-fulfilment of counter-obligations (Art 27(4); formula is a setting)."""
    _emit("producers.incentive-refund", _read(case), as_of)


@incentives_app.command("measures")
def measures() -> None:
    """The catalogue of measures of Art 29 with each measure's own conditions."""
    from kzreg.law.explain import jsonable
    from kzreg.producers.incentives import catalogue

    typer.echo(json.dumps(jsonable(list(catalogue().values())), ensure_ascii=False, indent=2))


@contracts_app.command("calendar")
def calendar(year: Annotated[int, typer.Option("--year", help="The year plans are lodged in.")],
             as_of: AsOf = None) -> None:
    """The Art 47 calendar: plans by 10 December, review, publication by 1 February, the two
    30-day windows."""
    _emit("producers.contract-plan-calendar", {"year": year}, as_of)


_CASE_COMMANDS = {
    "plan-check": ("producers.contract-plan-check",
                   "A large customer's plan against the Art 47 calendar and exclusions."),
    "offtake-check": ("producers.contract-offtake-check",
                      "Off-take acceptance: 100% in year one, at least 50% later (Art 48(2))."),
    "kind": ("producers.contract-kind", "Off-take or guaranteed purchase (Art 46(1))."),
    "gpa-term": ("producers.contract-gpa-term",
                 "Guaranteed purchase agreement term: one to ten years (Art 48-1(3))."),
    "offset": ("producers.contract-offset",
               "Offset: above 500,000 MCI a year; at least 5% of the contract (Art 49)."),
    "systemic": ("producers.contract-systemic",
                 "Systemic enterprise: more than 3% of the region's output (Art 47-1(1))."),
    "dvdp": ("producers.contract-dvdp-review",
             "Domestic value development programme review (Art 61-1)."),
}


def _case_command(rule_id: str, doc: str):
    def command(case: CaseArg, as_of: AsOf = None) -> None:
        _emit(rule_id, _read(case), as_of)
    command.__doc__ = doc
    return command


for _name, (_rule_id, _doc) in _CASE_COMMANDS.items():
    contracts_app.command(_name)(_case_command(_rule_id, _doc))
