"""Order 407, Rules §13 (the four completion conditions) and §15 (high risk), C-T10 to C-T12."""

from __future__ import annotations

import datetime as dt

from kzreg.law.citations import cite
from kzreg.law.rules import get_rule

AS_OF = dt.date(2025, 6, 1)
CLEAN = {"seals": [{"number": "NP-1", "intact": True}, {"number": "NP-2", "intact": True}],
         "compartments_intact": True, "non_routine_situations_reported": 0,
         "traces_of_unauthorized_access": False}


def judge(**changes):
    return get_rule("escort.completion").run({**CLEAN, **changes}, AS_OF)


def test_rules_13_c_t10_all_four_conditions_hold_escort_completed_one_request_per_seal():
    result = judge()
    assert result.value.completion_allowed
    assert result.value.deactivation_requests == ("NP-1", "NP-2")
    assert not result.value.high_risk


def test_rules_13_15_c_t11_reported_signal_loss_fails_condition_3_and_classes_high_risk():
    result = judge(non_routine_situations_reported=1)
    out = result.value
    assert not out.completion_allowed
    assert out.failed_conditions == ("3) absence of information from the national operator "
                                     "about non-routine situations",)
    assert out.high_risk
    assert out.high_risk_grounds[0].startswith("c) information from the national operator")
    assert "Art 231(8)" in out.next_step
    assert cite("order-407", "Rules §15") in result.citations


def test_rules_15_c_t12_quantity_lower_than_declared_is_high_risk_without_any_situation():
    out = judge(goods_match_declaration=False, illegal_actions=["change of quantity"]).value
    assert out.high_risk and not out.completion_allowed
    assert [g[:2] for g in out.high_risk_grounds] == ["a)", "b)"]
    assert out.failed_conditions == ()


def test_rules_13_broken_seal_fails_condition_1_naming_the_seal():
    out = judge(seals=[{"number": "NP-1", "intact": False},
                       {"number": "NP-2", "intact": True}]).value
    assert not out.completion_allowed
    assert out.failed_conditions == ("1) integrity of the affixed navigation seals",)
    assert not out.high_risk   # none of §15's grounds is named for this (see the report)


def test_rules_13_each_condition_is_a_step_of_the_explanation():
    result = judge(compartments_intact=False, traces_of_unauthorized_access=True)
    described = [s.description for s in result.steps]
    assert sum("completion condition" in d for d in described) == 4
    assert len(result.value.failed_conditions) == 2
