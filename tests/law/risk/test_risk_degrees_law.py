"""Cr §6-8 and §15 of JO 1199/826: classes, transfers, frequency limits (B-T11..B-T13)."""

import datetime as dt

import pytest

from kzreg.law.errors import LegalRuleError
from kzreg.law.settings import override
from kzreg.risk.degrees import classify, next_check_allowed
from kzreg.risk.subjects import ControlKind, Degree, Relief, SubjectType

T = SubjectType


@pytest.mark.parametrize(("kind", "degree"), [
    (T.STATE_SYMBOLS_MANUFACTURER, Degree.HIGH), (T.ORIGIN_CERTIFICATE_BODY, Degree.HIGH),
    (T.REGULATED_PRODUCT_SELLER, Degree.HIGH), (T.ORIGIN_EXPERT_ORGANIZATION, Degree.AVERAGE),
    (T.CONFORMITY_ASSESSMENT_BODY, Degree.AVERAGE), (T.TRAINING_CENTER, Degree.LOW)])
def test_objective_classes(kind, degree):
    assert classify(kind).value.degree is degree


def test_b_t11_training_center():
    out = classify(T.TRAINING_CENTER).value
    assert out.checks_at_most_every_years == 3
    assert ControlKind.PREVENTIVE_WITH_VISIT not in out.allowed_controls
    assert set(out.allowed_controls) == {ControlKind.PREVENTIVE_WITHOUT_VISIT,
                                         ControlKind.COMPLIANCE_CHECK, ControlKind.UNSCHEDULED}


def test_b_t12_insured_state_symbols_manufacturer_moves_to_average():
    out = classify(T.STATE_SYMBOLS_MANUFACTURER, Relief(insured=True))
    assert out.value.objective_degree is Degree.HIGH
    assert out.value.degree is Degree.AVERAGE and out.value.checks_at_most_every_years == 2
    assert any("§15" in str(s.citation) for s in out.steps)


def test_b_t13_sro_member_moves_to_low_and_only_one_step():
    assert classify(T.ORIGIN_EXPERT_ORGANIZATION,
                    Relief(sro_recognized=True)).value.degree is Degree.LOW
    both = classify(T.REGULATED_PRODUCT_SELLER, Relief(insured=True, sro_recognized=True))
    assert both.value.degree is Degree.AVERAGE
    assert classify(T.TRAINING_CENTER, Relief(insured=True)).value.degree is Degree.LOW
    with override(risk__downgrade_max_steps=2):
        assert classify(T.REGULATED_PRODUCT_SELLER, Relief(True, True)).value.degree is Degree.LOW


def test_unclassified_types_are_refused():
    with pytest.raises(LegalRuleError) as err:
        classify(T.TEST_LABORATORY)
    assert err.value.field == "type"
    with override(risk__average_item_2_reading="accreditation_experts_only"), \
            pytest.raises(LegalRuleError):
        classify(T.CONFORMITY_ASSESSMENT_BODY)


def test_frequency_limit_interval_and_calendar_year():
    assert next_check_allowed(Degree.AVERAGE, dt.date(2024, 2, 29)).value == dt.date(2026, 2, 28)
    assert next_check_allowed(Degree.HIGH, None).value is None
    with override(risk__frequency_period="calendar_year"):
        assert next_check_allowed(Degree.LOW, dt.date(2024, 12, 30)).value == dt.date(2027, 1, 1)
