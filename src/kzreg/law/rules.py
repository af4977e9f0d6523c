"""The registry of rules the modules define: callable by id, explainable, what-if-able.

A rule is a pure function `(inputs, as_of) -> Explained`. Registering it names its act
clause and its input schema (a pydantic model), so the CLI (`kzreg rules explain`) and the
API can run any rule on any date with validated input.

    @rule("escort.signal-loss", title="Signal lost for more than 3 hours",
          citation=cite("order-407", "Rules §3(8)"), inputs=SignalLossInput)
    def signal_loss(inp: SignalLossInput, as_of: date) -> Explained[bool]: ...
"""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError

from kzreg.law.citations import Citation
from kzreg.law.errors import InputError, NotFound
from kzreg.law.explain import Explained

# Modules whose import registers rules; the rooms' `rules` modules are found by
# convention (kzreg.platform.plugins).
RULE_MODULES: tuple[str, ...] = ("kzreg.law.kernel_rules",)

RuleFunction = Callable[[Any, dt.date], Explained]


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    citation: Citation
    inputs: type[BaseModel]
    function: RuleFunction

    @property
    def module(self) -> str:
        return self.id.split(".", 1)[0]

    def input_schema(self) -> dict[str, Any]:
        return self.inputs.model_json_schema()

    def run(self, data: Mapping[str, Any] | BaseModel, as_of: dt.date) -> Explained:
        """Validate `data`, run the rule on `as_of`, stamp the result with rule and date."""
        inp = data if isinstance(data, self.inputs) else parse_input(self.inputs, data)
        result = self.function(inp, as_of)
        return Explained(result.value, result.steps, self.id, as_of)


_REGISTRY: dict[str, Rule] = {}


def rule(rule_id: str, *, title: str, citation: Citation,
         inputs: type[BaseModel]) -> Callable[[RuleFunction], RuleFunction]:
    """Register a rule function under `rule_id` (`module.name`)."""

    def register(function: RuleFunction) -> RuleFunction:
        if rule_id in _REGISTRY and _REGISTRY[rule_id].function is not function:
            raise ValueError(f"rule {rule_id} registered twice")
        _REGISTRY[rule_id] = Rule(rule_id, title, citation, inputs, function)
        return function

    return register


def _load() -> None:
    from kzreg.platform.plugins import room_module_names

    for module in (*RULE_MODULES, *room_module_names("rules")):
        importlib.import_module(module)


def all_rules() -> list[Rule]:
    _load()
    return sorted(_REGISTRY.values(), key=lambda r: r.id)


def get_rule(rule_id: str) -> Rule:
    _load()
    try:
        return _REGISTRY[rule_id]
    except KeyError:
        raise NotFound(f"no rule {rule_id!r}; `kzreg rules list` shows them",
                       field="rule_id") from None


def parse_input(model: type[BaseModel], data: Any) -> BaseModel:
    """Validate input; the first problem becomes an InputError naming its field."""
    if not isinstance(data, Mapping):
        raise InputError("expected a JSON object", field="input")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "input"
        raise InputError(first["msg"], field=where) from None
