"""Scores of hand-computed cases (Order 493, R-App2 / R-App3 and the asterisk footnote).

Each expected total was added up by hand from the points printed in the seed text.
"""

from __future__ import annotations

import json
import subprocess
import sys
from decimal import Decimal

import pytest

from kzreg.assembly.scoring import explain_case, score_case
from kzreg.law.errors import InputError, LegalRuleError, NotFound
from kzreg.law.settings import override


def points(result: dict) -> dict[str, Decimal]:
    return {line["item"]: Decimal(str(line["points"])) for line in result["lines"]}


CAR = {
    "vehicle": "car", "agreement_concluded_on": "2021-03-01", "as_of": "2022-03-01",
    "claims": [
        {"item": "1"},                                                    # 3000
        {"item": "8.1", "origin": "KZ"},                                  # engine 500
        {"item": "8.4", "origin": "CN", "incompatibility_documented": True},  # * 500 × 0.5
        {"item": "8.6", "origin": "BY"},                                  # * tires, no docs: 0
        {"item": "8.2", "origin": "RU"},                                  # gearbox, EAEU: 500
        {"item": "8.11", "origin": "CN"},                                 # glass, non-EAEU: 0
        {"item": "8.13.a", "origin": "KZ"},                               # * engine oil 50
        {"item": "8.13.b", "origin": "AM"},                               # gearbox oil 20
        {"item": "9.1"},                                                  # 200
        {"item": "9.26"},                                                 # 100
        {"item": "10.1", "quantity": "3"},                                # 3 × 100
        {"item": "10.2", "quantity": "0.12"},                             # 2 × 50
        {"item": "10.10", "quantity": "12"},                              # 2 × 250
        {"item": "10.9"},                                                 # 200
    ],
}


def test_hand_computed_car_case() -> None:
    result = score_case(CAR)
    assert points(result) == {
        "1": 3000, "8.1": 500, "8.2": 500, "8.4": 250, "8.6": 0, "8.11": 0, "8.13.a": 50,
        "8.13.b": 20, "9.1": 200, "9.26": 100, "10.1": 300, "10.2": 100, "10.10": 500,
        "10.9": 200}
    assert result["total"] == 5720
    assert result["threshold"] == 3000 and result["meets_threshold"] is True
    assert result["surplus"] == 2720
    assert [line["item"] for line in result["lines"]][:3] == ["1", "8.1", "8.2"]  # table order
    assert all(line["citation"].startswith("Order 493, R-App2 ") for line in result["lines"])


def test_hand_computed_truck_case() -> None:
    case = {"vehicle": "truck", "agreement_concluded_on": "2021-06-15", "as_of": "2026-06-15",
            "claims": [
                {"item": "2"},                                                   # 3000
                {"item": "5", "quantity": "4"},                                  # cap 3: 1500
                {"item": "6", "quantity": "2"},                                  # 1000
                {"item": "7.2", "origin": "BY", "incompatibility_documented": True},  # 250
                {"item": "7.37", "origin": "KZ"},                                # 500
                {"item": "7.38", "origin": "KG"},                                # 200
                {"item": "7.40.c", "origin": "CN", "incompatibility_documented": True},  # 250
                {"item": "7.40.e", "origin": "KZ"},                              # 75
                {"item": "7.40.h", "origin": "RU"},                              # * no docs: 0
                {"item": "7.13.a", "origin": "TR", "incompatibility_documented": True},  # 25
                {"item": "8.1"},                                                 # 100
                {"item": "8.26.f"},                                              # 100
                {"item": "9.10", "quantity": "4.9"},                             # 0
            ]}
    result = score_case(case)
    assert points(result)["5"] == 1500 and points(result)["7.13.a"] == Decimal("25")
    assert result["total"] == 7000
    assert result["threshold"] == 5000 and result["meets_threshold"] is True
    assert result["period"] == {"number": 2, "start": "2026-06-15", "end": "2031-06-14"}


def test_digest_cases_a_t1_to_a_t4() -> None:
    t1 = score_case({"vehicle": "car", "claims": [
        {"item": "8.1", "origin": "KZ"},
        {"item": "8.4", "origin": "DE", "incompatibility_documented": True}]})
    assert t1["total"] == 750
    t2 = {"vehicle": "car", "claims": [{"item": "8.1", "origin": "BY"},
                                       {"item": "8.6", "origin": "BY"}]}
    assert score_case(t2)["total"] == 500
    t2["claims"][1]["incompatibility_documented"] = True
    assert score_case(t2)["total"] == 750
    gearbox = {"item": "8.2", "origin": "BY", "incompatibility_documented": True}
    assert score_case({"vehicle": "car", "claims": [gearbox]})["total"] == 500
    gearbox["item"] = "7.2"
    assert score_case({"vehicle": "truck", "claims": [gearbox]})["total"] == 250
    assert score_case({"vehicle": "car", "claims": [
        {"item": "8.38", "origin": "KZ"}]})["total"] == 200
    assert score_case({"vehicle": "bus", "claims": [
        {"item": "7.37", "origin": "KZ"}]})["total"] == 500
    assert score_case({"vehicle": "special_equipment", "claims": [
        {"item": "7.37", "origin": "CN", "incompatibility_documented": True}]})["total"] == 250


def test_non_eaeu_starred_half_points_setting() -> None:
    case = {"vehicle": "car", "claims": [
        {"item": "8.5", "origin": "CN", "incompatibility_documented": True},
        {"item": "8.7", "origin": "BY", "incompatibility_documented": True}]}
    assert score_case(case)["total"] == 500
    with override(assembly__starred_non_eaeu_half_points=False):
        assert score_case(case)["total"] == 250


@pytest.mark.parametrize(("rounding", "rd", "export", "expected"), [
    ("floor", "0.12", "12", 100 + 500),
    ("floor", "0.05", "5", 50 + 250),
    ("floor", "0.0499", "4.99", 0),
    ("half_up", "0.125", "4.9", 150 + 250),
    ("half_up", "0.12", "12.4", 100 + 500),
    ("exact_fraction", "0.125", "4.9", Decimal("125") + Decimal("245")),
])
def test_per_unit_rounding(rounding: str, rd: str, export: str, expected: Decimal) -> None:
    case = {"vehicle": "car", "claims": [{"item": "10.2", "quantity": rd},
                                         {"item": "10.10", "quantity": export}]}
    with override(assembly__per_unit_rounding=rounding):
        assert Decimal(str(score_case(case)["total"])) == expected


def test_model_cap_and_repeat_settings() -> None:
    truck = {"vehicle": "truck", "claims": [{"item": "4", "quantity": "3"},
                                            {"item": "5", "quantity": "7"},
                                            {"item": "6"}]}
    assert points(score_case(truck)) == {"4": 1500, "5": 1500, "6": 500}
    car = {"vehicle": "car", "claims": [{"item": "6", "quantity": "3"}, {"item": "3",
                                                                         "quantity": "2"}]}
    assert points(score_case(car)) == {"3": 500, "6": 1000}
    with override(assembly__app2_additional_model_items="per_model",
                  assembly__investment_item_repeatable=True):
        assert points(score_case(car)) == {"3": 1000, "6": 3000}


def test_items_1_and_2_are_alternatives() -> None:
    case = {"vehicle": "bus", "claims": [{"item": "1"}, {"item": "2"}]}
    result = score_case(case)
    assert result["total"] == 3000
    assert points(result) == {"1": 3000, "2": 0}
    with override(assembly__both_alternatives_claimed="refuse"), \
            pytest.raises(LegalRuleError, match="alternatives"):
        score_case(case)


def test_technical_fluids_header_settings() -> None:
    fluids = [{"item": f"7.13.{x}", "origin": "KZ"} for x in "abcde"]
    case = {"vehicle": "truck", "claims": fluids}
    assert score_case(case)["total"] == 120
    with override(assembly__app3_technical_fluids_header="award_when_all_fluids"):
        assert score_case(case)["total"] == 320
        assert score_case({"vehicle": "truck", "claims": fluids[:4]})["total"] == 110
    with override(assembly__app3_technical_fluids_header="group_cap"):
        assert score_case(case)["total"] == 120
    with pytest.raises(InputError, match="heading"):
        score_case({"vehicle": "truck", "claims": [{"item": "7.13"}]})


@pytest.mark.parametrize(("case", "error", "field"), [
    ({"vehicle": "plane", "claims": []}, InputError, "vehicle"),
    ({"vehicle": "car", "claims": [{"item": "8.99", "origin": "KZ"}]}, NotFound,
     "claims[0].item"),
    ({"vehicle": "car", "claims": [{"item": "7.40.c", "origin": "KZ"}]}, NotFound,
     "claims[0].item"),
    ({"vehicle": "car", "claims": [{"item": "8.1", "origin": "XX"}]}, NotFound,
     "claims[0].origin"),
    ({"vehicle": "car", "claims": [{"item": "8.1", "origin": "Kazakhstan"}]}, InputError,
     "claims[0].origin"),
    ({"vehicle": "car", "claims": [{"item": "8.1"}]}, InputError, "claims[0].origin"),
    ({"vehicle": "car", "claims": [{"item": "9.1"}, {"item": "9.1"}]}, InputError,
     "claims[1].item"),
    ({"vehicle": "car", "claims": [{"item": "10.1", "quantity": "1.5"}]}, InputError,
     "claims[0].quantity"),
    ({"vehicle": "car", "claims": [{"item": "10.1"}]}, InputError, "claims[0].quantity"),
    ({"vehicle": "car", "claims": [{"item": "10.10", "quantity": "101"}]}, InputError,
     "claims[0].quantity"),
    ({"vehicle": "car", "claims": [{"item": "10.2", "quantity": "-1"}]}, InputError,
     "claims[0].quantity"),
    ({"vehicle": "car", "claims": [{"item": "9.1", "quantity": "2"}]}, InputError,
     "claims[0].quantity"),
    ({"vehicle": "car", "claims": [{"item": "9.1", "qty": "2"}]}, InputError,
     "claims[0].qty"),
    ({"vehicle": "car", "claims": "8.1"}, InputError, "claims"),
    ({"vehicle": "car", "claims": [], "as_of": "2021-13-01"}, InputError, "as_of"),
])
def test_bad_cases_name_the_field(case: dict, error: type, field: str) -> None:
    with pytest.raises(error) as caught:
        score_case(case)
    assert caught.value.field == field


def test_explanation_has_a_step_per_claimed_line_citing_it() -> None:
    result = explain_case(CAR)
    cited = [s.citation.locator for s in result.steps if s.citation is not None]
    for claim in CAR["claims"]:
        assert f"R-App2 {claim['item']}" in cited
    assert "R §24" in cited
    text = result.to_text()
    assert "× 0.5" in text and "5720 points under R-App2" in text


def run_cli(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kzreg.cli", "assembly", *args], input=stdin,
                          capture_output=True, text=True, timeout=120)


def test_cli_contract(tmp_path) -> None:
    path = tmp_path / "case.json"
    path.write_text(json.dumps(CAR), encoding="utf-8")
    done = run_cli("score", str(path))
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["total"] == 5720 and out["threshold"] == 3000 and out["meets_threshold"] is True
    assert {"item", "points", "citation"} <= set(out["lines"][0])
    bad = run_cli("score", "-", stdin='{"vehicle": "car", "claims": [{"item": "8.1", '
                                      '"origin": "ZZ"}]}')
    assert bad.returncode == 2 and "ZZ" in bad.stderr and "Traceback" not in bad.stderr
    listed = run_cli("items", "--vehicle", "car", "--json")
    assert listed.returncode == 0
    assert len(json.loads(listed.stdout)["lines"]) == 93


def test_decimal_quantity_from_json_number_stays_exact(tmp_path) -> None:
    path = tmp_path / "case.json"
    path.write_text('{"vehicle": "car", "claims": [{"item": "10.2", "quantity": 0.15}]}')
    out = json.loads(run_cli("score", str(path)).stdout)
    assert out["total"] == 150          # 0.15 / 0.05 = 3 exactly, never 2.9999…
    assert score_case({"vehicle": "car", "claims": [{"item": "10.2", "quantity": 0.15}]}
                      )["total"] == 150
