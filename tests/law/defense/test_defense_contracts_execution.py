"""Law 236-VI Art 24 p.4 (reserve assets: who, 30% cap, 12-month replenishment) and Art 29
(reclamation). Digest cases T3.1-T3.3 and T9.1-T9.3, computed by hand."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from kzreg.law.rules import get_rule
from kzreg.law.settings import override

D = dt.date.fromisoformat
USE = {"user_kind": "storage_facility", "sdo_contractor": True, "nomenclature": "fuel",
       "actually_available": "1000", "used_on": "2025-03-10"}


def run(rule_id, data, as_of="2025-06-01"):
    return get_rule(rule_id).run(data, D(as_of)).value


def test_art24_p4_t3_1_250_of_1000_ok_then_60_more_is_310_over_300():
    first = run("defense.contract-reserve-use", {**USE, "quantity": "250"})
    assert first.allowed and first.cap == Decimal("300") and first.replenish_by == D("2026-03-10")
    second = run("defense.contract-reserve-use", {**USE, "quantity": "60", "past_uses": [
        {"quantity": "250", "used_on": "2025-03-10"}]})
    assert not second.allowed and second.total_after == Decimal("310")
    returned = run("defense.contract-reserve-use", {**USE, "quantity": "60", "past_uses": [
        {"quantity": "250", "used_on": "2025-03-10", "replenished": "250"}]})
    assert returned.allowed
    with override(**{"defense.reserve_cap_counts_replenished": True}):
        assert not run("defense.contract-reserve-use", {**USE, "quantity": "60", "past_uses": [
            {"quantity": "250", "used_on": "2025-03-10", "replenished": "250"}]}).allowed


def test_art24_p4_t3_3_other_register_contractor_may_not_use_reserve_assets():
    out = run("defense.contract-reserve-use", {**USE, "user_kind": "other", "quantity": "10"})
    assert not out.allowed and "storage facility" in out.reasons[0]


def test_art24_p4_t3_2_used_10_march_2025_replenish_by_10_march_2026_overdue_next_day():
    data = {"used_on": "2025-03-10", "quantity_used": "250"}
    assert run("defense.contract-reserve-replenishment", data, "2026-03-10").status == "due"
    out = run("defense.contract-reserve-replenishment", data, "2026-03-11")
    assert out.status == "overdue" and out.due == D("2026-03-10")
    done = {**data, "replenished": "250", "replenished_on": "2026-02-01"}
    assert run("defense.contract-reserve-replenishment", done, "2026-03-11").status == \
        "replenished"


WARRANTY = {"found_on": "2025-04-20", "warranty_until": "2026-01-01"}


def test_art29_p7_t9_1_improper_operation_contractor_not_guilty_no_return():
    out = run("defense.contract-reclamation", {**WARRANTY, "improper_operation": True,
                                               "contractor_at_fault": True})
    assert out.applies and out.guilty is False and out.remedy == "none"


def test_art29_p3_p6_t9_2_counterfeit_unit_replaced_penalty_30_days_or_31_both_ends():
    data = {**WARRANTY, "contractor_at_fault": True, "counterfeit": True,
            "notice_received_on": "2025-05-01", "remedied_on": "2025-05-31"}
    out = run("defense.contract-reclamation", data)
    assert out.remedy == "unit_replacement" and out.penalty_days == 30
    with override(**{"defense.penalty_day_count": "include_both_ends"}):
        assert run("defense.contract-reclamation", data).penalty_days == 31


def test_art29_p4_t9_3_hidden_factory_defect_whole_line_after_warranty_not_applicable():
    data = {**WARRANTY, "contractor_at_fault": True, "irreparable": True,
            "hidden_factory_only": True, "all_units_suspected": True}
    assert run("defense.contract-reclamation", data).remedy == "line_return"
    late = run("defense.contract-reclamation", {**data, "found_on": "2026-02-01"})
    assert not late.applies and late.remedy == "none"
