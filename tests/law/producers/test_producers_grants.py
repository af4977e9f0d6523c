"""Industrial grants (Law 86-VII Art 42): an operating manufacturing entity, co-financing,
products on the list of priority goods, counter-obligations and the planned goals the grant
is monitored against; the rules' award criteria and minimum share stay settings."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import pytest

from kzreg.law.errors import InputError
from kzreg.law.rules import get_rule
from kzreg.law.settings import override
from kzreg.producers.grants import GrantCheckInput, grant_check

DAY = dt.date(2026, 3, 2)
BASE = {"operating": True, "project_cost": "1000", "grant_requested": "600",
        "own_contribution": "200", "planned_goals": ["new line of 500 units a year"],
        "goods": [{"code": "8501", "on_priority_list": True}],
        "counter_obligations_accepted": True}


def check(**changes):
    return grant_check(GrantCheckInput(**{**BASE, **changes}), DAY)


def test_all_conditions_met_with_every_clause_cited():
    result = check()
    assert result.value.eligible and result.value.failures == ()
    assert result.value.own_share == Fraction(1, 5)
    assert result.value.award_criteria == "unset"
    cited = {s.citation.locator for s in result.steps if s.citation}
    assert {"Art 42(1)", "Art 42(2)", "Art 42(3)", "Art 42(4)"} <= cited
    assert get_rule("producers.industrial-grant-check") is not None


@pytest.mark.parametrize(("changes", "code", "clause"), [
    ({"operating": False}, "operating", "Art 42(2)"),
    ({"manufacturing_industry": False}, "manufacturing", "Art 42(1)"),
    ({"own_contribution": "0"}, "co_financing", "Art 42(2)"),
    ({"goods": [{"code": "8501", "on_priority_list": False}]}, "priority_goods", "Art 42(2)"),
    ({"counter_obligations_accepted": False}, "counter_obligations", "Art 42(1)"),
    ({"planned_goals": ["  "]}, "planned_goals", "Art 42(4)"),
])
def test_each_condition_can_fail_alone(changes, code, clause):
    result = check(**changes)
    assert not result.value.eligible
    assert [(f.code, f.clause) for f in result.value.failures] == [(code, clause)]


def test_the_rules_minimum_share_once_loaded():
    with override(producers__industrial_grant_cofinancing_share="1/4"):
        assert [f.code for f in check().value.failures] == ["co_financing"]   # 20% < 25%
        assert check(own_contribution="250", grant_requested="500").value.eligible


def test_money_beyond_the_project_is_bad_input():
    with pytest.raises(InputError) as err:
        check(grant_requested="900")
    assert err.value.field == "grant_project.grant_requested"
