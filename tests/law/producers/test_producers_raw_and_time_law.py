"""Domestic raw materials (Law 86-VII Art 60) and legal time (Arts 47, 48, 51, 68, 69), against
cases computed by hand from the Law (spec digest §7 item 10)."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import pytest

from kzreg.law.errors import LegalRuleError
from kzreg.law.rules import get_rule
from kzreg.law.settings import override

D = dt.date
BIN_A, BIN_B = "150340012340", "180840045211"


def run(rule_id, data, on):
    return get_rule(rule_id).run(data, on)


# --- Art 60 -------------------------------------------------------------------------------

def test_new_production_under_three_years_is_left_out():
    r = run("producers.raw-producer-inclusion",
            {"producers": [{"bin": BIN_A, "production_start": "2024-03-01"},
                           {"bin": BIN_B, "production_start": "2023-02-01"}]}, D(2026, 2, 1))
    a, b = r.value
    assert (a.included, a.three_years_on) == (False, D(2027, 3, 1))
    assert b.included and b.subject_to_rules_exclusions  # the rules' exclusions not loaded
    assert any("Art 60(4)" in c.locator for c in r.citations)


def test_three_years_to_the_day_counts_as_operating_three_years():
    data = {"producers": [{"bin": BIN_A, "production_start": "2023-02-01"}]}
    assert run("producers.raw-producer-inclusion", data, D(2026, 2, 1)).value[0].included
    assert not run("producers.raw-producer-inclusion", data, D(2026, 1, 31)).value[0].included


def test_start_of_operation_follows_the_setting():
    data = {"producers": [{"bin": BIN_A, "production_start": "2024-03-01",
                           "state_registration": "2020-01-10"}]}
    assert not run("producers.raw-producer-inclusion", data, D(2026, 2, 1)).value[0].included
    with override(producers__raw_material_operation_start="state_registration"):
        assert run("producers.raw-producer-inclusion", data, D(2026, 2, 1)).value[0].included


def test_price_cap_is_the_minimum_export_price():
    r = run("producers.raw-price-cap", {"export_prices": ["500", "480", "520"],
                                        "agreed_price": "481"}, D(2026, 2, 1)).value
    assert str(r.cap) == "480" and r.agreed_within_cap is False
    r = run("producers.raw-price-cap", {"export_prices": ["500", "480"], "agreed_price": "480"},
            D(2026, 2, 1)).value
    assert r.agreed_within_cap is True
    assert run("producers.raw-price-cap", {}, D(2026, 2, 1)).value.cap is None


def test_supply_share_is_output_over_the_republics():
    r = run("producers.raw-supply-shares",
            {"producers": [{"bin": BIN_A, "volume": "400"}], "national_output": "1000"},
            D(2026, 2, 1)).value
    assert r[BIN_A] == Fraction(2, 5)


def test_list_application_refused_only_on_the_two_grounds():
    r = run("producers.raw-list-application", {"raw_material": "copper cathode",
                                               "missing_documents": ["passport"]},
            D(2026, 2, 1)).value
    assert not r.accepted
    assert r.grounds == ("INCOMPLETE_DOCUMENTS", "NO_KZ_PRODUCER_OF_RAW_MATERIAL")
    ok = run("producers.raw-list-application", {"raw_material": "copper cathode",
                                                "kz_producers": [BIN_A]}, D(2026, 2, 1))
    assert ok.value.accepted


def test_resale_terminates_and_bans():
    r = run("producers.raw-resale", {"sold_to_third_party": True}, D(2026, 2, 1)).value
    assert r.terminate and r.manufacturer_banned
    assert not run("producers.raw-resale", {"sold_to_third_party": False},
                   D(2026, 2, 1)).value.terminate


def test_export_licence_needs_agreements_concluded_and_fulfilled():
    on = D(2026, 2, 1)
    assert not run("producers.raw-export-licence", {"listed_manufacturers": 1},
                   on).value.may_issue
    periods = [{"ends_on": "2025-06-30", "fulfilled": False},
               {"ends_on": "2025-12-31", "fulfilled": True}]
    data = {"listed_manufacturers": 1, "agreements": [{"agreement_id": "T-1",
                                                        "periods": periods}]}
    refused = run("producers.raw-export-licence", data, on).value
    assert not refused.may_issue and refused.unfulfilled == ("T-1: period to 2025-06-30",)
    with override(producers__export_licence_lookback="last_period_only"):
        assert run("producers.raw-export-licence", data, on).value.may_issue
    off_list = run("producers.raw-export-licence", {"on_the_list": False}, on).value
    assert not off_list.licence_required


def test_art_60_before_its_wording_took_effect_is_refused():
    # Law 71-VIII of 06.04.2024: six months after publication, so not before October 2024
    with pytest.raises(LegalRuleError, match="71-VIII"):
        run("producers.raw-price-cap", {"export_prices": ["1"]}, D(2024, 6, 1))


# --- legal time -----------------------------------------------------------------------------

@pytest.mark.parametrize(("on", "valid"), [(D(2025, 12, 31), True), (D(2026, 1, 1), False),
                                           (D(2026, 1, 2), False)])
def test_ct_kz_certificate_valid_until_1_january_2026(on, valid):
    r = run("producers.legacy-certificate", {"kind": "ct_kz", "question": "validity",
                                             "issued_on": "2025-12-10"}, on)
    assert r.value.answer is valid


def test_certificates_are_not_issued_from_1_january_2026():
    ask = {"kind": "industrial", "question": "issuance"}
    assert run("producers.legacy-certificate", ask, D(2025, 12, 31)).value.answer
    assert not run("producers.legacy-certificate", ask, D(2026, 1, 5)).value.answer
    with override(acts__until_is_exclusive=False):  # "until" read inclusively
        assert run("producers.legacy-certificate", ask, D(2026, 1, 1)).value.answer


def test_suppliers_database_closes_on_1_january_2026():
    assert run("producers.legacy-suppliers-database", {}, D(2025, 12, 15)).value is True
    assert run("producers.legacy-suppliers-database", {}, D(2026, 1, 5)).value is False


def test_subsoil_use_rights_were_a_measure_only_during_the_suspension():
    before = run("producers.measure-wording", {"measure": "land_plots"}, D(2023, 6, 1)).value
    after = run("producers.measure-wording", {"measure": "land_plots"}, D(2023, 7, 1)).value
    assert before.subsoil_use_rights and not after.subsoil_use_rights
    assert before.clause == "Art 68"


def test_art_47_calendar_answers_by_the_wording_in_force():
    # reworded by Law 188-VIII (+60 days from an unknown publication; adopted 19.05.2025)
    with pytest.raises(LegalRuleError, match="188-VIII"):
        run("producers.contract-plan-calendar", {"year": 2024}, D(2024, 12, 1))
    cal = run("producers.contract-plan-calendar", {"year": 2025}, D(2025, 12, 1)).value
    assert cal.flagged and cal.plans_due == D(2025, 12, 10)
    with override(acts__publication_dates={"law-188-VIII": "2025-05-20"}):
        cal = run("producers.contract-plan-calendar", {"year": 2025}, D(2025, 12, 1)).value
        assert not cal.flagged
    with override(producers__wording_if_publication_unknown="refuse"), \
            pytest.raises(LegalRuleError, match="cannot be determined"):
        run("producers.contract-plan-calendar", {"year": 2025}, D(2025, 12, 1))


def test_offtake_duty_before_2025_is_not_answered_by_the_later_wording():
    data = {"years": [{"year": 2024, "contracted": 10, "accepted": 10}]}
    with pytest.raises(LegalRuleError, match="107-VIII"):
        run("producers.contract-offtake-check", data, D(2025, 3, 1))
    data = {"years": [{"year": 2025, "contracted": 10, "accepted": 10}]}
    assert run("producers.contract-offtake-check", data, D(2026, 3, 1)).value.compliant
