"""`kzreg defense contract …` — contract checks of Law 236-VI Arts 22-23, 25, 27 with JSON I/O.

Each command reads JSON (a file, or - for standard input; decimals are read as exact text)
and prints the result with its trace and clauses as JSON (`Explained.to_dict()`). A verdict
against the input (invalid draft, late act, rejected modification, blocked acceptance)
exits 1; bad input exits 2 naming the field.

    kzreg defense contract check CONTRACT.json
    kzreg defense contract deadlines --act-date 2025-03-03 --received 2025-03-13
    kzreg defense contract modify-check REQUEST.json
    kzreg defense contract refusal REFUSAL.json
    kzreg defense contract accept LOT.json
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated, Any

import typer

from kzreg.commands._common import echo_json, iso_date, parse_date
from kzreg.law.errors import InputError
from kzreg.law.rules import get_rule

app = typer.Typer(help="State defense order contracts: content, terms, refusal, "
                  "modification, acceptance (Law 236-VI Arts 22-27).", no_args_is_help=True)

AsOf = Annotated[str | None, typer.Option("--as-of", help="Date of the question (YYYY-MM-DD); "
                                          "default today in Almaty.")]


def _read(name: str, field: str) -> Any:
    try:
        text = typer.get_text_stream("stdin").read() if name == "-" else \
            Path(name).read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot read {name}: {exc.strerror}", field=field) from None
    try:
        return json.loads(text, parse_float=str)  # exact: never a binary float
    except json.JSONDecodeError as exc:
        raise InputError(f"not JSON: {exc.msg} at line {exc.lineno}", field=field) from None


def _run(rule_id: str, data: Any, as_of: dt.date, ok: str) -> None:
    result = get_rule(rule_id).run(data, as_of)
    echo_json(result.to_dict())
    if not getattr(result.value, ok):
        raise typer.Exit(1)


@app.command("check")
def check(contract: Annotated[str, typer.Argument(metavar="CONTRACT.json")],
          as_of: AsOf = None) -> None:
    """Check a draft's mandatory content (Art 22 p.4) and its payment term (p.8)."""
    _run("defense.contract-content", _read(contract, "CONTRACT.json"),
         parse_date(as_of, "--as-of"), "valid")


@app.command("deadlines")
def deadlines(
    act_date: Annotated[str, typer.Option("--act-date", help="Adoption of the Government "
                                          "act approving the order.")],
    sent: Annotated[str | None, typer.Option("--sent", help="Day the contract was sent.")] = None,
    received: Annotated[str | None, typer.Option("--received", help="Day the contractor "
                                                 "received it.")] = None,
    signed: Annotated[str | None, typer.Option("--signed", help="Day it was signed.")] = None,
    fulfilled: Annotated[str | None, typer.Option("--fulfilled", help="Day fulfilment was "
                                                  "documented.")] = None,
    paid: Annotated[str | None, typer.Option("--paid", help="Day of full payment.")] = None,
    as_of: AsOf = None,
) -> None:
    """The 10/20/30 calendar-day terms (Art 22 p.5, p.6, p.8) and whether each was kept."""
    day = parse_date(as_of, "--as-of")

    def opt(text: str | None, name: str) -> str | None:
        return iso_date(text, name).isoformat() if text else None

    runs = [("send", "defense.contract-send-deadline", opt(act_date, "--act-date"),
             opt(sent, "--sent"))]
    if received:
        runs.append(("sign", "defense.contract-sign-deadline", opt(received, "--received"),
                     opt(signed, "--signed")))
    elif signed:
        raise InputError("the signing term runs from receipt: give --received",
                         field="--received")
    if fulfilled:
        runs.append(("pay", "defense.contract-pay-deadline", opt(fulfilled, "--fulfilled"),
                     opt(paid, "--paid")))
    elif paid:
        raise InputError("the payment term runs from fulfilment: give --fulfilled",
                         field="--fulfilled")
    out, kept = {}, True
    for name, rule_id, trigger, done in runs:
        result = get_rule(rule_id).run({"trigger_on": trigger, "done_on": done}, day)
        out[name] = result.to_dict()
        kept = kept and result.value.on_time is not False and result.value.overdue_on is None
    echo_json(out)
    if not kept:
        raise typer.Exit(1)


@app.command("modify-check")
def modify_check(request: Annotated[str, typer.Argument(metavar="REQUEST.json")],
                 as_of: AsOf = None) -> None:
    """Is a modification allowed on its Art 23 ground (with Art 19 p.4)?"""
    _run("defense.contract-modification", _read(request, "REQUEST.json"),
         parse_date(as_of, "--as-of"), "allowed")


@app.command("refusal")
def refusal(data: Annotated[str, typer.Argument(metavar="REFUSAL.json")],
            as_of: AsOf = None) -> None:
    """Is a contractor's refusal to sign on one of the three grounds of Art 22 p.7?"""
    _run("defense.contract-refusal", _read(data, "REFUSAL.json"),
         parse_date(as_of, "--as-of"), "valid")


@app.command("accept")
def accept(lot: Annotated[str, typer.Argument(metavar="LOT.json")],
           as_of: AsOf = None) -> None:
    """MRO suspension (Art 27 p.4), final acceptance (p.5), recipient acceptance (Art 25)."""
    data, day = _read(lot, "LOT.json"), parse_date(as_of, "--as-of")
    out, ok = {}, True
    for name, rule_id in (("suspension", "defense.contract-mro-suspension"),
                          ("recipient_acceptance", "defense.contract-recipient-acceptance")):
        result = get_rule(rule_id).run(data, day)
        out[name] = result.to_dict()
        ok = ok and result.value.allowed
    if not (isinstance(data, dict) and data.get("for_state_security_service")) and \
            (not isinstance(data, dict) or data.get("mro_at_contractor", True)):
        result = get_rule("defense.contract-final-acceptance").run(data, day)
        out["final_acceptance_certificate"] = result.to_dict()
        ok = ok and result.value.allowed
    echo_json(out)
    if not ok:
        raise typer.Exit(1)
