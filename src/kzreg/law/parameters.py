"""Dated parameters: values the law fixes for a period, with their source (after OpenFisca).

Each parameter is one YAML file in `law/data/parameters/` (the file name is its name):

    description: Monthly calculation index ...
    unit: KZT
    reference: {act: law-86-VII, locator: Art 63(2)}   # optional: where the acts use it
    values:
      - since: 2024-01-01
        until: 2024-12-31          # optional, inclusive; default: the day before the next value
        value: "3692"              # exact: a quoted string or an int, never a float
        source: {act: budget-2024, locator: MCI clause}
        verified: true             # false: the project could not source the value
        note: ...                  # optional

Several values may fall in one year (the MCI for social payments changed on 1 April 2022).
`get_parameter(name).at(day)` gives the `DatedValue` in force that day, or raises
`NotInForce` naming the date; `mci(day)` and `mci_amount(multiple, day)` are the shortcuts the
rooms use for thresholds written in MCI (Law 86-VII Arts 49, 63, 64; Order 493 R §7).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from functools import cache
from importlib import resources
from typing import Any

import yaml

from kzreg.law.citations import Citation, cite
from kzreg.law.errors import InputError, KzregError, NotFound, NotInForce
from kzreg.law.explain import Explained, ParameterUse, Trace
from kzreg.law.numbers import exact, fmt, to_decimal

_KEYS = {"description", "unit", "reference", "note", "values"}
_VALUE_KEYS = {"since", "until", "value", "source", "verified", "note"}


@dataclass(frozen=True)
class DatedValue:
    name: str
    value: Decimal
    since: dt.date
    until: dt.date | None          # last day it applies (inclusive); None: open-ended
    source: Citation
    verified: bool
    unit: str = ""
    note: str = ""

    def covers(self, day: dt.date) -> bool:
        return self.since <= day and (self.until is None or day <= self.until)

    def use(self) -> ParameterUse:
        """This value as a line of an explanation."""
        return ParameterUse(self.name, self.value, self.since, self.until, self.source,
                            self.verified)

    def __str__(self) -> str:
        until = self.until.isoformat() if self.until else "…"
        flag = "" if self.verified else " (UNVERIFIED)"
        return (f"{self.name} = {fmt(self.value)} {self.unit} [{self.since.isoformat()} – "
                f"{until}] ({self.source}){flag}")


@dataclass(frozen=True)
class Parameter:
    name: str
    description: str
    unit: str
    values: tuple[DatedValue, ...]
    reference: Citation | None = None
    note: str = ""

    def at(self, on: dt.date) -> DatedValue:
        """The value in force on `on`; NotInForce (naming the date) when none applies."""
        if isinstance(on, dt.datetime) or not isinstance(on, dt.date):
            raise InputError("expected a calendar date", field="on")
        for value in self.values:
            if value.covers(on):
                return value
        known = f"{self.values[0].since.isoformat()} – " + (
            self.values[-1].until.isoformat() if self.values[-1].until else "…")
        raise NotInForce(f"no value of parameter {self.name} applies on {on.isoformat()} "
                         f"(values known for {known})", field="on")


# --- loading and validation -----------------------------------------------------------

def _fail(where: str, message: str) -> InputError:
    return InputError(message, field=f"parameters.{where}")


def _day(raw: Any, where: str) -> dt.date:
    if isinstance(raw, dt.date) and not isinstance(raw, dt.datetime):
        return raw
    if isinstance(raw, str):
        try:
            return dt.date.fromisoformat(raw)
        except ValueError:
            pass
    raise _fail(where, f"expected an ISO date, got {raw!r}")


def _amount(raw: Any, where: str) -> Decimal:
    # YAML turns 3692.5 into a float: refuse it, the value must be written exactly.
    if isinstance(raw, bool) or not isinstance(raw, (str, int)):
        raise _fail(where, f"write the value as a quoted string or an integer, not {raw!r}")
    try:
        number = exact(raw, field=f"parameters.{where}")
    except KzregError as exc:
        raise _fail(where, exc.message) from None
    if isinstance(number, Fraction):
        raise _fail(where, "write the value in decimal notation")
    return number


def _citation(raw: Any, where: str) -> Citation:
    if not isinstance(raw, Mapping) or not raw.get("act"):
        raise _fail(where, "expected {act: <act id>, locator: <clause>}")
    try:
        return cite(str(raw["act"]), str(raw.get("locator", "")))
    except NotFound:
        raise _fail(where, f"unknown act {raw['act']!r}") from None


def parse_parameter(name: str, data: Any) -> Parameter:
    """Build a parameter from parsed YAML, checking everything (tests feed it bad data)."""
    if not isinstance(data, Mapping):
        raise _fail(name, "expected a mapping")
    unknown = set(data) - _KEYS
    if unknown:
        raise _fail(name, f"unknown keys {sorted(unknown)}")
    for key in ("description", "unit"):
        if not str(data.get(key) or "").strip():
            raise _fail(f"{name}.{key}", "is required")
    raw_values = data.get("values")
    if not isinstance(raw_values, list) or not raw_values:
        raise _fail(f"{name}.values", "expected a non-empty list")
    unit = str(data["unit"]).strip()
    values: list[DatedValue] = []
    for n, raw in enumerate(raw_values):
        where = f"{name}.values[{n}]"
        if not isinstance(raw, Mapping):
            raise _fail(where, "expected a mapping")
        unknown = set(raw) - _VALUE_KEYS
        if unknown:
            raise _fail(where, f"unknown keys {sorted(unknown)}")
        if not isinstance(raw.get("verified"), bool):
            raise _fail(f"{where}.verified", "say true or false: was the value sourced?")
        since = _day(raw.get("since"), f"{where}.since")
        until = _day(raw["until"], f"{where}.until") if raw.get("until") is not None else None
        if until is not None and until < since:
            raise _fail(f"{where}.until", "ends before it starts")
        if values:
            previous = values[-1]
            if since <= previous.since:
                raise _fail(f"{where}.since", "dates must be in ascending order without "
                                              f"duplicates ({since} after {previous.since})")
            if previous.until is not None and since <= previous.until:
                raise _fail(f"{where}.since", f"overlaps the value until {previous.until}")
            if previous.until is None:  # open-ended: runs until the day before this one
                values[-1] = DatedValue(previous.name, previous.value, previous.since,
                                        since - dt.timedelta(days=1), previous.source,
                                        previous.verified, previous.unit, previous.note)
        values.append(DatedValue(name, _amount(raw.get("value"), f"{where}.value"), since,
                                 until, _citation(raw.get("source"), f"{where}.source"),
                                 raw["verified"], unit, " ".join(str(raw.get("note", "")).split())))
    reference = _citation(data["reference"], f"{name}.reference") if data.get("reference") else None
    return Parameter(name, " ".join(str(data["description"]).split()), unit, tuple(values),
                     reference, " ".join(str(data.get("note", "")).split()))


@cache
def _parameters() -> dict[str, Parameter]:
    folder = resources.files("kzreg.law") / "data" / "parameters"
    found = {}
    for item in sorted(folder.iterdir(), key=lambda p: p.name):
        if item.name.endswith(".yaml"):
            name = item.name.removesuffix(".yaml")
            found[name] = parse_parameter(name, yaml.safe_load(item.read_text(encoding="utf-8")))
    return found


def get_parameter(name: str) -> Parameter:
    try:
        return _parameters()[name]
    except KeyError:
        raise NotFound(f"no parameter {name!r} (see `kzreg params list`)",
                       field="parameter") from None


def all_parameters() -> list[Parameter]:
    return list(_parameters().values())


# --- the monthly calculation index --------------------------------------------------

def mci(on: dt.date) -> DatedValue:
    """The MCI (for penalties, taxes and other payments) set for the year of `on`."""
    return get_parameter("mci").at(on)


def mci_amount(multiple: object, on: dt.date, *,
               basis: Citation | None = None) -> Explained[Decimal]:
    """`multiple` MCI in tenge on `on` (e.g. 700,000 MCI of fixed assets, Order 493 R §7).

    `basis` is the clause that states the threshold in MCI; the trace cites it and the
    budget law that set the MCI.
    """
    number = exact(multiple, field="multiple")
    if number < 0:
        raise InputError("must not be negative", field="multiple")
    trace = Trace(rule="parameters.mci_amount", as_of=on)
    value = mci(on)
    trace.step(f"MCI in force on {on.isoformat()}", value.value, citation=value.source,
               parameters=[value.use()])
    amount = to_decimal(Fraction(number) * Fraction(value.value)) if isinstance(
        number, Fraction) else number * value.value
    trace.step(f"{fmt(number)} MCI × {fmt(value.value)} {value.unit}", amount,
               citation=basis, inputs={"multiple": number})
    return trace.done(amount)
