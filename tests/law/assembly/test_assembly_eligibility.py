"""Eligibility to conclude an assembly agreement: Order 493 routes and Law 86-VII Arts 63-64.

Asset thresholds are multiples of the MCI in force on the application date (2021: 2,917 KZT;
2022: 3,063 KZT; 2026: 4,325 KZT, kernel parameter `mci`).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from kzreg.assembly.eligibility import (
    Application,
    appendix4_due,
    check_eligibility,
    partner_deadline,
)
from kzreg.law.errors import InputError, LegalRuleError
from kzreg.law.parameters import mci

D = dt.date


def mcis(multiple: int, on: dt.date) -> Decimal:
    return Decimal(multiple) * mci(on).value


def verdict(**fields) -> tuple[bool | None, dict[str, bool | None]]:
    result = check_eligibility(Application(**fields)).value
    return result.eligible, {c.name: c.met for c in result.conditions}


NEW_CAR = dict(vehicle="car", applied_on=D(2021, 6, 1), capacity_per_year=25000,
               models_welded_painted_assembled=2, cataphoresis=True, vehicle_assembly=True,
               production_assets_kzt=Decimal(18_000_000 * 2917))


def test_a_t8_new_car_entrant() -> None:
    assert verdict(**NEW_CAR)[0] is True
    eligible, items = verdict(**{**NEW_CAR, "capacity_per_year": 24999})
    assert eligible is False and items["two-shift production capacity"] is False
    eligible, items = verdict(**{**NEW_CAR, "production_assets_kzt":
                                 Decimal(18_000_000 * 2917 - 1)})
    assert eligible is False and items["production assets"] is False


def test_a_t9_bus_needs_painting_rooms() -> None:
    bus = dict(vehicle="bus", applied_on=D(2021, 6, 1), capacity_per_year=1200,
               models_welded_painted_assembled=1, vehicle_assembly=True,
               production_assets_kzt=mcis(750_000, D(2021, 6, 1)))
    eligible, items = verdict(**bus)
    assert eligible is False
    assert items["grinding, dry spray painting and drying rooms"] is False
    assert verdict(**bus, bus_painting_rooms=True)[0] is True


def test_trucks_need_attachments_tractors_do_not() -> None:
    heavy = dict(applied_on=D(2021, 6, 1), capacity_per_year=10000,
                 models_welded_painted_assembled=1, vehicle_assembly=True,
                 production_assets_kzt=mcis(750_000, D(2021, 6, 1)))
    assert verdict(vehicle="truck", **heavy)[0] is False
    assert verdict(vehicle="truck", attachments_made=True, **heavy)[0] is True
    assert verdict(vehicle="truck_tractor", **heavy)[0] is True


def test_legacy_route() -> None:
    legacy = dict(vehicle="truck", applied_on=D(2020, 12, 31), has_prior_agreement=True,
                  prior_agreement_ends_on=D(2020, 12, 31), prior_obligations_fulfilled=True,
                  production_assets_kzt=Decimal(0))
    assert verdict(**legacy)[0] is True
    late = verdict(**{**legacy, "applied_on": D(2021, 1, 4)})
    assert late[0] is False and late[1]["request filed by 31.12.2020"] is False
    assert verdict(**legacy, prior_violations_unremedied=True)[0] is False
    # R §5 ¶4: fulfilment under 8704 opens 8701 and 8705, not 8702
    assert verdict(**legacy, feacn_code="8705", prior_agreement_feacn="8704")[0] is True
    assert verdict(**legacy, feacn_code="8702", prior_agreement_feacn="8704")[0] is False


def test_a_t15_multilateral() -> None:
    base = dict(applied_on=D(2021, 6, 1), has_prior_agreement=True, multilateral=True,
                prior_obligations_fulfilled=True, production_assets_kzt=Decimal(0))
    assert verdict(vehicle="car", partner_welding_painting_months=12, **base)[0] is False
    assert verdict(vehicle="truck", partner_welding_painting_months=24, **base)[0] is True
    assert verdict(vehicle="truck", partner_welding_painting_months=25, **base)[0] is False
    assert partner_deadline(D(2021, 8, 31)) == D(2023, 8, 31)


def test_a_t16_other_vehicles_700000_mci() -> None:
    on = D(2021, 6, 1)
    other = dict(vehicle="other_vehicle", applied_on=on, feacn_code="8716")
    assert verdict(**other, production_assets_kzt=mcis(700_000, on) - 1)[0] is False
    assert verdict(**other, production_assets_kzt=mcis(700_000, on))[0] is True


def test_law_63_cars_brand_and_model_rule() -> None:
    on = D(2026, 3, 1)
    car = dict(vehicle="car", applied_on=on, capacity_per_year=30000, cataphoresis=True,
               production_assets_kzt=mcis(18_000_000, on))
    _, items = verdict(**car, models_welded_painted_assembled=1)
    assert items["models welded, painted and assembled"] is False
    _, items = verdict(**car, models_welded_painted_assembled=2, brands=2)
    assert items["models welded, painted and assembled"] is True
    _, items = verdict(**car, models_welded_painted_assembled=2, brands=3)
    assert items["models welded, painted and assembled"] is False
    # the rules after Order 493 are not loaded: the verdict stays undetermined
    eligible, items = verdict(**car, models_welded_painted_assembled=2)
    assert eligible is None and items["production assets"] is True


def test_law_63_bus_capacity_and_assets() -> None:
    on = D(2026, 3, 1)
    bus = dict(vehicle="bus", applied_on=on, models_welded_painted_assembled=1,
               production_assets_kzt=mcis(3_500_000, on))
    assert verdict(**bus, capacity_per_year=1200)[1]["two-shift production capacity"] is True
    assert verdict(**bus, capacity_per_year=1199)[0] is False
    low = {**bus, "production_assets_kzt": mcis(750_000, on)}
    assert verdict(**low, capacity_per_year=1200)[1]["production assets"] is False


def test_law_prevails_while_both_applied() -> None:
    on = D(2022, 3, 1)       # Law 86-VII in force, Order 493 not yet abolished
    truck = dict(vehicle="truck", applied_on=on, capacity_per_year=10000,
                 models_welded_painted_assembled=1, vehicle_assembly=True,
                 attachments_made=True, production_assets_kzt=mcis(750_000, on))
    result = check_eligibility(Application(**truck)).value
    assert result.regime == "order-493+law-86-VII"
    assert result.eligible is False           # 750 thousand MCI < Art 63(2)(2)'s 3.5 million
    assert verdict(**{**truck, "production_assets_kzt": mcis(3_500_000, on)})[0] is True


def test_art_64_agricultural_machinery() -> None:
    on = D(2026, 3, 1)
    harvester = dict(vehicle="agri_main", applied_on=on, manufacturing_operations=True)
    _, items = verdict(**harvester, production_assets_kzt=mcis(500_000, on) - 1)
    assert items["production assets"] is False
    _, items = verdict(**harvester, production_assets_kzt=mcis(500_000, on))
    assert items["production assets"] is True
    _, items = verdict(vehicle="agri_other", applied_on=on, manufacturing_operations=True,
                       production_assets_kzt=mcis(100_000, on))
    assert items["production assets"] is True
    with pytest.raises(LegalRuleError, match="agricultural machinery"):
        check_eligibility(Application(vehicle="agri_main", applied_on=D(2021, 6, 1),
                                      production_assets_kzt=Decimal(1)))


def test_no_regime_before_order_493() -> None:
    with pytest.raises(LegalRuleError, match="neither"):
        check_eligibility(Application(vehicle="car", applied_on=D(2020, 6, 1),
                                      production_assets_kzt=Decimal(1)))


def test_explanation_cites_every_condition() -> None:
    result = check_eligibility(Application(**NEW_CAR))
    locators = {s.citation.locator for s in result.steps if s.citation}
    assert {"R-App1 1.1", "R-App1 1.2", "R-App1 1.5"} <= locators


def test_a_t17_appendix4_stages() -> None:
    assert len(appendix4_due("8429", 1)) == 22          # 23 listed, the cab twice
    assert [op for year, op in appendix4_due("8429", 2) if year == 2] == [
        "manufacture of ladles, including their cutting, bending, welding, painting"]
    assert len(appendix4_due("8429", 6)) == 22 + 1 + 2
    assert len(appendix4_due("8429", 7)) == 22 + 1 + 2 + 1
    assert len(appendix4_due("8716 39 500 0", 1)) == 1 + 14
    with pytest.raises(InputError):
        appendix4_due("8702", 1)


def test_a_t16_trailer_operations_at_least_4_of_14() -> None:
    from kzreg.assembly.eligibility import appendix4_compliance

    due = [op for _, op in appendix4_due("8716", 1)]
    production, listed = due[0], due[1:]
    three = {production, *listed[:3]}
    assert appendix4_compliance("8716", 1, three).value is False
    assert appendix4_compliance("8716", 1, three | {listed[13]}).value is True
    assert appendix4_compliance("8716", 1, set(listed[:4])).value is False  # no production
    ops = {op for _, op in appendix4_due("8429", 1)}
    assert appendix4_compliance("8429", 1, ops).value is True
    assert appendix4_compliance("8429", 2, ops).value is False                # ladles due
