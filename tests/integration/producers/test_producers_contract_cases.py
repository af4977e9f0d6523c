"""Large customers as stored cases (Law 86-VII Arts 46-49, 47-1, 61-1): a procurement plan
walked through the Art 47 calendar with its breaches recorded by the worker, the register of
off-take contracts and guaranteed purchase agreements with the yearly check, the offset
minimum, systemic enterprises and a development programme."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from kzreg.law.calendar import ALMATY
from kzreg.law.errors import Forbidden, LegalRuleError, NotFound
from kzreg.platform.actors import Actor, Role
from kzreg.platform.db import unit_of_work
from kzreg.platform.timers import PENDING, Breach, Timer
from kzreg.platform.worker import run_once
from kzreg.producers import casework, contracts_service

CUSTOMER, SUPPLIER, OTHER = "090740003154", "150340012340", "180840045211"
OFFICER = Actor("officer", Role.INDUSTRY_OFFICER)
BUYER = Actor("buyer", Role.CONTRACTOR, bin=CUSTOMER)
MAKER = Actor("maker", Role.MANUFACTURER, bin=SUPPLIER)
STRANGER = Actor("other", Role.MANUFACTURER, bin=OTHER)
GOODS = [{"code": "8431 43", "title": "Drill bits"},
         {"code": "8708 99", "title": "Spare parts", "foreign_under_warranty": True}]


def at(day: str, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(hour), ALMATY)


def pending(s, case_id):
    return {t.name: t.due_at.astimezone(ALMATY).date() - dt.timedelta(days=1)
            for t in s.scalars(select(Timer).where(Timer.case_id == case_id,
                                                   Timer.status == PENDING))}


def breaches(s, case_id):
    return [b.deadline for b in s.scalars(select(Breach).where(Breach.case_id == case_id)
                                          .order_by(Breach.id))]


def test_plan_through_the_art_47_calendar(db):
    with unit_of_work() as s:
        case = contracts_service.open_plan(s, BUYER, customer_name="Qorgan JSC",
                                           customer_type="quasi_public",
                                           first_procurement_year=2027, at=at("2026-11-20"))
        case_id = case.id
        assert pending(s, case_id) == {"lodge": dt.date(2026, 12, 10)}
    run_once(at("2026-12-11"))   # not lodged by 10 December (Art 47(1))
    with unit_of_work() as s:
        assert breaches(s, case_id) == ["lodge"]
        case = casework.act(s, BUYER, case_id, "lodge", {"goods": GOODS}, at=at("2026-12-14"))
        assert case.data["late_days"] == 4 and case.data["to_exclude"] == ["8708 99"]
        assert pending(s, case_id) == {"review": dt.date(2027, 1, 13)}   # 30 calendar days
        with pytest.raises(LegalRuleError, match="warranty"):
            casework.act(s, OFFICER, case_id, "agree", at=at("2026-12-20"))
    with unit_of_work() as s:
        casework.act(s, OFFICER, case_id, "notify", {"comments": ["exclude 8708 99"]},
                     at=at("2026-12-25"))
        # 5 working days from Fri 25.12.2026: 28, 29, 30, 31 Dec; 1-2 January (a Saturday,
        # observed on Monday 4 January) are holidays; so Tuesday 5 January
        assert pending(s, case_id) == {"resubmit": dt.date(2027, 1, 5)}
        casework.act(s, BUYER, case_id, "resubmit", {"goods": GOODS[:1]}, at=at("2027-01-05"))
        # approval within 10 working days of the resubmission (7 January is Christmas)
        assert pending(s, case_id) == {"approve": dt.date(2027, 1, 20)}
        casework.act(s, OFFICER, case_id, "agree", at=at("2027-01-15"))
        assert pending(s, case_id) == {"publish": dt.date(2027, 2, 1)}
        case = casework.act(s, OFFICER, case_id, "publish", {"note": ""}, at=at("2027-01-29"))
        assert (case.data["applications_due"], case.data["contracts_due"]) == \
            ("2027-03-01", "2027-03-31")
        check = contracts_service.plan_check(s, OFFICER, case_id, dt.date(2027, 2, 1)).value
        assert [st.status for st in check.stages][:2] == ["late", "on_time"]
    run_once(at("2027-03-02"))   # the window closes by itself (Art 47(6))
    with unit_of_work() as s:
        case = casework.view(s, OFFICER, case_id)["case"]
        assert case.state == "examination"
        assert pending(s, case_id) == {"conclude": dt.date(2027, 3, 31)}   # Art 47(7)
        case = casework.act(s, BUYER, case_id, "conclude", {"contracts": ["OT-1"]},
                            at=at("2027-03-30"))
        assert case.state == "closed" and breaches(s, case_id) == ["lodge"]
        with pytest.raises(NotFound):
            casework.view(s, STRANGER, case_id)


def test_a_late_act_leaves_the_breach_even_before_the_worker(sqlite_db):
    with unit_of_work() as s:
        case = contracts_service.open_plan(s, OFFICER, customer_bin=CUSTOMER,
                                           customer_name="Qorgan JSC",
                                           customer_type="systemic_enterprise",
                                           first_procurement_year=2027, goods=GOODS[:1],
                                           at=at("2026-12-11"))
        assert case.state == "under_review" and case.data["late_days"] == 1
        assert breaches(s, case.id) == ["lodge"]


def test_plan_of_a_cycle_before_the_reworded_art_47_is_refused(sqlite_db):
    with unit_of_work() as s, pytest.raises(LegalRuleError, match="188-VIII"):
        contracts_service.open_plan(s, BUYER, customer_name="Qorgan JSC",
                                    customer_type="quasi_public", first_procurement_year=2025,
                                    at=at("2026-11-20"))


OFFTAKE = {"number": "OT-1", "new_production": True, "customer_bin": CUSTOMER,
           "customer_name": "Qorgan JSC", "supplier_bin": SUPPLIER,
           "supplier_name": "Steppe Motors LLP",
           "goods": [{"title": "Drill bits", "specification": "API 7-1, 215.9 mm"}],
           "concluded_on": dt.date(2026, 4, 1), "ends_on": dt.date(2030, 12, 31),
           "amount": "12000000000", "domestic_value_min": "40",
           "programme_obligation": True,
           "volumes": [{"year": 2027, "contracted": "1000"},
                       {"year": 2028, "contracted": "2000"},
                       {"year": 2029, "contracted": "2000"}]}


def test_offtake_register_and_yearly_checks(sqlite_db):
    with unit_of_work() as s:
        with pytest.raises(LegalRuleError, match="domestic value") as e:
            contracts_service.register_contract(s, OFFICER, **{**OFFTAKE,
                                                               "domestic_value_min": None})
        assert e.value.citation.locator == "Art 48(5)"
        with pytest.raises(LegalRuleError, match="5%"):
            contracts_service.register_contract(
                s, OFFICER, **OFFTAKE, annual_purchases="2162500001",
                offset_conditions=[{"kind": "research_and_development", "amount": "1"}])
        with pytest.raises(Forbidden):
            contracts_service.register_contract(s, STRANGER, **OFFTAKE)
        contract = contracts_service.register_contract(
            s, MAKER, **OFFTAKE, annual_purchases="2162500001",
            offset_conditions=[{"kind": "research_and_development", "amount": "600000000"}],
            at=at("2026-04-02"))
        assert contract.kind == "offtake" and contract.offset_terms["value"]["required"]
        cid = contract.id
        year1 = contracts_service.record_year(s, BUYER, cid, year=2027, accepted="900",
                                              at=at("2028-01-10"))
        assert not year1.value.compliant
        contracts_service.record_year(s, BUYER, cid, year=2027, accepted="1000")
        contracts_service.record_year(s, BUYER, cid, year=2028, accepted="1000")
        contracts_service.record_year(s, BUYER, cid, year=2029, accepted="999")
        statuses = [y.status for y in contracts_service.get_contract(s, MAKER, cid).years]
        assert statuses == ["compliant", "compliant", "breach"]
        with pytest.raises(NotFound):
            contracts_service.get_contract(s, STRANGER, cid)
        assert contracts_service.contracts_for(s, STRANGER) == []


@pytest.mark.parametrize(("ends_on", "valid"), [("2027-03-31", False), ("2027-04-01", True),
                                                ("2036-04-01", True), ("2036-04-02", False)])
def test_guaranteed_purchase_term_is_one_to_ten_years(sqlite_db, ends_on, valid):
    data = {**OFFTAKE, "number": f"GP-{ends_on}", "new_production": False,
            "ends_on": dt.date.fromisoformat(ends_on)}
    with unit_of_work() as s:
        if valid:
            assert contracts_service.register_contract(s, OFFICER, **data).kind == \
                "guaranteed_purchase"
        else:
            with pytest.raises(LegalRuleError, match="one to ten years"):
                contracts_service.register_contract(s, OFFICER, **data)


def test_systemic_enterprise_strictly_more_than_three_percent(sqlite_db):
    with unit_of_work() as s:
        for bin, output in ((SUPPLIER, "300"), (OTHER, "301")):
            contracts_service.assess_systemic(s, OFFICER, bin=bin, name=bin, region="Pavlodar",
                                              year=2026, enterprise_output=output,
                                              territory_output="10000", at=at("2026-11-01"))
        listed = contracts_service.systemic_list(s, region="Pavlodar", year=2026)
        assert [r.bin for r in listed] == [OTHER]
        with pytest.raises(Forbidden):
            contracts_service.assess_systemic(s, MAKER, bin=SUPPLIER, name="x", region="P",
                                              year=2026, enterprise_output="1",
                                              territory_output="2")


def test_development_programme(sqlite_db):
    areas = ["domestic_value_share", "industrial_contracts", "sme_development"]
    with unit_of_work() as s:
        case = contracts_service.open_dvdp(s, BUYER, customer_name="Qorgan JSC",
                                           customer_type="natural_monopoly", start_year=2027,
                                           areas=areas, at=at("2026-11-01"))
        with pytest.raises(LegalRuleError, match="oversight body"):
            casework.act(s, OFFICER, case.id, "agree", {})
    with unit_of_work() as s:
        casework.act(s, OFFICER, case.id, "agree", {"oversight_body_agreed": True})
        casework.act(s, BUYER, case.id, "approve", {"note": "board decision"})
        assert pending(s, case.id) == {"period_end": dt.date(2029, 12, 31)}
        casework.act(s, BUYER, case.id, "report", {"year": 2027,
                                                   "indicators": {"domestic value": "41%"}})
        with pytest.raises(LegalRuleError, match="dvdp_fulfilment_rule"):
            casework.act(s, OFFICER, case.id, "recognise_fulfilled", {})
    with unit_of_work() as s:
        short = contracts_service.open_dvdp(s, BUYER, customer_name="Qorgan JSC",
                                            customer_type="quasi_public", start_year=2027,
                                            areas=areas[:2], at=at("2026-11-01"))
        with pytest.raises(LegalRuleError, match="sme_development"):
            casework.act(s, OFFICER, short.id, "agree", {})
    with unit_of_work() as s:
        done = casework.act(s, OFFICER, short.id, "refuse",
                            {"grounds": [3], "justification": "no SME measures"})
        assert done.state == "refused" and "small and medium" in done.data["refusal"]["grounds"][0]
