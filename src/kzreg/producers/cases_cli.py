"""`kzreg producers incentives|plans|contracts …` on the stored cases (Law 86-VII Arts 25-28,
46-49): the same service functions and checks as the web, acting as a named user (`--as`).

    kzreg producers incentives list --as U [--open]        soonest deadline first
    kzreg producers incentives show ID --as U [--json]     facts, deadlines, breaches, actions
    kzreg producers incentives apply CASE.json --as U      file an application (Art 25(5))
    kzreg producers incentives act ID ACTION --as U [--payload JSON|@FILE]
    kzreg producers incentives decision ID --as U --out X.pdf [--language kk|ru|en]
    kzreg producers plans list|show|act …                  procurement plans (Art 47)
    kzreg producers plans check ID --as U                  the plan against the calendar
    kzreg producers plans import PLANS.csv|.json --as U [--received-at ISO]
    kzreg producers contracts list|show --as U             the register of contracts
    kzreg producers contracts enter CONTRACT.json --as U   Arts 46-49 checks, then the register
    kzreg producers contracts year ID --year Y --accepted X --as U   Art 48(2)

The import is one transaction: any bad line refuses the whole file, naming the line, the
field and the clause (exit 2); nothing is half-written.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import typer

from kzreg.law.errors import Conflict, InputError, KzregError
from kzreg.law.explain import jsonable

User = Annotated[str, typer.Option("--as", help="Act as this user (role and BIN).")]
AsJson = Annotated[bool, typer.Option("--json", help="Print JSON.")]
Payload = Annotated[str, typer.Option("--payload", help="The action's JSON payload, or "
                                      "@FILE to read it from a file.")]
plans_app = typer.Typer(help="Large customers' procurement plans (Law 86-VII Art 47).",
                        no_args_is_help=True)


@contextlib.contextmanager
def _session_as(user: str) -> Iterator[tuple[Any, Any]]:
    """One transaction acting as `user`: committed at the end, rolled back on any error."""
    from kzreg.platform.db import unit_of_work
    from kzreg.platform.users import get_user

    with unit_of_work() as session:
        yield session, get_user(session, user).actor()


def _json_text(text: str, field: str) -> Any:
    if text.startswith("@"):
        try:
            text = Path(text[1:]).read_text(encoding="utf-8")
        except OSError as err:
            raise InputError(f"cannot read {text[1:]}: {err.strerror}", field=field) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as err:
        raise InputError(f"not JSON: {err.msg} at line {err.lineno}", field=field) from None


def _object(text: str, field: str) -> dict[str, Any]:
    value = _json_text(text, field)
    if not isinstance(value, dict):
        raise InputError("expected a JSON object", field=field)
    return value


def _model(model: type, body: dict[str, Any], where: str) -> dict[str, Any]:
    """The web's request model checks the body: the same refusals, naming the field."""
    from pydantic import ValidationError

    try:
        return model.model_validate(body).model_dump()
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"])
        raise InputError(first["msg"], field=field or where) from None


def _instant(text: str | None, field: str) -> dt.datetime | None:
    from kzreg.law.calendar import to_utc

    if text is None:
        return None
    try:
        return to_utc(dt.datetime.fromisoformat(text), field=field)
    except ValueError:
        raise InputError(f"not an ISO date-time: {text!r}", field=field) from None


# --- the case commands, shared by incentives and plans ----------------------------------------

def _until(due_at: dt.datetime | str) -> str:
    """A deadline as people read it: the last moment allowed, Almaty time (a term running out
    at local midnight ends at 23:59 of its last day)."""
    from kzreg.law.calendar import ALMATY

    when = dt.datetime.fromisoformat(due_at) if isinstance(due_at, str) else due_at
    local = when.astimezone(ALMATY)
    if (local.hour, local.minute, local.second) == (0, 0, 0):
        local -= dt.timedelta(minutes=1)
    return f"{local:%Y-%m-%d %H:%M} Almaty"


def _cite(ref: Any) -> str:
    from kzreg.law.citations import Citation

    return str(ref if isinstance(ref, Citation) else Citation.parse(str(ref))) if ref else ""


def _print_queue(rows) -> None:
    for case, timer in rows:
        due = (f"  until {_until(timer.due_at)}: {timer.name} ({_cite(timer.citation)})"
               if timer else "")
        typer.echo(f"{case.id:>5}  {case.state:<14} {case.title}{due}")
    if not rows:
        typer.echo("no cases")


def _print_case(view: dict[str, Any]) -> None:
    typer.echo(f"#{view['id']} {view['title']}")
    typer.echo(f"state: {view['state']} — {view['state_title']} (version {view['version']})")
    for t in view["deadlines"]:
        typer.echo(f"deadline: until {_until(t['due_at'])}: {t['title']} "
                   f"({t['duration']}, {_cite(t['basis'])})")
    for b in view["breaches"]:
        typer.echo(f"MISSED: {_until(b['due_at'])}: {b['title']} ({_cite(b['basis'])})")
    for t in view["transitions"]:
        typer.echo(f"may: {t['name']} — {t['title']}"
                   + (f" ({_cite(t['basis'])})" if t["basis"] else ""))
    for e in view["events"]:
        typer.echo(f"event: {e['at']} {e['transition']} → {e['to']} by {e['actor']}")


def case_commands(app: typer.Typer, case_type: str, noun: str) -> None:
    """`list`, `show` and `act` for one case type, mounted on `app`."""
    from kzreg.producers import casework

    @app.command("list")
    def list_cases(user: User, open_only: Annotated[bool, typer.Option(
            "--open", help="Only cases not closed.")] = False) -> None:
        with _session_as(user) as (session, actor):
            _print_queue(casework.queue(session, actor, (case_type,), open_only=open_only))
    list_cases.__doc__ = f"The {noun} USER sees, soonest deadline first."

    @app.command("show")
    def show(case_id: int, user: User, as_json: AsJson = False) -> None:
        with _session_as(user) as (session, actor):
            view = _own(session, actor, case_id)
        if as_json:
            typer.echo(json.dumps(view, ensure_ascii=False, indent=2))
        else:
            _print_case(view)
    show.__doc__ = f"One of the {noun}: state, deadlines, missed deadlines, actions, history."

    @app.command("act")
    def act(case_id: int, action: str, user: User, payload: Payload = "{}") -> None:
        body = _object(payload, "--payload")
        with _session_as(user) as (session, actor):
            _own(session, actor, case_id)
            case = casework.act(session, actor, case_id, action, body)
            typer.echo(f"#{case.id}: {case.state}")
    act.__doc__ = (f"Act on one of the {noun} as USER (the same checks as the web); prints "
                   "the new state.")

    def _own(session, actor, case_id: int) -> dict[str, Any]:
        view = casework.case_json(session, actor, case_id)
        if view["type"] != case_type:
            raise InputError(f"case {case_id} is not one of the {noun}", field="case_id")
        return view


# --- incentives --------------------------------------------------------------------------------

def mount_incentives(app: typer.Typer) -> None:
    from kzreg.producers import incentives_workflow as iw

    case_commands(app, iw.INCENTIVE, "incentive applications")

    @app.command("apply")
    def apply(case: Annotated[str, typer.Argument(metavar="APPLICATION.json",
                                                  help="name, measure, goods, …; - for stdin")],
              user: User) -> None:
        """File an application for a measure of state stimulation (Art 25(5)) as USER."""
        from kzreg.producers import incentives_service
        from kzreg.producers.cases_api import IncentiveIn

        body = _object(sys.stdin.read() if case == "-" else f"@{case}", "APPLICATION")
        data = _model(IncentiveIn, body, "APPLICATION")
        with _session_as(user) as (session, actor):
            made = incentives_service.apply(session, actor, **data)
            typer.echo(f"#{made.id}: {made.state}")

    @app.command("decision")
    def decision(case_id: int, user: User,
                 out: Annotated[Path, typer.Option("--out", help="Where to write the PDF")],
                 language: str = typer.Option("ru", help="kk, ru or en")) -> None:
        """The decision (grant with counter-obligations, or reasoned refusal) as a PDF."""
        from kzreg.producers.documents import incentive_decision

        with _session_as(user) as (session, actor):
            doc = incentive_decision(session, actor, case_id, language=language)
            out.write_bytes(doc.pdf)
            typer.echo(f"document {doc.id} ({doc.uid}) -> {out}")


# --- procurement plans (Art 47) ------------------------------------------------------------

def _mount_plans() -> None:
    from kzreg.producers import contracts_workflow as cw

    case_commands(plans_app, cw.PLAN, "procurement plans")


@plans_app.command("check")
def plan_check(case_id: int, user: User, as_of: Annotated[str | None, typer.Option(
        "--as-of", help="YYYY-MM-DD (default today)")] = None) -> None:
    """The plan against the calendar of Art 47: each stage's due date and status."""
    from kzreg.producers import contracts_service

    day = None
    if as_of is not None:
        try:
            day = dt.date.fromisoformat(as_of)
        except ValueError:
            raise InputError(f"not a date: {as_of!r}", field="--as-of") from None
    with _session_as(user) as (session, actor):
        result = contracts_service.plan_check(session, actor, case_id, day)
        typer.echo(json.dumps(jsonable(result.to_dict()), ensure_ascii=False, indent=2))


PLAN_COLUMNS = ("customer_bin", "customer_name", "customer_type", "first_procurement_year",
                "code", "title", "quantity", "procured_on_domestic_market",
                "foreign_under_warranty")
_YES, _NO = {"1", "true", "yes", "y", "да", "иә"}, {"", "0", "false", "no", "n", "нет", "жоқ"}


def _flag(value: Any, field: str) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value if value is not None else "").strip().lower()
    if text in _YES or text in _NO:
        return text in _YES
    raise InputError(f"yes or no, got {value!r}", field=field)


def read_plans(path: str) -> list[tuple[str, dict[str, Any]]]:
    """The plans in a CSV file (one goods line a row, grouped by customer and year) or a JSON
    list of plans; each with where it came from ("line 3", "plans[0]")."""
    try:
        text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8-sig")
    except OSError as err:
        raise InputError(f"cannot read {path}: {err.strerror}", field="PLANS") from None
    except UnicodeDecodeError:
        raise InputError("not UTF-8 text", field="PLANS") from None
    if path.endswith(".json") or text.lstrip().startswith(("[", "{")):
        data = _json_text(text, "PLANS")
        data = data.get("plans") if isinstance(data, dict) else data
        if not isinstance(data, list) or not data:
            raise InputError("a JSON list of plans (or {\"plans\": [...]})", field="PLANS")
        for n, plan in enumerate(data):
            if not isinstance(plan, dict):
                raise InputError("each plan is an object", field=f"plans[{n}]")
        return [(f"plans[{n}]", plan) for n, plan in enumerate(data)]
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in PLAN_COLUMNS[:5] if c not in (reader.fieldnames or ())]
    if missing:
        raise InputError(f"CSV columns missing: {', '.join(missing)} (expected "
                         f"{', '.join(PLAN_COLUMNS)})", field="PLANS")
    plans: dict[tuple[str, str], tuple[str, dict[str, Any]]] = {}
    for row in reader:
        where = f"line {reader.line_num}"
        key = (row["customer_bin"].strip(), row["first_procurement_year"].strip())
        where_first, plan = plans.setdefault(key, (where, {
            "customer_bin": key[0], "customer_name": row["customer_name"],
            "customer_type": row["customer_type"].strip(),
            "first_procurement_year": key[1], "goods": [], "lines": []}))
        plan["goods"].append({k: row.get(k) for k in PLAN_COLUMNS[4:]})
        plan["lines"].append(where)
    if not plans:
        raise InputError("no rows", field="PLANS")
    return list(plans.values())


def import_plans(session: Any, actor: Any, plans: list[tuple[str, dict[str, Any]]], *,
                 at: dt.datetime | None = None) -> list[Any]:
    """Open and lodge each plan (Art 47(1)) in the caller's transaction; the first bad value
    refuses the whole batch, naming where it is."""
    from kzreg.producers import contracts_service
    from kzreg.producers.cases_api import PlanIn

    made, seen = [], set()
    for where, plan in plans:
        lines = plan.get("lines") or []
        try:
            year = _year(plan.get("first_procurement_year"))
            bin = str(plan.get("customer_bin") or "").strip()
            if (bin, year) in seen or contracts_service.plan_for(session, bin, year):
                raise Conflict(f"a plan of {bin} for {year} already exists",
                               field="first_procurement_year")
            seen.add((bin, year))
            goods = plan.get("goods") or []
            if not isinstance(goods, list) or not goods:
                raise InputError("the plan lists the goods planned for purchase",
                                 field="goods")
            rows = [{**{k: v for k, v in g.items() if v is not None},
                     **{f: _flag(g.get(f), f"goods.{n}.{f}") for f in
                        ("procured_on_domestic_market", "foreign_under_warranty")}}
                    for n, g in enumerate(goods)]
            data = _model(PlanIn, {k: v for k, v in plan.items() if k != "lines"} |
                          {"goods": rows, "first_procurement_year": year}, where)
            made.append(contracts_service.open_plan(session, actor, **data, at=at))
        except KzregError as err:
            raise type(err)(err.message, field=_where(where, lines, err.field),
                            citation=err.citation) from None
    return made


def _year(value: Any) -> int:
    try:
        year = int(str(value).strip())
    except ValueError:
        raise InputError(f"a year, got {value!r}", field="first_procurement_year") from None
    if not 2026 <= year <= 2040:
        raise InputError("a first year of procurement between 2026 and 2040",
                         field="first_procurement_year")
    return year


def _where(where: str, lines: list[str], field: str | None) -> str:
    """'line 4: goods.1.code' -> the CSV line of that goods row."""
    field = (field or "").removeprefix("payload.")
    if lines and field.startswith("goods."):
        n = field.split(".")[1]
        if n.isdigit() and int(n) < len(lines):
            return f"{lines[int(n)]}: {field.split('.', 2)[-1]}"
    return f"{where}: {field}" if field else where


@plans_app.command("import")
def import_command(path: Annotated[str, typer.Argument(
        metavar="PLANS", help="CSV (one goods line a row: " + ", ".join(PLAN_COLUMNS)
        + ") or JSON list of plans; - reads stdin")], user: User,
        received_at: Annotated[str | None, typer.Option(
            "--received-at", help="When the plans were received (ISO; default now): "
            "lateness against 10 December is counted from it")] = None) -> None:
    """Open and lodge large customers' procurement plans in one transaction (Art 47(1))."""
    from kzreg.law.calendar import now_utc

    plans = read_plans(path)
    at = _instant(received_at, "--received-at")
    if at is not None and at > now_utc():
        raise InputError("plans cannot be received in the future", field="--received-at")
    with _session_as(user) as (session, actor):
        for case in import_plans(session, actor, plans, at=at):
            late = case.data.get("late_days") or 0
            typer.echo(f"#{case.id}: {case.title}: {case.state}"
                       + (f", {late} day(s) late (Art 47(1))" if late else ""))


# --- the register of contracts (Arts 46-49) --------------------------------------------------

def mount_contracts(app: typer.Typer) -> None:
    from kzreg.producers import contracts_service as svc
    from kzreg.producers.cases_api import contract_json

    @app.command("list")
    def list_contracts(user: User) -> None:
        """The register of off-take contracts and guaranteed purchase agreements USER sees."""
        with _session_as(user) as (session, actor):
            rows = svc.contracts_for(session, actor)
            for c in rows:
                breaches = [str(y.year) for y in c.years if y.status == "breach"]
                typer.echo(f"{c.id:>5}  {c.number:<16} {c.kind:<20} {c.status:<10} "
                           f"{c.customer_name} → {c.supplier_name}"
                           + (f"  BREACH {', '.join(breaches)}" if breaches else ""))
            if not rows:
                typer.echo("no contracts")

    @app.command("show")
    def show_contract(contract_id: int, user: User) -> None:
        """One contract of the register with its years and their checks (JSON)."""
        with _session_as(user) as (session, actor):
            typer.echo(json.dumps(contract_json(svc.get_contract(session, actor, contract_id)),
                                  ensure_ascii=False, indent=2))

    @app.command("enter")
    def enter(contract: Annotated[str, typer.Argument(metavar="CONTRACT.json")],
              user: User) -> None:
        """Enter a contract in the register after the checks of Arts 46-49."""
        from kzreg.producers.cases_api import ContractIn

        body = _object(f"@{contract}" if contract != "-" else sys.stdin.read(), "CONTRACT")
        data = _model(ContractIn, body, "CONTRACT")
        with _session_as(user) as (session, actor):
            row = svc.register_contract(session, actor, **data)
            typer.echo(f"#{row.id}: {row.number} ({row.kind}) entered")

    @app.command("year")
    def year(contract_id: int, user: User,
             the_year: Annotated[int, typer.Option("--year")],
             accepted: Annotated[str, typer.Option("--accepted", help="volume accepted")],
             supplier_failed: Annotated[bool, typer.Option(
                 "--supplier-failed", help="the supplier did not perform properly")] = False
             ) -> None:
        """Record what the customer accepted in a year of an off-take contract (Art 48(2))."""
        with _session_as(user) as (session, actor):
            result = svc.record_year(session, actor, contract_id, year=the_year,
                                     accepted=accepted, supplier_performed=not supplier_failed)
            for y in result.value.years:
                typer.echo(f"{y.year}: {y.status}")


_mount_plans()
