"""Contracts aimed at industrial development (Law 86-VII Arts 46-49, 47-1, 61-1), with cases
computed by hand from the Law on the Kazakh calendar (digest §7 items 2, 3 and 6).

Holidays used: 16 December (Independence Day), 1-2 and 7 January, 9 March 2026 (8 March
observed); 9 January 2027 is a Saturday."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kzreg.law.errors import InputError
from kzreg.law.rules import get_rule
from kzreg.law.settings import override

D = dt.date
AS_OF = D(2026, 6, 1)


def run(rule_id, data, as_of=AS_OF):
    return get_rule(rule_id).run(data, as_of)


# --- the calendar (Art 47) ----------------------------------------------------------------------

def test_calendar_2025_cycle():
    cal = run("producers.contract-plan-calendar", {"year": 2025}).value
    assert cal.first_procurement_year == 2026
    assert cal.plans_due == D(2025, 12, 10)
    assert cal.review_due == D(2026, 1, 9)         # 30 calendar days
    assert cal.publication_due == D(2026, 2, 1)    # a Sunday, not moved
    assert cal.applications_due == D(2026, 3, 3)
    assert cal.contracts_due == D(2026, 4, 2)


def test_calendar_2026_review_moves_off_a_saturday():
    cal = run("producers.contract-plan-calendar", {"year": 2026}).value
    assert cal.review_due == D(2027, 1, 11)        # 2027-01-09 is a Saturday
    with override(calendar__roll_end_to_working_day=False):
        assert run("producers.contract-plan-calendar", {"year": 2026}).value.review_due == \
            D(2027, 1, 9)


def test_fixed_date_moves_only_when_the_setting_says():
    with override(producers__fixed_dates_move_to_working_day=True):
        cal = run("producers.contract-plan-calendar", {"year": 2025}).value
    assert cal.publication_due == D(2026, 2, 2)
    assert cal.applications_due == D(2026, 3, 4)


def plan(**changes):
    base = {"first_procurement_year": 2026, "received_on": "2025-12-10"}
    base.update(changes)
    return base


def stages(result):
    return {s.name: s for s in result.value.stages}


def test_plan_on_the_last_day_and_the_day_after():
    ok = stages(run("producers.contract-plan-check", plan(), D(2025, 12, 11)))
    assert ok["plan lodged"].status == "on_time"
    assert ok["review"].due == D(2026, 1, 9)
    late = run("producers.contract-plan-check", plan(received_on="2025-12-11"), D(2025, 12, 11))
    assert stages(late)["plan lodged"].status == "late"
    assert "plan lodged: late" in late.value.flags
    with override(producers__late_plan_handling="refuse"), pytest.raises(InputError) as err:
        run("producers.contract-plan-check", plan(received_on="2025-12-11"))
    assert err.value.field == "received_on"


def test_resubmission_and_approval_in_working_days():
    # notice Fri 2026-01-09 -> 5 wd Fri 2026-01-16 -> 10 wd Fri 2026-01-30 (digest §7 item 6)
    r = stages(run("producers.contract-plan-check", plan(
        notice_received_on="2026-01-09", resubmitted_on="2026-01-16")))
    assert r["resubmission"].due == D(2026, 1, 16) and r["resubmission"].status == "on_time"
    assert r["approval"].due == D(2026, 1, 30)


def test_working_days_skip_independence_day_and_new_year():
    # notice Fri 2025-12-12: Dec 15, 17, 18, 19, 22 (16 December a holiday)
    r = stages(run("producers.contract-plan-check", plan(
        notice_received_on="2025-12-12", resubmitted_on="2025-12-26"), D(2026, 1, 20)))
    assert r["resubmission"].due == D(2025, 12, 22)
    assert r["resubmission"].status == "late"
    # from Fri 2025-12-26: Dec 29, 30, 31, Jan 5, 6, 8, 9, 12, 13, 14 (1, 2, 7 January off)
    assert r["approval"].due == D(2026, 1, 14)
    assert r["approval"].status == "overdue"


def test_working_days_skip_8_march_observed():
    # notice Thu 2026-03-05: Mar 6, 10, 11, 12, 13 (Mon 9 March off)
    r = stages(run("producers.contract-plan-check", plan(
        first_procurement_year=2027, received_on="2026-03-01",
        notice_received_on="2026-03-05")))
    assert r["resubmission"].due == D(2026, 3, 13)


def test_approval_from_plan_receipt_when_set():
    with override(producers__procurement_plan_approval_start="plan_receipt"):
        r = stages(run("producers.contract-plan-check", plan()))
    # from Wed 2025-12-10: Dec 11, 12, 15, 17, 18, 19, 22, 23, 24, 25
    assert r["approval"].due == D(2025, 12, 25)


def test_publication_application_and_contract_windows():
    r = stages(run("producers.contract-plan-check", plan(published_on="2026-02-01")))
    assert r["publication"].status == "on_time"
    assert r["applications"].due == D(2026, 3, 3)
    assert r["contracts"].due == D(2026, 4, 2)
    late = stages(run("producers.contract-plan-check", plan(published_on="2026-02-02")))
    assert late["publication"].status == "late"


def test_excluded_goods_make_a_plan_non_compliant():
    goods = [{"code": "8431", "foreign_under_warranty": True}, {"code": "7304"},
             {"code": "2710", "procured_on_domestic_market": True}]
    result = run("producers.contract-plan-check", plan(goods=goods)).value
    assert not result.compliant_content
    assert result.goods_to_exclude == ("8431", "2710")
    assert any("notification" in f for f in result.flags)


def test_dates_out_of_order_name_the_field():
    with pytest.raises(InputError) as err:
        run("producers.contract-plan-check", plan(notice_received_on="2025-12-01"))
    assert err.value.field == "notice_received_on"
    with pytest.raises(InputError) as err:
        run("producers.contract-plan-check", plan(resubmitted_on="2026-01-05"))
    assert err.value.field == "notice_received_on"


# --- kinds and terms (Arts 46, 48, 48-1) --------------------------------------------------------

def test_contract_kind():
    assert run("producers.contract-kind", {"new_production": True}).value == "offtake"
    assert run("producers.contract-kind", {"new_production": False}).value == \
        "guaranteed_purchase"
    assert run("producers.contract-kind", {"new_production": True,
                                           "customer_nwf_group": True}).value == "not_applicable"


def offtake(*years):
    return {"years": [{"year": y, "contracted": c, "accepted": a} for y, c, a in years]}


def test_offtake_year_one_needs_100_percent():
    rule = "producers.contract-offtake-check"
    assert not run(rule, offtake((2026, "1000", "900"))).value.compliant
    assert run(rule, offtake((2026, "1000", "1000"))).value.compliant


def test_offtake_later_years_need_half():
    ok = offtake((2026, 1000, 1000), (2027, 2000, 1000), (2028, 2000, 1000))
    assert run("producers.contract-offtake-check", ok).value.compliant
    bad = offtake((2026, 1000, 1000), (2027, 2000, 1000), (2028, 2000, 999))
    result = run("producers.contract-offtake-check", bad).value
    assert not result.compliant
    assert [y.status for y in result.years] == ["compliant", "compliant", "breach"]
    assert "not loaded" in result.penalty


def test_offtake_year_one_is_the_first_year_with_deliveries():
    result = run("producers.contract-offtake-check",
                 offtake((2025, 0, 0), (2026, 1000, 500))).value
    assert result.years[0].year == 2026 and result.years[0].contract_year == 1
    assert not result.compliant


def test_offtake_no_duty_when_supplier_did_not_perform():
    data = {"years": [{"year": 2026, "contracted": 1000, "accepted": 0,
                       "supplier_performed": False}]}
    assert run("producers.contract-offtake-check", data).value.compliant


@given(st.integers(1, 10**9), st.integers(0, 10**9))
def test_offtake_later_year_threshold_is_exactly_half(contracted, accepted):
    data = offtake((2026, 1, 1), (2027, contracted, accepted))
    result = run("producers.contract-offtake-check", data).value
    assert result.compliant == (2 * accepted >= contracted)


@pytest.mark.parametrize(("ends_on", "valid"), [
    ("2026-12-01", False),   # eleven months
    ("2026-12-31", False),   # a day short of a year (anniversary counting)
    ("2027-01-01", True),    # one year
    ("2036-01-01", True),    # ten years
    ("2036-01-02", False),   # ten years and a day
])
def test_guaranteed_purchase_term(ends_on, valid):
    data = {"concluded_on": "2026-01-01", "ends_on": ends_on}
    assert run("producers.contract-gpa-term", data).value.valid is valid


def test_guaranteed_purchase_term_day_before_anniversary():
    with override(producers__agreement_term_last_day="day_before_anniversary"):
        data = {"concluded_on": "2026-01-01", "ends_on": "2026-12-31"}
        assert run("producers.contract-gpa-term", data).value.valid


# --- offset (Art 49) ----------------------------------------------------------------------------

def test_offset_threshold_2026_is_strict():
    # MCI 2026 = 4,325 KZT; 500,000 × 4,325 = 2,162,500,000 KZT
    base = {"financial_year": 2026, "contract_amount": "0"}
    at = run("producers.contract-offset", {**base, "annual_purchases": "2162500000"}).value
    assert at.threshold == Decimal("2162500000") and not at.required
    above = run("producers.contract-offset", {**base, "annual_purchases": "2162500000.01"})
    assert above.value.required


def test_offset_threshold_2025_uses_that_years_mci():
    # MCI 2025 = 3,932 KZT -> 1,966,000,000 KZT
    r = run("producers.contract-offset", {"financial_year": 2025, "contract_amount": "0",
                                          "annual_purchases": "1966000001"}).value
    assert r.threshold == Decimal("1966000000") and r.required


def test_offset_minimum_five_percent():
    conditions = [{"kind": "research_and_development", "amount": "300000000"},
                  {"kind": "training_centres", "amount": "150000000"}]
    data = {"financial_year": 2026, "annual_purchases": "10000000000",
            "contract_amount": "10000000000", "conditions": conditions}
    assert not run("producers.contract-offset", data).value.sufficient    # 450 m < 500 m
    conditions.append({"kind": "direct_investment", "amount": "50000000"})
    assert run("producers.contract-offset", data).value.sufficient


def test_offset_other_kinds_count_only_when_listed():
    data = {"financial_year": 2026, "annual_purchases": "1", "contract_amount": "100",
            "conditions": [{"kind": "local_sponsorship", "amount": "5"}]}
    r = run("producers.contract-offset", data).value
    assert r.not_counted == ("local_sponsorship",) and not r.sufficient
    with override(producers__offset_other_conditions=["local_sponsorship"]):
        assert run("producers.contract-offset", data).value.sufficient


# --- systemic enterprises and programmes (Arts 47-1, 61-1) --------------------------------------

def test_systemic_enterprise_more_than_three_percent():
    rule = "producers.contract-systemic"
    assert not run(rule, {"enterprise_output": "3", "territory_output": "100"}).value
    assert run(rule, {"enterprise_output": "3.0001", "territory_output": "100"}).value
    with pytest.raises(InputError):
        run(rule, {"enterprise_output": "101", "territory_output": "100"})


def test_programme_review():
    rule = "producers.contract-dvdp-review"
    full = {"customer_type": "natural_monopoly", "period_years": 3,
            "areas": ["domestic_value_share", "industrial_contracts", "sme_development"]}
    r = run(rule, full).value
    assert r.decision == "may_be_agreed" and len(r.agreed_with) == 2
    assert run(rule, {**full, "refusal_grounds": [3]}).value.decision == "refused"
    assert run(rule, {**full, "period_years": 5}).value.decision == "to_be_completed"
    with pytest.raises(InputError) as err:
        run(rule, {**full, "refusal_grounds": [4]})
    assert err.value.field == "refusal_grounds"
