"""Explanations: every result carries the trace that produced it.

A `Trace` records steps as a rule runs; `trace.done(value)` returns an `Explained` with
the value and its steps. Each step names its clause, the inputs it read, the parameters
and settings it used (with their dates and sources) and its output. The same object
renders as text for the CLI (`to_text`) and as JSON for the API (`to_dict`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any, Generic, TypeVar

from kzreg.law.citations import Citation
from kzreg.law.numbers import fmt

T = TypeVar("T")


@dataclass(frozen=True)
class ParameterUse:
    """A dated parameter value or a named setting that a step relied on."""

    name: str
    value: Any
    since: dt.date | None = None
    until: dt.date | None = None
    source: Citation | str | None = None
    verified: bool = True
    kind: str = "parameter"  # or "setting"

    def __str__(self) -> str:
        period = ""
        if self.since or self.until:
            period = f" [{self.since or '…'} – {self.until or '…'}]"
        src = f"; source: {self.source}" if self.source else ""
        flag = "" if self.verified else " (UNVERIFIED)"
        return f"{self.kind} {self.name} = {_show(self.value)}{period}{src}{flag}"


@dataclass(frozen=True)
class Step:
    description: str
    citation: Citation | None = None
    inputs: Mapping[str, Any] = field(default_factory=dict)
    output: Any = None
    parameters: tuple[ParameterUse, ...] = ()


@dataclass(frozen=True)
class Explained(Generic[T]):
    value: T
    steps: tuple[Step, ...] = ()
    rule: str | None = None
    as_of: dt.date | None = None

    @property
    def citations(self) -> list[Citation]:
        seen: dict[str, Citation] = {}
        for step in self.steps:
            if step.citation is not None:
                seen.setdefault(step.citation.ref, step.citation)
        return list(seen.values())

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "value": jsonable(self.value),
            "basis": [c.to_dict() for c in self.citations],
            "trace": [jsonable(step) for step in self.steps],
        }

    def to_text(self) -> str:
        head = f"{self.rule}: " if self.rule else ""
        when = f" (as of {self.as_of.isoformat()})" if self.as_of else ""
        lines = [f"{head}{_show(self.value)}{when}"]
        for n, step in enumerate(self.steps, 1):
            basis = f"  [{step.citation}]" if step.citation else ""
            lines.append(f"{n:>3}. {step.description}{basis}")
            if step.inputs:
                given = ", ".join(f"{k}={_show(v)}" for k, v in step.inputs.items())
                lines.append(f"       inputs: {given}")
            for use in step.parameters:
                lines.append(f"       uses {use}")
            if step.output is not None:
                lines.append(f"       -> {_show(step.output)}")
        return "\n".join(lines)


class Trace:
    """Collects steps while a rule runs."""

    def __init__(self, rule: str | None = None, as_of: dt.date | None = None) -> None:
        self.rule = rule
        self.as_of = as_of
        self.steps: list[Step] = []

    def step(self, description: str, output: T = None, *, citation: Citation | None = None,
             inputs: Mapping[str, Any] | None = None,
             parameters: tuple[ParameterUse, ...] | list[ParameterUse] = ()) -> T:
        """Record a step and hand its output back, so rules read as straight-line code."""
        self.steps.append(Step(description, citation, dict(inputs or {}), output,
                               tuple(parameters)))
        return output

    def include(self, sub: Explained[T]) -> T:
        """Adopt the steps of a sub-result (another rule's explanation)."""
        self.steps.extend(sub.steps)
        return sub.value

    def done(self, value: T) -> Explained[T]:
        return Explained(value, tuple(self.steps), self.rule, self.as_of)


def jsonable(value: Any) -> Any:
    """Turn results into JSON-safe data without losing exactness (numbers as text)."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, (Decimal, Fraction)):
        return fmt(value)
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return str(value)
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, Citation):
        return value.to_dict()
    if isinstance(value, Explained):
        return value.to_dict()
    if isinstance(value, ParameterUse):
        data = {f.name: jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
        return data
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if hasattr(value, "model_dump"):
        return jsonable(value.model_dump())
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [jsonable(v) for v in value]
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _show(value: Any) -> str:
    if isinstance(value, (Decimal, Fraction)):
        return fmt(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return str(value.value)
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{k}: {_show(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_show(v) for v in value) + "]"
    return str(value)
