"""The risk register on SQLite and PostgreSQL: severities, controls from filled checklists,
degrees for the register, a plan, and a prohibition that ends itself after thirty days."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from kzreg.law.calendar import ALMATY
from kzreg.law.errors import Conflict, Forbidden, InputError, LegalRuleError
from kzreg.law.settings import override
from kzreg.platform.actors import Actor, Role
from kzreg.platform.cases import Case
from kzreg.platform.db import unit_of_work
from kzreg.platform.demo import make_bin
from kzreg.platform.documents import case_documents
from kzreg.platform.worker import run_once
from kzreg.risk import service
from kzreg.risk.checklists import Severity
from kzreg.risk.subjects import ControlKind

INSPECTOR = Actor("inspector", Role.INSPECTOR)
ADMIN = Actor("admin", Role.ADMIN)
APP2 = {"cr-app2-01": Severity.GROSS, "cr-app2-02": Severity.CONSIDERABLE,
        "cr-app2-03": Severity.CONSIDERABLE, "cr-app2-04": Severity.INSIGNIFICANT,
        "cr-app2-05": Severity.INSIGNIFICANT}


def add(session, code, type_, **kw):
    return service.add_subject(session, service.SubjectIn(code=code, name=f"{code} LLP",
                                                          type=type_, **kw), INSPECTOR)


def test_checklist_control_needs_severities_then_scores(db):
    with unit_of_work() as s:
        add(s, "flag-1", "state_symbols_manufacturer", bin=make_bin("1503", "01234"),
            insured=True)
    check = service.ControlIn(kind=ControlKind.COMPLIANCE_CHECK, held_on=dt.date(2025, 3, 1),
                              violated=["cr-app2-02"])
    with pytest.raises(LegalRuleError) as err, unit_of_work() as s:
        service.record_control(s, "flag-1", check, INSPECTOR)
    assert err.value.field == "risk.requirement_severity_table"
    with unit_of_work() as s:
        assert service.store_severities(s, APP2, source="test") == 5
    with unit_of_work() as s:
        control = service.record_control(s, "flag-1", check, INSPECTOR)
        # considerable 1 of 2 → SRZ 35; insignificant 0 of 2 → 0; SP 35 → average
        assert (control.considerable_found, control.considerable_total) == (1, 2)
    with unit_of_work() as s:
        view = service.assess(s, service.get_subject(s, "flag-1"))
        assert view["indicator"].value.value == 35
        assert view["objective"].value.degree.value == "average"   # high, insured (Cr §15)
        assert [r["degree"] for r in service.register_degrees(s)] == ["average"]


def test_bad_input_and_roles(db):
    with pytest.raises(InputError) as err, unit_of_work() as s:
        add(s, "x", "training_center", bin="123456789012")
    assert err.value.field == "bin"
    with pytest.raises(Forbidden), unit_of_work() as s:
        service.add_subject(s, service.SubjectIn(code="y", name="Y", type="training_center"),
                            Actor("m", Role.MANUFACTURER))


def test_plan_from_the_register(db):
    with unit_of_work() as s:
        add(s, "seller-gross", "regulated_product_seller")
        add(s, "seller-fixed", "regulated_product_seller")
        add(s, "clean", "origin_certificate_body")
        counts = {"gross": 1}
        service.record_control(s, "seller-gross", service.ControlIn(
            kind=ControlKind.COMPLIANCE_CHECK, held_on=dt.date(2024, 5, 1), counts=counts),
            INSPECTOR)
        service.record_control(s, "seller-fixed", service.ControlIn(
            kind=ControlKind.COMPLIANCE_CHECK, held_on=dt.date(2025, 5, 1), counts=counts,
            eliminated=True), INSPECTOR)
    with unit_of_work() as s:
        plan = service.plan_register(s, dt.date(2026, 1, 1), dt.date(2026, 12, 31),
                                     ControlKind.COMPLIANCE_CHECK, information_system=True)
        rows = {e["id"]: e for e in plan.entries()}
    assert rows["seller-gross"]["status"] == "planned"
    assert rows["seller-fixed"]["clause"] == "Cr §10"
    assert rows["clean"]["clause"] == "Cr §12"


def test_prohibition_order_and_its_thirty_days(db):
    with unit_of_work() as s:
        add(s, "rail-1", "regulated_product_seller", bin=make_bin("1808", "04521"))
        control = service.record_control(s, "rail-1", service.ControlIn(
            kind=ControlKind.UNSCHEDULED, held_on=dt.date(2026, 1, 30), items=[17, 293, 18],
            counts={"considerable_found": 1, "considerable_total": 4}), INSPECTOR)
        control_id = control.id
    decided = dt.datetime(2026, 1, 31, 10, 0, tzinfo=ALMATY)
    with unit_of_work() as s:
        ids = service.issue_orders(s, control_id, INSPECTOR, at=decided)
    assert len(ids) == 2    # 17 and 293 → prohibition; 293 → withdrawal too (flagged)
    with unit_of_work() as s:
        cases = {c.case_type: c for c in s.scalars(select(Case).where(Case.id.in_(ids)))}
        prohibition = cases["risk.prohibition"]
        assert prohibition.data["last_day"] == "2026-03-02"
        assert prohibition.data["flagged_for_review"] == [293]
        docs = case_documents(s, prohibition.id)
        assert docs and "тридцать календарных дней" in docs[0].html
    run_once(dt.datetime(2026, 3, 2, 23, 0, tzinfo=ALMATY))
    with unit_of_work() as s:
        assert s.get(Case, prohibition.id).state == "in_force"
    run_once(dt.datetime(2026, 3, 3, 0, 0, 1, tzinfo=ALMATY))
    with unit_of_work() as s:
        assert s.get(Case, prohibition.id).state == "ended"
        assert s.get(Case, cases["risk.withdrawal"].id).state == "ordered"


def test_exemptions_of_fair_subjects(db):
    with unit_of_work() as s:
        add(s, "fair-1", "origin_certificate_body")
        add(s, "violator", "origin_certificate_body")
        service.record_control(s, "violator", service.ControlIn(
            kind=ControlKind.COMPLIANCE_CHECK, held_on=dt.date(2025, 3, 1),
            counts={"considerable_found": 9, "considerable_total": 10}), INSPECTOR)
    decision = service.ExemptionIn(starts_on=dt.date(2026, 1, 1), reason="no violations")
    with pytest.raises(LegalRuleError) as err, unit_of_work() as s:  # no period in the text
        service.record_exemption(s, "fair-1", decision, INSPECTOR)
    assert err.value.field == "ends_on" and "risk.fair_subject_exemption_period" in str(err.value)
    until = decision.model_copy(update={"ends_on": dt.date(2027, 12, 31)})
    with pytest.raises(LegalRuleError) as err, unit_of_work() as s:   # 63: not fair
        service.record_exemption(s, "violator", until, INSPECTOR)
    assert err.value.citation.locator == "Cr §14"
    with pytest.raises(Forbidden), unit_of_work() as s:
        service.record_exemption(s, "fair-1", until, Actor("m", Role.MANUFACTURER))
    with override(risk__fair_subject_exemption_period="1 year"), unit_of_work() as s:
        row = service.record_exemption(s, "fair-1", decision, INSPECTOR)
        assert (row.ends_on, row.indicator, row.degree) == (dt.date(2026, 12, 31), "0", "low")
    with pytest.raises(Conflict), unit_of_work() as s:
        service.record_exemption(s, "fair-1", until, INSPECTOR)
    with unit_of_work() as s:
        assert [e["state"] for e in service.exemptions(
            s, today=dt.date(2026, 6, 1))] == ["in_force"]
        assert service.exemptions(s, state="expired", today=dt.date(2027, 1, 1))[0]["code"] \
            == "fair-1"
        assert service.exemptions(s, state="in_force", today=dt.date(2027, 1, 1)) == []
        # the plan honours it while it lasts (Cr §14), not after it expired
        for year, clause in ((2026, "Cr §14"), (2027, "Cr §13")):
            plan = service.plan_register(s, dt.date(year, 1, 1), dt.date(year, 12, 31),
                                         ControlKind.PREVENTIVE_WITH_VISIT,
                                         information_system=True)
            rows = {e["id"]: e for e in plan.entries()}
            assert rows["violator"]["status"] == "planned"
            if year == 2026:
                assert rows["fair-1"]["clause"] == clause
            else:   # low indicator: not selected, but no longer for the exemption
                assert rows["fair-1"]["clause"] == "Cr §12"


def test_withdrawal_order_document(db):
    with unit_of_work() as s:
        add(s, "seller-w", "regulated_product_seller", bin=make_bin("1808", "04521"))
        control = service.record_control(s, "seller-w", service.ControlIn(
            kind=ControlKind.UNSCHEDULED, held_on=dt.date(2026, 2, 2), items=[24, 680],
            counts={"insignificant_found": 1, "insignificant_total": 4}), INSPECTOR)
        [case_id] = service.issue_orders(s, control.id, INSPECTOR,
                                         at=dt.datetime(2026, 2, 3, 9, tzinfo=ALMATY))
    with unit_of_work() as s:
        case = s.get(Case, case_id)
        assert case.case_type == "risk.withdrawal" and case.data["items"] == [24, 680]
        [doc] = case_documents(s, case_id)
        assert doc.template == "risk/withdrawal_order.html" and doc.kind == "risk_withdrawal"
        assert "изъятие" in doc.html and "внеплановой проверки" in doc.html
        assert "тридцать" not in doc.html and "16-3" in doc.html
        assert doc.pdf.startswith(b"%PDF")
        assert [c.id for c in service.orders(s, INSPECTOR, code="seller-w")] == [case_id]
        assert service.orders(s, Actor("m", Role.MANUFACTURER)) == []
