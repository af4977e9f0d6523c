"""Law 236-VI Art 22 (contract content, the 10/20/30-day terms, refusal, notices, penalties)
and Arts 24, 25, 27 (representatives, MRO suspension, final acceptance, recipient acceptance).
Expected values computed by hand from the Law (digest §8 cases T2, T5, T8)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from kzreg.law.errors import InputError, NotInForce
from kzreg.law.rules import get_rule
from kzreg.law.settings import override

AS_OF = dt.date(2025, 8, 1)
D = dt.date.fromisoformat


def run(rule_id: str, data: dict, as_of: dt.date = AS_OF):
    return get_rule(rule_id).run(data, as_of)


FULL = {"subject_matter": "supply of 100 radios", "validity_period": "to 2025-12-31",
        "value": "1000000", "quality_control_conditions": "MRO control",
        "acceptance_conditions": "MRO certificate", "delivery_place": "Astana",
        "delivery_dates": ["2025-12-01"], "forfeit": "per the standard contract",
        "termination_grounds": "breach", "liability": "per law", "payment_term_days": 30,
        "vat_clause": True}


def test_art22_p4_p8_complete_draft_with_30_day_payment_is_valid():
    result = run("defense.contract-content", FULL)
    assert result.value.valid and result.value.findings == []
    assert any(c.locator == "Art 22 p.8" for c in result.citations)


def test_art22_p8_t2_3_a_45_day_payment_term_is_an_invalid_clause():
    result = run("defense.contract-content", {**FULL, "payment_term_days": 45})
    assert not result.value.valid
    assert [f.field for f in result.value.findings] == ["payment_term_days"]
    assert "INVALID" in result.value.findings[0].problem


def test_art22_p4_missing_clauses_and_vat_are_named():
    draft = {k: v for k, v in FULL.items() if k not in ("forfeit", "acceptance_conditions")}
    result = run("defense.contract-content", {**draft, "vat_clause": False})
    assert {f.field for f in result.value.findings} == {"forfeit", "acceptance_conditions",
                                                        "vat_clause"}


def test_money_refuses_binary_floats_naming_the_field():
    with pytest.raises(InputError) as err:
        run("defense.contract-content", {**FULL, "value": 1000000.5})
    assert err.value.field == "value"


def test_art22_p5_t2_1_act_of_3_march_contract_due_13_march_sent_14th_late_and_notified():
    on_time = run("defense.contract-send-deadline", {"trigger_on": "2025-03-03",
                                                      "done_on": "2025-03-13"})
    assert on_time.value.due == D("2025-03-13") and on_time.value.on_time
    late = run("defense.contract-send-deadline", {"trigger_on": "2025-03-03",
                                                   "done_on": "2025-03-14"})
    assert late.value.on_time is False
    assert late.value.notify_sdp_body == "untimely conclusion"


def test_art22_p6_t2_2_received_13_march_sign_by_2_april_signed_3rd_is_untimely():
    result = run("defense.contract-sign-deadline", {"trigger_on": "2025-03-13",
                                                     "done_on": "2025-04-03"})
    assert result.value.due == D("2025-04-02")
    assert result.value.on_time is False and result.value.notify_sdp_body


def test_art22_p8_t2_3_fulfilled_10_june_payment_due_10_july():
    result = run("defense.contract-pay-deadline", {"trigger_on": "2025-06-10"})
    assert result.value.due == D("2025-07-10") and result.value.on_time is None
    overdue = run("defense.contract-pay-deadline", {"trigger_on": "2025-06-10"},
                  as_of=D("2025-07-11"))
    assert overdue.value.overdue_on == D("2025-07-11")


def test_last_day_on_a_sunday_moves_to_monday_per_the_kernel_setting():
    # 2025-03-06 + 10 = Sunday 2025-03-16 -> Monday 2025-03-17 (calendar.roll_end_to_working_day)
    assert run("defense.contract-send-deadline",
               {"trigger_on": "2025-03-06"}).value.due == D("2025-03-17")
    with override(**{"calendar.roll_end_to_working_day": False}):
        assert run("defense.contract-send-deadline",
                   {"trigger_on": "2025-03-06"}).value.due == D("2025-03-16")


def test_art32_art22_terms_do_not_apply_before_1_january_2020():
    with pytest.raises(NotInForce) as err:
        run("defense.contract-send-deadline", {"trigger_on": "2019-11-15"})
    assert err.value.citation.locator == "Art 32 p.1"


def test_art22_p7_t5_discontinued_and_embargo_are_valid_grounds_price_is_not():
    assert run("defense.contract-refusal", {"ground": "discontinued"}).value.valid
    embargo = run("defense.contract-refusal", {"ground": "sanctions_embargo_force_majeure",
                                               "event_link": "embargo on the radio's chips"})
    assert embargo.value.valid and embargo.value.notify_sdp_body == "refusal to conclude"
    price = run("defense.contract-refusal", {"ground": "other", "reason": "price too low"})
    assert not price.value.valid and price.value.signing_duty_remains


def test_art22_p7_sub3_t5_3_40_km_against_a_60_km_selection_tts_is_a_valid_refusal():
    result = run("defense.contract-refusal", {
        "ground": "spec_mismatch", "contract_spec": {"range_km": "40"},
        "selection_tts": {"range_km": "60"}})
    assert result.value.valid and result.value.differences == [
        "range_km: contract '40', TTS '60'"]
    same = run("defense.contract-refusal", {
        "ground": "spec_mismatch", "contract_spec": {"range_km": "60"},
        "selection_tts": {"range_km": "60"}})
    assert not same.value.valid


def test_art22_p12_notice_flagged_after_the_systems_alert_period():
    result = run("defense.contract-notice", {"event": "missed_delivery",
                                             "occurred_at": "2025-05-01T09:00:00+05:00",
                                             "sent_at": "2025-05-02T10:00:00+05:00"})
    assert result.value.to == "SDP body" and result.value.flagged
    prompt = run("defense.contract-notice", {"event": "termination",
                                             "occurred_at": "2025-05-01T09:00:00+05:00",
                                             "sent_at": "2025-05-01T11:00:00+05:00"})
    assert not prompt.value.flagged


def test_art22_p10_penalties_recovered_by_the_party_and_credited_to_the_republican_budget():
    result = run("defense.contract-penalty", {"amount": "12500.50",
                                              "contract_party": "recipient"})
    assert result.value.recovered_by == "recipient"
    assert result.value.credited_to == "republican budget"
    assert result.value.amount == Decimal("12500.50")


# --- execution and acceptance (Arts 24, 25, 27) -------------------------------------------

DONE = {"production_complete": True, "set_complete": True, "required_tests": ["acceptance"],
        "tests_passed": ["acceptance"], "quality_certificate": "QC-1"}


def test_art25_sub10_t8_1_certificate_and_complete_set_recipient_accepts_without_blocked():
    assert run("defense.contract-recipient-acceptance", DONE).value.allowed
    blocked = run("defense.contract-recipient-acceptance", {**DONE, "quality_certificate": None})
    assert not blocked.value.allowed
    assert blocked.value.reasons == ["no MRO quality certificate"]


def test_art27_p5_t8_2_no_final_acceptance_without_the_qualification_test():
    result = run("defense.contract-final-acceptance", {
        **DONE, "required_tests": ["acceptance", "qualification"]})
    assert not result.value.allowed
    assert result.value.reasons == ["without required testing: qualification"]
    assert run("defense.contract-final-acceptance", DONE).value.allowed


def test_art27_p4_sub8_t8_3_field_defect_present_in_wip_suspends_shipment():
    result = run("defense.contract-mro-suspension", {
        "field_defect_in_service": True, "defect_present_in_wip": True})
    assert not result.value.allowed and result.value.reasons == ["field_defect_in_wip"]
    only_field = run("defense.contract-mro-suspension", {"field_defect_in_service": True})
    assert only_field.value.allowed


def test_art27_p4_sub9_works_suspend_on_contract_breach_but_not_on_failed_tests():
    works = {"subject": "works_services"}
    assert not run("defense.contract-mro-suspension",
                   {**works, "contract_terms_breached": True}).value.allowed
    assert run("defense.contract-mro-suspension",
               {**works, "failed_tests": ["type"]}).value.allowed


def test_art27_p6_t8_3_state_security_service_accepts_under_the_contract_no_certificate():
    sss = {**DONE, "quality_certificate": None, "for_state_security_service": True}
    assert run("defense.contract-recipient-acceptance", sss).value.allowed
    assert run("defense.contract-mro-suspension",
               {**sss, "failed_tests": ["type"]}).value.allowed
    with pytest.raises(InputError) as err:
        run("defense.contract-final-acceptance", sss)
    assert err.value.citation.locator == "Art 27 p.6"


def test_art24_p2_p3_representatives():
    assert run("defense.contract-representative", {
        "sent_by": "sdp_body", "mandate": "monitoring", "mro_at_contractor": True}).value.allowed
    assert run("defense.contract-representative", {
        "sent_by": "recipient", "mandate": "quality_acceptance",
        "mro_at_contractor": False}).value.allowed
    assert not run("defense.contract-representative", {
        "sent_by": "recipient", "mandate": "quality_acceptance",
        "mro_at_contractor": True}).value.allowed
