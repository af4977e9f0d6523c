"""Declaring a case type: states, transitions (who may fire them, on which rule) and deadlines.

A module declares its case types once, at import, and registers them:

    AGREEMENT = register_case_type(CaseType(
        name="assembly.agreement", title="Industrial assembly agreement",
        states=[
            State("submitted", "Application submitted", deadlines=[
                DeadlineSpec("decide", "10 working days", cite("order-493", "Rules §13"),
                             on_expiry="deemed_refused", title="The authorized body decides"),
            ]),
            State("agreed", "Agreement signed", final=True),
            State("refused", "Refused", final=True),
        ],
        transitions=[
            Transition("agree", "submitted", "agreed", roles={Role.INDUSTRY_OFFICER},
                       guard=eligible, citation=cite("order-493", "Rules §14")),
            Transition("deemed_refused", "submitted", "refused", roles={Role.SYSTEM},
                       citation=cite("order-493", "Rules §13")),
        ],
    ))

The first state is where a case opens (or name it with `initial=`). Every mistake a module
can make in a declaration (unknown state, unreachable state, duplicate name, a dead end, a
deadline that does not parse, an expiry transition that cannot fire) raises
`CaseTypeError` at import, not in front of a user.
"""

from __future__ import annotations

import datetime as dt
import importlib
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from kzreg.law.citations import Citation
from kzreg.law.explain import Explained
from kzreg.platform.actors import Role

# guard(case, payload, as_of) -> Explained[bool] | bool | None; refusing = False or raising
# LegalRuleError. `as_of` is the Almaty date of the act, for rules that depend on the date.
Guard = Callable[[Any, Any, dt.date], "Explained[bool] | bool | None"]
# effect(case, payload, as_of): updates case.data as part of the same transition
Effect = Callable[[Any, Any, dt.date], None]


class CaseTypeError(ValueError):
    """A case type is declared wrongly (a programming mistake caught at import)."""


@dataclass(frozen=True)
class DeadlineSpec:
    """A deadline a state starts: `duration` is read by `kzreg.law.calendar.Duration.parse`
    ("10 working days", "24 hours", "30 calendar days", "1 month"). When it passes, the
    worker fires `on_expiry` (a transition from this state) or, if None, records a breach."""

    name: str
    duration: str
    citation: Citation
    on_expiry: str | None = None
    title: str = ""  # what must happen before the deadline


@dataclass(frozen=True)
class State:
    name: str
    title: str = ""
    final: bool = False
    deadlines: tuple[DeadlineSpec, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "deadlines", tuple(self.deadlines))


@dataclass(frozen=True)
class Transition:
    name: str
    source: str | tuple[str, ...]
    target: str
    roles: frozenset[Role] = frozenset()
    guard: Guard | None = None
    citation: Citation | None = None
    title: str = ""
    payload: type[BaseModel] | None = None  # validates what the actor sends
    effect: Effect | None = None

    def __post_init__(self) -> None:
        sources = (self.source,) if isinstance(self.source, str) else tuple(self.source)
        object.__setattr__(self, "source", sources)
        roles = (self.roles,) if isinstance(self.roles, str) else self.roles
        try:
            object.__setattr__(self, "roles", frozenset(Role(r) for r in roles))
        except ValueError as exc:
            raise CaseTypeError(f"transition {self.name!r}: {exc}") from None

    @property
    def sources(self) -> tuple[str, ...]:
        return self.source  # type: ignore[return-value]  # normalized in __post_init__


@dataclass(frozen=True)
class CaseType:
    name: str
    title: str
    states: tuple[State, ...]
    transitions: tuple[Transition, ...]
    initial: str | None = None
    # roles that may see cases of this type (within their scope); None: every role.
    # Roles named in transitions, auditors and the system are always added.
    viewers: frozenset[Role] | None = None
    # roles that may open a case of this type; None: every role but auditors
    openers: frozenset[Role] | None = None
    _states: dict[str, State] = field(default_factory=dict, init=False, repr=False,
                                      compare=False)
    _transitions: dict[str, Transition] = field(default_factory=dict, init=False,
                                                repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "states", tuple(self.states))
        object.__setattr__(self, "transitions", tuple(self.transitions))
        if self.initial is None and self.states:
            object.__setattr__(self, "initial", self.states[0].name)
        if self.viewers is not None:
            roles = {Role(r) for r in self.viewers} | {Role.AUDITOR, Role.SYSTEM}
            for t in self.transitions:
                roles |= t.roles
            object.__setattr__(self, "viewers", frozenset(roles))
        if self.openers is not None:
            object.__setattr__(self, "openers", frozenset(Role(r) for r in self.openers))
        _validate(self)
        self._states.update({s.name: s for s in self.states})
        self._transitions.update({t.name: t for t in self.transitions})

    def state(self, name: str) -> State:
        return self._states[name]

    def transition(self, name: str) -> Transition | None:
        return self._transitions.get(name)

    def transitions_from(self, state: str) -> list[Transition]:
        return [t for t in self.transitions if state in t.sources]

    def deadline(self, state: str, name: str) -> DeadlineSpec | None:
        found = self._states.get(state)
        return next((d for d in found.deadlines if d.name == name), None) if found else None

    def expiry_transitions(self) -> frozenset[str]:
        return frozenset(d.on_expiry for s in self.states for d in s.deadlines if d.on_expiry)


def _validate(ct: CaseType) -> None:
    def fail(msg: str) -> None:
        raise CaseTypeError(f"case type {ct.name!r}: {msg}")

    if not ct.name or len(ct.name) > 60 or not ct.states:
        fail("needs a name (up to 60 characters) and at least one state")
    if ct.openers is not None and Role.AUDITOR in ct.openers:
        fail("auditors read, they never open cases")
    states = {s.name: s for s in ct.states}
    _unique([s.name for s in ct.states], "state", fail)
    _unique([t.name for t in ct.transitions], "transition", fail)
    if ct.initial not in states:
        fail(f"initial state {ct.initial!r} is not declared")
    expiring = ct.expiry_transitions()
    for t in ct.transitions:
        if not t.roles and t.name not in expiring:
            fail(f"transition {t.name!r}: no role may fire it")
        for name in (*t.sources, t.target):
            if name not in states:
                fail(f"transition {t.name!r} names unknown state {name!r}")
        for name in t.sources:
            if states[name].final:
                fail(f"transition {t.name!r} leaves final state {name!r}")
        if not t.sources:
            fail(f"transition {t.name!r} has no source state")
        if Role.AUDITOR in t.roles:
            fail(f"transition {t.name!r}: auditors read, they never act")
        if t.payload is not None and not (isinstance(t.payload, type)
                                          and issubclass(t.payload, BaseModel)):
            fail(f"transition {t.name!r}: payload must be a pydantic model class")
    for s in ct.states:
        if s.final and s.deadlines:
            fail(f"final state {s.name!r} cannot start deadlines")
        if not s.final and not any(s.name in t.sources for t in ct.transitions):
            fail(f"state {s.name!r} is not final but no transition leaves it")
        _unique([d.name for d in s.deadlines], f"deadline in state {s.name!r}", fail)
        for d in s.deadlines:
            _validate_deadline(ct, s, d, fail)
    reached, todo = {ct.initial}, [ct.initial]
    while todo:
        here = todo.pop()
        for t in ct.transitions:
            if here in t.sources and t.target not in reached:
                reached.add(t.target)
                todo.append(t.target)
    if unreachable := [s.name for s in ct.states if s.name not in reached]:
        fail(f"unreachable state(s) {', '.join(unreachable)}")


def _validate_deadline(ct: CaseType, s: State, d: DeadlineSpec, fail) -> None:
    from kzreg.law.calendar import Duration

    if not isinstance(d.citation, Citation):
        fail(f"deadline {d.name!r} in state {s.name!r} needs its citation")
    try:
        Duration.parse(d.duration)
    except Exception as exc:
        fail(f"deadline {d.name!r}: duration {d.duration!r} does not parse ({exc})")
    if d.on_expiry is not None:
        t = next((t for t in ct.transitions if t.name == d.on_expiry), None)
        if t is None or s.name not in t.sources:
            fail(f"deadline {d.name!r}: on_expiry {d.on_expiry!r} is not a transition "
                 f"from state {s.name!r}")
        if t.payload is not None:
            try:
                t.payload.model_validate({})
            except Exception:
                fail(f"transition {t.name!r} fires on expiry, so its payload model must "
                     "accept an empty payload")


def _unique(names: Iterable[str], what: str, fail) -> None:
    seen: set[str] = set()
    for name in names:
        if not name or not isinstance(name, str):
            fail(f"{what} needs a name")
        if name in seen:
            fail(f"duplicate {what} {name!r}")
        seen.add(name)


_REGISTRY: dict[str, CaseType] = {}


def register_case_type(ct: CaseType, *, replace: bool = False) -> CaseType:
    """Make a case type known (at import of its module); the same name twice is an error."""
    if not replace and ct.name in _REGISTRY and _REGISTRY[ct.name] is not ct:
        raise CaseTypeError(f"case type {ct.name!r} is registered twice")
    _REGISTRY[ct.name] = ct
    return ct


def get_case_type(name: str) -> CaseType:
    from kzreg.law.errors import NotFound

    try:
        return _REGISTRY[name]
    except KeyError:
        raise NotFound(f"unknown case type {name!r}", field="case_type") from None


def case_types() -> list[CaseType]:
    return sorted(_REGISTRY.values(), key=lambda ct: ct.name)


# Modules whose import registers case types, besides the rooms' `workflow` modules
# (found by convention, kzreg.platform.plugins).
CASE_TYPE_MODULES: tuple[str, ...] = ()
EXTRA_MODULES_ENV = "KZREG_EXTRA_MODULES"  # comma-separated, e.g. tests' sample case types


def load_case_types() -> list[CaseType]:
    """Import every module that declares case types (the worker needs them all)."""
    extra = [m.strip() for m in os.environ.get(EXTRA_MODULES_ENV, "").split(",") if m.strip()]
    from kzreg.platform.plugins import room_module_names

    for module in (*CASE_TYPE_MODULES, *room_module_names("workflow"), *extra):
        importlib.import_module(module)
    return case_types()
