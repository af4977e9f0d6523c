"""Shared pieces of the defense rules: citations to Law 236-VI and its dated provisions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from functools import cache
from importlib import resources
from typing import Any

import yaml

from kzreg.law.acts import explain_provision_in_force
from kzreg.law.citations import Citation, cite
from kzreg.law.errors import InputError
from kzreg.law.explain import Trace
from kzreg.law.numbers import exact

LAW = "law-236-VI"


def art(locator: str) -> Citation:
    """A citation to Law 236-VI: art("Art 20 p.10")."""
    return cite(LAW, locator)


def money(value: Any) -> Decimal:
    """An exact amount of money (a pydantic validator: errors are ValueErrors); it may be
    negative, e.g. a change of price."""
    if isinstance(value, float):
        raise ValueError("money is given as text or an integer, not a binary float")
    try:
        number = exact(value)
    except InputError as exc:
        raise ValueError(exc.message) from None
    if not isinstance(number, Decimal):
        raise ValueError("money is a decimal amount, not a fraction")
    return number


@cache
def data(name: str) -> Any:
    """A table of the defense room (`kzreg/defense/data/<name>.yaml`)."""
    text = (resources.files("kzreg.defense") / "data" / f"{name}.yaml").read_text("utf-8")
    return yaml.safe_load(text)


def in_force(provision: str, on: dt.date, trace: Trace) -> bool | None:
    """Whether a provision of the Law applied on `on` (None: cannot tell), as a trace step."""
    result = explain_provision_in_force(LAW, provision, on)
    return trace.step(f"{provision} in force on {on.isoformat()}?", result.value,
                      citation=art("Art 32 p.1"))
