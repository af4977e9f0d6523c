"""Law 236-VI Art 23 (grounds for modifying a contract) and Art 19 p.4 (the approved order
stays unchanged). Cases T1.1-T1.4 and T10.1 of the digest, computed by hand."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from kzreg.law.errors import InputError
from kzreg.law.rules import get_rule
from kzreg.law.settings import override

ON = "2025-06-01"


def line(qty, price="10000", deadline="2025-12-01", item="radio"):
    return {"item": item, "quantity": str(qty), "unit_price": price, "deadline": deadline}


def terms(qty, price="10000", deadline="2025-12-01", value=None):
    value = value or str(Decimal(qty) * Decimal(price))
    return {"value": value, "lines": [line(qty, price, deadline)]}


def modify(**data):
    data.setdefault("modified_on", ON)
    return get_rule("defense.contract-modification").run(data, dt.date.fromisoformat(
        data["modified_on"])).value


def test_art23_p2_sub3_t1_1_need_rises_to_120_units_covered_by_savings_allowed():
    out = modify(ground="quantity_change", before=terms(100), after=terms(120),
                 sdo_total_increase="0")
    assert out.allowed, out.failed
    assert out.value_after == Decimal("1200000") and out.value_change == Decimal("200000")
    assert out.approved_order == "unchanged"
    assert out.notify_sdp_body == "amendments and additions"


def test_art23_p2_sub3_t1_1_same_request_at_10500_a_unit_rejected():
    out = modify(ground="quantity_change", before=terms(100),
                 after=terms(120, price="10500"))
    assert not out.allowed
    assert any("price per unit" in f for f in out.failed)
    assert out.notify_sdp_body is None


def test_art23_p1_sub1_an_increase_of_the_approved_order_budget_rejects_a_p2_ground():
    out = modify(ground="quantity_change", before=terms(100), after=terms(120),
                 sdo_total_increase="200000")
    assert not out.allowed and out.failed[0].startswith("Art 23 p.1 sub 1")


def test_art23_p1_sub1_line_granularity_needs_the_line_increase():
    with override(**{"defense.sdo_budget_test_granularity": "sdo_line"}):
        with pytest.raises(InputError) as err:
            modify(ground="quantity_change", before=terms(100), after=terms(120))
        assert err.value.field == "sdo_line_increase"
        assert not modify(ground="quantity_change", before=terms(100), after=terms(120),
                          sdo_line_increase="200000").allowed


def test_art23_p2_sub2_t1_2_tts_change_moving_delivery_to_february_rejected():
    out = modify(ground="tts_change", recipient_coordinated=True, before=terms(100),
                 after=terms(100, deadline="2026-02-01"))
    assert not out.allowed
    assert out.failed == ["Art 23 p.2 sub 2: deadlines for the fulfilment of obligations "
                          "remain unaltered"]
    assert modify(ground="tts_change", recipient_coordinated=True, before=terms(100),
                  after=terms(100)).allowed


def test_art23_p2_sub8_t1_2_the_same_move_allowed_on_force_majeure_by_agreement():
    fm = dict(ground="force_majeure_deadline", before=terms(100),
              after=terms(100, deadline="2026-02-01"), force_majeure="flood at the plant")
    assert not modify(**fm).allowed  # no mutual agreement
    assert modify(**fm, mutual_agreement=True).allowed
    priced = {**fm, "after": terms(100, price="11000", deadline="2026-02-01")}
    assert not modify(**priced, mutual_agreement=True).allowed


def test_art23_p2_sub6_t1_3_rephasing_with_unchanged_total_allowed_else_rejected():
    before = {"value": "3000000", "yearly": {"2025": "1000000", "2026": "1000000",
                                             "2027": "1000000"}}
    same = {"value": "3000000", "yearly": {"2025": "800000", "2026": "1200000",
                                           "2027": "1000000"}}
    more = {"value": "3100000", "yearly": {"2025": "800000", "2026": "1300000",
                                           "2027": "1000000"}}
    assert modify(ground="multi_year_rephasing", before=before, after=same).allowed
    out = modify(ground="multi_year_rephasing", before=before, after=more)
    assert not out.allowed
    assert any("total contract value remains unaltered" in f for f in out.failed)


def test_art23_p2_sub4_t1_4_design_estimate_increase_needs_an_equal_allocation():
    base = dict(ground="design_estimate", design_estimate_examined=True,
                before={"value": "5000000"}, after={"value": "5500000"})
    assert modify(**base, allocated_sum="500000").allowed
    out = modify(**base, allocated_sum="400000")
    assert not out.allowed and "equal to the increase" in out.failed[0]


def test_art23_p2_sub1_price_reduction_by_agreement():
    down = dict(ground="price_reduction", before=terms(100), after=terms(100, price="9500"))
    assert modify(**down, mutual_agreement=True).allowed
    assert not modify(**down).allowed


def test_art23_p2_sub5_legislation_change_by_its_stated_effect():
    base = dict(ground="legislation_change", before={"value": "1000000"},
                after={"value": "1020000"}, legislation_change_ref="VAT rate change")
    assert modify(**base, legislation_effect="20000").allowed
    assert not modify(**base, legislation_effect="10000").allowed


def test_art23_p2_sub7_contractor_improvement_keeps_price_and_deadlines():
    assert modify(ground="contractor_improvement", improvement_offered_by_contractor=True,
                  before=terms(100), after=terms(100)).allowed
    assert not modify(ground="contractor_improvement", improvement_offered_by_contractor=True,
                      before=terms(100), after=terms(100, price="10100")).allowed


def test_art19_p4_a_p2_modification_may_not_edit_the_approved_order():
    out = modify(ground="quantity_change", before=terms(100), after=terms(120),
                 changes_approved_order=True)
    assert not out.allowed and out.failed[-1].startswith("Art 19 p.4")
    edit = get_rule("defense.contract-order-edit")
    assert not edit.run({"ground": "tts_change", "changes_approved_order": True},
                        dt.date(2025, 6, 1)).value
    assert edit.run({"ground": "sdo_amended", "changes_approved_order": True},
                    dt.date(2025, 6, 1)).value


def test_art23_p1_sub2_modification_after_a_government_act_amending_the_order():
    out = modify(ground="sdo_amended", before=terms(100), after=terms(150, price="11000"),
                 sdo_amendment_act={"number": "Gov-77", "adopted_on": "2025-05-20"})
    assert out.allowed and out.approved_order == "amended by Government act Gov-77"
    assert not modify(ground="sdo_amended", before=terms(100), after=terms(150)).allowed


def test_art23_p1_sub3_subject_unchanged_needs_a_justification():
    base = dict(ground="subject_unchanged", before={"value": "1"}, after={"value": "1"},
                subject_matter_unchanged=True)
    assert not modify(**base).allowed
    assert modify(**base, justification="bank details corrected").allowed


def test_art32_t10_1_art23_not_in_force_on_15_november_2019_in_force_15_january_2020():
    old = modify(ground="quantity_change", modified_on="2019-11-15", before=terms(100),
                 after=terms(120))
    assert not old.allowed and old.approved_order == "not applicable"
    assert modify(ground="quantity_change", modified_on="2020-01-15", before=terms(100),
                  after=terms(120)).allowed
