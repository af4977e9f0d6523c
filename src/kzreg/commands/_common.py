"""Small helpers shared by the command modules: parsing dates and printing results."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import typer

from kzreg.law.errors import InputError
from kzreg.law.explain import jsonable

_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)


def iso_date(text: str, option: str) -> dt.date:
    """A YYYY-MM-DD date from the command line, or an InputError naming the option.

    Only that form: Python also reads "20240301" and "2024-W09-5", which a typo could
    turn into a wrong but valid date."""
    cleaned = text.strip()
    try:
        if not _ISO_DATE.fullmatch(cleaned):
            raise ValueError(cleaned)
        return dt.date.fromisoformat(cleaned)
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
