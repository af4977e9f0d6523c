"""Secrecy of the state defense order: who may see what (Law 236-VI Art 25 sub 3, Art 3 sub 5).

The recipient sets the secrecy degree of order information (Art 25 sub 3) under the
state-secrets legislation, whose degrees the Law does not list. Levels are the platform's
clearance scale (`kzreg.platform.users.CLEARANCE_LEVELS`): 0 unclassified, 1 secret,
2 top secret, 3 of special importance. A person sees a level only if cleared to it.

The API both defense packages use is small:

- `can_see(clearance, level)` — the one comparison;
- `redact(record, actor, levels)` — a copy of a mapping with every field above the actor's
  clearance replaced by `WITHHELD` (field names stay, values and their lengths go);
- `guard(explained, actor, level)` — an explanation, or a stub saying only that it is
  withheld, so no trace step can leak a classified input.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from kzreg.law.citations import cite
from kzreg.law.errors import InputError
from kzreg.law.explain import Explained, Step

UNCLASSIFIED, SECRET, TOP_SECRET, SPECIAL_IMPORTANCE = 0, 1, 2, 3
LEVELS = {UNCLASSIFIED: "unclassified", SECRET: "secret", TOP_SECRET: "top secret",
          SPECIAL_IMPORTANCE: "of special importance"}
WITHHELD = "[withheld: classified]"
BASIS = cite("law-236-VI", "Art 25 sub 3")


class Cleared(Protocol):
    clearance: int


def level_of(value: Any, field: str = "secrecy_level") -> int:
    """A secrecy level from an int or its name ("secret"); anything else is an InputError."""
    if isinstance(value, bool):
        raise InputError("secrecy level must be 0..3 or a level name", field=field, citation=BASIS)
    if isinstance(value, int) and value in LEVELS:
        return value
    if isinstance(value, str):
        text = value.strip().lower()
        if text.isdigit() and int(text) in LEVELS:
            return int(text)
        for number, name in LEVELS.items():
            if text == name:
                return number
    raise InputError(f"unknown secrecy level {value!r}; one of 0..3 or "
                     f"{', '.join(LEVELS.values())}", field=field, citation=BASIS)


def can_see(clearance: int, level: int) -> bool:
    """Whether a person cleared to `clearance` may see information of `level`."""
    return int(clearance) >= level_of(level)


def redact(record: Mapping[str, Any], actor: Cleared,
           levels: Mapping[str, int] | None = None, *, record_level: int = 0) -> dict[str, Any]:
    """A copy of `record` showing only what `actor` is cleared for.

    Each field's level is the higher of `record_level` and `levels[field]`; nested mappings
    are redacted with the same levels under dotted names ("lines.price")."""
    levels = levels or {}
    out: dict[str, Any] = {}
    for name, value in record.items():
        level = max(level_of(record_level), level_of(levels.get(name, 0), name))
        if not can_see(actor.clearance, level):
            out[name] = WITHHELD
        elif isinstance(value, Mapping):
            inner = {k.split(".", 1)[1]: v for k, v in levels.items()
                     if k.startswith(name + ".")}
            out[name] = redact(value, actor, inner, record_level=level)
        else:
            out[name] = value
    return out


def guard(explained: Explained, actor: Cleared, level: int) -> Explained:
    """The explanation if `actor` is cleared for `level`; otherwise a stub with no inputs,
    outputs or value, only the clause that withholds it."""
    if can_see(actor.clearance, level):
        return explained
    step = Step("withheld: the result concerns information above the reader's clearance",
                BASIS)
    return Explained(WITHHELD, (step,), explained.rule, explained.as_of)


def record_read(session: Any, actor: Any, what: str, level: int) -> None:
    """Audit a read of classified information (level above 0) in the caller's transaction;
    unclassified reads are not logged. Call it before showing the record."""
    if level_of(level) == UNCLASSIFIED:
        return
    from kzreg.platform import audit

    audit.append(session, actor=actor, action="defense.classified_read", basis=BASIS,
                 data={"what": what, "level": level_of(level)})
