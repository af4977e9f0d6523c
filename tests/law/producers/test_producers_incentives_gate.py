"""State incentives (Law 86-VII Arts 25-29, 33, 68): the gate, the catalogue, the Art 28(4)
ban and the Art 27(4) refund, with cases computed by hand from the Law (digest §7 item 7)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kzreg.law.errors import InputError, LegalRuleError
from kzreg.law.rules import get_rule
from kzreg.law.settings import override
from kzreg.producers.incentives import catalogue, evaluate

DAY = dt.date(2026, 3, 2)


def case(**changes):
    base = {"measure": "financing", "applied_on": DAY.isoformat(),
            "goods": [{"code": "8701", "on_priority_list": True}],
            "counter_obligations_accepted": True,
            "counter_obligation_directions": ["export_oriented_output"],
            "documents_compliant": True, "in_register": True,
            "choices": {"project_kind": "new_production"}}
    base.update(changes)
    return base


def gate(data):
    return get_rule("producers.incentive-gate").run(data, DAY)


def test_all_four_conditions_met_is_eligible():
    result = gate(case())
    assert result.value.eligible and result.value.reasons == ()
    assert "Art 25(6)" in {c.locator for c in result.citations}


def test_not_in_register_is_refused():
    result = gate(case(in_register=False))
    assert not result.value.eligible
    assert result.value.reasons == ("NOT_IN_REGISTER",)


def test_goods_not_on_priority_list_are_refused():
    goods = [{"code": "8701", "on_priority_list": True},
             {"code": "2710", "on_priority_list": False}]
    result = gate(case(goods=goods))
    assert result.value.reasons == ("NOT_PRIORITY_GOODS",)
    assert "2710" in result.value.failures[0].detail


def test_goods_outside_the_project_do_not_count_by_default():
    goods = [{"code": "8701", "on_priority_list": True},
             {"code": "2710", "on_priority_list": False, "of_project": False}]
    assert gate(case(goods=goods)).value.eligible
    with override(producers__priority_goods_focus="all_entity_output"):
        assert gate(case(goods=goods)).value.reasons == ("NOT_PRIORITY_GOODS",)


def test_counter_obligations_need_acceptance_and_a_direction():
    assert gate(case(counter_obligations_accepted=False)).value.reasons == (
        "NO_COUNTER_OBLIGATIONS",)
    assert gate(case(counter_obligation_directions=[])).value.reasons == (
        "NO_COUNTER_OBLIGATIONS",)
    with pytest.raises(InputError) as err:
        gate(case(counter_obligation_directions=["tax_payments"]))
    assert "counter_obligation_directions" in err.value.field


def test_every_failed_condition_is_a_reason():
    result = gate(case(in_register=False, documents_compliant=False,
                       document_findings=["no feasibility study"],
                       counter_obligations_accepted=False,
                       goods=[{"code": "2710", "on_priority_list": False}]))
    assert set(result.value.reasons) == {"NOT_PRIORITY_GOODS", "NO_COUNTER_OBLIGATIONS",
                                         "DOCS_NONCOMPLIANT", "NOT_IN_REGISTER"}


def test_working_capital_subsidy_is_refused_under_condition_3():
    data = case(measure="interest_subsidy", facts={"own_property_participation": True},
                choices={"purpose": "working_capital"})
    result = gate(data)
    assert result.value.reasons == ("DOCS_NONCOMPLIANT",)
    assert result.value.failures[0].clause == "Art 33(1)"
    data["choices"] = {"purpose": "modernisation"}
    assert gate(data).value.eligible


def test_missing_measure_fact_names_the_field():
    with pytest.raises(InputError) as err:
        gate(case(measure="lending", choices={"purpose": "expansion"}))
    assert err.value.field == "facts.own_property_participation"


def test_unknown_measure_and_agro_complex():
    with pytest.raises(InputError) as err:
        gate(case(measure="tax_holiday"))
    assert err.value.field == "measure"
    with pytest.raises(LegalRuleError) as err:
        gate(case(agro_industrial=True))
    assert "Art 25(2)" in str(err.value.citation)


def test_certificate_meets_register_condition_until_2026():
    cert = {"in_register": False, "certificate_valid_until": "2026-06-30"}
    day = dt.date(2025, 12, 31)
    rule = get_rule("producers.incentive-gate")
    assert rule.run(case(applied_on=day.isoformat(), **cert), day).value.eligible
    day = dt.date(2026, 1, 1)   # Art 68: certificates in force until 1 January 2026
    assert rule.run(case(applied_on=day.isoformat(), **cert), day).value.reasons == (
        "NOT_IN_REGISTER",)
    day = dt.date(2025, 12, 31)
    with override(producers__certificates_satisfy_register_condition=False):
        assert not rule.run(case(applied_on=day.isoformat(), **cert), day).value.eligible


def test_catalogue_is_the_fourteen_measures_of_art_29():
    measures = catalogue()
    assert len(measures) == 14
    assert sorted(int(m.item.rsplit(" ", 1)[1]) for m in measures.values()) == list(range(1, 15))


def test_land_plots_wording_before_29_june_2023():
    land = catalogue()["land_plots"]
    before = "provision of land plots and subsoil use rights"
    assert land.title_on(dt.date(2023, 6, 28))[0] == before
    assert land.title_on(dt.date(2023, 6, 29))[0] == "provision of land plots"


def test_competitiveness_ban_after_culpable_failure_only():
    rule = get_rule("producers.incentive-competitiveness-ban")
    culpable = {"entity": "123456789012", "prior_agreements": [
        {"agreement_id": "A-1", "counter_obligations_failed": True}]}
    excused = {"entity": "210987654321", "prior_agreements": [
        {"agreement_id": "A-2", "counter_obligations_failed": True, "beyond_control": True}]}
    assert rule.run(culpable, DAY).value is False
    assert rule.run(excused, DAY).value is True
    assert rule.run({"entity": "1", "prior_agreements": []}, DAY).value is True


REFUND = {"amount_received": "100000000", "fulfilment_percent": "60",
          "base_rate_percent": "16.5", "days": 365}


def test_refund_refuses_while_the_formula_is_unset():
    with pytest.raises(LegalRuleError) as err:
        get_rule("producers.incentive-refund").run(REFUND, DAY)
    assert err.value.field == "producers.counter_obligation_refund_formula"


def test_refund_with_a_loaded_formula_is_exact():
    formula = "amount * (1 - fulfilment) * (1 + base_rate * days / 365)"
    with override(producers__counter_obligation_refund_formula=formula):
        result = get_rule("producers.incentive-refund").run(REFUND, DAY)
        # 100,000,000 × 0.4 × 1.165 = 46,600,000.00
        assert result.value == Decimal("46600000.00")
        full = dict(REFUND, fulfilment_percent="100")
        assert get_rule("producers.incentive-refund").run(full, DAY).value == 0


def test_formula_rejects_anything_but_arithmetic():
    with pytest.raises(InputError):
        evaluate("__import__('os')", {"amount": 1})
    with pytest.raises(InputError):
        evaluate("amount ** 2", {"amount": 1})


@given(st.integers(0, 10**12), st.integers(0, 100))
def test_proportional_formula_never_exceeds_the_amount(amount, percent):
    from fractions import Fraction
    value = evaluate("amount * (1 - fulfilment)",
                     {"amount": Fraction(amount), "fulfilment": Fraction(percent, 100)})
    assert 0 <= value <= amount


def test_until_bounds_follow_the_kernel_setting():
    land = catalogue()["land_plots"]
    cert = {"in_register": False, "certificate_valid_until": "2026-06-30",
            "applied_on": "2026-01-01"}
    rule = get_rule("producers.incentive-gate")
    with override(acts__until_is_exclusive=False):
        assert land.title_on(dt.date(2023, 6, 29))[0].endswith("subsoil use rights")
        assert rule.run(case(**cert), dt.date(2026, 1, 1)).value.eligible
