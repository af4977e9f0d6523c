"""Every value Law 86-VII leaves to secondary rules is a named setting with its source.

The digest (spec-industrial-policy.md, section 6) lists 38 such values; issue 7 asks that each
be a setting. The map is the table "The 38 values left to secondary rules" in
docs/producers-cases.md: item number, what, setting(s), clause. This test reads that table.
"""

import re
from pathlib import Path

import pytest

from kzreg.law.settings import all_settings

DOC = Path(__file__).resolve().parents[3] / "docs" / "producers-cases.md"
SETTINGS = {s.name: s for s in all_settings()}


def table_rows() -> dict[int, tuple[tuple[str, ...], str]]:
    """Item number -> (setting names in the order written, the clause cell)."""
    text = DOC.read_text(encoding="utf-8")
    section = text.split("## The 38 values left to secondary rules", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 4 and cells[0].isdigit():
            assert int(cells[0]) not in rows, f"item {cells[0]} written twice"
            rows[int(cells[0])] = (tuple(re.findall(r"`([^`]+)`", cells[2])), cells[3])
    return rows


ROWS = table_rows()


def test_the_table_has_the_digests_38_items_in_order():
    assert list(ROWS) == list(range(1, 39))


@pytest.mark.parametrize("item", sorted(ROWS))
def test_each_item_names_settings_that_exist_with_their_clause(item):
    names, clause = ROWS[item]
    assert names, f"item {item} names no setting"
    for name in names:
        assert name in SETTINGS, f"item {item}: no setting {name}"
        citation = SETTINGS[name].citation
        assert citation is not None and citation.locator, f"{name}: no locator"
        assert citation.locator in clause, f"item {item}: {name} cites {citation.locator}"


@pytest.mark.parametrize("item", sorted(ROWS))
def test_a_setting_naming_a_digest_item_names_its_own(item):
    """Settings added for this map say whose rules fill them and which digest item that is."""
    for name in ROWS[item][0]:
        cited = re.findall(r"digest item (\d+)", SETTINGS[name].reason)
        assert all(int(n) == item for n in cited), f"{name} names digest item {cited}"
