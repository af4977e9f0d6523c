"""`kzreg id` — check BIN/IIN numbers, FEACN codes and countries; prints JSON."""

from __future__ import annotations

from typing import Annotated

import typer

from kzreg.commands._common import echo_json, parse_date
from kzreg.law.identifiers import FeacnCode, check_id, country, origin_class

app = typer.Typer(help="Identifiers: BIN/IIN numbers, FEACN (ТН ВЭД ЕАЭС) codes, countries.",
                  no_args_is_help=True)


@app.command("check")
def check(number: Annotated[str, typer.Argument(help="A 12-digit BIN or IIN.")]) -> None:
    """Check a BIN or IIN and decode it; exit 2 if it is not valid."""
    result = check_id(number)
    echo_json(result.to_dict())
    if not result.valid:
        typer.echo(f"error: {result.reason}", err=True)
        raise typer.Exit(2)


@app.command("feacn")
def feacn(
    code: Annotated[str, typer.Argument(help="A FEACN code: 2, 4, 6, 8 or 10 digits.")],
    group: Annotated[list[str] | None, typer.Option(
        "--group", "-g", help="A group to match by prefix (2-10 digits); repeatable.")] = None,
) -> None:
    """Normalise a FEACN code and match it against groups (prefixes)."""
    parsed = FeacnCode.parse(code, field="code")
    out: dict[str, object] = {"code": parsed.digits, "formatted": str(parsed),
                              "level": parsed.level}
    if group:
        rows = []
        for text in group:
            g = FeacnCode.parse(text, field="--group", prefix=True)
            row: dict[str, object] = {"group": g.digits, "matches": parsed.matches(g)}
            if len(g.digits) % 2:
                row["note"] = (f"{len(g.digits)}-digit group (not a 2/4/6/8/10-digit "
                               "code): matched as a prefix")
            rows.append(row)
        out["groups"] = rows
        out["in_group"] = any(row["matches"] for row in rows)
    echo_json(out)


@app.command("country")
def country_info(
    code: Annotated[str, typer.Argument(help="ISO 3166-1 alpha-2 code, e.g. KZ.")],
    on: Annotated[str | None, typer.Option(
        help="The date (YYYY-MM-DD) for EAEU membership; default today in Almaty.")] = None,
) -> None:
    """A country's names, EAEU membership on a date and origin class for assembly scoring."""
    day = parse_date(on, "--on")
    found = country(code, field="code")
    echo_json({"code": found.code, "name_en": found.name_en, "name_ru": found.name_ru,
               "on": day, "eaeu_member": found.is_eaeu_member(day),
               "eaeu_member_since": found.eaeu_since, "eaeu_basis": found.eaeu_basis,
               "origin_class": origin_class(found.code, day)})
