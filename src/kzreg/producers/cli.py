"""`kzreg producers …`: the register of Kazakhstani commodity producers (Law 86-VII
Arts 51-1..51-7) under `kzreg producers register …`; the incentives part mounts its own
commands here.

    kzreg producers register search [TEXT]               the public register (JSON)
    kzreg producers register extract BIN --out X.pdf     the extract (Art 51-1(8)) as PDF
    kzreg producers register appeal-window GROUND DATE   where and until when to appeal
    kzreg producers register catalogue-check FILE.yaml   versions, Art 51-7(4) check
    kzreg producers register monitor [--now ISO]         record missed quarters (Art 51-4(1))
    kzreg producers register events FILE [--as U]        notices of the state register of
                                                         legal entities (Art 51-6)
    kzreg producers incentives|plans|contracts …          the stored cases (cases_cli)
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated

import typer
import yaml

from kzreg.law.errors import InputError

app = typer.Typer(help="Industrial policy (Law 86-VII): the register of Kazakhstani commodity "
                  "producers, state incentives, industrial contracts.", no_args_is_help=True)
register_app = typer.Typer(help="The register of Kazakhstani commodity producers "
                           "(Arts 51-1..51-7).", no_args_is_help=True)
app.add_typer(register_app, name="register")


def _date(text: str, field: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InputError(f"expected YYYY-MM-DD, got {text!r}", field=field) from None


@register_app.command()
def search(text: Annotated[str, typer.Argument(help="Name, BIN or product code")] = "",
           limit: int = typer.Option(50, help="At most this many producers")) -> None:
    """Included producers and their goods, as the public search shows them."""
    from kzreg.platform.db import unit_of_work
    from kzreg.producers.service import search as run

    with unit_of_work() as session:
        typer.echo(json.dumps(run(session, text, limit=limit), ensure_ascii=False, indent=2))


@register_app.command()
def extract(bin: Annotated[str, typer.Argument(metavar="BIN")],
            out: Annotated[Path, typer.Option("--out", help="Where to write the PDF")],
            language: str = typer.Option("ru", help="kk, ru or en")) -> None:
    """Make the extract from the register (Art 51-1(8)) and write its PDF."""
    from kzreg.platform.actors import SYSTEM
    from kzreg.platform.db import unit_of_work
    from kzreg.producers.service import extract as make

    with unit_of_work() as session:
        document = make(session, SYSTEM, bin, language=language)
        out.write_bytes(document.pdf)
        typer.echo(f"document {document.id} ({document.uid}) -> {out}")


@register_app.command("appeal-window")
def appeal_window(ground: Annotated[str, typer.Argument(help="monitoring, software_monitoring, "
                                                        "own_application, liquidation, "
                                                        "reorganisation")],
                  excluded_on: Annotated[str, typer.Argument(metavar="DATE")],
                  as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """Where and until when an exclusion may be appealed (Art 51-2(5), Art 51-5(3))."""
    from kzreg.producers import register_law as rl

    try:
        the_ground = rl.Ground(ground)
    except ValueError:
        raise InputError(f"one of {[g.value for g in rl.Ground]}", field="GROUND") from None
    result = rl.appeal_window(the_ground, _date(excluded_on, "DATE"))
    typer.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2) if as_json
               else result.to_text())


@register_app.command("catalogue-check")
def catalogue_check(path: Annotated[Path, typer.Argument(metavar="FILE.yaml")]) -> None:
    """Check a catalogue of production conditions: each product's conditions and threshold
    (Art 51-7(2)-(3)) and that no version is more favourable than the one before (51-7(4))."""
    from kzreg.producers import register_law as rl

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise InputError(f"cannot read {path}: {exc}", field="FILE") from None
    versions = rl.load_catalogue(data.get("versions", []))
    for version in versions:
        typer.echo(f"{version.version}: from {version.effective}, "
                   f"{len(version.products)} products")
    typer.echo("ok: no version is more favourable than the one before (Art 51-7(4))")


@register_app.command()
def monitor(now: str = typer.Option(None, "--now", help="ISO instant (default: now)")) -> None:
    """Record each ended quarter without a monitoring run (Art 51-4(1))."""
    from kzreg.law.calendar import now_utc, to_utc
    from kzreg.platform.db import unit_of_work
    from kzreg.producers.service import monitoring_breaches

    instant = now_utc() if now is None else to_utc(dt.datetime.fromisoformat(now), field="now")
    with unit_of_work() as session:
        typer.echo(f"{monitoring_breaches(session, instant)} missed quarters recorded")


@register_app.command()
def events(path: Annotated[Path, typer.Argument(metavar="FILE", help=(
        "JSON (a list, or {\"events\": [...]}) or CSV with the columns bin, kind, date, "
        "source_ref, reorganisation_form, successor_bins (';'-separated)"))],
           user: str = typer.Option(None, "--as", help="Act as this user (default: the "
                                    "system, for the state register's feed)")) -> None:
    """Take notices of the state register of legal entities in one transaction: liquidation
    or reorganisation other than transformation removes the producer (Art 51-6)."""
    from kzreg.platform.actors import SYSTEM
    from kzreg.platform.db import unit_of_work
    from kzreg.platform.users import get_user
    from kzreg.producers import register_events as ev

    rows = _event_rows(path)
    with unit_of_work() as session:
        actor = SYSTEM if user is None else get_user(session, user).actor()
        for row, duplicate in ev.receive_batch(session, actor, rows):
            typer.echo(f"{row.source_ref}: {row.bin} {row.kind} {row.event_date}: "
                       + ("already received, unchanged" if duplicate else row.outcome)
                       + (" (flagged for review)" if row.review and not duplicate else ""))


def _event_rows(path: Path) -> list[tuple[str, dict]]:
    import csv
    import io

    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror}", field="FILE") from None
    if path.suffix.lower() == ".csv":
        reader = csv.DictReader(io.StringIO(text))
        if not reader.fieldnames or not {"bin", "kind", "date", "source_ref"} <= set(
                reader.fieldnames):
            raise InputError("the CSV header names bin, kind, date, source_ref", field="FILE")
        return [(f"line {n}", dict(row)) for n, row in enumerate(reader, start=2)]
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise InputError(f"not JSON: {exc}", field="FILE") from None
    items = data.get("events") if isinstance(data, dict) else data
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise InputError("a list of event objects", field="FILE")
    return [(f"events.{n}", item) for n, item in enumerate(items)]


# --- incentives and industrial contracts (kzreg.producers.incentives_cli) -----------------------
from kzreg.producers.cases_cli import mount_contracts, mount_incentives, plans_app  # noqa: E402
from kzreg.producers.incentives_cli import contracts_app, incentives_app  # noqa: E402

mount_incentives(incentives_app)   # list, show, apply, act, decision on the stored cases
mount_contracts(contracts_app)     # list, show, enter, year on the register of contracts
app.add_typer(incentives_app, name="incentives")
app.add_typer(contracts_app, name="contracts")
app.add_typer(plans_app, name="plans")
