"""Every open question of the acts is a named setting, and every setting is written down.

docs/decisions.md and the files under docs/decisions/ (one per part, so parts can be
written side by side) hold one entry per setting, headed by its name in backticks; each
setting states the gap it decides and the reason, and cites a clause of an act in the
registry.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kzreg.law.acts import get_act
from kzreg.law.errors import NotFound
from kzreg.law.settings import all_settings

DOCS = Path(__file__).resolve().parents[2] / "docs"
DECISIONS = [DOCS / "decisions.md", *sorted((DOCS / "decisions").glob("*.md"))]
SETTINGS = {s.name: s for s in all_settings()}
MODULES = {name.split(".", 1)[0] for name in SETTINGS} | {
    "escort", "assembly", "risk", "producers", "defense", "calendar", "acts"}
NAME = re.compile(r"^[a-z][a-z0-9]*\.[a-z0-9_]+$")


def decisions_text() -> str:
    return "\n".join(path.read_text(encoding="utf-8") for path in DECISIONS)


def headings() -> set[str]:
    return set(re.findall(r"^#{2,4} `([^`]+)`\s*$", decisions_text(), flags=re.M))


def named_in_decisions() -> set[str]:
    """Every backticked `module.name` of a settings module mentioned in the document."""
    spans = re.findall(r"`([^`\n]+)`", decisions_text())
    return {s for s in spans if NAME.match(s) and s.split(".", 1)[0] in MODULES}


def test_there_are_settings_for_each_act_module() -> None:
    for module in ("escort", "assembly", "risk", "producers", "defense"):
        assert any(name.startswith(module + ".") for name in SETTINGS), module


@pytest.mark.parametrize("name", sorted(SETTINGS))
def test_setting_has_an_entry_in_decisions(name: str) -> None:
    assert name in headings(), f"docs/decisions.md has no entry headed `{name}`"


@pytest.mark.parametrize("name", sorted(SETTINGS))
def test_setting_states_gap_and_reason(name: str) -> None:
    s = SETTINGS[name]
    assert s.gap.strip(), f"{name}: empty gap"
    assert s.reason.strip(), f"{name}: empty reason"


@pytest.mark.parametrize("name", sorted(SETTINGS))
def test_setting_cites_a_known_act(name: str) -> None:
    citation = SETTINGS[name].citation
    assert citation is not None, f"{name}: no act/locator"
    try:
        get_act(citation.act)
    except NotFound:
        pytest.fail(f"{name}: act id {citation.act!r} is not in the acts registry")


def test_every_setting_named_in_decisions_exists() -> None:
    unknown = sorted(named_in_decisions() - set(SETTINGS))
    assert not unknown, f"docs/decisions.md names settings that do not exist: {unknown}"


def test_each_entry_appears_once() -> None:
    found = re.findall(r"^#{2,4} `([^`]+)`\s*$", decisions_text(), flags=re.M)
    duplicates = sorted({n for n in found if found.count(n) > 1})
    assert not duplicates, f"entries written twice: {duplicates}"


def test_unset_values_say_the_system_refuses() -> None:
    """A value the acts leave to a secondary act we lack is never invented."""
    for s in SETTINGS.values():
        if s.value == "unset":
            assert s.type == "str", s.name
            assert "administrator" in s.reason, \
                f"{s.name}: an unset value must say what happens until an administrator loads it"
