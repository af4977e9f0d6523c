"""An industrial grant as a stored application (Law 86-VII Arts 25(5)-(6), 42): the project's
figures are required, the Law's own conditions of Art 42 refuse under condition 3, and the
grant may not exceed what co-financing leaves."""

from __future__ import annotations

import datetime as dt

import pytest

from kzreg.law.calendar import ALMATY
from kzreg.law.errors import InputError, LegalRuleError
from kzreg.platform.actors import Actor, Role
from kzreg.platform.db import unit_of_work
from kzreg.producers import casework, incentives_service, service

BIN = "150340012340"
OFFICER = Actor("officer", Role.INDUSTRY_OFFICER)
MAKER = Actor("maker", Role.MANUFACTURER, bin=BIN)
PROJECT = {"operating": True, "project_cost": "1000000", "grant_requested": "600000",
           "own_contribution": "400000", "planned_goals": ["output of motors +20%"]}
GRANT = {"documents_compliant": True, "agreement_no": "IG-1", "amount": "600000",
         "obligations_due_on": "2027-12-31",
         "counter_obligations": [{"direction": "labour_productivity",
                                  "indicator": "output per worker", "target": "+10%"}]}


def at(day: str) -> dt.datetime:
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(10), ALMATY)


def apply(s, project):
    return incentives_service.apply(
        s, MAKER, at=at("2026-03-02"), name="Qazaq Motors LLP", measure="industrial_grant",
        goods=[{"code": "8501", "on_priority_list": True}], counter_obligations_accepted=True,
        counter_obligation_directions=["labour_productivity"], grant_project=project)


def test_a_grant_application_through_the_gate(db):
    with unit_of_work() as s:
        service._put_entry(s, bin=BIN, name="Qazaq Motors LLP", region="Almaty",
                           route="processed", goods=[{"code": "8501", "title": "Motors"}],
                           on=dt.date(2026, 1, 15), at=at("2026-01-15"))
        with pytest.raises(InputError) as missing:
            apply(s, None)
        assert missing.value.field == "grant_project"
        assert missing.value.citation.locator == "Art 42(2)"
        with pytest.raises(InputError) as bad:
            apply(s, {**PROJECT, "project_cost": "lots"})
        assert bad.value.field == "grant_project.project_cost"

        no_goals = apply(s, {**PROJECT, "planned_goals": []})
        result = incentives_service.check(s, OFFICER, no_goals.id, {"documents_compliant": True},
                                          on=dt.date(2026, 3, 5))
        assert result.value.reasons == ("DOCS_NONCOMPLIANT",)
        assert [f.clause for f in result.value.failures] == ["Art 42(4)"]
        refused = casework.act(s, OFFICER, no_goals.id, "refuse",
                               {"documents_compliant": True, "justification": "no goals"},
                               at=at("2026-03-05"))
        assert refused.state == "refused"

        nothing_own = apply(s, {**PROJECT, "own_contribution": "0"})
        result = incentives_service.check(s, OFFICER, nothing_own.id,
                                          {"documents_compliant": True}, on=dt.date(2026, 3, 5))
        assert [f.clause for f in result.value.failures] == ["Art 42(2)"]   # once, not twice

        case = apply(s, PROJECT)
        assert case.data["amount_requested"] == "600000"
        with pytest.raises(LegalRuleError) as too_much:
            casework.act(s, OFFICER, case.id, "grant", {**GRANT, "amount": "600001"},
                         at=at("2026-03-05"))
        assert too_much.value.field == "amount"
        assert too_much.value.citation.locator == "Art 42(2)"
        granted = casework.act(s, OFFICER, case.id, "grant", GRANT, at=at("2026-03-05"))
        assert granted.state == "performing"
