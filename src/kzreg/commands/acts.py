"""`kzreg acts …`: the acts the system knows, their versions and whether they were in force."""

from __future__ import annotations

import datetime as dt

import typer

from kzreg.commands._common import iso_date
from kzreg.law import acts as registry

app = typer.Typer(no_args_is_help=True, help="The acts the system knows: dates, amendments, "
                                             "whether in force on a date and why.")


def parse_day(text: str | None, field: str = "on") -> dt.date | None:
    """An ISO date from the command line, or None when the option is not given."""
    return None if text is None else iso_date(text, field)


def _yes_no(value: bool | None) -> str:
    return {True: "yes", False: "no", None: "unknown"}[value]


@app.command("list")
def list_acts() -> None:
    """Every act in the registry, with its entry into force."""
    rows = [("ID", "SHORT NAME", "KIND", "ADOPTED", "IN FORCE FROM")]
    for act in registry.all_acts():
        start = registry.entry_into_force(act.id)
        rows.append((act.id, act.short, act.kind,
                     act.adopted.isoformat() if act.adopted else "?", str(start)))
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    for row in rows:
        cells = (cell.ljust(width) for cell, width in zip(row[:4], widths, strict=True))
        typer.echo("  ".join(cells) + "  " + row[4])


@app.command("show")
def show(act_id: str = typer.Argument(..., help="act id, e.g. order-407"),
         on: str | None = typer.Option(None, "--on", help="date YYYY-MM-DD: in force then? "
                                                           "which version?")) -> None:
    """An act's dates and amendments; with --on, whether it was in force that day and why."""
    day = parse_day(on)
    act = registry.get_act(act_id)
    echo = typer.echo
    echo(f"{act.short} — {act.title}")
    if act.title_ru:
        echo(f"  ru: {act.title_ru}")
    echo(f"  id: {act.id}   kind: {act.kind}   number: {act.number or '?'}")
    echo(f"  adopted: {act.adopted.isoformat() if act.adopted else '?'}"
         + (f"   by: {act.issuer}" if act.issuer else ""))
    if act.registration_date:
        echo(f"  registered with the Ministry of Justice: {act.registration_date.isoformat()} "
             f"No {act.registration_number}")
    if act.seed:
        echo(f"  text: shared/seeds/{act.seed}")
    for basis in act.rests_on:
        echo(f"  issued under: {basis}")
    pub = registry.publication(act.id)
    echo(f"  first official publication: "
         f"{pub.date.isoformat() if pub.date else 'unknown'}"
         + ("" if pub.verified and pub.date else f" ({pub.note})"))
    start = registry.entry_into_force(act.id)
    clause = f" [{start.citation}]" if start.citation else ""
    echo(f"  in force from: {start}{clause} — {start.rule}")
    end = registry.abolition(act.id)
    if end is not None and act.abolished is not None:
        echo(f"  abolished by {registry.get_act(act.abolished.by).label} from: {end} "
             f"— {end.rule}")
    for own in act.provisions + act.suspensions:
        kind, rule = ("from", own.effective) if own.effective else ("until", own.until)
        if rule is not None:
            eff = registry.resolve(rule, act.id)
            echo(f"  {', '.join(own.provisions)}: {kind} {eff} [{act.short}, {own.clause}]")
    changes = list(registry.iter_dated_changes(act.id))
    if changes:
        echo("  amendments:")
        for change in changes:
            echo(f"    {change.label}: {change.action} {', '.join(change.provisions)} — "
                 f"effective {change.effective}")
    flags = registry.unverified_dates(act.id)
    if flags:
        echo("  unknown or unverified dates:")
        for line in flags:
            echo(f"    ! {line}")
    if act.note:
        echo(f"  note: {act.note}")
    if day is None:
        return
    echo("")
    version = registry.version_on(act.id, day)
    echo(f"On {day.isoformat()}: in force: {_yes_no(version.in_force)}; version: {version.label}")
    echo(registry.explain_in_force(act.id, day).to_text())
    if version.pending:
        echo("  not yet in force on that day (the seed shows the later wording):")
        for change in version.pending:
            echo(f"    {change.label}: {change.action} {', '.join(change.provisions)} "
                 f"from {change.effective}")
    for title, items in (("provisions not yet in force", version.not_yet_in_force),
                         ("provisions no longer in force", version.no_longer_in_force)):
        if items:
            echo(f"  {title}: {', '.join(items)}")
    for note in version.notes:
        echo(f"  note: {note}")
    echo(f"  seed wording applies in full: {_yes_no(version.seed_wording)}")


@app.command("provision")
def provision(act_id: str = typer.Argument(..., help="act id, e.g. law-86-VII"),
              name: str = typer.Argument(..., help="provision, e.g. 'Art 51-1'"),
              on: str = typer.Option(..., "--on", help="date YYYY-MM-DD")) -> None:
    """Was one provision in force on a date? (for provisions with their own dates)"""
    day = parse_day(on)
    assert day is not None  # --on is required
    typer.echo(registry.explain_provision_in_force(act_id, name, day).to_text())


@app.command("doc")
def doc() -> None:
    """Print docs/acts.md as generated from the registry."""
    from kzreg.law.acts_doc import render

    typer.echo(render(), nl=False)
