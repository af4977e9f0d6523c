"""The scoring tables transcribed from Order 493 (R-App2, R-App3): counts, asterisks, points.

Every expected number here was read off the seed text (shared/seeds/000_…, Appendices 2 and
3), not from the YAML files.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from kzreg.assembly.tables import (
    VEHICLES,
    parse_table,
    select_table,
    table_for_vehicle,
    version_on,
    versions,
)
from kzreg.law.errors import InputError, LegalRuleError, NotFound
from kzreg.law.explain import Trace


def app2():
    return versions("R-App2")[-1]


def app3():
    return versions("R-App3")[-1]


def test_line_counts_match_the_appendices() -> None:
    # R-App2: items 1-7, section 8 (39 items, 13 is a header with a-e: 38 + 5 = 43),
    # section 9 (28), section 10 (11) = 89 scored lines; headers 8, 8.13, 9, 10.
    assert len(app2().scored_lines) == 7 + 43 + 28 + 11 == 89
    assert [line.id for line in app2().lines if not line.scored] == ["8", "8.13", "9", "10"]
    # R-App3: items 1-6, section 7 (38 numbered + 5 fluids + 18 superstructures = 61),
    # section 8 (25 + 18 superstructure installations = 43), section 9 (11) = 121.
    assert len(app3().scored_lines) == 6 + 61 + 43 + 11 == 121
    assert [line.id for line in app3().lines if not line.scored] == [
        "7", "7.13", "7.40", "8", "8.26", "9"]
    by_section = {}
    for line in app3().scored_lines:
        by_section[line.section] = by_section.get(line.section, 0) + 1
    assert by_section == {"1": 1, "2": 1, "3": 1, "4": 1, "5": 1, "6": 1, "7": 61, "8": 43,
                          "9": 11}


def test_starred_lines() -> None:
    assert {line.id for line in app2().lines if line.star} == {
        "8.4", "8.5", "8.6", "8.7", "8.8", "8.12", "8.13.a", "8.14"}
    assert {line.id for line in app3().lines if line.star} == {
        "7.2", "7.4", "7.5", "7.6", "7.7", "7.8", "7.9", "7.12", "7.13.a", "7.14", "7.37",
        "7.40.c", "7.40.f", "7.40.h"}


@pytest.mark.parametrize(("table", "item", "points"), [
    ("R-App2", "1", 3000), ("R-App2", "3", 500), ("R-App2", "6", 1000), ("R-App2", "7", 1000),
    ("R-App2", "8.8", 200), ("R-App2", "8.13.e", 10), ("R-App2", "8.30", 100),
    ("R-App2", "8.38", 200), ("R-App2", "8.39", 100), ("R-App2", "9.1", 200),
    ("R-App2", "9.3", 100), ("R-App2", "9.21", 50), ("R-App2", "9.22", 20),
    ("R-App2", "9.28", 100), ("R-App2", "10.2", 50), ("R-App2", "10.10", 250),
    ("R-App2", "10.11", 200),
    ("R-App3", "4", 500), ("R-App3", "6", 500), ("R-App3", "7.35", 200),
    ("R-App3", "7.37", 500), ("R-App3", "7.38", 200), ("R-App3", "7.40.e", 75),
    ("R-App3", "7.40.h", 500), ("R-App3", "7.40.t", 100), ("R-App3", "8.1", 100),
    ("R-App3", "8.3", 20), ("R-App3", "8.18", 20), ("R-App3", "8.19", 50),
    ("R-App3", "8.26.r", 100), ("R-App3", "9.4", 100), ("R-App3", "9.5", 30),
])
def test_hand_checked_points(table: str, item: str, points: int) -> None:
    assert versions(table)[-1].line(item).points == Decimal(points)


def test_section_totals_from_the_digest() -> None:
    # digest A.6.3: section 8 of R-App2 totals 7,770 at face value, starred 2,950;
    # section 9 totals 1,390; section 10 without the three per-unit items 710.
    lines = app2().scored_lines
    assert sum(x.points for x in lines if x.section == "8") == 7770
    assert sum(x.points for x in lines if x.section == "8" and x.star) == 2950
    assert sum(x.points for x in lines if x.section == "9") == 1390
    assert sum(x.points for x in lines if x.section == "10" and x.unit is None) == 710


def test_app3_lettering_skips_g_and_q_in_superstructures() -> None:
    letters = [x.id.rsplit(".", 1)[1] for x in app3().children(app3().line("7.40"))]
    assert letters == list("abcdefhijklmnoprst")
    letters = [x.id.rsplit(".", 1)[1] for x in app3().children(app3().line("8.26"))]
    assert letters == list("abcdefghijklmnopqr")
    with pytest.raises(NotFound):
        app3().line("7.40.g")


def test_technical_fluids_header_prints_200_only_in_app3() -> None:
    assert app3().line("7.13").printed_points == 200
    assert app2().line("8.13").printed_points is None
    assert sum(x.points for x in app3().children(app3().line("7.13"))) == 120


def test_unit_rules() -> None:
    assert app3().line("5").unit.cap == 3
    assert app2().line("6").unit.cap is None
    assert app2().line("10.2").unit.step == Decimal("0.05")
    assert app3().line("9.10").unit.step == 5
    assert app2().line("10.1").unit.per == "patent"
    assert app2().line("1").group == app2().line("2").group == "initial"


def test_citations_name_the_appendix_line() -> None:
    assert app3().line("7.40.c").citation.ref == "order-493:R-App3 7.40.c"
    assert str(app2().line("8.4").citation) == "Order 493, R-App2 8.4"


def test_ids_are_read_leniently() -> None:
    assert app2().line("8.13.A").id == "8.13.a"
    assert app2().line("8.4)").id == "8.4"


def test_vehicle_kinds() -> None:
    assert table_for_vehicle("car") == "R-App2"
    assert {VEHICLES[v] for v in ("truck_tractor", "bus", "special_equipment", "truck")} == {
        "R-App3"}
    with pytest.raises(InputError, match="unknown vehicle 'tractor'"):
        table_for_vehicle("tractor")


def test_versions_by_date() -> None:
    assert version_on("R-App2", dt.date(2021, 1, 1)).effective_from == dt.date(2021, 1, 1)
    with pytest.raises(LegalRuleError, match="not earlier than 2021-01-01"):
        version_on("R-App2", dt.date(2020, 12, 31))


def test_selection_refuses_dates_after_order_493() -> None:
    with pytest.raises(LegalRuleError, match="Order 493 ended on 2022-07-30"):
        select_table("car", Trace(), concluded_on=dt.date(2023, 1, 10))
    chosen = select_table("car", Trace(), concluded_on=dt.date(2021, 5, 1),
                          as_of=dt.date(2030, 1, 1))
    assert chosen.table.table == "R-App2" and chosen.flagged


@pytest.mark.parametrize(("patch", "message"), [
    ({"table": "R-App9"}, "expected one of"),
    ({"act": "order-999"}, "unknown act"),
    ({"vehicles": ["bus"]}, "must be vehicles scored by R-App2"),
    ({"lines": [{"id": "1", "kind": "entry", "points": 37.5, "title": "x"}]}, "quoted string"),
    ({"lines": [{"id": "1", "kind": "other", "points": 1, "title": "x", "star": True}]},
     "only component lines"),
    ({"lines": [{"id": "1", "kind": "x", "points": 1, "title": "x"}]}, "kind must be"),
    ({"lines": [{"id": "1", "kind": "other", "points": 1, "title": "x"},
                {"id": "1", "kind": "other", "points": 1, "title": "y"}]}, "duplicate id"),
])
def test_bad_table_data_is_refused(patch: dict, message: str) -> None:
    data = {"table": "R-App2", "act": "order-493", "vehicles": ["car"], "title": "t",
            "effective_from": dt.date(2021, 1, 1), "effective_basis": "R §9",
            "thresholds": {"initial": 3000, "step": 2000, "period_years": 5, "term_years": 20},
            "lines": [{"id": "1", "kind": "entry", "points": 3000, "title": "x"}]}
    data.update(patch)
    with pytest.raises(InputError, match=message):
        parse_table("test", data)
