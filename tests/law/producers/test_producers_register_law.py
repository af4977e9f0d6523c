"""Register of Kazakhstani commodity producers (Law 86-VII Arts 51-1..51-7): pure rules,
each case computed by hand from the text."""

import datetime as dt

import pytest

from kzreg.law.errors import InputError, LegalRuleError
from kzreg.law.rules import get_rule
from kzreg.law.settings import override
from kzreg.producers import register_law as rl

D = dt.date

COMPLETE = dict(resident=True, route=rl.Route.PROCESSED, goods=("8418 10",),
                consent_personal_data=True, consent_facility_access=True,
                consent_video_surveillance=True, evidence_documents=("tech-passport.pdf",),
                evidence_video=("line.mp4",), accuracy_declared=True)


# --- application (Art 51-1(2), (7), (10)) --------------------------------------------------

def test_complete_application_lacks_nothing():
    assert rl.check_application(rl.Application(**COMPLETE)).value == ()


@pytest.mark.parametrize("missing", ["consent_personal_data", "consent_facility_access",
                                     "consent_video_surveillance", "accuracy_declared",
                                     "resident"])
def test_each_consent_is_required(missing):
    result = rl.check_application(rl.Application(**{**COMPLETE, missing: False}))
    assert result.value == (missing,)


def test_processed_goods_need_documents_and_video():  # Art 51-1(2)(4)
    result = rl.check_application(rl.Application(**{**COMPLETE, "evidence_video": (),
                                                    "evidence_documents": ()}))
    assert result.value == ("evidence_documents", "evidence_video")
    assert any(c.locator == "Art 51-1(2)(4)" for c in result.citations)


def test_wholly_produced_needs_no_video():  # Art 51-1(9): no production assessment
    app = rl.Application(**{**COMPLETE, "route": rl.Route.WHOLLY_PRODUCED,
                            "evidence_video": (), "evidence_documents": ()})
    assert rl.check_application(app).value == ()
    assert "production_assessment" not in rl.stages(rl.Route.WHOLLY_PRODUCED).value


def test_software_producers_do_not_apply():  # Art 51-1(10)
    with pytest.raises(LegalRuleError) as err:
        rl.check_application(rl.Application(**{**COMPLETE, "route": rl.Route.SOFTWARE}))
    assert err.value.citation.locator == "Art 51-1(10)"


# --- digital verification (Art 51-1(3)) ----------------------------------------------------

CRITERIA = rl.load_criteria([
    {"code": "staff", "title": "Employees", "fact": "employees", "test": "at_least", "value": 5},
    {"code": "tax", "title": "No tax arrears", "fact": "tax_arrears", "test": "is_true"},
])


def test_verification_positive_when_all_criteria_hold():
    result = rl.digital_verification({"employees": 5, "tax_arrears": True}, CRITERIA)
    assert result.value.positive and result.value.failed == ()


def test_negative_verification_gives_reasons_per_criterion():  # Art 51-1(3) para 4
    result = rl.digital_verification({"employees": 4}, CRITERIA).value
    assert not result.positive
    assert [code for code, _ in result.failed] == ["staff", "tax"]
    assert "no information from the e-government" in result.reasoned_response


def test_no_criteria_loaded_refuses_to_compute():  # the Law lists none
    assert rl.load_criteria() == ()
    with pytest.raises(LegalRuleError, match="producers.digital_verification_criteria"):
        rl.digital_verification({"employees": 9}, rl.load_criteria())


def test_unknown_criterion_test_is_an_input_error():
    with pytest.raises(InputError):
        rl.load_criteria([{"code": "x", "title": "x", "fact": "x", "test": "around"}])


# --- catalogue and production assessment (Art 51-1(4)-(5), Art 51-7) -----------------------

V1 = {"version": "1", "effective": "2025-09-01", "products": {
    "8418 10": {"conditions": ["product_testing"], "operations": ["cutting", "welding",
                "assembly", "painting"], "minimum_operations": ["welding", "assembly"]}}}


def _v2(minimum, conditions=("product_testing",)):
    return {"version": "2", "effective": "2026-03-01", "products": {
        "8418 10": {"conditions": list(conditions), "minimum_operations": minimum}}}


def test_catalogue_may_be_made_stricter():  # Art 51-7(4)
    cat = rl.load_catalogue([V1, _v2(["welding", "assembly", "painting"],
                                     ["product_testing", "reg_tech_auth_docs"])])
    assert [v.version for v in cat] == ["1", "2"]


@pytest.mark.parametrize("v2", [_v2(["welding"]), _v2(["welding", "assembly"],
                                                       ["reg_tech_auth_docs"])])
def test_catalogue_may_not_be_made_more_favourable(v2):  # Art 51-7(4)
    with pytest.raises(LegalRuleError) as err:
        rl.load_catalogue([V1, v2])
    assert err.value.citation.locator == "Art 51-7(4)"


def test_product_needs_a_condition_of_art_51_7_2():
    bad = {**V1, "products": {"x": {"conditions": [], "minimum_operations": ["a"]}}}
    with pytest.raises(InputError, match="one or more"):
        rl.load_catalogue([bad])


def _declared(*ops, conditions=("product_testing",)):
    return [rl.Declared("8418 10", frozenset(ops), frozenset(conditions))]


def test_assessment_meets_minimum_threshold():  # Art 51-1(4) para 2
    result = rl.assess_production(_declared("welding", "assembly"), rl.load_catalogue([V1]),
                                  D(2025, 10, 1))
    assert result.value.outcome is rl.AssessmentOutcome.POSITIVE


def test_assessment_below_threshold_is_negative_with_reasons():
    result = rl.assess_production(_declared("assembly", conditions=()),
                                  rl.load_catalogue([V1]), D(2025, 10, 1)).value
    assert result.outcome is rl.AssessmentOutcome.NEGATIVE
    assert result.shortfalls == ("8418 10: operation welding below the minimum threshold",
                                 "8418 10: production condition product_testing not met")


def test_assessment_uses_the_version_in_force_on_the_date():
    cat = rl.load_catalogue([V1, _v2(["welding", "assembly", "painting"])])
    ops = _declared("welding", "assembly")
    assert rl.assess_production(ops, cat, D(2026, 2, 28)).value.outcome == "positive"
    assert rl.assess_production(ops, cat, D(2026, 3, 1)).value.outcome == "negative"
    with pytest.raises(LegalRuleError, match="pto_minimum_thresholds"):
        rl.assess_production(ops, cat, D(2025, 8, 31))


def test_insufficient_evidence_calls_for_onsite_inspection():  # Art 51-1(5)
    result = rl.assess_production(_declared("welding"), (), D(2025, 10, 1),
                                  evidence_sufficient=False)
    assert result.value.outcome is rl.AssessmentOutcome.ONSITE_INSPECTION


# --- wholly produced (Art 51-3) ------------------------------------------------------------

@pytest.mark.parametrize("category,source", [
    ("natural_resources", "hydrocarbons_authority"),          # Art 51-3(3)
    ("metal_scrap", "solid_minerals_authority"),              # Art 51-3(2)
    ("metal_scrap", "local_executive_body_scrap_permits"),    # Art 51-3(6)
    ("agricultural_products", "agriculture_authority"),       # Art 51-3(5)
])
def test_wholly_produced_sources(category, source):
    assert rl.wholly_produced(category, source).value is True


def test_wrong_source_for_category_is_refused():
    with pytest.raises(LegalRuleError) as err:
        rl.wholly_produced("agricultural_products", "hydrocarbons_authority")
    assert err.value.citation.locator == "Art 51-3(3)"


# --- monitoring (Art 51-4(1)) ---------------------------------------------------------------

def test_quarter_of_inclusion_is_covered_and_missed_quarters_found():
    # included 15.08.2025 (Q3 covered by the application's verification); as of 01.04.2026
    # Q4 2025 and Q1 2026 have ended; a run on 01.11.2025 covers Q4 only.
    result = rl.missed_quarters(D(2025, 8, 15), [D(2025, 11, 1)], D(2026, 4, 1))
    assert [str(p) for p in result.value] == ["2026-Q1"]
    assert rl.missed_quarters(D(2025, 8, 15), [], D(2025, 12, 31)).value == []


def test_rolling_quarters_setting():
    with override(producers__monitoring_quarter="rolling_three_months",
                  producers__inclusion_verification_counts_for_quarter=False):
        missed = rl.missed_quarters(D(2025, 8, 15), [], D(2025, 11, 15)).value
    assert [(p.start, p.end) for p in missed] == [(D(2025, 8, 15), D(2025, 11, 15))]


# --- removal and appeals (Arts 51-2(5), 51-5, 51-6) -----------------------------------------

def test_transformation_keeps_the_entry_other_reorganisation_removes():
    assert not rl.removal(rl.Ground.REORGANISATION, reorganisation_form="transformation"
                          ).value.remove
    merged = rl.removal(rl.Ground.REORGANISATION, reorganisation_form="accession",
                        producer_survives=True).value
    assert merged.remove and merged.automatic and merged.review
    assert rl.removal(rl.Ground.LIQUIDATION).value.automatic
    assert not rl.removal(rl.Ground.OWN_APPLICATION).value.automatic


def test_commission_window_is_thirty_working_days():  # Art 51-5(3)
    # excluded Wed 10.12.2025; skipping weekends, 16.12 (Independence Day), 1-2.01 and
    # 7.01.2026: the 30th working day is Tue 27.01.2026
    window = rl.appeal_window(rl.Ground.MONITORING, D(2025, 12, 10)).value
    assert window == rl.AppealWindow("appeals_commission", D(2026, 1, 27))


def test_software_window_is_thirty_calendar_days():  # Art 51-2(5)
    window = rl.appeal_window(rl.Ground.SOFTWARE_MONITORING, D(2025, 12, 10)).value
    assert window == rl.AppealWindow("informatisation_authority", D(2026, 1, 9))


def test_own_application_has_no_commission_appeal():  # Art 51-5(1)
    assert rl.appeal_window(rl.Ground.OWN_APPLICATION, D(2025, 12, 10)).value is None


def test_commission_decisions():  # Art 51-5(5), (8)
    goods = ["8418 10", "8418 21"]
    full = rl.commission_effect(rl.CommissionDecision.UPHELD_FULLY, goods)
    assert full.value == tuple(goods)
    assert any(c.locator == "Art 51-5(8)" for c in full.citations)
    assert rl.commission_effect(rl.CommissionDecision.UPHELD_PARTIALLY, goods,
                                ["8418 21"]).value == ("8418 21",)
    with pytest.raises(InputError, match="justification"):
        rl.commission_effect(rl.CommissionDecision.REJECTED, goods)
    assert rl.commission_effect(rl.CommissionDecision.REJECTED, goods,
                                justification="criteria still unmet").value == ()


def test_reapplication_has_no_waiting_time():  # Art 51-1(6) para 3
    assert rl.may_reapply(D(2025, 10, 1), D(2025, 10, 1)).value is True
    with override(producers__reapplication_waiting_days=30):
        assert rl.may_reapply(D(2025, 10, 1), D(2025, 10, 30)).value is False


def test_rules_are_registered_and_run_from_json():
    result = get_rule("producers.register-appeal-window").run(
        {"ground": "monitoring", "excluded_on": "2025-12-10"}, D(2025, 12, 10))
    assert result.to_dict()["value"]["last_day"] == "2026-01-27"
    missing = get_rule("producers.register-application").run({"resident": True}, D(2025, 9, 1))
    assert "consent_personal_data" in missing.value


def test_missing_fact_setting_stops_for_an_officer():
    with override(producers__verification_missing_fact="officer_review"):
        with pytest.raises(LegalRuleError) as err:
            rl.digital_verification({"employees": 5}, CRITERIA)
    assert err.value.field == "facts.tax_arrears"


def test_product_removal_setting():
    v2 = {"version": "2", "effective": "2026-03-01", "products": {
        "2601": {"conditions": ["product_testing"], "minimum_operations": ["crushing"]}}}
    assert len(rl.load_catalogue([V1, v2])) == 2
    with override(producers__catalogue_product_removal="refused"):
        with pytest.raises(LegalRuleError, match="removed"):
            rl.load_catalogue([V1, v2])


def test_register_regime_starts_sixty_days_after_publication():
    # Law 188-VIII of 19.05.2025, publication unknown: not before 19.07.2025
    with pytest.raises(LegalRuleError):
        rl.register_regime(D(2025, 7, 1))
    later = rl.register_regime(D(2025, 9, 1)).value
    assert later.applies and later.flagged
    with override(producers__register_start_if_publication_unknown="refuse"):
        with pytest.raises(LegalRuleError, match="unknown"):
            rl.register_regime(D(2025, 9, 1))
