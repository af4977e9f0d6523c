"""Small helpers shared by the command modules: parsing dates and printing results."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import typer

from kzreg.law.errors import InputError
from kzreg.law.explain import jsonable


def iso_date(text: str, option: str) -> dt.date:
    """An ISO date from the command line, or an InputError naming the option."""
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise InputError(f"{text!r} is not a date (YYYY-MM-DD)", field=option) from None


def parse_date(text: str | None, option: str) -> dt.date:
    """An ISO date from the command line; today's Almaty date when not given."""
    if text is None:
        from kzreg.law.calendar import local_date, now_utc

        return local_date(now_utc())
    return iso_date(text, option)


def echo_json(data: Any) -> None:
    typer.echo(json.dumps(jsonable(data), ensure_ascii=False, indent=2))
