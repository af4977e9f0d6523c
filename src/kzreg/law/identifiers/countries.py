"""Countries (ISO 3166-1 alpha-2) and membership of the Eurasian Economic Union by date.

The data, with the treaties behind each membership date, is `kzreg/law/data/countries.yaml`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, Literal

import yaml

from kzreg.law.errors import InputError, NotFound

OriginClass = Literal["KZ", "EAEU", "OTHER"]


@dataclass(frozen=True)
class Country:
    code: str
    name_en: str
    name_ru: str
    eaeu_since: dt.date | None = None
    eaeu_until: dt.date | None = None
    eaeu_basis: str | None = None

    def is_eaeu_member(self, on: dt.date) -> bool:
        on = _as_date(on)
        return (self.eaeu_since is not None and self.eaeu_since <= on
                and (self.eaeu_until is None or on < self.eaeu_until))


@cache
def _countries() -> dict[str, Country]:
    text = (resources.files("kzreg.law") / "data" / "countries.yaml").read_text("utf-8")
    raw = yaml.safe_load(text)
    eaeu = raw.get("eaeu") or {}
    result = {}
    for code, (name_en, name_ru) in raw["countries"].items():
        code = str(code)
        member = eaeu.get(code) or {}
        result[code] = Country(code, name_en, name_ru, member.get("since"),
                               member.get("until"), member.get("basis"))
    unknown = set(map(str, eaeu)) - set(result)
    if unknown:  # a typo in the data file must not silently drop a member state
        raise ValueError(f"countries.yaml: EAEU members without a country: {unknown}")
    return result


def _as_date(on: Any, field: str = "on") -> dt.date:
    if isinstance(on, dt.datetime) or not isinstance(on, dt.date):
        raise InputError(f"expected a date, got {on!r}", field=field)
    return on


def country(code: str, field: str = "country") -> Country:
    """The country with this ISO 3166-1 alpha-2 code (case and spaces ignored)."""
    key = str(code).strip().upper()
    if len(key) != 2 or not (key.isascii() and key.isalpha()):
        raise InputError(f"expected an ISO 3166-1 alpha-2 code (two letters), got {code!r}",
                         field=field)
    try:
        return _countries()[key]
    except KeyError:
        raise NotFound(f"no country with ISO 3166-1 alpha-2 code {key!r}",
                       field=field) from None


def all_countries() -> list[Country]:
    return list(_countries().values())


def eaeu_members(on: dt.date) -> list[Country]:
    return [c for c in _countries().values() if c.is_eaeu_member(on)]


def is_eaeu_member(code: str, on: dt.date, field: str = "country") -> bool:
    """Was the country a member of the Eurasian Economic Union on that day?"""
    return country(code, field).is_eaeu_member(_as_date(on))


def origin_class(code: str, on: dt.date, field: str = "origin_country") -> OriginClass:
    """Where a component comes from, as the assembly scoring counts it: Kazakhstan,
    another EAEU member state on that day, or anywhere else."""
    found = country(code, field)
    if found.code == "KZ":
        return "KZ"
    return "EAEU" if found.is_eaeu_member(_as_date(on)) else "OTHER"
