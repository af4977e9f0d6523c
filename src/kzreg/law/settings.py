"""Named settings: what an act leaves open, decided once and written down.

Where an act is silent, garbled or contradicts itself, the system does not guess in code:
it reads a named setting from `law/data/settings/*.yaml`. Each setting has a default value,
the clause it concerns, the gap, the reason for the default, and an entry in
`docs/decisions.md` (tests keep the two in step). A deployment may override values with a
YAML file named by `KZREG_SETTINGS_FILE`; `override()` does it for what-if runs and tests.

Entry format (the key is the setting's name, `<module>.<name>`):

    escort.signal_loss_threshold_hours:
      value: 3
      type: int                      # int | decimal | bool | str | duration | date | list
      choices: [..]                  # optional, for enumerated settings
      act: order-407
      locator: Rules §3(8)
      gap: the text says "more than 3 hours" but not how the boundary is measured
      reason: strictly greater than 3 h 00 min 00 s of silence, as written
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
from collections.abc import Iterator
from dataclasses import dataclass, replace
from decimal import Decimal
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from kzreg.law.citations import Citation
from kzreg.law.errors import InputError, NotFound
from kzreg.law.explain import ParameterUse

TYPES = ("int", "decimal", "bool", "str", "duration", "date", "list", "map")


@dataclass(frozen=True)
class Setting:
    name: str
    value: Any
    type: str
    citation: Citation | None
    gap: str
    reason: str
    choices: tuple[Any, ...] = ()
    default: Any = None

    def use(self) -> ParameterUse:
        """This setting as a line of an explanation."""
        return ParameterUse(self.name, self.value, source=self.citation, kind="setting")


def _coerce(name: str, kind: str, raw: Any) -> Any:
    try:
        if kind == "int" and not isinstance(raw, (bool, float)):
            number = int(raw)
            if isinstance(raw, str) or number == raw:  # never truncate 3.5 (or Decimal) to 3
                return number
        if kind == "decimal" and not isinstance(raw, (bool, float)):
            return Decimal(str(raw))
        if kind == "bool" and isinstance(raw, bool):
            return raw
        if kind in ("str", "duration") and isinstance(raw, str):
            return raw
        if kind == "date":
            return raw if isinstance(raw, dt.date) else dt.date.fromisoformat(str(raw))
        if kind == "list" and isinstance(raw, list):
            return tuple(raw)
        if kind == "map" and isinstance(raw, dict):
            return dict(raw)
    except (TypeError, ValueError, ArithmeticError):
        pass
    raise InputError(f"value {raw!r} is not a valid {kind}", field=f"settings.{name}")


def _parse(name: str, entry: dict[str, Any]) -> Setting:
    kind = entry.get("type", "str")
    if kind not in TYPES:
        raise InputError(f"unknown type {kind!r}", field=f"settings.{name}.type")
    value = _coerce(name, kind, entry["value"])
    citation = Citation(entry["act"], str(entry.get("locator", ""))) if entry.get("act") else None
    choices = tuple(entry.get("choices") or ())
    if choices and value not in choices:
        raise InputError(f"{value!r} is not one of {list(choices)}", field=f"settings.{name}")
    return Setting(name, value, kind, citation, str(entry.get("gap", "")).strip(),
                   str(entry.get("reason", "")).strip(), choices, value)


@cache
def _defaults() -> dict[str, Setting]:
    found: dict[str, Setting] = {}
    folder = resources.files("kzreg.law") / "data" / "settings"
    for item in sorted(folder.iterdir(), key=lambda p: p.name):
        if not item.name.endswith(".yaml"):
            continue
        for name, entry in (yaml.safe_load(item.read_text(encoding="utf-8")) or {}).items():
            if name in found:
                raise ValueError(f"setting {name} defined twice ({item.name})")
            found[name] = _parse(name, entry)
    return found


_overrides: dict[str, Any] = {}


@cache
def _file_overrides(path: str) -> dict[str, Any]:
    """The deployment's overrides; a misspelt name fails loudly instead of being ignored."""
    if not path:
        return {}
    field = "KZREG_SETTINGS_FILE"
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror}", field=field) from None
    except yaml.YAMLError as exc:
        raise InputError(f"{path} is not valid YAML: {exc}", field=field) from None
    if not isinstance(data, dict):
        raise InputError(f"{path} must map setting names to values", field=field)
    unknown = sorted(str(name) for name in set(data) - set(_defaults()))
    if unknown:
        raise NotFound(f"{path} names unknown settings: {', '.join(unknown)}", field=field)
    return data


def get_setting(name: str) -> Setting:
    try:
        base = _defaults()[name]
    except KeyError:
        raise NotFound(f"no setting {name!r}", field="setting") from None
    raw = _overrides.get(name, _file_overrides(os.environ.get("KZREG_SETTINGS_FILE", "")).get(
        name, base.default))
    if raw is base.default:
        return base
    value = _coerce(name, base.type, raw)
    if base.choices and value not in base.choices:
        raise InputError(f"{value!r} is not one of {list(base.choices)}", field=f"settings.{name}")
    return replace(base, value=value)


def setting(name: str) -> Any:
    """The value of a named setting (with any override applied)."""
    return get_setting(name).value


def all_settings() -> list[Setting]:
    return [get_setting(name) for name in sorted(_defaults())]


@contextlib.contextmanager
def override(**values: Any) -> Iterator[None]:
    """Temporarily set settings (names with `__` for `.`): override(escort__x=1)."""
    saved = dict(_overrides)
    _overrides.update({k.replace("__", "."): v for k, v in values.items()})
    try:
        for name in values:
            get_setting(name.replace("__", "."))  # validate now, not at first use
        yield
    finally:
        _overrides.clear()
        _overrides.update(saved)
